// Frame -> handler -> response frame. Decodes the request header (v1, or v2 for flexible
// versions), checks the version range, decodes the body, calls the handler and encodes the
// response header (v0, or v1 for flexible versions) and body as Writer chunks.
import { carryWrittenHook } from '../network/response-written.js'
import type { ConnectionInfo, RequestProcessor } from '../network/connection.js'
import type { Logger } from '../logger.js'
import type { MessageCodec } from '../protocol/codec.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { decodeRequestHeader, encodeResponseHeader } from '../protocol/headers.js'
import { DecodeError, Reader } from '../protocol/reader.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler, RequestContext } from './handler.js'
import type { HandlerRegistry } from './registry.js'
import type { BrokerServices } from './services.js'

/** Thrown to close the connection that sent the request (already logged). */
export class RequestRejectedError extends Error {
  override name = 'RequestRejectedError'
}

export interface DispatcherOptions {
  registry: HandlerRegistry
  services: BrokerServices
  logger: Logger
}

const MIN_HEADER_BYTES = 8 // apiKey int16, apiVersion int16, correlationId int32

/**
 * A handler that promises: once the promise (or value) handle() returned has settled, nothing it
 * started still reads or keeps any Buffer of the request (the frame may then be reused).
 */
export interface ReleasingHandler {
  releasesRequestBytes?: true
}

export class Dispatcher {
  private readonly registry: HandlerRegistry
  private readonly services: BrokerServices
  private readonly logger: Logger

  constructor(opts: DispatcherOptions) {
    this.registry = opts.registry
    this.services = opts.services
    this.logger = opts.logger
    // Handlers that hold no reference to the request bytes once they settle let the network
    // layer reuse those frames' buffers (Produce, under load: one ~1 MiB buffer per request).
    this.process.releasesFrame = (apiKey) => (this.registry.get(apiKey) as ReleasingHandler | undefined)?.releasesRequestBytes === true
  }

  /** The network layer's RequestProcessor. Returns synchronously when the handler does. */
  readonly process: RequestProcessor = (frame: Buffer, conn: ConnectionInfo): Promise<Buffer[] | null> | Buffer[] | null => {
    if (frame.length < MIN_HEADER_BYTES) this.reject(conn, `frame of ${frame.length} bytes is too short for a request header`, {})
    const apiKey = frame.readInt16BE(0)
    const apiVersion = frame.readInt16BE(2)
    const correlationId = frame.readInt32BE(4)
    const handler = this.registry.get(apiKey)
    if (!handler) this.reject(conn, 'unknown api key', { apiKey, apiVersion, correlationId })
    if (apiVersion > handler.maxVersion && handler.unsupportedVersionResponse) {
      return this.unsupportedVersion(handler, conn, apiVersion, correlationId)
    }
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      this.reject(conn, `unsupported version (implemented ${handler.minVersion}-${handler.maxVersion})`, { apiKey, apiVersion, correlationId })
    }

    const r = new Reader(frame)
    let ctx: RequestContext
    let req: unknown
    try {
      const header = decodeRequestHeader(r, apiKey, apiVersion)
      ctx = { apiKey, apiVersion, correlationId, clientId: header.clientId, connection: conn, broker: this.services }
      req = handler.request.decode(r, apiVersion)
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      this.reject(conn, `malformed request: ${err.message}`, { apiKey, apiVersion, correlationId })
    }

    let result: unknown
    try {
      result = handler.handle(ctx, req)
    } catch (err) {
      return this.encode(handler, ctx, this.failure(handler, ctx, req, err))
    }
    if (result !== null && typeof (result as Promise<unknown>)?.then === 'function') {
      return (result as Promise<unknown>).then(
        (res) => this.encode(handler, ctx, res),
        (err) => this.encode(handler, ctx, this.failure(handler, ctx, req, err)),
      )
    }
    return this.encode(handler, ctx, result)
  }

  /** The handler's error response for a whole-request failure. */
  private failure(handler: ApiHandler, ctx: RequestContext, req: unknown, err: unknown): unknown {
    let errorCode: number
    if (err instanceof KafkaError) {
      errorCode = err.errorCode
      this.logger.debug(logFields(ctx, { errorCode, err: err.message }), 'request failed')
    } else {
      errorCode = ErrorCode.UNKNOWN_SERVER_ERROR
      this.logger.error(logFields(ctx, { err }), 'unexpected error while handling a request')
    }
    return handler.errorResponse(ctx, req, errorCode)
  }

  private encode(handler: ApiHandler, ctx: RequestContext, res: unknown): Buffer[] | null {
    if (res === null || res === undefined) return null
    const flexible = !handler.responseHeaderV0 && ctx.apiVersion >= handler.response.flexibleMinVersion
    try {
      return carryWrittenHook(res, encodeFrame(handler.response, res, ctx.apiVersion, ctx.correlationId, flexible))
    } catch (err) {
      this.logger.error(logFields(ctx, { err }), 'cannot encode the response; closing the connection')
      throw new RequestRejectedError('response encoding failed')
    }
  }

  private unsupportedVersion(handler: ApiHandler, conn: ConnectionInfo, apiVersion: number, correlationId: number): Buffer[] {
    const ctx: RequestContext = { apiKey: handler.apiKey, apiVersion, correlationId, clientId: null, connection: conn, broker: this.services }
    this.logger.debug(logFields(ctx, {}), 'unsupported version; answering with version 0')
    return encodeFrame(handler.response, handler.unsupportedVersionResponse!(ctx), 0, correlationId, false)
  }

  private reject(conn: ConnectionInfo, reason: string, fields: { apiKey?: number; apiVersion?: number; correlationId?: number }): never {
    this.logger.info({ connection: conn.id, remote: `${conn.remoteAddress}:${conn.remotePort}`, ...fields }, `closing connection: ${reason}`)
    throw new RequestRejectedError(reason)
  }
}

/** Response frame: size prefix, response header, body, as Writer chunks (no concatenation). */
export function encodeFrame<T>(codec: MessageCodec<T>, msg: T, version: number, correlationId: number, flexible: boolean): Buffer[] {
  const w = new Writer()
  const setSize = w.reserveInt32()
  encodeResponseHeader(w, correlationId, { flexible })
  codec.encode(w, msg, version)
  setSize(w.length - 4)
  return w.chunks()
}

function logFields(ctx: RequestContext, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    connection: ctx.connection.id,
    clientId: ctx.clientId,
    apiKey: ctx.apiKey,
    apiVersion: ctx.apiVersion,
    correlationId: ctx.correlationId,
    ...extra,
  }
}
