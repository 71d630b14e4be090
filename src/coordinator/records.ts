// Brook's persisted group records (protocol-specs/persisted/group-records.md describes the
// layout). Each record has a key (int16 key type, then the key fields) and a value (int16
// value version, then the fields) or a null value (tombstone: the key is deleted; the log
// is compacted by key). All integers are big-endian; int64 values are JS numbers (they fit
// in 2^53: offsets and millisecond timestamps).
import type { GroupProtocol } from './types.js'

export const GroupRecordKeyType = { OFFSET_COMMIT: 0, GROUP_METADATA: 1 } as const
export const OFFSET_COMMIT_VALUE_VERSION = 0
export const GROUP_METADATA_VALUE_VERSION = 0

export interface GroupLogRecord { key: Buffer; value: Buffer | null }

export interface OffsetCommitValue {
  committedOffset: number
  leaderEpoch: number
  metadata: string | null
  commitTimestampMs: number
  expireTimestampMs: number | null
}

export interface GroupMemberValue {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  protocols: GroupProtocol[]
  assignment: Buffer
}

export interface GroupMetadataValue {
  protocolType: string | null
  generationId: number
  protocolName: string | null
  leader: string | null
  currentStateTimestampMs: number | null
  members: GroupMemberValue[]
}

export type DecodedGroupRecord =
  | { type: 'offset'; groupId: string; topic: string; partition: number; value: OffsetCommitValue | null }
  | { type: 'group'; groupId: string; value: GroupMetadataValue | null }

export class GroupRecordError extends Error {}

class Out {
  private parts: Buffer[] = []
  int16(v: number): this { const b = Buffer.allocUnsafe(2); b.writeInt16BE(v); this.parts.push(b); return this }
  int32(v: number): this { const b = Buffer.allocUnsafe(4); b.writeInt32BE(v); this.parts.push(b); return this }
  int64(v: number): this { const b = Buffer.allocUnsafe(8); b.writeBigInt64BE(BigInt(v)); this.parts.push(b); return this }
  string(v: string | null): this {
    if (v === null) return this.int16(-1)
    const s = Buffer.from(v, 'utf8')
    if (s.length > 0x7fff) throw new GroupRecordError('string too long for a group record')
    this.int16(s.length); this.parts.push(s); return this
  }
  bytes(v: Buffer): this { this.int32(v.length); this.parts.push(v); return this }
  done(): Buffer { return Buffer.concat(this.parts) }
}

class In {
  private pos = 0
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void { if (this.pos + n > this.buf.length) throw new GroupRecordError('truncated group record') }
  int16(): number { this.need(2); const v = this.buf.readInt16BE(this.pos); this.pos += 2; return v }
  int32(): number { this.need(4); const v = this.buf.readInt32BE(this.pos); this.pos += 4; return v }
  int64(): number { this.need(8); const v = Number(this.buf.readBigInt64BE(this.pos)); this.pos += 8; return v }
  string(): string | null {
    const len = this.int16()
    if (len < 0) return null
    this.need(len); const v = this.buf.toString('utf8', this.pos, this.pos + len); this.pos += len; return v
  }
  requiredString(): string {
    const v = this.string()
    if (v === null) throw new GroupRecordError('null where a string is required')
    return v
  }
  bytes(): Buffer {
    const len = this.int32()
    if (len < 0) throw new GroupRecordError('negative bytes length')
    this.need(len); const v = Buffer.from(this.buf.subarray(this.pos, this.pos + len)); this.pos += len; return v
  }
  count(): number {
    const n = this.int32()
    if (n < 0 || n > this.buf.length) throw new GroupRecordError('bad array length')
    return n
  }
}

export function offsetCommitKey(groupId: string, topic: string, partition: number): Buffer {
  return new Out().int16(GroupRecordKeyType.OFFSET_COMMIT).string(groupId).string(topic).int32(partition).done()
}

export function groupMetadataKey(groupId: string): Buffer {
  return new Out().int16(GroupRecordKeyType.GROUP_METADATA).string(groupId).done()
}

export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  return new Out().int16(OFFSET_COMMIT_VALUE_VERSION).int64(v.committedOffset).int32(v.leaderEpoch)
    .string(v.metadata).int64(v.commitTimestampMs).int64(v.expireTimestampMs ?? -1).done()
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const out = new Out().int16(GROUP_METADATA_VALUE_VERSION).string(v.protocolType).int32(v.generationId)
    .string(v.protocolName).string(v.leader).int64(v.currentStateTimestampMs ?? -1).int32(v.members.length)
  for (const m of v.members) {
    out.string(m.memberId).string(m.groupInstanceId).string(m.clientId).string(m.clientHost)
      .int32(m.rebalanceTimeoutMs).int32(m.sessionTimeoutMs).int32(m.protocols.length)
    for (const p of m.protocols) out.string(p.name).bytes(p.metadata)
    out.bytes(m.assignment)
  }
  return out.done()
}

export function offsetCommitRecord(groupId: string, topic: string, partition: number, value: OffsetCommitValue | null): GroupLogRecord {
  return { key: offsetCommitKey(groupId, topic, partition), value: value === null ? null : encodeOffsetCommitValue(value) }
}

export function groupMetadataRecord(groupId: string, value: GroupMetadataValue | null): GroupLogRecord {
  return { key: groupMetadataKey(groupId), value: value === null ? null : encodeGroupMetadataValue(value) }
}

function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new In(buf)
  const version = r.int16()
  if (version < 0) throw new GroupRecordError(`bad offset commit value version ${version}`)
  // Newer versions only append fields, so a reader of version 0 reads their prefix.
  const committedOffset = r.int64()
  const leaderEpoch = r.int32()
  const metadata = r.string()
  const commitTimestampMs = r.int64()
  const expire = r.int64()
  return { committedOffset, leaderEpoch, metadata, commitTimestampMs, expireTimestampMs: expire < 0 ? null : expire }
}

function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new In(buf)
  const version = r.int16()
  if (version < 0) throw new GroupRecordError(`bad group metadata value version ${version}`)
  const protocolType = r.string()
  const generationId = r.int32()
  const protocolName = r.string()
  const leader = r.string()
  const ts = r.int64()
  const members: GroupMemberValue[] = []
  for (let i = 0, n = r.count(); i < n; i++) {
    const memberId = r.requiredString()
    const groupInstanceId = r.string()
    const clientId = r.requiredString()
    const clientHost = r.requiredString()
    const rebalanceTimeoutMs = r.int32()
    const sessionTimeoutMs = r.int32()
    const protocols: GroupProtocol[] = []
    for (let j = 0, np = r.count(); j < np; j++) protocols.push({ name: r.requiredString(), metadata: r.bytes() })
    const assignment = r.bytes()
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, protocols, assignment })
  }
  return { protocolType, generationId, protocolName, leader, currentStateTimestampMs: ts < 0 ? null : ts, members }
}

// Decodes one record of the group log. Throws GroupRecordError on malformed input;
// returns null for a key type this version does not know (skipped on replay).
export function decodeGroupRecord(key: Buffer | null, value: Buffer | null): DecodedGroupRecord | null {
  if (key === null) throw new GroupRecordError('group record without key')
  const r = new In(key)
  const type = r.int16()
  if (type === GroupRecordKeyType.OFFSET_COMMIT) {
    const groupId = r.requiredString()
    const topic = r.requiredString()
    const partition = r.int32()
    return { type: 'offset', groupId, topic, partition, value: value === null ? null : decodeOffsetCommitValue(value) }
  }
  if (type === GroupRecordKeyType.GROUP_METADATA) {
    const groupId = r.requiredString()
    return { type: 'group', groupId, value: value === null ? null : decodeGroupMetadataValue(value) }
  }
  return null
}
