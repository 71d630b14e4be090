// The settings a partition log reads on its paths, resolved from the topic's overrides (Kafka
// names) over the broker config. Recomputed when a topic's configs change.
import type { BrokerConfig } from '../config/broker-config.js'
import { resolveTopicConfig } from '../config/topic-configs.js'

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
}

/** BrokerConfig fields under Kafka's broker property names (the synonyms of topic configs). */
export function brokerConfigDefaults(config: BrokerConfig): Record<string, string> {
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
  }
}
