// A minimal raw Kafka client for tests: encodes requests with Brook's generated codecs, sends
// them over a plain socket and decodes the responses (in order, matched by correlation id).
import type { Socket } from 'node:net'
import type { MessageCodec } from '../../src/protocol/codec.js'
import { decodeResponseHeader, encodeRequestHeader } from '../../src/protocol/headers.js'
import { Reader } from '../../src/protocol/reader.js'
import { Writer } from '../../src/protocol/writer.js'
import { FrameReader, connectTo, waitForClose } from './socket.js'

const API_VERSIONS_KEY = 18

export function encodeRequest<T>(codec: MessageCodec<T>, version: number, body: T, opts: { correlationId: number; clientId?: string | null }): Buffer {
  const w = new Writer()
  const setSize = w.reserveInt32()
  encodeRequestHeader(
    w,
    { apiKey: codec.apiKey, apiVersion: version, correlationId: opts.correlationId, clientId: opts.clientId === undefined ? 'brook-test' : opts.clientId },
    { flexible: version >= codec.flexibleMinVersion },
  )
  codec.encode(w, body, version)
  setSize(w.length - 4)
  return w.toBuffer()
}

export function decodeResponse<T>(codec: MessageCodec<T>, version: number, frame: Buffer): { correlationId: number; body: T } {
  const r = new Reader(frame)
  const flexible = codec.apiKey !== API_VERSIONS_KEY && version >= codec.flexibleMinVersion
  const { correlationId } = decodeResponseHeader(r, { flexible })
  return { correlationId, body: codec.decode(r, version) }
}

export class RawKafkaClient {
  private nextCorrelationId = 1

  private constructor(
    readonly socket: Socket,
    readonly frames: FrameReader,
  ) {}

  static async connect(port: number, host = '127.0.0.1'): Promise<RawKafkaClient> {
    const socket = await connectTo(port, host)
    return new RawKafkaClient(socket, new FrameReader(socket))
  }

  /** Sends one request and returns its decoded response. */
  async request<Req, Res>(reqCodec: MessageCodec<Req>, resCodec: MessageCodec<Res>, version: number, body: Req): Promise<Res> {
    const correlationId = this.nextCorrelationId++
    this.socket.write(encodeRequest(reqCodec, version, body, { correlationId }))
    const [frame] = await this.frames.next(1)
    const res = decodeResponse(resCodec, version, frame)
    if (res.correlationId !== correlationId) throw new Error(`correlation id ${res.correlationId}, expected ${correlationId}`)
    return res.body
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** true when the broker closes the connection within timeoutMs */
  closedByBroker(timeoutMs = 5000): Promise<boolean> {
    return waitForClose(this.socket, timeoutMs)
  }

  close(): void {
    this.socket.destroy()
  }
}
