// Real clients produce and consume through Brook's Produce/Fetch/ListOffsets/InitProducerId:
// kafkajs (old non-flexible versions) and @platformatic/kafka (new flexible versions), plain,
// idempotent and compressed, then again after a restart on the same data dir.
import { Consumer, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka'
import { CompressionTypes, Kafka, logLevel, type EachMessagePayload } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTopic } from '../helpers/admin.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { consumeWithKafkajs, consumeWithPlatformatic } from '../helpers/consume.js'
import { untilWithin } from '../helpers/until.js'

let tb: TestBroker

beforeAll(async () => {
  tb = await startTestBroker()
})
afterAll(() => tb?.stop())

const until = untilWithin({ timeoutMs: 20_000, intervalMs: 20 })

async function consumeAllKafkajs(topic: string, expected: number, groupId: string): Promise<{ partition: number; offset: number; value: string }[]> {
  const kafka = new Kafka({ clientId: `kjs-${groupId}`, brokers: [tb.bootstrap], logLevel: logLevel.NOTHING })
  const got: { partition: number; offset: number; value: string }[] = []
  const eachMessage = async ({ partition, message }: EachMessagePayload) => {
    got.push({ partition, offset: Number(message.offset), value: message.value!.toString() })
  }
  await consumeWithKafkajs(kafka.consumer({ groupId, maxWaitTimeInMs: 100 }), { topics: [topic], eachMessage }, () => until(`${expected} messages`, () => got.length >= expected))
  return got
}

describe('kafkajs', () => {
  it('produces (plain, idempotent, gzip) and consumes every message in partition order', async () => {
    await createTopic(tb, 'kjs-data', 3)
    const kafka = new Kafka({ clientId: 'kjs-producer', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING })
    const plain = kafka.producer()
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await plain.connect()
    await idempotent.connect()
    try {
      for (let i = 0; i < 10; i++) {
        await plain.send({ topic: 'kjs-data', messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${j}`, value: `plain-${i}-${j}` })) })
      }
      for (let i = 0; i < 5; i++) {
        await idempotent.send({ topic: 'kjs-data', acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${j}`, value: `idem-${i}-${j}` })) })
      }
      const meta = await plain.send({ topic: 'kjs-data', compression: CompressionTypes.GZIP, messages: Array.from({ length: 50 }, (_, j) => ({ key: `k${j}`, value: `gzip-${j}` })) })
      expect(meta.every((m) => m.errorCode === 0)).toBe(true)
    } finally {
      await plain.disconnect()
      await idempotent.disconnect()
    }

    const got = await consumeAllKafkajs('kjs-data', 200, 'kjs-group')
    expect(got.length).toBe(200)
    expect(new Set(got.map((m) => m.value)).size).toBe(200)
    for (const p of [0, 1, 2]) {
      const offsets = got.filter((m) => m.partition === p).map((m) => m.offset)
      expect(offsets).toEqual(offsets.map((_, i) => i))
    }

    const admin = kafka.admin()
    await admin.connect()
    try {
      const offsets = await admin.fetchTopicOffsets('kjs-data')
      expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(200)
      expect(offsets.every((o) => o.low === '0')).toBe(true)
    } finally {
      await admin.disconnect()
    }
  })
})

describe('@platformatic/kafka', () => {
  it('produces idempotently and consumes, before and after a restart', async () => {
    await createTopic(tb, 'plt-data', 2)
    const producer = new Producer({ clientId: 'plt-producer', bootstrapBrokers: [tb.bootstrap], serializers: stringSerializers, idempotent: true })
    try {
      for (let i = 0; i < 10; i++) {
        await producer.send({ messages: Array.from({ length: 10 }, (_, j) => ({ topic: 'plt-data', key: `k${j}`, value: `v-${i}-${j}`, partition: j % 2 })) })
      }
    } finally {
      await producer.close()
    }

    const consumeAll = async (groupId: string, expected: number): Promise<Message<string, string, string, string>[]> => {
      const consumer = new Consumer({ groupId, clientId: groupId, bootstrapBrokers: [tb.bootstrap], deserializers: stringDeserializers })
      const got: Message<string, string, string, string>[] = []
      await consumeWithPlatformatic(consumer, { topics: ['plt-data'], onMessage: (m) => got.push(m) }, () => until(`${expected} messages`, () => got.length >= expected))
      return got
    }

    const first = await consumeAll('plt-group-1', 100)
    expect(new Set(first.map((m) => m.value)).size).toBe(100)
    for (const p of [0, 1]) {
      const offsets = first.filter((m) => m.partition === p).map((m) => Number(m.offset))
      expect(offsets).toEqual(offsets.map((_, i) => i))
    }

    await tb.restart()
    const again = await consumeAll('plt-group-2', 100)
    expect(again.map((m) => m.value).sort()).toEqual(first.map((m) => m.value).sort())
  })
})
