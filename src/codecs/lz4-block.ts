// LZ4 block decoding in TypeScript. Decoding into one contiguous output buffer lets matches reach
// back into earlier blocks, which the linked-block frames written by python-lz4 (kafka-python)
// need; independent blocks (Java, librdkafka, kafkajs-lz4) simply never do.
import { CodecError } from './codec-error.js'

/**
 * Decodes the block src[start, end) into out at outPos; returns the new output position.
 * `outLimit` bounds the output (the caller sizes `out` so a block always fits).
 */
export function decodeLz4Block(src: Uint8Array, start: number, end: number, out: Uint8Array, outPos: number, outLimit: number): number {
  let ip = start
  let op = outPos
  while (ip < end) {
    const token = src[ip++]
    let literalLength = token >>> 4
    if (literalLength === 15) {
      let b: number
      do {
        if (ip >= end) throw new CodecError('lz4: truncated literal length')
        b = src[ip++]
        literalLength += b
      } while (b === 255)
    }
    if (ip + literalLength > end) throw new CodecError('lz4: literals past end of block')
    if (op + literalLength > outLimit) throw new CodecError('lz4: output overflow')
    out.set(src.subarray(ip, ip + literalLength), op)
    ip += literalLength
    op += literalLength
    if (ip >= end) break // the last sequence carries literals only
    if (ip + 2 > end) throw new CodecError('lz4: truncated match offset')
    const offset = src[ip] | (src[ip + 1] << 8)
    ip += 2
    if (offset === 0 || offset > op) throw new CodecError('lz4: bad match offset')
    let matchLength = token & 15
    if (matchLength === 15) {
      let b: number
      do {
        if (ip >= end) throw new CodecError('lz4: truncated match length')
        b = src[ip++]
        matchLength += b
      } while (b === 255)
    }
    matchLength += 4
    if (op + matchLength > outLimit) throw new CodecError('lz4: output overflow')
    let from = op - offset
    if (offset >= matchLength) {
      out.copyWithin(op, from, from + matchLength)
      op += matchLength
    } else {
      // overlapping match: repeat the pattern byte by byte
      const stop = op + matchLength
      while (op < stop) out[op++] = out[from++]
    }
  }
  return op
}
