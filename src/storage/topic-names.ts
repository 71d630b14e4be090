// Topic name rules as Kafka's Topic.validate, plus the '.'/'_' metric-name collision check.

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
