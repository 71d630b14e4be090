// Encodes records (magic 2 record layout, see RECORD-BATCH.md §5) into one contiguous records
// section. Sizes are computed first so the section is written into a single allocation.
import type { RecordHeader } from '../protocol/record-batch.js'

export interface RecordToWrite {
  /** offset - batch baseOffset */
  offsetDelta: number
  timestampMs: number
  key: Buffer | null
  value: Buffer | null
  headers?: readonly RecordHeader[]
}

function zigzag64(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1
}

function uvarintSize(u: number): number {
  let n = 1
  while (u >= 0x80) {
    u = Math.floor(u / 0x80)
    n++
  }
  return n
}

const varintSize = (v: number): number => uvarintSize(zigzag64(v))

function writeVarint(buf: Buffer, pos: number, v: number): number {
  let u = zigzag64(v)
  while (u >= 0x80) {
    buf[pos++] = (u % 0x80) | 0x80
    u = Math.floor(u / 0x80)
  }
  buf[pos++] = u
  return pos
}

function writeBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, pos, -1)
  pos = writeVarint(buf, pos, b.length)
  b.copy(buf, pos)
  return pos + b.length
}

/** Encodes `records` with timestamps relative to `baseTimestamp`. Int64 values are JS numbers. */
export function encodeRecords(records: readonly RecordToWrite[], baseTimestamp: number): Buffer {
  const bodySizes = new Array<number>(records.length)
  const headerKeys: Buffer[][] = []
  let total = 0
  records.forEach((r, i) => {
    const keys = (r.headers ?? []).map((h) => Buffer.from(h.key, 'utf8'))
    headerKeys.push(keys)
    let size = 1 + varintSize(r.timestampMs - baseTimestamp) + varintSize(r.offsetDelta)
    size += r.key === null ? 1 : varintSize(r.key.length) + r.key.length
    size += r.value === null ? 1 : varintSize(r.value.length) + r.value.length
    const headers = r.headers ?? []
    size += varintSize(headers.length)
    headers.forEach((h, j) => {
      size += varintSize(keys[j].length) + keys[j].length
      size += h.value === null ? 1 : varintSize(h.value.length) + h.value.length
    })
    bodySizes[i] = size
    total += varintSize(size) + size
  })
  const out = Buffer.allocUnsafe(total)
  let pos = 0
  records.forEach((r, i) => {
    pos = writeVarint(out, pos, bodySizes[i])
    out[pos++] = 0 // record attributes
    pos = writeVarint(out, pos, r.timestampMs - baseTimestamp)
    pos = writeVarint(out, pos, r.offsetDelta)
    pos = writeBytes(out, pos, r.key)
    pos = writeBytes(out, pos, r.value)
    const headers = r.headers ?? []
    pos = writeVarint(out, pos, headers.length)
    headers.forEach((h, j) => {
      pos = writeBytes(out, pos, headerKeys[i][j])
      pos = writeBytes(out, pos, h.value)
    })
  })
  return out
}
