// Deterministic coordinator for unit tests: manual time, in-memory group log, counted ids.
import { GroupCoordinator } from '../../src/coordinator/group-coordinator.js'
import { InMemoryGroupLog } from '../../src/coordinator/group-log.js'
import { ManualTimer } from '../../src/coordinator/timer.js'
import type { GroupCoordinatorConfig, GroupProtocol, JoinGroupRequest, JoinGroupResult, SyncGroupResult } from '../../src/coordinator/types.js'

export interface Harness { coordinator: GroupCoordinator; timer: ManualTimer; log: InMemoryGroupLog }

export async function makeCoordinator(opts: { config?: Partial<GroupCoordinatorConfig>; log?: InMemoryGroupLog; startMs?: number } = {}): Promise<Harness> {
  const timer = new ManualTimer(opts.startMs ?? 1_000_000)
  const log = opts.log ?? new InMemoryGroupLog()
  let n = 0
  const coordinator = new GroupCoordinator({ log, timer, config: opts.config, newUuid: () => `uuid${++n}` })
  await coordinator.start()
  return { coordinator, timer, log }
}

// Lets promise continuations (appends, callbacks) run.
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
}

export interface Tracked<T> { done: boolean; value: T | undefined; promise: Promise<T> }
export function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { done: false, value: undefined, promise }
  promise.then((v) => { t.done = true; t.value = v })
  return t
}

// A "consumer" protocol subscription (version 0: topics, null user data).
export function subscription(topics: string[]): Buffer {
  const parts: Buffer[] = []
  const head = Buffer.alloc(6); head.writeInt16BE(0, 0); head.writeInt32BE(topics.length, 2); parts.push(head)
  for (const t of topics) {
    const s = Buffer.from(t); const len = Buffer.alloc(2); len.writeInt16BE(s.length); parts.push(len, s)
  }
  const userData = Buffer.alloc(4); userData.writeInt32BE(-1); parts.push(userData)
  return Buffer.concat(parts)
}

export function consumerProtocols(topics: string[], names: string[] = ['range']): GroupProtocol[] {
  return names.map((name) => ({ name, metadata: subscription(topics) }))
}

export function joinReq(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g', memberId: '', groupInstanceId: null, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer', protocols: consumerProtocols(['t']), reason: null, clientId: 'client', clientHost: '/127.0.0.1',
    requireKnownMemberId: false, supportsSkipAssignment: false, ...overrides,
  }
}

// Joins a new dynamic member through MEMBER_ID_REQUIRED (v4+), leaving the second JoinGroup parked.
export async function joinWithMemberIdRequired(h: Harness, overrides: Partial<JoinGroupRequest> = {}): Promise<{ memberId: string; join: Tracked<JoinGroupResult> }> {
  const first = await h.coordinator.joinGroup(joinReq({ ...overrides, requireKnownMemberId: true }))
  if (first.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`)
  const join = track(h.coordinator.joinGroup(joinReq({ ...overrides, memberId: first.memberId, requireKnownMemberId: true })))
  await flush()
  return { memberId: first.memberId, join }
}

export function syncReq(memberId: string, generationId: number, assignments: { memberId: string; assignment: Buffer }[] = [], groupId = 'g') {
  return { groupId, generationId, memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments }
}

export async function syncAll(h: Harness, members: { memberId: string; generationId: number; leader: boolean }[], groupId = 'g'): Promise<SyncGroupResult[]> {
  const assignments = members.map((m) => ({ memberId: m.memberId, assignment: Buffer.from(`assign-${m.memberId}`) }))
  const pending = members.map((m) => h.coordinator.syncGroup(syncReq(m.memberId, m.generationId, m.leader ? assignments : [], groupId)))
  await flush()
  return Promise.all(pending)
}

// Brings a group of n dynamic members to Stable; returns their ids (leader first) and the generation.
export async function stableGroup(h: Harness, n: number, overrides: Partial<JoinGroupRequest> = {}): Promise<{ memberIds: string[]; generationId: number; leader: string }> {
  const joins: Tracked<JoinGroupResult>[] = []
  for (let i = 0; i < n; i++) joins.push(track(h.coordinator.joinGroup(joinReq({ clientId: `c${i}`, ...overrides }))))
  h.timer.advance(0)
  await flush()
  const results = joins.map((j) => {
    if (!j.done) throw new Error('join not answered')
    return j.value as JoinGroupResult
  })
  const generationId = results[0].generationId
  const leader = results[0].leader
  await syncAll(h, results.map((r) => ({ memberId: r.memberId, generationId, leader: r.memberId === leader })), overrides.groupId ?? 'g')
  return { memberIds: results.map((r) => r.memberId), generationId, leader }
}
