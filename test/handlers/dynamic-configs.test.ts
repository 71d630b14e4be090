// The dynamic broker config store (src/broker/dynamic-configs.ts): atomic persistence in the data
// dir, reload, serialized read-modify-write, and the static layer reported by DescribeConfigs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BROKER_CONFIGS_FILE, DynamicBrokerConfigs, staticBrokerProperties } from '../../src/broker/dynamic-configs.js'
import { defaultBrokerConfig, type BrokerConfig } from '../../src/config/broker-config.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'brook-dyncfg-'))
  dirs.push(d)
  return d
}

function config(dataDir: string | null, extra: Partial<BrokerConfig> = {}): BrokerConfig {
  return { ...defaultBrokerConfig(), dataDir, ...extra }
}

describe('DynamicBrokerConfigs', () => {
  it('starts empty, persists each change atomically and loads it again', async () => {
    const dir = tempDir()
    const store = await DynamicBrokerConfigs.load({ dataDir: dir, config: config(dir) })
    expect(store.get('broker')).toEqual({})
    expect(existsSync(join(dir, BROKER_CONFIGS_FILE))).toBe(false)

    await store.update('broker', () => ({ 'log.retention.ms': '1000' }))
    await store.update('clusterDefault', (cur) => ({ ...cur, 'message.max.bytes': '2000000' }))
    const onDisk = JSON.parse(readFileSync(join(dir, BROKER_CONFIGS_FILE), 'utf8'))
    expect(onDisk).toEqual({ version: 1, clusterDefault: { 'message.max.bytes': '2000000' }, broker: { 'log.retention.ms': '1000' } })
    expect(existsSync(join(dir, `${BROKER_CONFIGS_FILE}.tmp`))).toBe(false)

    const again = await DynamicBrokerConfigs.load({ dataDir: dir, config: config(dir) })
    expect(again.get('broker')).toEqual({ 'log.retention.ms': '1000' })
    expect(again.effective()['message.max.bytes']).toBe('2000000')
    expect(again.layers().dynamicDefault).toEqual({ 'message.max.bytes': '2000000' })
  })

  it('per-broker values win over cluster defaults over static ones', async () => {
    const store = DynamicBrokerConfigs.inMemory(config(null, { messageMaxBytes: 5000 }))
    expect(store.effective()['message.max.bytes']).toBe('5000')
    await store.update('clusterDefault', () => ({ 'message.max.bytes': '6000' }))
    expect(store.effective()['message.max.bytes']).toBe('6000')
    await store.update('broker', () => ({ 'message.max.bytes': '7000' }))
    expect(store.effective()['message.max.bytes']).toBe('7000')
  })

  it('serializes updates so read-modify-write loses nothing; a throwing or null compute changes nothing', async () => {
    const store = DynamicBrokerConfigs.inMemory(config(null))
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update('broker', (cur) => ({ ...cur, [`k${i}`]: String(i) }))))
    expect(Object.keys(store.get('broker'))).toHaveLength(20)
    await expect(
      store.update('broker', () => {
        throw new Error('invalid')
      }),
    ).rejects.toThrow('invalid')
    await store.update('broker', () => null)
    expect(Object.keys(store.get('broker'))).toHaveLength(20)
  })

  it('tells listeners about every change', async () => {
    const store = DynamicBrokerConfigs.inMemory(config(null))
    const seen: (string | undefined)[] = []
    const off = store.onChange((layers) => seen.push(layers.dynamicBroker?.['log.retention.ms']))
    await store.update('broker', () => ({ 'log.retention.ms': '1' }))
    off()
    await store.update('broker', () => ({ 'log.retention.ms': '2' }))
    expect(seen).toEqual(['1'])
  })

  it('refuses to start on a damaged file rather than dropping configs', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, BROKER_CONFIGS_FILE), '{"version": 1, "broker": {"a": 1}}')
    await expect(DynamicBrokerConfigs.load({ dataDir: dir, config: config(dir) })).rejects.toThrow(BROKER_CONFIGS_FILE)
    writeFileSync(join(dir, BROKER_CONFIGS_FILE), 'not json')
    await expect(DynamicBrokerConfigs.load({ dataDir: dir, config: config(dir) })).rejects.toThrow(BROKER_CONFIGS_FILE)
  })
})

describe('staticBrokerProperties', () => {
  it("keeps only what differs from Kafka's defaults, converting hours to ms", () => {
    const props = staticBrokerProperties(config('/data/brook'))
    expect(props['log.dirs']).toBe('/data/brook')
    expect(props['node.id']).toBe('1')
    expect(props['broker.id']).toBe('1')
    // Brook's defaults that equal Kafka's are not "static" settings.
    expect(props['message.max.bytes']).toBeUndefined()
    expect(props['log.retention.ms']).toBeUndefined()
    expect(props['log.roll.ms']).toBeUndefined()
    expect(props['log.flush.interval.ms']).toBeUndefined()
    // Brook's own default differs from Kafka's (3000 ms).
    expect(props['group.initial.rebalance.delay.ms']).toBe('0')
  })

  it('reports settings an operator changed', () => {
    const props = staticBrokerProperties(config(null, { logRetentionMs: 3_600_000, messageMaxBytes: 1000, numPartitions: 3 }))
    expect(props).toMatchObject({ 'log.retention.ms': '3600000', 'message.max.bytes': '1000', 'num.partitions': '3' })
    expect(props['log.dirs']).toBeUndefined()
  })

  it('includes extraProperties (catalogue configs without a typed field), even at their defaults', () => {
    const store = DynamicBrokerConfigs.inMemory(config(null, { extraProperties: { 'log.cleanup.policy': 'compact', 'log.cleaner.enable': 'true' } }))
    expect(store.layers().static).toMatchObject({ 'log.cleanup.policy': 'compact', 'log.cleaner.enable': 'true' })
    expect(store.effective()['log.cleanup.policy']).toBe('compact')
  })
})
