// Crash test (issue 2): `brook serve --fsync` as a child process under load from an idempotent
// producer (acks=-1, several requests in flight), SIGKILLed mid-load three times. Before each
// restart the segment files are left as the kill left them, then damaged the way a torn write
// would (garbage after the last batch; a half-written last batch). After every restart: every
// acknowledged record is at the offset it was acknowledged with, offsets are contiguous from 0,
// records keep their per-partition send order, everything served is exactly what was sent, and
// the log ends exactly at the last intact batch in the files (nothing after a torn tail is
// served, nothing intact is lost). The producer then sends its unanswered requests again, as a
// real one would: in the end every record is in the log exactly once (producer state rebuilt
// from the recovered log, duplicates answered with their original offsets).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js'
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js'
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js'
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js'
import { isBatchCrcValid, iterateBatches, iterateRecords } from '../../src/protocol/record-batch.js'
import { startBrookProcess, type BrookProcess } from '../helpers/brook-process.js'
import { buildForTests, type Build } from '../helpers/build.js'
import { ZERO_UUID, consumerFetch, fetchPartition } from '../helpers/fetch-request.js'
import { untilWithin } from '../helpers/until.js'
import { PipelinedKafkaClient } from './pipelined-client.js'
import { IdempotentLoad } from './produce-load.js'
import { appendGarbage, appendTornBatch, scanPartition, tearLastBatch } from './segment-files.js'

const TOPIC = 'crash-load'
const PARTITIONS = 3
const RECORDS_PER_BATCH = 25
const IN_FLIGHT = 4
// small segments, so segments roll during the load and recovery spans several of them
const SEGMENT_BYTES = 256 * 1024

let build: Build
let dataDir: string
beforeAll(() => {
  build = buildForTests()
  dataDir = mkdtempSync(join(tmpdir(), 'brook-crash-'))
})
afterAll(() => {
  build?.remove()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

const serve = () => startBrookProcess(build.cliPath, ['--fsync', '--data-dir', dataDir, '--override', `log.segment.bytes=${SEGMENT_BYTES}`])

async function fetchFrom(client: PipelinedKafkaClient, partition: number, fetchOffset: number) {
  const topics = [{ topic: TOPIC, topicId: ZERO_UUID, partitions: [fetchPartition(partition, fetchOffset)] }]
  const res = await client.request(FetchRequest, FetchResponse, 11, consumerFetch(topics, { maxBytes: 8 * 1024 * 1024 }))
  return res.responses[0].partitions[0]
}

/**
 * Reads every partition from offset 0 and checks it against what was sent and acknowledged.
 * `end`: where each partition must end; 'complete': every record sent is there exactly once.
 */
async function verifyLog(port: number, state: IdempotentLoad, end: number[] | 'complete'): Promise<void> {
  const client = await PipelinedKafkaClient.connect(port)
  const problems: string[] = []
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const ns: number[] = []
      let offset = 0
      let highWatermark = -1
      for (;;) {
        const part = await fetchFrom(client, p, offset)
        expect(part.errorCode).toBe(0)
        expect(part.logStartOffset).toBe(0)
        highWatermark = part.highWatermark
        if (offset >= highWatermark) break
        const before = offset
        for (const b of iterateBatches(part.records ?? Buffer.alloc(0))) {
          if (!isBatchCrcValid(part.records!, b.position)) problems.push(`p${p}: batch at ${b.header.baseOffset} has a bad CRC`)
          if (b.header.baseOffset !== offset) problems.push(`p${p}: batch at ${b.header.baseOffset}, expected ${offset}`)
          for (const r of iterateRecords(part.records!.subarray(b.position, b.position + b.size))) {
            if (r.offset !== offset) problems.push(`p${p}: record offset ${r.offset}, expected ${offset}`)
            const n = Number(/^p(\d+)-n(\d+)$/.exec(r.key?.toString() ?? '')?.[2] ?? NaN)
            const sent = state.sent[p].get(n)
            if (!sent || !sent.key.equals(r.key!) || !sent.value.equals(r.value!) || r.headers[0]?.value?.toString() !== String(n)) {
              problems.push(`p${p}@${r.offset}: not a record that was sent: ${r.key}=${r.value}`)
            }
            if (ns.length > 0 && n <= ns[ns.length - 1]) problems.push(`p${p}@${r.offset}: n=${n} after n=${ns[ns.length - 1]} (order)`)
            ns.push(n)
            offset++
          }
        }
        if (offset === before) throw new Error(`p${p}: no progress fetching at ${offset} (hw ${highWatermark})`)
        if (problems.length > 10) break
      }
      expect(ns.length).toBe(highWatermark)
      if (end === 'complete') {
        expect({ partition: p, recordsSent: state.nextN[p], highWatermark }).toEqual({ partition: p, recordsSent: state.nextN[p], highWatermark: state.nextN[p] })
        if (ns.some((n, i) => n !== i)) problems.push(`p${p}: records not exactly once in send order`)
      } else {
        // the log ends exactly at the last intact batch of the files
        expect({ partition: p, highWatermark }).toEqual({ partition: p, highWatermark: end[p] })
      }
      for (const a of state.acked.filter((x) => x.partition === p)) {
        const got = ns.slice(a.baseOffset, a.baseOffset + a.ns.length)
        if (got.join() !== a.ns.join()) problems.push(`p${p}: acknowledged n=${a.ns[0]}.. at ${a.baseOffset}, found n=${got[0]}..`)
      }
    }
  } finally {
    client.close()
  }
  expect(problems.slice(0, 10)).toEqual([])
}

const until = untilWithin({ timeoutMs: 60_000, intervalMs: 5 })

type Damage = 'none' | 'garbage' | 'torn'

/** Damages the files like a crash mid-write could; returns where each partition must end. */
function damageFiles(damage: Damage, state: IdempotentLoad): number[] {
  const ends: number[] = []
  for (let p = 0; p < PARTITIONS; p++) {
    const dir = join(dataDir, `${TOPIC}-${p}`)
    const scan = scanPartition(dir)
    // acks=-1 with --fsync: an acknowledged record was written before the answer
    expect(scan.nextOffset).toBeGreaterThan(state.maxAckedOffset(p))
    let end = scan.nextOffset
    if (damage === 'garbage') appendGarbage(scan)
    if (damage === 'torn') {
      const last = scan.batches[scan.batches.length - 1]
      // only a batch nobody was told about can be torn (acknowledged ones were fsynced)
      if (last.file === scan.lastFile && last.baseOffset > state.maxAckedOffset(p)) {
        tearLastBatch(last)
        end = last.baseOffset
      } else {
        appendTornBatch(scan)
      }
    }
    expect(scanPartition(dir).nextOffset).toBe(end)
    ends.push(end)
  }
  return ends
}

describe('brook serve --fsync under SIGKILL', () => {
  it('keeps every acknowledged record, in order, exactly once, and serves nothing past a torn tail', { timeout: 180_000 }, async () => {
    let brook: BrookProcess = await serve()
    const admin = await PipelinedKafkaClient.connect(brook.port)
    const created = await admin.request(CreateTopicsRequest, CreateTopicsResponse, 4, {
      topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    })
    expect(created.topics[0].errorCode).toBe(0)
    const state = new IdempotentLoad(TOPIC, PARTITIONS, RECORDS_PER_BATCH)
    await state.initProducerId(admin)
    admin.close()

    let resent = 0
    const damages: Damage[] = ['none', 'garbage', 'torn']
    for (const [round, damage] of damages.entries()) {
      const client = await PipelinedKafkaClient.connect(brook.port)
      resent += await state.resendUnanswered(client)
      expect(state.brokerErrors).toEqual([])
      const target = state.ackedRecords + 3000 + Math.floor(Math.random() * 3000)
      let loadEnded = false
      const load = state.run(client, { inFlight: IN_FLIGHT, round }).finally(() => (loadEnded = true))
      await until(`${target} acknowledged records`, () => state.ackedRecords >= target || loadEnded)
      expect(loadEnded).toBe(false)
      await new Promise((r) => setTimeout(r, Math.random() * 30)) // anywhere between two acks
      brook.child.kill('SIGKILL')
      expect((await brook.exited).signal).toBe('SIGKILL')
      expect((await load).message).toBe('connection closed')
      expect(state.brokerErrors).toEqual([])

      const expectedEnd = damageFiles(damage, state)
      brook = await serve()
      await verifyLog(brook.port, state, expectedEnd)
    }
    expect(state.ackedRecords).toBeGreaterThanOrEqual(9000)

    // the producer retries what the last crash left unanswered: then every record is there once
    const client = await PipelinedKafkaClient.connect(brook.port)
    resent += await state.resendUnanswered(client)
    client.close()
    expect(state.brokerErrors).toEqual([])
    expect(resent).toBeGreaterThanOrEqual(damages.length) // each kill left requests unanswered
    await verifyLog(brook.port, state, 'complete')

    // a clean stop and start changes nothing
    brook.child.kill('SIGTERM')
    expect((await brook.exited).code).toBe(0)
    brook = await serve()
    await verifyLog(brook.port, state, 'complete')
    brook.child.kill('SIGTERM')
    expect((await brook.exited).code).toBe(0)
  })
})
