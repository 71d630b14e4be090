import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ErrorCode, KafkaError, errorMessage, errorName, isRetriable } from '../../src/protocol/errors.js'
import { REPO_ROOT } from './spec-loader.js'

describe('errors', () => {
  const spec = JSON.parse(readFileSync(join(REPO_ROOT, 'protocol-specs', 'errors.json'), 'utf8')) as { code: number; name: string; retriable: boolean }[]

  it('ErrorCode has every code of errors.json by its wire name', () => {
    expect(Object.keys(ErrorCode)).toHaveLength(spec.length)
    for (const e of spec) expect((ErrorCode as Record<string, number>)[e.name]).toBe(e.code)
  })

  it('covers the contiguous Kafka range -1..133 with well-known anchors', () => {
    const codes = spec.map((e) => e.code).sort((a, b) => a - b)
    expect(codes).toEqual(Array.from({ length: codes.length }, (_, i) => i - 1))
    expect(ErrorCode).toMatchObject({
      UNKNOWN_SERVER_ERROR: -1, NONE: 0, OFFSET_OUT_OF_RANGE: 1, CORRUPT_MESSAGE: 2, UNKNOWN_TOPIC_OR_PARTITION: 3,
      NOT_LEADER_OR_FOLLOWER: 6, MESSAGE_TOO_LARGE: 10, NOT_COORDINATOR: 16, REBALANCE_IN_PROGRESS: 27,
      UNSUPPORTED_VERSION: 35, TOPIC_ALREADY_EXISTS: 36, INVALID_REQUEST: 42, OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
      INVALID_PRODUCER_EPOCH: 47, UNSUPPORTED_COMPRESSION_TYPE: 76, MEMBER_ID_REQUIRED: 79, INVALID_RECORD: 87,
      PRODUCER_FENCED: 90, UNKNOWN_TOPIC_ID: 100, FENCED_MEMBER_EPOCH: 110, TRANSACTION_ABORTABLE: 120,
    })
  })

  it('names, messages and retriability', () => {
    expect(errorName(3)).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(errorName(9999)).toBe('UNKNOWN_ERROR_CODE_9999')
    expect(errorMessage(0)).toMatch(/\S/)
    expect(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe(true)
    expect(isRetriable(ErrorCode.TOPIC_ALREADY_EXISTS)).toBe(false)
  })

  it('KafkaError carries the code and a default message', () => {
    const err = new KafkaError(ErrorCode.INVALID_PARTITIONS)
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('KafkaError')
    expect(err.errorCode).toBe(37)
    expect(err.message).toContain('INVALID_PARTITIONS')
    expect(new KafkaError(40, 'bad retention.ms').message).toBe('bad retention.ms')
  })
})
