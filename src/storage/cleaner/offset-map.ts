// The cleaner's key -> latest offset map over the dirty section of a log (Kafka's OffsetMap).
// Short keys are stored as they are (a latin1 string holds any bytes); long keys by their MD5
// digest, as Kafka hashes every key (a collision would need two distinct keys of the same
// partition with the same digest). The memory budget (log.cleaner.dedupe.buffer.size x load
// factor) is accounted per entry, approximately.
import { createHash } from 'node:crypto'

const MAX_RAW_KEY_BYTES = 64
/** Rough cost of one Map entry beyond its key string (hash table slot, boxed number). */
const ENTRY_OVERHEAD_BYTES = 64

export function offsetMapKey(key: Buffer): string {
  if (key.length <= MAX_RAW_KEY_BYTES) return `r${key.toString('latin1')}`
  return `h${createHash('md5').update(key).digest().toString('latin1')}`
}

export class OffsetMap {
  private readonly map = new Map<string, number>()
  private usedBytes = 0
  /** Largest offset the map covers: records above it are beyond the cleaned range. */
  latestOffset = -1

  constructor(readonly budgetBytes: number) {}

  get size(): number {
    return this.map.size
  }

  /** Bytes accounted so far (for stats). */
  get utilizationBytes(): number {
    return this.usedBytes
  }

  /** False when the key is new and the budget is exhausted (the caller stops mapping). */
  put(key: Buffer, offset: number): boolean {
    const k = offsetMapKey(key)
    const had = this.map.get(k)
    if (had === undefined) {
      const cost = k.length + ENTRY_OVERHEAD_BYTES
      if (this.usedBytes + cost > this.budgetBytes) return false
      this.usedBytes += cost
    }
    this.map.set(k, offset)
    return true
  }

  /** The latest offset of `key`, -1 when it is not in the map. */
  get(key: Buffer): number {
    return this.map.get(offsetMapKey(key)) ?? -1
  }

  updateLatestOffset(offset: number): void {
    if (offset > this.latestOffset) this.latestOffset = offset
  }

  clear(): void {
    this.map.clear()
    this.usedBytes = 0
    this.latestOffset = -1
  }
}
