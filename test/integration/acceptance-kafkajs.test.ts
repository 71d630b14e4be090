// Acceptance (issue 2, "How it is checked") with kafkajs 2.2.4: on a broker with a real data dir,
// a 3-partition topic gets 10,000 keyed messages with headers in several sends; a consumer group
// reads them back and every message is checked at its partition and offset (content, order,
// contiguous offsets, exact count); then the broker is stopped and a new one started on the same
// data dir and everything is read and checked again. An idempotent producer whose Produce
// responses are lost on the way (so it retries) still lands every message exactly once. Every
// compression codec passes through, stored as the producer compressed it.
import { CompressionTypes, Kafka, Partitioners, logLevel, type IHeaders, type Producer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { iterateBatches, type BatchHeader } from '../../src/protocol/record-batch.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { registerKafkajsCodecs } from '../helpers/kafkajs-codecs.js'
import { startDropProxy, type DropProxy } from '../crash/connection-drop-proxy.js'

registerKafkajsCodecs()

const PARTITIONS = 3

interface Expected {
  topic: string
  partition: number
  offset: number
  key: string
  value: string
  headers: { index: string; source: string; bin: Buffer }
}

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

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

// The partition kafkajs will choose for a keyed message (its default, Java-compatible murmur2).
const partitioner = Partitioners.DefaultPartitioner()
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, p) => ({ partitionId: p, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }))
const partitionOf = (topic: string, key: string): number => partitioner({ topic, partitionMetadata, message: { key, value: null } })

function message(source: string, i: number): { key: string; value: string; headers: Expected['headers'] } {
  return {
    key: `key-${i % 101}`,
    value: `${source}-value-${i}-${'x'.repeat(i % 37)}`,
    headers: { index: String(i), source, bin: Buffer.from([i & 0xff, (i >> 8) & 0xff, 0x00, 0xff]) },
  }
}

/**
 * Sends `total` keyed messages in `sends` sends and returns where each must be: offsets follow
 * send order per partition, and each send's answered base offsets are checked against that.
 */
async function produce(producer: Producer, topic: string, opts: { total: number; sends: number; source: string; compression?: CompressionTypes; firstOffsets?: number[] }): Promise<Expected[]> {
  const nextOffset = [...(opts.firstOffsets ?? Array<number>(PARTITIONS).fill(0))]
  const expected: Expected[] = []
  const perSend = Math.ceil(opts.total / opts.sends)
  for (let start = 0; start < opts.total; start += perSend) {
    const batch: Expected[] = []
    for (let i = start; i < Math.min(start + perSend, opts.total); i++) {
      const m = message(opts.source, i)
      const partition = partitionOf(topic, m.key)
      batch.push({ topic, partition, offset: nextOffset[partition]++, ...m })
    }
    const result = await producer.send({ topic, acks: -1, compression: opts.compression, messages: batch.map(({ key, value, headers }) => ({ key, value, headers })) })
    for (const r of result) {
      expect(r.errorCode).toBe(0)
      expect(Number(r.baseOffset)).toBe(batch.find((e) => e.partition === r.partition)!.offset)
    }
    expected.push(...batch)
  }
  return expected
}

/** Consumes `topics` from the beginning in a fresh group until `count` messages arrived. */
async function consume(bootstrap: string, topics: string[], count: number, groupId: string): Promise<{ received: Map<string, Received>; duplicates: number }> {
  const consumer = client(bootstrap, groupId).consumer({ groupId, maxWaitTimeInMs: 100 })
  const received = new Map<string, Received>()
  let duplicates = 0
  await consumer.connect()
  try {
    await consumer.subscribe({ topics, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ topic, partition, message: m }) => {
        const at = `${topic}/${partition}/${m.offset}`
        if (received.has(at)) duplicates++
        received.set(at, { topic, partition, offset: Number(m.offset), key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers: m.headers ?? {} })
      },
    })
    await until(`${count} messages (have ${received.size})`, () => received.size >= count)
  } finally {
    await consumer.disconnect()
  }
  return { received, duplicates }
}

/** Every expected message at its partition and offset with its content, and nothing else. */
function verify(expected: Expected[], received: Map<string, Received>): void {
  const problems: string[] = []
  for (const e of expected) {
    const r = received.get(`${e.topic}/${e.partition}/${e.offset}`)
    const h = r?.headers
    if (!r) problems.push(`missing ${e.topic}/${e.partition}/${e.offset} (${e.value})`)
    else if (r.key !== e.key || r.value !== e.value) problems.push(`${e.topic}/${e.partition}/${e.offset}: got ${r.key}=${r.value}, expected ${e.key}=${e.value}`)
    else if (String(h!.index) !== e.headers.index || String(h!.source) !== e.headers.source || !Buffer.isBuffer(h!.bin) || !h!.bin.equals(e.headers.bin)) {
      problems.push(`${e.topic}/${e.partition}/${e.offset}: headers ${JSON.stringify(h)}`)
    }
    if (problems.length >= 10) break
  }
  expect(problems).toEqual([])
  expect(received.size).toBe(expected.length)
  // per partition: offsets 0..n-1 with no gap, and message order = send order
  const sendPosition = new Map(expected.map((e, i) => [`${e.topic}/${e.value}`, i]))
  for (const topic of new Set(expected.map((e) => e.topic))) {
    for (let p = 0; p < PARTITIONS; p++) {
      const inPartition = [...received.values()].filter((r) => r.topic === topic && r.partition === p).sort((a, b) => a.offset - b.offset)
      expect(inPartition.map((r) => r.offset)).toEqual(inPartition.map((_, i) => i))
      const sendOrder = inPartition.map((r) => sendPosition.get(`${r.topic}/${r.value}`) ?? -1)
      expect(sendOrder).toEqual([...sendOrder].sort((a, b) => a - b))
    }
  }
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

/** The headers of every batch stored for topic/partition, read from the broker's log. */
async function storedBatches(tb: TestBroker, topic: string, partition: number): Promise<BatchHeader[]> {
  const log = tb.broker.services.logs.getPartition(topic, partition)!
  const headers: BatchHeader[] = []
  let offset = log.logStartOffset
  while (offset < log.highWatermark) {
    const res = await log.read(offset, { maxBytes: 1024 * 1024, minOneMessage: true })
    expect(res.errorCode).toBe(0)
    for (const b of iterateBatches(res.records!)) {
      headers.push(b.header)
      offset = b.header.baseOffset + b.header.lastOffsetDelta + 1
    }
  }
  return headers
}

describe('kafkajs acceptance', () => {
  let tb: TestBroker
  beforeAll(async () => {
    tb = await startTestBroker() // a fresh temp data dir, removed by stop()
    expect(tb.dataDir).not.toBeNull()
  })
  afterAll(() => tb?.stop())

  it('10,000 keyed messages with headers: read back by partition and offset, and again after a restart', async () => {
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

    const first = await consume(tb.bootstrap, [topic], expected.length, 'acceptance-kjs-1')
    expect(first.duplicates).toBe(0)
    verify(expected, first.received)
    await expectOffsets(tb.bootstrap, topic, expected)

    // a new broker on the same data dir (and port)
    await tb.restart()
    const again = await consume(tb.bootstrap, [topic], expected.length, 'acceptance-kjs-2')
    expect(again.duplicates).toBe(0)
    verify(expected, again.received)
    await expectOffsets(tb.bootstrap, topic, expected)

    // and the log continues where it ended
    const more = client(tb.bootstrap, 'acceptance-producer-2').producer()
    await more.connect()
    try {
      const firstOffsets = [0, 1, 2].map((p) => expected.filter((e) => e.partition === p).length)
      const extra = await produce(more, topic, { total: 300, sends: 3, source: 'after-restart', firstOffsets })
      await expectOffsets(tb.bootstrap, topic, [...expected, ...extra])
    } finally {
      await more.disconnect()
    }
  })

  it('every compression codec passes through and is stored as the producer compressed it', async () => {
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

    const { received, duplicates } = await consume(tb.bootstrap, codecs.map((c) => topicOf(c.name)), expected.length, 'acceptance-kjs-codecs')
    expect(duplicates).toBe(0)
    verify(expected, received)

    for (const c of codecs) {
      for (let p = 0; p < PARTITIONS; p++) {
        const batches = await storedBatches(tb, topicOf(c.name), p)
        expect(batches.length).toBeGreaterThan(0)
        expect(batches.map((b) => b.attributes & 7)).toEqual(batches.map(() => c.id))
      }
    }
  })
})

describe('kafkajs idempotent producer', () => {
  let proxy: DropProxy
  let tb: TestBroker
  beforeAll(async () => {
    proxy = await startDropProxy()
    tb = await startTestBroker({ config: { advertisedListeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: proxy.port }] } })
    proxy.setTarget(tb.port)
  })
  afterAll(async () => {
    await proxy?.close()
    await tb?.stop()
  })

  it('lands every message exactly once although Produce responses are lost and retried, across a restart', async () => {
    const topic = 'acceptance-kjs-idempotent'
    await createTopics(proxy.bootstrap, [topic])
    // kafkajs sends one Produce request per send here (one broker); lose the answers to three
    proxy.dropProduceResponses([3, 8, 15])
    const producer = client(proxy.bootstrap, 'acceptance-idempotent').producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    let expected: Expected[]
    try {
      expected = await produce(producer, topic, { total: 2000, sends: 20, source: 'idempotent' })
      expect(proxy.dropped).toBe(3)
      expect(proxy.produceResponses).toBeGreaterThanOrEqual(23) // the three retries were answered too

      // The answer to an appended batch is lost and the broker restarts before the retry: the
      // producer state rebuilt from the log must recognise the retry as a duplicate.
      proxy.dropProduceResponses([proxy.produceResponses + 2], { hold: true })
      const firstOffsets = [0, 1, 2].map((p) => expected.filter((e) => e.partition === p).length)
      const more = produce(producer, topic, { total: 1000, sends: 5, source: 'idempotent-restart', firstOffsets })
      await until('the fourth lost answer', () => proxy.dropped === 4)
      await tb.restart()
      proxy.release()
      expected.push(...(await more))
    } finally {
      await producer.disconnect()
    }

    const { received, duplicates } = await consume(proxy.bootstrap, [topic], expected.length, 'acceptance-kjs-idempotent')
    expect(duplicates).toBe(0)
    verify(expected, received)
    await expectOffsets(proxy.bootstrap, topic, expected)

    const producerIds = new Set<number>()
    for (let p = 0; p < PARTITIONS; p++) for (const b of await storedBatches(tb, topic, p)) producerIds.add(b.producerId)
    expect(producerIds.size).toBe(1)
    expect([...producerIds][0]).toBeGreaterThanOrEqual(0)
  })
})
