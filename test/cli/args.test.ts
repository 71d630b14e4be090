import { describe, expect, it } from 'vitest'
import { UsageError, parseCliArgs } from '../../src/cli/args.js'

describe('parseCliArgs', () => {
  it('defaults to serve', () => {
    expect(parseCliArgs([])).toMatchObject({ command: 'serve', memory: false, fsync: false, overrides: {} })
    expect(parseCliArgs(['serve'])).toMatchObject({ command: 'serve' })
  })

  it('reads every flag', () => {
    expect(
      parseCliArgs([
        'serve', '--host', '0.0.0.0', '-p', '19092', '--data-dir', '/d', '--node-id', '3', '-c', 'server.properties',
        '--log-level', 'debug', '--fsync', '--advertised-listeners', 'PLAINTEXT://h:1',
        '--override', 'num.partitions=3', '--override', 'log.retention.ms=1000',
      ]),
    ).toEqual({
      command: 'serve',
      host: '0.0.0.0',
      port: 19092,
      dataDir: '/d',
      memory: false,
      nodeId: 3,
      configFile: 'server.properties',
      logLevel: 'debug',
      fsync: true,
      advertisedListeners: 'PLAINTEXT://h:1',
      overrides: { 'num.partitions': '3', 'log.retention.ms': '1000' },
    })
  })

  it('recognises help and version', () => {
    expect(parseCliArgs(['-h'])).toEqual({ command: 'help' })
    expect(parseCliArgs(['serve', '--help'])).toEqual({ command: 'help' })
    expect(parseCliArgs(['-v'])).toEqual({ command: 'version' })
  })

  it.each([
    [['--prot', '1'], /--prot/],
    [['--port', 'abc'], /--port/],
    [['--port', '70000'], /--port/],
    [['--port'], /--port/],
    [['--node-id', '-1'], /--node-id/],
    [['--log-level', 'loud'], /--log-level/],
    [['--memory', '--data-dir', 'x'], /--memory/],
    [['--override', 'novalue'], /--override/],
    [['start'], /start/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError)
    expect(() => parseCliArgs(argv)).toThrow(message)
  })
})
