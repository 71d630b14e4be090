// Request header v1/v2 decoding and response header v0/v1 encoding.
//
// Request header v1 (non-flexible API versions): apiKey int16, apiVersion int16, correlationId int32,
// clientId nullable string. v2 (flexible versions) adds a tagged-field section; clientId stays a
// non-compact int16-length string even then. Response header v0: correlationId; v1 adds an empty
// tagged-field section. ApiVersions responses always use header v0 (the caller passes flexible: false).
import { readUnknownTaggedFields, type TaggedField } from './codec.js'
import { requestCodecs } from './generated/index.js'
import type { Reader } from './reader.js'
import type { Writer } from './writer.js'

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
  /** tagged fields of a v2 header (none are defined by Kafka today) */
  taggedFields?: TaggedField[]
}

/** Whether a request of this API version uses header v2 (unknown API keys: v1). */
export function isFlexibleRequest(apiKey: number, apiVersion: number): boolean {
  const codec = requestCodecs[apiKey]
  return codec !== undefined && apiVersion >= codec.flexibleMinVersion
}

/**
 * Decodes the request header at r.offset (the start of the frame, after the size prefix) and leaves
 * r at the start of the body. apiKey/apiVersion (peeked by the caller) select the header version.
 */
export function decodeRequestHeader(r: Reader, apiKey: number, apiVersion: number): RequestHeader {
  const header: RequestHeader = {
    apiKey: r.int16(),
    apiVersion: r.int16(),
    correlationId: r.int32(),
    clientId: r.nullableString(),
  }
  if (isFlexibleRequest(apiKey, apiVersion)) {
    const tagged = readUnknownTaggedFields(r)
    if (tagged !== undefined) header.taggedFields = tagged
  }
  return header
}

/** Encodes a request header (clients, tests); flexible selects header v2. */
export function encodeRequestHeader(w: Writer, header: RequestHeader, opts: { flexible: boolean }): void {
  w.int16(header.apiKey)
  w.int16(header.apiVersion)
  w.int32(header.correlationId)
  w.nullableString(header.clientId)
  if (opts.flexible) w.uvarint(0)
}

/** Response header: v0 = correlationId; v1 (flexible) = + empty tagged fields. */
export function encodeResponseHeader(w: Writer, correlationId: number, opts: { flexible: boolean }): void {
  w.int32(correlationId)
  if (opts.flexible) w.uvarint(0)
}

/** Decodes a response header (tests, clients). */
export function decodeResponseHeader(r: Reader, opts: { flexible: boolean }): { correlationId: number } {
  const correlationId = r.int32()
  if (opts.flexible) readUnknownTaggedFields(r)
  return { correlationId }
}
