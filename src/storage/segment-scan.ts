// Walks the batch headers of a segment file in large chunks. Used by recovery (with CRC checks),
// by producer-state rebuilds and by timestamp lookups. Bodies of large batches are skipped unless
// the caller needs whole batches.
import { crc32c } from '../protocol/record-batch.js'
import {
  ATTRIBUTES,
  CRC,
  HEADER_SIZE,
  INT32_MAX,
  LAST_OFFSET_DELTA,
  LENGTH,
  LOG_OVERHEAD,
  MAGIC,
  readInt64,
} from './batch-format.js'
import type { FileHandle } from './fs/file-system.js'

const EMPTY = Buffer.alloc(0)
export const SCAN_CHUNK_BYTES = 1 << 20

export interface ScanOptions {
  /** Verify each batch's CRC-32C (recovery). Implies whole batches are read. */
  verifyCrc: boolean
  /** Hand whole batches (not only their headers) to the visitor. */
  wholeBatches?: boolean
  /** Base offset of the segment: relative offsets must fit an int32. */
  segmentBaseOffset: number
  /** The first batch must not start below this offset; each next one above the previous. */
  minBaseOffset: number
  chunkBytes?: number
}

export type ScanStop = 'end' | 'visitor' | 'torn' | 'corrupt'

export interface ScanResult {
  /** File position after the last good batch (or of the batch the visitor stopped at). */
  validBytes: number
  /** Offset after the last good batch visited. */
  nextOffset: number
  stop: ScanStop
  detail?: string
}

/**
 * `visit(buf, off, filePosition, size)`: the batch starts at buf[off]; at least the 61-byte header
 * is present (the whole batch when verifyCrc/wholeBatches). Return false to stop before
 * advancing past the batch.
 */
export async function scanBatches(
  handle: FileHandle,
  start: number,
  limit: number,
  opts: ScanOptions,
  visit: (buf: Buffer, off: number, position: number, size: number) => boolean | void,
): Promise<ScanResult> {
  const chunkBytes = opts.chunkBytes ?? SCAN_CHUNK_BYTES
  const whole = opts.verifyCrc || opts.wholeBatches === true
  let chunk: Buffer = EMPTY
  let chunkStart = start
  let pos = start
  let nextOffset = opts.minBaseOffset
  const result = (stop: ScanStop, detail?: string): ScanResult => ({ validBytes: pos, nextOffset, stop, detail })

  while (pos < limit) {
    let off = pos - chunkStart
    if (off + HEADER_SIZE > chunk.length) {
      if (limit - pos < HEADER_SIZE) return result('torn', `${limit - pos} trailing bytes`)
      chunk = await handle.read(pos, Math.min(chunkBytes, limit - pos))
      chunkStart = pos
      off = 0
      if (chunk.length < HEADER_SIZE) return result('torn', 'file shorter than expected')
    }
    const size = chunk.readInt32BE(off + LENGTH) + LOG_OVERHEAD
    if (size < HEADER_SIZE) return result('corrupt', `batch size ${size} below ${HEADER_SIZE}`)
    if (pos + size > limit) return result('torn', `batch of ${size} bytes extends past the end`)
    if (chunk[off + MAGIC] !== 2) return result('corrupt', `magic ${chunk[off + MAGIC]}`)
    const baseOffset = readInt64(chunk, off)
    const lastOffsetDelta = chunk.readInt32BE(off + LAST_OFFSET_DELTA)
    if (baseOffset < nextOffset) return result('corrupt', `offset ${baseOffset} not above ${nextOffset - 1}`)
    if (lastOffsetDelta < 0 || baseOffset + lastOffsetDelta - opts.segmentBaseOffset > INT32_MAX) {
      return result('corrupt', `invalid offset range at ${baseOffset}`)
    }
    if (whole && off + size > chunk.length) {
      chunk = await handle.read(pos, Math.min(Math.max(chunkBytes, size), limit - pos))
      chunkStart = pos
      off = 0
      if (chunk.length < size) return result('torn', 'file shorter than expected')
    }
    if (opts.verifyCrc && chunk.readUInt32BE(off + CRC) !== crc32c(chunk, off + ATTRIBUTES, off + size)) {
      return result('corrupt', `CRC mismatch in batch at offset ${baseOffset}`)
    }
    if (visit(chunk, off, pos, size) === false) return result('visitor')
    nextOffset = baseOffset + lastOffsetDelta + 1
    pos += size
  }
  return result('end')
}
