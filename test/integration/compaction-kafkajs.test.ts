// A compacted topic end to end with kafkajs: an idempotent producer writes many versions of a few
// keys (some batches gzip-compressed) and tombstones into small segments; the background cleaner
// (fast backoff, low dirty ratio) compacts it; a consumer reading from the beginning sees the
// latest value of every key at its original offset, tombstoned keys disappear after
// delete.retention.ms, and records without a key are refused with INVALID_RECORD.
import { CompressionTypes, Kafka, logLevel, type Admin, type EachMessagePayload, type Producer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PartitionLog } from '../../src/storage/partition-log.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { consumeWithKafkajs } from '../helpers/consume.js'
import { untilWithin } from '../helpers/until.js'

const TOPIC = 'compacted-kjs'
const KEYS = 12
const ROUNDS = 40

let tb: TestBroker
let kafka: Kafka
let admin: Admin
let producer: Producer

const until = untilWithin({ timeoutMs: 20_000, intervalMs: 25 })

function partitionLog(): PartitionLog {
  return tb.broker.services.logs.getTopic(TOPIC)!.partitions[0]
}

/** Every message of the partition from the beginning up to the high watermark, via a consumer. */
async function consumeAll(highWatermark: number, group: string): Promise<{ offset: number; key: string; value: string | null }[]> {
  const out: { offset: number; key: string; value: string | null }[] = []
  const eachMessage = async ({ message }: EachMessagePayload) => {
    out.push({ offset: Number(message.offset), key: message.key!.toString(), value: message.value?.toString() ?? null })
  }
  await consumeWithKafkajs(kafka.consumer({ groupId: group, maxWaitTimeInMs: 50 }), { topics: [TOPIC], eachMessage }, () =>
    until('the consumer to reach the high watermark', () => out.length > 0 && out[out.length - 1].offset >= highWatermark - 1),
  )
  return out
}

beforeAll(async () => {
  tb = await startTestBroker()
  // Test speed: the cleaner looks for work every 50 ms instead of Kafka's 15 s.
  tb.broker.services.logs.setBrokerConfigLayers({ dynamicDefault: { 'log.cleaner.backoff.ms': '50' } })
  kafka = new Kafka({ brokers: [tb.bootstrap], clientId: 'compaction-kjs', logLevel: logLevel.NOTHING })
  admin = kafka.admin()
  await admin.connect()
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
})

afterAll(async () => {
  await producer?.disconnect()
  await admin?.disconnect()
  await tb?.stop()
})

describe('compacted topic with kafkajs', () => {
  it('reads back the latest value per key after the cleaner ran, offsets unchanged', async () => {
    await admin.createTopics({
      topics: [
        {
          topic: TOPIC,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.bytes', value: '2048' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            { name: 'delete.retention.ms', value: '500' },
            { name: 'file.delete.delay.ms', value: '100' },
          ],
        },
      ],
    })
    const written: { offset: number; key: string; value: string | null }[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const messages = Array.from({ length: KEYS }, (_, k) => ({ key: `key-${k}`, value: `value-${k}-${round}` }))
      const [meta] = await producer.send({ topic: TOPIC, messages, compression: round % 2 === 0 ? CompressionTypes.GZIP : CompressionTypes.None })
      const base = Number(meta.baseOffset)
      messages.forEach((m, i) => written.push({ offset: base + i, key: m.key, value: m.value }))
    }
    // tombstones for two keys, then more traffic so that they leave the active segment
    for (const k of [0, 1]) {
      const [meta] = await producer.send({ topic: TOPIC, messages: [{ key: `key-${k}`, value: null }] })
      written.push({ offset: Number(meta.baseOffset), key: `key-${k}`, value: null })
    }
    for (let round = ROUNDS; round < ROUNDS + 10; round++) {
      const messages = Array.from({ length: KEYS - 2 }, (_, k) => ({ key: `key-${k + 2}`, value: `value-${k + 2}-${round}` }))
      const [meta] = await producer.send({ topic: TOPIC, messages })
      messages.forEach((m, i) => written.push({ offset: Number(meta.baseOffset) + i, key: m.key, value: m.value }))
    }

    const log = partitionLog()
    const cleaner = tb.broker.services.logs.policies.cleaner
    const highWatermark = log.highWatermark
    expect(highWatermark).toBe(written.length)
    const segmentsBefore = log.segments().length
    expect(segmentsBefore).toBeGreaterThan(5)
    // the first pass compacts everything below the active segment and stamps the tombstones' horizon;
    // once delete.retention.ms passed, a pass triggered by new dirty data removes them
    await until('a first cleaning pass', () => (cleaner.checkpoint(log) ?? 0) > 0)
    await new Promise((r) => setTimeout(r, 600))
    const more = Array.from({ length: 40 }, (_, i) => ({ key: `key-${2 + (i % (KEYS - 2))}`, value: `late-${i}` }))
    const [meta] = await producer.send({ topic: TOPIC, messages: more })
    more.forEach((m, i) => written.push({ offset: Number(meta.baseOffset) + i, key: m.key, value: m.value }))
    const firstCheckpoint = cleaner.checkpoint(log)!
    await until('a second cleaning pass', () => (cleaner.checkpoint(log) ?? 0) > firstCheckpoint)

    const hw = log.highWatermark
    const read = await consumeAll(hw, 'compaction-reader-1')
    const byOffset = new Map(written.map((w) => [w.offset, w]))
    for (let i = 1; i < read.length; i++) expect(read[i].offset).toBeGreaterThan(read[i - 1].offset)
    for (const r of read) expect(r).toEqual(byOffset.get(r.offset))
    expect(read.length).toBeLessThan(written.length)

    const latest = new Map<string, { offset: number; value: string | null }>()
    for (const w of written) latest.set(w.key, w)
    for (const [key, w] of latest) {
      const got = read.filter((r) => r.key === key).at(-1)
      if (w.value === null) expect(got, key).toBeUndefined()
      else expect(got, key).toEqual({ offset: w.offset, key, value: w.value })
    }
    // below the cleaned point every key appears once
    const cleanedPart = read.filter((r) => r.offset < cleaner.checkpoint(log)!)
    expect(new Set(cleanedPart.map((r) => r.key)).size).toBe(cleanedPart.length)
  })

  it('refuses records without a key with INVALID_RECORD', async () => {
    const plain = kafka.producer({ retry: { retries: 0 } })
    await plain.connect()
    try {
      const err = await plain.send({ topic: TOPIC, messages: [{ value: 'no key' }] }).then(
        () => null,
        (e: Error & { type?: string; cause?: { type?: string } }) => e,
      )
      expect(err).not.toBeNull()
      expect(JSON.stringify({ type: err!.type, cause: err!.cause?.type, message: err!.message })).toMatch(/INVALID_RECORD|failed the validation/)
    } finally {
      await plain.disconnect()
    }
  })
})
