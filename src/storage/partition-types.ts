// Shapes of the partition log API (see partition-log.ts), kept apart so the implementation file
// stays about behaviour.
import type { Logger } from '../logger.js'
import type { FileSystem } from './fs/file-system.js'
import type { HandleCache } from './handle-cache.js'
import type { LogConfig } from './log-config.js'
import type { LogSegment } from './log-segment.js'
import type { ProducerStateManager } from './producer-state.js'

export interface AppendResult {
  errorCode: number
  errorMessage: string | null
  baseOffset: number
  logAppendTimeMs: number
  logStartOffset: number
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[]
}

export interface AppendOptions {
  requiredAcks: number
  /** Produce API version (v3+: exactly one batch). Omitted for broker-internal appends. */
  produceVersion?: number
  /** Broker-internal append (coordinator logs): no client-only checks (baseOffset, control batches, sequences). */
  internal?: boolean
}

export interface ReadResult {
  errorCode: number
  records: Buffer | null
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
}

export interface SegmentInfo {
  baseOffset: number
  /** Offset after the segment's last batch (the next segment's base for inactive segments). */
  endOffset: number
  sizeBytes: number
  /** Largest record timestamp (-1 when unknown/empty). */
  maxTimestamp: number
  lastModifiedMs: number
  active: boolean
}

export interface PartitionLogDeps {
  fs: FileSystem
  dir: string
  topicName: string
  partitionIndex: number
  topicId: string
  config: () => LogConfig
  logger: Logger
  now: () => number
  handles: HandleCache
  /** Log start offset or recovery point moved: the manager rewrites its checkpoint files. */
  onCheckpointChange: () => void
}

export interface PartitionLogState {
  segments: LogSegment[]
  logStartOffset: number
  producers: ProducerStateManager
  recoveryPoint: number
  /** Offsets of the producer snapshot files present, ascending. */
  snapshotOffsets: number[]
}
