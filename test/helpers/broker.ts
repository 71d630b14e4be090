// A Brook broker for tests: in-process, random port, its own temp data dir (removed by stop()).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBroker, type Broker, type BrokerConfig, type LogLevel } from '../../src/index.js'

export interface TestBrokerOptions {
  /** settings on top of the embedding defaults */
  config?: Partial<BrokerConfig>
  /** memory-only storage instead of a temp data dir */
  memory?: boolean
  /** use this data dir (kept on stop) instead of a fresh temp dir */
  dataDir?: string
  logLevel?: LogLevel
}

export interface TestBroker extends AsyncDisposable {
  /** '127.0.0.1:PORT' */
  readonly bootstrap: string
  readonly port: number
  /** null for memory-only brokers */
  readonly dataDir: string | null
  /** the running broker (replaced by restart()) */
  readonly broker: Broker
  /** Stops the broker and removes the temp data dir it created. */
  stop(): Promise<void>
  /** Stops and starts again on the same port and data dir (e.g. to test recovery). */
  restart(): Promise<void>
}

export async function startTestBroker(opts: TestBrokerOptions = {}): Promise<TestBroker> {
  const ownDir = !opts.memory && opts.dataDir === undefined
  const dataDir = opts.memory ? null : (opts.dataDir ?? mkdtempSync(join(tmpdir(), 'brook-test-')))
  const start = (port: number) =>
    startBroker({ port, dataDir, config: opts.config, logLevel: opts.logLevel ?? (process.env.BROOK_TEST_LOG_LEVEL as LogLevel) ?? 'warn' })
  let broker: Broker
  try {
    broker = await start(0)
  } catch (err) {
    if (ownDir && dataDir) rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
  const port = broker.port
  let stopped = false
  const handle: TestBroker = {
    get bootstrap() {
      return broker.bootstrap
    },
    port,
    dataDir,
    get broker() {
      return broker
    },
    async stop() {
      if (stopped) return
      stopped = true
      await broker.stop()
      if (ownDir && dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
    async restart() {
      await broker.stop()
      broker = await start(port)
    },
    [Symbol.asyncDispose]() {
      return handle.stop()
    },
  }
  return handle
}
