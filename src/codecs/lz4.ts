// lz4: the LZ4 frame format (magic 0x184D2204) that Kafka uses for magic-2 batches. Reading
// accepts any frame a client writes: 64 KiB..4 MiB blocks, independent or linked blocks, optional
// content size, block checksums and content checksum (checked when present). Writing follows
// Kafka's Java producer: 64 KiB independent blocks, no checksums besides the header byte.
import { createRequire } from 'node:module'
import { CodecError } from './codec-error.js'
import { decodeLz4Block } from './lz4-block.js'
import { xxhash32 } from './xxhash32.js'

interface Lz4Native {
  encodeBlock(src: Buffer, dst: Buffer): number
  encodeBound(size: number): number
}
// The native addon is loaded on first compress only: it is built for one Node ABI, and reading
// lz4 (the common case) is pure JS, so a mismatched addon must not stop the broker starting.
let native: Lz4Native | undefined
function lz4Native(): Lz4Native {
  native ??= createRequire(import.meta.url)('lz4') as Lz4Native
  return native
}

const MAGIC = 0x184d2204
const SKIPPABLE_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
const BLOCK_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 }
const WRITE_BLOCK_SIZE = 64 << 10
const INCOMPRESSIBLE = 0x80000000

export function lz4Decompress(input: Buffer, maxBytes: number): Buffer {
  let out = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(64 << 10, input.length * 4)))
  let outPos = 0
  let pos = 0
  const need = (n: number): void => {
    if (pos + n > input.length) throw new CodecError('lz4: truncated frame')
  }
  const ensureCapacity = (extra: number): void => {
    const wanted = outPos + extra
    if (wanted <= out.length) return
    const limit = Math.min(maxBytes, Math.max(wanted, out.length * 2))
    if (wanted > limit) throw new CodecError(`lz4: decompressed size exceeds limit ${maxBytes}`)
    const grown = Buffer.allocUnsafe(limit)
    out.copy(grown, 0, 0, outPos)
    out = grown
  }

  // A batch holds one frame; tolerate concatenated and skippable frames as the spec allows.
  while (pos < input.length) {
    need(4)
    const magic = input.readUInt32LE(pos)
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      need(8)
      pos += 8 + input.readUInt32LE(pos + 4)
      continue
    }
    if (magic !== MAGIC) throw new CodecError(`lz4: bad magic 0x${magic.toString(16)}`)
    pos += 4
    need(3)
    const descriptorStart = pos
    const flg = input[pos++]
    const bd = input[pos++]
    if (flg >>> 6 !== 1) throw new CodecError('lz4: unsupported frame version')
    if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw new CodecError('lz4: reserved bits set')
    const blockChecksum = (flg & 0x10) !== 0
    const hasContentSize = (flg & 0x08) !== 0
    const contentChecksum = (flg & 0x04) !== 0
    const hasDictId = (flg & 0x01) !== 0
    const blockMaxSize = BLOCK_SIZES[(bd >>> 4) & 7]
    if (blockMaxSize === undefined) throw new CodecError('lz4: unsupported block size')
    if (hasContentSize) {
      need(8)
      const contentSize = Number(input.readBigUInt64LE(pos))
      if (contentSize > maxBytes - outPos) throw new CodecError(`lz4: decompressed size exceeds limit ${maxBytes}`)
      pos += 8
    }
    if (hasDictId) throw new CodecError('lz4: dictionaries are not supported')
    need(1)
    const hc = input[pos]
    if (((xxhash32(input, 0, descriptorStart, pos) >>> 8) & 0xff) !== hc) {
      throw new CodecError('lz4: frame descriptor checksum mismatch')
    }
    pos++
    const frameStart = outPos
    for (;;) {
      need(4)
      const word = input.readUInt32LE(pos)
      pos += 4
      if (word === 0) break
      const size = (word & ~INCOMPRESSIBLE) >>> 0
      if (size > blockMaxSize) throw new CodecError('lz4: block larger than its declared maximum')
      need(size + (blockChecksum ? 4 : 0))
      if (blockChecksum && xxhash32(input, 0, pos, pos + size) !== input.readUInt32LE(pos + size)) {
        throw new CodecError('lz4: block checksum mismatch')
      }
      if ((word & INCOMPRESSIBLE) !== 0) {
        ensureCapacity(size)
        input.copy(out, outPos, pos, pos + size)
        outPos += size
      } else {
        ensureCapacity(blockMaxSize)
        outPos = decodeLz4Block(input, pos, pos + size, out, outPos, Math.min(out.length, outPos + blockMaxSize))
      }
      pos += size + (blockChecksum ? 4 : 0)
    }
    if (contentChecksum) {
      need(4)
      if (xxhash32(out, 0, frameStart, outPos) !== input.readUInt32LE(pos)) throw new CodecError('lz4: content checksum mismatch')
      pos += 4
    }
  }
  return out.subarray(0, outPos)
}

export function lz4Compress(input: Buffer): Buffer {
  const blockCount = Math.ceil(input.length / WRITE_BLOCK_SIZE)
  const lz4 = lz4Native()
  const out = Buffer.allocUnsafe(7 + blockCount * (4 + lz4.encodeBound(WRITE_BLOCK_SIZE)) + 4)
  out.writeUInt32LE(MAGIC, 0)
  out[4] = 0x60 // version 01, independent blocks, no checksums, no content size
  out[5] = 0x40 // 64 KiB maximum block size
  out[6] = (xxhash32(out, 0, 4, 6) >>> 8) & 0xff
  let pos = 7
  for (let src = 0; src < input.length; src += WRITE_BLOCK_SIZE) {
    const block = input.subarray(src, Math.min(input.length, src + WRITE_BLOCK_SIZE))
    const dst = out.subarray(pos + 4, pos + 4 + lz4.encodeBound(block.length))
    const written = block.length > 0 ? lz4.encodeBlock(block, dst) : 0
    if (written > 0 && written < block.length) {
      out.writeUInt32LE(written, pos)
      pos += 4 + written
    } else {
      // incompressible: store it as is, flagged by the high bit of the size
      out.writeUInt32LE((block.length | INCOMPRESSIBLE) >>> 0, pos)
      block.copy(out, pos + 4)
      pos += 4 + block.length
    }
  }
  out.writeUInt32LE(0, pos) // end mark
  pos += 4
  return Buffer.from(out.subarray(0, pos))
}
