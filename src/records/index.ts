// Record-level access to magic-2 batches (any codec): iteration and batch writing.
export {
  BatchRecord,
  checkedBatchHeader,
  firstRecordWithoutKey,
  iterateBatchRecords,
  iterateRecordsSection,
  readBatchRecords,
  recordsSection,
  recordsSectionSync,
  type RecordHeader,
} from './record-iterator.js'
export {
  applyLogAppendTime,
  buildBatch,
  buildBatchSync,
  recompressBatch,
  recompressBatchSync,
  TimestampType,
  type BatchOptions,
  type RecordToWrite,
  type TimestampTypeName,
} from './batch-builder.js'
export { encodeRecordsSection as encodeRecords } from '../protocol/record-batch.js'
