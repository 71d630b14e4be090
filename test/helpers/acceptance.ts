// The client-independent half of the acceptance scenario (acceptance-kafkajs and
// acceptance-platformatic run the same one with different clients): which messages are sent,
// where each must land, how what a consumer received is checked, what the broker stored, and the
// Produce-answers-lost-across-a-restart sequence for idempotent producers.
import { afterAll, beforeAll, expect } from 'vitest'
import { iterateBatches, type BatchHeader } from '../../src/protocol/record-batch.js'
import { startTestBroker, type TestBroker } from './broker.js'
import { startDropProxy, type DropProxy } from './connection-drop-proxy.js'
import { untilWithin } from './until.js'

export const PARTITIONS = 3

/** the scenario's waits: 10,000 messages through a consumer group can take a while on a busy machine */
export const until = untilWithin({ timeoutMs: 60_000, intervalMs: 20 })

/** A message as sent, and the partition and offset it must be read back at. */
export interface Expected<Headers> {
  topic: string
  partition: number
  offset: number
  key: string
  value: string
  headers: Headers
}

/** What a consumer delivered, keyed in a map by `topic/partition/offset`. */
export interface Delivered {
  topic: string
  partition: number
  offset: number | bigint
  key: string | null
  value: string | null
}

export interface Consumed<R extends Delivered> {
  received: Map<string, R>
  /** messages delivered again at a position already seen */
  duplicates: number
}

export interface ProduceOptions {
  total: number
  sends: number
  source: string
  /** the next offset of every partition (the log's end when producing on into a used topic) */
  firstOffsets?: number[]
}

/** Message i of a source: 101 keys, values of varying length, and headers (one binary). */
export function acceptanceMessage(source: string, i: number): { key: string; value: string; headers: { index: string; source: string; bin: Buffer } } {
  return {
    key: `key-${i % 101}`,
    value: `${source}-value-${i}-${'x'.repeat(i % 37)}`,
    headers: { index: String(i), source, bin: Buffer.from([i & 0xff, (i >> 8) & 0xff, 0x00, 0xff]) },
  }
}

/** How many messages each partition holds (= its next offset when they started at 0). */
export function countsPerPartition(expected: Expected<unknown>[]): number[] {
  return Array.from({ length: PARTITIONS }, (_, p) => expected.filter((e) => e.partition === p).length)
}

/**
 * Splits `total` messages into `sends` sends and returns where each must be: offsets follow send
 * order per partition. `send` sends one batch and checks the answer against those offsets.
 */
export async function produceInSends<Headers>(
  topic: string,
  opts: ProduceOptions & { message: (i: number) => { key: string; value: string; headers: Headers }; partitionOf: (key: string) => number },
  send: (batch: Expected<Headers>[]) => Promise<void>,
): Promise<Expected<Headers>[]> {
  const nextOffset = [...(opts.firstOffsets ?? Array<number>(PARTITIONS).fill(0))]
  const expected: Expected<Headers>[] = []
  const perSend = Math.ceil(opts.total / opts.sends)
  for (let start = 0; start < opts.total; start += perSend) {
    const batch: Expected<Headers>[] = []
    for (let i = start; i < Math.min(start + perSend, opts.total); i++) {
      const m = opts.message(i)
      const partition = opts.partitionOf(m.key)
      batch.push({ topic, partition, offset: nextOffset[partition]++, ...m })
    }
    await send(batch)
    expected.push(...batch)
  }
  return expected
}

/** Records a delivery at its position; a second one at the same position counts as a duplicate. */
export function recordDelivery<R extends Delivered>(consumed: Consumed<R>, r: R): void {
  const at = `${r.topic}/${r.partition}/${r.offset}`
  if (consumed.received.has(at)) consumed.duplicates++
  consumed.received.set(at, r)
}

/** The client's view of headers: whether they are the expected ones, and how to show them. */
export interface HeaderCheck<Headers, R> {
  matches(expected: Expected<Headers>, received: R): boolean
  describe(received: R): string
}

/** Every expected message at its partition and offset with its content, and nothing else. */
function verify<Headers, R extends Delivered>(expected: Expected<Headers>[], received: Map<string, R>, headers: HeaderCheck<Headers, R>): void {
  const problems: string[] = []
  for (const e of expected) {
    const r = received.get(`${e.topic}/${e.partition}/${e.offset}`)
    if (!r) problems.push(`missing ${e.topic}/${e.partition}/${e.offset} (${e.value})`)
    else if (r.key !== e.key || r.value !== e.value) problems.push(`${e.topic}/${e.partition}/${e.offset}: got ${r.key}=${r.value}, expected ${e.key}=${e.value}`)
    else if (!headers.matches(e, r)) problems.push(`${e.topic}/${e.partition}/${e.offset}: headers ${headers.describe(r)}`)
    if (problems.length >= 10) break
  }
  expect(problems).toEqual([])
  expect(received.size).toBe(expected.length)
  // per partition: offsets 0..n-1 with no gap, and message order = send order
  const sendPosition = new Map(expected.map((e, i) => [`${e.topic}/${e.value}`, i]))
  for (const topic of new Set(expected.map((e) => e.topic))) {
    for (let p = 0; p < PARTITIONS; p++) {
      const inPartition = [...received.values()].filter((r) => r.topic === topic && r.partition === p).sort((a, b) => Number(a.offset) - Number(b.offset))
      expect(inPartition.map((r) => Number(r.offset))).toEqual(inPartition.map((_, i) => i))
      const sendOrder = inPartition.map((r) => sendPosition.get(`${r.topic}/${r.value}`) ?? -1)
      expect(sendOrder).toEqual([...sendOrder].sort((a, b) => a - b))
    }
  }
}

/** What the scenario needs of a client on the reading side. */
export interface ReadingClient<Headers, R extends Delivered> {
  /** consumes `topics` from the beginning in a fresh group until `count` messages arrived */
  consume(bootstrap: string, topics: string[], count: number, groupId: string): Promise<Consumed<R>>
  headers: HeaderCheck<Headers, R>
}

/** A fresh group reads `topics` back: each expected message exactly once, where it belongs, and nothing else. */
export async function expectReadBack<Headers, R extends Delivered>(
  client: ReadingClient<Headers, R>,
  bootstrap: string,
  topics: string[],
  expected: Expected<Headers>[],
  groupId: string,
): Promise<void> {
  const { received, duplicates } = await client.consume(bootstrap, topics, expected.length, groupId)
  expect(duplicates).toBe(0)
  verify(expected, received, client.headers)
}

/** The headers of every batch stored for topic/partition, read from the broker's log. */
export async function storedBatches(tb: TestBroker, topic: string, partition: number): Promise<BatchHeader[]> {
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

/** Every partition of `topic` stores its batches with this codec id (attributes & 7), as the producer compressed them. */
export async function expectStoredCodec(tb: TestBroker, topic: string, codecId: number): Promise<void> {
  for (let p = 0; p < PARTITIONS; p++) {
    const batches = await storedBatches(tb, topic, p)
    expect(batches.length).toBeGreaterThan(0)
    expect(batches.map((b) => b.attributes & 7)).toEqual(batches.map(() => codecId))
  }
}

/** Every batch of `topic` came from one (non-negative) producer id. */
export async function expectOneProducerId(tb: TestBroker, topic: string): Promise<void> {
  const producerIds = new Set<number>()
  for (let p = 0; p < PARTITIONS; p++) for (const b of await storedBatches(tb, topic, p)) producerIds.add(b.producerId)
  expect(producerIds.size).toBe(1)
  expect([...producerIds][0]).toBeGreaterThanOrEqual(0)
}

/** For the enclosing describe: a broker on a fresh temp data dir (removed by stop()), so that a restart reads its files back. */
export function useBrokerWithDataDir(): { readonly tb: TestBroker } {
  let tb: TestBroker
  beforeAll(async () => {
    tb = await startTestBroker()
    expect(tb.dataDir).not.toBeNull()
  })
  afterAll(() => tb?.stop())
  return {
    get tb() {
      return tb
    },
  }
}

export interface ProxiedBroker {
  readonly proxy: DropProxy
  readonly tb: TestBroker
}

/** For the enclosing describe: a broker that advertises a DropProxy in front of it, so clients keep going through the proxy. */
export function useBrokerBehindDropProxy(): ProxiedBroker {
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
  return {
    get proxy() {
      return proxy
    },
    get tb() {
      return tb
    },
  }
}

/**
 * An idempotent producer whose Produce answers are lost: with one broker the client sends one
 * Produce request per send, and the answers to three are lost, so it retries them. Then the
 * answer to an appended batch is lost and the broker restarts before the retry: the producer
 * state rebuilt from the log must recognise the retry as a duplicate. Returns all that was sent.
 */
export async function produceLosingAnswers<Headers>(
  { proxy, tb }: ProxiedBroker,
  produce: (opts: ProduceOptions) => Promise<Expected<Headers>[]>,
): Promise<Expected<Headers>[]> {
  proxy.dropProduceResponses([3, 8, 15])
  const expected = await produce({ total: 2000, sends: 20, source: 'idempotent' })
  expect(proxy.dropped).toBe(3)
  expect(proxy.produceResponses).toBeGreaterThanOrEqual(23) // the three retries were answered too

  proxy.dropProduceResponses([proxy.produceResponses + 2], { hold: true })
  const more = produce({ total: 1000, sends: 5, source: 'idempotent-restart', firstOffsets: countsPerPartition(expected) })
  await until('the fourth lost answer', () => proxy.dropped === 4)
  await tb.restart()
  proxy.release()
  expected.push(...(await more))
  return expected
}
