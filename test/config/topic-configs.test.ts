import { describe, expect, it } from 'vitest'
import {
  normalizeTopicConfigs,
  resolveTopicConfig,
  topicConfigDefinitions,
  topicConfigSynonyms,
  validateTopicConfigs,
} from '../../src/config/topic-configs.js'
import { ConfigType, javaDoubleToString, parseConfigValue } from '../../src/config/topic-config-catalog-types.js'

describe('validateTopicConfigs', () => {
  it('accepts valid overrides and an empty map', () => {
    expect(validateTopicConfigs({})).toBeNull()
    expect(
      validateTopicConfigs({
        'cleanup.policy': 'compact,delete',
        'retention.ms': '-1',
        'retention.bytes': '-1',
        'segment.bytes': '1048576',
        'min.cleanable.dirty.ratio': '0.01',
        'message.timestamp.type': 'LogAppendTime',
        'compression.type': 'zstd',
        'compression.gzip.level': '-1',
        'unclean.leader.election.enable': ' TRUE ',
        'leader.replication.throttled.replicas': '0:1,1:1',
        'follower.replication.throttled.replicas': '*',
      }),
    ).toBeNull()
  })

  it('names an unknown key like Kafka', () => {
    expect(validateTopicConfigs({ 'retention.ms': '1', 'not.a.config': 'x' })).toEqual({
      name: 'not.a.config',
      message: 'Unknown topic config name: not.a.config',
    })
  })

  it('rejects null values listing every key', () => {
    expect(validateTopicConfigs({ 'segment.bytes': null, 'segment.ms': null })).toEqual({
      name: 'segment.bytes',
      message: 'Null value not supported for topic configs: segment.bytes,segment.ms',
    })
  })

  it.each([
    ['retention.ms', 'abc', 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
    ['retention.ms', '-2', 'Invalid value -2 for configuration retention.ms: Value must be at least -1'],
    ['segment.bytes', '3000000000', 'Invalid value 3000000000 for configuration segment.bytes: Not a number of type INT'],
    ['segment.bytes', '10', 'Invalid value 10 for configuration segment.bytes: Value must be at least 14'],
    ['cleanup.policy', 'compact,remove', 'Invalid value compact,remove for configuration cleanup.policy: String must be one of: compact, delete'],
    ['compression.type', 'brotli', 'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer'],
    ['message.timestamp.type', 'logappendtime', 'Invalid value logappendtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime'],
    ['min.cleanable.dirty.ratio', '1.5', 'Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'],
    ['min.cleanable.dirty.ratio', 'half', 'Invalid value half for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE'],
    ['preallocate', 'yes', 'Invalid value yes for configuration preallocate: Expected value to be either true or false'],
    ['compression.gzip.level', '0', 'Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1'],
    ['compression.lz4.level', '18', 'Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17'],
    ['max.compaction.lag.ms', '0', 'Invalid value 0 for configuration max.compaction.lag.ms: Value must be at least 1'],
    ['leader.replication.throttled.replicas', 'a:b', "Invalid value a:b for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."],
  ])('%s=%s is INVALID_CONFIG', (name, value, message) => {
    expect(validateTopicConfigs({ [name]: value })).toEqual({ name, message })
  })

  it('checks min.compaction.lag.ms against max.compaction.lag.ms', () => {
    expect(validateTopicConfigs({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' })).toEqual({
      name: 'min.compaction.lag.ms',
      message: 'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)',
    })
    // the broker default counts when only one side is overridden
    expect(
      validateTopicConfigs({ 'min.compaction.lag.ms': '10' }, { brokerDefaults: { 'log.cleaner.max.compaction.lag.ms': '5' } })?.message,
    ).toBe('conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)')
    // and so do existing overrides during an incremental alter
    expect(validateTopicConfigs({ 'min.compaction.lag.ms': '10' }, { existing: { 'max.compaction.lag.ms': '5' } })).not.toBeNull()
  })

  it('refuses tiered storage', () => {
    expect(validateTopicConfigs({ 'remote.storage.enable': 'true' })?.name).toBe('remote.storage.enable')
    expect(validateTopicConfigs({ 'remote.storage.enable': 'false' })).toBeNull()
  })

  it('tolerates configs removed in Kafka 4 and normalize drops them', () => {
    const configs = { 'message.format.version': '2.8', 'message.downconversion.enable': 'true', 'retention.ms': '5' }
    expect(validateTopicConfigs(configs)).toBeNull()
    expect(normalizeTopicConfigs(configs)).toEqual({ 'retention.ms': '5' })
  })
})

describe('resolveTopicConfig', () => {
  it('gives Kafka defaults with no overrides and no broker settings', () => {
    const c = resolveTopicConfig({}, {})
    expect(c).toMatchObject({
      cleanupPolicy: 'delete', compact: false, delete: true,
      retentionMs: 604800000, retentionBytes: -1, segmentBytes: 1073741824, segmentMs: 604800000,
      maxMessageBytes: 1048588, messageTimestampType: 'CreateTime', compressionType: 'producer',
      deleteRetentionMs: 86400000, minCompactionLagMs: 0, minCleanableDirtyRatio: 0.5, fileDeleteDelayMs: 60000,
      indexIntervalBytes: 4096, messageTimestampAfterMaxMs: 3600000, localRetentionMs: 604800000, localRetentionBytes: -1,
      leaderReplicationThrottledReplicas: [],
    })
    expect(c.maxCompactionLagMs).toBeGreaterThan(9e18)
  })

  it('takes broker synonyms in priority order with unit conversion', () => {
    expect(resolveTopicConfig({}, { 'log.retention.hours': '2' }).retentionMs).toBe(7_200_000)
    expect(resolveTopicConfig({}, { 'log.retention.hours': '2', 'log.retention.minutes': '3' }).retentionMs).toBe(180_000)
    expect(resolveTopicConfig({}, { 'log.retention.hours': '2', 'log.retention.minutes': '3', 'log.retention.ms': '42' }).retentionMs).toBe(42)
    expect(resolveTopicConfig({}, { 'log.retention.ms': '-5' }).retentionMs).toBe(-1)
    expect(resolveTopicConfig({}, { 'log.roll.hours': '1' }).segmentMs).toBe(3_600_000)
    expect(resolveTopicConfig({}, { 'message.max.bytes': '2000' }).maxMessageBytes).toBe(2000)
    expect(resolveTopicConfig({}, { 'log.cleaner.min.cleanable.ratio': '0.1' }).minCleanableDirtyRatio).toBe(0.1)
    expect(resolveTopicConfig({}, { 'log.segment.delete.delay.ms': '0' }).fileDeleteDelayMs).toBe(0)
  })

  it('prefers topic overrides and normalises cleanup.policy', () => {
    const c = resolveTopicConfig(
      { 'cleanup.policy': 'delete, compact', 'retention.ms': '1000', 'message.timestamp.type': 'LogAppendTime', 'compression.type': 'lz4' },
      { 'log.retention.ms': '5', 'log.cleanup.policy': 'delete' },
    )
    expect(c.cleanupPolicy).toBe('compact,delete')
    expect(c.compact && c.delete).toBe(true)
    expect(c.retentionMs).toBe(1000)
    expect(c.messageTimestampType).toBe('LogAppendTime')
    expect(c.compressionType).toBe('lz4')
    expect(resolveTopicConfig({ 'cleanup.policy': '' }, {}).cleanupPolicy).toBe('')
  })

  it('falls back a layer on an invalid stored value instead of throwing', () => {
    expect(resolveTopicConfig({ 'retention.ms': 'bogus' }, { 'log.retention.ms': '77' }).retentionMs).toBe(77)
    expect(resolveTopicConfig({}, { 'log.retention.ms': 'bogus', 'log.retention.minutes': '1' }).retentionMs).toBe(60_000)
  })
})

describe('catalogue', () => {
  it('every definition has a parsable default, a type code and documentation', () => {
    for (const d of topicConfigDefinitions) {
      expect(ConfigType[d.type]).toBeGreaterThan(0)
      expect(d.documentation.length).toBeGreaterThan(20)
      if (d.defaultValue !== null) {
        const parsed = parseConfigValue(d.name, d.type, d.defaultValue)
        expect(d.validator?.(parsed) ?? null, d.name).toBeNull()
      }
    }
  })

  it('lists the topic configs Kafka 4 documents and their broker synonyms', () => {
    const names = topicConfigDefinitions.map((d) => d.name)
    for (const n of ['cleanup.policy', 'retention.ms', 'retention.bytes', 'segment.bytes', 'segment.ms', 'max.message.bytes',
      'message.timestamp.type', 'compression.type', 'delete.retention.ms', 'min.compaction.lag.ms', 'max.compaction.lag.ms',
      'min.cleanable.dirty.ratio', 'file.delete.delay.ms', 'message.timestamp.before.max.ms', 'message.timestamp.after.max.ms',
      'local.retention.ms', 'remote.storage.enable', 'segment.jitter.ms', 'segment.index.bytes', 'flush.messages', 'flush.ms',
      'index.interval.bytes', 'min.insync.replicas', 'unclean.leader.election.enable', 'preallocate']) {
      expect(names).toContain(n)
    }
    expect(names).toHaveLength(33)
    expect(topicConfigSynonyms['retention.ms'].map((s) => s.name)).toEqual(['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'])
    for (const key of Object.keys(topicConfigSynonyms)) expect(names).toContain(key)
  })
})

it('prints doubles as Java does', () => {
  expect([0.5, 1, 0, 1e7, 1.7976931348623157e308, 0.0001, 123.25].map(javaDoubleToString)).toEqual([
    '0.5', '1.0', '0.0', '1.0E7', '1.7976931348623157E308', '1.0E-4', '123.25',
  ])
})
