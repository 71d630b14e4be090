// kafkajs 2.2.4 admin against an in-process Brook: describe/alter configs (DescribeConfigs v2,
// AlterConfigs v1), createPartitions (v1) and deleteTopicRecords (DeleteRecords v1).
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { ConfigSourceCode } from '../helpers/config-codes.js'
import { appendRecords, servesApi } from '../helpers/admin.js'

const { TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DEFAULT_CONFIG } = ConfigSourceCode

let tb: TestBroker
let admin: Admin

beforeAll(async () => {
  tb = await startTestBroker()
  const kafka = new Kafka({ clientId: 'admin-kafkajs', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
  admin = kafka.admin()
  await admin.connect()
})
afterAll(async () => {
  await admin.disconnect()
  await tb.stop()
})

describe('kafkajs admin: configs', () => {
  it('describes topic configs with sources and synonyms', async () => {
    await admin.createTopics({ topics: [{ topic: 'kjs-cfg', configEntries: [{ name: 'retention.ms', value: '86400000' }] }] })
    const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-cfg' }], includeSynonyms: true })
    expect(res.resources).toHaveLength(1)
    const [r] = res.resources
    expect(r.errorCode).toBe(0)
    const byName = new Map(r.configEntries.map((e) => [e.configName, e]))
    expect(byName.get('retention.ms')).toMatchObject({ configValue: '86400000', isDefault: false, configSource: TOPIC_CONFIG, readOnly: false })
    expect(byName.get('cleanup.policy')).toMatchObject({ configValue: 'delete', isDefault: true, configSource: DEFAULT_CONFIG })
    expect(byName.get('max.message.bytes')!.configSynonyms).toEqual([
      { configName: 'message.max.bytes', configValue: '1048588', configSource: DEFAULT_CONFIG },
    ])
  })

  it('describes only the requested config names', async () => {
    const res = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-cfg', configNames: ['retention.ms', 'segment.bytes'] }],
      includeSynonyms: false,
    })
    expect(res.resources[0].configEntries.map((e) => e.configName).sort()).toEqual(['retention.ms', 'segment.bytes'])
  })

  it('alters topic configs (replacing all overrides) and rejects invalid ones', async () => {
    await admin.createTopics({ topics: [{ topic: 'kjs-alter', configEntries: [{ name: 'retention.ms', value: '1000' }] }] })
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-alter', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    })
    const res = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-alter', configNames: ['cleanup.policy', 'retention.ms'] }],
      includeSynonyms: false,
    })
    const byName = new Map(res.resources[0].configEntries.map((e) => [e.configName, e]))
    expect(byName.get('cleanup.policy')).toMatchObject({ configValue: 'compact', configSource: TOPIC_CONFIG })
    // AlterConfigs replaced every override: retention.ms is back to its default.
    expect(byName.get('retention.ms')).toMatchObject({ configValue: '604800000', isDefault: true })

    await expect(
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-alter', configEntries: [{ name: 'segment.bytes', value: 'big' }] }],
      }),
    ).rejects.toMatchObject({ type: 'INVALID_CONFIG' })
  })

  it('alters and describes dynamic broker configs on the broker resource', async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.cleaner.backoff.ms', value: '2500' }] }],
    })
    const res = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.cleaner.backoff.ms', 'node.id'] }],
      includeSynonyms: true,
    })
    const byName = new Map(res.resources[0].configEntries.map((e) => [e.configName, e]))
    expect(byName.get('log.cleaner.backoff.ms')).toMatchObject({ configValue: '2500', configSource: DYNAMIC_BROKER_CONFIG, readOnly: false })
    expect(byName.get('node.id')).toMatchObject({ configValue: '1', readOnly: true })
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [] }] })
  })
})

describe('kafkajs admin: partitions and records', () => {
  it('adds partitions that are usable at once', async () => {
    await admin.createTopics({ topics: [{ topic: 'kjs-grow', numPartitions: 1 }] })
    await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 4 }] })
    const meta = await admin.fetchTopicMetadata({ topics: ['kjs-grow'] })
    expect(meta.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3])
    expect(await appendRecords(tb, 'kjs-grow', 3, 1)).toBe(0)
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 2 }] })).rejects.toMatchObject({ type: 'INVALID_PARTITIONS' })
  })

  // deleteTopicRecords and fetchTopicOffsets go through ListOffsets first.
  it.skipIf(!servesApi(2))('deletes records up to an offset and fetchTopicOffsets sees the new low watermark', async () => {
    await admin.createTopics({ topics: [{ topic: 'kjs-delete', numPartitions: 2 }] })
    await appendRecords(tb, 'kjs-delete', 0, 10)
    await appendRecords(tb, 'kjs-delete', 1, 4)
    // deleteTopicRecords finds leaders in kafkajs' metadata cache: load the new topic first.
    await admin.fetchTopicMetadata({ topics: ['kjs-delete'] })
    await admin.deleteTopicRecords({ topic: 'kjs-delete', partitions: [{ partition: 0, offset: '6' }, { partition: 1, offset: '-1' }] })
    const offsets = await admin.fetchTopicOffsets('kjs-delete')
    const byPartition = new Map(offsets.map((o) => [o.partition, o]))
    expect(byPartition.get(0)).toMatchObject({ low: '6', high: '10' })
    expect(byPartition.get(1)).toMatchObject({ low: '4', high: '4' })
  })

  // Produce, Fetch and ListOffsets end to end.
  it.skipIf(!servesApi(0) || !servesApi(1) || !servesApi(2))('a consumer from the earliest offset starts at the new log start', async () => {
    const kafka = new Kafka({ clientId: 'admin-kafkajs-e2e', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING })
    await admin.createTopics({ topics: [{ topic: 'kjs-earliest', numPartitions: 1 }] })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: 'kjs-earliest', messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) })
    await producer.disconnect()
    await admin.fetchTopicMetadata({ topics: ['kjs-earliest'] })
    await admin.deleteTopicRecords({ topic: 'kjs-earliest', partitions: [{ partition: 0, offset: '7' }] })

    const consumer = kafka.consumer({ groupId: 'kjs-earliest-group' })
    await consumer.connect()
    try {
      await consumer.subscribe({ topic: 'kjs-earliest', fromBeginning: true })
      const offsets: string[] = []
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              offsets.push(message.offset)
              if (offsets.length === 3) resolve()
            },
          })
          .catch(reject)
      })
      expect(offsets).toEqual(['7', '8', '9'])
    } finally {
      await consumer.disconnect()
    }
  })
})
