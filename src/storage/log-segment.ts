// One segment: `<base>.log` plus its sparse `.index` / `.timeindex`. The indexes of the active
// segment live in memory and are written out when the segment rolls or the log closes; after a
// crash they are rebuilt by recovery, so they never need to be flushed on the hot path.
import { batchSize, HEADER_SIZE, LAST_OFFSET_DELTA, LENGTH, LOG_OVERHEAD, MAX_TIMESTAMP, offsetFileStem, readInt64 } from './batch-format.js'
import type { FileHandle, FileSystem } from './fs/file-system.js'
import type { HandleCache } from './handle-cache.js'
import { OffsetIndex, TimeIndex } from './indexes.js'
import { RecentAppends } from './recent-appends.js'
import { scanBatches } from './segment-scan.js'

const EMPTY = Buffer.alloc(0)
/** Extra bytes read before the wanted batch in the single read of a fetch (index granularity). */
const MIN_READ_SLACK = 16 * 1024
/** One read never buffers more than this (plus a first batch larger than it): reads are copies, not sendfile. */
export const MAX_READ_BYTES = 32 * 1024 * 1024

export interface SegmentReadResult {
  records: Buffer
  /** The first batch does not fit maxBytes and minOneMessage was false. */
  tooLarge: boolean
}

export class LogSegment {
  readonly logPath: string
  readonly indexPath: string
  readonly timeIndexPath: string

  private handle: FileHandle | null = null
  private opening: Promise<FileHandle> | null = null
  private refs = 0
  private deleted = false
  private closed = false

  /** Bytes written to the file. */
  size = 0
  /** Bytes reserved by appends queued for this segment (>= size). */
  assignedSize = 0
  /** Bytes readers may see (batches below the high watermark). */
  readableSize = 0
  /** Offset after the last batch written (baseOffset when empty). */
  nextOffset: number
  offsetIndex: OffsetIndex | null = null
  timeIndex: TimeIndex | null = null
  maxTimestamp = -1
  offsetOfMaxTimestamp = -1
  /** Max timestamp of the first batch (drives segment.ms rolling, as Kafka's rollingBasedTimestamp). */
  firstBatchTimestamp = -1
  createdMs: number
  /** Random jitter subtracted from segment.ms for this segment (segment.jitter.ms). */
  rollJitterMs = 0
  lastModifiedMs: number
  private bytesSinceLastIndexEntry = 0
  /** Indexes changed since they were last written. */
  indexesDirty = false
  /** The .log file is new: an fsync that acknowledges writes must also fsync the directory entry. */
  needsDirSync = false
  /** The latest appends in memory, for reads at the tail (see recent-appends.ts). */
  private readonly recent = new RecentAppends()

  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    readonly baseOffset: number,
    private readonly indexIntervalBytes: () => number,
    private readonly handles: HandleCache,
    nowMs: number,
  ) {
    const stem = `${dir}/${offsetFileStem(baseOffset)}`
    this.logPath = `${stem}.log`
    this.indexPath = `${stem}.index`
    this.timeIndexPath = `${stem}.timeindex`
    this.nextOffset = baseOffset
    this.createdMs = nowMs
    this.lastModifiedMs = nowMs
  }

  /** A fresh segment with empty in-memory indexes. */
  initEmpty(): void {
    this.offsetIndex = new OffsetIndex(this.baseOffset)
    this.timeIndex = new TimeIndex(this.baseOffset)
    this.indexesDirty = true
    this.needsDirSync = true
  }

  async open(): Promise<FileHandle> {
    if (this.handle) {
      this.handles.touch(this)
      return this.handle
    }
    if (this.deleted || this.closed) throw new Error(`segment ${this.logPath} is ${this.deleted ? 'deleted' : 'closed'}`)
    if (!this.opening) {
      this.opening = this.fs.open(this.logPath, 'readwrite').then(
        (h) => {
          this.handle = h
          this.opening = null
          this.handles.add(this)
          return h
        },
        (err) => {
          this.opening = null
          throw err
        },
      )
    }
    return this.opening
  }

  get isOpen(): boolean {
    return this.handle !== null
  }

  get inUse(): boolean {
    return this.refs > 0
  }

  /** Closes the file handle when no read holds it (handle-cache eviction). */
  async closeHandle(): Promise<void> {
    if (this.refs > 0 || !this.handle) return
    const h = this.handle
    this.handle = null
    this.handles.remove(this)
    await h.close()
  }

  /** Records an appended/recovered batch in the indexes and timestamp bookkeeping (Kafka's LogSegment.append). */
  trackBatch(lastOffset: number, position: number, size: number, maxTimestamp: number): void {
    if (position === 0) this.firstBatchTimestamp = maxTimestamp
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp
      this.offsetOfMaxTimestamp = lastOffset
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes()) {
      this.offsetIndex!.append(lastOffset, position)
      this.timeIndex!.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
      this.bytesSinceLastIndexEntry = 0
    }
    this.bytesSinceLastIndexEntry += size
    this.nextOffset = lastOffset + 1
    this.indexesDirty = true
  }

  /** Keeps a just-written append for tail reads (the append writer calls this after each write). */
  rememberAppend(buf: Buffer, position: number, baseOffset: number, lastOffset: number): void {
    this.recent.add(buf, position, baseOffset, lastOffset)
  }

  /** Rolled, closed or deleted: tail reads go to the file. */
  dropRecentAppends(): void {
    this.recent.clear()
  }

  resetIndexes(): void {
    this.recent.clear()
    this.offsetIndex = new OffsetIndex(this.baseOffset)
    this.timeIndex = new TimeIndex(this.baseOffset)
    this.bytesSinceLastIndexEntry = 0
    this.maxTimestamp = -1
    this.offsetOfMaxTimestamp = -1
    this.firstBatchTimestamp = -1
    this.nextOffset = this.baseOffset
    this.indexesDirty = true
  }

  /** Loads index files of an inactive segment; rebuilds them from the log when missing or inconsistent. */
  async ensureIndexes(): Promise<{ offsetIndex: OffsetIndex; timeIndex: TimeIndex }> {
    if (this.offsetIndex && this.timeIndex) return { offsetIndex: this.offsetIndex, timeIndex: this.timeIndex }
    const [idx, tidx] = await Promise.all([this.readFileOrNull(this.indexPath), this.readFileOrNull(this.timeIndexPath)])
    if (this.offsetIndex && this.timeIndex) return { offsetIndex: this.offsetIndex, timeIndex: this.timeIndex }
    const offsetIndex = idx ? OffsetIndex.load(this.baseOffset, idx, Math.max(this.size, 1)) : null
    const timeIndex = tidx ? TimeIndex.load(this.baseOffset, tidx) : null
    if (offsetIndex && timeIndex) {
      this.offsetIndex = offsetIndex
      this.timeIndex = timeIndex
      return { offsetIndex, timeIndex }
    }
    await this.rebuildIndexes()
    return { offsetIndex: this.offsetIndex!, timeIndex: this.timeIndex! }
  }

  /** Re-derives indexes from the batches in the file (no truncation; recovery does that). */
  async rebuildIndexes(): Promise<void> {
    const saved = { maxTimestamp: this.maxTimestamp, offsetOfMaxTimestamp: this.offsetOfMaxTimestamp, nextOffset: this.nextOffset }
    this.resetIndexes()
    const h = await this.acquire()
    try {
      await scanBatches(h, 0, this.size, { verifyCrc: false, segmentBaseOffset: this.baseOffset, minBaseOffset: this.baseOffset }, (buf, off, pos, size) => {
        this.trackBatch(readInt64(buf, off) + buf.readInt32BE(off + LAST_OFFSET_DELTA), pos, size, readInt64(buf, off + MAX_TIMESTAMP))
      })
    } finally {
      this.release()
    }
    if (this.maxTimestamp < saved.maxTimestamp) {
      this.maxTimestamp = saved.maxTimestamp
      this.offsetOfMaxTimestamp = saved.offsetOfMaxTimestamp
    }
    if (saved.nextOffset > this.nextOffset) this.nextOffset = saved.nextOffset
  }

  private async readFileOrNull(path: string): Promise<Buffer | null> {
    try {
      return await this.fs.readFile(path)
    } catch {
      return null
    }
  }

  /** Pins the handle for a read (deletion and eviction wait for release). */
  async acquire(): Promise<FileHandle> {
    this.refs++
    try {
      return await this.open()
    } catch (err) {
      this.refs--
      throw err
    }
  }

  release(): void {
    this.refs--
    if (this.refs === 0 && this.deleted) void this.finishDelete()
  }

  /** read() answered from the latest appends in memory; undefined when the file must be read. */
  readRecent(target: number, maxBytes: number, minOneMessage: boolean): SegmentReadResult | null | undefined {
    const capped = Math.min(maxBytes, MAX_READ_BYTES)
    return this.recent.read(target, capped, minOneMessage || maxBytes > capped, this.readableSize)
  }

  /**
   * Whole batches from the one containing `target`, at most maxBytes (the first batch whole when
   * minOneMessage), never past readableSize. null when no batch at or after target is readable.
   * Normally one positional read: from the index position, covering the index gap plus maxBytes.
   */
  async read(target: number, maxBytes: number, minOneMessage: boolean, alloc?: (length: number) => Buffer): Promise<SegmentReadResult | null> {
    const recent = this.readRecent(target, maxBytes, minOneMessage)
    if (recent !== undefined) return recent
    const capped = Math.min(maxBytes, MAX_READ_BYTES)
    const cappedByBroker = maxBytes > capped // the caller allows more: a larger first batch still comes whole
    maxBytes = capped
    const { offsetIndex } = await this.ensureIndexes()
    const limit = this.readableSize
    let start = offsetIndex.lookup(target)
    if (start >= limit) return null
    const slack = Math.max(MIN_READ_SLACK, this.indexIntervalBytes() * 2)
    const h = await this.acquire()
    try {
      let buf = await h.read(start, Math.min(limit - start, slack + maxBytes), alloc)
      let off = 0
      // Walk headers to the batch that contains target.
      for (;;) {
        if (off + HEADER_SIZE > buf.length) {
          if (start + off >= limit) return null
          start += off
          buf = await h.read(start, Math.min(limit - start, slack + maxBytes), alloc)
          off = 0
          if (buf.length < HEADER_SIZE) return null
        }
        const last = readInt64(buf, off) + buf.readInt32BE(off + LAST_OFFSET_DELTA)
        if (last >= target) break
        const size = batchSize(buf, off)
        if (size < HEADER_SIZE) throw new Error(`corrupt batch at position ${start + off} of ${this.logPath}`)
        off += size
      }
      const firstSize = batchSize(buf, off)
      if (firstSize > maxBytes && !minOneMessage && !cappedByBroker) return { records: EMPTY, tooLarge: true }
      const wanted = Math.min(limit - (start + off), Math.max(maxBytes, firstSize))
      if (off + wanted > buf.length && buf.length - off < firstSize) {
        // The first batch is larger than what the first read covered: read exactly what is wanted.
        start += off
        buf = await h.read(start, wanted, alloc)
        off = 0
      }
      const end = Math.min(buf.length, off + wanted)
      let stop = off
      while (stop + LOG_OVERHEAD <= end) {
        const next = stop + buf.readInt32BE(stop + LENGTH) + LOG_OVERHEAD
        if (next > end || next <= stop) break
        stop = next
      }
      return { records: buf.subarray(off, stop), tooLarge: false }
    } finally {
      this.release()
    }
  }

  /** Appends the closing time-index entry (Kafka's onBecomeInactiveSegment) and writes both indexes. */
  async writeIndexes(opts: { final: boolean; sync: boolean }): Promise<void> {
    if (!this.offsetIndex || !this.timeIndex) return
    if (opts.final && this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
    if (!this.indexesDirty) return
    this.indexesDirty = false
    await Promise.all([
      this.fs.writeFile(this.indexPath, Buffer.from(this.offsetIndex.bytes()), { sync: opts.sync }),
      this.fs.writeFile(this.timeIndexPath, Buffer.from(this.timeIndex.bytes()), { sync: opts.sync }),
    ])
  }

  async datasync(): Promise<void> {
    const h = await this.acquire()
    try {
      await h.datasync()
    } finally {
      this.release()
    }
  }

  /** Drops in-memory indexes of an inactive segment (they are reloaded from files on demand). */
  dropIndexes(): void {
    if (this.indexesDirty) return
    this.offsetIndex = null
    this.timeIndex = null
  }

  async close(): Promise<void> {
    this.closed = true
    this.recent.clear()
    if (this.opening) await this.opening.catch(() => undefined)
    const h = this.handle
    this.handle = null
    this.handles.remove(this)
    if (h) await h.close()
  }

  /** Removes the files once no read holds the segment. */
  async delete(): Promise<void> {
    this.deleted = true
    this.recent.clear()
    if (this.refs === 0) await this.finishDelete()
  }

  private async finishDelete(): Promise<void> {
    await this.close()
    await Promise.all([this.fs.unlink(this.logPath), this.fs.unlink(this.indexPath), this.fs.unlink(this.timeIndexPath)])
  }
}
