// Bounds the number of open segment files across all partitions (least recently used first out).
// A handle pinned by a read or write is never closed under it.
export interface CachedHandleOwner {
  readonly inUse: boolean
  closeHandle(): Promise<void>
}

export class HandleCache {
  private readonly open = new Set<CachedHandleOwner>()

  constructor(private readonly maxOpen: number) {}

  add(owner: CachedHandleOwner): void {
    this.open.add(owner)
    if (this.open.size > this.maxOpen) this.evict()
  }

  touch(owner: CachedHandleOwner): void {
    // Recency only matters once eviction is near; skip the Set churn on the hot path before that.
    if (this.open.size * 2 > this.maxOpen && this.open.delete(owner)) this.open.add(owner)
  }

  remove(owner: CachedHandleOwner): void {
    this.open.delete(owner)
  }

  get size(): number {
    return this.open.size
  }

  private evict(): void {
    let excess = this.open.size - this.maxOpen
    for (const owner of this.open) {
      if (excess <= 0) break
      if (owner.inUse) continue
      this.open.delete(owner)
      excess--
      owner.closeHandle().catch(() => undefined)
    }
  }
}
