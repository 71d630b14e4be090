// Produce (0): per-partition appends, concurrently across partitions (each partition's log
// serializes its own appends). Outcomes are per partition; acks=0 gets no response at all.
import type { ReleasingHandler } from '../broker/dispatcher.js'
import type { ApiHandler } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { ProduceRequest } from '../protocol/generated/produce-request.js'
import {
  ProduceResponse,
  type ProduceResponsePartitionProduceResponse as PartitionResponse,
  type ProduceResponseTopicProduceResponse as TopicResponse,
} from '../protocol/generated/produce-response.js'

/** Kafka's own internal topics: clients may not append to them. */
const KAFKA_INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state'])
const TRANSACTIONAL_ATTRIBUTE = 0x10
const NO_RECORD_ERRORS: PartitionResponse['recordErrors'] = []

function partitionError(index: number, errorCode: number, errorMessage: string | null = null): PartitionResponse {
  return {
    index,
    errorCode,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: NO_RECORD_ERRORS,
    errorMessage,
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
  }
}

function isTransactional(records: Buffer): boolean {
  return records.length >= 23 && (records.readInt16BE(21) & TRANSACTIONAL_ATTRIBUTE) !== 0
}

export const handler: ApiHandler<ProduceRequest, ProduceResponse> & ReleasingHandler = {
  apiKey: 0,
  // handle() settles only after every append it started has settled (acks=0 included), and the
  // log keeps no view of the records after that: the request frame may be reused.
  releasesRequestBytes: true,
  request: ProduceRequest,
  response: ProduceResponse,
  minVersion: 3,
  maxVersion: 11,
  // Old librdkafka disables compression unless Produce v0 is advertised; v0-2 are still refused.
  advertisedMinVersion: 0,

  async handle(ctx, req) {
    const { logs } = ctx.broker
    const acks = req.acks
    const validAcks = acks === -1 || acks === 0 || acks === 1
    const produceVersion = ctx.apiVersion
    const appends: Promise<unknown>[] = []
    let responses: TopicResponse[]
    try {
      responses = plan()
    } catch (err) {
      // Appends already started still hold views of the request: let them finish first.
      await Promise.allSettled(appends)
      throw err
    }

    if (acks === 0) {
      // No response; the appends still happen, in order, per partition. The request settles once
      // they have (its frame is reused afterwards), without holding up anything but this slot.
      if (appends.length > 0) {
        const settled = await Promise.allSettled(appends)
        for (const s of settled) if (s.status === 'rejected') ctx.broker.logger.error({ err: s.reason, clientId: ctx.clientId }, 'acks=0 append failed')
      }
      return null
    }
    if (appends.length > 0) {
      const settled = await Promise.allSettled(appends)
      for (const s of settled) if (s.status === 'rejected') throw s.reason
    }
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] }

    function plan(): TopicResponse[] {
      return req.topicData.map((t) => {
        const topic = logs.getTopic(t.name)
        const partitionResponses = t.partitionData.map((p): PartitionResponse => {
          if (!validAcks) return partitionError(p.index, ErrorCode.INVALID_REQUIRED_ACKS)
          const log = topic && p.index >= 0 && p.index < topic.partitions.length ? topic.partitions[p.index] : undefined
          if (!log) return partitionError(p.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          if (KAFKA_INTERNAL_TOPICS.has(t.name)) {
            return partitionError(p.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${t.name}`)
          }
          const records = p.records
          if (records === null) return partitionError(p.index, ErrorCode.INVALID_RECORD, 'Produce request without records')
          // No transaction coordinator: a transactional write cannot have been added to a
          // transaction, which Kafka (transaction verification) answers with INVALID_TXN_STATE.
          if (req.transactionalId !== null || isTransactional(records)) {
            return partitionError(p.index, ErrorCode.INVALID_TXN_STATE, 'Transactions are not supported by this broker')
          }
          const out = partitionError(p.index, ErrorCode.NONE)
          appends.push(
            log.append(records, { requiredAcks: acks, produceVersion }).then((r) => {
              out.errorCode = r.errorCode
              out.baseOffset = r.baseOffset
              out.logAppendTimeMs = r.logAppendTimeMs
              out.logStartOffset = r.logStartOffset
              out.recordErrors = r.recordErrors
              out.errorMessage = r.errorMessage
            }),
          )
          return out
        })
        return { name: t.name, partitionResponses }
      })
    }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => partitionError(p.index, errorCode)),
    })),
    throttleTimeMs: 0,
    nodeEndpoints: [],
  }),
}
