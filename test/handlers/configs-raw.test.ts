// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs on the wire, version by version, with
// raw requests encoded by Brook's own codecs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigSource, ConfigType } from '../../src/config/topic-config-catalog-types.js'
import { ErrorCode } from '../../src/protocol/errors.js'
import { AlterConfigsRequest } from '../../src/protocol/generated/alter-configs-request.js'
import { AlterConfigsResponse } from '../../src/protocol/generated/alter-configs-response.js'
import { DescribeConfigsRequest } from '../../src/protocol/generated/describe-configs-request.js'
import {
  DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResult as DescribeResult,
} from '../../src/protocol/generated/describe-configs-response.js'
import { IncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.js'
import { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/incremental-alter-configs-response.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'
import { AlterConfigOp, ConfigResource } from '../helpers/config-codes.js'
import { createTopic } from '../helpers/admin.js'

const { TOPIC, BROKER, BROKER_LOGGER } = ConfigResource
const { SET, DELETE, APPEND, SUBTRACT } = AlterConfigOp

let tb: TestBroker
let client: RawKafkaClient

beforeAll(async () => {
  tb = await startTestBroker()
  client = await RawKafkaClient.connect(tb.port)
  await createTopic(tb, 'cfg-a', 1, { 'retention.ms': '3600000' })
  await createTopic(tb, 'cfg-b', 1)
})
afterAll(async () => {
  client.close()
  await tb.stop()
})

interface ResourceSpec {
  type: number
  name: string
  keys?: string[] | null
}

async function describeConfigs(version: number, resources: ResourceSpec[], opts: { synonyms?: boolean; docs?: boolean } = {}): Promise<DescribeResult[]> {
  const res = await client.request(DescribeConfigsRequest, DescribeConfigsResponse, version, {
    resources: resources.map((r) => ({ resourceType: r.type, resourceName: r.name, configurationKeys: r.keys ?? null })),
    includeSynonyms: opts.synonyms ?? false,
    includeDocumentation: opts.docs ?? false,
  })
  return res.results
}

async function alterConfigs(version: number, resources: { type: number; name: string; configs: Record<string, string | null> }[], validateOnly = false) {
  const res = await client.request(AlterConfigsRequest, AlterConfigsResponse, version, {
    resources: resources.map((r) => ({
      resourceType: r.type,
      resourceName: r.name,
      configs: Object.entries(r.configs).map(([name, value]) => ({ name, value })),
    })),
    validateOnly,
  })
  return res.responses
}

async function incrementalAlter(
  version: number,
  resources: { type: number; name: string; ops: [name: string, op: number, value: string | null][] }[],
  validateOnly = false,
) {
  const res = await client.request(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, version, {
    resources: resources.map((r) => ({
      resourceType: r.type,
      resourceName: r.name,
      configs: r.ops.map(([name, configOperation, value]) => ({ name, configOperation, value })),
    })),
    validateOnly,
  })
  return res.responses
}

function entry(result: DescribeResult, name: string) {
  const found = result.configs.find((c) => c.name === name)
  if (!found) throw new Error(`no config ${name} in ${result.resourceName}`)
  return found
}

function overrides(topic: string): Record<string, string> {
  return tb.broker.services.logs.getTopic(topic)!.configs
}

describe('DescribeConfigs', () => {
  it.each([1, 2, 3, 4])('v%i describes a topic: overrides, defaults, synonyms', async (version) => {
    const [r] = await describeConfigs(version, [{ type: TOPIC, name: 'cfg-a' }], { synonyms: true, docs: true })
    expect(r.errorCode).toBe(ErrorCode.NONE)
    expect(r.errorMessage).toBeNull()
    expect(r.resourceType).toBe(TOPIC)
    expect(r.resourceName).toBe('cfg-a')
    const retention = entry(r, 'retention.ms')
    expect(retention).toMatchObject({ value: '3600000', readOnly: false, configSource: ConfigSource.TOPIC_CONFIG, isSensitive: false })
    // Kafka lists broker synonyms from the topic config's own server name (log.retention.ms) on;
    // it is set nowhere here, so only the topic override remains.
    expect(retention.synonyms).toEqual([{ name: 'retention.ms', value: '3600000', source: ConfigSource.TOPIC_CONFIG }])
    expect(entry(r, 'max.message.bytes').synonyms).toEqual([{ name: 'message.max.bytes', value: '1048588', source: ConfigSource.DEFAULT_CONFIG }])
    const segment = entry(r, 'segment.bytes')
    expect(segment.configSource).toBe(ConfigSource.DEFAULT_CONFIG)
    expect(segment.value).toBe('1073741824')
    if (version >= 3) {
      expect(retention.configType).toBe(ConfigType.LONG)
      expect(entry(r, 'cleanup.policy').configType).toBe(ConfigType.LIST)
      expect(retention.documentation).toMatch(/\w/)
    } else {
      // Not on the wire before v3.
      expect(retention.configType).toBe(0)
      expect(retention.documentation).toBeNull()
    }
  })

  it('leaves synonyms and documentation out unless asked', async () => {
    const [r] = await describeConfigs(4, [{ type: TOPIC, name: 'cfg-a' }])
    expect(r.configs.length).toBeGreaterThan(30)
    expect(r.configs.every((c) => c.synonyms.length === 0 && c.documentation === null)).toBe(true)
  })

  it('filters by configurationKeys (unknown keys are just absent)', async () => {
    const [r] = await describeConfigs(4, [{ type: TOPIC, name: 'cfg-a', keys: ['retention.ms', 'cleanup.policy', 'no.such.key'] }])
    expect(r.configs.map((c) => c.name).sort()).toEqual(['cleanup.policy', 'retention.ms'])
  })

  it('answers per resource: an unknown or invalid topic does not fail the others', async () => {
    const results = await describeConfigs(2, [
      { type: TOPIC, name: 'no-such-topic' },
      { type: TOPIC, name: 'cfg-b', keys: ['cleanup.policy'] },
      { type: TOPIC, name: 'bad name!' },
      { type: 16, name: 'metrics' },
    ])
    expect(results[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, resourceName: 'no-such-topic', configs: [] })
    expect(results[1].errorCode).toBe(ErrorCode.NONE)
    expect(results[1].configs).toEqual([
      expect.objectContaining({ name: 'cleanup.policy', value: 'delete', configSource: ConfigSource.DEFAULT_CONFIG }),
    ])
    expect(results[2].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
    expect(results[3].errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })

  it('describes this broker by node id, the cluster default by the empty name, and rejects other ids', async () => {
    const results = await describeConfigs(4, [
      { type: BROKER, name: '1' },
      { type: BROKER, name: '' },
      { type: BROKER, name: '2' },
      { type: BROKER, name: 'one' },
    ])
    const [own, clusterDefault, other, notNumber] = results
    expect(own.errorCode).toBe(ErrorCode.NONE)
    expect(entry(own, 'log.dirs')).toMatchObject({ value: tb.dataDir, configSource: ConfigSource.STATIC_BROKER_CONFIG, readOnly: true })
    expect(entry(own, 'node.id')).toMatchObject({ value: '1', readOnly: true })
    expect(entry(own, 'message.max.bytes')).toMatchObject({ value: '1048588', configSource: ConfigSource.DEFAULT_CONFIG, readOnly: false })
    // Brook's retention default equals Kafka's (168 hours), so it is reported as Kafka's default.
    expect(entry(own, 'log.retention.hours')).toMatchObject({ value: '168', configSource: ConfigSource.DEFAULT_CONFIG })
    expect(clusterDefault).toMatchObject({ errorCode: ErrorCode.NONE, configs: [] })
    expect(other.errorCode).toBe(ErrorCode.INVALID_REQUEST)
    expect(other.errorMessage).toBe('Unexpected broker id, expected 1 or empty string, but received 2')
    expect(notNumber.errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })

  it('describes BROKER_LOGGER levels of this broker', async () => {
    const [own, empty] = await describeConfigs(4, [
      { type: BROKER_LOGGER, name: '1' },
      { type: BROKER_LOGGER, name: '' },
    ])
    expect(own.errorCode).toBe(ErrorCode.NONE)
    expect(own.configs).toEqual([
      expect.objectContaining({ name: 'root', value: tb.broker.logger.level.toUpperCase(), configSource: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG }),
    ])
    expect(empty.errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })
})

describe('AlterConfigs', () => {
  it.each([0, 1, 2])('v%i replaces every override of a topic', async (version) => {
    const name = `alter-v${version}`
    await createTopic(tb, name, 1, { 'retention.ms': '1000', 'segment.bytes': '1048576' })
    const [res] = await alterConfigs(version, [{ type: TOPIC, name, configs: { 'cleanup.policy': 'compact', 'max.message.bytes': '2000000' } }])
    expect(res).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: TOPIC, resourceName: name })
    expect(overrides(name)).toEqual({ 'cleanup.policy': 'compact', 'max.message.bytes': '2000000' })
    // The log picks the new settings up.
    expect(tb.broker.services.logs.logConfig(name)!.maxMessageBytes).toBe(2000000)
  })

  it('validateOnly checks without changing anything', async () => {
    await createTopic(tb, 'alter-validate', 1, { 'retention.ms': '1000' })
    const [ok, bad] = await alterConfigs(
      2,
      [
        { type: TOPIC, name: 'alter-validate', configs: { 'retention.ms': '5000' } },
        { type: TOPIC, name: 'cfg-b', configs: { 'retention.ms': 'soon' } },
      ],
      true,
    )
    expect(ok.errorCode).toBe(ErrorCode.NONE)
    expect(bad.errorCode).toBe(ErrorCode.INVALID_CONFIG)
    expect(overrides('alter-validate')).toEqual({ 'retention.ms': '1000' })
  })

  it('reports INVALID_CONFIG naming the key and the reason, per resource', async () => {
    const results = await alterConfigs(1, [
      { type: TOPIC, name: 'cfg-b', configs: { 'segment.bytes': '-5' } },
      { type: TOPIC, name: 'cfg-b2', configs: { 'retention.ms': '1' } },
      { type: TOPIC, name: 'cfg-a', configs: { 'no.such.config': '1' } },
    ])
    expect(results[0].errorCode).toBe(ErrorCode.INVALID_CONFIG)
    expect(results[0].errorMessage).toContain('segment.bytes')
    expect(results[0].errorMessage).toContain('Value must be at least')
    expect(results[1]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "The topic 'cfg-b2' does not exist." })
    expect(results[2]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: no.such.config' })
    expect(overrides('cfg-a')).toEqual({ 'retention.ms': '3600000' })
  })

  it('rejects null values, duplicate keys and duplicate resources with INVALID_REQUEST', async () => {
    const results = await alterConfigs(0, [
      { type: TOPIC, name: 'cfg-b', configs: { 'retention.ms': null } },
      { type: TOPIC, name: 'cfg-a', configs: {} },
      { type: TOPIC, name: 'cfg-a', configs: {} },
    ])
    expect(results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Null value not supported for : retention.ms' })
    expect(results[1]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Each resource must appear at most once.' })
    expect(results[2].errorCode).toBe(ErrorCode.INVALID_REQUEST)
    const dupKeys = await client.request(AlterConfigsRequest, AlterConfigsResponse, 1, {
      resources: [{ resourceType: TOPIC, resourceName: 'cfg-b', configs: [{ name: 'retention.ms', value: '1' }, { name: 'retention.ms', value: '2' }] }],
      validateOnly: false,
    })
    expect(dupKeys.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Error due to duplicate config keys' })
  })

  it('sets dynamic broker configs, per broker and cluster-wide, and refuses static ones', async () => {
    const results = await alterConfigs(2, [
      { type: BROKER, name: '1', configs: { 'log.retention.ms': '7200000' } },
      { type: BROKER, name: '', configs: { 'log.cleaner.backoff.ms': '1000' } },
    ])
    expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE])
    const [own, clusterDefault] = await describeConfigs(4, [
      { type: BROKER, name: '1', keys: ['log.retention.ms', 'log.cleaner.backoff.ms'] },
      { type: BROKER, name: '' },
    ], { synonyms: true })
    expect(entry(own, 'log.retention.ms')).toMatchObject({ value: '7200000', configSource: ConfigSource.DYNAMIC_BROKER_CONFIG })
    expect(entry(own, 'log.cleaner.backoff.ms')).toMatchObject({ value: '1000', configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG })
    expect(clusterDefault.configs.map((c) => [c.name, c.value])).toEqual([['log.cleaner.backoff.ms', '1000']])
    // A topic without an override now defaults to the dynamic broker value.
    const [topic] = await describeConfigs(4, [{ type: TOPIC, name: 'cfg-b', keys: ['retention.ms'] }], { synonyms: true })
    expect(entry(topic, 'retention.ms')).toMatchObject({ value: '7200000', configSource: ConfigSource.DYNAMIC_BROKER_CONFIG })

    const refused: Awaited<ReturnType<typeof alterConfigs>> = []
    const attempts: { type: number; name: string; configs: Record<string, string> }[] = [
      { type: BROKER, name: '1', configs: { 'node.id': '5' } },
      { type: BROKER, name: '', configs: { listeners: 'PLAINTEXT://:9093' } },
      { type: BROKER, name: '3', configs: { 'log.retention.ms': '1' } },
      { type: BROKER, name: '1', configs: { 'log.segment.bytes': '1' } },
      { type: BROKER, name: '1', configs: { 'no.such.broker.config': '1' } },
      { type: BROKER_LOGGER, name: '1', configs: { root: 'DEBUG' } },
    ]
    for (const r of attempts) refused.push(...(await alterConfigs(2, [r])))
    expect(refused[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Cannot update these configs dynamically: Set(node.id)' })
    expect(refused[1]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST })
    expect(refused[1].errorMessage).toContain('broker id must be specified: listeners')
    expect(refused[2]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 1, but received 3' })
    expect(refused[3].errorCode).toBe(ErrorCode.INVALID_REQUEST)
    expect(refused[3].errorMessage).toContain('log.segment.bytes')
    expect(refused[4].errorCode).toBe(ErrorCode.INVALID_CONFIG)
    expect(refused[5].errorCode).toBe(ErrorCode.INVALID_REQUEST)

    // AlterConfigs replaces the whole per-broker set: an empty list removes the override.
    expect((await alterConfigs(2, [{ type: BROKER, name: '1', configs: {} }]))[0].errorCode).toBe(ErrorCode.NONE)
    const [after] = await describeConfigs(4, [{ type: BROKER, name: '1', keys: ['log.retention.ms'] }])
    expect(entry(after, 'log.retention.ms').configSource).not.toBe(ConfigSource.DYNAMIC_BROKER_CONFIG)
    await alterConfigs(2, [{ type: BROKER, name: '', configs: {} }])
  })
})

describe('IncrementalAlterConfigs', () => {
  it.each([0, 1])('v%i applies SET, DELETE, APPEND and SUBTRACT to a topic', async (version) => {
    const name = `incr-v${version}`
    await createTopic(tb, name, 1, { 'retention.ms': '1000', 'segment.bytes': '1048576' })
    const [res] = await incrementalAlter(version, [
      {
        type: TOPIC,
        name,
        ops: [
          ['retention.ms', SET, '2000'],
          ['segment.bytes', DELETE, null],
          ['cleanup.policy', APPEND, 'compact'],
        ],
      },
    ])
    expect(res).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: TOPIC, resourceName: name })
    // APPEND starts from the default ("delete") when there is no override.
    expect(overrides(name)).toEqual({ 'retention.ms': '2000', 'cleanup.policy': 'delete,compact' })
    await incrementalAlter(version, [{ type: TOPIC, name, ops: [['cleanup.policy', SUBTRACT, 'delete']] }])
    expect(overrides(name)['cleanup.policy']).toBe('compact')
    // Appending what is there already changes nothing.
    await incrementalAlter(version, [{ type: TOPIC, name, ops: [['cleanup.policy', APPEND, 'compact']] }])
    expect(overrides(name)['cleanup.policy']).toBe('compact')
  })

  it('refuses APPEND/SUBTRACT on non-list configs, bad values and unknown operations', async () => {
    const results = await incrementalAlter(1, [
      { type: TOPIC, name: 'cfg-a', ops: [['retention.ms', APPEND, '5']] },
      { type: TOPIC, name: 'cfg-b', ops: [['cleanup.policy', APPEND, 'shred']] },
      { type: TOPIC, name: 'cfg-b2', ops: [['retention.ms', SET, '5']] },
      { type: BROKER, name: '1', ops: [['log.retention.ms', 9, '5']] },
      { type: BROKER, name: '', ops: [['message.max.bytes', SUBTRACT, '5']] },
      { type: TOPIC, name: 'incr-v1', ops: [['retention.ms', SET, null]] },
    ])
    expect(results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: "Can't APPEND to key retention.ms because its type is not LIST." })
    expect(results[1].errorCode).toBe(ErrorCode.INVALID_CONFIG)
    expect(results[1].errorMessage).toContain('cleanup.policy')
    expect(results[2].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect(results[3]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown operations type 9' })
    expect(results[4]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Config value subtract is not allowed for config key: message.max.bytes' })
    expect(results[5].errorCode).toBe(ErrorCode.INVALID_REQUEST)
    expect(overrides('cfg-a')).toEqual({ 'retention.ms': '3600000' })
  })

  it('deleting an override that does not exist is fine, validateOnly changes nothing', async () => {
    const [deleted] = await incrementalAlter(1, [{ type: TOPIC, name: 'cfg-b', ops: [['flush.ms', DELETE, null]] }])
    expect(deleted.errorCode).toBe(ErrorCode.NONE)
    const [validated] = await incrementalAlter(1, [{ type: TOPIC, name: 'cfg-b', ops: [['flush.ms', SET, '100']] }], true)
    expect(validated.errorCode).toBe(ErrorCode.NONE)
    expect(overrides('cfg-b')).toEqual({})
  })

  it('merges list configs of the broker from the catalogue default', async () => {
    const [res] = await incrementalAlter(1, [{ type: BROKER, name: '', ops: [['log.cleanup.policy', APPEND, 'compact']] }])
    expect(res.errorCode).toBe(ErrorCode.NONE)
    const [desc] = await describeConfigs(4, [{ type: BROKER, name: '' }])
    expect(desc.configs.map((c) => [c.name, c.value])).toEqual([['log.cleanup.policy', 'delete,compact']])
    await incrementalAlter(1, [{ type: BROKER, name: '', ops: [['log.cleanup.policy', DELETE, null]] }])
    const [cleared] = await describeConfigs(4, [{ type: BROKER, name: '' }])
    expect(cleared.configs).toEqual([])
  })

  it('changes the root log level through BROKER_LOGGER, not persisted', async () => {
    const before = tb.broker.logger.level
    try {
      const results = await incrementalAlter(1, [
        { type: BROKER_LOGGER, name: '1', ops: [['root', SET, 'DEBUG']] },
        { type: BROKER_LOGGER, name: '1', ops: [['root', APPEND, 'DEBUG']] },
      ])
      // Two resources with the same name: Kafka rejects both.
      expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
      const [ok] = await incrementalAlter(1, [{ type: BROKER_LOGGER, name: '1', ops: [['root', SET, 'DEBUG']] }])
      expect(ok.errorCode).toBe(ErrorCode.NONE)
      expect(tb.broker.logger.level).toBe('debug')
      const [d] = await describeConfigs(4, [{ type: BROKER_LOGGER, name: '1' }])
      expect(entry(d, 'root').value).toBe('DEBUG')
      const bad = await incrementalAlter(1, [{ type: BROKER_LOGGER, name: '1', ops: [['root', SET, 'LOUD']] }])
      expect(bad[0].errorCode).toBe(ErrorCode.INVALID_CONFIG)
      const del = await incrementalAlter(1, [{ type: BROKER_LOGGER, name: '1', ops: [['root', DELETE, null]] }])
      expect(del[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Removing the log level of the root logger is not allowed' })
      const unknown = await incrementalAlter(1, [{ type: BROKER_LOGGER, name: '1', ops: [['kafka.server', SET, 'INFO']] }])
      expect(unknown[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Logger kafka.server does not exist!' })
    } finally {
      tb.broker.logger.level = before
    }
  })
})
