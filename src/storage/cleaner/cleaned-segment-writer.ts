// Writes one cleaned segment: `<base>.log.cleaned` plus its `.index.cleaned` / `.timeindex.cleaned`,
// with index entries every index.interval.bytes exactly as LogSegment tracks appended batches.
// Batches are buffered and written in large writes; finish() fsyncs everything.
import { offsetFileStem } from '../batch-format.js'
import type { FileHandle, FileSystem } from '../fs/file-system.js'
import { OffsetIndex, TimeIndex } from '../indexes.js'
import type { CleanerPacer } from './pacer.js'

export const CLEANED_SUFFIX = '.cleaned'
export const SWAP_SUFFIX = '.swap'
const WRITE_CHUNK_BYTES = 1 << 20

export interface CleanedSegment {
  baseOffset: number
  sizeBytes: number
  /** Final names without suffix: `<dir>/<stem>.log` etc. */
  logPath: string
  indexPath: string
  timeIndexPath: string
  offsetIndex: OffsetIndex
  timeIndex: TimeIndex
  maxTimestamp: number
  offsetOfMaxTimestamp: number
  firstBatchTimestamp: number
}

export function segmentFilePaths(dir: string, baseOffset: number): { logPath: string; indexPath: string; timeIndexPath: string } {
  const stem = `${dir}/${offsetFileStem(baseOffset)}`
  return { logPath: `${stem}.log`, indexPath: `${stem}.index`, timeIndexPath: `${stem}.timeindex` }
}

export class CleanedSegmentWriter {
  private handle: FileHandle | null = null
  private pending: Buffer[] = []
  private pendingBytes = 0
  private written = 0
  private bytesSinceLastIndexEntry = 0
  private readonly seg: CleanedSegment

  constructor(
    private readonly fs: FileSystem,
    dir: string,
    baseOffset: number,
    private readonly indexIntervalBytes: number,
    private readonly pacer: CleanerPacer,
  ) {
    this.seg = {
      baseOffset,
      sizeBytes: 0,
      ...segmentFilePaths(dir, baseOffset),
      offsetIndex: new OffsetIndex(baseOffset),
      timeIndex: new TimeIndex(baseOffset),
      maxTimestamp: -1,
      offsetOfMaxTimestamp: -1,
      firstBatchTimestamp: -1,
    }
  }

  /** Paths written while cleaning (removed when the clean is abandoned). */
  get tempPaths(): string[] {
    return [this.seg.logPath, this.seg.indexPath, this.seg.timeIndexPath].map((p) => p + CLEANED_SUFFIX)
  }

  async open(): Promise<void> {
    this.handle = await this.fs.open(this.seg.logPath + CLEANED_SUFFIX, 'create')
  }

  get sizeBytes(): number {
    return this.seg.sizeBytes
  }

  /** Appends one batch; mirrors LogSegment.trackBatch for the indexes. */
  async append(batch: Buffer, lastOffset: number, maxTimestamp: number): Promise<void> {
    const s = this.seg
    const position = s.sizeBytes
    if (position === 0) s.firstBatchTimestamp = maxTimestamp
    if (maxTimestamp > s.maxTimestamp) {
      s.maxTimestamp = maxTimestamp
      s.offsetOfMaxTimestamp = lastOffset
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      s.offsetIndex.append(lastOffset, position)
      s.timeIndex.maybeAppend(s.maxTimestamp, s.offsetOfMaxTimestamp)
      this.bytesSinceLastIndexEntry = 0
    }
    this.bytesSinceLastIndexEntry += batch.length
    s.sizeBytes += batch.length
    this.pending.push(batch)
    this.pendingBytes += batch.length
    if (this.pendingBytes >= WRITE_CHUNK_BYTES) await this.flushPending()
  }

  private async flushPending(): Promise<void> {
    if (this.pendingBytes === 0) return
    const bufs = this.pending
    const bytes = this.pendingBytes
    this.pending = []
    this.pendingBytes = 0
    await this.handle!.writev(bufs, this.written)
    this.written += bytes
    await this.pacer.tick(bytes)
  }

  /** Writes the rest, the closing time-index entry and both indexes; fsyncs; closes. */
  async finish(): Promise<CleanedSegment> {
    await this.flushPending()
    const s = this.seg
    if (s.maxTimestamp >= 0) s.timeIndex.maybeAppend(s.maxTimestamp, s.offsetOfMaxTimestamp)
    await this.handle!.datasync()
    await this.handle!.close()
    this.handle = null
    await Promise.all([
      this.fs.writeFile(s.indexPath + CLEANED_SUFFIX, Buffer.from(s.offsetIndex.bytes()), { sync: true }),
      this.fs.writeFile(s.timeIndexPath + CLEANED_SUFFIX, Buffer.from(s.timeIndex.bytes()), { sync: true }),
    ])
    return s
  }

  /** Closes and removes the temp files (an abandoned clean). */
  async discard(): Promise<void> {
    const h = this.handle
    this.handle = null
    if (h) await h.close().catch(() => undefined)
    await Promise.all(this.tempPaths.map((p) => this.fs.unlink(p).catch(() => undefined)))
  }
}
