import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/config/broker-config.js'
import { envNameToProperty, envToProperties } from '../../src/config/env.js'
import { resolveBrokerConfig } from '../../src/config/resolve.js'

const dir = mkdtempSync(join(tmpdir(), 'brook-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(text: string): string {
  const path = join(dir, `server-${Math.random().toString(36).slice(2)}.properties`)
  writeFileSync(path, text)
  return path
}

describe('BROOK_* environment variables', () => {
  it('map to Kafka names, then to brook.* names', () => {
    expect(envNameToProperty('BROOK_NUM_PARTITIONS')).toBe('num.partitions')
    expect(envNameToProperty('BROOK_NODE_ID')).toBe('node.id')
    expect(envNameToProperty('BROOK_PORT')).toBe('brook.port')
    expect(envNameToProperty('BROOK_DATA_DIR')).toBe('brook.data.dir')
    expect(envNameToProperty('BROOK_LOG_LEVEL')).toBe('brook.log.level')
    expect(envNameToProperty('BROOK_LOG_CLEANUP_POLICY')).toBe('log.cleanup.policy')
    expect(envNameToProperty('BROOK_LOG_CLEANER_MIN_CLEANABLE_RATIO')).toBe('log.cleaner.min.cleanable.ratio')
    expect(envNameToProperty('BROOK_NOPE')).toBeUndefined()
  })

  it('collect unknown names and the config file', () => {
    const r = envToProperties({ BROOK_PORT: '1', BROOK_TYPO: 'x', BROOK_CONFIG: '/etc/x', PATH: '/bin' })
    expect(r.props).toEqual({ 'brook.port': '1' })
    expect(r.unknown).toEqual(['BROOK_TYPO'])
    expect(r.configFile).toBe('/etc/x')
  })
})

describe('resolveBrokerConfig', () => {
  it('layers defaults < file < env < overrides', () => {
    const path = file('listeners=PLAINTEXT://127.0.0.1:1000\nnum.partitions=2\nlog.dirs=/from/file\nnode.id=5\n')
    const r = resolveBrokerConfig({
      configFile: path,
      env: { BROOK_PORT: '2000', BROOK_NUM_PARTITIONS: '3', BROOK_MEMORY: 'true' },
      overrides: { port: 3000, host: undefined },
    })
    expect(r.config).toMatchObject({ host: '127.0.0.1', port: 3000, numPartitions: 3, dataDir: null, nodeId: 5 })
  })

  it('reads the file named by BROOK_CONFIG', () => {
    const path = file('num.partitions=9\n')
    expect(resolveBrokerConfig({ env: { BROOK_CONFIG: path } }).config.numPartitions).toBe(9)
  })

  it('names the variable in errors', () => {
    expect(() => resolveBrokerConfig({ env: { BROOK_NUM_PARTITIONS: 'x' } })).toThrow(/BROOK_NUM_PARTITIONS/)
  })

  it('names the file and key in errors', () => {
    const path = file('num.partitions=0\n')
    expect(() => resolveBrokerConfig({ configFile: path })).toThrow(new RegExp(`num.partitions.*${path}`))
  })

  it('reports a missing file', () => {
    expect(() => resolveBrokerConfig({ configFile: join(dir, 'missing.properties') })).toThrow(ConfigError)
  })

  it('warns about unknown BROOK_* variables', () => {
    expect(resolveBrokerConfig({ env: { BROOK_PROT: '1' } }).warnings).toEqual(['Ignoring unknown environment variable BROOK_PROT'])
  })

  it('loads a server.properties with log.cleanup.policy, log.retention.check.interval.ms and log.cleaner.*', () => {
    const path = file(
      [
        'process.roles=broker,controller',
        'node.id=1',
        'controller.quorum.voters=1@localhost:9093',
        'listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
        'num.network.threads=3',
        'log.dirs=/tmp/brook-logs',
        'log.cleanup.policy=compact,delete',
        'log.retention.hours=168',
        'log.retention.check.interval.ms=300000',
        'log.cleaner.enable=true',
        'log.cleaner.threads=1',
        'log.cleaner.backoff.ms=5000',
        'log.cleaner.min.cleanable.ratio=0.3',
        'log.cleaner.delete.retention.ms=3600000',
        'log.cleaner.dedupe.buffer.size=33554432',
        '',
      ].join('\n'),
    )
    const r = resolveBrokerConfig({ configFile: path })
    expect(r.config).toMatchObject({ nodeId: 1, dataDir: '/tmp/brook-logs', logRetentionMs: 168 * 3_600_000 })
    expect(r.config.extraProperties).toEqual({
      'process.roles': 'broker,controller',
      'num.network.threads': '3',
      'log.cleanup.policy': 'compact,delete',
      'log.retention.check.interval.ms': '300000',
      'log.cleaner.enable': 'true',
      'log.cleaner.threads': '1',
      'log.cleaner.backoff.ms': '5000',
      'log.cleaner.min.cleanable.ratio': '0.3',
      'log.cleaner.delete.retention.ms': '3600000',
      'log.cleaner.dedupe.buffer.size': '33554432',
    })
    // Only what Brook does not act on is reported as ignored.
    expect(r.ignored.sort()).toEqual(['controller.quorum.voters', 'log.cleaner.threads', 'num.network.threads', 'process.roles'])
  })

  it("loads Kafka 4's stock KRaft server.properties", () => {
    const path = file(
      [
        'process.roles=broker,controller',
        'node.id=1',
        'controller.quorum.bootstrap.servers=localhost:9093',
        'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
        'inter.broker.listener.name=PLAINTEXT',
        'advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093',
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
        'num.network.threads=3',
        'num.io.threads=8',
        'socket.send.buffer.bytes=102400',
        'socket.receive.buffer.bytes=102400',
        'socket.request.max.bytes=104857600',
        'log.dirs=/tmp/kraft-combined-logs',
        'num.partitions=1',
        'num.recovery.threads.per.data.dir=1',
        'offsets.topic.replication.factor=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'log.retention.hours=168',
        'log.segment.bytes=1073741824',
        'log.retention.check.interval.ms=300000',
        '',
      ].join('\n'),
    )
    const r = resolveBrokerConfig({ configFile: path })
    expect(r.config).toMatchObject({ host: '0.0.0.0', port: 9092, dataDir: '/tmp/kraft-combined-logs', nodeId: 1 })
    expect(r.config.extraProperties).toMatchObject({ 'num.io.threads': '8', 'log.retention.check.interval.ms': '300000' })
    expect(r.ignored).toContain('controller.listener.names')
    expect(r.ignored).not.toContain('log.retention.check.interval.ms')
  })

  it('names the key and the file for a bad catalogue config value', () => {
    const path = file('log.cleaner.enable=true\nlog.cleanup.policy=bogus\n')
    expect(() => resolveBrokerConfig({ configFile: path })).toThrow(ConfigError)
    expect(() => resolveBrokerConfig({ configFile: path })).toThrow(new RegExp(`"log\\.cleanup\\.policy".*${path}.*compact, delete`))
  })

  it('still rejects unknown keys', () => {
    expect(() => resolveBrokerConfig({ configFile: file('log.cleaner.enabled=true\n') })).toThrow(/Unknown configuration "log\.cleaner\.enabled"/)
    expect(() => resolveBrokerConfig({ properties: { 'log.cleanup.polic': 'compact' } })).toThrow(/log\.cleanup\.polic/)
  })

  it('merges catalogue configs key by key across file, env and --override', () => {
    const path = file('log.cleanup.policy=compact\nlog.cleaner.backoff.ms=100\n')
    const r = resolveBrokerConfig({
      configFile: path,
      env: { BROOK_LOG_CLEANER_BACKOFF_MS: '200', BROOK_LOG_RETENTION_CHECK_INTERVAL_MS: '50' },
      properties: { 'log.retention.check.interval.ms': '60' },
    })
    expect(r.config.extraProperties).toEqual({ 'log.cleanup.policy': 'compact', 'log.cleaner.backoff.ms': '200', 'log.retention.check.interval.ms': '60' })
    expect(() => resolveBrokerConfig({ env: { BROOK_LOG_CLEANUP_POLICY: 'bogus' } })).toThrow(/BROOK_LOG_CLEANUP_POLICY/)
  })

  it('applies --override properties under the flags', () => {
    const r = resolveBrokerConfig({ properties: { 'num.partitions': '4', 'brook.port': '5' }, overrides: { port: 6 } })
    expect(r.config).toMatchObject({ numPartitions: 4, port: 6 })
  })
})
