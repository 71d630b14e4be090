// Random sequences of member requests and time steps against the state machine: nothing
// throws, the group's bookkeeping stays consistent, and every parked request is answered
// once the members stop and time runs out.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ClassicGroup } from '../../src/coordinator/classic-group.js'
import { GroupMachine } from '../../src/coordinator/group-machine.js'
import { GroupState, isValidTransition } from '../../src/coordinator/group-state.js'
import { joinGroup } from '../../src/coordinator/join-group.js'
import { heartbeat, leaveGroup, syncGroup } from '../../src/coordinator/sync-group.js'
import { ManualTimer } from '../../src/coordinator/timer.js'
import { defaultGroupCoordinatorConfig } from '../../src/coordinator/types.js'
import { consumerProtocols, joinReq } from './harness.js'

type Op =
  | { kind: 'join'; client: number; fresh: boolean; v4: boolean; instance: boolean; protocols: number }
  | { kind: 'sync'; client: number }
  | { kind: 'heartbeat'; client: number }
  | { kind: 'leave'; client: number }
  | { kind: 'advance'; ms: number }

const CLIENTS = 4
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('join' as const), client: fc.nat(CLIENTS - 1), fresh: fc.boolean(), v4: fc.boolean(), instance: fc.boolean(), protocols: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), client: fc.nat(CLIENTS - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), client: fc.nat(CLIENTS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), client: fc.nat(CLIENTS - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 12_000 })) }) },
)

const PROTOCOL_CHOICES = [['range'], ['range', 'roundrobin'], ['roundrobin', 'range']]

function checkInvariants(group: ClassicGroup | undefined): void {
  if (!group) return
  const members = [...group.members.values()]
  expect(group.numAwaitingJoin).toBe(members.filter((m) => m.isAwaitingJoin).length)
  if (members.length > 0) expect(group.members.has(group.leaderId ?? '')).toBe(true)
  if (group.is(GroupState.EMPTY)) expect(members.length).toBe(0)
  if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE)) {
    expect(members.length).toBeGreaterThan(0)
    expect(members.every((m) => m.supportedProtocols.some((p) => p.name === group.protocolName))).toBe(true)
  }
  const instanceIds = members.map((m) => m.groupInstanceId).filter((i) => i !== null)
  expect(new Set(instanceIds).size).toBe(instanceIds.length)
  for (const id of group.pendingSyncMembers) expect(group.members.has(id)).toBe(true)
}

describe('state machine under random operations', () => {
  it('keeps its invariants and answers every request', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 80 }), async (ops) => {
      const timer = new ManualTimer(0)
      let n = 0
      const machine = new GroupMachine({ ...defaultGroupCoordinatorConfig(), groupMinSessionTimeoutMs: 1000 }, timer,
        async () => {}, () => `u${++n}`, { info() {}, warn() {}, debug() {} })
      const clients = Array.from({ length: CLIENTS }, () => ({ memberId: '', generationId: -1 }))
      let outstanding = 0
      const answered = () => { outstanding-- }
      for (const op of ops) {
        if (op.kind === 'advance') {
          timer.advance(op.ms)
        } else {
          const c = clients[op.client]
          const instance = (o: { instance?: boolean }) => (o.instance ? `i${op.client}` : null)
          if (op.kind === 'join') {
            outstanding++
            joinGroup(machine, joinReq({
              memberId: op.fresh ? '' : c.memberId, clientId: `c${op.client}`, groupInstanceId: instance(op),
              sessionTimeoutMs: 5000, rebalanceTimeoutMs: 8000, requireKnownMemberId: op.v4,
              protocols: consumerProtocols(['t'], PROTOCOL_CHOICES[op.protocols]),
            }), (r) => {
              answered()
              if (r.memberId !== '') c.memberId = r.memberId
              if (r.errorCode === 0) c.generationId = r.generationId
            })
          } else if (op.kind === 'sync') {
            outstanding++
            syncGroup(machine, { groupId: 'g', generationId: c.generationId, memberId: c.memberId, groupInstanceId: null, protocolType: null,
              protocolName: null, assignments: [{ memberId: c.memberId, assignment: Buffer.from('x') }] }, answered)
          } else if (op.kind === 'heartbeat') {
            heartbeat(machine, { groupId: 'g', generationId: c.generationId, memberId: c.memberId, groupInstanceId: null })
          } else {
            leaveGroup(machine, { groupId: 'g', members: [{ memberId: c.memberId, groupInstanceId: null, reason: null }] })
          }
        }
        await new Promise((r) => setImmediate(r))
        checkInvariants(machine.groups.get('g'))
      }
      // Members go quiet: sessions, rebalance and new-member timeouts answer everything parked.
      for (let i = 0; i < 4; i++) {
        timer.advance(400_000)
        await new Promise((r) => setImmediate(r))
      }
      checkInvariants(machine.groups.get('g'))
      expect(outstanding).toBe(0)
      const group = machine.groups.get('g')
      if (group) expect(group.numMembers).toBe(0)
    }), { numRuns: 300 })
  })

  it('only allows Kafka\'s transitions', () => {
    const allowed = [
      ['Empty', 'PreparingRebalance'], ['PreparingRebalance', 'CompletingRebalance'], ['PreparingRebalance', 'Empty'],
      ['CompletingRebalance', 'Stable'], ['CompletingRebalance', 'PreparingRebalance'], ['Stable', 'PreparingRebalance'],
      ['Empty', 'Dead'], ['PreparingRebalance', 'Dead'], ['CompletingRebalance', 'Dead'], ['Stable', 'Dead'], ['Dead', 'Dead'],
    ]
    const states = Object.values(GroupState)
    for (const from of states) {
      for (const to of states) {
        expect(isValidTransition(from, to), `${from} -> ${to}`).toBe(allowed.some(([a, b]) => a === from && b === to))
      }
    }
  })
})
