// Record-level work on the produce path that only some topics ask for (off the hot path):
// compacted topics reject records without a key, and a topic compression.type other than
// 'producer' rewrites batches with that codec (Kafka's recompression path). Both may have to
// decompress, so they are asynchronous.
import { CodecError } from '../codecs/index.js'
import { ErrorCode } from '../protocol/errors.js'
import { DecodeError } from '../protocol/reader.js'
import { firstRecordWithoutKey, recompressBatch } from '../records/index.js'
import { COMPRESSION_MASK } from './batch-format.js'
import type { BatchInfo } from './batch-validator.js'
import type { LogConfig } from './log-config.js'

export interface TransformError {
  errorCode: number
  errorMessage: string
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[]
}

export function needsTransform(cfg: LogConfig): boolean {
  return cfg.compact || cfg.targetCodec !== null
}

/** The records to append (rewritten when recompressed), or why they are refused. */
export async function transformBatches(
  records: Buffer,
  batches: readonly BatchInfo[],
  cfg: LogConfig,
  partitionName: string,
): Promise<Buffer | TransformError> {
  try {
    if (cfg.compact) {
      for (const b of batches) {
        const index = await firstRecordWithoutKey(records.subarray(b.position, b.position + b.size))
        if (index >= 0) {
          const message = `Compacted topic cannot accept message without key in topic partition ${partitionName}.`
          return { errorCode: ErrorCode.INVALID_RECORD, errorMessage: message, recordErrors: [{ batchIndex: index, batchIndexErrorMessage: message }] }
        }
      }
    }
    const target = cfg.targetCodec
    if (target === null || batches.every((b) => (b.attributes & COMPRESSION_MASK) === target)) return records
    const parts: Buffer[] = []
    for (const b of batches) {
      const batch = records.subarray(b.position, b.position + b.size)
      parts.push((b.attributes & COMPRESSION_MASK) === target ? batch : await recompressBatch(batch, target, cfg.compressionLevel === undefined ? {} : { level: cfg.compressionLevel }))
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts)
  } catch (err) {
    if (err instanceof CodecError || err instanceof DecodeError) {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: `Cannot read the records: ${err.message}`, recordErrors: [] }
    }
    throw err
  }
}
