// Runs the real `brook` command (transpiled src/) as a child process.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js'
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js'
import { buildForTests, type Build } from '../helpers/build.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'

let build: Build
const tmp = mkdtempSync(join(tmpdir(), 'brook-cli-'))

beforeAll(() => {
  build = buildForTests()
})
afterAll(() => {
  build?.remove()
  rmSync(tmp, { recursive: true, force: true })
})

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BROOK_')) env[k] = v
  return { ...env, ...extra }
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [build.cliPath, ...args], { env: cleanEnv(env) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** Starts `brook serve` on a free port; resolves once it logs its listener. */
function serve(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number; output: () => string; exited: Promise<Run> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [build.cliPath, 'serve', '--port', '0', ...args], { env: cleanEnv(env) })
    let stdout = ''
    let stderr = ''
    const exited = new Promise<Run>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })))
    child.stderr.on('data', (d) => (stderr += d))
    child.stdout.on('data', (d) => {
      stdout += d
      const m = /"listener":"[^"]*:(\d+)"/.exec(stdout)
      if (m) resolve({ child, port: Number(m[1]), output: () => stdout, exited })
    })
    void exited.then((r) => reject(new Error(`brook exited early (${r.code}): ${r.stderr}${r.stdout}`)))
  })
}

describe('brook', () => {
  it('--help prints usage and exits 0', async () => {
    const r = await run(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Usage: brook/)
    expect(r.stdout).toMatch(/--data-dir/)
  })

  it('--version prints the package version', async () => {
    const r = await run(['-v'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('an unknown flag exits 2 with the problem and a hint', async () => {
    const r = await run(['--prot', '9092'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--prot/)
    expect(r.stderr).toMatch(/brook --help/)
  })

  it('a bad flag value exits 2', async () => {
    const r = await run(['--port', 'many'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--port/)
  })

  it('a bad config file value exits 2 naming the key', async () => {
    const path = join(tmp, 'bad.properties')
    writeFileSync(path, 'num.partitions=zero\n')
    const r = await run(['--config', path, '--memory'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/num\.partitions/)
  })

  it('a bad --override of a catalogue broker config exits 2 naming the key', async () => {
    const r = await run(['--memory', '--override', 'log.cleanup.policy=bogus'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/log\.cleanup\.policy/)
    expect(r.stderr).toMatch(/bogus/)
  })

  it('an unknown --override key exits 2 naming it', async () => {
    const r = await run(['--memory', '--override', 'log.cleaner.enabled=true'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/log\.cleaner\.enabled/)
  })

  it('a bad BROOK_* variable exits 2 naming it', async () => {
    const r = await run(['--memory'], { BROOK_NUM_PARTITIONS: 'lots' })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/BROOK_NUM_PARTITIONS/)
  })

  it('serve answers ApiVersions and exits 0 on SIGTERM', async () => {
    const dataDir = join(tmp, 'data')
    const { child, port, exited } = await serve(['--data-dir', dataDir, '--log-level', 'info'])
    const c = await RawKafkaClient.connect(port)
    const res = await c.request(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'cli-test', clientSoftwareVersion: '1' })
    expect(res.errorCode).toBe(ErrorCode.NONE)
    c.close()
    child.kill('SIGTERM')
    const r = await exited
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Brook stopped/)
  })

  it('serve exits 0 on SIGINT with a client still connected', async () => {
    const { child, port, exited } = await serve(['--memory'])
    const c = await RawKafkaClient.connect(port)
    child.kill('SIGINT')
    expect((await exited).code).toBe(0)
    expect(await c.closedByBroker()).toBe(true)
  })

  it('serve takes settings from BROOK_* variables and --config', async () => {
    const path = join(tmp, 'server.properties')
    writeFileSync(path, 'node.id=5\nnum.network.threads=3\nlog.cleanup.policy=delete\nlog.cleaner.backoff.ms=1000\n')
    const { child, output, exited } = await serve(['--config', path, '--override', 'log.retention.check.interval.ms=1000'], {
      BROOK_MEMORY: 'true',
      BROOK_LOG_LEVEL: 'info',
      BROOK_LOG_CLEANER_ENABLE: 'true',
    })
    child.kill('SIGTERM')
    await exited
    expect(output()).toMatch(/"nodeId":5/)
    expect(output()).toMatch(/"dataDir":"\(memory\)"/)
  })

  it('serve exits 1 when the port is taken', async () => {
    const first = await serve(['--memory'])
    const r = await run(['serve', '--memory', '--port', String(first.port)])
    first.child.kill('SIGTERM')
    await first.exited
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/EADDRINUSE|in use/)
  })
})
