// Authorized-operations bit fields for Metadata/DescribeCluster. Brook has no authorizer, so a
// client that asks is told it may do everything Kafka supports on the resource.

/** Kafka's AclOperation codes */
export const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const

/** The value meaning "not requested" (Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

function bits(ops: number[]): number {
  return ops.reduce((acc, op) => acc | (1 << op), 0)
}

const A = AclOperation
export const TOPIC_AUTHORIZED_OPERATIONS = bits([A.READ, A.WRITE, A.CREATE, A.DELETE, A.ALTER, A.DESCRIBE, A.DESCRIBE_CONFIGS, A.ALTER_CONFIGS])
export const CLUSTER_AUTHORIZED_OPERATIONS = bits([A.CREATE, A.ALTER, A.DESCRIBE, A.CLUSTER_ACTION, A.DESCRIBE_CONFIGS, A.ALTER_CONFIGS, A.IDEMPOTENT_WRITE])
