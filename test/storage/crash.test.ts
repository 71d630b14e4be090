// Crash test: a child process appends with fsync on and prints every acknowledged offset; it is
// SIGKILLed mid-stream, twice. After reopening, every acknowledged record is at its offset and
// the offsets are contiguous.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Build, buildForTests } from '../helpers/build.js'
import { cleanupTmpDirs, makeTmpDir, openManager, recordsOf } from './helpers.js'

let build: Build
let childScript: string

beforeAll(() => {
  build = buildForTests()
  const dist = (p: string) => pathToFileURL(join(build.distDir, p)).href
  childScript = join(build.distDir, 'crash-child.mjs')
  writeFileSync(
    childScript,
    `
import { LogManager } from '${dist('storage/log-manager.js')}'
import { defaultBrokerConfig } from '${dist('config/broker-config.js')}'
import { buildRecordBatch } from '${dist('protocol/record-batch.js')}'
const dataDir = process.argv[2]
const run = process.argv[3]
const noop = () => {}
const logger = { info: noop, warn: noop, error: noop, debug: noop, trace: noop, fatal: noop, child: () => logger }
const logs = await LogManager.open({ dataDir, config: { ...defaultBrokerConfig(), dataDir, fsync: true, clusterId: 'crash' }, logger })
const topic = logs.getTopic('crash') ?? (await logs.createTopic({ name: 'crash', numPartitions: 2, replicationFactor: 1, configs: { 'segment.bytes': '20000' } }, { validateOnly: false }))
process.stdout.write('ready\\n')
let n = 0
async function loop(p) {
  for (;;) {
    const value = run + '-' + n++
    const records = [{ key: null, value: Buffer.from(value), timestampMs: Date.now() }, { key: null, value: Buffer.from(value + 'b'), timestampMs: Date.now() }]
    const r = await topic.partitions[p].append(buildRecordBatch(records), { requiredAcks: -1, produceVersion: 9 })
    if (r.errorCode !== 0) { process.stderr.write('append failed ' + r.errorCode + '\\n'); process.exit(2) }
    process.stdout.write(p + ' ' + r.baseOffset + ' ' + value + '\\n')
  }
}
for (const p of [0, 1]) for (let k = 0; k < 4; k++) void loop(p)
`,
  )
})

afterAll(async () => {
  build?.remove()
  await cleanupTmpDirs()
})

interface Ack {
  partition: number
  offset: number
  value: string
}

function runAndKill(dataDir: string, run: string, acksBeforeKill: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, dataDir, run], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let killed = false
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (!killed && out.split('\n').length > acksBeforeKill) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child exited with ${code}: ${err}`))
      const lines = out.split('\n').slice(0, -1) // the last piece may be partial
      const acks: Ack[] = []
      for (const line of lines) {
        if (line === 'ready') continue
        const [partition, offset, value] = line.split(' ')
        acks.push({ partition: Number(partition), offset: Number(offset), value })
      }
      resolve(acks)
    })
  })
}

describe('crash safety (fsync mode, SIGKILL)', () => {
  it('keeps every acknowledged record, in order, across two kills', async () => {
    const dataDir = await makeTmpDir()
    const acks = [...(await runAndKill(dataDir, 'r1', 400)), ...(await runAndKill(dataDir, 'r2', 400))]
    expect(acks.length).toBeGreaterThan(600)

    const logs = await openManager(dataDir, { clusterId: 'crash', fsync: true })
    for (const partition of [0, 1]) {
      const log = logs.getPartition('crash', partition)!
      const stored = new Map<number, string>()
      let next = 0
      while (next < log.highWatermark) {
        const r = await log.read(next, { maxBytes: 1 << 20, minOneMessage: true })
        const recs = recordsOf(r.records, next)
        expect(recs.length).toBeGreaterThan(0)
        for (const rec of recs) {
          expect(rec.offset).toBe(next) // contiguous, in order
          stored.set(rec.offset, rec.value)
          next++
        }
      }
      const mine = acks.filter((a) => a.partition === partition)
      expect(mine.length).toBeGreaterThan(0)
      for (const a of mine) {
        expect(stored.get(a.offset)).toBe(a.value)
        expect(stored.get(a.offset + 1)).toBe(`${a.value}b`)
      }
      expect(log.segments().length).toBeGreaterThan(1)
    }
    await logs.close()
  })
})
