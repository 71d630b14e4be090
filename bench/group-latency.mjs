#!/usr/bin/env node
// Consumer-group latency with kafkajs 2.2.4:
//   first_msg_ms   a fresh consumer group's time from run() (right after subscribe, as the
//                  kafkajs workload of ../shared/perf/kjs.mjs measures it) to its first message;
//                  also from connect() (connect + subscribe + join + sync + fetch).
//   rebalance_ms   a third member joins a Stable group of two: from the last member's
//                  JoinGroup reaching the broker to every SyncGroup of the new generation
//                  answered (broker-side timestamps from the coordinator's observer; only
//                  when the broker runs in this process). Client side: the last GROUP_JOIN
//                  event's own duration, and the wall time from the third member's run() to
//                  all three members joined (that includes the members' heartbeat interval,
//                  which is how they learn of the rebalance).
//
// Usage:
//   npm run build && node bench/group-latency.mjs [--rounds 5] [--heartbeat-ms 3000] [--save]
//   node bench/group-latency.mjs --bootstrap 127.0.0.1:9092   # any broker; client-side figures only
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import kafkajs from 'kafkajs'

const { Kafka, logLevel } = kafkajs
const here = dirname(fileURLToPath(import.meta.url))

function parseArgs(argv) {
  const o = { rounds: 5, heartbeatMs: 3000, bootstrap: null, save: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--rounds') o.rounds = Number(argv[++i])
    else if (a === '--heartbeat-ms') o.heartbeatMs = Number(argv[++i])
    else if (a === '--bootstrap') o.bootstrap = argv[++i]
    else if (a === '--save') o.save = true
    else throw new Error(`unknown argument ${a}`)
  }
  return o
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return null
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const round2 = (x) => (x === null ? null : Math.round(x * 100) / 100)

// Brokers without CreateTopics (librdkafka's mock cluster) auto-create topics on first use.
async function createTopic(admin, topic, numPartitions) {
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true }).catch(() => {})
}

async function firstMessage(kafka, admin, round) {
  const topic = `bench-first-${process.pid}-${round}`
  await createTopic(admin, topic, 1)
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ value: `v${i}` })) })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: `bench-first-${process.pid}-${round}` })
  const tConnect = performance.now()
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  let tRun = 0
  const tFirst = await new Promise((resolve, reject) => {
    let done = false
    tRun = performance.now()
    consumer.run({
      eachBatch: async ({ batch }) => {
        if (!done && batch.messages.length > 0) { done = true; resolve(performance.now()) }
      },
    }).catch(reject)
  })
  await consumer.disconnect()
  await admin.deleteTopics({ topics: [topic] }).catch(() => {})
  return { first_msg_ms: tFirst - tRun, first_msg_from_connect_ms: tFirst - tConnect }
}

async function rebalance(kafka, admin, round, o, groups) {
  const topic = `bench-rebalance-${process.pid}-${round}`
  const groupId = `bench-rebalance-${process.pid}-${round}`
  await createTopic(admin, topic, 6)
  const settings = { groupId, heartbeatInterval: o.heartbeatMs, sessionTimeout: Math.max(10_000, o.heartbeatMs * 4) }
  const consumers = []
  const joins = []
  const start = async () => {
    const c = kafka.consumer(settings)
    const index = consumers.length
    c.on(c.events.GROUP_JOIN, (e) => joins.push({ index, t: performance.now(), duration: e.payload.duration }))
    await c.connect()
    await c.subscribe({ topics: [topic] })
    await c.run({ eachMessage: async () => {} })
    consumers.push(c)
    return c
  }
  await start()
  await start()
  const waitJoins = async (n, members) => {
    const deadline = Date.now() + 60_000
    for (;;) {
      const latest = new Map()
      for (const j of joins) latest.set(j.index, j)
      if (latest.size >= members && joins.length >= n) return [...latest.values()]
      if (Date.now() > deadline) throw new Error('rebalance did not complete')
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  await waitJoins(1, 2)
  // Let the group settle (both members joined the same generation).
  await new Promise((r) => setTimeout(r, o.heartbeatMs + 500))

  // Broker-side: every JoinGroup and SyncGroup of this group from now on.
  const events = []
  const observer = groups ? { ...groups.observer } : null
  if (groups) {
    groups.observer = {
      joinReceived: (e) => { if (e.groupId === groupId) events.push({ kind: 'join', ...e, t: performance.now() }) },
      joinAnswered: (e) => { if (e.groupId === groupId) events.push({ kind: 'joined', ...e, t: performance.now() }) },
      syncAnswered: (e) => { if (e.groupId === groupId) events.push({ kind: 'sync', ...e, t: performance.now() }) },
    }
  }
  const joinsBefore = joins.length
  const t0 = performance.now()
  await start()
  // All three members report GROUP_JOIN for the new generation.
  const deadline = Date.now() + 60_000
  while (new Set(joins.slice(joinsBefore).map((j) => j.index)).size < 3) {
    if (Date.now() > deadline) throw new Error('third member rebalance did not complete')
    await new Promise((r) => setTimeout(r, 5))
  }
  const after = joins.slice(joinsBefore)
  const tAll = Math.max(...after.map((j) => j.t))
  const lastJoinEvent = after.reduce((a, b) => (b.t > a.t ? b : a))
  const out = {
    rebalance_wall_ms: tAll - t0,
    rebalance_client_last_join_duration_ms: lastJoinEvent.duration,
    rebalance_ms: null,
  }
  if (groups) {
    groups.observer = observer
    // The new generation is the highest one answered to a JoinGroup; its join phase ended at
    // its first JoinGroup answer, and the JoinGroup that ended it is the last one received before.
    const answered = events.filter((e) => e.kind === 'joined' && e.errorCode === 0)
    const generation = Math.max(...answered.map((e) => e.generationId))
    const joinPhaseEnd = Math.min(...answered.filter((e) => e.generationId === generation).map((e) => e.t))
    const members = new Set(answered.filter((e) => e.generationId === generation).map((e) => e.memberId))
    const lastJoin = Math.max(...events.filter((e) => e.kind === 'join' && e.t <= joinPhaseEnd).map((e) => e.t))
    const syncs = events.filter((e) => e.kind === 'sync' && e.errorCode === 0 && members.has(e.memberId))
    const lastSync = Math.max(...syncs.map((e) => e.t))
    out.rebalance_ms = syncs.length >= 3 ? lastSync - lastJoin : null
  }
  for (const c of consumers) await c.disconnect()
  await admin.deleteTopics({ topics: [topic] }).catch(() => {})
  return out
}

async function main() {
  const o = parseArgs(process.argv.slice(2))
  let broker = null
  let bootstrap = o.bootstrap
  if (!bootstrap) {
    const { startBroker } = await import(join(here, '..', 'dist', 'index.js'))
    broker = await startBroker({ logLevel: 'warn' })
    bootstrap = broker.bootstrap
  }
  const groups = broker?.services?.groups ?? null
  const kafka = new Kafka({ clientId: 'bench-groups', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const rounds = []
  for (let r = 0; r < o.rounds; r++) {
    const first = await firstMessage(kafka, admin, r)
    const reb = await rebalance(kafka, admin, r, o, groups)
    const row = { round: r, ...first, ...reb }
    rounds.push(row)
    console.log(JSON.stringify(row))
  }
  await admin.disconnect()
  await broker?.stop()
  const keys = Object.keys(rounds[0]).filter((k) => k !== 'round')
  const summary = { target: o.bootstrap ?? 'brook (in-process)', rounds: o.rounds, heartbeat_ms: o.heartbeatMs, node: process.version }
  for (const k of keys) summary[`${k}_p50`] = round2(median(rounds.map((x) => x[k])))
  console.log(JSON.stringify({ summary }))
  if (o.save) {
    const dir = join(here, 'results')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `group-latency-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
    writeFileSync(file, JSON.stringify({ summary, rounds }, null, 2) + '\n')
    console.log(`saved ${file}`)
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
