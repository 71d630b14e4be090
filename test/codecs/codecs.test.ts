import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CodecError,
  CompressionCodec,
  codecForCompressionType,
  compress,
  compressSync,
  decompress,
  decompressSync,
  initCodecs,
} from '../../src/codecs/index.js'
import { isXerialFramed, snappyCompressRaw } from '../../src/codecs/snappy.js'
import { xxhash32 } from '../../src/codecs/xxhash32.js'
import { zstdFrameContentSize } from '../../src/codecs/zstd.js'

const require = createRequire(import.meta.url)
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/codecs')
const fixture = (name: string): Buffer => readFileSync(path.join(fixtures, name))
const codecs = [CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD]

beforeAll(async () => {
  await initCodecs()
})

describe('round trips', () => {
  it.each(codecs)('codec %i: async and sync, empty to multi-block', async (codec) => {
    const samples = [
      Buffer.alloc(0),
      Buffer.from('x'),
      Buffer.from('hello world '.repeat(30000)), // 360 KB: several lz4 / snappy blocks
      Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251)), // poorly compressible
    ]
    for (const data of samples) {
      const z = await compress(codec, data)
      expect((await decompress(codec, z)).equals(data)).toBe(true)
      expect(decompressSync(codec, compressSync(codec, data)).equals(data)).toBe(true)
    }
  })

  it.each(codecs)('codec %i: property round trip', (codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 40 }), (bytes, repeat) => {
        const data = Buffer.concat(Array.from({ length: repeat }, () => Buffer.from(bytes)))
        return decompressSync(codec, compressSync(codec, data)).equals(data)
      }),
      { numRuns: 60 },
    )
  })

  it('honours compression levels', async () => {
    const data = Buffer.from('abcabcabd'.repeat(10000))
    expect((await decompress(1, await compress(1, data, { level: 9 }))).equals(data)).toBe(true)
    expect((await decompress(4, await compress(4, data, { level: 19 }))).equals(data)).toBe(true)
  })
})

describe('interoperability with other implementations', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(5000))

  it('gzip: reads zlib output, zlib reads ours', async () => {
    expect((await decompress(1, zlib.gzipSync(data))).equals(data)).toBe(true)
    expect(zlib.gunzipSync(await compress(1, data)).equals(data)).toBe(true)
  })

  it('snappy: writes xerial framing that kafkajs-snappy reads; reads raw and xerial', async () => {
    const ours = await compress(2, data)
    expect(isXerialFramed(ours)).toBe(true)
    expect(ours.readInt32BE(8)).toBe(1)
    const kafkajsSnappy = require('kafkajs-snappy')()
    expect((await kafkajsSnappy.decompress(ours) as Buffer).equals(data)).toBe(true)
    expect((await decompress(2, await kafkajsSnappy.compress({ buffer: data }))).equals(data)).toBe(true)
    expect((await decompress(2, snappyCompressRaw(data))).equals(data)).toBe(true)
  })

  it('lz4: the lz4 package reads our frames and we read its frames (4 MiB blocks, stream checksum)', async () => {
    const LZ4 = require('lz4')
    expect((await decompress(3, LZ4.encode(data))).equals(data)).toBe(true)
    expect((await decompress(3, LZ4.encode(data, { blockMaxSize: 64 << 10, streamChecksum: false }))).equals(data)).toBe(true)
    const ours = await compress(3, data)
    expect(LZ4.decode(ours).equals(data)).toBe(true)
    // Kafka's framing: version 01, independent blocks, no checksums, 64 KiB blocks
    expect([ours[4], ours[5]]).toEqual([0x60, 0x40])
  })

  it('lz4: linked blocks, content checksum and block checksums (python-lz4 frames)', async () => {
    const payload = fixture('synthetic--payload.bin')
    expect((await decompress(3, fixture('synthetic--lz4-linked.lz4'))).equals(payload)).toBe(true)
    expect((await decompress(3, fixture('synthetic--lz4-block-checksum.lz4'))).equals(payload)).toBe(true)
  })

  it('zstd: a streamed frame without content size', async () => {
    const frame = fixture('synthetic--zstd-no-content-size.zst')
    expect(zstdFrameContentSize(frame)).toBeNull()
    expect((await decompress(4, frame)).equals(fixture('synthetic--payload.bin'))).toBe(true)
    expect(zstdFrameContentSize(await compress(4, data))).toBe(data.length)
  })

  it('xxhash32 matches the reference vectors', () => {
    expect(xxhash32(Buffer.alloc(0))).toBe(0x02cc5d05)
    expect(xxhash32(Buffer.from('a'))).toBe(0x550d7456)
    expect(xxhash32(Buffer.from('abc'))).toBe(0x32d153ff)
    expect(xxhash32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f)
  })
})

describe('bad input', () => {
  const data = Buffer.from('some data that compresses some data that compresses '.repeat(100))

  it.each([1, 2, 3, 4])('codec %i: garbage and truncation throw CodecError only', async (codec) => {
    const z = await compress(codec, data)
    for (const bad of [Buffer.from('not compressed at all'), z.subarray(0, z.length >> 1), Buffer.from([0xff, 0xff, 0xff])]) {
      await expect(decompress(codec, bad)).rejects.toBeInstanceOf(CodecError)
    }
  })

  it.each([2, 3, 4])('codec %i: random bytes and bit flips never throw anything but CodecError', (codec) => {
    const z = compressSync(codec, data)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(255), (random, at, flip) => {
        const flipped = Buffer.from(z)
        flipped[at % flipped.length] ^= flip
        for (const input of [Buffer.from(random), flipped]) {
          try {
            decompressSync(codec, input)
          } catch (err) {
            if (!(err instanceof CodecError)) throw err
          }
        }
      }),
      { numRuns: 200 },
    )
  })

  it.each([1, 2, 3, 4])('codec %i: refuses output over maxBytes', async (codec) => {
    const big = Buffer.alloc(2 << 20, 7)
    const z = await compress(codec, big)
    await expect(decompress(codec, z, { maxBytes: 1 << 20 })).rejects.toBeInstanceOf(CodecError)
    expect((await decompress(codec, z, { maxBytes: 2 << 20 })).length).toBe(2 << 20)
  })

  it('rejects unknown codec ids', async () => {
    await expect(decompress(5, Buffer.alloc(1))).rejects.toBeInstanceOf(CodecError)
    expect(() => compressSync(-1, Buffer.alloc(1))).toThrow(CodecError)
  })
})

it('maps topic compression.type to codec ids', () => {
  expect(codecForCompressionType('producer')).toBeNull()
  expect(codecForCompressionType('uncompressed')).toBe(0)
  expect(['gzip', 'snappy', 'lz4', 'zstd'].map(codecForCompressionType)).toEqual([1, 2, 3, 4])
})
