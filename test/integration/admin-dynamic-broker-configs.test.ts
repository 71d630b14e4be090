// Broker configs reach storage: a dynamic log.retention.ms set with kafkajs' AlterConfigs on the
// BROKER resource changes an existing topic's effective retention (DescribeConfigs source
// DYNAMIC_BROKER_CONFIG) and its segments are deleted, without and after a restart; a cluster-wide
// log.cleanup.policy=compact (IncrementalAlterConfigs) makes a topic refuse keyless records until
// it is deleted again; and the same config given at start-up (the static layer) acts alike.
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { IncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.js'
import { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/incremental-alter-configs-response.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { AlterConfigOp, ConfigResource, ConfigSourceCode } from '../helpers/config-codes.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'
import { untilWithin } from '../helpers/until.js'

const { DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG } = ConfigSourceCode
const { SET, DELETE } = AlterConfigOp
const { BROKER } = ConfigResource
const HOUR_MS = 3_600_000

const until = untilWithin({ timeoutMs: 10_000, intervalMs: 25 })

function kafkaFor(tb: TestBroker, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
}

async function withAdmin<T>(tb: TestBroker, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaFor(tb, 'dyn-broker-admin').admin()
  await admin.connect()
  try {
    return await fn(admin)
  } finally {
    await admin.disconnect()
  }
}

async function topicConfig(tb: TestBroker, topic: string, name: string): Promise<{ configValue: string; configSource: number }> {
  return withAdmin(tb, async (admin) => {
    const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }], includeSynonyms: true })
    const entry = res.resources[0].configEntries.find((e) => e.configName === name)
    if (!entry) throw new Error(`no ${name} for ${topic}`)
    return entry
  })
}

async function logStartOffset(tb: TestBroker, topic: string): Promise<number> {
  return withAdmin(tb, async (admin) => Number((await admin.fetchTopicOffsets(topic))[0].low))
}

/** One batch per send, timestamped `ageMs` ago; with a tiny segment.bytes every batch rolls a segment. */
async function produceOld(tb: TestBroker, topic: string, count: number, ageMs: number): Promise<void> {
  const producer = kafkaFor(tb, 'dyn-broker-producer').producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    for (let i = 0; i < count; i++) {
      await producer.send({ topic, acks: -1, messages: [{ key: `k${i}`, value: 'x'.repeat(600), timestamp: String(Date.now() - ageMs) }] })
    }
  } finally {
    await producer.disconnect()
  }
}

/** Error text of a keyless send, or null when it was accepted. */
async function sendWithoutKey(tb: TestBroker, topic: string): Promise<string | null> {
  const producer = kafkaFor(tb, 'dyn-broker-keyless').producer({ allowAutoTopicCreation: false, retry: { retries: 0 } })
  await producer.connect()
  try {
    return await producer.send({ topic, acks: -1, messages: [{ value: 'no key' }] }).then(
      () => null,
      (e: Error & { type?: string; cause?: { type?: string } }) => JSON.stringify({ type: e.type, cause: e.cause?.type, message: e.message }),
    )
  } finally {
    await producer.disconnect()
  }
}

describe('dynamic broker configs reach existing topics', () => {
  let tb: TestBroker

  beforeAll(async () => {
    // Static catalogue config (the retention check every 50 ms instead of 5 minutes) also reaches storage.
    tb = await startTestBroker({ config: { extraProperties: { 'log.retention.check.interval.ms': '50', 'log.segment.delete.delay.ms': '0' } } })
  })
  afterAll(() => tb.stop())

  it('applies log.retention.ms set on the broker to an existing topic at once and after a restart', async () => {
    const topic = 'dyn-retention'
    await withAdmin(tb, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1024' }] }] }))
    await produceOld(tb, topic, 5, 2 * HOUR_MS)
    expect(await topicConfig(tb, topic, 'retention.ms')).toMatchObject({ configValue: '604800000', configSource: DEFAULT_CONFIG })
    // Two-hour-old records are well within the default 7 days: several retention checks delete nothing.
    await new Promise((r) => setTimeout(r, 300))
    expect(await logStartOffset(tb, topic)).toBe(0)

    await withAdmin(tb, (admin) =>
      admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.retention.ms', value: String(HOUR_MS) }] }] }),
    )
    expect(await topicConfig(tb, topic, 'retention.ms')).toMatchObject({ configValue: String(HOUR_MS), configSource: DYNAMIC_BROKER_CONFIG })
    expect(tb.broker.services.logs.logConfig(topic)!.retentionMs).toBe(HOUR_MS)
    // Every segment is now past retention: the active one is rolled, then all old ones go.
    await until('retention to delete the expired segments', async () => (await logStartOffset(tb, topic)) === 5)

    await tb.restart()
    expect(await topicConfig(tb, topic, 'retention.ms')).toMatchObject({ configValue: String(HOUR_MS), configSource: DYNAMIC_BROKER_CONFIG })
    expect(tb.broker.services.logs.logConfig(topic)!.retentionMs).toBe(HOUR_MS)
    expect(await logStartOffset(tb, topic)).toBe(5)
    // Still acted on after the restart: new expired segments go too.
    await produceOld(tb, topic, 3, 2 * HOUR_MS)
    await until('retention to delete the new expired segments', async () => (await logStartOffset(tb, topic)) === 8)

    // Removing the override brings the default back (AlterConfigs replaces the whole set).
    await withAdmin(tb, (admin) => admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [] }] }))
    expect(await topicConfig(tb, topic, 'retention.ms')).toMatchObject({ configValue: '604800000', configSource: DEFAULT_CONFIG })
    expect(tb.broker.services.logs.logConfig(topic)!.retentionMs).toBe(604800000)
  })

  it('applies a cluster-wide log.cleanup.policy to an existing topic until it is deleted', async () => {
    const topic = 'dyn-policy'
    await withAdmin(tb, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1 }] }))
    expect(await sendWithoutKey(tb, topic)).toBeNull()

    const client = await RawKafkaClient.connect(tb.port)
    const alter = (configOperation: number, value: string | null) =>
      client.request(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
        resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'log.cleanup.policy', configOperation, value }] }],
        validateOnly: false,
      })
    try {
      expect((await alter(SET, 'compact')).responses[0].errorCode).toBe(ErrorCode.NONE)
      expect(await topicConfig(tb, topic, 'cleanup.policy')).toMatchObject({ configValue: 'compact', configSource: DYNAMIC_DEFAULT_BROKER_CONFIG })
      // A compacted topic needs keys.
      expect(await sendWithoutKey(tb, topic)).toMatch(/INVALID_RECORD|failed the validation/)

      expect((await alter(DELETE, null)).responses[0].errorCode).toBe(ErrorCode.NONE)
      expect(await topicConfig(tb, topic, 'cleanup.policy')).toMatchObject({ configValue: 'delete', configSource: DEFAULT_CONFIG })
      expect(await sendWithoutKey(tb, topic)).toBeNull()
    } finally {
      client.close()
    }
  })
})

describe('static broker configs from the catalogue', () => {
  let tb: TestBroker

  beforeAll(async () => {
    tb = await startTestBroker({ memory: true, config: { extraProperties: { 'log.cleanup.policy': 'compact' } } })
  })
  afterAll(() => tb.stop())

  it('are the default of every topic and reported as STATIC_BROKER_CONFIG', async () => {
    const topic = 'static-policy'
    await withAdmin(tb, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1 }] }))
    expect(await topicConfig(tb, topic, 'cleanup.policy')).toMatchObject({ configValue: 'compact', configSource: STATIC_BROKER_CONFIG })
    expect(await sendWithoutKey(tb, topic)).toMatch(/INVALID_RECORD|failed the validation/)
    const broker = await withAdmin(tb, (admin) =>
      admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.cleanup.policy'] }], includeSynonyms: false }),
    )
    expect(broker.resources[0].configEntries[0]).toMatchObject({ configName: 'log.cleanup.policy', configValue: 'compact', configSource: STATIC_BROKER_CONFIG })
  })
})
