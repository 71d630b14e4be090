// Big-endian Kafka wire writer producing a list of chunks (for socket.writev / cork).
//
// Small values go into a growable scratch buffer. When it fills up, the used part becomes a chunk
// and a fresh buffer is started (nothing is ever copied twice), so placeholders handed out by
// reserveInt32() stay valid. Record batches and other raw buffers of RAW_CHUNK_MIN_BYTES or more
// are appended as their own chunk without copying.
//
// int64 values are JS numbers (exact within +-2^53: offsets, timestamps and producer ids fit);
// see reader.ts. Integer writers do not range-check: like a Java cast, excess high bits are dropped.

/** A message could not be encoded (e.g. null in a version where the field is not nullable). */
export class EncodeError extends Error {
  override name = 'EncodeError'
}

export const RAW_CHUNK_MIN_BYTES = 1024

const TWO_POW_32 = 4294967296
const MAX_GROWTH_BYTES = 64 * 1024

// char code -> nibble value, -1 for non-hex
const NIBBLE = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i
for (let i = 0; i < 6; i++) {
  NIBBLE[97 + i] = 10 + i
  NIBBLE[65 + i] = 10 + i
}

/** UTF-8 byte length, with a fast path for ASCII. */
function utf8Length(s: string): number {
  const n = s.length
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8')
  }
  return n
}

export class Writer {
  private buf: Buffer
  private pos = 0
  /** where the current (not yet emitted) segment of buf starts */
  private segStart = 0
  private readonly out: Buffer[] = []
  /** bytes in `out` */
  private emitted = 0

  constructor(initialSize = 512) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize))
  }

  get length(): number {
    return this.emitted + this.pos - this.segStart
  }

  private flushSegment(): void {
    if (this.pos > this.segStart) {
      this.out.push(this.buf.subarray(this.segStart, this.pos))
      this.emitted += this.pos - this.segStart
      this.segStart = this.pos
    }
  }

  /** Makes room for n more bytes in the scratch buffer. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    this.flushSegment()
    this.buf = Buffer.allocUnsafe(Math.max(n, Math.min(this.buf.length * 2, MAX_GROWTH_BYTES)))
    this.pos = 0
    this.segStart = 0
  }

  int8(v: number): this {
    this.ensure(1)
    this.buf[this.pos++] = v
    return this
  }

  int16(v: number): this {
    this.ensure(2)
    const b = this.buf
    const p = this.pos
    b[p] = v >>> 8
    b[p + 1] = v
    this.pos = p + 2
    return this
  }

  uint16(v: number): this {
    return this.int16(v)
  }

  int32(v: number): this {
    this.ensure(4)
    const b = this.buf
    const p = this.pos
    b[p] = v >>> 24
    b[p + 1] = v >>> 16
    b[p + 2] = v >>> 8
    b[p + 3] = v
    this.pos = p + 4
    return this
  }

  uint32(v: number): this {
    return this.int32(v)
  }

  /** int64 from a JS number (exact within +-2^53). */
  int64(v: number): this {
    const hi = Math.floor(v / TWO_POW_32)
    const lo = v - hi * TWO_POW_32
    this.ensure(8)
    const b = this.buf
    const p = this.pos
    b[p] = hi >>> 24
    b[p + 1] = hi >>> 16
    b[p + 2] = hi >>> 8
    b[p + 3] = hi
    b[p + 4] = lo >>> 24
    b[p + 5] = lo >>> 16
    b[p + 6] = lo >>> 8
    b[p + 7] = lo
    this.pos = p + 8
    return this
  }

  float64(v: number): this {
    this.ensure(8)
    this.buf.writeDoubleBE(v, this.pos)
    this.pos += 8
    return this
  }

  bool(v: boolean): this {
    this.ensure(1)
    this.buf[this.pos++] = v ? 1 : 0
    return this
  }

  /** 8-4-4-4-12 hex string (either case) -> 16 bytes. */
  uuid(v: string): this {
    if (typeof v !== 'string' || v.length !== 36 || v[8] !== '-' || v[13] !== '-' || v[18] !== '-' || v[23] !== '-') {
      throw new EncodeError(`invalid uuid ${JSON.stringify(v)}`)
    }
    this.ensure(16)
    const b = this.buf
    let p = this.pos
    for (let i = 0; i < 36; i += 2) {
      if (i === 8 || i === 13 || i === 18 || i === 23) i++
      const c1 = v.charCodeAt(i)
      const c2 = v.charCodeAt(i + 1)
      const hi = c1 < 128 ? NIBBLE[c1] : -1
      const lo = c2 < 128 ? NIBBLE[c2] : -1
      if (hi < 0 || lo < 0) throw new EncodeError(`invalid uuid ${JSON.stringify(v)}`)
      b[p++] = (hi << 4) | lo
    }
    this.pos = p
    return this
  }

  /** Unsigned LEB128 varint of a uint32. */
  uvarint(v: number): this {
    this.ensure(5)
    const b = this.buf
    let p = this.pos
    let u = v >>> 0
    while (u >= 0x80) {
      b[p++] = (u & 0x7f) | 0x80
      u >>>= 7
    }
    b[p++] = u
    this.pos = p
    return this
  }

  /** Zig-zag signed 32-bit varint. */
  varint(v: number): this {
    return this.uvarint((v << 1) ^ (v >> 31))
  }

  /** Zig-zag signed 64-bit varint from a JS number (exact within +-2^53). */
  varlong(v: number): this {
    // zig-zag value z = 2m + sign, but 2m can exceed 2^53: emit the first 7 bits from m and the
    // sign directly, then continue with m / 64 (exact).
    const sign = v < 0 ? 1 : 0
    const m = sign === 1 ? -v - 1 : v
    this.ensure(10)
    const b = this.buf
    let p = this.pos
    let rest = Math.floor(m / 64)
    const first = (m % 64) * 2 + sign
    if (rest === 0) {
      b[p++] = first
    } else {
      b[p++] = first | 0x80
      while (rest >= 0x80) {
        b[p++] = (rest % 0x80) | 0x80
        rest = Math.floor(rest / 0x80)
      }
      b[p++] = rest
    }
    this.pos = p
    return this
  }

  /** Writes n bytes of UTF-8 for s (n from utf8Length) at the current position. */
  private utf8(s: string, n: number): void {
    this.ensure(n)
    const b = this.buf
    const p = this.pos
    if (n === s.length && n < 64) {
      for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i)
    } else if (n > 0) {
      b.write(s, p, n, 'utf8')
    }
    this.pos = p + n
  }

  string(v: string): this {
    if (typeof v !== 'string') throw new EncodeError(`non-nullable string is ${v === null ? 'null' : typeof v}`)
    const n = utf8Length(v)
    if (n > 0x7fff) throw new EncodeError(`string of ${n} bytes is longer than 32767`)
    this.int16(n)
    this.utf8(v, n)
    return this
  }

  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1)
    return this.string(v)
  }

  compactString(v: string): this {
    if (typeof v !== 'string') throw new EncodeError(`non-nullable string is ${v === null ? 'null' : typeof v}`)
    const n = utf8Length(v)
    this.uvarint(n + 1)
    this.utf8(v, n)
    return this
  }

  compactNullableString(v: string | null): this {
    if (v === null) return this.uvarint(0)
    return this.compactString(v)
  }

  bytes(v: Buffer): this {
    if (v === null) throw new EncodeError('non-nullable bytes are null')
    this.int32(v.length)
    return this.raw(v)
  }

  nullableBytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1)
    return this.bytes(v)
  }

  compactBytes(v: Buffer): this {
    if (v === null) throw new EncodeError('non-nullable bytes are null')
    this.uvarint(v.length + 1)
    return this.raw(v)
  }

  compactNullableBytes(v: Buffer | null): this {
    if (v === null) return this.uvarint(0)
    return this.compactBytes(v)
  }

  /** Record batches: int32 length (-1 = null), then the bytes (own chunk when large). */
  records(v: Buffer | null): this {
    return this.nullableBytes(v)
  }

  /** Record batches in flexible versions: uvarint length+1 (0 = null). */
  compactRecords(v: Buffer | null): this {
    return this.compactNullableBytes(v)
  }

  /** int32 element count; -1 for a null array. */
  arrayLength(n: number): this {
    return this.int32(n)
  }

  /** uvarint count+1; pass -1 for a null array. */
  compactArrayLength(n: number): this {
    return this.uvarint(n + 1)
  }

  /** Appends bytes: copied when small, referenced as their own chunk when large. */
  raw(v: Buffer): this {
    const n = v.length
    if (n >= RAW_CHUNK_MIN_BYTES) {
      this.flushSegment()
      this.out.push(v)
      this.emitted += n
    } else if (n > 0) {
      this.ensure(n)
      v.copy(this.buf, this.pos)
      this.pos += n
    }
    return this
  }

  /** Appends another writer's output (e.g. a tagged field encoded separately). */
  append(other: Writer): this {
    const parts = other.chunks()
    for (let i = 0; i < parts.length; i++) this.raw(parts[i])
    return this
  }

  /** Writes a placeholder int32 and returns a function that patches it (e.g. a frame length). */
  reserveInt32(): (value: number) => void {
    this.ensure(4)
    const b = this.buf
    const at = this.pos
    b.fill(0, at, at + 4)
    this.pos = at + 4
    return (value: number) => {
      b.writeInt32BE(value | 0, at)
    }
  }

  /**
   * The encoded bytes so far, in order. Returns the writer's own list; writing more afterwards
   * appends to it. Record buffers are included by reference.
   */
  chunks(): Buffer[] {
    this.flushSegment()
    return this.out
  }

  /** One contiguous copy (tests and cold paths only). */
  toBuffer(): Buffer {
    const parts = this.chunks()
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, this.emitted)
  }
}
