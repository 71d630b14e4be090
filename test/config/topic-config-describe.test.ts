import { describe, expect, it } from 'vitest'
import { describeBrokerConfigs, describeTopicConfigs } from '../../src/config/topic-config-catalog-describe.js'
import { ConfigSource, ConfigType } from '../../src/config/topic-config-catalog-types.js'
import { brokerConfigDefinitions, brokerConfigSynonyms, validateBrokerConfigChange } from '../../src/config/broker-config-catalog.js'

const opts = { includeSynonyms: true, includeDocumentation: true }

describe('describeTopicConfigs', () => {
  it('reports an override with its synonyms, source and type', () => {
    const [entry] = describeTopicConfigs({ 'retention.ms': ' 1000 ' }, { static: { 'log.retention.hours': '24' } }, { ...opts, keys: ['retention.ms'] })
    expect(entry).toMatchObject({ name: 'retention.ms', value: '1000', configSource: ConfigSource.TOPIC_CONFIG, readOnly: false, configType: ConfigType.LONG, isSensitive: false })
    // Kafka lists broker synonyms starting at the topic config's first server synonym (log.retention.ms), which is unset
    expect(entry.synonyms).toEqual([{ name: 'retention.ms', value: '1000', source: ConfigSource.TOPIC_CONFIG }])
    expect(entry.documentation).toMatch(/segment/)
  })

  it('reports broker-supplied defaults with their source', () => {
    const [entry] = describeTopicConfigs({}, { static: { 'log.retention.ms': '5000' }, dynamicDefault: { 'log.retention.ms': '6000' } }, { ...opts, keys: ['retention.ms'] })
    expect(entry.value).toBe('6000')
    expect(entry.configSource).toBe(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
    expect(entry.synonyms).toEqual([
      { name: 'log.retention.ms', value: '6000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
      { name: 'log.retention.ms', value: '5000', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
    ])
    const [seg] = describeTopicConfigs({}, {}, { ...opts, keys: ['segment.bytes'] })
    expect(seg).toMatchObject({ value: '1073741824', configSource: ConfigSource.DEFAULT_CONFIG })
    expect(seg.synonyms).toEqual([{ name: 'log.segment.bytes', value: '1073741824', source: ConfigSource.DEFAULT_CONFIG }])
  })

  it('converts hour-based broker defaults and lists every config when no keys are given', () => {
    const all = describeTopicConfigs({}, { static: { 'log.retention.hours': '1' } }, { includeSynonyms: false, includeDocumentation: false })
    expect(all.length).toBe(33)
    const r = all.find((e) => e.name === 'retention.ms')!
    expect(r.value).toBe('3600000')
    expect(r.synonyms).toEqual([])
    expect(r.documentation).toBeNull()
    expect(all.find((e) => e.name === 'min.cleanable.dirty.ratio')!.configType).toBe(ConfigType.DOUBLE)
    expect(all.find((e) => e.name === 'cleanup.policy')!.configType).toBe(ConfigType.LIST)
  })
})

describe('broker configs', () => {
  it('describes this broker with read-only flags and static values', () => {
    const entries = describeBrokerConfigs({ static: { 'num.partitions': '3' }, dynamicBroker: { 'log.retention.ms': '10' } }, { ...opts, perBroker: true })
    const np = entries.find((e) => e.name === 'num.partitions')!
    expect(np).toMatchObject({ value: '3', readOnly: true, configSource: ConfigSource.STATIC_BROKER_CONFIG, configType: ConfigType.INT })
    const rm = entries.find((e) => e.name === 'log.retention.ms')!
    expect(rm).toMatchObject({ value: '10', readOnly: false, configSource: ConfigSource.DYNAMIC_BROKER_CONFIG })
    expect(rm.synonyms.map((s) => s.name)).toEqual(['log.retention.ms', 'log.retention.hours'])
    const lrm = entries.find((e) => e.name === 'log.roll.ms')!
    expect(lrm).toMatchObject({ value: null, configSource: ConfigSource.DEFAULT_CONFIG })
  })

  it('describes the cluster-default resource as only its dynamic defaults', () => {
    const entries = describeBrokerConfigs({ static: { 'num.partitions': '3' }, dynamicDefault: { 'log.cleaner.threads': '2' } }, { ...opts, perBroker: false })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ name: 'log.cleaner.threads', value: '2', configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG })
  })

  it('validates dynamic changes', () => {
    expect(validateBrokerConfigChange({ 'log.retention.ms': '100', 'log.cleaner.threads': null })).toBeNull()
    expect(validateBrokerConfigChange({ 'log.dirs': '/x' })?.message).toBe('Cannot update these configs dynamically: Set(log.dirs)')
    expect(validateBrokerConfigChange({ 'message.max.bytes': '-1' })?.message).toBe('Invalid value -1 for configuration message.max.bytes: Value must be at least 0')
    expect(validateBrokerConfigChange({ 'no.such': '1' })?.message).toBe('Unknown broker config name: no.such')
  })

  it('has a definition for every broker synonym of a topic config and sane defaults', () => {
    const names = new Set(brokerConfigDefinitions.map((d) => d.name))
    for (const n of ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours', 'log.roll.ms', 'log.roll.hours', 'log.cleaner.min.cleanable.ratio', 'message.max.bytes', 'log.segment.delete.delay.ms']) {
      expect(names.has(n), n).toBe(true)
    }
    expect(brokerConfigSynonyms('log.retention.hours')).toEqual(['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'])
    for (const d of brokerConfigDefinitions) expect(d.documentation.length, d.name).toBeGreaterThan(10)
  })
})
