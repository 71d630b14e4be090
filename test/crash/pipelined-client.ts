// A raw Kafka client that keeps several requests in flight on one connection (responses matched
// by correlation id), so a crash test can load a broker hard and know exactly which requests
// were answered before the broker died. When the connection closes every pending request
// rejects: an unanswered request is never counted as acknowledged.
import type { Socket } from 'node:net'
import type { MessageCodec } from '../../src/protocol/codec.js'
import { decodeResponse, encodeRequest } from '../helpers/kafka-raw.js'
import { connectTo } from '../helpers/socket.js'

interface Pending {
  decode(frame: Buffer): unknown
  resolve(value: unknown): void
  reject(err: Error): void
}

export class PipelinedKafkaClient {
  private nextCorrelationId = 1
  private readonly pending = new Map<number, Pending>()
  private buffered: Buffer = Buffer.alloc(0)
  private closedError: Error | null = null

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => {})
    socket.on('close', () => this.fail(new Error('connection closed')))
  }

  static async connect(port: number): Promise<PipelinedKafkaClient> {
    const socket = await connectTo(port)
    socket.setNoDelay(true)
    return new PipelinedKafkaClient(socket)
  }

  get inFlight(): number {
    return this.pending.size
  }

  request<Req, Res>(reqCodec: MessageCodec<Req>, resCodec: MessageCodec<Res>, version: number, body: Req): Promise<Res> {
    if (this.closedError) return Promise.reject(this.closedError)
    const correlationId = this.nextCorrelationId++
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(correlationId, {
        decode: (frame) => decodeResponse(resCodec, version, frame).body,
        resolve: resolve as (v: unknown) => void,
        reject,
      })
      this.socket.write(encodeRequest(reqCodec, version, body, { correlationId }))
    })
  }

  close(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
    while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
      const size = this.buffered.readInt32BE(0)
      const frame = this.buffered.subarray(4, 4 + size)
      this.buffered = this.buffered.subarray(4 + size)
      const correlationId = frame.readInt32BE(0)
      const p = this.pending.get(correlationId)
      if (!p) {
        this.fail(new Error(`response with unknown correlation id ${correlationId}`))
        return
      }
      this.pending.delete(correlationId)
      try {
        p.resolve(p.decode(frame))
      } catch (err) {
        p.reject(err as Error)
      }
    }
  }

  private fail(err: Error): void {
    this.closedError ??= err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
    this.socket.destroy()
  }
}
