// Bytes another client encoded, decoded with Brook's generated codecs: the codec must consume
// every byte and re-encode the message to exactly the same bytes.
import { expect } from 'vitest'
import type { MessageCodec } from '../../src/protocol/codec.js'
import { Reader } from '../../src/protocol/reader.js'
import { Writer } from '../../src/protocol/writer.js'

export function decodeExactly<T>(codec: MessageCodec<T>, version: number, bytes: Buffer): T {
  const r = new Reader(bytes)
  const msg = codec.decode(r, version)
  expect(r.remaining()).toBe(0)
  const w = new Writer()
  codec.encode(w, msg, version)
  expect(w.toBuffer().toString('hex')).toBe(bytes.toString('hex'))
  return msg
}
