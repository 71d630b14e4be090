// Acceptance (issue 2, "How it is checked") with kafkajs 2.2.4: on a broker with a real data dir,
// a 3-partition topic gets 10,000 keyed messages with headers in several sends; a consumer group
// reads them back and every message is checked at its partition and offset (content, order,
// contiguous offsets, exact count); then the broker is stopped and a new one started on the same
// data dir and everything is read and checked again. An idempotent producer whose Produce
// responses are lost on the way (so it retries) still lands every message exactly once. Every
// compression codec passes through, stored as the producer compressed it.
import { CompressionTypes, Kafka, Partitioners, logLevel, type EachMessagePayload, type IHeaders, type Producer } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import {
  PARTITIONS,
  acceptanceMessage,
  countsPerPartition,
  expectReadBack,
  expectOneProducerId,
  expectStoredCodec,
  produceInSends,
  produceLosingAnswers,
  recordDelivery,
  until,
  useBrokerBehindDropProxy,
  useBrokerWithDataDir,
  type Consumed,
  type Expected as ExpectedMessage,
  type ProduceOptions,
  type ReadingClient,
} from '../helpers/acceptance.js'
import { consumeWithKafkajs } from '../helpers/consume.js'
import { registerKafkajsCodecs } from '../helpers/kafkajs-codecs.js'

registerKafkajsCodecs()

type Headers = { index: string; source: string; bin: Buffer }
type Expected = ExpectedMessage<Headers>

interface Received {
  topic: string
  partition: number
  offset: number
  key: string | null
  value: string | null
  headers: IHeaders
}

function client(bootstrap: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 50, retries: 10 } })
}

// The partition kafkajs will choose for a keyed message (its default, Java-compatible murmur2).
const partitioner = Partitioners.DefaultPartitioner()
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, p) => ({ partitionId: p, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }))
const partitionOf = (topic: string, key: string): number => partitioner({ topic, partitionMetadata, message: { key, value: null } })

/** Sends the messages in `opts.sends` sends; each send's answered base offsets are checked. */
function produce(producer: Producer, topic: string, opts: ProduceOptions & { compression?: CompressionTypes }): Promise<Expected[]> {
  const plan = { ...opts, message: (i: number) => acceptanceMessage(opts.source, i), partitionOf: (key: string) => partitionOf(topic, key) }
  return produceInSends(topic, plan, async (batch) => {
    const result = await producer.send({ topic, acks: -1, compression: opts.compression, messages: batch.map(({ key, value, headers }) => ({ key, value, headers })) })
    for (const r of result) {
      expect(r.errorCode).toBe(0)
      expect(Number(r.baseOffset)).toBe(batch.find((e) => e.partition === r.partition)!.offset)
    }
  })
}

/** Consumes `topics` from the beginning in a fresh group until `count` messages arrived. */
async function consume(bootstrap: string, topics: string[], count: number, groupId: string): Promise<Consumed<Received>> {
  const consumed: Consumed<Received> = { received: new Map(), duplicates: 0 }
  const { received } = consumed
  const eachMessage = async ({ topic, partition, message: m }: EachMessagePayload) => {
    recordDelivery(consumed, { topic, partition, offset: Number(m.offset), key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers: m.headers ?? {} })
  }
  const consumer = client(bootstrap, groupId).consumer({ groupId, maxWaitTimeInMs: 100 })
  await consumeWithKafkajs(consumer, { topics, eachMessage }, () =>
    until(`${count} messages (have ${received.size})`, () => received.size >= count),
  )
  return consumed
}

const reader: ReadingClient<Headers, Received> = {
  consume,
  headers: {
    matches: ({ headers: e }, { headers: h }) => String(h.index) === e.index && String(h.source) === e.source && Buffer.isBuffer(h.bin) && h.bin.equals(e.bin),
    describe: (r) => JSON.stringify(r.headers),
  },
}

async function expectOffsets(bootstrap: string, topic: string, expected: Expected[]): Promise<void> {
  const admin = client(bootstrap, 'acceptance-admin').admin()
  await admin.connect()
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    for (let p = 0; p < PARTITIONS; p++) {
      const o = offsets.find((x) => x.partition === p)!
      expect({ partition: p, low: o.low, high: o.high }).toEqual({ partition: p, low: '0', high: String(expected.filter((e) => e.partition === p).length) })
    }
  } finally {
    await admin.disconnect()
  }
}

async function createTopics(bootstrap: string, topics: string[]): Promise<void> {
  const admin = client(bootstrap, 'acceptance-admin').admin()
  await admin.connect()
  try {
    expect(await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true })).toBe(true)
  } finally {
    await admin.disconnect()
  }
}

describe('kafkajs acceptance', () => {
  const env = useBrokerWithDataDir()

  it('10,000 keyed messages with headers: read back by partition and offset, and again after a restart', async () => {
    const { tb } = env
    const topic = 'acceptance-kjs'
    await createTopics(tb.bootstrap, [topic])
    const producer = client(tb.bootstrap, 'acceptance-producer').producer()
    await producer.connect()
    let expected: Expected[]
    try {
      expected = await produce(producer, topic, { total: 10_000, sends: 20, source: 'kafkajs' })
    } finally {
      await producer.disconnect()
    }
    expect(new Set(expected.map((e) => e.partition)).size).toBe(PARTITIONS)

    await expectReadBack(reader, tb.bootstrap, [topic], expected, 'acceptance-kjs-1')
    await expectOffsets(tb.bootstrap, topic, expected)

    // a new broker on the same data dir (and port)
    await tb.restart()
    await expectReadBack(reader, tb.bootstrap, [topic], expected, 'acceptance-kjs-2')
    await expectOffsets(tb.bootstrap, topic, expected)

    // and the log continues where it ended
    const more = client(tb.bootstrap, 'acceptance-producer-2').producer()
    await more.connect()
    try {
      const firstOffsets = countsPerPartition(expected)
      const extra = await produce(more, topic, { total: 300, sends: 3, source: 'after-restart', firstOffsets })
      await expectOffsets(tb.bootstrap, topic, [...expected, ...extra])
    } finally {
      await more.disconnect()
    }
  })

  it('every compression codec passes through and is stored as the producer compressed it', async () => {
    const { tb } = env
    const codecs = [
      { name: 'gzip', type: CompressionTypes.GZIP, id: 1 },
      { name: 'snappy', type: CompressionTypes.Snappy, id: 2 },
      { name: 'lz4', type: CompressionTypes.LZ4, id: 3 },
      { name: 'zstd', type: CompressionTypes.ZSTD, id: 4 },
    ]
    const topicOf = (name: string) => `acceptance-kjs-${name}`
    await createTopics(tb.bootstrap, codecs.map((c) => topicOf(c.name)))
    const producer = client(tb.bootstrap, 'acceptance-compressing-producer').producer()
    await producer.connect()
    const expected: Expected[] = []
    try {
      for (const c of codecs) expected.push(...(await produce(producer, topicOf(c.name), { total: 1000, sends: 4, source: c.name, compression: c.type })))
    } finally {
      await producer.disconnect()
    }

    await expectReadBack(reader, tb.bootstrap, codecs.map((c) => topicOf(c.name)), expected, 'acceptance-kjs-codecs')

    for (const c of codecs) await expectStoredCodec(tb, topicOf(c.name), c.id)
  })
})

describe('kafkajs idempotent producer', () => {
  const env = useBrokerBehindDropProxy()

  it('lands every message exactly once although Produce responses are lost and retried, across a restart', async () => {
    const { proxy, tb } = env
    const topic = 'acceptance-kjs-idempotent'
    await createTopics(proxy.bootstrap, [topic])
    const producer = client(proxy.bootstrap, 'acceptance-idempotent').producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    let expected: Expected[]
    try {
      expected = await produceLosingAnswers(env, (opts) => produce(producer, topic, opts))
    } finally {
      await producer.disconnect()
    }

    await expectReadBack(reader, proxy.bootstrap, [topic], expected, 'acceptance-kjs-idempotent')
    await expectOffsets(proxy.bootstrap, topic, expected)
    await expectOneProducerId(tb, topic)
  })
})
