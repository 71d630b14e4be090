// Property tests for every generated codec and every version in its range:
// decode(encode(x)) equals x with all bytes consumed, and arbitrary or corrupted bytes only ever
// produce DecodeError.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { MessageCodec } from '../../src/protocol/codec.js'
import * as generated from '../../src/protocol/generated/index.js'
import { DecodeError, Reader } from '../../src/protocol/reader.js'
import { Writer } from '../../src/protocol/writer.js'
import { SpecArbitraries } from './spec-arbitraries.js'
import { loadSpecs, versionsOf } from './spec-loader.js'

const NUM_RUNS = 40
const codecs = generated as unknown as Record<string, MessageCodec<unknown>>

function encode(codec: MessageCodec<unknown>, msg: unknown, version: number): Buffer {
  const w = new Writer(64)
  codec.encode(w, msg, version)
  const buf = w.toBuffer()
  expect(buf.length).toBe(w.length)
  return buf
}

function decodeOnlyDecodeErrors(codec: MessageCodec<unknown>, bytes: Buffer, version: number): void {
  try {
    codec.decode(new Reader(bytes), version)
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err
  }
}

for (const { file, spec } of loadSpecs()) {
  describe(file, () => {
    const codec = codecs[spec.name]
    const arbs = new SpecArbitraries(spec)

    it('has a generated codec matching the spec header', () => {
      expect(codec).toBeDefined()
      expect(codec.name).toBe(spec.name)
      expect(codec.type).toBe(spec.type)
      const versions = versionsOf(spec)
      expect([codec.minVersion, codec.maxVersion]).toEqual([versions[0], versions[versions.length - 1]])
    })

    for (const version of versionsOf(spec)) {
      it(`v${version}: decode(encode(x)) = x, all bytes consumed`, () => {
        fc.assert(
          fc.property(arbs.messageArb(version), (msg) => {
            const buf = encode(codec, msg, version)
            const r = new Reader(buf)
            const decoded = codec.decode(r, version)
            expect(r.remaining()).toBe(0)
            expect(decoded).toEqual(msg)
          }),
          { numRuns: NUM_RUNS },
        )
      })

      it(`v${version}: random and corrupted bytes throw only DecodeError`, () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
            decodeOnlyDecodeErrors(codec, Buffer.from(bytes), version)
          }),
          { numRuns: NUM_RUNS },
        )
        const corruption = fc.tuple(
          arbs.messageArb(version),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          fc.option(fc.nat()),
        )
        fc.assert(
          fc.property(corruption, ([msg, edits, cut]) => {
            const buf = Buffer.from(encode(codec, msg, version))
            for (const [pos, byte] of edits) if (buf.length > 0) buf[pos % buf.length] = byte
            decodeOnlyDecodeErrors(codec, cut === null ? buf : buf.subarray(0, cut % (buf.length + 1)), version)
          }),
          { numRuns: NUM_RUNS },
        )
      })
    }
  })
}
