// ListOffsets by timestamp (Kafka's fetchOffsetByTimestamp): the first segment whose largest
// timestamp reaches the target, the time index to narrow the start, then a batch scan; the
// exact record inside the batch (compressed batches are decompressed: a cold path).
import { readBatchRecords } from '../records/index.js'
import { ATTRIBUTES, COMPRESSION_MASK, MAX_TIMESTAMP, readInt64, TIMESTAMP_TYPE_MASK } from './batch-format.js'
import type { LogSegment } from './log-segment.js'
import { findRecordByTimestamp, type TimestampAndOffset } from './record-scan.js'
import { scanBatches } from './segment-scan.js'

/** The exact record in a candidate batch; compressed CreateTime batches are decompressed. */
async function exactRecord(batch: Buffer, target: number, minOffset: number, mode: 'atOrAfter' | 'equal'): Promise<TimestampAndOffset | null> {
  const attributes = batch.readInt16BE(ATTRIBUTES)
  if ((attributes & COMPRESSION_MASK) === 0 || (attributes & TIMESTAMP_TYPE_MASK) !== 0) {
    return findRecordByTimestamp(batch, 0, batch.length, target, minOffset, mode)
  }
  try {
    for (const r of await readBatchRecords(batch)) {
      const ok = mode === 'equal' ? r.timestampMs === target : r.timestampMs >= target
      if (ok && r.offset >= minOffset) return { timestamp: r.timestampMs, offset: r.offset }
    }
    return null
  } catch {
    // Undecodable records: answer at batch granularity.
    return findRecordByTimestamp(batch, 0, batch.length, target, minOffset, mode)
  }
}

/** Scans the segment from fromOffset's index position for the first batch `isCandidate` accepts whose exact record qualifies. */
async function scanSegment(
  seg: LogSegment,
  fromOffset: number,
  highWatermark: number,
  isCandidate: (buf: Buffer, off: number) => boolean,
  resolve: (batch: Buffer) => Promise<TimestampAndOffset | null>,
): Promise<TimestampAndOffset | null> {
  const { offsetIndex } = await seg.ensureIndexes()
  let position = offsetIndex.lookup(fromOffset)
  for (;;) {
    let candidate: Buffer | null = null
    let next = -1
    const handle = await seg.acquire()
    try {
      await scanBatches(
        handle,
        position,
        seg.readableSize,
        { verifyCrc: false, wholeBatches: true, segmentBaseOffset: seg.baseOffset, minBaseOffset: seg.baseOffset },
        (buf, off, pos, size) => {
          if (readInt64(buf, off) >= highWatermark) return false
          if (!isCandidate(buf, off)) return true
          candidate = buf.subarray(off, off + size)
          next = pos + size
          return false
        },
      )
    } finally {
      seg.release()
    }
    if (candidate === null) return null
    const found = await resolve(candidate)
    if (found) return found
    position = next
  }
}

/** First record with timestamp >= timestampMs at or after logStartOffset, below the high watermark. */
export async function findOffsetForTimestamp(
  segments: readonly LogSegment[],
  timestampMs: number,
  logStartOffset: number,
  highWatermark: number,
): Promise<TimestampAndOffset | null> {
  for (const seg of segments) {
    if (seg.baseOffset >= highWatermark) break
    if (seg.maxTimestamp < timestampMs || seg.readableSize === 0) continue
    const { timeIndex } = await seg.ensureIndexes()
    const fromOffset = Math.max(timeIndex.lookup(timestampMs), logStartOffset)
    const found = await scanSegment(
      seg,
      fromOffset,
      highWatermark,
      (buf, off) => readInt64(buf, off + MAX_TIMESTAMP) >= timestampMs,
      (batch) => exactRecord(batch, timestampMs, logStartOffset, 'atOrAfter'),
    )
    if (found) return found
  }
  return null
}

/** The record with the largest timestamp (the first one when tied), as ListOffsets -3 (KIP-734). */
export async function findMaxTimestamp(
  segments: readonly LogSegment[],
  _logStartOffset: number,
  highWatermark: number,
): Promise<TimestampAndOffset | null> {
  let best: LogSegment | null = null
  for (const seg of segments) {
    if (seg.baseOffset >= highWatermark) break
    if (seg.readableSize > 0 && (best === null || seg.maxTimestamp > best.maxTimestamp)) best = seg
  }
  if (best === null || best.maxTimestamp < 0) return null
  const target = best.maxTimestamp
  return scanSegment(
    best,
    best.offsetOfMaxTimestamp,
    highWatermark,
    (buf, off) => readInt64(buf, off + MAX_TIMESTAMP) === target,
    (batch) => exactRecord(batch, target, -1, 'equal'),
  )
}
