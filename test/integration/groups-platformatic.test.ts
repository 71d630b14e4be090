// @platformatic/kafka consumer groups (JoinGroup v9, SyncGroup v5, OffsetCommit/Fetch v9,
// FindCoordinator v6) against Brook: the same leave / crash / join / restart scenario as
// the kafkajs test, plus the admin group calls.
import type { ChildProcess } from 'node:child_process'
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { GroupLedger } from '../helpers/group-ledger.js'
import { untilWithin } from '../helpers/until.js'

const TOPIC = 'groups-plt'
const GROUP = 'groups-plt-group'
const PARTITIONS = 6
const groupSettings = { sessionTimeout: 1500, heartbeatInterval: 100, rebalanceTimeout: 5000 }
const MAX_WAIT_MS = 50
// @platformatic/kafka delivers (and commits, rejoining first if fenced) the records of a
// Fetch issued under the previous assignment and answered after the rebalance, so right
// after a rebalance a partition can briefly reach its old owner too (a client trait: Kafka
// answers such a fetch the same way). The scenario waits that window out before producing.
const SETTLE_MS = MAX_WAIT_MS * 5

const ledger = new GroupLedger()
const { committed } = ledger

const until = untilWithin({ timeoutMs: 15_000, intervalMs: 25 })

async function startConsumer(bootstrap: string, name: string): Promise<Consumer<string, string, string, string>> {
  const consumer = new Consumer({ groupId: GROUP, clientId: name, bootstrapBrokers: [bootstrap], deserializers: stringDeserializers, ...groupSettings })
  const stream = await consumer.consume({ topics: [TOPIC], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: MAX_WAIT_MS, ...groupSettings })
  stream.on('data', (message: Message<string, string, string, string>) => {
    Promise.resolve(message.commit()).then(
      () => committed.push({ consumer: name, partition: message.partition, offset: Number(message.offset) }),
      () => {}, // fenced by a rebalance: not committed
    )
  })
  stream.on('error', () => {})
  return consumer
}

function startChildConsumer(bootstrap: string, name: string): ChildProcess {
  const script = `
    import { Consumer, stringDeserializers } from '@platformatic/kafka'
    const settings = ${JSON.stringify(groupSettings)}
    const consumer = new Consumer({ groupId: ${JSON.stringify(GROUP)}, clientId: ${JSON.stringify(name)}, bootstrapBrokers: [${JSON.stringify(bootstrap)}], deserializers: stringDeserializers, ...settings })
    const stream = await consumer.consume({ topics: [${JSON.stringify(TOPIC)}], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: 50, ...settings })
    stream.on('error', () => {})
    stream.on('data', (m) => {
      Promise.resolve(m.commit()).then(() => process.stdout.write(JSON.stringify({ partition: m.partition, offset: Number(m.offset) }) + '\\n'), () => {})
    })`
  return ledger.spawnConsumer(name, ['--input-type=module', '-e', script])
}

async function produce(producer: Producer<string, string, string, string>, perPartition: number): Promise<void> {
  await producer.send({ messages: ledger.nextMessages(PARTITIONS, perPartition).map((m) => ({ topic: TOPIC, ...m })) })
}

async function expectBalanced(admin: Admin, members: number): Promise<void> {
  let owned: number[] = []
  await until(`a stable group of ${members}`, async () => {
    const groups = await admin.describeGroups({ groups: [GROUP] })
    const g = groups.get(GROUP)
    if (!g || g.state !== 'STABLE' || g.members.size !== members) return false
    owned = [...g.members.values()].flatMap((m) => m.assignments?.get(TOPIC)?.partitions ?? [])
    return true
  })
  expect(owned.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5])
  await new Promise((r) => setTimeout(r, SETTLE_MS))
}

async function committedOffsets(admin: Admin, groupId = GROUP): Promise<number[]> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [{ groupId, topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2, 3, 4, 5] }] }] })
  const topic = group.topics.find((t) => t.name === TOPIC)
  return (topic?.partitions ?? []).sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => Number(p.committedOffset))
}

function expectNoCommittedMessageTwice(): void {
  const keys = committed.map((c) => `${c.partition}:${c.offset}`)
  expect(new Set(keys).size).toBe(keys.length)
}

describe('@platformatic/kafka consumer group on Brook', () => {
  let broker: TestBroker
  let admin: Admin
  let producer: Producer<string, string, string, string>

  beforeAll(async () => {
    broker = await startTestBroker({ config: { groupMinSessionTimeoutMs: 500 } })
    admin = new Admin({ clientId: 'plt-admin', bootstrapBrokers: [broker.bootstrap] })
    await admin.createTopics({ topics: [TOPIC], partitions: PARTITIONS, replicas: 1 })
    producer = new Producer({ clientId: 'plt-producer', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers })
  })

  afterAll(async () => {
    await producer?.close().catch(() => {})
    await admin?.close().catch(() => {})
    await broker?.stop()
  })

  it('shares partitions, rebalances on leave, crash and join, and keeps offsets across a restart', async () => {
    const c1 = await startConsumer(broker.bootstrap, 'c1')
    const c2 = await startConsumer(broker.bootstrap, 'c2')
    const crashing = startChildConsumer(broker.bootstrap, 'c3')
    try {
      await expectBalanced(admin, 3)
      await produce(producer, 10)
      await until('all messages consumed by three', () => committed.length >= ledger.produced)

      await c1.close(true) // force: also ends its open stream
      await expectBalanced(admin, 2)
      await produce(producer, 5)
      await until('messages consumed by two', () => committed.length >= ledger.produced)

      const died = new Promise((resolve) => crashing.once('exit', resolve))
      crashing.kill('SIGKILL')
      await died
      await expectBalanced(admin, 1)
      await produce(producer, 5)
      await until('messages consumed by one', () => committed.length >= ledger.produced)

      const c4 = await startConsumer(broker.bootstrap, 'c4')
      await expectBalanced(admin, 2)
      await produce(producer, 5)
      await until('messages consumed after the join', () => committed.length >= ledger.produced)
      expectNoCommittedMessageTwice()
      expect(new Set(committed.map((c) => c.consumer))).toEqual(new Set(['c1', 'c2', 'c3', 'c4']))
      await c2.close(true) // force: also ends its open stream
      await c4.close(true) // force: also ends its open stream
    } finally {
      crashing.kill('SIGKILL')
    }
    const before = await committedOffsets(admin)
    expect(before).toEqual(Array(PARTITIONS).fill(ledger.produced / PARTITIONS))

    await broker.restart()
    expect(await committedOffsets(admin)).toEqual(before)

    const firstNew = ledger.produced
    await produce(producer, 2)
    const c5 = await startConsumer(broker.bootstrap, 'c5')
    try {
      await until('the new member to catch up', () => committed.length >= ledger.produced)
      const fresh = committed.filter((c) => c.consumer === 'c5')
      expect(fresh).toHaveLength(ledger.produced - firstNew)
      for (const m of fresh) expect(m.offset).toBeGreaterThanOrEqual(before[m.partition])
      expectNoCommittedMessageTwice()
    } finally {
      await c5.close(true) // force: also ends its open stream
    }
  })

  it('lists, describes, alters and deletes groups and offsets with the admin client', async () => {
    const groupId = 'plt-admin-group'
    await admin.alterConsumerGroupOffsets({ groupId, topics: [{ name: TOPIC, partitionOffsets: [{ partition: 0, offset: 7n }, { partition: 2, offset: 9n }] }] })
    expect((await committedOffsets(admin, groupId)).slice(0, 3)).toEqual([7, -1, 9])
    const listed = await admin.listGroups({ states: ['EMPTY'] as never, types: ['classic'] })
    expect(listed.get(groupId)).toMatchObject({ id: groupId, state: 'EMPTY', groupType: 'classic' })
    const described = await admin.describeGroups({ groups: [groupId] })
    expect(described.get(groupId)).toMatchObject({ state: 'EMPTY', members: new Map() })
    await admin.deleteConsumerGroupOffsets({ groupId, topics: [{ name: TOPIC, partitionIndexes: [0] }] })
    expect((await committedOffsets(admin, groupId)).slice(0, 3)).toEqual([-1, -1, 9])
    await admin.deleteGroups({ groups: [groupId] })
    expect((await admin.listGroups()).has(groupId)).toBe(false)
  })
})
