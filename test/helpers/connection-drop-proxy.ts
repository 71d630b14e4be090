// A TCP proxy in front of a broker that can lose chosen Produce responses: the broker has
// appended the batch, but the client's connection is cut before it sees the answer, so the
// client must retry. For an idempotent producer the retry carries the same producer id,
// epoch and sequence and must be answered with the original offset (no duplicate).
//
// Clients keep talking to the proxy only if the broker advertises the proxy's address, so
// listen first, then start the broker with advertisedListeners = proxy.port, then setTarget().
import { connect, createServer, type Server, type Socket } from 'node:net'

const PRODUCE_API_KEY = 0

export interface DropProxy {
  readonly port: number
  readonly bootstrap: string
  /** Produce responses seen from the broker (dropped ones included) */
  readonly produceResponses: number
  /** Produce responses dropped so far */
  readonly dropped: number
  /** the broker port to forward to */
  setTarget(port: number): void
  /**
   * Drops the Produce responses with these ordinals (1-based, counted across all connections).
   * With `hold`, the proxy then turns every new connection away until release(): the client's
   * retry waits, e.g. until the broker has been restarted.
   */
  dropProduceResponses(ordinals: readonly number[], opts?: { hold?: boolean }): void
  release(): void
  close(): Promise<void>
}

/** Splits a byte stream into size-prefixed frames (each returned with its prefix). */
function frameSplitter(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0)
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = 4 + pending.readInt32BE(0)
      onFrame(pending.subarray(0, size))
      pending = pending.subarray(size)
    }
  }
}

export async function startDropProxy(): Promise<DropProxy> {
  let targetPort = 0
  let produceResponses = 0
  let dropped = 0
  const toDrop = new Set<number>()
  let holdAfterDrop = false
  let holding = false
  const sockets = new Set<Socket>()

  const server: Server = createServer((client) => {
    if (holding) {
      client.destroy()
      return
    }
    const upstream = connect({ host: '127.0.0.1', port: targetPort })
    sockets.add(client).add(upstream)
    const produceCorrelationIds = new Set<number>()
    const closeBoth = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', closeBoth).on('close', closeBoth)
    upstream.on('error', closeBoth).on('close', closeBoth)

    // requests: [size][apiKey int16][apiVersion int16][correlationId int32]...
    client.on(
      'data',
      frameSplitter((frame) => {
        if (frame.length >= 12 && frame.readInt16BE(4) === PRODUCE_API_KEY) produceCorrelationIds.add(frame.readInt32BE(8))
        upstream.write(frame)
      }),
    )
    // responses: [size][correlationId int32]...
    upstream.on(
      'data',
      frameSplitter((frame) => {
        if (client.destroyed) return
        const correlationId = frame.readInt32BE(4)
        if (produceCorrelationIds.delete(correlationId)) {
          produceResponses++
          if (toDrop.delete(produceResponses)) {
            dropped++
            if (holdAfterDrop) holding = true
            closeBoth()
            return
          }
        }
        client.write(frame)
      }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port

  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    get produceResponses() {
      return produceResponses
    },
    get dropped() {
      return dropped
    },
    setTarget(p) {
      targetPort = p
    },
    dropProduceResponses(ordinals, opts = {}) {
      for (const o of ordinals) toDrop.add(o)
      holdAfterDrop = opts.hold === true
    },
    release() {
      holding = false
      holdAfterDrop = false
    },
    close() {
      for (const s of sockets) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
