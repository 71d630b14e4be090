// The crash test's own reading of a partition's segment files (independent of Brook's recovery
// code), and the damage it does to them to simulate a torn write.
import { appendFileSync, readFileSync, readdirSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { BATCH_HEADER_SIZE, BatchHeaderOffset, LOG_OVERHEAD, isBatchCrcValid, readBatchHeader, setBaseOffset, updateBatchCrc } from '../../src/protocol/record-batch.js'

export interface FileBatch {
  file: string
  position: number
  size: number
  baseOffset: number
  lastOffset: number
}

export interface PartitionScan {
  /** the valid batches, in order, across all segments */
  batches: FileBatch[]
  /** the offset after the last valid batch: what a correct recovery keeps */
  nextOffset: number
  /** the last (active) segment file */
  lastFile: string
}

export function segmentFiles(partitionDir: string): string[] {
  return readdirSync(partitionDir)
    .filter((f) => /^\d{20}\.log$/.test(f))
    .sort()
    .map((f) => join(partitionDir, f))
}

/**
 * Walks every segment and stops at the first batch that is torn (does not fit), corrupt (CRC,
 * magic, size) or out of sequence: everything from there on must not survive recovery.
 */
export function scanPartition(partitionDir: string): PartitionScan {
  const files = segmentFiles(partitionDir)
  const batches: FileBatch[] = []
  let nextOffset = 0
  outer: for (const file of files) {
    const buf = readFileSync(file)
    let pos = 0
    while (buf.length - pos >= LOG_OVERHEAD) {
      const batchLength = buf.readInt32BE(pos + BatchHeaderOffset.BATCH_LENGTH)
      const size = batchLength + LOG_OVERHEAD
      if (size < BATCH_HEADER_SIZE || pos + size > buf.length) break outer
      const header = readBatchHeader(buf, pos)
      if (header.magic !== 2 || !isBatchCrcValid(buf, pos) || header.baseOffset !== nextOffset) break outer
      const lastOffset = header.baseOffset + header.lastOffsetDelta
      batches.push({ file, position: pos, size, baseOffset: header.baseOffset, lastOffset })
      nextOffset = lastOffset + 1
      pos += size
    }
  }
  return { batches, nextOffset, lastFile: files[files.length - 1] }
}

/** A copy of `batch`'s bytes renumbered to `baseOffset` (valid CRC). */
export function copyBatch(b: FileBatch, baseOffset: number): Buffer {
  const bytes = Buffer.from(readFileSync(b.file).subarray(b.position, b.position + b.size))
  setBaseOffset(bytes, 0, baseOffset)
  updateBatchCrc(bytes, 0)
  return bytes
}

/**
 * Appends what a crash in the middle of writing can leave: a complete-looking batch with the next
 * offset whose CRC does not match (a flipped byte in its records), then random bytes.
 */
export function appendGarbage(scan: PartitionScan): void {
  const last = scan.batches[scan.batches.length - 1]
  const corrupt = copyBatch(last, scan.nextOffset)
  corrupt[corrupt.length - 1] ^= 0xff
  const junk = Buffer.alloc(200)
  for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(Math.random() * 256)
  appendFileSync(scan.lastFile, Buffer.concat([corrupt, junk]))
}

/** Cuts the last batch of the active segment in half (it must not be an acknowledged one). */
export function tearLastBatch(last: FileBatch): void {
  truncateSync(last.file, last.position + Math.floor(last.size / 2))
}

/** Appends the first half of a new batch with the next offset: a write torn mid-way. */
export function appendTornBatch(scan: PartitionScan): void {
  const next = copyBatch(scan.batches[scan.batches.length - 1], scan.nextOffset)
  appendFileSync(scan.lastFile, next.subarray(0, Math.floor(next.length / 2)))
}
