// Kafka's wire codes in the config APIs, written out here rather than imported from src, so the
// tests hold Brook's values against Kafka's.

/** DescribeConfigs / AlterConfigs resource types */
export const ConfigResource = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const

/** IncrementalAlterConfigs operations */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const

/** DescribeConfigs config sources (kafkajs reports them as these numbers too) */
export const ConfigSourceCode = { TOPIC_CONFIG: 1, DYNAMIC_BROKER_CONFIG: 2, DYNAMIC_DEFAULT_BROKER_CONFIG: 3, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const
