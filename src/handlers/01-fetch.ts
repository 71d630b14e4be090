// Fetch (1): whole stored batches per partition under the request's byte limits, as zero-copy
// records chunks. No fetch sessions (sessionId is always 0: every fetch is a full fetch). An
// empty fetch long-polls up to maxWaitMs and is woken by appends (broker/delayed-fetch.ts).
// No transactions: the last stable offset is the high watermark and nothing is aborted.
import { waitForAppends } from '../broker/delayed-fetch.js'
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { FetchRequest } from '../protocol/generated/fetch-request.js'
import {
  FetchResponse,
  type FetchResponseFetchableTopicResponse as TopicResponse,
  type FetchResponsePartitionData as PartitionData,
} from '../protocol/generated/fetch-response.js'
import { type PartitionReadRequest, readPartitions, readPartitionsNow } from '../storage/fetch-reads.js'
import { FetchReadBuffers } from './fetch-read-buffers.js'
import type { PartitionLog, ReadResult } from '../storage/partition-log.js'

const EMPTY = Buffer.alloc(0)
const READ_COMMITTED = 1
/** Fetch sessions: sessionId 0 with epoch 0 (create) or -1 (none) is a full fetch. */
const INITIAL_EPOCH = 0
const FINAL_EPOCH = -1

function partitionData(partitionIndex: number, errorCode: number, readCommitted: boolean): PartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    divergingEpoch: { epoch: -1, endOffset: -1 },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1, epoch: -1 },
    abortedTransactions: readCommitted ? [] : null,
    preferredReadReplica: -1,
    records: EMPTY,
  }
}

/** A partition slot in the response that storage will fill. */
interface Slot {
  data: PartitionData
  read: PartitionReadRequest
}

/** Resolves topics and partitions; error slots are final, the others are read. */
function plan(ctx: RequestContext, req: FetchRequest): { responses: TopicResponse[]; slots: Slot[] } {
  const { logs } = ctx.broker
  const byId = ctx.apiVersion >= 13
  const readCommitted = req.isolationLevel === READ_COMMITTED
  const slots: Slot[] = []
  const responses = req.topics.map((t): TopicResponse => {
    const topic = byId ? logs.getTopicById(t.topicId) : logs.getTopic(t.topic)
    const partitions = t.partitions.map((p): PartitionData => {
      if (!topic) return partitionData(p.partition, byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, readCommitted)
      const log: PartitionLog | undefined = p.partition >= 0 ? topic.partitions[p.partition] : undefined
      if (!log) return partitionData(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, readCommitted)
      // currentLeaderEpoch (v9+): -1 = not checked.
      if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== log.leaderEpoch) {
        const code = p.currentLeaderEpoch > log.leaderEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH
        return partitionData(p.partition, code, readCommitted)
      }
      const data = partitionData(p.partition, ErrorCode.NONE, readCommitted)
      slots.push({ data, read: { log, fetchOffset: p.fetchOffset, maxBytes: Math.max(0, p.partitionMaxBytes) } })
      return data
    })
    return { topic: topic?.name ?? t.topic, topicId: topic?.topicId ?? t.topicId, partitions }
  })
  return { responses, slots }
}

/** What a fill found: the record bytes and whether any partition errored. */
interface Filled {
  bytes: number
  errors: boolean
}

/** Copies read results into the response slots. */
function apply(slots: Slot[], results: readonly ReadResult[]): Filled {
  let bytes = 0
  let errors = false
  for (let i = 0; i < slots.length; i++) {
    const r = results[i]
    const d = slots[i].data
    d.errorCode = r.errorCode
    d.records = r.records ?? EMPTY
    if (r.errorCode === ErrorCode.NONE) {
      d.highWatermark = r.highWatermark
      d.lastStableOffset = r.lastStableOffset
      d.logStartOffset = r.logStartOffset
      bytes += d.records.length
    } else {
      errors = true
    }
  }
  return { bytes, errors }
}

function readRequests(slots: Slot[]): PartitionReadRequest[] {
  const reads = new Array<PartitionReadRequest>(slots.length)
  for (let i = 0; i < slots.length; i++) reads[i] = slots[i].read
  return reads
}

/** Reads every slot: at once when nothing needs I/O (a consumer at the tail), else from the files. */
function fill(slots: Slot[], maxBytes: number, buffers: FetchReadBuffers): Filled | Promise<Filled> {
  const reads = readRequests(slots)
  const now = readPartitionsNow(reads, { maxBytes })
  if (now !== undefined) return apply(slots, now)
  return readPartitions(reads, { maxBytes, alloc: buffers.alloc }).then((results) => apply(slots, results))
}

function envelope(errorCode: number, responses: TopicResponse[]): FetchResponse {
  return { throttleTimeMs: 0, errorCode, sessionId: 0, responses, nodeEndpoints: [] }
}

/** Kafka answers at once on an error, enough data, no wait, or nothing to wait for; else long-polls. */
function afterFirstFill(req: FetchRequest, responses: TopicResponse[], slots: Slot[], maxBytes: number, first: Filled, buffers: FetchReadBuffers): FetchResponse | Promise<FetchResponse> {
  const minBytes = Math.max(req.minBytes, 1)
  if (req.maxWaitMs <= 0 || slots.length === 0 || first.errors || first.bytes >= minBytes) return buffers.releaseAfterWrite(envelope(ErrorCode.NONE, responses))
  const logs = new Array<PartitionLog>(slots.length)
  for (let i = 0; i < slots.length; i++) logs[i] = slots[i].read.log
  return waitForAppends(logs, { neededBytes: minBytes - first.bytes, maxWaitMs: req.maxWaitMs }).then(async () => {
    await fill(slots, maxBytes, buffers)
    return buffers.releaseAfterWrite(envelope(ErrorCode.NONE, responses))
  })
}

export const handler: ApiHandler<FetchRequest, FetchResponse> = {
  apiKey: 1,
  request: FetchRequest,
  response: FetchResponse,
  minVersion: 4,
  maxVersion: 17,

  // Synchronous when the answer needs no I/O (the usual tailing consumer); a promise otherwise.
  handle(ctx, req) {
    // This broker never hands out a session id, so a client cannot have one.
    if (req.sessionId !== 0) return envelope(ErrorCode.FETCH_SESSION_ID_NOT_FOUND, [])
    if (req.sessionEpoch !== INITIAL_EPOCH && req.sessionEpoch !== FINAL_EPOCH) return envelope(ErrorCode.INVALID_FETCH_SESSION_EPOCH, [])

    const { responses, slots } = plan(ctx, req)
    const maxBytes = Math.max(0, req.maxBytes)
    const buffers = new FetchReadBuffers()
    const first = fill(slots, maxBytes, buffers)
    if (first instanceof Promise) return first.then((f) => afterFirstFill(req, responses, slots, maxBytes, f, buffers))
    return afterFirstFill(req, responses, slots, maxBytes, first, buffers)
  },

  // v13+: the top-level error only; earlier versions also repeat it in every partition.
  errorResponse: (ctx, req, errorCode) => {
    if (ctx.apiVersion >= 13) return envelope(errorCode, [])
    const readCommitted = req.isolationLevel === READ_COMMITTED
    return envelope(
      errorCode,
      req.topics.map((t) => ({ topic: t.topic, topicId: t.topicId, partitions: t.partitions.map((p) => partitionData(p.partition, errorCode, readCommitted)) })),
    )
  },
}
