// The TCP listener: accepts connections, hands frames to the request processor, and stops
// gracefully (stop accepting, let in-flight requests finish until a deadline, then close).
import { createServer, type Server, type Socket } from 'node:net'
import type { Logger } from '../logger.js'
import { Connection, type RequestProcessor } from './connection.js'

export interface NetworkServerOptions {
  host: string
  port: number
  maxRequestBytes: number
  idleTimeoutMs: number
  processor: RequestProcessor
  logger: Logger
  /** requests processed concurrently per connection before reading pauses (default 64) */
  maxInFlightPerConnection?: number
  /** bytes queued for writing per connection before reading pauses (default 4 MiB) */
  writeHighWaterMark?: number
}

export class NetworkServer {
  private readonly server: Server
  private readonly connections = new Set<Connection>()
  private nextConnectionId = 1
  private stopping: Promise<void> | null = null

  constructor(private readonly opts: NetworkServerOptions) {
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket))
  }

  /** Binds and listens; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err)
      this.server.once('error', onError)
      this.server.listen({ host: this.opts.host, port: this.opts.port, exclusive: true }, () => {
        this.server.off('error', onError)
        this.server.on('error', (err) => this.opts.logger.error({ err }, 'listener error'))
        resolve(this.address())
      })
    })
  }

  address(): { host: string; port: number } {
    const addr = this.server.address()
    if (addr === null || typeof addr === 'string') return { host: this.opts.host, port: this.opts.port }
    return { host: addr.address, port: addr.port }
  }

  get connectionCount(): number {
    return this.connections.size
  }

  /**
   * Stops accepting, lets every connection finish its in-flight requests and closes it; after
   * `timeoutMs` the remaining connections are destroyed.
   */
  stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.stopping ??= this.doStop(opts.timeoutMs ?? 5000)
    return this.stopping
  }

  private async doStop(timeoutMs: number): Promise<void> {
    const closedListener = new Promise<void>((resolve) => this.server.close(() => resolve()))
    const graceful = Promise.all([...this.connections].map((c) => c.close()))
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    const outcome = await Promise.race([graceful, deadline])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      this.opts.logger.warn({ connections: this.connections.size }, 'shutdown deadline reached, closing remaining connections')
      for (const c of this.connections) c.destroy()
      await Promise.all([...this.connections].map((c) => c.closed))
    }
    await closedListener
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy()
      return
    }
    const conn = new Connection(socket, {
      id: this.nextConnectionId++,
      maxRequestBytes: this.opts.maxRequestBytes,
      idleTimeoutMs: this.opts.idleTimeoutMs,
      maxInFlight: this.opts.maxInFlightPerConnection ?? 64,
      writeHighWaterMark: this.opts.writeHighWaterMark ?? 4 * 1024 * 1024,
      processor: this.opts.processor,
      logger: this.opts.logger,
    })
    this.connections.add(conn)
    this.opts.logger.debug({ connection: conn.info.id, remote: `${conn.info.remoteAddress}:${conn.info.remotePort}` }, 'connection accepted')
    void conn.closed.then(() => {
      this.connections.delete(conn)
      this.opts.logger.debug({ connection: conn.info.id }, 'connection closed')
    })
  }
}
