// Which part of a compacted log can be cleaned, and how dirty it is (Kafka's LogCleanerManager
// cleanableOffsets / maxCompactionDelay / calculateCleanableBytes and LogToClean), plus the
// grouping of segments into replacement segments (Cleaner.groupSegmentsBySize). Pure functions
// over a view of the segment list; the last segment is the active one.

export interface CleanableSegment {
  baseOffset: number
  sizeBytes: number
  /** Largest timestamp (the file's mtime when no record has one). */
  largestTimestamp: number
  /** Max timestamp of the first batch; <= 0 when unknown. */
  firstBatchTimestamp: number
}

export interface CleanableLogView {
  /** Oldest first; the last one is the active segment. */
  segments: readonly CleanableSegment[]
  logStartOffset: number
  logEndOffset: number
  /** Cleaning never passes it (the high watermark on one node). */
  lastStableOffset: number
}

export interface CompactionConfig {
  minCompactionLagMs: number
  maxCompactionLagMs: number
  minCleanableDirtyRatio: number
}

export interface LogToClean {
  firstDirtyOffset: number
  /** Base offset of the first segment that cannot be cleaned (the map's upper bound). */
  firstUncleanableOffset: number
  cleanBytes: number
  cleanableBytes: number
  totalBytes: number
  cleanableRatio: number
  /** A dirty segment is older than max.compaction.lag.ms: clean regardless of the ratio. */
  needCompactionNow: boolean
  /** The checkpoint was out of range and was reset (the caller rewrites it). */
  forceUpdateCheckpoint: boolean
}

const INT32_MAX = 2147483647

/** Index of the segment holding `offset` (largest base <= offset); -1 when before all. */
function floorIndex(segs: readonly CleanableSegment[], offset: number): number {
  let lo = 0
  let hi = segs.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    if (segs[mid].baseOffset <= offset) {
      found = mid
      lo = mid + 1
    } else {
      hi = mid - 1
    }
  }
  return found
}

/** Kafka's LogSegments.values(from, to): the segments overlapping [from, to). */
export function segmentsInRange<T extends { baseOffset: number }>(segs: readonly T[], from: number, to: number): T[] {
  if (from >= to) return []
  const floor = floorIndex(segs as unknown as CleanableSegment[], from)
  const out: T[] = []
  for (let i = Math.max(floor, 0); i < segs.length && segs[i].baseOffset < to; i++) out.push(segs[i])
  return out
}

/** Kafka's nonActiveLogSegmentsFrom. */
function nonActiveFrom(view: CleanableLogView, from: number): CleanableSegment[] {
  const active = view.segments[view.segments.length - 1]
  if (from > active.baseOffset) return []
  return segmentsInRange(view.segments, from, active.baseOffset)
}

function sumSize(segs: readonly CleanableSegment[]): number {
  let n = 0
  for (const s of segs) n += s.sizeBytes
  return n
}

export function cleanableOffsets(
  view: CleanableLogView,
  cfg: CompactionConfig,
  lastCleanOffset: number | undefined,
  nowMs: number,
): { firstDirtyOffset: number; firstUncleanableDirtyOffset: number; forceUpdateCheckpoint: boolean } {
  let firstDirtyOffset = lastCleanOffset ?? view.logStartOffset
  let forceUpdateCheckpoint = false
  if (firstDirtyOffset < view.logStartOffset || firstDirtyOffset > view.logEndOffset) {
    firstDirtyOffset = view.logStartOffset
    forceUpdateCheckpoint = true
  }
  const active = view.segments[view.segments.length - 1]
  let uncleanable = Math.min(view.lastStableOffset, active.baseOffset)
  const minLag = Math.max(cfg.minCompactionLagMs, 0)
  if (minLag > 0) {
    const young = nonActiveFrom(view, firstDirtyOffset).find((s) => s.largestTimestamp > nowMs - minLag)
    if (young) uncleanable = Math.min(uncleanable, young.baseOffset)
  }
  return { firstDirtyOffset, firstUncleanableDirtyOffset: Math.max(firstDirtyOffset, uncleanable), forceUpdateCheckpoint }
}

/** How far past max.compaction.lag.ms the oldest dirty segment is (0 = not yet). */
export function maxCompactionDelayMs(view: CleanableLogView, cfg: CompactionConfig, firstDirtyOffset: number, nowMs: number): number {
  let earliest = Infinity
  for (const s of nonActiveFrom(view, firstDirtyOffset)) {
    if (s.firstBatchTimestamp > 0 && s.firstBatchTimestamp < earliest) earliest = s.firstBatchTimestamp
  }
  const cleanUntil = nowMs - Math.max(cfg.maxCompactionLagMs, 0)
  return earliest < cleanUntil ? cleanUntil - earliest : 0
}

export function logToClean(view: CleanableLogView, cfg: CompactionConfig, lastCleanOffset: number | undefined, nowMs: number): LogToClean {
  const offsets = cleanableOffsets(view, cfg, lastCleanOffset, nowMs)
  const { firstDirtyOffset } = offsets
  const needCompactionNow = maxCompactionDelayMs(view, cfg, firstDirtyOffset, nowMs) > 0
  const active = view.segments[view.segments.length - 1]
  const firstUncleanableSegment = nonActiveFrom(view, offsets.firstUncleanableDirtyOffset)[0] ?? active
  const firstUncleanableOffset = firstUncleanableSegment.baseOffset
  const cleanBytes = sumSize(segmentsInRange(view.segments, -1, firstDirtyOffset))
  const cleanableBytes = sumSize(segmentsInRange(view.segments, Math.min(firstDirtyOffset, firstUncleanableOffset), firstUncleanableOffset))
  const totalBytes = cleanBytes + cleanableBytes
  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    cleanableBytes,
    totalBytes,
    cleanableRatio: totalBytes === 0 ? 0 : cleanableBytes / totalBytes,
    needCompactionNow,
    forceUpdateCheckpoint: offsets.forceUpdateCheckpoint,
  }
}

/** Kafka's filter of grabFilthiestCompactedLog: worth a cleaning pass now. */
export function needsCleaning(ltc: LogToClean, cfg: CompactionConfig): boolean {
  if (ltc.totalBytes <= 0) return false
  return (ltc.needCompactionNow && ltc.cleanableBytes > 0) || ltc.cleanableRatio > cfg.minCleanableDirtyRatio
}

/**
 * Groups consecutive segments into runs of at most maxSizeBytes whose offsets fit one segment's
 * int32 relative offsets (each run becomes one cleaned segment). Offsets of a segment's last
 * record are bounded by the next segment's base (or firstUncleanableOffset for the last one).
 */
export function groupSegmentsBySize<T extends { baseOffset: number; sizeBytes: number }>(
  segments: readonly T[],
  maxSizeBytes: number,
  firstUncleanableOffset: number,
): T[][] {
  const groups: T[][] = []
  let i = 0
  while (i < segments.length) {
    const group = [segments[i]]
    let size = segments[i].sizeBytes
    i++
    while (i < segments.length) {
      const next = segments[i]
      const lastOffsetOfNext = i + 1 < segments.length ? segments[i + 1].baseOffset - 1 : firstUncleanableOffset - 1
      if (size + next.sizeBytes > maxSizeBytes) break
      if (next.sizeBytes > 0 && lastOffsetOfNext - group[0].baseOffset > INT32_MAX) break
      group.push(next)
      size += next.sizeBytes
      i++
    }
    groups.push(group)
  }
  return groups
}
