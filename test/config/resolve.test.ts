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

  it('applies --override properties under the flags', () => {
    const r = resolveBrokerConfig({ properties: { 'num.partitions': '4', 'brook.port': '5' }, overrides: { port: 6 } })
    expect(r.config).toMatchObject({ numPartitions: 4, port: 6 })
  })
})
