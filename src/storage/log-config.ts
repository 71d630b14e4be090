// The settings a partition log reads on its paths, resolved from the topic's overrides (Kafka
// names) over the broker config. Recomputed when a topic's configs change.
import type { BrokerConfig } from '../config/broker-config.js'
import { resolveTopicConfig } from '../config/topic-configs.js'
import { CompressionCodec, codecForCompressionType } from '../codecs/index.js'
import { type BrokerConfigLayers, effectiveBrokerConfigs } from '../config/topic-config-catalog-describe.js'
import { brokerConfigSynonyms } from '../config/broker-config-catalog.js'

/** Kafka's "never" (Long.MAX_VALUE) arrives as a number >= 2^53. */
const NEVER = Number.MAX_SAFE_INTEGER

export interface LogConfig {
  segmentBytes: number
  segmentMs: number
  segmentJitterMs: number
  /** Max entries of the offset index before a roll (segment.index.bytes / 8). */
  maxIndexEntries: number
  indexIntervalBytes: number
  maxMessageBytes: number
  /** fsync before acknowledging (broker fsync flag, flush.messages=1 or flush.ms=0). */
  fsyncEachWrite: boolean
  /** fsync after this many unflushed messages (Infinity = never). */
  flushMessages: number
  /** background fsync after this many ms (Infinity = never). */
  flushMs: number
  logAppendTime: boolean
  timestampAfterMaxMs: number
  timestampBeforeMaxMs: number
  retentionMs: number
  retentionBytes: number
  /** cleanup.policy includes compact: records need keys. */
  compact: boolean
  /** compression.type other than 'producer': the codec batches are rewritten with. */
  targetCodec: number | null
  /** Level for targetCodec (gzip/zstd), undefined = codec default. */
  compressionLevel: number | undefined
  /** cleanup.policy includes delete: retention.ms / retention.bytes apply. */
  delete: boolean
  deleteRetentionMs: number
  minCompactionLagMs: number
  maxCompactionLagMs: number
  minCleanableDirtyRatio: number
  fileDeleteDelayMs: number
}

/**
 * The broker configs topic configs fall back to, under Kafka's names: BrokerConfig's fields, then
 * the broker's effective Kafka-named layers (static extras like log.cleanup.policy or
 * log.cleaner.*, dynamic cluster-default, dynamic per-broker) over them.
 */
export function brokerConfigDefaults(config: BrokerConfig, layers: BrokerConfigLayers = {}): Record<string, string> {
  const fromLayers = effectiveBrokerConfigs(layers)
  const fields = brokerConfigFields(config)
  // A layer that sets log.retention.hours (say) must not be shadowed by the field's log.retention.ms.
  for (const name of Object.keys(fromLayers)) for (const synonym of brokerConfigSynonyms(name)) if (!(synonym in fromLayers)) delete fields[synonym]
  return { ...fields, ...fromLayers }
}

/** BrokerConfig fields under Kafka's broker property names (the synonyms of topic configs). */
function brokerConfigFields(config: BrokerConfig): Record<string, string> {
  return {
    'log.segment.bytes': String(config.logSegmentBytes),
    'log.roll.ms': String(config.logRollMs),
    'message.max.bytes': String(config.messageMaxBytes),
    'log.index.interval.bytes': String(config.logIndexIntervalBytes),
    'log.flush.interval.messages': String(config.logFlushIntervalMessages),
    'log.flush.interval.ms': String(config.logFlushIntervalMs),
    'log.retention.ms': String(config.logRetentionMs),
    'log.retention.bytes': String(config.logRetentionBytes),
  }
}

export function resolveLogConfig(overrides: Record<string, string>, broker: BrokerConfig, brokerDefaults = brokerConfigDefaults(broker)): LogConfig {
  const t = resolveTopicConfig(overrides, brokerDefaults)
  const flushMessages = t.flushMessages >= NEVER ? Infinity : t.flushMessages
  const flushMs = t.flushMs >= NEVER ? Infinity : t.flushMs
  const targetCodec = codecForCompressionType(t.compressionType)
  return {
    segmentBytes: t.segmentBytes,
    segmentMs: t.segmentMs,
    segmentJitterMs: t.segmentJitterMs,
    maxIndexEntries: Math.max(1, Math.floor(t.segmentIndexBytes / 12)),
    indexIntervalBytes: t.indexIntervalBytes,
    maxMessageBytes: t.maxMessageBytes,
    fsyncEachWrite: broker.fsync || flushMessages <= 1 || flushMs === 0,
    flushMessages,
    flushMs,
    logAppendTime: t.messageTimestampType === 'LogAppendTime',
    timestampAfterMaxMs: t.messageTimestampAfterMaxMs,
    timestampBeforeMaxMs: t.messageTimestampBeforeMaxMs,
    retentionMs: t.retentionMs,
    retentionBytes: t.retentionBytes,
    compact: t.compact,
    targetCodec,
    compressionLevel:
      targetCodec === CompressionCodec.GZIP && t.compressionGzipLevel !== -1
        ? t.compressionGzipLevel
        : targetCodec === CompressionCodec.ZSTD
          ? t.compressionZstdLevel
          : undefined,
    delete: t.delete,
    deleteRetentionMs: t.deleteRetentionMs,
    minCompactionLagMs: t.minCompactionLagMs,
    maxCompactionLagMs: t.maxCompactionLagMs,
    minCleanableDirtyRatio: t.minCleanableDirtyRatio,
    fileDeleteDelayMs: t.fileDeleteDelayMs,
  }
}
