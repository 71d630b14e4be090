// Regression: a JoinGroup parked in a rebalance held Broker.stop() until its 5 s shutdown
// deadline. Stop now closes the coordinator first, which answers parked joins at once.
import { expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { JoinGroupRequest } from '../../src/protocol/generated/join-group-request.js'
import { JoinGroupResponse } from '../../src/protocol/generated/join-group-response.js'
import { startTestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'

const join = (memberId: string): JoinGroupRequest => ({
  groupId: 'parked', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: null,
  protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('m') }], reason: null,
})

it('stop_with_parked_join_group: answers the parked join with NOT_COORDINATOR and stops well before the deadline', async () => {
  const tb = await startTestBroker({ memory: true })
  const a = await RawKafkaClient.connect(tb.port)
  const b = await RawKafkaClient.connect(tb.port)
  const first = await a.request(JoinGroupRequest, JoinGroupResponse, 0, join(''))
  expect(first.errorCode).toBe(0)
  // A second member starts a rebalance that waits (30 s) for the first to rejoin.
  const parked = b.request(JoinGroupRequest, JoinGroupResponse, 0, join(''))
  await new Promise((r) => setTimeout(r, 100))
  const started = Date.now()
  await tb.stop()
  const elapsedMs = Date.now() - started
  const answer = await parked
  expect(answer.errorCode).toBe(ErrorCode.NOT_COORDINATOR)
  expect(elapsedMs).toBeLessThan(4000) // the old behaviour waited for the 5 s deadline
})
