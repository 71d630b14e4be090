import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  configFromProperties,
  defaultBrokerConfig,
  parseServerProperties,
  propertiesToConfig,
  validateBrokerConfig,
} from '../../src/config/broker-config.js'
import { brokerConfigToProperties } from '../../src/config/broker-properties.js'
import { brokerConfigDefinitions } from '../../src/config/broker-config-catalog.js'

describe('parseServerProperties', () => {
  it('reads key=value, key: value, key value, comments, continuations and escapes', () => {
    const text = [
      '# comment',
      '! also a comment',
      'a=1',
      '  b : two words  ',
      'c 3',
      'long.value=first,\\',
      '    second',
      'escaped\\=key=x\\ty',
      'empty=',
      '',
    ].join('\n')
    expect(parseServerProperties(text)).toEqual({
      a: '1',
      b: 'two words',
      c: '3',
      'long.value': 'first,second',
      'escaped=key': 'x\ty',
      empty: '',
    })
  })

  it('handles CRLF line endings', () => {
    expect(parseServerProperties('a=1\r\nb=2\r\n')).toEqual({ a: '1', b: '2' })
  })
})

describe('defaults', () => {
  it('suit development', () => {
    const c = defaultBrokerConfig()
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 9092,
      dataDir: './data',
      nodeId: 1,
      autoCreateTopicsEnable: true,
      numPartitions: 1,
      groupInitialRebalanceDelayMs: 0,
      socketRequestMaxBytes: 104857600,
      connectionsMaxIdleMs: 600000,
      messageMaxBytes: 1048588,
      logSegmentBytes: 1073741824,
      logRollMs: 604800000,
      logRetentionMs: 604800000,
      logIndexIntervalBytes: 4096,
      groupMinSessionTimeoutMs: 6000,
      groupMaxSessionTimeoutMs: 1800000,
      groupMaxSize: 2147483647,
      offsetsRetentionMinutes: 10080,
      fsync: false,
    })
    expect(validateBrokerConfig(c)).toBe(c)
  })
})

describe('configFromProperties', () => {
  it('maps Kafka names to typed fields', () => {
    const c = configFromProperties({
      listeners: 'PLAINTEXT://0.0.0.0:19092',
      'advertised.listeners': 'PLAINTEXT://broker.example:29092',
      'log.dirs': '/var/lib/brook',
      'node.id': '7',
      'num.partitions': '3',
      'auto.create.topics.enable': 'FALSE',
      'log.segment.bytes': '1048576',
      'log.retention.hours': '1',
      'message.max.bytes': '2000000',
      'group.initial.rebalance.delay.ms': '3000',
    })
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 19092,
      advertisedListeners: [{ name: 'PLAINTEXT', host: 'broker.example', port: 29092 }],
      dataDir: '/var/lib/brook',
      nodeId: 7,
      numPartitions: 3,
      autoCreateTopicsEnable: false,
      logSegmentBytes: 1048576,
      logRetentionMs: 3_600_000,
      messageMaxBytes: 2000000,
      groupInitialRebalanceDelayMs: 3000,
    })
  })

  it('prefers the finer retention unit, as Kafka does', () => {
    const c = configFromProperties({ 'log.retention.ms': '5000', 'log.retention.hours': '1', 'log.retention.minutes': '2' })
    expect(c.logRetentionMs).toBe(5000)
    expect(configFromProperties({ 'log.retention.hours': '1', 'log.retention.minutes': '2' }).logRetentionMs).toBe(120_000)
  })

  it('binds all interfaces for a listener without host and picks PLAINTEXT among several', () => {
    expect(configFromProperties({ listeners: 'PLAINTEXT://:9093' })).toMatchObject({ host: '0.0.0.0', port: 9093 })
    expect(configFromProperties({ listeners: 'CONTROLLER://:9094,PLAINTEXT://[::1]:9095' })).toMatchObject({ host: '::1', port: 9095 })
  })

  it('accepts (and reports) Kafka settings that do not apply', () => {
    const r = propertiesToConfig({ 'num.network.threads': '3', 'process.roles': 'broker,controller', 'zookeeper.connect': 'zk:2181' })
    expect(r.ignored.sort()).toEqual(['num.network.threads', 'process.roles', 'zookeeper.connect'])
    // Catalogue configs are still kept: DescribeConfigs reports them as static broker configs.
    expect(r.values).toEqual({ extraProperties: { 'num.network.threads': '3', 'process.roles': 'broker,controller' } })
  })

  it('keeps catalogue configs without a typed field as extraProperties, validated by their Kafka type', () => {
    const extra = {
      'log.cleanup.policy': 'compact, delete',
      'log.retention.check.interval.ms': '1000',
      'log.cleaner.enable': 'false',
      'log.cleaner.min.cleanable.ratio': '0.25',
      'log.cleaner.backoff.ms': '200',
      'compression.type': 'zstd',
    }
    const c = configFromProperties({ ...extra, 'num.partitions': '2' })
    expect(c.numPartitions).toBe(2)
    expect(c.extraProperties).toEqual(extra)
    // Acted on by Brook: not reported as ignored.
    expect(propertiesToConfig({ 'log.cleanup.policy': 'compact', 'log.cleaner.dedupe.buffer.size': '1000000' }).ignored).toEqual([])
  })

  it('accepts every broker config of the catalogue', () => {
    const samples: Record<string, string> = {
      'node.id': '3',
      'broker.id': '3',
      'log.dirs': '/var/lib/brook',
      'advertised.listeners': 'PLAINTEXT://broker.example:9092',
    }
    const byType: Record<string, string> = { STRING: 'x', INT: '1', LONG: '1000', SHORT: '1', DOUBLE: '0.5', BOOLEAN: 'true', LIST: '' }
    for (const def of brokerConfigDefinitions) {
      const value = samples[def.name] ?? def.defaultValue ?? byType[def.type]
      expect(() => configFromProperties({ [def.name]: value }), `${def.name}=${value}`).not.toThrow()
    }
  })

  it.each([
    ['log.cleanup.policy', 'bogus', /log\.cleanup\.policy.*bogus|bogus.*log\.cleanup\.policy/],
    ['log.retention.check.interval.ms', 'soon', /log\.retention\.check\.interval\.ms.*LONG/],
    ['log.retention.check.interval.ms', '0', /log\.retention\.check\.interval\.ms.*at least 1/],
    ['log.cleaner.min.cleanable.ratio', '2', /log\.cleaner\.min\.cleanable\.ratio/],
    ['log.cleaner.enable', 'maybe', /log\.cleaner\.enable.*true or false/],
    ['compression.type', 'brotli', /compression\.type/],
  ])('rejects %s=%s naming the key and the reason', (key, value, message) => {
    expect(() => configFromProperties({ [key]: value })).toThrow(ConfigError)
    expect(() => configFromProperties({ [key]: value })).toThrow(message)
  })

  it.each([
    [{ 'num.partitions': 'three' }, /num\.partitions.*three|three.*num\.partitions/],
    [{ 'num.partitions': '0' }, /num\.partitions/],
    [{ 'auto.create.topics.enable': 'yes' }, /auto\.create\.topics\.enable/],
    [{ listeners: 'localhost:9092' }, /listeners/],
    [{ listeners: 'SSL://:9093' }, /SSL/],
    [{ 'log.dirs': '/a,/b' }, /log\.dirs/],
    [{ 'nonsense.key': '1' }, /nonsense\.key/],
    [{ 'socket.request.max.bytes': '99999999999' }, /socket\.request\.max\.bytes/],
    [{ 'group.min.session.timeout.ms': '10', 'group.max.session.timeout.ms': '5' }, /group\.min\.session\.timeout\.ms/],
  ])('rejects %j with an error naming the key', (props, message) => {
    let err: unknown
    try {
      configFromProperties(props as Record<string, string>)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toMatch(message)
  })
})

describe('validateBrokerConfig', () => {
  it('checks extraProperties given programmatically', () => {
    const base = defaultBrokerConfig()
    expect(validateBrokerConfig({ ...base, extraProperties: { 'log.cleanup.policy': 'compact' } }).extraProperties).toEqual({ 'log.cleanup.policy': 'compact' })
    expect(() => validateBrokerConfig({ ...base, extraProperties: { 'log.cleanup.policy': 'bogus' } })).toThrow(/log\.cleanup\.policy/)
    expect(() => validateBrokerConfig({ ...base, extraProperties: { 'no.such.config': '1' } })).toThrow(/Unknown configuration "no\.such\.config"/)
    // Settings with a typed field are set through it, never twice.
    expect(() => validateBrokerConfig({ ...base, extraProperties: { 'log.retention.ms': '1' } })).toThrow(/log\.retention\.ms/)
    expect(() => validateBrokerConfig({ ...base, extraProperties: null as never })).toThrow(/extraProperties/)
  })

  it('rejects unknown fields and bad values given programmatically', () => {
    expect(() => validateBrokerConfig({ ...defaultBrokerConfig(), bogus: 1 } as never)).toThrow(/bogus/)
    expect(() => validateBrokerConfig({ ...defaultBrokerConfig(), numPartitions: 1.5 })).toThrow(/num\.partitions/)
    expect(() => validateBrokerConfig({ ...defaultBrokerConfig(), port: 70000 })).toThrow(/port/)
    expect(() => validateBrokerConfig({ ...defaultBrokerConfig(), logLevel: 'loud' as never })).toThrow(/logLevel|log\.level/)
  })

  it('accepts memory-only storage', () => {
    expect(validateBrokerConfig({ ...defaultBrokerConfig(), dataDir: null }).dataDir).toBeNull()
  })
})

describe('brokerConfigToProperties', () => {
  it('reports what differs from the defaults under Kafka names', () => {
    const props = brokerConfigToProperties({ ...defaultBrokerConfig(), logRetentionMs: 1000, numPartitions: 4 })
    expect(props).toEqual({ 'log.retention.ms': '1000', 'num.partitions': '4' })
  })

  it('includes extraProperties, which were set explicitly', () => {
    const props = brokerConfigToProperties({ ...defaultBrokerConfig(), extraProperties: { 'log.cleanup.policy': 'delete' } })
    expect(props).toEqual({ 'log.cleanup.policy': 'delete' })
  })

  it('round-trips through propertiesToConfig', () => {
    const c = { ...defaultBrokerConfig(), port: 1234, host: '0.0.0.0', logSegmentBytes: 4096, dataDir: '/tmp/x', extraProperties: { 'log.cleaner.enable': 'false' } }
    expect(configFromProperties(brokerConfigToProperties(c, { includeDefaults: true }))).toEqual(c)
  })
})
