// Acceptance (issue 2, "How it is checked") with @platformatic/kafka 1.35 (newest, flexible
// protocol versions): the same scenario as acceptance-kafkajs. On a broker with a real data dir,
// a 3-partition topic gets 10,000 keyed messages with headers in several sends; a consumer group
// reads them back and every message is checked at its partition and offset; then a new broker
// on the same data dir serves them all again. An idempotent producer whose Produce responses are
// lost (so it retries) lands every message exactly once; the compression codecs pass through.
import zlib from 'node:zlib'
import {
  Admin,
  Consumer,
  Producer,
  compressionsAlgorithms,
  defaultPartitioner,
  stringDeserializer,
  stringSerializer,
  type CompressionAlgorithmValue,
  type Message,
} from '@platformatic/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { iterateBatches, type BatchHeader } from '../../src/protocol/record-batch.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { startDropProxy, type DropProxy } from '../crash/connection-drop-proxy.js'

const PARTITIONS = 3

type Received = Message<string, string, string, Buffer>

interface Expected {
  topic: string
  partition: number
  offset: number
  key: string
  value: string
  headers: Map<string, Buffer>
}

// string keys, values and header names; header values as raw bytes (binary included)
const serializers = { key: stringSerializer, value: stringSerializer, headerKey: stringSerializer, headerValue: (v?: Buffer) => v }
const deserializers = { key: stringDeserializer, value: stringDeserializer, headerKey: stringDeserializer, headerValue: (b?: Buffer) => b }
const base = (bootstrap: string, clientId: string) => ({ clientId, bootstrapBrokers: [bootstrap], retries: 10, retryDelay: 50 })

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

// the partition @platformatic/kafka's default partitioner picks for a key
const partitionOf = (key: string): number => defaultPartitioner(undefined as never, Buffer.from(key)) % PARTITIONS

function message(source: string, i: number): { key: string; value: string; headers: Map<string, Buffer> } {
  return {
    key: `key-${i % 101}`,
    value: `${source}-value-${i}-${'x'.repeat(i % 37)}`,
    headers: new Map([
      ['index', Buffer.from(String(i))],
      ['source', Buffer.from(source)],
      ['bin', Buffer.from([i & 0xff, (i >> 8) & 0xff, 0x00, 0xff])],
    ]),
  }
}

async function produce(producer: Producer<string, string, string, Buffer>, topic: string, opts: { total: number; sends: number; source: string; firstOffsets?: number[] }): Promise<Expected[]> {
  const nextOffset = [...(opts.firstOffsets ?? Array<number>(PARTITIONS).fill(0))]
  const expected: Expected[] = []
  const perSend = Math.ceil(opts.total / opts.sends)
  for (let start = 0; start < opts.total; start += perSend) {
    const batch: Expected[] = []
    for (let i = start; i < Math.min(start + perSend, opts.total); i++) {
      const m = message(opts.source, i)
      const partition = partitionOf(m.key)
      batch.push({ topic, partition, offset: nextOffset[partition]++, ...m })
    }
    const result = await producer.send({ messages: batch.map(({ key, value, headers }) => ({ topic, key, value, headers })) })
    for (const r of result.offsets ?? []) expect(Number(r.offset)).toBe(batch.find((e) => e.partition === r.partition)!.offset)
    expect(new Set(result.offsets?.map((r) => r.partition))).toEqual(new Set(batch.map((e) => e.partition)))
    expected.push(...batch)
  }
  return expected
}

async function consume(bootstrap: string, topics: string[], count: number, groupId: string): Promise<{ received: Map<string, Received>; duplicates: number }> {
  const consumer = new Consumer({ ...base(bootstrap, groupId), groupId, deserializers })
  const received = new Map<string, Received>()
  let duplicates = 0
  try {
    const stream = await consumer.consume({ topics, mode: 'earliest', autocommit: false, maxWaitTime: 100 })
    stream.on('data', (m: Received) => {
      const at = `${m.topic}/${m.partition}/${m.offset}`
      if (received.has(at)) duplicates++
      received.set(at, m)
    })
    await until(`${count} messages (have ${received.size})`, () => received.size >= count)
    await stream.close()
  } finally {
    await consumer.close(true)
  }
  return { received, duplicates }
}

function sameHeaders(a: Map<string, Buffer>, b: Map<string, Buffer | undefined>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k)?.equals(v) === true)
}

/** Every expected message at its partition and offset with its content, and nothing else. */
function verify(expected: Expected[], received: Map<string, Received>): void {
  const problems: string[] = []
  for (const e of expected) {
    const r = received.get(`${e.topic}/${e.partition}/${e.offset}`)
    if (!r) problems.push(`missing ${e.topic}/${e.partition}/${e.offset} (${e.value})`)
    else if (r.key !== e.key || r.value !== e.value) problems.push(`${e.topic}/${e.partition}/${e.offset}: got ${r.key}=${r.value}, expected ${e.key}=${e.value}`)
    else if (!sameHeaders(e.headers, r.headers)) problems.push(`${e.topic}/${e.partition}/${e.offset}: headers ${JSON.stringify([...r.headers])}`)
    if (problems.length >= 10) break
  }
  expect(problems).toEqual([])
  expect(received.size).toBe(expected.length)
  // per partition: offsets 0..n-1 with no gap, and message order = send order
  const sendPosition = new Map(expected.map((e, i) => [`${e.topic}/${e.value}`, i]))
  for (const topic of new Set(expected.map((e) => e.topic))) {
    for (let p = 0; p < PARTITIONS; p++) {
      const inPartition = [...received.values()].filter((r) => r.topic === topic && r.partition === p).sort((a, b) => Number(a.offset - b.offset))
      expect(inPartition.map((r) => Number(r.offset))).toEqual(inPartition.map((_, i) => i))
      const sendOrder = inPartition.map((r) => sendPosition.get(`${r.topic}/${r.value}`) ?? -1)
      expect(sendOrder).toEqual([...sendOrder].sort((a, b) => a - b))
    }
  }
}

async function withAdmin<T>(bootstrap: string, f: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(base(bootstrap, 'acceptance-admin'))
  try {
    return await f(admin)
  } finally {
    await admin.close()
  }
}

async function expectOffsets(bootstrap: string, topic: string, expected: Expected[]): Promise<void> {
  const consumer = new Consumer({ ...base(bootstrap, 'acceptance-offsets'), groupId: 'acceptance-offsets' })
  try {
    const earliest = await consumer.listOffsets({ topics: [topic], timestamp: -2n })
    const latest = await consumer.listOffsets({ topics: [topic], timestamp: -1n })
    expect(earliest.get(topic)!.map(Number)).toEqual(Array(PARTITIONS).fill(0))
    expect(latest.get(topic)!.map(Number)).toEqual([0, 1, 2].map((p) => expected.filter((e) => e.partition === p).length))
  } finally {
    await consumer.close(true)
  }
}

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

describe('@platformatic/kafka acceptance', () => {
  let tb: TestBroker
  beforeAll(async () => {
    tb = await startTestBroker() // a fresh temp data dir, removed by stop()
    expect(tb.dataDir).not.toBeNull()
  })
  afterAll(() => tb?.stop())

  it('10,000 keyed messages with headers: read back by partition and offset, and again after a restart', async () => {
    const topic = 'acceptance-plt'
    await withAdmin(tb.bootstrap, (admin) => admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 }))
    const producer = new Producer({ ...base(tb.bootstrap, 'acceptance-producer'), serializers, acks: -1 })
    let expected: Expected[]
    try {
      expected = await produce(producer, topic, { total: 10_000, sends: 20, source: 'platformatic' })
    } finally {
      await producer.close()
    }
    expect(new Set(expected.map((e) => e.partition)).size).toBe(PARTITIONS)

    const first = await consume(tb.bootstrap, [topic], expected.length, 'acceptance-plt-1')
    expect(first.duplicates).toBe(0)
    verify(expected, first.received)
    await expectOffsets(tb.bootstrap, topic, expected)

    // a new broker on the same data dir (and port)
    await tb.restart()
    const again = await consume(tb.bootstrap, [topic], expected.length, 'acceptance-plt-2')
    expect(again.duplicates).toBe(0)
    verify(expected, again.received)
    await expectOffsets(tb.bootstrap, topic, expected)

    // and the log continues where it ended
    const more = new Producer({ ...base(tb.bootstrap, 'acceptance-producer-2'), serializers, acks: -1 })
    try {
      const firstOffsets = [0, 1, 2].map((p) => expected.filter((e) => e.partition === p).length)
      const extra = await produce(more, topic, { total: 300, sends: 3, source: 'after-restart', firstOffsets })
      await expectOffsets(tb.bootstrap, topic, [...expected, ...extra])
    } finally {
      await more.close()
    }
  })

  // zstd in @platformatic/kafka 1.35 is node:zlib's zstd, which Node 20 does not have (22.15+
  // does): the client cannot produce or read zstd batches here, so acceptance-kafkajs covers
  // zstd on Node 20 (and this test includes it on a Node that has it).
  const zstdAvailable = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function'
  const codecs: { name: CompressionAlgorithmValue; id: number }[] = [
    { name: 'gzip', id: 1 },
    { name: 'snappy', id: 2 },
    { name: 'lz4', id: 3 },
    ...(zstdAvailable ? [{ name: 'zstd' as const, id: 4 }] : []),
  ]

  it('the client reports zstd available exactly when this Node has zlib zstd', () => {
    expect(compressionsAlgorithms.zstd.available).toBe(zstdAvailable)
  })

  it(`${codecs.map((c) => c.name).join(', ')} pass through and are stored as the producer compressed them`, async () => {
    const topicOf = (name: string) => `acceptance-plt-${name}`
    await withAdmin(tb.bootstrap, (admin) => admin.createTopics({ topics: codecs.map((c) => topicOf(c.name)), partitions: PARTITIONS, replicas: 1 }))
    const expected: Expected[] = []
    for (const c of codecs) {
      const producer = new Producer({ ...base(tb.bootstrap, `acceptance-${c.name}`), serializers, acks: -1, compression: c.name })
      try {
        expected.push(...(await produce(producer, topicOf(c.name), { total: 1000, sends: 4, source: c.name })))
      } finally {
        await producer.close()
      }
    }

    const { received, duplicates } = await consume(tb.bootstrap, codecs.map((c) => topicOf(c.name)), expected.length, 'acceptance-plt-codecs')
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

describe('@platformatic/kafka idempotent producer', () => {
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
    const topic = 'acceptance-plt-idempotent'
    await withAdmin(proxy.bootstrap, (admin) => admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 }))
    // one Produce request per send here (one broker); lose the answers to three
    proxy.dropProduceResponses([3, 8, 15])
    // retries: enough to outlast a broker restart (retryDelay 50 ms)
    const producer = new Producer({ ...base(proxy.bootstrap, 'acceptance-idempotent'), retries: 400, serializers, idempotent: true })
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
      await producer.close()
    }

    const { received, duplicates } = await consume(proxy.bootstrap, [topic], expected.length, 'acceptance-plt-idempotent')
    expect(duplicates).toBe(0)
    verify(expected, received)
    await expectOffsets(proxy.bootstrap, topic, expected)

    const producerIds = new Set<number>()
    for (let p = 0; p < PARTITIONS; p++) for (const b of await storedBatches(tb, topic, p)) producerIds.add(b.producerId)
    expect(producerIds.size).toBe(1)
    expect([...producerIds][0]).toBeGreaterThanOrEqual(0)
  })
})
