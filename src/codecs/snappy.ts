// snappy: Kafka's Java client writes the xerial snappy-java stream (an 8-byte magic, two int32
// versions, then [int32 BE compressed length][raw snappy block] repeated); librdkafka and kafkajs
// write one raw snappy block. Both are read. Brook writes the xerial framing, which every client
// (Java, librdkafka, kafkajs-snappy, kafka-python, Sarama) reads.
import { createRequire } from 'node:module'
import { CodecError } from './codec-error.js'

interface SnappyJs {
  compress(input: Buffer): Buffer
  uncompress(input: Buffer, maxLength?: number): Buffer
}
const snappyjs = createRequire(import.meta.url)('snappyjs') as SnappyJs

export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_SIZE = 16
/** snappy-java's default block size (what Kafka's SnappyOutputStream uses). */
const XERIAL_BLOCK_SIZE = 32 * 1024

export function isXerialFramed(buf: Buffer): boolean {
  return buf.length >= XERIAL_HEADER_SIZE && buf.subarray(0, 8).equals(XERIAL_MAGIC)
}

/** Uncompressed length announced by a raw snappy block (its leading uvarint). */
function rawUncompressedLength(block: Buffer): number {
  let result = 0
  let shift = 0
  for (let i = 0; i < 5 && i < block.length; i++) {
    const b = block[i]
    result += (b & 0x7f) * 2 ** shift
    if ((b & 0x80) === 0) return result
    shift += 7
  }
  throw new CodecError('snappy: bad length preamble')
}

function uncompressRaw(block: Buffer, maxBytes: number): Buffer {
  const length = rawUncompressedLength(block)
  if (length > maxBytes) throw new CodecError(`snappy: decompressed size ${length} exceeds limit ${maxBytes}`)
  try {
    return snappyjs.uncompress(block)
  } catch (err) {
    throw new CodecError(`snappy: ${(err as Error).message}`)
  }
}

export function snappyDecompress(buf: Buffer, maxBytes: number): Buffer {
  if (!isXerialFramed(buf)) return uncompressRaw(buf, maxBytes)
  const parts: Buffer[] = []
  let total = 0
  let pos = XERIAL_HEADER_SIZE
  while (pos < buf.length) {
    if (pos + 4 > buf.length) throw new CodecError('snappy: truncated xerial block header')
    const size = buf.readUInt32BE(pos)
    pos += 4
    if (pos + size > buf.length) throw new CodecError('snappy: truncated xerial block')
    const part = uncompressRaw(buf.subarray(pos, pos + size), maxBytes - total)
    total += part.length
    parts.push(part)
    pos += size
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total)
}

/** xerial framing, as Kafka's Java producer writes it. */
export function snappyCompress(buf: Buffer): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE)
  XERIAL_MAGIC.copy(header, 0)
  header.writeInt32BE(1, 8) // stream version
  header.writeInt32BE(1, 12) // minimum compatible version
  const parts: Buffer[] = [header]
  for (let pos = 0; pos < buf.length || pos === 0; pos += XERIAL_BLOCK_SIZE) {
    const block = snappyjs.compress(buf.subarray(pos, pos + XERIAL_BLOCK_SIZE))
    const len = Buffer.alloc(4)
    len.writeUInt32BE(block.length, 0)
    parts.push(len, block)
    if (buf.length === 0) break
  }
  return Buffer.concat(parts)
}

/** One raw snappy block, as librdkafka and kafkajs-snappy write it. */
export function snappyCompressRaw(buf: Buffer): Buffer {
  return snappyjs.compress(buf)
}
