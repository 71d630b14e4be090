// Big-endian Kafka wire reader over one Buffer (usually a whole request frame).
//
// int64 values are returned as JS numbers (hi * 2^32 + lo). Offsets, timestamps and producer ids
// fit in 2^53, so this is exact for everything Kafka actually sends; larger magnitudes lose
// precision instead of throwing. This is deliberate: bigint is several times slower on the hot path.
//
// Every declared length (strings, bytes, arrays, records) is checked against the bytes left before
// anything is allocated, and every malformed input surfaces as DecodeError and nothing else.

export class DecodeError extends Error {
  override name = 'DecodeError'
}

const TWO_POW_32 = 4294967296

const HEX: string[] = []
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16))

export class Reader {
  offset: number
  readonly buf: Buffer
  readonly end: number

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    if (offset < 0 || end > buf.length || offset > end) {
      throw new DecodeError(`invalid reader bounds [${offset}, ${end}) for buffer of ${buf.length}`)
    }
    this.buf = buf
    this.offset = offset
    this.end = end
  }

  remaining(): number {
    return this.end - this.offset
  }

  /** Advances past n bytes and returns the position where they start. */
  private take(n: number): number {
    const at = this.offset
    if (n > this.end - at) {
      throw new DecodeError(`need ${n} bytes at offset ${at}, only ${this.end - at} left`)
    }
    this.offset = at + n
    return at
  }

  int8(): number {
    return this.buf.readInt8(this.take(1))
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2))
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4))
  }

  /** int64 as a JS number: exact within +-2^53 (see the file comment). */
  int64(): number {
    const at = this.take(8)
    return this.buf.readInt32BE(at) * TWO_POW_32 + this.buf.readUInt32BE(at + 4)
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.take(2))
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.take(4))
  }

  float64(): number {
    return this.buf.readDoubleBE(this.take(8))
  }

  bool(): boolean {
    return this.buf[this.take(1)] !== 0
  }

  /** 16 bytes as a lowercase 8-4-4-4-12 string. */
  uuid(): string {
    const at = this.take(16)
    const b = this.buf
    return (
      HEX[b[at]] + HEX[b[at + 1]] + HEX[b[at + 2]] + HEX[b[at + 3]] + '-' +
      HEX[b[at + 4]] + HEX[b[at + 5]] + '-' + HEX[b[at + 6]] + HEX[b[at + 7]] + '-' +
      HEX[b[at + 8]] + HEX[b[at + 9]] + '-' + HEX[b[at + 10]] + HEX[b[at + 11]] +
      HEX[b[at + 12]] + HEX[b[at + 13]] + HEX[b[at + 14]] + HEX[b[at + 15]]
    )
  }

  /** Unsigned LEB128 varint, at most 5 bytes (32 bits), as Kafka's readUnsignedVarint. */
  uvarint(): number {
    const b = this.buf
    let pos = this.offset
    const end = this.end
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) throw new DecodeError(`truncated varint at offset ${this.offset}`)
      const byte = b[pos++]
      if (shift === 28) {
        if (byte > 0x0f) throw new DecodeError(`varint too long at offset ${this.offset}`)
        value += byte * 0x10000000
        this.offset = pos
        return value
      }
      value |= (byte & 0x7f) << shift
      if (byte < 0x80) {
        this.offset = pos
        return value
      }
    }
    throw new DecodeError(`varint too long at offset ${this.offset}`)
  }

  /** Zig-zag signed 32-bit varint. */
  varint(): number {
    const u = this.uvarint()
    // u may exceed 2^31 (it is a uint32 as a number); >>> and & work on its low 32 bits.
    return (u >>> 1) ^ -(u & 1)
  }

  /** Zig-zag signed 64-bit varint (at most 10 bytes), as a JS number (exact within +-2^53). */
  varlong(): number {
    const b = this.buf
    let pos = this.offset
    const end = this.end
    if (pos >= end) throw new DecodeError(`truncated varlong at offset ${this.offset}`)
    // zig-zag value z = 2m + sign: take the sign and 6 bits of m from the first byte, so that m
    // (not z, which can exceed 2^53) is what gets accumulated
    const first = b[pos++]
    const sign = first & 1
    let m = (first & 0x7f) >>> 1
    if (first >= 0x80) {
      let scale = 64
      for (let i = 1; ; i++) {
        if (i === 10) throw new DecodeError(`varlong too long at offset ${this.offset}`)
        if (pos >= end) throw new DecodeError(`truncated varlong at offset ${this.offset}`)
        const byte = b[pos++]
        if (i === 9 && byte > 0x01) throw new DecodeError(`varlong too long at offset ${this.offset}`)
        m += (byte & 0x7f) * scale
        if (byte < 0x80) break
        scale *= 128
      }
    }
    this.offset = pos
    return sign === 1 ? -m - 1 : m
  }

  private utf8(len: number): string {
    const at = this.take(len)
    return this.buf.toString('utf8', at, at + len)
  }

  string(): string {
    const len = this.int16()
    if (len < 0) throw new DecodeError(`non-nullable string has length ${len}`)
    return this.utf8(len)
  }

  nullableString(): string | null {
    const len = this.int16()
    if (len < 0) {
      if (len === -1) return null
      throw new DecodeError(`invalid string length ${len}`)
    }
    return this.utf8(len)
  }

  compactString(): string {
    const len = this.uvarint() - 1
    if (len < 0) throw new DecodeError('non-nullable compact string is null')
    return this.utf8(len)
  }

  compactNullableString(): string | null {
    const len = this.uvarint() - 1
    if (len < 0) return null
    return this.utf8(len)
  }

  /** Bytes fields are copied so that long-lived values (group metadata) do not pin request frames. */
  private copy(len: number): Buffer {
    const at = this.take(len)
    const out = Buffer.allocUnsafe(len)
    this.buf.copy(out, 0, at, at + len)
    return out
  }

  bytes(): Buffer {
    const len = this.int32()
    if (len < 0) throw new DecodeError(`non-nullable bytes have length ${len}`)
    return this.copy(len)
  }

  nullableBytes(): Buffer | null {
    const len = this.int32()
    if (len < 0) {
      if (len === -1) return null
      throw new DecodeError(`invalid bytes length ${len}`)
    }
    return this.copy(len)
  }

  compactBytes(): Buffer {
    const len = this.uvarint() - 1
    if (len < 0) throw new DecodeError('non-nullable compact bytes are null')
    return this.copy(len)
  }

  compactNullableBytes(): Buffer | null {
    const len = this.uvarint() - 1
    if (len < 0) return null
    return this.copy(len)
  }

  /** Record batches: a view into the frame (no copy). int32 length, -1 = null. */
  records(): Buffer | null {
    const len = this.int32()
    if (len < 0) {
      if (len === -1) return null
      throw new DecodeError(`invalid records length ${len}`)
    }
    return this.slice(len)
  }

  /** Record batches in flexible versions: uvarint length+1, 0 = null. A view, no copy. */
  compactRecords(): Buffer | null {
    const len = this.uvarint() - 1
    if (len < 0) return null
    return this.slice(len)
  }

  /** int32 element count, -1 for null. Like Kafka, a count larger than the bytes left is refused. */
  arrayLength(): number {
    const n = this.int32()
    if (n < 0) {
      if (n === -1) return -1
      throw new DecodeError(`invalid array length ${n}`)
    }
    if (n > this.end - this.offset) {
      throw new DecodeError(`array of ${n} elements but only ${this.end - this.offset} bytes left`)
    }
    return n
  }

  /** uvarint count+1, 0 (returned as -1) for null. Count checked against the bytes left. */
  compactArrayLength(): number {
    const n = this.uvarint() - 1
    if (n > this.end - this.offset) {
      throw new DecodeError(`array of ${n} elements but only ${this.end - this.offset} bytes left`)
    }
    return n
  }

  skip(n: number): void {
    if (n < 0) throw new DecodeError(`cannot skip ${n} bytes`)
    this.take(n)
  }

  /** A view (subarray) of the next n bytes. */
  slice(n: number): Buffer {
    if (n < 0) throw new DecodeError(`cannot slice ${n} bytes`)
    const at = this.take(n)
    return this.buf.subarray(at, at + n)
  }
}
