// Retention decisions (Kafka's UnifiedLog.deleteOldSegments), as a pure function of the segment
// list so they can be tested without files. Three passes, in Kafka's order, each from the oldest
// segment and stopping at the first one that does not qualify:
//   1. log start offset (any cleanup policy): the next segment starts at or below logStartOffset
//      (DeleteRecords moved it);
//   2. size (delete policy, retention.bytes >= 0): drop oldest while the rest still holds
//      retention.bytes;
//   3. time (delete policy, retention.ms >= 0): now - largest timestamp > retention.ms (the file's
//      modification time when no record has a timestamp).
// A segment is only deletable when everything in it is below the high watermark, and an empty
// last segment never is. When every segment qualifies (the active one included), Kafka rolls
// first so that a fresh empty segment remains: `rollActive` asks for that; the active segment
// itself is never deleted while it is active.

export interface RetentionSegment {
  baseOffset: number
  /** Offset after the segment's last batch (the next segment's base for inactive segments). */
  endOffset: number
  sizeBytes: number
  /** Largest record timestamp; -1 when unknown (then lastModifiedMs counts, as in Kafka). */
  maxTimestamp: number
  lastModifiedMs: number
  active: boolean
}

export interface RetentionPolicy {
  /** cleanup.policy contains delete */
  delete: boolean
  /** -1 = no time limit */
  retentionMs: number
  /** -1 = no size limit */
  retentionBytes: number
}

export interface RetentionState {
  nowMs: number
  highWatermark: number
  logStartOffset: number
}

export type RetentionReason = 'log-start-offset' | 'size' | 'time'

export interface RetentionDecision {
  /** Oldest segments to delete (after the roll when rollActive). */
  deleteCount: number
  /** Segments per reason, in pass order. */
  counts: Record<RetentionReason, number>
  /** Every segment, the active one too, is deletable: roll, then delete them all. */
  rollActive: boolean
}

type Predicate = (seg: RetentionSegment, next: RetentionSegment | undefined) => boolean

/** Kafka's LogSegment.largestTimestamp. */
export function largestTimestamp(seg: RetentionSegment): number {
  return seg.maxTimestamp >= 0 ? seg.maxTimestamp : seg.lastModifiedMs
}

/** How many of the oldest remaining segments `predicate` lets go (Kafka's deletableSegments). */
function deletable(segments: readonly RetentionSegment[], from: number, highWatermark: number, predicate: Predicate): number {
  let i = from
  while (i < segments.length) {
    const seg = segments[i]
    const next = i + 1 < segments.length ? segments[i + 1] : undefined
    const isLastAndEmpty = next === undefined && seg.sizeBytes === 0
    const upperBoundOffset = next ? next.baseOffset : seg.endOffset
    if (isLastAndEmpty || highWatermark < upperBoundOffset || !predicate(seg, next)) break
    i++
  }
  return i - from
}

export function retentionDecision(segments: readonly RetentionSegment[], policy: RetentionPolicy, state: RetentionState): RetentionDecision {
  const counts: Record<RetentionReason, number> = { 'log-start-offset': 0, size: 0, time: 0 }
  let removed = 0
  let logStartOffset = state.logStartOffset
  const take = (reason: RetentionReason, predicate: Predicate): void => {
    const n = deletable(segments, removed, state.highWatermark, predicate)
    if (n === 0) return
    counts[reason] = n
    removed += n
    // The log start offset moves to the first segment left (or past the last one deleted).
    const last = segments[removed - 1]
    const nextBase = removed < segments.length ? segments[removed].baseOffset : last.endOffset
    if (nextBase > logStartOffset) logStartOffset = nextBase
  }

  take('log-start-offset', (_seg, next) => next !== undefined && next.baseOffset <= logStartOffset)

  if (policy.delete && policy.retentionBytes >= 0) {
    let size = 0
    for (let i = removed; i < segments.length; i++) size += segments[i].sizeBytes
    if (size >= policy.retentionBytes) {
      let diff = size - policy.retentionBytes
      take('size', (seg) => {
        if (diff - seg.sizeBytes < 0) return false
        diff -= seg.sizeBytes
        return true
      })
    }
  }

  if (policy.delete && policy.retentionMs >= 0) {
    take('time', (seg) => state.nowMs - largestTimestamp(seg) > policy.retentionMs)
  }

  const rollActive = removed > 0 && removed === segments.length
  return { deleteCount: removed, counts, rollActive }
}
