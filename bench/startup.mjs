#!/usr/bin/env node
// Startup time and idle memory of Brook, against the issue 2 targets:
//   `brook serve` answering ApiVersions within 300 ms of process spawn (Kafka 4.1: about 4 s)
//   startBroker() resolving within 20 ms (in-process)
//   idle RSS under 80 MB after start (Kafka 4.1: about 480 MB)
//
//   node bench/startup.mjs [--runs 11] [--idle-ms 2000] [--json FILE]
//
// serve: spawn `node dist/cli/main.js serve` (fresh temp data dir) and poll the port with
// ApiVersions v0 every 2 ms; the time is spawn -> first answer. startBroker(): measured in fresh
// Node processes (cold: import of dist/index.js plus the first call; the target is about the
// call) and as warm calls in one process, memory-only (its default) and with a data dir.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { CLI, ROOT, ensureBuilt, freePort, waitForApiVersions } from '../compat/lib/broker.mjs'

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '11' },
    'idle-ms': { type: 'string', default: '2000' },
    json: { type: 'string' },
    child: { type: 'string' }, // internal: in-process measurement in a fresh process
  },
})
const INDEX = join(ROOT, 'dist', 'index.js')

const median = (a) => {
  const s = [...a].sort((x, y) => x - y)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const stats = (a) => ({ median: median(a), min: Math.min(...a), max: Math.max(...a), runs: a.length })
const ms = (v) => `${v.toFixed(1)} ms`
const rssMb = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN)
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 }
}

// ---- child mode: one fresh process measuring startBroker() ---------------------------------
if (opt.child) {
  const dataDir = opt.child === 'disk' ? mkdtempSync(join(tmpdir(), 'brook-startup-')) : undefined
  const t0 = performance.now()
  const { startBroker } = await import(pathToFileURL(INDEX).href)
  const t1 = performance.now()
  const b = await startBroker({ port: 0, ...(dataDir ? { dataDir } : {}) })
  const t2 = performance.now()
  await b.stop()
  const warm = []
  for (let i = 0; i < 5; i++) {
    const dir = dataDir ? mkdtempSync(join(tmpdir(), 'brook-startup-')) : undefined
    const s = performance.now()
    const b2 = await startBroker({ port: 0, ...(dir ? { dataDir: dir } : {}) })
    warm.push(performance.now() - s)
    await b2.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstCallMs: t2 - t1, warmMs: warm }) + '\n')
  process.exit(0)
}

function runChild(mode) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--child', mode], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`child exited ${code}`))))
  })
}

async function serveOnce({ idleMs }) {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'brook-startup-'))
  const t0 = performance.now()
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  try {
    await waitForApiVersions({ port, child, timeoutMs: 15000, intervalMs: 2 })
    const answerMs = performance.now() - t0
    let mem = null
    if (idleMs > 0) {
      await new Promise((r) => setTimeout(r, idleMs))
      mem = rssMb(child.pid)
    }
    return { answerMs, mem }
  } catch (err) {
    throw new Error(`${err.message}\n${stderr.slice(-2000)}`)
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
    rmSync(dataDir, { recursive: true, force: true })
  }
}

ensureBuilt({ log: (m) => console.error(m.replace(/^compat:/, 'bench:')) })
const runs = Number(opt.runs)
const idleMs = Number(opt['idle-ms'])

const serve = []
const idle = []
for (let i = 0; i < runs; i++) {
  // measure idle memory on the first three runs only (it adds idleMs per run)
  const r = await serveOnce({ idleMs: i < 3 ? idleMs : 0 })
  serve.push(r.answerMs)
  if (r.mem) idle.push(r.mem)
}
// context: what a bare `node -e 0` costs on this machine right now
const bareNode = []
for (let i = 0; i < runs; i++) {
  const t0 = performance.now()
  await new Promise((r) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('exit', r))
  bareNode.push(performance.now() - t0)
}
const coldMem = []
const coldDisk = []
for (let i = 0; i < Math.min(runs, 7); i++) {
  coldMem.push(await runChild('memory'))
  coldDisk.push(await runChild('disk'))
}
const result = {
  serveAnswerMs: stats(serve),
  bareNodeMs: stats(bareNode),
  idleRssMb: stats(idle.map((m) => m.rss)),
  idlePeakRssMb: stats(idle.map((m) => m.hwm)),
  startBrokerMemory: { firstCallMs: stats(coldMem.map((c) => c.firstCallMs)), warmMs: stats(coldMem.flatMap((c) => c.warmMs)), importMs: stats(coldMem.map((c) => c.importMs)) },
  startBrokerDisk: { firstCallMs: stats(coldDisk.map((c) => c.firstCallMs)), warmMs: stats(coldDisk.flatMap((c) => c.warmMs)) },
  node: process.version,
  at: new Date().toISOString(),
}

const verdict = (ok) => (ok ? 'met' : 'NOT met')
const rows = [
  ['`brook serve`: spawn → ApiVersions answered', `${ms(result.serveAnswerMs.median)} (min ${ms(result.serveAnswerMs.min)}, max ${ms(result.serveAnswerMs.max)}, ${runs} runs)`, '< 300 ms', verdict(result.serveAnswerMs.median < 300)],
  ['(context) bare `node -e 0`, spawn → exit', ms(result.bareNodeMs.median), '', ''],
  ['startBroker() first call in a fresh process (memory-only)', `${ms(result.startBrokerMemory.firstCallMs.median)} (import of dist/index.js: ${ms(result.startBrokerMemory.importMs.median)})`, '< 20 ms', verdict(result.startBrokerMemory.firstCallMs.median < 20)],
  ['startBroker() warm calls (memory-only)', ms(result.startBrokerMemory.warmMs.median), '< 20 ms', verdict(result.startBrokerMemory.warmMs.median < 20)],
  ['startBroker({ dataDir }) first call / warm', `${ms(result.startBrokerDisk.firstCallMs.median)} / ${ms(result.startBrokerDisk.warmMs.median)}`, '< 20 ms', verdict(result.startBrokerDisk.firstCallMs.median < 20)],
  [`idle RSS ${idleMs} ms after start`, `${result.idleRssMb.median.toFixed(1)} MB (peak during start ${result.idlePeakRssMb.median.toFixed(1)} MB)`, '< 80 MB', verdict(result.idleRssMb.median < 80)],
]
console.log('| measure | measured (median) | target | |\n| --- | --- | --- | --- |')
for (const r of rows) console.log(`| ${r.join(' | ')} |`)
if (opt.json) writeFileSync(opt.json, JSON.stringify(result, null, 2))
