// @platformatic/kafka Admin against an in-process Brook: describeConfigs (v4), alterConfigs (v2),
// incrementalAlterConfigs (v1), createPartitions (v3), deleteRecords (v2), describeLogDirs (v4).
import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  ConfigTypes,
  IncrementalAlterConfigOperationTypes as Op,
  ListOffsetTimestamps,
  Producer,
  stringSerializers,
} from '@platformatic/kafka'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { appendRecords, servesApi } from '../helpers/admin.js'

let tb: TestBroker
let admin: Admin

beforeAll(async () => {
  tb = await startTestBroker()
  admin = new Admin({ clientId: 'admin-platformatic', bootstrapBrokers: [tb.bootstrap], retries: 0 })
})
afterAll(async () => {
  await admin.close()
  await tb.stop()
})

interface ProtocolErrorLike {
  apiId?: string
  serverErrorMessage?: string
  errors?: unknown[]
}

/** The broker's error inside @platformatic's nested AggregateErrors. */
function protocolError(err: unknown): ProtocolErrorLike | undefined {
  const e = err as ProtocolErrorLike
  if (e?.apiId) return e
  for (const inner of e?.errors ?? []) {
    const found = protocolError(inner)
    if (found) return found
  }
  return undefined
}

async function topicConfigs(name: string, keys?: string[]) {
  const [res] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configurationKeys: keys }],
    includeSynonyms: true,
    includeDocumentation: true,
  })
  return new Map(res.configs.map((c) => [c.name, c]))
}

describe('@platformatic/kafka admin: configs', () => {
  it('describes topic configs with sources, types and documentation', async () => {
    await admin.createTopics({ topics: ['plt-cfg'], partitions: 1, replicas: 1, configs: [{ name: 'segment.bytes', value: '1048576' }] })
    const configs = await topicConfigs('plt-cfg')
    expect(configs.get('segment.bytes')).toMatchObject({ value: '1048576', configSource: ConfigSources.TOPIC_CONFIG, configType: ConfigTypes.INT })
    expect(configs.get('cleanup.policy')).toMatchObject({ value: 'delete', configSource: ConfigSources.DEFAULT_CONFIG, configType: ConfigTypes.LIST })
    expect(configs.get('retention.ms')!.documentation).toMatch(/\w/)
  })

  it('alterConfigs replaces the overrides; incrementalAlterConfigs edits them', async () => {
    await admin.createTopics({ topics: ['plt-alter'], partitions: 1, replicas: 1, configs: [{ name: 'retention.ms', value: '1000' }] })
    await admin.alterConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plt-alter', configs: [{ name: 'max.message.bytes', value: '500000' }] }],
    })
    let configs = await topicConfigs('plt-alter', ['retention.ms', 'max.message.bytes', 'cleanup.policy'])
    expect(configs.get('max.message.bytes')).toMatchObject({ value: '500000', configSource: ConfigSources.TOPIC_CONFIG })
    expect(configs.get('retention.ms')!.configSource).toBe(ConfigSources.DEFAULT_CONFIG)

    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: 'plt-alter',
          configs: [
            { name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact' },
            { name: 'max.message.bytes', configOperation: Op.DELETE },
            { name: 'retention.ms', configOperation: Op.SET, value: '60000' },
          ],
        },
      ],
    })
    configs = await topicConfigs('plt-alter', ['retention.ms', 'max.message.bytes', 'cleanup.policy'])
    expect(configs.get('cleanup.policy')).toMatchObject({ value: 'delete,compact', configSource: ConfigSources.TOPIC_CONFIG })
    expect(configs.get('max.message.bytes')!.configSource).toBe(ConfigSources.DEFAULT_CONFIG)
    expect(configs.get('retention.ms')!.value).toBe('60000')
  })

  it('rejects an invalid value naming the key', async () => {
    await expect(
      admin.incrementalAlterConfigs({
        resources: [
          { resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plt-cfg', configs: [{ name: 'min.cleanable.dirty.ratio', configOperation: Op.SET, value: '2' }] },
        ],
      }),
    ).rejects.toSatisfy((err: unknown) => {
      const cause = protocolError(err)
      return cause?.apiId === 'INVALID_CONFIG' && cause.serverErrorMessage === 'Invalid value 2 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'
    })
  })

  // @platformatic routes BROKER resources by Number(name), so it cannot address the cluster-wide
  // default (''); the raw tests cover that one.
  it('alters dynamic broker configs of this broker', async () => {
    const broker = (configs: { name: string; configOperation: 0 | 1; value?: string }[]) =>
      admin.incrementalAlterConfigs({
        resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '1', configs: configs as never }],
      })
    await broker([{ name: 'log.cleaner.min.cleanable.ratio', configOperation: Op.SET, value: '0.25' }])
    const [own] = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '1', configurationKeys: ['log.cleaner.min.cleanable.ratio'] }],
      includeSynonyms: true,
    })
    expect(own.configs).toEqual([
      expect.objectContaining({ name: 'log.cleaner.min.cleanable.ratio', value: '0.25', configSource: ConfigSources.DYNAMIC_BROKER_CONFIG, readOnly: false }),
    ])
    // Topics without an override inherit the dynamic broker value.
    const configs = await topicConfigs('plt-cfg', ['min.cleanable.dirty.ratio'])
    expect(configs.get('min.cleanable.dirty.ratio')).toMatchObject({ value: '0.25', configSource: ConfigSources.DYNAMIC_BROKER_CONFIG })
    await broker([{ name: 'log.cleaner.min.cleanable.ratio', configOperation: Op.DELETE }])
    expect((await topicConfigs('plt-cfg', ['min.cleanable.dirty.ratio'])).get('min.cleanable.dirty.ratio')!.value).toBe('0.5')
  })
})

describe('@platformatic/kafka admin: partitions, records, log dirs', () => {
  it('createPartitions grows a topic and the new partitions take messages', async () => {
    await admin.createTopics({ topics: ['plt-grow'], partitions: 1, replicas: 1 })
    await admin.createPartitions({ topics: [{ name: 'plt-grow', count: 3 }] })
    expect(tb.broker.services.logs.getTopic('plt-grow')!.partitions).toHaveLength(3)
    await expect(admin.createPartitions({ topics: [{ name: 'plt-grow', count: 3 }] })).rejects.toThrow()
    if (servesApi(0)) {
      const producer = new Producer({ clientId: 'plt-grow-producer', bootstrapBrokers: [tb.bootstrap], serializers: stringSerializers, retries: 0 })
      try {
        await producer.send({ messages: [{ topic: 'plt-grow', partition: 2, key: 'k', value: 'v' }] })
      } finally {
        await producer.close()
      }
      expect(tb.broker.services.logs.getPartition('plt-grow', 2)!.highWatermark).toBe(1)
    }
  })

  it('deleteRecords moves the low watermark', async () => {
    await admin.createTopics({ topics: ['plt-delete'], partitions: 2, replicas: 1 })
    await appendRecords(tb, 'plt-delete', 0, 8)
    await appendRecords(tb, 'plt-delete', 1, 3)
    const deleted = await admin.deleteRecords({
      topics: [{ name: 'plt-delete', partitions: [{ partition: 0, offset: 5n }, { partition: 1, offset: -1n }] }],
    })
    const partitions = deleted.find((t) => t.name === 'plt-delete')!.partitions
    expect(partitions.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, lowWatermark: 5n },
      { partition: 1, lowWatermark: 3n },
    ])
    if (servesApi(2)) {
      const listed = await admin.listOffsets({
        topics: [{ name: 'plt-delete', partitions: [{ partitionIndex: 0, timestamp: ListOffsetTimestamps.EARLIEST }] }],
      })
      expect(listed[0].partitions[0].offset).toBe(5n)
    }
  })

  it('describeLogDirs reports the data dir, partition sizes and the volume', async () => {
    await admin.createTopics({ topics: ['plt-logdirs'], partitions: 2, replicas: 1 })
    await appendRecords(tb, 'plt-logdirs', 0, 5)
    const [broker] = await admin.describeLogDirs({ topics: [{ name: 'plt-logdirs', partitions: [0, 1] }] })
    expect(broker.broker).toBe(1)
    const [dir] = broker.results
    expect(dir.logDir).toBe(resolve(tb.dataDir!))
    expect(dir.totalBytes).toBeGreaterThan(0n)
    expect(dir.usableBytes).toBeGreaterThan(0n)
    const topic = dir.topics.find((t) => t.name === 'plt-logdirs')!
    const sizes = new Map(topic.partitions.map((p) => [p.partitionIndex, p.partitionSize]))
    expect(sizes.get(0)).toBe(BigInt(tb.broker.services.logs.getPartition('plt-logdirs', 0)!.sizeBytes))
    expect(sizes.get(0)).toBeGreaterThan(0n)
    expect(sizes.get(1)).toBe(0n)
  })
})
