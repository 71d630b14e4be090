// Produce-path validation of record batches, in Kafka's order (ProduceRequest.validateRecords,
// UnifiedLog.analyzeAndValidateRecords, LogValidator.validateBatch). Header fields and the CRC
// only: records are never iterated or decompressed.
import { ErrorCode } from '../protocol/errors.js'
import { crc32c } from '../protocol/record-batch.js'
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  COMPRESSION_MASK,
  COMPRESSION_ZSTD,
  CONTROL_MASK,
  CRC,
  HEADER_SIZE,
  LAST_OFFSET_DELTA,
  LENGTH,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  MIN_RECORD_OVERHEAD,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORDS_COUNT,
  readInt64,
} from './batch-format.js'

/** Header facts of one validated batch, positioned in the appended buffer. */
export interface BatchInfo {
  position: number
  size: number
  lastOffsetDelta: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  attributes: number
}

export interface ValidationLimits {
  maxMessageBytes: number
  segmentBytes: number
  /** Produce API version; undefined for broker-internal appends (coordinator logs). */
  produceVersion: number | undefined
  internal: boolean
  nowMs: number
  timestampAfterMaxMs: number
  timestampBeforeMaxMs: number
  logAppendTime: boolean
}

export interface ValidationError {
  errorCode: number
  message: string
}

function fail(errorCode: number, message: string): ValidationError {
  return { errorCode, message }
}

/**
 * Splits `records` into batches and validates each one. Fills `out` and returns the number of
 * valid bytes (trailing bytes too short to hold a batch are dropped, as Kafka does), or an error.
 */
export function validateBatches(records: Buffer, limits: ValidationLimits, out: BatchInfo[]): number | ValidationError {
  const end = records.length
  // Produce v3+ may carry one batch: two are enough to refuse, whatever else the request holds.
  const maxBatches = limits.produceVersion !== undefined && limits.produceVersion >= 3 ? 2 : Infinity
  let pos = 0
  while (end - pos >= LOG_OVERHEAD && out.length < maxBatches) {
    const length = records.readInt32BE(pos + LENGTH)
    if (length < MIN_RECORD_OVERHEAD) {
      return fail(ErrorCode.CORRUPT_MESSAGE, `Record size ${length} is less than the minimum record overhead (${MIN_RECORD_OVERHEAD})`)
    }
    const size = length + LOG_OVERHEAD
    if (end - pos < size) break
    out.push({
      position: pos,
      size,
      lastOffsetDelta: 0,
      maxTimestamp: 0,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      attributes: records.readInt16BE(pos + ATTRIBUTES),
    })
    pos += size
  }
  const validBytes = pos

  const version = limits.produceVersion
  if (version !== undefined && version >= 3) {
    if (out.length === 0) {
      return fail(ErrorCode.INVALID_RECORD, `Produce requests with version ${version} must have at least one record batch per partition`)
    }
    const first = out[0]
    if (records[first.position + MAGIC] !== 2) {
      return fail(ErrorCode.INVALID_RECORD, `Produce requests with version ${version} are only allowed to contain record batches with magic version 2`)
    }
    if (version < 7 && (first.attributes & COMPRESSION_MASK) === COMPRESSION_ZSTD) {
      return fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `Produce requests with version ${version} are not allowed to use ZStandard compression`)
    }
    if (out.length > 1) {
      return fail(ErrorCode.INVALID_RECORD, `Produce requests with version ${version} are only allowed to contain exactly one record batch`)
    }
  } else if (out.length === 0) {
    return fail(ErrorCode.INVALID_RECORD, 'No record batch in the append')
  }

  for (const b of out) {
    const p = b.position
    if (!limits.internal && readInt64(records, p) !== 0) {
      return fail(ErrorCode.INVALID_RECORD, `The baseOffset of the record batch should be 0, but it is ${readInt64(records, p)}`)
    }
    if (b.size > limits.maxMessageBytes) {
      return fail(ErrorCode.MESSAGE_TOO_LARGE, `The record batch is ${b.size} bytes, larger than the maximum allowed (${limits.maxMessageBytes})`)
    }
    if (records[p + MAGIC] !== 2) {
      return fail(ErrorCode.CORRUPT_MESSAGE, `Unsupported record batch magic ${records[p + MAGIC]}`)
    }
    if (b.size < HEADER_SIZE) {
      return fail(ErrorCode.CORRUPT_MESSAGE, `Record batch is corrupt (the size ${b.size} is smaller than the minimum allowed overhead ${HEADER_SIZE})`)
    }
    const storedCrc = records.readUInt32BE(p + CRC)
    const computedCrc = crc32c(records, p + ATTRIBUTES, p + b.size)
    if (storedCrc !== computedCrc) {
      return fail(ErrorCode.CORRUPT_MESSAGE, `Record is corrupt (stored crc = ${storedCrc}, computed crc = ${computedCrc})`)
    }
  }
  if (validBytes > limits.segmentBytes) {
    return fail(ErrorCode.RECORD_LIST_TOO_LARGE, `Message batch size is ${validBytes} bytes, which exceeds the maximum configured segment size of ${limits.segmentBytes}`)
  }

  for (const b of out) {
    const p = b.position
    b.lastOffsetDelta = records.readInt32BE(p + LAST_OFFSET_DELTA)
    b.maxTimestamp = readInt64(records, p + MAX_TIMESTAMP)
    b.producerId = readInt64(records, p + PRODUCER_ID)
    b.producerEpoch = records.readInt16BE(p + PRODUCER_EPOCH)
    b.baseSequence = records.readInt32BE(p + BASE_SEQUENCE)
    if ((b.attributes & COMPRESSION_MASK) > COMPRESSION_ZSTD) {
      return fail(ErrorCode.CORRUPT_MESSAGE, `Unknown compression type id ${b.attributes & COMPRESSION_MASK}`)
    }
    if (limits.internal) continue
    const count = records.readInt32BE(p + RECORDS_COUNT)
    if (b.lastOffsetDelta + 1 <= 0) return fail(ErrorCode.INVALID_RECORD, 'Batch has an invalid offset range')
    if (count !== b.lastOffsetDelta + 1) {
      return fail(ErrorCode.INVALID_RECORD, `Inner record count ${count} does not match the offset range ${b.lastOffsetDelta + 1}`)
    }
    if (b.attributes & CONTROL_MASK) return fail(ErrorCode.INVALID_RECORD, 'Clients are not allowed to write control records')
    if (b.producerId >= 0 && b.baseSequence < 0) {
      return fail(ErrorCode.INVALID_RECORD, `Invalid sequence number ${b.baseSequence} in record batch with producerId ${b.producerId}`)
    }
    // Batch-level timestamp bounds: MaxTimestamp bounds every record from above, BaseTimestamp
    // (the first record) stands in for the oldest one. Kafka checks each record.
    if (!limits.logAppendTime && b.maxTimestamp >= 0) {
      if (b.maxTimestamp - limits.nowMs > limits.timestampAfterMaxMs) {
        return fail(ErrorCode.INVALID_TIMESTAMP, `Timestamp ${b.maxTimestamp} of a record is out of range: more than ${limits.timestampAfterMaxMs} ms ahead of the broker's time ${limits.nowMs}`)
      }
      const baseTimestamp = readInt64(records, p + BASE_TIMESTAMP)
      if (baseTimestamp >= 0 && limits.nowMs - baseTimestamp > limits.timestampBeforeMaxMs) {
        return fail(ErrorCode.INVALID_TIMESTAMP, `Timestamp ${baseTimestamp} of a record is out of range: more than ${limits.timestampBeforeMaxMs} ms behind the broker's time ${limits.nowMs}`)
      }
    }
  }
  return validBytes
}
