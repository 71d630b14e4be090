// Real clients against an in-process Brook: topic administration with kafkajs and
// @platformatic/kafka.
import { Admin } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker, type Broker } from '../../src/index.js'

let broker: Broker
beforeAll(async () => {
  broker = await startBroker({ port: 0 })
})
afterAll(() => broker.stop())

describe('kafkajs admin', () => {
  it('creates, describes, lists and deletes topics', async () => {
    const kafka = new Kafka({ clientId: 'core-admin-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'kjs-a', numPartitions: 3 }, { topic: 'kjs-b' }], waitForLeaders: true })).toBe(true)
      // Creating an existing topic is reported as "not created", not as an error.
      expect(await admin.createTopics({ topics: [{ topic: 'kjs-a' }] })).toBe(false)

      const meta = await admin.fetchTopicMetadata({ topics: ['kjs-a', 'kjs-b'] })
      const a = meta.topics.find((t) => t.name === 'kjs-a')!
      expect(a.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2])
      expect(a.partitions.every((p) => p.leader === 1 && p.replicas[0] === 1 && p.isr[0] === 1)).toBe(true)
      expect(meta.topics.find((t) => t.name === 'kjs-b')!.partitions).toHaveLength(1)

      expect(await admin.listTopics()).toEqual(expect.arrayContaining(['kjs-a', 'kjs-b']))
      const cluster = await admin.describeCluster()
      expect(cluster.controller).toBe(1)
      expect(cluster.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: broker.port }])

      await admin.deleteTopics({ topics: ['kjs-a', 'kjs-b'] })
      const left = await admin.listTopics()
      expect(left).not.toContain('kjs-a')
      expect(left).not.toContain('kjs-b')
    } finally {
      await admin.disconnect()
    }
  })

  it('reports an invalid topic name', async () => {
    const kafka = new Kafka({ clientId: 'core-admin-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
    const admin = kafka.admin()
    await admin.connect()
    try {
      await expect(admin.createTopics({ topics: [{ topic: 'no spaces allowed' }] })).rejects.toThrow()
    } finally {
      await admin.disconnect()
    }
  })
})

describe('@platformatic/kafka admin', () => {
  it('creates, lists and deletes topics', async () => {
    const admin = new Admin({ clientId: 'core-admin-platformatic', bootstrapBrokers: [broker.bootstrap] })
    try {
      const created = await admin.createTopics({ topics: ['plt-a', 'plt-b'], partitions: 2, replicas: 1 })
      expect(created.map((t) => [t.name, t.partitions, t.replicas]).sort()).toEqual([
        ['plt-a', 2, 1],
        ['plt-b', 2, 1],
      ])
      expect(created.every((t) => /^[0-9a-f-]{36}$/.test(t.id) && t.id !== '00000000-0000-0000-0000-000000000000')).toBe(true)

      expect(await admin.listTopics()).toEqual(expect.arrayContaining(['plt-a', 'plt-b']))

      await expect(admin.createTopics({ topics: ['plt-a'] })).rejects.toThrow()

      await admin.deleteTopics({ topics: ['plt-a', 'plt-b'] })
      const left = await admin.listTopics()
      expect(left).not.toContain('plt-a')
      expect(left).not.toContain('plt-b')
    } finally {
      await admin.close()
    }
  })
})
