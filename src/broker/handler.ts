// What a handler is: one Kafka API (request/response codecs + versions) and its logic.
import type { MessageCodec } from '../protocol/codec.js'
import type { BrokerServices } from './services.js'

export interface RequestConnection {
  id: number
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
}

export interface RequestContext {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
  connection: RequestConnection
  broker: BrokerServices
}

export interface ApiHandler<Req = any, Res = any> {
  apiKey: number
  request: MessageCodec<Req>
  response: MessageCodec<Res>
  /** versions implemented and decoded */
  minVersion: number
  maxVersion: number
  /**
   * Lowest version advertised in ApiVersions when lower than minVersion (Produce advertises 0 for
   * old librdkafka's feature checks). Requests below minVersion close the connection.
   */
  advertisedMinVersion?: number
  /**
   * Respond with response header v0 even in flexible versions (ApiVersions: a client must be able
   * to read it before it knows the broker's versions).
   */
  responseHeaderV0?: boolean
  /**
   * A request version above maxVersion normally closes the connection. With this hook the broker
   * instead answers with this response encoded at version 0 (ApiVersions, KIP-511).
   */
  unsupportedVersionResponse?(ctx: RequestContext): Res
  /** null => no response at all (Produce with acks=0) */
  handle(ctx: RequestContext, req: Req): Promise<Res | null> | Res | null
  /** The response for a whole-request failure (a KafkaError thrown by handle, or an unexpected error). */
  errorResponse(ctx: RequestContext, req: Req, errorCode: number): Res
}
