// kafkajs consumer groups against Brook: three consumers share a 6-partition topic; one
// leaves, one crashes (a child process killed with SIGKILL: no LeaveGroup, so only its
// session timeout removes it), one joins. After each rebalance every partition has exactly
// one owner and no committed message is consumed twice; a restarted broker still has the
// offsets and a new member resumes from them.
import type { ChildProcess } from 'node:child_process'
import { AssignerProtocol, Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { GroupLedger } from '../helpers/group-ledger.js'
import { untilWithin } from '../helpers/until.js'

const TOPIC = 'groups-kjs'
const GROUP = 'groups-kjs-group'
const PARTITIONS = 6
const SESSION_TIMEOUT_MS = 1500
const HEARTBEAT_MS = 100
const consumerSettings = { groupId: GROUP, sessionTimeout: SESSION_TIMEOUT_MS, rebalanceTimeout: 5000, heartbeatInterval: HEARTBEAT_MS, maxWaitTimeInMs: 50 }

// Every message a consumer processed and committed (the commit succeeded before it was recorded).
const ledger = new GroupLedger()
const { committed } = ledger

const until = untilWithin({ timeoutMs: 15_000, intervalMs: 25 })

async function startConsumer(kafka: Kafka, name: string): Promise<Consumer> {
  const consumer = kafka.consumer(consumerSettings)
  await consumer.connect()
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const offset = Number(message.offset)
      try {
        await consumer.commitOffsets([{ topic, partition, offset: String(offset + 1) }])
        committed.push({ consumer: name, partition, offset })
      } catch {
        // Fenced by a rebalance: not committed, the next owner may read it again.
      }
    },
  })
  return consumer
}

// A consumer in its own process, so that it can die without leaving the group.
function startChildConsumer(bootstrap: string, name: string): ChildProcess {
  const script = `
    const { Kafka, logLevel } = require('kafkajs')
    const kafka = new Kafka({ brokers: [${JSON.stringify(bootstrap)}], logLevel: logLevel.NOTHING })
    const consumer = kafka.consumer(${JSON.stringify(consumerSettings)})
    ;(async () => {
      await consumer.connect()
      await consumer.subscribe({ topics: [${JSON.stringify(TOPIC)}], fromBeginning: true })
      await consumer.run({ autoCommit: false, eachMessage: async ({ topic, partition, message }) => {
        const offset = Number(message.offset)
        try {
          await consumer.commitOffsets([{ topic, partition, offset: String(offset + 1) }])
          process.stdout.write(JSON.stringify({ partition, offset }) + '\\n')
        } catch {}
      } })
    })()`
  return ledger.spawnConsumer(name, ['-e', script])
}

async function produce(producer: Producer, perPartition: number): Promise<void> {
  await producer.send({ topic: TOPIC, messages: ledger.nextMessages(PARTITIONS, perPartition) })
}

async function expectStable(admin: Admin, groupId: string, members: number): Promise<void> {
  await until(`group ${groupId} stable with ${members}`, async () => {
    const g = (await admin.describeGroups([groupId])).groups[0]
    return g.state === 'Stable' && g.members.length === members
  })
}

// The group as the broker sees it: Stable, n members, every partition owned exactly once.
async function expectBalanced(admin: Admin, members: number): Promise<Map<string, number[]>> {
  let owners = new Map<string, number[]>()
  await until(`a stable group of ${members}`, async () => {
    const { groups } = await admin.describeGroups([GROUP])
    const g = groups[0]
    if (g.state !== 'Stable' || g.members.length !== members) return false
    owners = new Map(g.members.map((m) => [m.memberId, AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[TOPIC] ?? []]))
    return true
  })
  const all = [...owners.values()].flat().sort((a, b) => a - b)
  expect(all).toEqual([0, 1, 2, 3, 4, 5])
  for (const partitions of owners.values()) expect(partitions.length).toBeGreaterThan(0)
  return owners
}

async function committedOffsets(admin: Admin): Promise<number[]> {
  const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
  return t.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset))
}

function expectNoCommittedMessageTwice(): void {
  const seen = new Set<string>()
  for (const c of committed) {
    const key = `${c.partition}:${c.offset}`
    expect(seen.has(key), `message ${key} committed twice`).toBe(false)
    seen.add(key)
  }
}

describe('kafkajs consumer group on Brook', () => {
  let broker: TestBroker
  let kafka: Kafka
  let admin: Admin
  let producer: Producer

  beforeAll(async () => {
    broker = await startTestBroker({ config: { groupMinSessionTimeoutMs: 500 } })
    kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 50 } })
    admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] })
    producer = kafka.producer()
    await producer.connect()
  })

  afterAll(async () => {
    await producer?.disconnect().catch(() => {})
    await admin?.disconnect().catch(() => {})
    await broker?.stop()
  })

  it('shares partitions, rebalances on leave, crash and join, and keeps offsets across a restart', async () => {
    const c1 = await startConsumer(kafka, 'c1')
    const c2 = await startConsumer(kafka, 'c2')
    const crashing = startChildConsumer(broker.bootstrap, 'c3')
    try {
      await expectBalanced(admin, 3)
      await produce(producer, 10)
      await until('all messages consumed by three', () => committed.length >= ledger.produced)
      expect(await committedOffsets(admin)).toEqual(Array(PARTITIONS).fill(ledger.produced / PARTITIONS))

      // A member leaves (LeaveGroup).
      await c1.disconnect()
      await expectBalanced(admin, 2)
      await produce(producer, 5)
      await until('messages consumed by two', () => committed.length >= ledger.produced)

      // A member crashes: only its session timeout removes it.
      const died = new Promise((resolve) => crashing.once('exit', resolve))
      crashing.kill('SIGKILL')
      await died
      const crashedAt = Date.now()
      await expectBalanced(admin, 1)
      expect(Date.now() - crashedAt).toBeGreaterThan(SESSION_TIMEOUT_MS / 2)
      await produce(producer, 5)
      await until('messages consumed by one', () => committed.length >= ledger.produced)

      // A member joins.
      const c4 = await startConsumer(kafka, 'c4')
      await expectBalanced(admin, 2)
      await produce(producer, 5)
      await until('messages consumed after the join', () => committed.length >= ledger.produced)
      expectNoCommittedMessageTwice()
      expect(new Set(committed.map((c) => c.consumer))).toEqual(new Set(['c1', 'c2', 'c3', 'c4']))

      await c2.disconnect()
      await c4.disconnect()
    } finally {
      crashing.kill('SIGKILL')
    }
    const before = await committedOffsets(admin)
    expect(before).toEqual(Array(PARTITIONS).fill(ledger.produced / PARTITIONS))

    // The offsets survive a broker restart...
    await broker.restart()
    expect(await committedOffsets(admin)).toEqual(before)
    const { groups } = await admin.listGroups()
    expect(groups.map((g) => g.groupId)).toContain(GROUP)

    // ...and a new member resumes from them: it sees only what was produced since.
    const firstNew = ledger.produced
    await produce(producer, 2)
    const c5 = await startConsumer(kafka, 'c5')
    try {
      await until('the new member to catch up', () => committed.length >= ledger.produced)
      const c5Messages = committed.filter((c) => c.consumer === 'c5')
      expect(c5Messages).toHaveLength(ledger.produced - firstNew)
      for (const m of c5Messages) expect(m.offset).toBeGreaterThanOrEqual(before[m.partition])
      expectNoCommittedMessageTwice()
    } finally {
      await c5.disconnect()
    }
  })

  it('keeps running members through a broker restart without a rebalance', async () => {
    const topic = 'groups-kjs-restart'
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })
    const got: string[] = []
    const joins: string[] = []
    const consumers: Consumer[] = []
    for (let i = 0; i < 2; i++) {
      const c = kafka.consumer({ ...consumerSettings, groupId: 'groups-kjs-restart', sessionTimeout: 3000 })
      c.on(c.events.GROUP_JOIN, (e) => joins.push(e.payload.memberId))
      await c.connect()
      await c.subscribe({ topics: [topic], fromBeginning: true })
      await c.run({ eachMessage: async ({ message }) => { got.push(String(message.value)) } })
      consumers.push(c)
    }
    try {
      const send = (tag: string) => producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: `${tag}${i}`, partition: i % 4 })) })
      await expectStable(admin, 'groups-kjs-restart', 2)
      await send('a')
      await until('the first messages', () => got.length >= 20)
      const joinsBefore = joins.length
      const membersBefore = (await admin.describeGroups(['groups-kjs-restart'])).groups[0].members.map((m) => m.memberId).sort()
      await broker.restart()
      await send('b')
      await until('the messages after the restart', () => got.length >= 40)
      // The group was replayed as Stable with its members, who simply carried on.
      expect(joins.length).toBe(joinsBefore)
      const after = (await admin.describeGroups(['groups-kjs-restart'])).groups[0]
      expect(after.state).toBe('Stable')
      expect(after.members.map((m) => m.memberId).sort()).toEqual(membersBefore)
      expect(new Set(got).size).toBe(got.length)
    } finally {
      for (const c of consumers) await c.disconnect()
    }
  })

  it('describes, lists and deletes groups, resets offsets and shows lag through the admin client', async () => {
    const groupId = 'kjs-admin-group'
    await admin.setOffsets({ groupId, topic: TOPIC, partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '4' }] })
    const offsets = await admin.fetchOffsets({ groupId, topics: [TOPIC] })
    expect(offsets[0].partitions.filter((p) => p.offset !== '-1').map((p) => [p.partition, p.offset]).sort()).toEqual([[0, '3'], [1, '4']])
    // kafka-consumer-groups --describe: lag = log end offset - committed offset.
    const ends = await admin.fetchTopicOffsets(TOPIC)
    const lag = (partition: number) => Number(ends.find((e) => e.partition === partition)!.high) -
      Number(offsets[0].partitions.find((p) => p.partition === partition)!.offset)
    expect(lag(0)).toBe(ledger.produced / PARTITIONS - 3)
    expect(lag(1)).toBe(ledger.produced / PARTITIONS - 4)
    const { groups } = await admin.describeGroups([groupId])
    expect(groups[0]).toMatchObject({ groupId, state: 'Empty', members: [] })
    await admin.deleteGroups([groupId])
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId)
    await expect(admin.deleteGroups(['no-such-group'])).rejects.toThrow()
  })
})
