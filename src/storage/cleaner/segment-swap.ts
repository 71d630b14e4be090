// Replacing a run of segments with their cleaned version, crash-safely and in Kafka's order
// (LocalLog.replaceSegments), and completing or rolling back an interrupted replacement when a
// partition is opened (LogLoader's swap handling).
//
//   1. `X.*.cleaned` -> `X.*.swap` (index files first, the log last), fsync dir. From here on the
//      replacement is committed: recovery finishes it.
//   2. The old segments' files -> `*.deleted` (their handles stay open and pinned, so reads that
//      still hold an old segment keep reading the old data).
//   3. `X.*.swap` -> `X.*`, fsync dir.
//   4. In memory, the old segments are replaced by the new one in one synchronous step.
//   5. Once no read holds them, the old segments are closed; their `.deleted` files are unlinked
//      after file.delete.delay.ms.
//
// Recovery: `.cleaned` files are deleted (the originals are intact); a `.swap` log covers
// [its base, its next offset): every other segment file in that range is deleted and the
// `.swap` files are renamed; `.deleted` files are left to the loader, which removes them.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../../logger.js'
import { LAST_OFFSET_DELTA, readInt64 } from '../batch-format.js'
import type { FileSystem } from '../fs/file-system.js'
import { LogSegment } from '../log-segment.js'
import type { PartitionLog } from '../partition-log.js'
import { renameToDeleted, segmentPaths, unlinkLater } from '../retention-file-delete.js'
import { scanBatches } from '../segment-scan.js'
import { CLEANED_SUFFIX, SWAP_SUFFIX, type CleanedSegment } from './cleaned-segment-writer.js'

/** A partition's replacement in progress; DeleteRecords and retention wait for it. */
const swapsInProgress = new WeakMap<PartitionLog, Promise<void>>()

/** A replacement is running on `log`: callers that remove segments wait (see waitForSegmentSwaps). */
export function segmentSwapInProgress(log: PartitionLog): boolean {
  return swapsInProgress.has(log)
}

/**
 * Resolves once no replacement runs on `log`. Callers that remove segments re-check
 * segmentSwapInProgress synchronously right before they do (a new swap may start meanwhile):
 * `while (segmentSwapInProgress(log)) await waitForSegmentSwaps(log)`.
 */
export async function waitForSegmentSwaps(log: PartitionLog): Promise<void> {
  for (let p = swapsInProgress.get(log); p; p = swapsInProgress.get(log)) await p
}

/** Test hook: called after each numbered step of a replacement (crash tests exit the process there). */
export type SwapStepHook = (step: 'swap-files' | 'old-deleted' | 'renamed' | 'replaced') => void | Promise<void>

export class SwapAbortedError extends Error {}

/** Waits (bounded) until no read holds `seg`. */
async function drained(seg: LogSegment): Promise<void> {
  for (let waited = 0; seg.inUse && waited < 30_000; waited += 2) await sleep(2)
}

/**
 * Replaces `old` (consecutive segments of `log`, the first with base `cleaned.baseOffset`) with
 * the cleaned segment. Throws SwapAbortedError (temp files removed) when `old` is no longer in
 * the log as it was (retention or DeleteRecords removed some of it meanwhile).
 */
export async function replaceSegments(
  log: PartitionLog,
  old: readonly LogSegment[],
  cleaned: CleanedSegment,
  opts: { fs: FileSystem; fileDeleteDelayMs: number; logger: Logger; onStep?: SwapStepHook },
): Promise<void> {
  await waitForSegmentSwaps(log)
  let done!: () => void
  const current = new Promise<void>((resolve) => (done = resolve))
  swapsInProgress.set(log, current)
  try {
    await replace(log, old, cleaned, opts)
  } finally {
    if (swapsInProgress.get(log) === current) swapsInProgress.delete(log)
    done()
  }
}

function stillInLog(log: PartitionLog, old: readonly LogSegment[]): number {
  const start = log.segmentList.indexOf(old[0])
  if (start < 0 || start + old.length >= log.segmentList.length) return -1
  for (let i = 0; i < old.length; i++) if (log.segmentList[start + i] !== old[i]) return -1
  return start
}

async function replace(
  log: PartitionLog,
  old: readonly LogSegment[],
  cleaned: CleanedSegment,
  opts: { fs: FileSystem; fileDeleteDelayMs: number; logger: Logger; onStep?: SwapStepHook },
): Promise<void> {
  const { fs } = opts
  const dir = log.deps.dir
  const finals = [cleaned.indexPath, cleaned.timeIndexPath, cleaned.logPath]
  if (stillInLog(log, old) < 0) {
    await Promise.all(finals.map((p) => fs.unlink(p + CLEANED_SUFFIX)))
    throw new SwapAbortedError('the segments being cleaned were removed from the log meanwhile')
  }
  // Reads that hold an old segment keep its open file; index files stay in memory.
  const pinned: LogSegment[] = []
  try {
    for (const seg of old) {
      await seg.ensureIndexes()
      await seg.acquire()
      pinned.push(seg)
    }
    for (const p of finals) await fs.rename(p + CLEANED_SUFFIX, p + SWAP_SUFFIX)
    await fs.syncDir(dir)
    await opts.onStep?.('swap-files')

    const deleted: string[] = []
    for (const seg of old) deleted.push(...(await renameToDeleted(fs, segmentPaths(seg))))
    await fs.syncDir(dir)
    await opts.onStep?.('old-deleted')

    for (const p of finals) await fs.rename(p + SWAP_SUFFIX, p)
    await fs.syncDir(dir)
    await opts.onStep?.('renamed')

    const next = new LogSegment(fs, dir, cleaned.baseOffset, () => log.deps.config().indexIntervalBytes, log.deps.handles, log.deps.now())
    next.size = cleaned.sizeBytes
    next.assignedSize = cleaned.sizeBytes
    next.readableSize = cleaned.sizeBytes
    next.offsetIndex = cleaned.offsetIndex
    next.timeIndex = cleaned.timeIndex
    next.maxTimestamp = cleaned.maxTimestamp
    next.offsetOfMaxTimestamp = cleaned.offsetOfMaxTimestamp
    next.firstBatchTimestamp = cleaned.firstBatchTimestamp
    next.lastModifiedMs = old[old.length - 1].lastModifiedMs
    const start = stillInLog(log, old)
    // Under the swap barrier nothing else removes segments, so `old` is still there.
    if (start < 0) throw new Error('segments changed during a swap')
    next.nextOffset = log.segmentList[start + old.length].baseOffset
    log.segmentList.splice(start, old.length, next)
    await opts.onStep?.('replaced')

    // The old segments are out of the log; release them once no read holds them. A macrotask
    // first: reads that picked an old segment just before the splice get to pin it.
    await new Promise((resolve) => setImmediate(resolve))
    for (const seg of pinned.splice(0)) seg.release()
    for (const seg of old) {
      await drained(seg)
      // A read still holding it (a timestamp lookup's copy of the list) now sees it empty and
      // moves on; PartitionLog.read starts over when its segment was replaced.
      seg.readableSize = 0
      // The old segment with the new one's file name is never delete()d: that unlinks by name.
      if (seg.baseOffset === cleaned.baseOffset) await seg.closeHandle()
      else await seg.delete()
    }
    await unlinkLater(fs, deleted, opts.fileDeleteDelayMs, opts.logger)
  } finally {
    for (const seg of pinned) seg.release()
  }
}

/** Offset after the last batch of the log file at `path` (its base offset when empty). */
async function nextOffsetOf(fs: FileSystem, path: string, baseOffset: number): Promise<number> {
  const handle = await fs.open(path, 'read')
  try {
    const size = await handle.size()
    let next = baseOffset
    await scanBatches(handle, 0, size, { verifyCrc: false, segmentBaseOffset: baseOffset, minBaseOffset: baseOffset }, (buf, off) => {
      next = readInt64(buf, off) + buf.readInt32BE(off + LAST_OFFSET_DELTA) + 1
    })
    return next
  } finally {
    await handle.close()
  }
}

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)(\.(cleaned|swap))?$/

/**
 * Run before a partition directory is loaded: drops interrupted cleans and completes committed
 * replacements (Kafka's LogLoader.removeTempFilesAndCollectSwapFiles and the swap passes).
 */
export async function recoverSegmentSwaps(fs: FileSystem, dir: string, logger: Logger): Promise<void> {
  let names: string[]
  try {
    names = await fs.readdir(dir)
  } catch {
    return
  }
  const files = names.flatMap((name) => {
    const m = SEGMENT_FILE.exec(name)
    return m ? [{ name, base: Number(m[1]), kind: m[2], suffix: m[4] ?? null }] : []
  })
  const cleaned = files.filter((f) => f.suffix === 'cleaned')
  let swaps = files.filter((f) => f.suffix === 'swap')
  if (cleaned.length === 0 && swaps.length === 0) return
  // A .swap at or above the lowest .cleaned belongs to an unfinished multi-segment operation.
  const minCleaned = Math.min(...cleaned.map((f) => f.base))
  for (const f of swaps.filter((s) => s.base >= minCleaned)) await fs.unlink(`${dir}/${f.name}`)
  swaps = swaps.filter((s) => s.base < minCleaned)
  for (const f of cleaned) await fs.unlink(`${dir}/${f.name}`)

  const swapLogs = swaps.filter((f) => f.kind === 'log')
  // Index .swap files without their log: the log was renamed already or never made it.
  const swapLogBases = new Set(swapLogs.map((f) => f.base))
  for (const f of swaps.filter((s) => s.kind !== 'log' && !swapLogBases.has(s.base))) await fs.unlink(`${dir}/${f.name}`)
  if (swapLogs.length === 0) return

  let minSwap = Infinity
  let maxSwap = -Infinity
  for (const f of swapLogs) {
    minSwap = Math.min(minSwap, f.base)
    maxSwap = Math.max(maxSwap, await nextOffsetOf(fs, `${dir}/${f.name}`, f.base))
  }
  for (const f of files) {
    if (f.suffix === null && f.base >= minSwap && f.base < maxSwap) {
      logger.info({ dir, file: f.name }, 'recovery: deleting a segment file replaced by an interrupted cleaning swap')
      await fs.unlink(`${dir}/${f.name}`)
    }
  }
  for (const f of swaps.filter((s) => swapLogBases.has(s.base))) {
    const target = f.name.slice(0, -SWAP_SUFFIX.length)
    logger.info({ dir, file: f.name }, 'recovery: completing an interrupted cleaning swap')
    await fs.rename(`${dir}/${f.name}`, `${dir}/${target}`)
  }
  await fs.syncDir(dir)
}
