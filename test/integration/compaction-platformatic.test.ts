// A compacted topic with @platformatic/kafka (new flexible Produce/Fetch versions): an idempotent
// producer writes many versions of few keys into small segments; after the background cleaner
// ran and the broker restarted, a consumer from the earliest offset sees exactly the latest
// value of each key below the cleaned point, at its original offset.
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { consumeWithPlatformatic } from '../helpers/consume.js'
import { untilWithin } from '../helpers/until.js'

const TOPIC = 'compacted-plt'
const KEYS = 8

let tb: TestBroker

const until = untilWithin({ timeoutMs: 20_000, intervalMs: 25 })

const fastCleaner = () => tb.broker.services.logs.setBrokerConfigLayers({ dynamicDefault: { 'log.cleaner.backoff.ms': '50' } })

beforeAll(async () => {
  tb = await startTestBroker()
  fastCleaner()
})

afterAll(async () => {
  await tb?.stop()
})

describe('compacted topic with @platformatic/kafka', () => {
  it('reads back the latest value per key after compaction and a restart', async () => {
    const admin = new Admin({ clientId: 'compaction-plt-admin', bootstrapBrokers: [tb.bootstrap] })
    try {
      await admin.createTopics({
        topics: [TOPIC],
        partitions: 1,
        replicas: 1,
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.bytes', value: '1500' },
          { name: 'min.cleanable.dirty.ratio', value: '0.01' },
          { name: 'compression.type', value: 'lz4' },
        ],
      })
    } finally {
      await admin.close()
    }

    const producer = new Producer({ clientId: 'compaction-plt-producer', bootstrapBrokers: [tb.bootstrap], serializers: stringSerializers, idempotent: true })
    const written: { offset: number; key: string; value: string }[] = []
    try {
      for (let round = 0; round < 30; round++) {
        const messages = Array.from({ length: KEYS }, (_, k) => ({ topic: TOPIC, partition: 0, key: `key-${k}`, value: `value-${k}-${round}` }))
        const res = await producer.send({ messages })
        const base = Number(res.offsets?.[0]?.offset ?? -1)
        expect(base).toBeGreaterThanOrEqual(0)
        messages.forEach((m, i) => written.push({ offset: base + i, key: m.key, value: m.value }))
      }
    } finally {
      await producer.close()
    }

    const logs = tb.broker.services.logs
    const log = logs.getTopic(TOPIC)!.partitions[0]
    const active = log.activeSegment.baseOffset
    await until('the cleaner to reach the active segment', () => logs.policies.cleaner.checkpoint(log) === active)
    await tb.restart()
    fastCleaner()

    const consumer = new Consumer({ groupId: 'compaction-plt-reader', clientId: 'compaction-plt-reader', bootstrapBrokers: [tb.bootstrap], deserializers: stringDeserializers })
    const got: Message<string, string, string, string>[] = []
    await consumeWithPlatformatic(consumer, { topics: [TOPIC], onMessage: (m) => got.push(m) }, () =>
      until('the last message', () => got.some((m) => Number(m.offset) === written.length - 1)),
    )

    const read = got.map((m) => ({ offset: Number(m.offset), key: m.key, value: m.value }))
    const byOffset = new Map(written.map((w) => [w.offset, w]))
    for (let i = 1; i < read.length; i++) expect(read[i].offset).toBeGreaterThan(read[i - 1].offset)
    for (const r of read) expect(r).toEqual(byOffset.get(r.offset))
    const cleaned = read.filter((r) => r.offset < active)
    expect(new Set(cleaned.map((r) => r.key)).size).toBe(cleaned.length)
    for (let k = 0; k < KEYS; k++) {
      const last = written.filter((w) => w.key === `key-${k}`).at(-1)!
      expect(read.filter((r) => r.key === `key-${k}`).at(-1)).toEqual(last)
    }
    expect(read.length).toBeLessThan(written.length)
  })
})
