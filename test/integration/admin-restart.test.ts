// What the admin APIs change survives a broker restart on the same data dir: topic overrides,
// dynamic broker configs (per broker and cluster-wide), added partitions and the log start offset
// moved by DeleteRecords. Log levels set through BROKER_LOGGER do not (as in Kafka).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Admin, ConfigResourceTypes, ConfigSources, IncrementalAlterConfigOperationTypes as Op } from '@platformatic/kafka'
import { ConfigResourceTypes as KjsResourceTypes, Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER_CONFIGS_FILE } from '../../src/broker/dynamic-configs.js'
import { ErrorCode } from '../../src/protocol/errors.js'
import { DescribeConfigsRequest } from '../../src/protocol/generated/describe-configs-request.js'
import { DescribeConfigsResponse } from '../../src/protocol/generated/describe-configs-response.js'
import { IncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.js'
import { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/incremental-alter-configs-response.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { ConfigResource } from '../helpers/config-codes.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'
import { appendRecords } from '../helpers/admin.js'

const { BROKER, BROKER_LOGGER } = ConfigResource

let tb: TestBroker

beforeAll(async () => {
  tb = await startTestBroker()
})
afterAll(() => tb.stop())

async function withRaw<T>(fn: (client: RawKafkaClient) => Promise<T>): Promise<T> {
  const client = await RawKafkaClient.connect(tb.port)
  try {
    return await fn(client)
  } finally {
    client.close()
  }
}

async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ clientId: 'admin-restart', bootstrapBrokers: [tb.bootstrap], retries: 0 })
  try {
    return await fn(admin)
  } finally {
    await admin.close()
  }
}

describe('admin changes across a restart', () => {
  it('keeps topic overrides, dynamic broker configs, partitions and the log start offset', async () => {
    // Changes through three different clients.
    const kafka = new Kafka({ clientId: 'admin-restart-kjs', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
    const kjs = kafka.admin()
    await kjs.connect()
    try {
      await kjs.createTopics({ topics: [{ topic: 'restart-a', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '1000' }] }] })
      await kjs.alterConfigs({
        validateOnly: false,
        resources: [
          { type: KjsResourceTypes.TOPIC, name: 'restart-a', configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }, { name: 'segment.bytes', value: '2097152' }] },
          { type: KjsResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.retention.ms', value: '3600000' }] },
        ],
      })
      await kjs.createPartitions({ topicPartitions: [{ topic: 'restart-a', count: 3 }] })
    } finally {
      await kjs.disconnect()
    }
    await withAdmin((admin) =>
      admin.incrementalAlterConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'restart-a', configs: [{ name: 'max.message.bytes', configOperation: Op.SET, value: '300000' }] }],
      }),
    )
    await withRaw(async (client) => {
      const res = await client.request(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
        resources: [
          { resourceType: BROKER, resourceName: '', configs: [{ name: 'log.cleaner.delete.retention.ms', configOperation: Op.SET, value: '5000' }] },
          { resourceType: BROKER_LOGGER, resourceName: '1', configs: [{ name: 'root', configOperation: Op.SET, value: 'TRACE' }] },
        ],
        validateOnly: false,
      })
      expect(res.responses.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE])
    })
    await appendRecords(tb, 'restart-a', 0, 6)
    await withAdmin((admin) => admin.deleteRecords({ topics: [{ name: 'restart-a', partitions: [{ partition: 0, offset: 4n }] }] }))
    const levelBefore = tb.broker.config.logLevel

    await tb.restart()
    expect(existsSync(join(tb.dataDir!, BROKER_CONFIGS_FILE))).toBe(true)

    const logs = tb.broker.services.logs
    expect(logs.getTopic('restart-a')!.configs).toEqual({ 'cleanup.policy': 'compact,delete', 'segment.bytes': '2097152', 'max.message.bytes': '300000' })
    expect(logs.getTopic('restart-a')!.partitions).toHaveLength(3)
    expect(logs.getPartition('restart-a', 0)!.logStartOffset).toBe(4)
    // Logger levels are not persisted: back to the configured level.
    expect(tb.broker.logger.level).toBe(levelBefore)

    await withAdmin(async (admin) => {
      const [topic, broker] = await admin.describeConfigs({
        resources: [
          { resourceType: ConfigResourceTypes.TOPIC, resourceName: 'restart-a', configurationKeys: ['cleanup.policy', 'max.message.bytes', 'delete.retention.ms', 'retention.ms'] },
          { resourceType: ConfigResourceTypes.BROKER, resourceName: '1', configurationKeys: ['log.retention.ms', 'log.cleaner.delete.retention.ms'] },
        ],
        includeSynonyms: true,
      })
      const t = new Map(topic.configs.map((c) => [c.name, c]))
      expect(t.get('cleanup.policy')).toMatchObject({ value: 'compact,delete', configSource: ConfigSources.TOPIC_CONFIG })
      expect(t.get('max.message.bytes')).toMatchObject({ value: '300000', configSource: ConfigSources.TOPIC_CONFIG })
      // AlterConfigs had removed the retention.ms override; the dynamic broker value applies.
      expect(t.get('retention.ms')).toMatchObject({ value: '3600000', configSource: ConfigSources.DYNAMIC_BROKER_CONFIG })
      expect(t.get('delete.retention.ms')).toMatchObject({ value: '5000', configSource: ConfigSources.DYNAMIC_DEFAULT_BROKER_CONFIG })
      const b = new Map(broker.configs.map((c) => [c.name, c]))
      expect(b.get('log.retention.ms')).toMatchObject({ value: '3600000', configSource: ConfigSources.DYNAMIC_BROKER_CONFIG })
      expect(b.get('log.cleaner.delete.retention.ms')).toMatchObject({ value: '5000', configSource: ConfigSources.DYNAMIC_DEFAULT_BROKER_CONFIG })
    })
    await withRaw(async (client) => {
      const res = await client.request(DescribeConfigsRequest, DescribeConfigsResponse, 4, {
        resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }],
        includeSynonyms: false,
        includeDocumentation: false,
      })
      expect(res.results[0].configs.map((c) => [c.name, c.value])).toEqual([['log.cleaner.delete.retention.ms', '5000']])
    })
  })
})
