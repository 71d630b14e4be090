import { describe, expect, it } from 'vitest'
import { GroupCoordinator } from '../../src/coordinator/group-coordinator.js'
import { GroupLogAppendError } from '../../src/coordinator/group-log.js'
import { GROUP_LOG_TOPIC, LogBackedGroupLog, type GroupLogPartition, type GroupLogTopics } from '../../src/coordinator/log-backed-group-log.js'
import { ManualTimer } from '../../src/coordinator/timer.js'
import { ErrorCode } from '../../src/protocol/errors.js'
import { readBatchHeader, setBaseOffset } from '../../src/protocol/record-batch.js'

// A minimal partition with PartitionLog's contract: offsets assigned in append order,
// whole batches returned from the one containing the fetch offset.
class MemoryPartition implements GroupLogPartition {
  batches: Buffer[] = []
  logStartOffset = 0
  highWatermark = 0
  failWith: number | null = null
  async append(records: Buffer): Promise<{ errorCode: number; errorMessage: string | null }> {
    if (this.failWith !== null) return { errorCode: this.failWith, errorMessage: 'injected' }
    const copy = Buffer.from(records)
    setBaseOffset(copy, 0, this.highWatermark)
    this.highWatermark += readBatchHeader(copy, 0).lastOffsetDelta + 1
    this.batches.push(copy)
    return { errorCode: 0, errorMessage: null }
  }
  async read(fetchOffset: number, opts: { maxBytes: number }): Promise<{ errorCode: number; records: Buffer | null; highWatermark: number }> {
    const out: Buffer[] = []
    let bytes = 0
    for (const b of this.batches) {
      const h = readBatchHeader(b, 0)
      if (h.baseOffset + h.lastOffsetDelta < fetchOffset) continue
      if (out.length > 0 && bytes + b.length > opts.maxBytes) break
      out.push(b); bytes += b.length
    }
    return { errorCode: 0, records: Buffer.concat(out), highWatermark: this.highWatermark }
  }
}

class MemoryTopics implements GroupLogTopics {
  topics = new Map<string, { partitions: MemoryPartition[]; configs: Record<string, string> }>()
  getTopic(name: string) { return this.topics.get(name) }
  async createTopic(req: { name: string; numPartitions: number; configs: Record<string, string> }) {
    const t = { partitions: Array.from({ length: req.numPartitions }, () => new MemoryPartition()), configs: req.configs }
    this.topics.set(req.name, t)
    return t
  }
}

async function coordinatorOn(topics: GroupLogTopics, timer: ManualTimer): Promise<GroupCoordinator> {
  const coordinator = new GroupCoordinator({ log: await LogBackedGroupLog.open(topics, { now: () => timer.now() }), timer })
  await coordinator.start()
  return coordinator
}

describe('LogBackedGroupLog', () => {
  it('creates the compacted internal topic and replays commits into a new coordinator', async () => {
    const topics = new MemoryTopics()
    const timer = new ManualTimer(5000)
    const first = await coordinatorOn(topics, timer)
    expect(topics.getTopic(GROUP_LOG_TOPIC)?.configs).toEqual({ 'cleanup.policy': 'compact' })
    for (let i = 0; i < 50; i++) {
      const res = await first.commitOffsets({
        groupId: `g${i % 5}`, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, reportGroupIdNotFound: true,
        topics: [{ name: 't', partitions: [{ partitionIndex: i % 3, committedOffset: i, committedLeaderEpoch: 0, committedMetadata: `m${i}` }] }],
      })
      expect(res.topics[0].partitions[0].errorCode).toBe(0)
    }
    await first.deleteGroups(['g4'])
    await first.close()
    const partition = topics.getTopic(GROUP_LOG_TOPIC)!.partitions[0]
    expect(partition.highWatermark).toBeGreaterThan(50)

    const second = await coordinatorOn(topics, timer)
    const fetched = await second.fetchOffsets([{ groupId: 'g0', topics: null }, { groupId: 'g4', topics: null }])
    // g0 got commits 0,5,...,45 on partitions i%3: the last per partition wins.
    expect(fetched[0].topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata]).sort())
      .toEqual([[0, 45, 'm45'], [1, 40, 'm40'], [2, 35, 'm35']].sort())
    expect(fetched[1].topics).toEqual([])
    expect((await second.listGroups()).groups.map((g) => g.groupId).sort()).toEqual(['g0', 'g1', 'g2', 'g3'])
  })

  it('replays in several reads when the log is larger than one read', async () => {
    const topics = new MemoryTopics()
    const log = await LogBackedGroupLog.open(topics)
    const value = Buffer.alloc(300 * 1024, 1)
    for (let i = 0; i < 8; i++) await log.append([{ key: Buffer.from(`k${i}`), value }])
    const seen: string[] = []
    await (await LogBackedGroupLog.open(topics)).replay((r) => seen.push(r.key.toString()))
    expect(seen).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'])
  })

  it('turns append errors into GroupLogAppendError and coordinator error codes', async () => {
    const topics = new MemoryTopics()
    const timer = new ManualTimer()
    const coordinator = await coordinatorOn(topics, timer)
    topics.getTopic(GROUP_LOG_TOPIC)!.partitions[0].failWith = ErrorCode.KAFKA_STORAGE_ERROR
    const res = await coordinator.commitOffsets({
      groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, reportGroupIdNotFound: true,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: 0, committedMetadata: null }] }],
    })
    expect(res.topics[0].partitions[0].errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    const log = await LogBackedGroupLog.open(topics)
    await expect(log.append([{ key: Buffer.from('k'), value: null }])).rejects.toBeInstanceOf(GroupLogAppendError)
  })
})

describe('LogBackedGroupLog on the real LogManager', () => {
  it('persists commits and group metadata in segment files and replays them after reopening', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { LogManager } = await import('../../src/storage/log-manager.js')
    const { defaultBrokerConfig } = await import('../../src/config/broker-config.js')
    const { silentLogger } = await import('../../src/logger.js')
    const dataDir = mkdtempSync(join(tmpdir(), 'brook-groups-'))
    const config = { ...defaultBrokerConfig(), dataDir }
    try {
      const timer = new ManualTimer(Date.now())
      const logs = await LogManager.open({ dataDir, config, logger: silentLogger() })
      const typed: GroupLogTopics = logs // LogManager satisfies the structural port
      const first = await coordinatorOn(typed, timer)
      expect(logs.getTopic(GROUP_LOG_TOPIC)).toMatchObject({ isInternal: true, configs: { 'cleanup.policy': 'compact' } })
      const join1 = first.joinGroup({ groupId: 'g', memberId: '', groupInstanceId: null, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000,
        protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('sub') }], reason: null, clientId: 'c', clientHost: '/h',
        requireKnownMemberId: false, supportsSkipAssignment: false })
      timer.advance(0)
      const joined = await join1
      await first.syncGroup({ groupId: 'g', generationId: 1, memberId: joined.memberId, groupInstanceId: null, protocolType: null, protocolName: null,
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from('assigned') }] })
      await first.commitOffsets({ groupId: 'g', generationId: 1, memberId: joined.memberId, groupInstanceId: null, retentionTimeMs: -1, reportGroupIdNotFound: true,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 77, committedLeaderEpoch: 0, committedMetadata: 'x' }] }] })
      await first.close()
      await logs.close()

      const reopened = await LogManager.open({ dataDir, config, logger: silentLogger() })
      const second = await coordinatorOn(reopened, new ManualTimer(Date.now()))
      const [fetched] = await second.fetchOffsets([{ groupId: 'g', topics: null }])
      expect(fetched.topics[0].partitions[0]).toMatchObject({ committedOffset: 77, metadata: 'x' })
      const [described] = await second.describeGroups(['g'])
      expect(described).toMatchObject({ groupState: 'Stable', protocolData: 'range' })
      expect(described.members[0].memberAssignment.toString()).toBe('assigned')
      await second.close()
      await reopened.close()
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
