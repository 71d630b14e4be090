// A topic's effective configs with their sources, as CreateTopics v5+ reports them: the same
// values and sources DescribeConfigs gives (topic override, dynamic or static broker default).
import { type BrokerConfigLayers, describeTopicConfigs } from '../config/topic-config-catalog-describe.js'

export interface TopicConfigEntry {
  name: string
  value: string | null
  readOnly: boolean
  configSource: number
  isSensitive: boolean
}

export function topicConfigEntries(overrides: Record<string, string>, layers: BrokerConfigLayers): TopicConfigEntry[] {
  return describeTopicConfigs(overrides, layers, { includeSynonyms: false, includeDocumentation: false }).map((c) => ({
    name: c.name,
    value: c.isSensitive ? null : c.value,
    readOnly: c.readOnly,
    configSource: c.configSource,
    isSensitive: c.isSensitive,
  }))
}
