// DescribeLogDirs (35): Brook's one data directory with the size of each (requested) partition;
// offsetLag is 0 and there are no future replicas on a single node. v4 adds the file system's
// total and usable bytes.
import { statfs } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { DescribeLogDirsRequest } from '../protocol/generated/describe-log-dirs-request.js'
import {
  DescribeLogDirsResponse,
  type DescribeLogDirsResponseDescribeLogDirsResult as LogDirResult,
  type DescribeLogDirsResponseDescribeLogDirsTopic as LogDirTopic,
} from '../protocol/generated/describe-log-dirs-response.js'

/** Kafka's value when the volume size is unknown. */
const UNKNOWN_VOLUME_BYTES = -1
/** What a memory-only broker reports as its log dir. */
export const MEMORY_LOG_DIR = '(memory)'
/** int64 max: what Kafka reports when the file system overflows a Java long. */
const LONG_MAX = Number.MAX_SAFE_INTEGER

async function volumeBytes(dir: string): Promise<{ totalBytes: number; usableBytes: number }> {
  try {
    const s = await statfs(dir)
    const clamp = (n: number) => (n < 0 || !Number.isSafeInteger(n) ? LONG_MAX : n)
    return { totalBytes: clamp(s.blocks * s.bsize), usableBytes: clamp(s.bavail * s.bsize) }
  } catch {
    return { totalBytes: UNKNOWN_VOLUME_BYTES, usableBytes: UNKNOWN_VOLUME_BYTES }
  }
}

/** Requested partitions by topic; null = every partition of every topic. */
function requested(req: DescribeLogDirsRequest): Map<string, Set<number>> | null {
  if (req.topics === null) return null
  const out = new Map<string, Set<number>>()
  for (const t of req.topics) {
    const set = out.get(t.topic) ?? new Set<number>()
    for (const p of t.partitions) set.add(p)
    out.set(t.topic, set)
  }
  return out
}

function topicsIn(ctx: RequestContext, wanted: Map<string, Set<number>> | null): LogDirTopic[] {
  const out: LogDirTopic[] = []
  for (const topic of ctx.broker.logs.listTopics()) {
    const only = wanted?.get(topic.name)
    if (wanted && !only) continue
    const partitions = topic.partitions
      .filter((log) => log && (!only || only.has(log.partitionIndex)))
      .map((log) => ({ partitionIndex: log.partitionIndex, partitionSize: log.sizeBytes, offsetLag: 0, isFutureKey: false }))
    // Kafka leaves out topics with no matching partition.
    if (partitions.length > 0) out.push({ name: topic.name, partitions })
  }
  return out
}

export const handler: ApiHandler<DescribeLogDirsRequest, DescribeLogDirsResponse> = {
  apiKey: 35,
  request: DescribeLogDirsRequest,
  response: DescribeLogDirsResponse,
  minVersion: 1,
  maxVersion: 4,

  async handle(ctx, req) {
    const dataDir = ctx.broker.config.dataDir
    const logDir = dataDir === null ? MEMORY_LOG_DIR : resolve(dataDir)
    const bytes = dataDir === null ? { totalBytes: UNKNOWN_VOLUME_BYTES, usableBytes: UNKNOWN_VOLUME_BYTES } : await volumeBytes(logDir)
    const result: LogDirResult = { errorCode: ErrorCode.NONE, logDir, topics: topicsIn(ctx, requested(req)), ...bytes }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: [result] }
  },

  errorResponse: (_ctx, _req, errorCode) => ({ throttleTimeMs: 0, errorCode, results: [] }),
}
