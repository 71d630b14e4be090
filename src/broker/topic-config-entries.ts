// A topic's effective configs with their sources, as CreateTopics v5+ reports them.
import { brokerConfigToProperties } from '../config/broker-properties.js'
import type { BrokerConfig } from '../config/broker-config.js'
import { ConfigSource } from '../config/topic-config-catalog-types.js'
import { effectiveTopicConfigValue, topicConfigDefinitions } from '../config/topic-configs.js'

export interface TopicConfigEntry {
  name: string
  value: string | null
  readOnly: boolean
  configSource: number
  isSensitive: boolean
}

const SOURCE = { topic: ConfigSource.TOPIC_CONFIG, broker: ConfigSource.STATIC_BROKER_CONFIG, default: ConfigSource.DEFAULT_CONFIG } as const

export function topicConfigEntries(overrides: Record<string, string>, config: BrokerConfig): TopicConfigEntry[] {
  const brokerDefaults = brokerConfigToProperties(config)
  return topicConfigDefinitions.map((def) => {
    const effective = effectiveTopicConfigValue(def.name, overrides, brokerDefaults)
    const isSensitive = def.type === 'PASSWORD'
    return {
      name: def.name,
      value: isSensitive ? null : effective.value,
      readOnly: false,
      configSource: SOURCE[effective.from],
      isSensitive,
    }
  })
}
