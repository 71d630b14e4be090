// Plain domain objects exchanged between the handlers and the GroupCoordinator. They carry
// no protocol versions: the handler turns version-dependent behaviour into options.

export interface GroupProtocol { name: string; metadata: Buffer }

export interface JoinGroupRequest {
  groupId: string
  memberId: string                  // '' for a member joining for the first time
  groupInstanceId: string | null    // static membership (KIP-345)
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number        // JoinGroup v0 has none: pass sessionTimeoutMs
  protocolType: string
  protocols: GroupProtocol[]
  reason: string | null
  clientId: string
  clientHost: string
  requireKnownMemberId: boolean     // JoinGroup v4+: answer MEMBER_ID_REQUIRED to a first join
  supportsSkipAssignment: boolean   // JoinGroup v9+
}

export interface JoinGroupMember { memberId: string; groupInstanceId: string | null; metadata: Buffer }

export interface JoinGroupResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  skipAssignment: boolean
  memberId: string
  members: JoinGroupMember[]
}

export interface SyncGroupRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string | null       // v5+, null before
  protocolName: string | null       // v5+, null before
  assignments: { memberId: string; assignment: Buffer }[]
}

export interface SyncGroupResult {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export interface HeartbeatRequest { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }
export interface HeartbeatResult { errorCode: number }

export interface LeaveGroupMemberIdentity { memberId: string; groupInstanceId: string | null; reason: string | null }
export interface LeaveGroupRequest { groupId: string; members: LeaveGroupMemberIdentity[] }
export interface LeaveGroupResult {
  errorCode: number
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[]
}

export interface OffsetCommitPartition {
  partitionIndex: number
  committedOffset: number
  committedLeaderEpoch: number      // -1 when unknown
  committedMetadata: string | null
}
export interface OffsetCommitRequest {
  groupId: string
  generationId: number              // -1 for simple consumers and admin tools
  memberId: string
  groupInstanceId: string | null
  retentionTimeMs: number           // OffsetCommit v2-4; -1 = broker default
  topics: { name: string; partitions: OffsetCommitPartition[] }[]
  // OffsetCommit v9+ reports an unknown group as GROUP_ID_NOT_FOUND, older versions as ILLEGAL_GENERATION
  reportGroupIdNotFound: boolean
}
export interface OffsetCommitResult {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]
}

export interface OffsetFetchGroupRequest {
  groupId: string
  topics: { name: string; partitionIndexes: number[] }[] | null   // null = every committed offset of the group
}
export interface OffsetFetchPartition {
  partitionIndex: number
  committedOffset: number           // -1 when none
  committedLeaderEpoch: number
  metadata: string | null
  errorCode: number
}
export interface OffsetFetchGroupResult {
  groupId: string
  errorCode: number
  topics: { name: string; partitions: OffsetFetchPartition[] }[]
}

export interface DescribedGroupMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  memberMetadata: Buffer
  memberAssignment: Buffer
}
export interface DescribedGroup {
  groupId: string
  errorCode: number
  groupState: string
  protocolType: string
  protocolData: string
  members: DescribedGroupMember[]
}

export interface ListGroupsRequest { statesFilter: string[]; typesFilter: string[] }
export interface ListedGroup { groupId: string; protocolType: string; groupState: string; groupType: string }
export interface ListGroupsResult { errorCode: number; groups: ListedGroup[] }

export interface DeleteGroupsResult { groupId: string; errorCode: number }

export interface OffsetDeleteRequest { groupId: string; topics: { name: string; partitions: number[] }[] }
export interface OffsetDeleteResult {
  errorCode: number
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]
}

export interface GroupCoordinatorConfig {
  groupInitialRebalanceDelayMs: number
  groupMinSessionTimeoutMs: number
  groupMaxSessionTimeoutMs: number
  groupMaxSize: number
  // JoinGroup of a new member expires after this long if the rebalance never completes
  groupNewMemberJoinTimeoutMs: number
  offsetsRetentionMinutes: number
  offsetsRetentionCheckIntervalMs: number
  offsetMetadataMaxBytes: number
}

export function defaultGroupCoordinatorConfig(): GroupCoordinatorConfig {
  return {
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 6_000,
    groupMaxSessionTimeoutMs: 1_800_000,
    groupMaxSize: 2_147_483_647,
    groupNewMemberJoinTimeoutMs: 300_000,
    offsetsRetentionMinutes: 10_080,
    offsetsRetentionCheckIntervalMs: 600_000,
    offsetMetadataMaxBytes: 4096,
  }
}
