import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js'
import type { LogManager } from '../../src/storage/log-manager.js'
import { kafkaBase64ToUuid, uuidToKafkaBase64 } from '../../src/storage/metadata-files.js'
import { batch, cleanupTmpDirs, makeTmpDir, openManager } from './helpers.js'

afterAll(cleanupTmpDirs)

const create = (logs: LogManager, name: string, numPartitions = 1, configs: Record<string, string> = {}, replicationFactor = 1) =>
  logs.createTopic({ name, numPartitions, replicationFactor, configs }, { validateOnly: false })

async function errorCodeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p
  } catch (err) {
    if (err instanceof KafkaError) return err.errorCode
    throw err
  }
  return ErrorCode.NONE
}

describe('LogManager topics', () => {
  it('creates topics with Kafka-compatible partition directories and metadata files', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir)
    const t = await create(logs, 'orders.v1', 3)
    expect(t.partitions.length).toBe(3)
    expect(t.numPartitions).toBe(3)
    expect(t.topicId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(t.isInternal).toBe(false)
    expect(logs.getTopicById(t.topicId)).toBe(t)
    expect(logs.getPartition('orders.v1', 2)).toBe(t.partitions[2])
    expect(logs.getPartition('orders.v1', 3)).toBeUndefined()
    const meta = await readFile(join(dir, 'orders.v1-2', 'partition.metadata'), 'utf8')
    expect(meta).toBe(`version: 0\ntopic_id: ${uuidToKafkaBase64(t.topicId)}\n`)
    expect(uuidToKafkaBase64(t.topicId)).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(kafkaBase64ToUuid(uuidToKafkaBase64(t.topicId))).toBe(t.topicId)
    const props = await readFile(join(dir, 'meta.properties'), 'utf8')
    expect(props).toContain('cluster.id=test-cluster\n')
    expect(props).toContain('node.id=1\n')
    expect(props).toContain('version=1\n')
    await logs.close()
    expect((await stat(join(dir, '.kafka_cleanshutdown'))).isFile()).toBe(true)
    expect(await readFile(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toMatch(/^0\n3\n/)
  })

  it('persists topics, ids and config overrides across restarts', async () => {
    const dir = await makeTmpDir()
    let logs = await openManager(dir)
    const t = await create(logs, 'keep', 2, { 'retention.ms': '1000', 'message.format.version': '3.0' })
    await t.partitions[1].append(batch(3), { requiredAcks: -1, produceVersion: 9 })
    await logs.close()
    logs = await openManager(dir)
    const again = logs.getTopic('keep')!
    expect(again.topicId).toBe(t.topicId)
    expect(again.configs).toEqual({ 'retention.ms': '1000' }) // Kafka-4-removed configs are dropped
    expect(again.partitions[1].logEndOffset).toBe(3)
    expect(logs.logConfig('keep')!.retentionMs).toBe(1000)
    const stored = JSON.parse(await readFile(join(dir, 'brook-topics.json'), 'utf8'))
    expect(stored.version).toBe(1)
    expect(stored.topics[0]).toMatchObject({ name: 'keep', topicId: t.topicId, numPartitions: 2 })
    await logs.close()
  })

  it('rejects invalid names, duplicates, collisions, partitions, replication factors and configs as Kafka does', async () => {
    const logs = await openManager(null)
    await create(logs, 'a.b')
    expect(await errorCodeOf(create(logs, 'a.b'))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS)
    expect(await errorCodeOf(create(logs, 'a_b'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
    for (const bad of ['', '.', '..', 'a b', 'x/y', 'é', 'x'.repeat(250)]) {
      expect(await errorCodeOf(create(logs, bad))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
    }
    expect(await errorCodeOf(create(logs, 'x'.repeat(249)))).toBe(ErrorCode.NONE)
    expect(await errorCodeOf(create(logs, 'p0', 0))).toBe(ErrorCode.INVALID_PARTITIONS)
    expect(await errorCodeOf(create(logs, 'p2', -2))).toBe(ErrorCode.INVALID_PARTITIONS)
    expect(await errorCodeOf(create(logs, 'r3', 1, {}, 3))).toBe(ErrorCode.INVALID_REPLICATION_FACTOR)
    expect(await errorCodeOf(create(logs, 'r0', 1, {}, 0))).toBe(ErrorCode.INVALID_REPLICATION_FACTOR)
    expect(await errorCodeOf(create(logs, 'c1', 1, { 'no.such.config': '1' }))).toBe(ErrorCode.INVALID_CONFIG)
    expect(await errorCodeOf(create(logs, 'c2', 1, { 'segment.bytes': 'lots' }))).toBe(ErrorCode.INVALID_CONFIG)
    expect(logs.listTopics().map((t) => t.name).sort()).toEqual(['a.b', 'x'.repeat(249)])
    await logs.close()
  })

  it('uses the broker defaults for -1 partitions and replication factor', async () => {
    const logs = await openManager(null, { numPartitions: 4 })
    const t = await create(logs, 'defaults', -1, {}, -1)
    expect(t.partitions.length).toBe(4)
    expect(t.replicationFactor).toBe(1)
    await logs.close()
  })

  it('validateOnly checks without creating', async () => {
    const logs = await openManager(null)
    const t = await logs.createTopic({ name: 'dry', numPartitions: 5, replicationFactor: 1, configs: {} }, { validateOnly: true })
    expect(t.numPartitions).toBe(5)
    expect(logs.getTopic('dry')).toBeUndefined()
    await logs.close()
  })

  it('flags internal topics', async () => {
    const logs = await openManager(null)
    expect((await create(logs, '__consumer_offsets', 2)).isInternal).toBe(true)
    await logs.close()
  })

  it('deletes topics and their files; the name can be reused with a new id', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir)
    const t = await create(logs, 'gone', 2)
    const log = t.partitions[0]
    await log.append(batch(2), { requiredAcks: -1, produceVersion: 9 })
    await logs.deleteTopic('gone')
    expect(logs.getTopic('gone')).toBeUndefined()
    expect(logs.getTopicById(t.topicId)).toBeUndefined()
    expect((await readdir(dir)).filter((f) => f.startsWith('gone'))).toEqual([])
    expect((await log.append(batch(1), { requiredAcks: -1, produceVersion: 9 })).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect(await errorCodeOf(logs.deleteTopic('gone'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const again = await create(logs, 'gone', 1)
    expect(again.topicId).not.toBe(t.topicId)
    expect(again.partitions[0].logEndOffset).toBe(0)
    await logs.close()
    const reopened = await openManager(dir)
    expect(reopened.getTopic('gone')!.topicId).toBe(again.topicId)
    await reopened.close()
  })

  it('adds partitions', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir)
    const t = await create(logs, 'grow', 1)
    expect(await errorCodeOf(logs.createPartitions('grow', 1, { validateOnly: false }))).toBe(ErrorCode.INVALID_PARTITIONS)
    expect(await errorCodeOf(logs.createPartitions('grow', 0, { validateOnly: false }))).toBe(ErrorCode.INVALID_PARTITIONS)
    expect(await errorCodeOf(logs.createPartitions('nope', 3, { validateOnly: false }))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    await logs.createPartitions('grow', 3, { validateOnly: true })
    expect(t.partitions.length).toBe(1)
    await logs.createPartitions('grow', 3, { validateOnly: false })
    expect(t.partitions.length).toBe(3)
    expect(t.partitions[2].partitionIndex).toBe(2)
    await logs.close()
    const reopened = await openManager(dir)
    expect(reopened.getTopic('grow')!.partitions.length).toBe(3)
    await reopened.close()
  })

  it('alters config overrides and applies them to the logs', async () => {
    const logs = await openManager(null)
    const t = await create(logs, 'alter', 1)
    await logs.alterTopicConfigs('alter', { 'max.message.bytes': '100' })
    expect(t.configs).toEqual({ 'max.message.bytes': '100' })
    expect((await t.partitions[0].append(batch(5, { valueBytes: 50 }), { requiredAcks: -1, produceVersion: 9 })).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE)
    await logs.close()
  })

  it('serializes concurrent creates of the same name', async () => {
    const logs = await openManager(null)
    const codes = await Promise.all([errorCodeOf(create(logs, 'race')), errorCodeOf(create(logs, 'race'))])
    expect(codes.sort()).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_ALREADY_EXISTS].sort())
    await logs.close()
  })

  it('keeps the cluster id in meta.properties and refuses a different configured one', async () => {
    const dir = await makeTmpDir()
    const first = await openManager(dir, { clusterId: null })
    const id = first.clusterId
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    await first.close()
    const second = await openManager(dir, { clusterId: null })
    expect(second.clusterId).toBe(id)
    await second.close()
    await expect(openManager(dir, { clusterId: 'other' })).rejects.toThrow(/cluster id/)
    await expect(openManager(dir, { clusterId: null, nodeId: 7 })).rejects.toThrow(/node id/)
  })
})
