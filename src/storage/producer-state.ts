// Idempotent-producer state of one partition (Kafka's ProducerStateManager / ProducerAppendInfo /
// ProducerStateEntry): per producerId the current epoch and the metadata of its last 5 batches.
import { ErrorCode } from '../protocol/errors.js'
import { decrementSequence, INT32_MAX } from './batch-format.js'

export const NUM_BATCHES_TO_RETAIN = 5
const NO_PRODUCER_EPOCH = -1

export interface BatchMetadata {
  firstSeq: number
  lastSeq: number
  lastOffset: number
  offsetDelta: number
  timestamp: number
}

export class ProducerStateEntry {
  batches: BatchMetadata[] = []
  lastTimestamp = -1

  constructor(
    readonly producerId: number,
    public producerEpoch: number = NO_PRODUCER_EPOCH,
  ) {}

  get lastSeq(): number {
    return this.batches.length === 0 ? -1 : this.batches[this.batches.length - 1].lastSeq
  }

  get lastOffset(): number {
    return this.batches.length === 0 ? -1 : this.batches[this.batches.length - 1].lastOffset
  }

  addBatch(epoch: number, lastSeq: number, lastOffset: number, offsetDelta: number, timestamp: number): void {
    if (epoch !== this.producerEpoch) {
      this.batches = []
      this.producerEpoch = epoch
    }
    if (this.batches.length === NUM_BATCHES_TO_RETAIN) this.batches.shift()
    this.batches.push({ firstSeq: decrementSequence(lastSeq, offsetDelta), lastSeq, lastOffset, offsetDelta, timestamp })
    this.lastTimestamp = timestamp
  }

  findDuplicate(epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (epoch !== this.producerEpoch) return undefined
    for (const b of this.batches) if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return b
    return undefined
  }

  clone(): ProducerStateEntry {
    const e = new ProducerStateEntry(this.producerId, this.producerEpoch)
    e.batches = this.batches.slice()
    e.lastTimestamp = this.lastTimestamp
    return e
  }
}

export type ProducerCheck =
  | { kind: 'ok' }
  | { kind: 'duplicate'; batch: BatchMetadata }
  | { kind: 'error'; errorCode: number; message: string }

const OK: ProducerCheck = { kind: 'ok' }

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX)
}

/**
 * Checks one batch against the producer's current entry (undefined = unknown producer), as
 * Kafka does for a client append: duplicate of one of the last 5 batches; epoch fencing;
 * sequence continuity. An unknown producer (or one whose state was removed with old segments)
 * may start at any sequence (KIP-360), as in Kafka 2.5+.
 */
export function checkProducerBatch(
  entry: ProducerStateEntry | undefined,
  b: { producerId: number; producerEpoch: number; baseSequence: number; lastSequence: number },
  opts: { checkSequence: boolean },
): ProducerCheck {
  if (!entry) return OK
  if (opts.checkSequence) {
    const dup = entry.findDuplicate(b.producerEpoch, b.baseSequence, b.lastSequence)
    if (dup) return { kind: 'duplicate', batch: dup }
  }
  if (b.producerEpoch < entry.producerEpoch) {
    return {
      kind: 'error',
      errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
      message: `Epoch of producer ${b.producerId} is ${b.producerEpoch}, which is smaller than the last seen epoch ${entry.producerEpoch}`,
    }
  }
  if (!opts.checkSequence) return OK
  if (b.producerEpoch !== entry.producerEpoch) {
    if (b.baseSequence !== 0 && entry.producerEpoch !== NO_PRODUCER_EPOCH) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Invalid sequence number for new epoch of producer ${b.producerId}: ${b.producerEpoch} (request epoch), ${b.baseSequence} (seq. number), ${entry.producerEpoch} (current producer epoch)`,
      }
    }
    return OK
  }
  const lastSeq = entry.lastSeq
  if (entry.producerEpoch !== NO_PRODUCER_EPOCH && !inSequence(lastSeq, b.baseSequence)) {
    return {
      kind: 'error',
      errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      message: `Out of order sequence number for producer ${b.producerId}: ${b.baseSequence} (incoming seq. number), ${lastSeq} (current end sequence number)`,
    }
  }
  return OK
}

/** Serialized form kept in `<offset>.brook-producers` files (protocol-specs/persisted/README.md). */
export interface ProducerSnapshotFile {
  version: 1
  offset: number
  producers: { producerId: number; producerEpoch: number; lastTimestamp: number; batches: [number, number, number, number][] }[]
}

/** What DescribeProducers reports of one remembered producer (a copy, detached from the state). */
export interface ActiveProducer {
  producerId: number
  producerEpoch: number
  /** -1 before the first batch of the current epoch */
  lastSequence: number
  lastTimestamp: number
  /** offset of its last batch; -1 when none is retained */
  lastOffset: number
}

export class ProducerStateManager {
  readonly entries = new Map<number, ProducerStateEntry>()

  /** The producers this partition remembers, as plain values. */
  activeProducers(): ActiveProducer[] {
    return [...this.entries.values()].map((e) => ({
      producerId: e.producerId,
      producerEpoch: e.producerEpoch,
      lastSequence: e.lastSeq,
      lastTimestamp: e.lastTimestamp,
      lastOffset: e.lastOffset,
    }))
  }

  get(producerId: number): ProducerStateEntry | undefined {
    return this.entries.get(producerId)
  }

  set(entry: ProducerStateEntry): void {
    this.entries.set(entry.producerId, entry)
  }

  /** Applies a batch read from the log (recovery): no validation, as Kafka's replication origin. */
  replay(producerId: number, epoch: number, baseSequence: number, lastOffsetDelta: number, lastOffset: number, maxTimestamp: number, isControl: boolean): void {
    let entry = this.entries.get(producerId)
    if (!entry) {
      entry = new ProducerStateEntry(producerId)
      this.entries.set(producerId, entry)
    }
    if (isControl) {
      if (epoch !== entry.producerEpoch) {
        entry.batches = []
        entry.producerEpoch = epoch
      }
      entry.lastTimestamp = maxTimestamp
      return
    }
    const lastSeq = baseSequence < 0 ? -1 : baseSequence + lastOffsetDelta > INT32_MAX ? lastOffsetDelta - (INT32_MAX - baseSequence) - 1 : baseSequence + lastOffsetDelta
    entry.addBatch(epoch, lastSeq, lastOffset, lastOffsetDelta, maxTimestamp)
  }

  /** Forget producers whose last batch lies below the new log start offset (Kafka's truncateHead). */
  evictBelow(logStartOffset: number): void {
    for (const [id, e] of this.entries) if (e.lastOffset >= 0 && e.lastOffset < logStartOffset) this.entries.delete(id)
  }

  toSnapshot(offset: number): ProducerSnapshotFile {
    const producers: ProducerSnapshotFile['producers'] = []
    for (const e of this.entries.values()) {
      producers.push({
        producerId: e.producerId,
        producerEpoch: e.producerEpoch,
        lastTimestamp: e.lastTimestamp,
        batches: e.batches.map((b) => [b.lastSeq, b.lastOffset, b.offsetDelta, b.timestamp]),
      })
    }
    return { version: 1, offset, producers }
  }

  static fromSnapshot(snap: ProducerSnapshotFile): ProducerStateManager {
    if (snap.version !== 1 || !Array.isArray(snap.producers)) throw new Error(`unsupported producer snapshot version ${snap.version}`)
    const m = new ProducerStateManager()
    for (const p of snap.producers) {
      const e = new ProducerStateEntry(p.producerId, p.producerEpoch)
      for (const [lastSeq, lastOffset, offsetDelta, timestamp] of p.batches) {
        e.batches.push({ firstSeq: decrementSequence(lastSeq, offsetDelta), lastSeq, lastOffset, offsetDelta, timestamp })
      }
      e.lastTimestamp = p.lastTimestamp
      m.entries.set(p.producerId, e)
    }
    return m
  }
}
