import { afterAll, describe, expect, it } from 'vitest'
import { buildRecordBatch } from '../../src/protocol/record-batch.js'
import { cleanupTmpDirs, makeTmpDir, openManager } from './helpers.js'

afterAll(cleanupTmpDirs)

const v9 = { requiredAcks: -1, produceVersion: 9 }

function batchAt(timestamps: number[]): Buffer {
  return buildRecordBatch(timestamps.map((t) => ({ key: null, value: Buffer.from(String(t)), timestampMs: t })))
}

describe('timestamp lookups', () => {
  it('finds the first record at or after a timestamp, across segments and after restart', async () => {
    const dir = await makeTmpDir()
    let logs = await openManager(dir)
    const t = await logs.createTopic({ name: 'ts', numPartitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '500', 'index.interval.bytes': '100' } }, { validateOnly: false })
    const base = Date.now() - 1_000_000
    // batch i holds records at base + 100*i + {0, 10, 20}
    for (let i = 0; i < 30; i++) await t.partitions[0].append(batchAt([0, 10, 20].map((d) => base + 100 * i + d)), v9)
    expect(t.partitions[0].segments().length).toBeGreaterThan(3)
    const check = async (log: typeof t.partitions[0]) => {
      expect(await log.offsetForTimestamp(base - 5)).toEqual({ offset: 0, timestamp: base })
      expect(await log.offsetForTimestamp(base + 1205)).toEqual({ offset: 37, timestamp: base + 1210 })
      expect(await log.offsetForTimestamp(base + 1220)).toEqual({ offset: 38, timestamp: base + 1220 })
      expect(await log.offsetForTimestamp(base + 1221)).toEqual({ offset: 39, timestamp: base + 1300 })
      expect(await log.offsetForTimestamp(base + 2921)).toBeNull()
      expect(await log.maxTimestamp()).toEqual({ offset: 89, timestamp: base + 2920 })
    }
    await check(t.partitions[0])
    await logs.close()
    logs = await openManager(dir)
    await check(logs.getPartition('ts', 0)!)
    await logs.close()
  })

  it('reports the offset of the max timestamp when it is not the last record', async () => {
    const logs = await openManager(null)
    const t = await logs.createTopic({ name: 'mx', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    const now = Date.now()
    await t.partitions[0].append(batchAt([now - 50, now - 10, now - 40]), v9)
    await t.partitions[0].append(batchAt([now - 30, now - 20]), v9)
    expect(await t.partitions[0].maxTimestamp()).toEqual({ offset: 1, timestamp: now - 10 })
    expect(await t.partitions[0].offsetForTimestamp(now - 35)).toEqual({ offset: 1, timestamp: now - 10 })
    await logs.close()
  })

  it('answers null on an empty log', async () => {
    const logs = await openManager(null)
    const t = await logs.createTopic({ name: 'empty', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    expect(await t.partitions[0].maxTimestamp()).toBeNull()
    expect(await t.partitions[0].offsetForTimestamp(0)).toBeNull()
    await logs.close()
  })

  it('does not return offsets below the log start offset', async () => {
    const logs = await openManager(null)
    const t = await logs.createTopic({ name: 'lso', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    const now = Date.now()
    await t.partitions[0].append(batchAt([now - 50, now - 40, now - 30]), v9)
    await t.partitions[0].setLogStartOffset(2)
    expect(await t.partitions[0].offsetForTimestamp(0)).toEqual({ offset: 2, timestamp: now - 30 })
    await logs.close()
  })
})

describe('timestamp lookups in compressed batches', () => {
  it('finds the exact record inside a gzip batch', async () => {
    const logs = await openManager(null)
    const t = await logs.createTopic({ name: 'gzts', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    const { buildBatchSync } = await import('../../src/records/index.js')
    const now = Date.now()
    const records = [0, 10, 20, 30].map((d, i) => ({ offsetDelta: i, timestampMs: now - 100 + d, key: null, value: Buffer.from(`r${i}`) }))
    const gz = buildBatchSync(records, { baseOffset: 0, compression: 1 })
    expect(gz.readInt16BE(21) & 7).toBe(1)
    expect((await t.partitions[0].append(gz, v9)).errorCode).toBe(0)
    expect(await t.partitions[0].offsetForTimestamp(now - 85)).toEqual({ offset: 2, timestamp: now - 80 })
    expect(await t.partitions[0].maxTimestamp()).toEqual({ offset: 3, timestamp: now - 70 })
    await logs.close()
  })
})
