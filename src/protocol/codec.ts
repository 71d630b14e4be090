// Shared shapes for the generated message codecs (src/protocol/generated/).
import { Reader } from './reader.js'
import type { Writer } from './writer.js'

/** A tagged field the codec does not know (kept so that it survives a decode/encode round trip). */
export interface TaggedField {
  tag: number
  data: Buffer
}

export interface MessageCodec<T> {
  readonly name: string
  /** -1 for messages that are not API requests/responses (headers, data records) */
  readonly apiKey: number
  readonly type: 'request' | 'response' | 'header' | 'data'
  readonly minVersion: number
  readonly maxVersion: number
  /** first flexible version; Infinity when the message is never flexible */
  readonly flexibleMinVersion: number
  decode(r: Reader, version: number): T
  encode(w: Writer, msg: T, version: number): void
}

// Tagged-field helpers used by generated code (cold path: tagged fields are rare on the wire).

/** Reads one tagged field's payload, kept as an opaque copy. */
export function readUnknownTaggedField(r: Reader, tag: number, size: number): TaggedField {
  return { tag, data: Buffer.from(r.slice(size)) }
}

/** Reads a tagged-field section of a struct that has no known tagged fields. */
export function readUnknownTaggedFields(r: Reader): TaggedField[] | undefined {
  const n = r.uvarint()
  if (n === 0) return undefined
  const out: TaggedField[] = []
  for (let i = 0; i < n; i++) {
    const tag = r.uvarint()
    const size = r.uvarint()
    out.push(readUnknownTaggedField(r, tag, size))
  }
  return out
}

/**
 * A reader bounded to one known tagged field's payload; `r` moves past the whole payload, so bytes
 * a newer peer appended to the field are skipped and a field can never read beyond its size.
 */
export function taggedFieldReader(r: Reader, size: number): Reader {
  const start = r.offset
  r.skip(size)
  return new Reader(r.buf, start, start + size)
}

/** Writes a tagged-field section made of unknown fields only (count first). */
export function writeUnknownTaggedFields(w: Writer, fields: TaggedField[] | undefined): void {
  if (fields === undefined) {
    w.uvarint(0)
    return
  }
  w.uvarint(fields.length)
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]
    w.uvarint(f.tag)
    w.uvarint(f.data.length)
    w.raw(f.data)
  }
}

/** Writes the unknown fields whose tag is in [fromTag, toTag), keeping tags ascending around known ones. */
export function writeUnknownTaggedRange(w: Writer, fields: TaggedField[], fromTag: number, toTag: number): void {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]
    if (f.tag >= fromTag && f.tag < toTag) {
      w.uvarint(f.tag)
      w.uvarint(f.data.length)
      w.raw(f.data)
    }
  }
}

/** Writes a known tagged field: tag, size, payload encoded separately in `data`. */
export function writeTaggedField(w: Writer, tag: number, data: Writer): void {
  w.uvarint(tag)
  w.uvarint(data.length)
  w.append(data)
}
