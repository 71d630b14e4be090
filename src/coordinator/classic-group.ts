// The data of one classic group and its members: membership bookkeeping, protocol vote,
// leader choice. No timers and no I/O here; the rebalance logic lives in group-machine.ts.
import { GroupErrorCode } from './error-codes.js'
import { CONSUMER_PROTOCOL_TYPE, GroupState, isValidTransition } from './group-state.js'
import { parseSubscribedTopics } from './consumer-protocol.js'
import type { GroupProtocol, JoinGroupMember, JoinGroupResult, SyncGroupResult } from './types.js'

const EMPTY_BUFFER = Buffer.alloc(0)

export class ClassicGroupMember {
  awaitingJoin: ((result: JoinGroupResult) => void) | null = null
  awaitingSync: ((result: SyncGroupResult) => void) | null = null
  // A member added by the current JoinGroup: it may expire while still awaiting join.
  isNew = false

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public supportedProtocols: GroupProtocol[],
    public assignment: Buffer = EMPTY_BUFFER,
  ) {}

  get isAwaitingJoin(): boolean { return this.awaitingJoin !== null }
  get isAwaitingSync(): boolean { return this.awaitingSync !== null }
  get isStatic(): boolean { return this.groupInstanceId !== null }

  metadata(protocolName: string | null): Buffer {
    const protocol = this.supportedProtocols.find((p) => p.name === protocolName)
    return protocol ? protocol.metadata : EMPTY_BUFFER
  }

  // Members awaiting a rebalance response count as alive, except new ones.
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false
    return this.isAwaitingJoin || this.isAwaitingSync
  }

  matches(protocols: GroupProtocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false
    return protocols.every((p, i) => p.name === this.supportedProtocols[i].name && p.metadata.equals(this.supportedProtocols[i].metadata))
  }

  // The member's first protocol, in its own preference order, that every member supports.
  vote(candidates: Set<string>): string {
    for (const p of this.supportedProtocols) if (candidates.has(p.name)) return p.name
    throw new Error(`member ${this.memberId} supports none of the candidate protocols`)
  }
}

export class ClassicGroup {
  state: GroupState
  previousState: GroupState = GroupState.DEAD
  currentStateTimestampMs: number | null
  protocolType: string | null
  protocolName: string | null
  generationId: number
  leaderId: string | null
  readonly members = new Map<string, ClassicGroupMember>()
  private readonly staticMembers = new Map<string, string>()
  private readonly pendingJoinMembers = new Set<string>()
  readonly pendingSyncMembers = new Set<string>()
  private readonly supportedProtocolCounts = new Map<string, number>()
  private awaitingJoinCount = 0
  subscribedTopics: Set<string> | null = null
  newMemberAdded = false

  constructor(
    readonly groupId: string,
    private readonly clock: () => number,
    init: {
      state?: GroupState; generationId?: number; protocolType?: string | null; protocolName?: string | null
      leaderId?: string | null; currentStateTimestampMs?: number | null
    } = {},
  ) {
    this.state = init.state ?? GroupState.EMPTY
    this.generationId = init.generationId ?? 0
    this.protocolType = init.protocolType ?? null
    this.protocolName = init.protocolName ?? null
    this.leaderId = init.leaderId ?? null
    this.currentStateTimestampMs = init.currentStateTimestampMs === undefined ? clock() : init.currentStateTimestampMs
  }

  is(state: GroupState): boolean { return this.state === state }
  get isEmpty(): boolean { return this.state === GroupState.EMPTY }
  get numMembers(): number { return this.members.size }
  get numAwaitingJoin(): number { return this.awaitingJoinCount }
  get numPendingJoinMembers(): number { return this.pendingJoinMembers.size }
  // A group created by offset commits alone (no membership ever).
  get isSimpleGroup(): boolean { return this.protocolType === null && this.isEmpty && this.pendingJoinMembers.size === 0 }
  get usesConsumerProtocol(): boolean { return this.protocolType === CONSUMER_PROTOCOL_TYPE }

  hasMember(memberId: string): boolean { return this.members.has(memberId) }
  member(memberId: string): ClassicGroupMember | undefined { return this.members.get(memberId) }
  isLeader(memberId: string): boolean { return this.leaderId === memberId }
  staticMemberId(groupInstanceId: string): string | undefined { return this.staticMembers.get(groupInstanceId) }
  hasStaticMember(groupInstanceId: string): boolean { return this.staticMembers.has(groupInstanceId) }
  isPendingMember(memberId: string): boolean { return this.pendingJoinMembers.has(memberId) }

  transitionTo(state: GroupState): void {
    if (!isValidTransition(this.state, state)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${state}`)
    }
    this.previousState = this.state
    this.state = state
    this.currentStateTimestampMs = this.clock()
  }

  add(member: ClassicGroupMember, awaitingJoin: ((r: JoinGroupResult) => void) | null = null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) throw new Error(`static member ${member.groupInstanceId} already in ${this.groupId}`)
      this.staticMembers.set(member.groupInstanceId, member.memberId)
    }
    if (this.members.size === 0) this.protocolType = member.protocolType
    if (this.leaderId === null) this.leaderId = member.memberId
    this.members.set(member.memberId, member)
    this.countProtocols(member, 1)
    member.awaitingJoin = awaitingJoin
    if (member.isAwaitingJoin) this.awaitingJoinCount++
    this.pendingJoinMembers.delete(member.memberId)
  }

  remove(memberId: string): void {
    const removed = this.members.get(memberId)
    if (removed) {
      this.members.delete(memberId)
      this.countProtocols(removed, -1)
      if (removed.isAwaitingJoin) this.awaitingJoinCount--
      if (removed.groupInstanceId !== null) this.staticMembers.delete(removed.groupInstanceId)
      // A request still parked for a removed member would otherwise never be answered (and
      // would hold up every later response on its connection).
      const join = removed.awaitingJoin
      const sync = removed.awaitingSync
      removed.awaitingJoin = null
      removed.awaitingSync = null
      join?.({ errorCode: GroupErrorCode.UNKNOWN_MEMBER_ID, generationId: -1, protocolType: null, protocolName: null,
        leader: '', skipAssignment: false, memberId: '', members: [] })
      sync?.({ errorCode: GroupErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER })
    }
    if (this.isLeader(memberId)) {
      const next = this.members.keys().next()
      this.leaderId = next.done ? null : next.value
    }
    this.pendingJoinMembers.delete(memberId)
    this.pendingSyncMembers.delete(memberId)
  }

  addPendingMember(memberId: string): void { this.pendingJoinMembers.add(memberId) }

  // Keeps the leader if it rejoined; otherwise hands leadership to a member that did.
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false
    const leader = this.members.get(this.leaderId)
    if (leader?.isAwaitingJoin) return true
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId
        return true
      }
    }
    return false
  }

  // Gives a static member's slot to a new member id; a request still parked under the old
  // id is answered FENCED_INSTANCE_ID.
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const old = this.members.get(oldMemberId)
    if (!old) throw new Error(`cannot replace unknown member ${oldMemberId}`)
    this.members.delete(oldMemberId)
    if (old.isAwaitingJoin) this.awaitingJoinCount--
    const joinCb = old.awaitingJoin
    const syncCb = old.awaitingSync
    old.awaitingJoin = null
    old.awaitingSync = null
    joinCb?.({
      errorCode: GroupErrorCode.FENCED_INSTANCE_ID, generationId: -1, protocolType: null, protocolName: null,
      leader: '', skipAssignment: false, memberId: oldMemberId, members: [],
    })
    syncCb?.({ errorCode: GroupErrorCode.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER })
    const replacement = new ClassicGroupMember(newMemberId, old.groupInstanceId, old.clientId, old.clientHost,
      old.rebalanceTimeoutMs, old.sessionTimeoutMs, old.protocolType, old.supportedProtocols, old.assignment)
    this.members.set(newMemberId, replacement)
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId)
    this.staticMembers.set(groupInstanceId, newMemberId)
    return replacement
  }

  updateMember(member: ClassicGroupMember, protocols: GroupProtocol[], rebalanceTimeoutMs: number,
    sessionTimeoutMs: number, awaitingJoin: ((r: JoinGroupResult) => void) | null): void {
    this.countProtocols(member, -1)
    member.supportedProtocols = protocols
    this.countProtocols(member, 1)
    member.rebalanceTimeoutMs = rebalanceTimeoutMs
    member.sessionTimeoutMs = sessionTimeoutMs
    const previous = member.awaitingJoin
    if (awaitingJoin !== null && !member.isAwaitingJoin) this.awaitingJoinCount++
    else if (awaitingJoin === null && member.isAwaitingJoin) this.awaitingJoinCount--
    member.awaitingJoin = awaitingJoin
    // A second JoinGroup of a member that already has one parked replaces it; the earlier
    // one is told to rejoin rather than left unanswered.
    if (previous !== null && awaitingJoin !== null && previous !== awaitingJoin) {
      previous({ errorCode: GroupErrorCode.REBALANCE_IN_PROGRESS, generationId: -1, protocolType: null, protocolName: null,
        leader: '', skipAssignment: false, memberId: member.memberId, members: [] })
    }
  }

  completeJoin(member: ClassicGroupMember, result: JoinGroupResult): boolean {
    const cb = member.awaitingJoin
    if (cb === null) return false
    member.awaitingJoin = null
    // A member already removed was uncounted by remove().
    if (this.members.get(member.memberId) === member) this.awaitingJoinCount--
    cb(result)
    return true
  }

  completeSync(member: ClassicGroupMember, result: SyncGroupResult): boolean {
    const cb = member.awaitingSync
    if (cb === null) return false
    member.awaitingSync = null
    cb(result)
    return true
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.awaitingJoinCount && this.pendingJoinMembers.size === 0
  }

  notYetRejoinedMembers(): ClassicGroupMember[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin)
  }

  rebalanceTimeoutMs(): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  canRebalance(): boolean {
    return isValidTransition(this.state, GroupState.PREPARING_REBALANCE)
  }

  supportsProtocols(protocolType: string, protocols: GroupProtocol[]): boolean {
    if (this.isEmpty) return protocolType !== '' && protocols.length > 0
    return this.protocolType === protocolType &&
      protocols.some((p) => (this.supportedProtocolCounts.get(p.name) ?? 0) === this.members.size)
  }

  // Kafka's vote: candidates are the protocols every member supports; each member votes
  // for its most preferred candidate; the most voted wins (ties: first counted).
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error('cannot select a protocol for an empty group')
    const candidates = new Set<string>()
    for (const [name, count] of this.supportedProtocolCounts) if (count === this.members.size) candidates.add(name)
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      const choice = m.vote(candidates)
      votes.set(choice, (votes.get(choice) ?? 0) + 1)
    }
    let best: string | null = null
    let bestVotes = -1
    for (const [name, n] of votes) if (n > bestVotes) { best = name; bestVotes = n }
    return best as string
  }

  initNextGeneration(): void {
    this.generationId++
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.subscribedTopics = this.computeSubscribedTopics()
      this.transitionTo(GroupState.COMPLETING_REBALANCE)
    } else {
      this.protocolName = null
      this.subscribedTopics = this.computeSubscribedTopics()
      this.transitionTo(GroupState.EMPTY)
    }
    this.pendingSyncMembers.clear()
  }

  // Topics the members of a "consumer" group subscribe to, or null when unknown.
  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null
    if (this.members.size === 0) return new Set()
    if (this.protocolName === null) return null
    const all = new Set<string>()
    for (const m of this.members.values()) {
      const topics = parseSubscribedTopics(m.metadata(this.protocolName))
      if (topics === null) return null
      for (const t of topics) all.add(t)
    }
    return all
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics !== null ? this.subscribedTopics.has(topic) : this.usesConsumerProtocol
  }

  currentMembersForLeader(): JoinGroupMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(this.protocolName),
    }))
  }

  groupAssignment(): Map<string, Buffer> {
    return new Map([...this.members.values()].map((m) => [m.memberId, m.assignment]))
  }

  allStaticMemberIds(): string[] { return [...this.staticMembers.values()] }

  private countProtocols(member: ClassicGroupMember, delta: number): void {
    for (const p of member.supportedProtocols) {
      this.supportedProtocolCounts.set(p.name, (this.supportedProtocolCounts.get(p.name) ?? 0) + delta)
    }
  }
}
