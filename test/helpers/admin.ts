// Topics and records set up straight through storage (so the tests do not depend on the
// CreateTopics or Produce handlers), and which APIs the registry serves.
import { handlers } from '../../src/handlers/index.js'
import { buildBatchSync } from '../../src/records/index.js'
import type { Topic } from '../../src/storage/log-manager.js'
import type { TestBroker } from './broker.js'

/** True when Brook's handler registry serves this API key (e.g. 0 = Produce, 2 = ListOffsets). */
export function servesApi(apiKey: number): boolean {
  return handlers.some((h) => h.apiKey === apiKey)
}

export function createTopic(tb: TestBroker, name: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<Topic> {
  return tb.broker.services.logs.createTopic({ name, numPartitions, replicationFactor: 1, configs }, { validateOnly: false })
}

export interface AppendOptions {
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
}

/** Appends `count` records (keys k0.., values v0..) as one batch; returns the batch's base offset. */
export async function appendRecords(tb: TestBroker, topic: string, partition: number, count: number, opts: AppendOptions = {}): Promise<number> {
  const log = tb.broker.services.logs.getPartition(topic, partition)
  if (!log) throw new Error(`no partition ${topic}-${partition}`)
  const now = Date.now()
  const records = Array.from({ length: count }, (_, i) => ({
    offsetDelta: i,
    timestampMs: now,
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`v${i}`),
  }))
  const batch = buildBatchSync(records, {
    baseOffset: 0,
    producerId: opts.producerId ?? -1,
    producerEpoch: opts.producerEpoch ?? -1,
    baseSequence: opts.baseSequence ?? -1,
  })
  const result = await log.append(batch, { requiredAcks: -1 })
  if (result.errorCode !== 0) throw new Error(`append failed with error ${result.errorCode}: ${result.errorMessage}`)
  return result.baseOffset
}
