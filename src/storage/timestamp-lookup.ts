// ListOffsets by timestamp (Kafka's fetchOffsetByTimestamp): the first segment whose largest
// timestamp reaches the target, the time index to narrow the start, then a batch scan.
import { MAX_TIMESTAMP, readInt64 } from './batch-format.js'
import type { LogSegment } from './log-segment.js'
import { findRecordByTimestamp, type TimestampAndOffset } from './record-scan.js'
import { scanBatches } from './segment-scan.js'

async function scanSegment(
  seg: LogSegment,
  fromOffset: number,
  highWatermark: number,
  match: (buf: Buffer, off: number, size: number) => TimestampAndOffset | null,
): Promise<TimestampAndOffset | null> {
  const { offsetIndex } = await seg.ensureIndexes()
  const position = offsetIndex.lookup(fromOffset)
  let found: TimestampAndOffset | null = null
  const handle = await seg.acquire()
  try {
    await scanBatches(
      handle,
      position,
      seg.readableSize,
      { verifyCrc: false, wholeBatches: true, segmentBaseOffset: seg.baseOffset, minBaseOffset: seg.baseOffset },
      (buf, off, _position, size) => {
        if (readInt64(buf, off) >= highWatermark) return false
        found = match(buf, off, size)
        return found === null
      },
    )
  } finally {
    seg.release()
  }
  return found
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
    const found = await scanSegment(seg, fromOffset, highWatermark, (buf, off, size) =>
      readInt64(buf, off + MAX_TIMESTAMP) >= timestampMs ? findRecordByTimestamp(buf, off, size, timestampMs, logStartOffset, 'atOrAfter') : null,
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
  return scanSegment(best, best.offsetOfMaxTimestamp, highWatermark, (buf, off, size) =>
    readInt64(buf, off + MAX_TIMESTAMP) === target ? findRecordByTimestamp(buf, off, size, target, -1, 'equal') : null,
  )
}
