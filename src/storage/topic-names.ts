// CreateTopics checks in Kafka's order (name, existence, collision, configs, partitions,
// replication factor), with Kafka's messages. Throws KafkaError.
import type { BrokerConfig } from '../config/broker-config.js'
import { validateTopicConfigs } from '../config/topic-configs.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'

export const MAX_TOPIC_NAME_LENGTH = 249
const LEGAL = /^[a-zA-Z0-9._-]+$/

/** null when legal, else Kafka's message for INVALID_TOPIC_EXCEPTION. */
export function validateTopicName(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty"
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."'
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`
  }
  return null
}

/** Names that differ only in '.' vs '_' collide in Kafka's metric names. */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_')
}

/** Internal topics: Brook flags every name starting with "__" (e.g. __consumer_offsets). */
export function isInternalTopicName(name: string): boolean {
  return name.startsWith('__')
}

export interface NewTopicRequest {
  name: string
  numPartitions: number
  replicationFactor: number
  configs: Record<string, string>
}

/** Resolves -1 defaults and validates a new topic; returns the partition count and replication factor. */
export function validateNewTopic(
  req: NewTopicRequest,
  existing: Iterable<string>,
  config: BrokerConfig,
  brokerDefaults: Record<string, string>,
): { numPartitions: number; replicationFactor: number } {
  const { name } = req
  const names = [...existing]
  const nameError = validateTopicName(name)
  if (nameError) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameError)
  const key = collisionKey(name)
  for (const other of names) {
    if (other === name) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
  }
  for (const other of names) {
    if (collisionKey(other) === key) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${other}`)
  }
  const configError = validateTopicConfigs(req.configs, { brokerDefaults })
  if (configError) throw new KafkaError(ErrorCode.INVALID_CONFIG, configError.message)
  const numPartitions = req.numPartitions === -1 ? config.numPartitions : req.numPartitions
  if (!Number.isInteger(numPartitions) || numPartitions <= 0) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.')
  }
  const replicationFactor = req.replicationFactor === -1 ? config.defaultReplicationFactor : req.replicationFactor
  if (!Number.isInteger(replicationFactor) || replicationFactor <= 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.')
  }
  if (replicationFactor > 1) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
    )
  }
  return { numPartitions, replicationFactor }
}
