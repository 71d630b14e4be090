// The group log on the broker's storage: one partition of the internal compacted topic
// __consumer_offsets. Each append is one uncompressed record batch (so one coordinator
// operation is all-or-nothing on disk); replay reads the partition from its start.
//
// Storage is reached through the structural interfaces below, which LogManager and
// PartitionLog satisfy, so this module does not depend on storage internals.
import { Attributes, buildRecordBatch, iterateBatches, iterateRecords } from '../protocol/record-batch.js'
import { GroupErrorCode } from './error-codes.js'
import { GroupLogAppendError, type GroupLog } from './group-log.js'
import type { GroupLogRecord } from './records.js'

export const GROUP_LOG_TOPIC = '__consumer_offsets'
const REPLAY_READ_BYTES = 1 << 20

export interface GroupLogPartition {
  readonly logStartOffset: number
  readonly highWatermark: number
  append(records: Buffer, opts: { requiredAcks: number }): Promise<{ errorCode: number; errorMessage: string | null }>
  read(fetchOffset: number, opts: { maxBytes: number; minOneMessage: boolean }): Promise<{ errorCode: number; records: Buffer | null; highWatermark: number }>
}

export interface GroupLogTopics {
  getTopic(name: string): { partitions: readonly GroupLogPartition[] } | undefined
  createTopic(
    req: { name: string; numPartitions: number; replicationFactor: number; configs: Record<string, string> },
    opts: { validateOnly: boolean },
  ): Promise<{ partitions: readonly GroupLogPartition[] }>
}

export class LogBackedGroupLog implements GroupLog {
  // Appends are issued at once (storage queues them per partition) but settle in order.
  private tail: Promise<unknown> = Promise.resolve()

  private constructor(private readonly partition: GroupLogPartition, private readonly now: () => number) {}

  // Opens (creating on first start) the internal topic.
  static async open(logs: GroupLogTopics, opts: { now?: () => number } = {}): Promise<LogBackedGroupLog> {
    let topic = logs.getTopic(GROUP_LOG_TOPIC)
    if (!topic) {
      topic = await logs.createTopic(
        { name: GROUP_LOG_TOPIC, numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } },
        { validateOnly: false },
      )
    }
    const partition = topic.partitions[0]
    if (!partition) throw new Error(`${GROUP_LOG_TOPIC} has no partition 0`)
    return new LogBackedGroupLog(partition, opts.now ?? Date.now)
  }

  append(records: GroupLogRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve()
    const timestampMs = this.now()
    const batch = buildRecordBatch(records.map((r) => ({ key: r.key, value: r.value, timestampMs })))
    const write = this.partition.append(batch, { requiredAcks: -1 }).then((result) => {
      if (result.errorCode !== GroupErrorCode.NONE) throw new GroupLogAppendError(result.errorCode, result.errorMessage ?? undefined)
    }, (err) => {
      throw new GroupLogAppendError(GroupErrorCode.KAFKA_STORAGE_ERROR, String(err))
    })
    const previous = this.tail
    const ordered = previous.then(() => write)
    this.tail = ordered.catch(() => undefined)
    return ordered
  }

  async replay(visit: (record: GroupLogRecord) => void): Promise<void> {
    let offset = this.partition.logStartOffset
    for (;;) {
      const end = this.partition.highWatermark
      if (offset >= end) return
      const read = await this.partition.read(offset, { maxBytes: REPLAY_READ_BYTES, minOneMessage: true })
      if (read.errorCode !== GroupErrorCode.NONE) throw new GroupLogAppendError(read.errorCode, `reading ${GROUP_LOG_TOPIC} at ${offset}`)
      if (!read.records || read.records.length === 0) return
      let next = offset
      for (const { position, size, header } of iterateBatches(read.records)) {
        next = header.baseOffset + header.lastOffsetDelta + 1
        if ((header.attributes & Attributes.CONTROL) !== 0) continue
        for (const r of iterateRecords(read.records.subarray(position, position + size))) {
          if (r.offset < offset || r.key === null) continue
          visit({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) })
        }
      }
      // Compaction may leave gaps; never loop on the same offset.
      offset = next > offset ? next : offset + 1
    }
  }

  async close(): Promise<void> {
    await this.tail
  }
}
