// Broker-wide settings of the background log services, read from the broker's effective
// Kafka-named configs (static over built-in defaults, dynamic over static). Read on every cycle,
// so dynamic changes (AlterConfigs on the broker) apply without a restart.
import { brokerConfigDefinitionsByName } from '../../config/broker-config-catalog.js'
import { parseAndValidate } from '../../config/topic-config-catalog-types.js'

export interface CleanerSettings {
  /** log.cleaner.enable */
  enabled: boolean
  /** log.cleaner.backoff.ms: pause when no log needs cleaning */
  backoffMs: number
  /** log.cleaner.dedupe.buffer.size: memory budget of the key -> offset map */
  dedupeBufferBytes: number
  /** log.cleaner.io.buffer.load.factor */
  dedupeLoadFactor: number
  /** log.cleaner.io.max.bytes.per.second (Infinity = unthrottled) */
  ioMaxBytesPerSecond: number
  /** log.cleaner.io.buffer.size: bytes read per segment read */
  ioBufferBytes: number
}

export interface RetentionSettings {
  /** log.retention.check.interval.ms */
  checkIntervalMs: number
}

/** A broker config's value: the effective raw value when valid, else the catalogue default. */
function brokerValue(props: Record<string, string>, name: string): number | boolean {
  const def = brokerConfigDefinitionsByName.get(name)
  if (!def) throw new Error(`not a broker config: ${name}`)
  const raw = props[name]
  if (raw !== undefined && raw !== null) {
    try {
      return parseAndValidate(def, raw) as number | boolean
    } catch {
      // an invalid stored value never stops the broker: fall back to the default
    }
  }
  return parseAndValidate(def, def.defaultValue as string) as number | boolean
}

export function cleanerSettings(props: Record<string, string>): CleanerSettings {
  const ioMax = brokerValue(props, 'log.cleaner.io.max.bytes.per.second') as number
  return {
    enabled: brokerValue(props, 'log.cleaner.enable') as boolean,
    backoffMs: brokerValue(props, 'log.cleaner.backoff.ms') as number,
    dedupeBufferBytes: brokerValue(props, 'log.cleaner.dedupe.buffer.size') as number,
    dedupeLoadFactor: brokerValue(props, 'log.cleaner.io.buffer.load.factor') as number,
    ioMaxBytesPerSecond: ioMax >= Number.MAX_VALUE ? Infinity : ioMax,
    ioBufferBytes: Math.max(64 * 1024, brokerValue(props, 'log.cleaner.io.buffer.size') as number),
  }
}

export function retentionSettings(props: Record<string, string>): RetentionSettings {
  return { checkIntervalMs: brokerValue(props, 'log.retention.check.interval.ms') as number }
}
