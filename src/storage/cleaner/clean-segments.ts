// One cleaning pass over segments (Kafka's Cleaner.buildOffsetMap / cleanSegments / cleanInto and
// MemoryRecords.filterTo): the key -> latest offset map over the dirty section (keys only, values
// never decoded), then each group of segments rewritten into one `.cleaned` segment with the same
// base offset. Offsets never change: kept batches keep their base offset and last offset delta
// (the producer's last sequence survives), their producer id/epoch/base sequence, leader epoch,
// timestamp type and codec. A batch whose records all survive (and that needs no delete horizon)
// is copied byte for byte.
import { Attributes } from '../../protocol/record-batch.js'
import { buildBatch, checkedBatchHeader, iterateRecordsSection, recordsSection, TimestampType, type RecordToWrite } from '../../records/index.js'
import type { FileSystem } from '../fs/file-system.js'
import type { LogSegment } from '../log-segment.js'
import { CleanedSegmentWriter, type CleanedSegment } from './cleaned-segment-writer.js'
import type { OffsetMap } from './offset-map.js'
import type { CleanerPacer } from './pacer.js'
import { forEachSegmentBatch } from './segment-batches.js'

export interface CleanerStats {
  bytesRead: number
  bytesWritten: number
  recordsRead: number
  recordsWritten: number
  mapBytesRead: number
  mapRecordsRead: number
  /** Records dropped because they had no key. */
  invalidRecords: number
}

export function emptyStats(): CleanerStats {
  return { bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsWritten: 0, mapBytesRead: 0, mapRecordsRead: 0, invalidRecords: 0 }
}

export interface MapSegment {
  segment: LogSegment
  /** The next segment's base offset (the first uncleanable offset for the last one). */
  nextSegmentStartOffset: number
}

/**
 * Adds the keys of the dirty segments (from startOffset) to `map`, in offset order. Stops when the
 * map is full; map.latestOffset then says how far it covers.
 */
export async function buildOffsetMap(
  dirty: readonly MapSegment[],
  startOffset: number,
  map: OffsetMap,
  opts: { chunkBytes: number; pacer: CleanerPacer; stats: CleanerStats },
): Promise<void> {
  map.clear()
  for (const { segment, nextSegmentStartOffset } of dirty) {
    const { offsetIndex } = await segment.ensureIndexes()
    let full = false
    await forEachSegmentBatch(segment, offsetIndex.lookup(startOffset), opts, async ({ batch }) => {
      const header = checkedBatchHeader(batch)
      const lastOffset = header.baseOffset + header.lastOffsetDelta
      opts.stats.mapBytesRead += batch.length
      if ((header.attributes & Attributes.CONTROL) === 0 && lastOffset >= startOffset) {
        for (const record of iterateRecordsSection(header, await recordsSection(batch))) {
          opts.stats.mapRecordsRead++
          if (record.key === null || record.offset < startOffset) continue
          if (!map.put(record.key, record.offset)) {
            full = true
            return false
          }
        }
      }
      if (lastOffset >= startOffset) map.updateLatestOffset(lastOffset)
      return true
    })
    if (full) return
    // Offsets may have gaps at the segment's end: the map covers up to the next segment.
    map.updateLatestOffset(nextSegmentStartOffset - 1)
  }
}

export interface CleanGroupOptions {
  fs: FileSystem
  dir: string
  map: OffsetMap
  nowMs: number
  deleteRetentionMs: number
  indexIntervalBytes: number
  /** Offset after the last batch the pass may clean: that batch is kept even if empty. */
  upperBoundOffset: number
  /** producerId -> offset of its last data batch (producers still in producer state). */
  lastOffsetOfActiveProducers: ReadonlyMap<number, number>
  chunkBytes: number
  pacer: CleanerPacer
  stats: CleanerStats
}

const RETAIN_EMPTY = 'retain-empty'
const DELETE_EMPTY = 'delete-empty'

/** Cleans `segments` into `<dir>/<base>.log.cleaned` (+ indexes). On failure the temp files are removed. */
export async function cleanGroup(segments: readonly LogSegment[], opts: CleanGroupOptions): Promise<CleanedSegment> {
  const writer = new CleanedSegmentWriter(opts.fs, opts.dir, segments[0].baseOffset, opts.indexIntervalBytes, opts.pacer)
  try {
    await writer.open()
    for (const seg of segments) {
      await forEachSegmentBatch(seg, 0, opts, async ({ batch }) => {
        opts.stats.bytesRead += batch.length
        const kept = await filterBatch(batch, opts)
        if (kept) {
          await writer.append(kept.batch, kept.lastOffset, kept.maxTimestamp)
          opts.stats.bytesWritten += kept.batch.length
        }
      })
    }
    return await writer.finish()
  } catch (err) {
    await writer.discard()
    throw err
  }
}

interface KeptBatch {
  batch: Buffer
  lastOffset: number
  maxTimestamp: number
}

async function filterBatch(batch: Buffer, opts: CleanGroupOptions): Promise<KeptBatch | null> {
  const h = checkedBatchHeader(batch)
  const lastOffset = h.baseOffset + h.lastOffsetDelta
  // No transactions in Brook yet: control batches (markers) are kept as they are.
  if ((h.attributes & Attributes.CONTROL) !== 0) return { batch, lastOffset, maxTimestamp: h.maxTimestamp }

  const retention =
    (h.producerId >= 0 && opts.lastOffsetOfActiveProducers.get(h.producerId) === lastOffset) || lastOffset + 1 === opts.upperBoundOffset
      ? RETAIN_EMPTY
      : DELETE_EMPTY
  const hasHorizon = (h.attributes & Attributes.DELETE_HORIZON) !== 0
  // With the delete-horizon attribute, baseTimestamp carries the horizon (KIP-534).
  const retainDeletes = !hasHorizon || opts.nowMs < h.baseTimestamp
  const { map } = opts

  const records = [...iterateRecordsSection(h, await recordsSection(batch))]
  opts.stats.recordsRead += records.length
  const kept = records.filter((r) => {
    if (r.offset > map.latestOffset) return true
    if (r.key === null) {
      opts.stats.invalidRecords++
      return false
    }
    return r.offset >= map.get(r.key) && (retainDeletes || !r.isTombstone)
  })
  opts.stats.recordsWritten += kept.length

  const logAppendTime = (h.attributes & Attributes.TIMESTAMP_TYPE) !== 0
  const common = {
    baseOffset: h.baseOffset,
    lastOffsetDelta: h.lastOffsetDelta,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    isTransactional: (h.attributes & Attributes.TRANSACTIONAL) !== 0,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    timestampType: logAppendTime ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
    logAppendTimeMs: logAppendTime ? h.maxTimestamp : undefined,
  }

  if (kept.length === 0) {
    if (retention !== RETAIN_EMPTY) return null
    // An empty batch keeps the producer's last sequence (and the last offset of the pass).
    const empty = await buildBatch([], { ...common, maxTimestampMs: h.maxTimestamp })
    return { batch: empty, lastOffset, maxTimestamp: h.maxTimestamp }
  }

  const containsTombstones = kept.some((r) => r.isTombstone)
  const needHorizon = containsTombstones && !hasHorizon
  if (kept.length === records.length && !needHorizon) return { batch, lastOffset, maxTimestamp: h.maxTimestamp }

  const deleteHorizonMs = needHorizon ? opts.nowMs + opts.deleteRetentionMs : hasHorizon ? h.baseTimestamp : undefined
  const toWrite: RecordToWrite[] = kept.map((r) => ({
    offsetDelta: r.offsetDelta,
    timestampMs: r.timestampMs,
    key: r.key,
    value: r.value,
    headers: r.headers,
  }))
  const rebuilt = await buildBatch(toWrite, { ...common, compression: h.compression, deleteHorizonMs })
  return { batch: rebuilt, lastOffset, maxTimestamp: checkedBatchHeader(rebuilt).maxTimestamp }
}
