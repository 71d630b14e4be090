// The synchronous steps of an append after validation: the idempotence check against producer
// state, LogAppendTime stamping, and offset assignment (patching header bytes in place).
import { applyLogAppendTime as stampLogAppendTime } from '../records/index.js'
import {
  CONTROL_MASK,
  incrementSequence,
  PARTITION_LEADER_EPOCH,
  writeInt64,
} from './batch-format.js'
import type { BatchInfo } from './batch-validator.js'
import { checkProducerBatch, type ProducerCheck, ProducerStateEntry, type ProducerStateManager } from './producer-state.js'

const OK: ProducerCheck = { kind: 'ok' }

function lastSequenceOf(b: BatchInfo): number {
  return b.baseSequence < 0 ? -1 : incrementSequence(b.baseSequence, b.lastOffsetDelta)
}

/**
 * Checks every idempotent batch before any state changes (a multi-batch append sees its own
 * earlier batches through a staged copy). Broker-internal appends only check epochs.
 */
export function checkProducers(producers: ProducerStateManager, batches: readonly BatchInfo[], internal: boolean): ProducerCheck {
  let staged: Map<number, ProducerStateEntry> | null = null
  for (const b of batches) {
    if (b.producerId < 0) continue
    const lastSequence = lastSequenceOf(b)
    const current = staged?.get(b.producerId) ?? producers.get(b.producerId)
    const check = checkProducerBatch(current, { ...b, lastSequence }, { checkSequence: !internal })
    if (check.kind !== 'ok') return check
    if (batches.length > 1) {
      staged ??= new Map()
      const e = current ? current.clone() : new ProducerStateEntry(b.producerId)
      e.addBatch(b.producerEpoch, lastSequence, 0, b.lastOffsetDelta, b.maxTimestamp)
      staged.set(b.producerId, e)
    }
  }
  return OK
}

/** LogAppendTime topics: timestamp-type bit, MaxTimestamp = now, new CRC (no record is touched). */
export function applyLogAppendTime(records: Buffer, batches: BatchInfo[], nowMs: number): void {
  for (const b of batches) {
    stampLogAppendTime(records, b.position, nowMs)
    b.maxTimestamp = nowMs
  }
}

/**
 * Sets BaseOffset and PartitionLeaderEpoch of each batch (outside the CRC) and records the
 * idempotent batches in producer state. Returns the offset after the last batch.
 */
export function assignOffsets(
  records: Buffer,
  batches: readonly BatchInfo[],
  baseOffset: number,
  leaderEpoch: number,
  producers: ProducerStateManager,
): number {
  let offset = baseOffset
  for (const b of batches) {
    const p = b.position
    writeInt64(records, p, offset)
    records.writeInt32BE(leaderEpoch, p + PARTITION_LEADER_EPOCH)
    const batchLast = offset + b.lastOffsetDelta
    if (b.producerId >= 0 && (b.attributes & CONTROL_MASK) === 0) {
      let entry = producers.get(b.producerId)
      if (!entry) {
        entry = new ProducerStateEntry(b.producerId)
        producers.set(entry)
      }
      entry.addBatch(b.producerEpoch, lastSequenceOf(b), batchLast, b.lastOffsetDelta, b.maxTimestamp)
    }
    offset = batchLast + 1
  }
  return offset
}
