// Crash safety of the cleaner's segment swap: a child process fills a compacted log, starts a
// cleaning pass and SIGKILLs itself right after one step of the swap (cleaned -> swap files, old
// files -> .deleted, swap -> final names, in-memory replace). Reopening must leave a consistent
// log with every key's latest value at its original offset and no temp files; a later pass
// still works. Leftovers from other interruptions (.cleaned files, an index .swap without its
// log) are simulated directly.
import { spawn } from 'node:child_process'
import { readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBatchRecords } from '../../src/records/index.js'
import type { PartitionLog } from '../../src/storage/partition-log.js'
import { type Build, buildForTests } from '../helpers/build.js'
import { cleanupTmpDirs, makeTmpDir, openManager, servedBatches } from './helpers.js'

const RECORDS = 300
const KEYS = 23
// every third record has a key of its own: losing any part of the log loses a latest value
const key = (i: number) => (i % 3 === 1 ? `u${i}` : `k${i % KEYS}`)
const value = (i: number) => `v${i}-${'x'.repeat(20)}`
const NO_BACKGROUND = { static: { 'log.cleaner.enable': 'false' } }

let build: Build
let childScript: string

beforeAll(() => {
  build = buildForTests()
  const dist = (p: string) => pathToFileURL(join(build.distDir, p)).href
  childScript = join(build.distDir, 'cleaner-crash-child.mjs')
  writeFileSync(
    childScript,
    `
import { LogManager } from '${dist('storage/log-manager.js')}'
import { defaultBrokerConfig } from '${dist('config/broker-config.js')}'
import { buildBatch } from '${dist('records/index.js')}'
const [dataDir, step] = process.argv.slice(2)
const noop = () => {}
const logger = { info: noop, warn: noop, error: noop, debug: noop, trace: noop, fatal: noop, child: () => logger }
const logs = await LogManager.open({ dataDir, config: { ...defaultBrokerConfig(), dataDir, clusterId: 'test-cluster' }, logger, brokerConfigLayers: ${JSON.stringify(NO_BACKGROUND)} })
const topic = await logs.createTopic({ name: 'compacted', numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '1500', 'file.delete.delay.ms': '0' } }, { validateOnly: false })
const log = topic.partitions[0]
for (let i = 0; i < ${RECORDS}; i++) {
  const batch = await buildBatch([{ offsetDelta: 0, timestampMs: Date.now(), key: Buffer.from(i % 3 === 1 ? 'u' + i : 'k' + (i % ${KEYS})), value: Buffer.from('v' + i + '-' + 'x'.repeat(20)) }], { baseOffset: 0, compression: i % 3 === 0 ? 1 : 0 })
  const r = await log.append(batch, { requiredAcks: -1 })
  if (r.errorCode !== 0 || r.baseOffset !== i) { process.stderr.write('append failed\\n'); process.exit(2) }
}
let swaps = 0
logs.policies.cleaner.onSwapStep = (s) => {
  if (s !== step) return
  // the second group's swap, so that one replacement already completed
  if (++swaps === 2) process.kill(process.pid, 'SIGKILL')
}
await logs.policies.cleaner.cleanLog(log)
process.stderr.write('cleaning finished without reaching step ' + step + '\\n')
process.exit(3)
`,
  )
})

afterAll(async () => {
  build?.remove()
  await cleanupTmpDirs()
})

function runChild(dataDir: string, step: string): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, dataDir, step], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }))
  })
}

async function readAll(log: PartitionLog): Promise<{ offset: number; key: string; value: string }[]> {
  const out: { offset: number; key: string; value: string }[] = []
  for await (const { bytes, fromOffset } of servedBatches(log)) {
    for (const rec of await readBatchRecords(bytes)) {
      if (rec.offset >= fromOffset) out.push({ offset: rec.offset, key: rec.key!.toString(), value: rec.value!.toString() })
    }
  }
  return out
}

/** The reopened log is consistent: original records at original offsets, latest value of every key. */
async function verify(dataDir: string): Promise<void> {
  const logs = await openManager(dataDir, {}, { brokerConfigLayers: NO_BACKGROUND })
  try {
    const log = logs.getTopic('compacted')!.partitions[0]
    expect(log.logEndOffset).toBe(RECORDS)
    const check = async () => {
      const recs = await readAll(log)
      for (let i = 1; i < recs.length; i++) expect(recs[i].offset).toBeGreaterThan(recs[i - 1].offset)
      for (const r of recs) expect(r).toEqual({ offset: r.offset, key: key(r.offset), value: value(r.offset) })
      const latest = new Map<string, number>()
      for (let i = 0; i < RECORDS; i++) latest.set(key(i), i)
      for (const [k, offset] of latest) expect(recs.filter((r) => r.key === k).at(-1)?.offset, k).toBe(offset)
      return recs
    }
    await check()
    const names = await readdir(join(dataDir, 'compacted-0'))
    expect(names.filter((n) => /\.(cleaned|swap|deleted)$/.test(n))).toEqual([])
    // a full pass after recovery completes and compacts everything below the active segment
    await logs.policies.cleaner.cleanLog(log)
    const recs = await check()
    const below = recs.filter((r) => r.offset < log.activeSegment.baseOffset)
    expect(new Set(below.map((r) => r.key)).size).toBe(below.length)
  } finally {
    await logs.close()
  }
}

describe('cleaner crash recovery', () => {
  for (const step of ['swap-files', 'old-deleted', 'renamed', 'replaced']) {
    it(`SIGKILL after the swap step "${step}": reopen completes the swap, nothing is lost`, async () => {
      const dataDir = await makeTmpDir()
      const res = await runChild(dataDir, step)
      expect(res.stderr).toBe('')
      expect(res.signal).toBe('SIGKILL')
      const names = await readdir(join(dataDir, 'compacted-0'))
      if (step === 'swap-files') expect(names.some((n) => n.endsWith('.log.swap'))).toBe(true)
      if (step === 'old-deleted') expect(names.some((n) => n.endsWith('.log.deleted'))).toBe(true)
      await verify(dataDir)
    })
  }

  it('a swap whose log never made it to .swap (crash while renaming) is rolled back', async () => {
    const dataDir = await makeTmpDir()
    expect((await runChild(dataDir, 'swap-files')).signal).toBe('SIGKILL')
    const dir = join(dataDir, 'compacted-0')
    const swapLog = (await readdir(dir)).find((n) => n.endsWith('.log.swap'))!
    // as if the crash came after the index files were renamed but before the log was
    await rename(join(dir, swapLog), join(dir, swapLog.replace(/\.swap$/, '.cleaned')))
    await verify(dataDir)
  })

  it('stray .cleaned files (a crash while writing the cleaned segment) are deleted; the originals serve', async () => {
    const dataDir = await makeTmpDir()
    expect((await runChild(dataDir, 'replaced')).signal).toBe('SIGKILL')
    const dir = join(dataDir, 'compacted-0')
    const base = (await readdir(dir)).find((n) => /^\d{20}\.log$/.test(n))!.slice(0, 20)
    await writeFile(join(dir, `${base}.log.cleaned`), Buffer.alloc(100, 1))
    await writeFile(join(dir, `${base}.index.cleaned`), Buffer.alloc(16, 1))
    await verify(dataDir)
  })
})
