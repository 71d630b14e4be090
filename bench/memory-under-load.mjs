#!/usr/bin/env node
// Brook's resident memory under sustained produce load (issue 2: "memory bounded under
// sustained load"). Starts `brook serve` (temp data dir), then runs rdperf produce ROUNDS times
// back to back into one topic (optionally with a concurrent rdperf consumer reading it), sampling
// VmRSS of the broker every --sample-ms. Bounded means: RSS plateaus; the report gives RSS at
// start, per round (max), the peak, and the growth from the first to the last round.
//
//   node bench/memory-under-load.mjs [--rounds 4] [--messages 2000000] [--size 100] [--acks 1]
//        [--consume] [--sample-ms 100] [--json FILE]       PERF_DIR overrides ../shared/perf
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT, ensureBuilt, freePort, startBrook } from '../compat/lib/broker.mjs'

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    messages: { type: 'string', default: '2000000' },
    size: { type: 'string', default: '100' },
    acks: { type: 'string', default: '1' },
    consume: { type: 'boolean', default: false },
    'sample-ms': { type: 'string', default: '100' },
    json: { type: 'string' },
  },
})
const PERF_DIR = resolve(process.env.PERF_DIR ?? join(ROOT, '..', 'shared', 'perf'))
const RDPERF = join(PERF_DIR, 'bin', 'rdperf')
if (!existsSync(RDPERF)) {
  const r = spawnSync('make', ['-s', '-C', PERF_DIR], { stdio: 'inherit' })
  if (r.status !== 0 || !existsSync(RDPERF)) {
    console.error(`bench: ${RDPERF} missing and make failed (apt-get install -y librdkafka-dev build-essential pkg-config)`)
    process.exit(2)
  }
}

const rss = (pid) => {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/^VmRSS:\s+(\d+)/m.exec(s)[1]) / 1024
  } catch {
    return NaN
  }
}
const rdperf = (args) =>
  new Promise((res) => {
    const child = spawn(RDPERF, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (code) => {
      const line = out.split('\n').filter((l) => l.startsWith('{')).pop()
      res({ code, result: line ? JSON.parse(line) : null, err: err.slice(-500) })
    })
  })

ensureBuilt({ log: (m) => console.error(m.replace(/^compat:/, 'bench:')) })
const workDir = mkdtempSync(join(tmpdir(), 'brook-memload-'))
const dataDir = join(workDir, 'data')
mkdirSync(dataDir)
const port = await freePort()
const brook = await startBrook({ port, dataDir, logFile: join(workDir, 'brook.log'), extraArgs: ['--log-level', 'warn'] })
const pid = brook.child.pid
const topic = `memload-${Date.now()}`
const samples = [] // { t, mb, round }
let round = 0
const t0 = Date.now()
const sampler = setInterval(() => samples.push({ t: Date.now() - t0, mb: rss(pid), round }), Number(opt['sample-ms']))
const rounds = []
try {
  await new Promise((r) => setTimeout(r, 1000))
  const startMb = rss(pid)
  const created = await rdperf(['create', '-b', brook.bootstrap, '-t', topic, '-p', '1', '-T', '30'])
  if (created.code !== 0) throw new Error(`topic creation failed: ${created.err}`)
  for (round = 1; round <= Number(opt.rounds); round++) {
    const produce = rdperf(['produce', '-b', brook.bootstrap, '-t', topic, '-n', opt.messages, '-s', opt.size, '-a', opt.acks,
      '-l', '5', '-B', '1048576', '-T', '300', '-L', `memload/r${round}`])
    // the consumer starts a second into the round (at round 1 the log is still empty) and reads
    // from the start what the log holds then, while the producer keeps writing
    const consume = opt.consume
      ? new Promise((r) => setTimeout(r, 1000)).then(() => rdperf(['consume', '-b', brook.bootstrap, '-t', topic, '-n', String(Number(opt.messages) * round), '-T', '300']))
      : Promise.resolve(null)
    const [p, c] = await Promise.all([produce, consume])
    const endMb = rss(pid)
    const mine = samples.filter((s) => s.round === round).map((s) => s.mb).concat(endMb)
    rounds.push({
      round,
      produceMsgsPerS: p.result?.msgs_per_s ?? null,
      produceOk: p.result?.ok ?? false,
      consumeMsgsPerS: c?.result?.msgs_per_s ?? null,
      maxMb: Math.max(...mine),
      endMb,
    })
    const r = rounds.at(-1)
    console.error(`bench: round ${round}: produce ${r.produceOk ? Math.round(r.produceMsgsPerS) + ' msgs/s' : 'FAILED ' + p.err}` +
      `${c ? `, consume ${Math.round(r.consumeMsgsPerS ?? 0)} msgs/s` : ''}; RSS max ${r.maxMb.toFixed(1)} MB, end ${r.endMb.toFixed(1)} MB`)
  }
  await new Promise((r) => setTimeout(r, 2000))
  const idleAfterMb = rss(pid)
  clearInterval(sampler)
  const peakMb = Math.max(...samples.map((s) => s.mb), ...rounds.map((r) => r.maxMb))
  const growthMb = rounds.at(-1).maxMb - rounds[0].maxMb
  const totalMB = (Number(opt.messages) * Number(opt.size) * rounds.length) / 1e6
  const bounded = rounds.length < 2 || growthMb <= Math.max(16, 0.15 * rounds[0].maxMb)
  const result = { startMb, peakMb, idleAfterMb, growthFirstToLastRoundMb: growthMb, producedMB: totalMB, rounds, consume: opt.consume, samples }
  console.log(`| measure | value |\n| --- | --- |`)
  console.log(`| produced | ${rounds.length} rounds × ${opt.messages} × ${opt.size} B = ${totalMB.toFixed(0)} MB, acks=${opt.acks}${opt.consume ? ', with a concurrent consumer' : ''} |`)
  console.log(`| RSS before load | ${startMb.toFixed(1)} MB |`)
  console.log(`| RSS max per round | ${rounds.map((r) => r.maxMb.toFixed(1)).join(' / ')} MB |`)
  console.log(`| RSS peak | ${peakMb.toFixed(1)} MB |`)
  console.log(`| RSS 2 s after the load | ${idleAfterMb.toFixed(1)} MB |`)
  console.log(`| growth, first to last round | ${growthMb.toFixed(1)} MB: ${bounded ? 'bounded (plateau)' : 'GROWING'} |`)
  if (opt.json) writeFileSync(opt.json, JSON.stringify(result, null, 2))
  process.exitCode = bounded && rounds.every((r) => r.produceOk) ? 0 : 1
} finally {
  clearInterval(sampler)
  await brook.stop()
  rmSync(workDir, { recursive: true, force: true })
}
