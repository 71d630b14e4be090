#!/usr/bin/env node
// Log cleaner benchmark, in one run:
//   1. cleaner throughput: one cleaning pass over a freshly filled, fully dirty compacted log
//      (MB of log read by the cleaning phase per second, Kafka's "MB/sec" figure; plus the whole
//      pass including the key map), with no other load;
//   2. produce throughput and send latency (kafkajs, acks=all) while the cleaner compacts another
//      freshly filled log, against the same produce workload with the cleaner idle, alternating
//      the order per round (off/on, on/off, ...); medians over rounds and their ratio.
// The broker runs in a child process (so the client's own CPU does not share its event loop);
// the parent drives it over stdin/stdout with one JSON line per command.
//
// Usage:
//   node bench/cleaner.mjs [--rounds 3] [--fill-mb 192] [--keys 20000] [--value-bytes 200]
//                          [--codec none|gzip|snappy|lz4|zstd] [--cleaner-max-mbps N] [--save]
//   --cleaner-max-mbps sets log.cleaner.io.max.bytes.per.second (read + write) for the rounds
//   with produce load (the standalone pass always runs unthrottled).
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..')
const CODECS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }

function parseArgs(argv) {
  const o = { rounds: 3, fillMb: 192, keys: 20000, valueBytes: 200, codec: 'none', save: false, sendMessages: 100, messageBytes: 100, senders: 4, cleanerMaxMBps: null }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--rounds') o.rounds = Number(argv[++i])
    else if (a === '--fill-mb') o.fillMb = Number(argv[++i])
    else if (a === '--keys') o.keys = Number(argv[++i])
    else if (a === '--value-bytes') o.valueBytes = Number(argv[++i])
    else if (a === '--codec') o.codec = argv[++i]
    else if (a === '--senders') o.senders = Number(argv[++i])
    else if (a === '--cleaner-max-mbps') o.cleanerMaxMBps = Number(argv[++i])
    else if (a === '--save') o.save = true
    else throw new Error(`unknown argument ${a}`)
  }
  if (!(o.codec in CODECS)) throw new Error(`unknown codec ${o.codec}`)
  return o
}

// ---------------------------------------------------------------- broker side (child process)

async function brokerMain(distDir, dataDir) {
  const imp = (p) => import(pathToFileURL(join(distDir, p)).href)
  const { startBroker } = await imp('index.js')
  const { buildBatch } = await imp('records/index.js')
  const broker = await startBroker({ port: 0, dataDir, logLevel: 'warn' })
  const logs = broker.services.logs
  // Only the bench starts cleaning passes.
  logs.setBrokerConfigLayers({ dynamicDefault: { 'log.cleaner.enable': 'false' } })
  const reply = (o) => process.stdout.write(`${JSON.stringify(o)}\n`)
  let cleaning = null

  const commands = {
    async fill({ topic, mb, keys, valueBytes, codec }) {
      const t = await logs.createTopic(
        { name: topic, numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(8 << 20), 'file.delete.delay.ms': '0' } },
        { validateOnly: false },
      )
      const log = t.partitions[0]
      // values of random lowercase letters: compressible roughly like text (~60 %), never identical
      const pool = Buffer.from(Array.from({ length: 1 << 20 }, () => 97 + Math.floor(Math.random() * 26)))
      const perBatch = 100
      let n = 0
      const inflight = new Set()
      while (log.sizeBytes < mb * 1024 * 1024) {
        const records = []
        for (let i = 0; i < perBatch; i++, n++) {
          // keys drawn so that every key has ~ (records / keys) versions spread over the log
          const k = (n * 7919) % keys
          const at = (n * 4099) % (pool.length - valueBytes)
          records.push({ offsetDelta: i, timestampMs: Date.now(), key: Buffer.from(`key-${k}`), value: pool.subarray(at, at + valueBytes) })
        }
        const p = buildBatch(records, { baseOffset: 0, compression: codec }).then((b) => log.append(b, { requiredAcks: 1 }))
        inflight.add(p)
        p.finally(() => inflight.delete(p))
        if (inflight.size >= 32) await Promise.race(inflight)
      }
      await Promise.all(inflight)
      await log.roll()
      return { bytes: log.sizeBytes, records: n, segments: log.segments().length }
    },
    async clean({ topic }) {
      const log = logs.getTopic(topic).partitions[0]
      const pass = await logs.policies.cleaner.cleanLog(log)
      return { pass, bytesAfter: log.sizeBytes }
    },
    async 'clean-start'({ topic }) {
      const log = logs.getTopic(topic).partitions[0]
      const started = performance.now()
      cleaning = logs.policies.cleaner.cleanLog(log).then((pass) => ({ pass, wallMs: performance.now() - started }))
      cleaning.then((r) => reply({ event: 'clean-done', ...r }))
      return { started: true }
    },
    async 'clean-wait'() {
      const r = await cleaning
      cleaning = null
      return r
    },
    async throttle({ mbps }) {
      const layer = { 'log.cleaner.enable': 'false' }
      if (mbps) layer['log.cleaner.io.max.bytes.per.second'] = String(mbps * 1024 * 1024)
      logs.setBrokerConfigLayers({ dynamicDefault: layer })
      return { mbps }
    },
    async drop({ topic }) {
      await logs.deleteTopic(topic)
      return { dropped: topic }
    },
    async exit() {
      await broker.stop()
      setImmediate(() => process.exit(0))
      return { bye: true }
    },
  }
  reply({ ready: true, bootstrap: broker.bootstrap })
  const rl = createInterface({ input: process.stdin })
  for await (const line of rl) {
    const msg = JSON.parse(line)
    try {
      reply({ id: msg.id, ok: true, result: await commands[msg.cmd](msg) })
    } catch (err) {
      reply({ id: msg.id, ok: false, error: String(err?.stack ?? err) })
    }
  }
}

// ---------------------------------------------------------------- driver (parent process)

function transpile() {
  const ts = tsModule
  const root = join(repo, `.brook-test-bench-${process.pid}`)
  const src = join(repo, 'src')
  const dist = join(root, 'dist')
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []))
  for (const file of walk(src)) {
    const out = ts.transpileModule(readFileSync(file, 'utf8'), { fileName: file, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } })
    const target = join(dist, relative(src, file)).replace(/\.ts$/, '.js')
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, out.outputText)
  }
  copyFileSync(join(repo, 'package.json'), join(root, 'package.json'))
  return { root, dist }
}

let tsModule = null

function startChild(distDir, dataDir) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--broker', distDir, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] })
  const waiting = new Map()
  const events = []
  let ready
  const readyP = new Promise((r) => (ready = r))
  let next = 1
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line)
    if (msg.ready) return ready(msg)
    if (msg.event) return events.push(msg)
    const w = waiting.get(msg.id)
    waiting.delete(msg.id)
    if (msg.ok) w.resolve(msg.result)
    else w.reject(new Error(msg.error))
  })
  const call = (cmd, args = {}) =>
    new Promise((resolve, reject) => {
      const id = next++
      waiting.set(id, { resolve, reject })
      child.stdin.write(`${JSON.stringify({ id, cmd, ...args })}\n`)
    })
  return { child, call, ready: readyP, events }
}

const quantile = (xs, q) => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}
const median = (xs) => quantile(xs, 0.5)
const mib = (b) => b / (1024 * 1024)
const r2 = (x) => (x === null || x === undefined ? null : Math.round(x * 100) / 100)

/** kafkajs producers sending batches of o.sendMessages until stop() resolves; per-send latency. */
async function produceWhile(kafka, topic, o, until) {
  const producers = []
  for (let i = 0; i < o.senders; i++) {
    const p = kafka.producer({ allowAutoTopicCreation: false })
    await p.connect()
    producers.push(p)
  }
  const value = Buffer.alloc(o.messageBytes, 97)
  const messages = Array.from({ length: o.sendMessages }, (_, i) => ({ key: `k${i}`, value }))
  const latencies = []
  let sent = 0
  let stop = false
  const t0 = performance.now()
  const loops = producers.map(async (p) => {
    while (!stop) {
      const t = performance.now()
      await p.send({ topic, acks: -1, messages })
      latencies.push(performance.now() - t)
      sent += messages.length
    }
  })
  await until()
  stop = true
  await Promise.all(loops)
  const seconds = (performance.now() - t0) / 1000
  await Promise.all(producers.map((p) => p.disconnect()))
  return {
    seconds,
    msgsPerSec: sent / seconds,
    mbPerSec: (sent * o.messageBytes) / seconds / 1e6,
    p50Ms: median(latencies),
    p99Ms: quantile(latencies, 0.99),
    sends: latencies.length,
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2))
  tsModule = (await import('typescript')).default
  const { Kafka, logLevel } = (await import('kafkajs')).default
  const build = transpile()
  const dataDir = mkdtempSync(join(tmpdir(), 'brook-bench-cleaner-'))
  const broker = startChild(build.dist, dataDir)
  try {
    const { bootstrap } = await broker.ready
    const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-cleaner', logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    const codec = CODECS[o.codec]
    const fillArgs = { mb: o.fillMb, keys: o.keys, valueBytes: o.valueBytes, codec }

    // 1. standalone cleaner throughput
    const filled = await broker.call('fill', { topic: 'clean-alone', ...fillArgs })
    const alone = await broker.call('clean', { topic: 'clean-alone' })
    await broker.call('drop', { topic: 'clean-alone' })
    const pass = alone.pass
    const standalone = {
      logMB: mib(filled.bytes),
      records: filled.records,
      cleanMBps: mib(pass.stats.bytesRead) / ((pass.elapsedMs - pass.mapElapsedMs) / 1000),
      passMBps: mib(pass.stats.bytesRead) / (pass.elapsedMs / 1000),
      mapMBps: mib(pass.stats.mapBytesRead) / (pass.mapElapsedMs / 1000),
      seconds: pass.elapsedMs / 1000,
      afterMB: mib(alone.bytesAfter),
    }
    console.error(`standalone pass: ${standalone.logMB.toFixed(1)} MiB -> ${standalone.afterMB.toFixed(1)} MiB in ${standalone.seconds.toFixed(2)} s`)

    // 2. produce with and without the cleaner, alternating (after a warm-up of client and broker)
    if (o.cleanerMaxMBps) await broker.call('throttle', { mbps: o.cleanerMaxMBps })
    await admin.createTopics({ topics: [{ topic: 'warm-up', numPartitions: 1 }] })
    await produceWhile(kafka, 'warm-up', o, () => new Promise((r) => setTimeout(r, 3000)))
    await admin.deleteTopics({ topics: ['warm-up'] })
    const rows = { off: [], on: [], cleanUnderLoad: [] }
    let windowMs = null
    for (let round = 0; round < o.rounds; round++) {
      const order = round % 2 === 0 ? ['off', 'on'] : ['on', 'off']
      const dirty = `clean-round-${round}`
      await broker.call('fill', { topic: dirty, ...fillArgs })
      for (const mode of order) {
        const topic = `produce-${mode}-${round}`
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
        if (mode === 'on') {
          const t0 = performance.now()
          await broker.call('clean-start', { topic: dirty })
          // produce for as long as the pass runs
          const res = await produceWhile(kafka, topic, o, async () => {
            const { pass } = await broker.call('clean-wait')
            rows.cleanUnderLoad.push(mib(pass.stats.bytesRead) / (pass.elapsedMs / 1000))
          })
          windowMs = performance.now() - t0
          rows.on.push(res)
        } else {
          // the same window as the last cleaning round (the standalone pass's length before the first)
          const ms = windowMs ?? standalone.seconds * 1000
          rows.off.push(await produceWhile(kafka, topic, o, () => new Promise((r) => setTimeout(r, ms))))
        }
        console.error(`round ${round} ${mode}: ${JSON.stringify(rows[mode].at(-1), (k, v) => (typeof v === 'number' ? r2(v) : v))}`)
        await admin.deleteTopics({ topics: [topic] })
      }
      await broker.call('drop', { topic: dirty })
    }
    await admin.disconnect()

    const metric = (mode, key) => median(rows[mode].map((r) => r[key]))
    const table = [
      ['produce msgs/s', metric('off', 'msgsPerSec'), metric('on', 'msgsPerSec')],
      ['produce MB/s', metric('off', 'mbPerSec'), metric('on', 'mbPerSec')],
      ['send p50 ms', metric('off', 'p50Ms'), metric('on', 'p50Ms')],
      ['send p99 ms', metric('off', 'p99Ms'), metric('on', 'p99Ms')],
    ]
    const lines = []
    lines.push(`# Log cleaner benchmark (${new Date().toISOString()})`)
    lines.push('')
    lines.push(`Node ${process.version}; broker in a child process; kafkajs 2.2.4 producers (${o.senders} x sends of ${o.sendMessages} x ${o.messageBytes} B, acks=all).`)
    lines.push(`Dirty compacted log per pass: ${o.fillMb} MiB, ${o.keys} keys, ${o.valueBytes} B values (random letters), batches of 100 records, codec ${o.codec}, segment.bytes 8 MiB; ${o.rounds} rounds, medians.`)
    if (o.cleanerMaxMBps) lines.push(`Cleaner throttled to ${o.cleanerMaxMBps} MiB/s (log.cleaner.io.max.bytes.per.second) in the produce rounds.`)
    lines.push('')
    lines.push('## Cleaner throughput (no other load)')
    lines.push('')
    lines.push('| figure | value |')
    lines.push('| --- | --- |')
    lines.push(`| log compacted | ${standalone.logMB.toFixed(1)} MiB (${standalone.records} records) -> ${standalone.afterMB.toFixed(1)} MiB |`)
    lines.push(`| cleaning phase (Kafka's MB/sec) | ${standalone.cleanMBps.toFixed(1)} MiB/s |`)
    lines.push(`| whole pass incl. key map | ${standalone.passMBps.toFixed(1)} MiB/s (${standalone.seconds.toFixed(2)} s) |`)
    lines.push(`| key map phase | ${standalone.mapMBps.toFixed(1)} MiB/s |`)
    lines.push(`| whole pass while producing (median) | ${(median(rows.cleanUnderLoad) ?? NaN).toFixed(1)} MiB/s |`)
    lines.push('')
    lines.push('## Produce while the cleaner runs vs idle')
    lines.push('')
    lines.push('| metric | cleaner idle | cleaner running | ratio (running / idle) |')
    lines.push('| --- | --- | --- | --- |')
    for (const [name, off, on] of table) lines.push(`| ${name} | ${r2(off)} | ${r2(on)} | ${off ? (on / off).toFixed(2) : 'n/a'} |`)
    const report = lines.join('\n')
    console.log(report)
    if (o.save) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      mkdirSync(join(here, 'results'), { recursive: true })
      writeFileSync(join(here, 'results', `cleaner-${stamp}.md`), `${report}\n`)
      writeFileSync(join(here, 'results', `cleaner-${stamp}.json`), `${JSON.stringify({ options: o, standalone, rows }, null, 1)}\n`)
    }
    await broker.call('exit')
  } finally {
    broker.child.kill()
    rmSync(build.root, { recursive: true, force: true })
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--broker') {
  await brokerMain(process.argv[3], process.argv[4])
} else {
  await main()
}
