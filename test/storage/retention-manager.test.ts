// Retention on real segment files: time and size limits, the log start offset, fetches below it,
// file.delete.delay.ms (.deleted files), the background timer, config changes without reopening.
import { readdir } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { retentionSettings } from '../../src/storage/cleaner/cleaner-settings.js'
import { buildRecordBatch } from '../../src/protocol/record-batch.js'
import type { LogManager } from '../../src/storage/log-manager.js'
import type { PartitionLog } from '../../src/storage/partition-log.js'
import { cleanupTmpDirs, makeTmpDir, openManager, recordsOf } from './helpers.js'

afterAll(cleanupTmpDirs)

const T0 = Date.now()

async function fill(log: PartitionLog, batches: number, timestampMs: number, valueBytes = 200): Promise<void> {
  for (let i = 0; i < batches; i++) {
    const records = [0, 1, 2].map((j) => ({ key: Buffer.from(`k${i}-${j}`), value: Buffer.alloc(valueBytes, i % 251), timestampMs }))
    const r = await log.append(buildRecordBatch(records), { requiredAcks: -1 })
    expect(r.errorCode).toBe(ErrorCode.NONE)
  }
}

async function topicLog(logs: LogManager, name: string, configs: Record<string, string>): Promise<PartitionLog> {
  const t = await logs.createTopic({ name, numPartitions: 1, replicationFactor: 1, configs }, { validateOnly: false })
  return t.partitions[0]
}

async function open(opts: { now?: () => number; layers?: Record<string, string> } = {}): Promise<{ logs: LogManager; dir: string }> {
  const dir = await makeTmpDir()
  const logs = await openManager(dir, {}, { now: opts.now, brokerConfigLayers: { static: opts.layers ?? {} } })
  return { logs, dir }
}

describe('retention', () => {
  it('retention.ms deletes expired segments from the oldest; fetches below the new start get OFFSET_OUT_OF_RANGE', async () => {
    let clock = T0
    const { logs, dir } = await open({ now: () => clock })
    const log = await topicLog(logs, 'timed', { 'segment.bytes': '2048', 'retention.ms': '60000', 'file.delete.delay.ms': '300' })
    await fill(log, 10, clock - 120_000) // old records
    clock += 1000
    await fill(log, 6, clock) // young records
    const before = log.segments()
    expect(before.length).toBeGreaterThan(4)
    const firstYoung = before.findIndex((s) => s.maxTimestamp >= clock)

    const deleted = await logs.policies.retention.runOnce()
    expect(deleted).toBe(firstYoung)
    const after = log.segments()
    expect(after[0].baseOffset).toBe(before[firstYoung].baseOffset)
    expect(log.logStartOffset).toBe(before[firstYoung].baseOffset)

    const below = await log.read(0, { maxBytes: 1 << 20, minOneMessage: true })
    expect(below.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    expect(below.logStartOffset).toBe(log.logStartOffset)
    const at = await log.read(log.logStartOffset, { maxBytes: 1 << 20, minOneMessage: true })
    expect(at.errorCode).toBe(ErrorCode.NONE)
    expect(recordsOf(at.records)[0].offset).toBe(log.logStartOffset)

    // file.delete.delay.ms: renamed to .deleted first, unlinked later
    const pdir = `${dir}/timed-0`
    const deletedFiles = (await readdir(pdir)).filter((n) => n.endsWith('.deleted'))
    expect(deletedFiles.some((n) => n.endsWith('.log.deleted'))).toBe(true)
    expect(deletedFiles.length).toBeGreaterThanOrEqual(firstYoung)
    await sleep(600)
    expect((await readdir(pdir)).filter((n) => n.endsWith('.deleted'))).toEqual([])
    await logs.close()
  })

  it('when every segment expired, the active one is rolled and all data goes; appends continue', async () => {
    let clock = T0
    const { logs } = await open({ now: () => clock })
    const log = await topicLog(logs, 'all-old', { 'segment.bytes': '2048', 'retention.ms': '1000', 'file.delete.delay.ms': '0' })
    await fill(log, 8, clock)
    const leo = log.logEndOffset
    clock += 5000
    await logs.policies.retention.runOnce()
    expect(log.segments()).toHaveLength(1)
    expect(log.segments()[0]).toMatchObject({ baseOffset: leo, sizeBytes: 0, active: true })
    expect(log.logStartOffset).toBe(leo)
    expect((await log.read(0, { maxBytes: 1000, minOneMessage: true })).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    await fill(log, 1, clock)
    expect(log.logEndOffset).toBe(leo + 3)
    await logs.close()
  })

  it('retention.bytes keeps at least the limit, deleting whole segments from the oldest', async () => {
    const { logs } = await open()
    const log = await topicLog(logs, 'sized', { 'segment.bytes': '2048', 'retention.bytes': '5000', 'file.delete.delay.ms': '0' })
    await fill(log, 20, Date.now())
    const total = log.sizeBytes
    expect(total).toBeGreaterThan(10_000)
    await logs.policies.retention.runOnce()
    const kept = log.segments().reduce((n, s) => n + s.sizeBytes, 0)
    expect(kept).toBeGreaterThanOrEqual(5000)
    expect(kept - log.segments()[0].sizeBytes).toBeLessThan(5000)
    expect(log.logStartOffset).toBe(log.segments()[0].baseOffset)
    await logs.close()
  })

  it('compact-only topics keep everything whatever retention.ms says; compact,delete ones do not', async () => {
    let clock = T0
    const { logs } = await open({ now: () => clock })
    const compact = await topicLog(logs, 'compact-only', { 'cleanup.policy': 'compact', 'segment.bytes': '2048', 'retention.ms': '1000' })
    const both = await topicLog(logs, 'compact-delete', { 'cleanup.policy': 'compact,delete', 'segment.bytes': '2048', 'retention.ms': '1000', 'file.delete.delay.ms': '0' })
    await fill(compact, 6, clock)
    await fill(both, 6, clock)
    clock += 10_000
    await logs.policies.retention.runOnce()
    expect(compact.logStartOffset).toBe(0)
    expect(both.logStartOffset).toBe(both.logEndOffset)
    await logs.close()
  })

  it('a retention.ms change applies without reopening the log', async () => {
    let clock = T0
    const { logs } = await open({ now: () => clock })
    const log = await topicLog(logs, 'altered', { 'segment.bytes': '2048', 'file.delete.delay.ms': '0' })
    await fill(log, 8, clock)
    clock += 60_000
    await logs.policies.retention.runOnce()
    expect(log.logStartOffset).toBe(0)
    await logs.alterTopicConfigs('altered', { 'segment.bytes': '2048', 'file.delete.delay.ms': '0', 'retention.ms': '30000' })
    await logs.policies.retention.runOnce()
    expect(log.logStartOffset).toBe(log.logEndOffset)
    await logs.close()
  })

  it('a broker default (log.retention.minutes via the dynamic layer) reaches topics without overrides', async () => {
    let clock = T0
    const { logs } = await open({ now: () => clock })
    const log = await topicLog(logs, 'broker-default', { 'segment.bytes': '2048', 'file.delete.delay.ms': '0' })
    await fill(log, 6, clock)
    clock += 5 * 60_000
    await logs.policies.retention.runOnce()
    expect(log.logStartOffset).toBe(0)
    logs.setBrokerConfigLayers({ dynamicDefault: { 'log.retention.ms': '60000' } })
    expect(logs.logConfig('broker-default')?.retentionMs).toBe(60000)
    await logs.policies.retention.runOnce()
    expect(log.logStartOffset).toBe(log.logEndOffset)
    await logs.close()
  })

  it('Kafka-named broker defaults (static layer) reach topics: log.cleanup.policy, log.retention.hours, log.cleaner.*', async () => {
    const { logs } = await open({ layers: { 'log.cleanup.policy': 'compact,delete', 'log.retention.hours': '2', 'log.cleaner.delete.retention.ms': '1234', 'log.segment.delete.delay.ms': '5' } })
    await topicLog(logs, 'defaults', {})
    expect(logs.logConfig('defaults')).toMatchObject({ compact: true, delete: true, retentionMs: 7_200_000, deleteRetentionMs: 1234, fileDeleteDelayMs: 5 })
    await topicLog(logs, 'overridden', { 'cleanup.policy': 'delete', 'retention.ms': '10' })
    expect(logs.logConfig('overridden')).toMatchObject({ compact: false, delete: true, retentionMs: 10 })
    await logs.close()
  })

  it('DeleteRecords (setLogStartOffset) drops whole segments below the new start after the delay', async () => {
    const { logs, dir } = await open()
    const log = await topicLog(logs, 'delrec', { 'segment.bytes': '2048', 'file.delete.delay.ms': '200' })
    await fill(log, 10, Date.now())
    const segs = log.segments()
    const target = segs[3].baseOffset + 1
    await log.setLogStartOffset(target)
    expect(log.logStartOffset).toBe(target)
    expect(log.segments()[0].baseOffset).toBe(segs[3].baseOffset)
    expect((await log.read(target - 1, { maxBytes: 100, minOneMessage: true })).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    expect((await readdir(`${dir}/delrec-0`)).filter((n) => n.endsWith('.log.deleted'))).toHaveLength(3)
    await sleep(500)
    expect((await readdir(`${dir}/delrec-0`)).filter((n) => n.endsWith('.deleted'))).toEqual([])
    await logs.close()
  })

  it('runs in the background every log.retention.check.interval.ms, and leftover .deleted files go at the next open', async () => {
    const dir = await makeTmpDir()
    let logs = await openManager(dir, {}, { brokerConfigLayers: { static: { 'log.retention.check.interval.ms': '50' } } })
    const log = await topicLog(logs, 'background', { 'segment.bytes': '2048', 'retention.ms': '100', 'file.delete.delay.ms': '600000' })
    await fill(log, 6, Date.now() - 10_000)
    const deadline = Date.now() + 5000
    while ((log.logStartOffset === 0 || logs.policies.retention.totals.segmentsDeleted === 0) && Date.now() < deadline) await sleep(20)
    expect(log.logStartOffset).toBe(log.logEndOffset)
    expect(logs.policies.retention.totals.segmentsDeleted).toBeGreaterThan(0)
    expect((await readdir(`${dir}/background-0`)).some((n) => n.endsWith('.deleted'))).toBe(true)
    await logs.close()
    logs = await openManager(dir)
    expect((await readdir(`${dir}/background-0`)).some((n) => n.endsWith('.deleted'))).toBe(false)
    expect(logs.getTopic('background')!.partitions[0].logStartOffset).toBe(log.logEndOffset)
    await logs.close()
  })

  it('keeps Kafka\'s 5-minute default check interval; the broker config overrides it', () => {
    expect(retentionSettings({}).checkIntervalMs).toBe(300_000)
    expect(retentionSettings({ 'log.retention.check.interval.ms': '250' }).checkIntervalMs).toBe(250)
  })
})
