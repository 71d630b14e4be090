// Opens a partition directory: finds segments, recovers the ones that may be torn (every segment
// past the recovery point after an unclean shutdown, always including the last), truncates at the
// first torn or corrupt batch (nothing after it is served), rebuilds indexes, and rebuilds the
// idempotent-producer state from the newest usable snapshot plus the batches after it.
import { ATTRIBUTES, BASE_SEQUENCE, CONTROL_MASK, HEADER_SIZE, LAST_OFFSET_DELTA, MAX_TIMESTAMP, PRODUCER_EPOCH, PRODUCER_ID, readInt64 } from './batch-format.js'
import { PRODUCER_SNAPSHOT_SUFFIX } from './append-writer.js'
import { LogSegment } from './log-segment.js'
import { PartitionLog, type PartitionLogDeps } from './partition-log.js'
import { ProducerStateManager, type ProducerSnapshotFile } from './producer-state.js'
import { TimeIndex } from './indexes.js'
import { scanBatches } from './segment-scan.js'

export interface PartitionLoadOptions {
  /** The previous shutdown was clean (the clean-shutdown marker was present). */
  cleanShutdown: boolean
  /** From recovery-point-offset-checkpoint; undefined = recover every segment after an unclean shutdown. */
  recoveryPoint: number | undefined
  /** From log-start-offset-checkpoint. */
  logStartOffset: number | undefined
  /** The caller has just created the (empty) directory: nothing to list. */
  created?: boolean
}

const EMPTY = Buffer.alloc(0)
const LOG_FILE = /^(\d{20})\.log$/
const INDEX_FILE = /^(\d{20})\.(index|timeindex)$/
const SNAPSHOT_FILE = /^(\d{20})\.brook-producers$/
const TEMP_FILE = /\.(tmp|deleted|cleaned|swap)$/

function replayBatch(producers: ProducerStateManager, fromOffset: number, buf: Buffer, off: number): void {
  const baseOffset = readInt64(buf, off)
  if (baseOffset < fromOffset) return
  const producerId = readInt64(buf, off + PRODUCER_ID)
  if (producerId < 0) return
  const delta = buf.readInt32BE(off + LAST_OFFSET_DELTA)
  producers.replay(
    producerId,
    buf.readInt16BE(off + PRODUCER_EPOCH),
    buf.readInt32BE(off + BASE_SEQUENCE),
    delta,
    baseOffset + delta,
    readInt64(buf, off + MAX_TIMESTAMP),
    (buf.readInt16BE(off + ATTRIBUTES) & CONTROL_MASK) !== 0,
  )
}

function trackBatch(seg: LogSegment, buf: Buffer, off: number, position: number, size: number): void {
  seg.trackBatch(readInt64(buf, off) + buf.readInt32BE(off + LAST_OFFSET_DELTA), position, size, readInt64(buf, off + MAX_TIMESTAMP))
}

async function replaySegment(seg: LogSegment, producers: ProducerStateManager, fromOffset: number): Promise<void> {
  const handle = await seg.acquire()
  try {
    await scanBatches(handle, 0, seg.size, { verifyCrc: false, segmentBaseOffset: seg.baseOffset, minBaseOffset: seg.baseOffset }, (buf, off) => {
      replayBatch(producers, fromOffset, buf, off)
    })
  } finally {
    seg.release()
  }
}

async function readSnapshot(deps: PartitionLogDeps, offset: number): Promise<ProducerStateManager | null> {
  const path = `${deps.dir}/${String(offset).padStart(20, '0')}${PRODUCER_SNAPSHOT_SUFFIX}`
  try {
    const snap = JSON.parse((await deps.fs.readFile(path)).toString('utf8')) as ProducerSnapshotFile
    if (snap.offset !== offset) throw new Error('offset mismatch')
    return ProducerStateManager.fromSnapshot(snap)
  } catch (err) {
    deps.logger.warn({ err, path }, 'ignoring unreadable producer snapshot')
    await deps.fs.unlink(path)
    return null
  }
}

/** Inactive segment that needs no recovery: its max timestamp from the time index's last entry. */
async function loadInactiveSegment(seg: LogSegment, deps: PartitionLogDeps): Promise<void> {
  let timeIndex: TimeIndex | null = null
  try {
    timeIndex = TimeIndex.load(seg.baseOffset, await deps.fs.readFile(seg.timeIndexPath))
  } catch {
    timeIndex = null
  }
  const indexOk = (await deps.fs.stat(seg.indexPath)) !== null
  if (!timeIndex || !indexOk) {
    await seg.rebuildIndexes()
    await seg.writeIndexes({ final: true, sync: false })
    seg.dropIndexes()
    return
  }
  const last = timeIndex.lastEntry()
  if (last) {
    seg.maxTimestamp = last.timestamp
    seg.offsetOfMaxTimestamp = last.offset
  }
}

export async function openPartitionLog(deps: PartitionLogDeps, opts: PartitionLoadOptions): Promise<PartitionLog> {
  const { fs, dir, logger } = deps
  const now = deps.now()
  const indexInterval = (): number => deps.config().indexIntervalBytes
  if (!opts.created) await fs.mkdir(dir)
  const names = opts.created ? [] : await fs.readdir(dir)
  const logBases = new Set<number>()
  const snapshotOffsets: number[] = []
  for (const name of names) {
    let m: RegExpExecArray | null
    if (TEMP_FILE.test(name)) await fs.unlink(`${dir}/${name}`)
    else if ((m = LOG_FILE.exec(name))) logBases.add(Number(m[1]))
    else if ((m = SNAPSHOT_FILE.exec(name))) snapshotOffsets.push(Number(m[1]))
  }
  for (const name of names) {
    const m = INDEX_FILE.exec(name)
    if (m && !logBases.has(Number(m[1]))) await fs.unlink(`${dir}/${name}`)
  }

  const segments: LogSegment[] = []
  for (const base of [...logBases].sort((a, b) => a - b)) {
    const seg = new LogSegment(fs, dir, base, indexInterval, deps.handles, now)
    const st = await fs.stat(seg.logPath)
    seg.size = st?.size ?? 0
    seg.lastModifiedMs = st?.mtimeMs ?? now
    segments.push(seg)
  }
  if (segments.length === 0) {
    const seg = new LogSegment(fs, dir, Math.max(0, opts.logStartOffset ?? 0), indexInterval, deps.handles, now)
    seg.initEmpty()
    await fs.writeFile(seg.logPath, EMPTY) // Kafka always has the first .log file
    segments.push(seg)
  }

  const n = segments.length
  const endOf = (i: number): number => (i + 1 < n ? segments[i + 1].baseOffset : Infinity)
  let firstRecover = n
  if (!opts.cleanShutdown) {
    const rp = opts.recoveryPoint ?? -Infinity
    firstRecover = n - 1
    for (let i = 0; i < n - 1; i++) {
      if (endOf(i) > rp) {
        firstRecover = i
        break
      }
    }
  }

  // Newest readable producer snapshot; batches from its offset on are replayed.
  let producers = new ProducerStateManager()
  let replayFrom = -1
  snapshotOffsets.sort((a, b) => b - a)
  for (const offset of snapshotOffsets) {
    const loaded = await readSnapshot(deps, offset)
    if (loaded) {
      producers = loaded
      replayFrom = offset
      break
    }
  }

  // Segments that need no recovery.
  for (let i = 0; i < firstRecover; i++) {
    const seg = segments[i]
    if (i < n - 1) {
      await loadInactiveSegment(seg, deps)
      seg.nextOffset = segments[i + 1].baseOffset
    } else {
      // Clean shutdown: trust the indexes; walk the batches after the last index entry for the end offset.
      const { offsetIndex, timeIndex } = await seg.ensureIndexes()
      const last = timeIndex.lastEntry()
      if (last) {
        seg.maxTimestamp = last.timestamp
        seg.offsetOfMaxTimestamp = last.offset
      }
      const from = offsetIndex.lastPosition
      const handle = await seg.acquire()
      try {
        const res = await scanBatches(handle, from, seg.size, { verifyCrc: true, segmentBaseOffset: seg.baseOffset, minBaseOffset: seg.baseOffset }, (buf, off, pos, size) =>
          trackBatch(seg, buf, off, pos, size),
        )
        if (res.stop !== 'end') {
          logger.warn({ dir, segment: seg.baseOffset, position: res.validBytes, reason: res.detail }, 'truncating the log at a corrupt batch')
          await handle.truncate(res.validBytes)
          seg.size = res.validBytes
          seg.offsetIndex!.truncateToPosition(res.validBytes)
          seg.timeIndex!.truncateToOffset(res.nextOffset)
        }
      } finally {
        seg.release()
      }
    }
    if (replayFrom < 0 || seg.nextOffset > replayFrom) await replaySegment(seg, producers, replayFrom)
  }

  // Recovery: CRC-check every batch, rebuild indexes, truncate at the first bad one.
  for (let i = firstRecover; i < segments.length; i++) {
    const seg = segments[i]
    seg.resetIndexes()
    const replay = replayFrom < 0 || endOf(i) > replayFrom
    const minBaseOffset = i > 0 ? Math.max(seg.baseOffset, segments[i - 1].nextOffset) : seg.baseOffset
    const handle = await seg.acquire()
    let truncated = false
    try {
      const res = await scanBatches(handle, 0, seg.size, { verifyCrc: true, segmentBaseOffset: seg.baseOffset, minBaseOffset }, (buf, off, pos, size) => {
        trackBatch(seg, buf, off, pos, size)
        if (replay) replayBatch(producers, replayFrom, buf, off)
      })
      if (res.stop !== 'end') {
        logger.warn({ dir, segment: seg.baseOffset, position: res.validBytes, size: seg.size, reason: res.detail }, 'recovery: truncating the log at a torn or corrupt batch')
        await handle.truncate(res.validBytes)
        seg.size = res.validBytes
        truncated = true
      }
    } finally {
      seg.release()
    }
    if (truncated && i < segments.length - 1) {
      const dropped = segments.splice(i + 1)
      for (const d of dropped) {
        logger.warn({ dir, segment: d.baseOffset }, 'recovery: deleting a segment after the truncation point')
        await d.delete()
      }
    }
    if (i < segments.length - 1) {
      await seg.writeIndexes({ final: true, sync: true })
      if (seg.size > 0) await seg.datasync()
      seg.dropIndexes()
    }
  }

  const active = segments[segments.length - 1]
  const logEndOffset = active.nextOffset
  if (active.firstBatchTimestamp < 0 && active.size >= HEADER_SIZE) {
    // segment.ms counts from the first batch's timestamp (Kafka's rollingBasedTimestamp).
    const handle = await active.acquire()
    try {
      active.firstBatchTimestamp = readInt64(await handle.read(MAX_TIMESTAMP, 8), 0)
    } finally {
      active.release()
    }
  }
  if (replayFrom > logEndOffset) {
    // The snapshot is ahead of what survived: rebuild from the log.
    producers = new ProducerStateManager()
    for (const seg of segments) await replaySegment(seg, producers, -1)
  }
  for (const offset of snapshotOffsets) {
    if (offset > logEndOffset) await fs.unlink(`${dir}/${String(offset).padStart(20, '0')}${PRODUCER_SNAPSHOT_SUFFIX}`)
  }
  for (const s of segments) {
    s.assignedSize = s.size
    s.readableSize = s.size
  }
  const logStartOffset = Math.min(Math.max(opts.logStartOffset ?? 0, segments[0].baseOffset), logEndOffset)
  producers.evictBelow(logStartOffset)
  const log = new PartitionLog(deps, {
    segments,
    logStartOffset,
    producers,
    recoveryPoint: opts.cleanShutdown ? logEndOffset : active.baseOffset,
    snapshotOffsets: snapshotOffsets.filter((o) => o <= logEndOffset).sort((a, b) => a - b),
  })
  return log
}
