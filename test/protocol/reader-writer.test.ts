import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError, Reader } from '../../src/protocol/reader.js'
import { EncodeError, RAW_CHUNK_MIN_BYTES, Writer } from '../../src/protocol/writer.js'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const written = (fn: (w: Writer) => void): string => {
  const w = new Writer(16)
  fn(w)
  return w.toBuffer().toString('hex')
}

describe('fixed-width integers', () => {
  it('encodes big-endian and round-trips boundaries', () => {
    expect(written((w) => w.int8(-1).int16(-2).int32(0x01020304).uint16(65535).uint32(4294967295))).toBe('fffffe01020304ffffffffffff')
    const r = new Reader(hex('ff fffe 01020304 ffff ffffffff'))
    expect([r.int8(), r.int16(), r.int32(), r.uint16(), r.uint32()]).toEqual([-1, -2, 0x01020304, 65535, 4294967295])
    expect(r.remaining()).toBe(0)
  })

  it('int64 is a JS number: exact within 2^53, known byte layouts', () => {
    const cases: [number, string][] = [
      [0, '0000000000000000'],
      [1, '0000000000000001'],
      [-1, 'ffffffffffffffff'],
      [2 ** 32, '0000000100000000'],
      [-(2 ** 32), 'ffffffff00000000'],
      [Number.MAX_SAFE_INTEGER, '001fffffffffffff'],
      [Number.MIN_SAFE_INTEGER, 'ffe0000000000001'],
    ]
    for (const [value, bytes] of cases) {
      expect(written((w) => w.int64(value))).toBe(bytes)
      expect(new Reader(hex(bytes)).int64()).toBe(value)
    }
  })

  it('float64, bool', () => {
    const r = new Reader(hex(written((w) => w.float64(-1.5).bool(true).bool(false))))
    expect([r.float64(), r.bool(), r.bool()]).toEqual([-1.5, true, false])
  })
})

describe('varints', () => {
  it('zig-zag varint vectors', () => {
    const cases: [number, string][] = [
      [0, '00'], [-1, '01'], [1, '02'], [-64, '7f'], [64, '8001'],
      [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f'],
    ]
    for (const [value, bytes] of cases) {
      expect(written((w) => w.varint(value))).toBe(bytes)
      expect(new Reader(hex(bytes)).varint()).toBe(value)
    }
  })

  it('uvarint up to 2^32-1; overlong or oversized input is a DecodeError', () => {
    expect(written((w) => w.uvarint(4294967295))).toBe('ffffffff0f')
    expect(new Reader(hex('ffffffff0f')).uvarint()).toBe(4294967295)
    expect(new Reader(hex('8001')).uvarint()).toBe(128)
    expect(() => new Reader(hex('ffffffff10')).uvarint()).toThrow(DecodeError)
    expect(() => new Reader(hex('ffffffffff01')).uvarint()).toThrow(DecodeError)
    expect(() => new Reader(hex('80')).uvarint()).toThrow(DecodeError)
  })

  it('varlong round-trips safe integers and matches known bytes', () => {
    expect(written((w) => w.varlong(-1))).toBe('01')
    expect(written((w) => w.varlong(300))).toBe('d804')
    for (const v of [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const r = new Reader(hex(written((w) => w.varlong(v))))
      expect(r.varlong()).toBe(v)
      expect(r.remaining()).toBe(0)
    }
    // zig-zag of -(2^53 - 1) is 2^54 - 3, which a double cannot hold: must still be exact
    expect(written((w) => w.varlong(Number.MIN_SAFE_INTEGER))).toBe('fdffffffffffff1f')
    expect(new Reader(hex('ffffffffffffffffff01')).varlong()).toBe(-(2 ** 63))
    expect(() => new Reader(hex('ffffffffffffffffff7f')).varlong()).toThrow(DecodeError)
    expect(() => new Reader(hex('ffffffffffffffffffff01')).varlong()).toThrow(DecodeError)
    expect(() => new Reader(hex('ff')).varlong()).toThrow(DecodeError)
  })
})

describe('numeric round trips (property)', () => {
  it('int64, varlong over all safe integers; varint, uvarint over their ranges', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer(), fc.nat({ max: 4294967295 }), (big, i32, u32) => {
        const r = new Reader(hex(written((w) => w.int64(big).varlong(big).varint(i32).uvarint(u32))))
        expect([r.int64(), r.varlong(), r.varint(), r.uvarint()]).toEqual([big, big, i32, u32])
        expect(r.remaining()).toBe(0)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('uuid', () => {
  it('round-trips as lowercase 8-4-4-4-12', () => {
    const id = '0123abcd-4567-89ef-0011-223344556677'
    expect(written((w) => w.uuid(id.toUpperCase()))).toBe('0123abcd456789ef0011223344556677')
    expect(new Reader(hex('0123abcd456789ef0011223344556677')).uuid()).toBe(id)
  })

  it('rejects malformed uuids when encoding', () => {
    expect(() => new Writer().uuid('not-a-uuid')).toThrow(EncodeError)
    expect(() => new Writer().uuid('0123abcd-4567-89ef-0011-22334455667g')).toThrow(EncodeError)
  })
})

describe('strings and bytes', () => {
  it('classic and compact, nullable and not', () => {
    expect(written((w) => w.string('ab').nullableString(null).compactString('ab').compactNullableString(null))).toBe('00026162ffff03616200')
    const r = new Reader(hex('00026162 ffff 036162 00'))
    expect([r.string(), r.nullableString(), r.compactString(), r.compactNullableString()]).toEqual(['ab', null, 'ab', null])
  })

  it('UTF-8 beyond ASCII and long strings', () => {
    const s = 'héllo, 世界 🌍'
    const long = 'x'.repeat(300)
    const r = new Reader(hex(written((w) => w.string(s).compactString(s).string(long).compactString(long))))
    expect([r.string(), r.compactString(), r.string(), r.compactString()]).toEqual([s, s, long, long])
  })

  it('refuses null for non-nullable values and strings over 32767 bytes', () => {
    expect(() => new Writer().string(null as unknown as string)).toThrow(EncodeError)
    expect(() => new Writer().compactBytes(null as unknown as Buffer)).toThrow(EncodeError)
    expect(() => new Writer().string('x'.repeat(32768))).toThrow(EncodeError)
  })

  it('bytes are copies; null and compact forms', () => {
    const frame = hex('00000002 abcd ffffffff 03 0102 00')
    const r = new Reader(frame)
    const b = r.bytes()
    expect(b.toString('hex')).toBe('abcd')
    expect(b.buffer === frame.buffer && b.byteOffset === frame.byteOffset + 4).toBe(false)
    expect(r.nullableBytes()).toBeNull()
    expect(r.compactBytes().toString('hex')).toBe('0102')
    expect(r.compactNullableBytes()).toBeNull()
  })

  it('checks declared lengths against the bytes left before allocating', () => {
    expect(() => new Reader(hex('7fffffff 00')).bytes()).toThrow(DecodeError)
    expect(() => new Reader(hex('7fff 00')).string()).toThrow(DecodeError)
    expect(() => new Reader(hex('ffffffff0f')).compactBytes()).toThrow(DecodeError)
    expect(() => new Reader(hex('fffe')).nullableString()).toThrow(DecodeError)
    expect(() => new Reader(hex('ffff')).string()).toThrow(DecodeError)
    expect(() => new Reader(hex('00')).compactString()).toThrow(DecodeError)
  })
})

describe('records', () => {
  it('decode to a view of the frame, no copy', () => {
    const frame = hex('00000003 aabbcc 04 ddeeff ffffffff 00')
    const r = new Reader(frame)
    const rec = r.records()!
    expect(rec.toString('hex')).toBe('aabbcc')
    expect(rec.buffer).toBe(frame.buffer)
    expect(rec.byteOffset).toBe(frame.byteOffset + 4)
    expect(r.compactRecords()!.toString('hex')).toBe('ddeeff')
    expect(r.records()).toBeNull()
    expect(r.compactRecords()).toBeNull()
  })

  it('encode large buffers as their own chunk without copying', () => {
    const big = Buffer.alloc(RAW_CHUNK_MIN_BYTES, 7)
    const small = Buffer.from([1, 2, 3])
    const w = new Writer(16)
    w.int16(1).records(big).compactRecords(small).records(null)
    const chunks = w.chunks()
    expect(chunks).toContain(big)
    expect(chunks).not.toContain(small)
    expect(w.length).toBe(2 + 4 + big.length + 1 + 3 + 4)
    expect(w.toBuffer().length).toBe(w.length)
  })
})

describe('arrays', () => {
  it('counts are checked against the bytes left; -1 is null', () => {
    expect(new Reader(hex('ffffffff')).arrayLength()).toBe(-1)
    expect(new Reader(hex('00')).compactArrayLength()).toBe(-1)
    expect(new Reader(hex('00000002 0000')).arrayLength()).toBe(2)
    expect(() => new Reader(hex('00000003 0000')).arrayLength()).toThrow(DecodeError)
    expect(() => new Reader(hex('fffffffe')).arrayLength()).toThrow(DecodeError)
    expect(() => new Reader(hex('05 00')).compactArrayLength()).toThrow(DecodeError)
    expect(written((w) => w.arrayLength(-1).compactArrayLength(-1).compactArrayLength(2))).toBe('ffffffff0003')
  })
})

describe('Reader bounds', () => {
  it('respects offset/end and reports remaining', () => {
    const r = new Reader(hex('01 0002 03'), 1, 3)
    expect(r.remaining()).toBe(2)
    expect(r.int16()).toBe(2)
    expect(() => r.int8()).toThrow(DecodeError)
    expect(() => new Reader(Buffer.alloc(2), 0, 3)).toThrow(DecodeError)
  })

  it('skip and slice', () => {
    const r = new Reader(hex('010203'))
    r.skip(1)
    expect(r.slice(2).toString('hex')).toBe('0203')
    expect(() => r.skip(1)).toThrow(DecodeError)
    expect(() => r.slice(-1)).toThrow(DecodeError)
  })
})

describe('Writer', () => {
  it('grows across many small writes and keeps reserveInt32 placeholders valid', () => {
    const w = new Writer(16)
    const patch = w.reserveInt32()
    for (let i = 0; i < 10_000; i++) w.int32(i)
    patch(w.length - 4)
    const buf = w.toBuffer()
    expect(buf.length).toBe(40_004)
    expect(buf.readInt32BE(0)).toBe(40_000)
    expect(buf.readInt32BE(4 + 4 * 9_999)).toBe(9_999)
  })

  it('chunks() can be called again after more writes', () => {
    const w = new Writer()
    w.int8(1)
    expect(Buffer.concat(w.chunks()).toString('hex')).toBe('01')
    w.int8(2)
    expect(Buffer.concat(w.chunks()).toString('hex')).toBe('0102')
  })
})
