import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { batch, batchBaseOffsets, cleanupTmpDirs, makeTmpDir, openManager, recordsOf } from './helpers.js'

afterAll(cleanupTmpDirs)

describe.each([
  ['disk', true],
  ['memory', false],
])('PartitionLog append/read (%s)', (_name, onDisk) => {
  async function setup() {
    const dir = onDisk ? await makeTmpDir() : null
    const logs = await openManager(dir)
    const topic = await logs.createTopic({ name: 't', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    return { logs, log: topic.partitions[0] }
  }

  it('assigns consecutive offsets and reads back every record', async () => {
    const { logs, log } = await setup()
    const r1 = await log.append(batch(3, { prefix: 'a' }), { requiredAcks: -1, produceVersion: 9 })
    const r2 = await log.append(batch(2, { prefix: 'b' }), { requiredAcks: 1, produceVersion: 9 })
    expect(r1).toMatchObject({ errorCode: 0, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0 })
    expect(r2.baseOffset).toBe(3)
    expect(log.highWatermark).toBe(5)
    expect(log.logEndOffset).toBe(5)
    const read = await log.read(0, { maxBytes: 1 << 20, minOneMessage: true })
    expect(read.errorCode).toBe(0)
    expect(read.highWatermark).toBe(5)
    expect(recordsOf(read.records).map((r) => r.value)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1'])
    expect(recordsOf(read.records).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4])
    await logs.close()
  })

  it('returns the batch containing the fetch offset (may start before it)', async () => {
    const { logs, log } = await setup()
    for (let i = 0; i < 10; i++) await log.append(batch(10), { requiredAcks: -1, produceVersion: 9 })
    const read = await log.read(55, { maxBytes: 1 << 20, minOneMessage: true })
    expect(batchBaseOffsets(read.records)[0]).toBe(50)
    expect(recordsOf(read.records, 55)[0].offset).toBe(55)
    expect(recordsOf(read.records).at(-1)!.offset).toBe(99)
    await logs.close()
  })

  it('limits to whole batches within maxBytes, and returns the first batch whole only with minOneMessage', async () => {
    const { logs, log } = await setup()
    const b = batch(5, { valueBytes: 100 })
    const size = b.length
    for (let i = 0; i < 10; i++) await log.append(batch(5, { valueBytes: 100 }), { requiredAcks: -1, produceVersion: 9 })
    const r = await log.read(0, { maxBytes: size * 3 + 10, minOneMessage: false })
    expect(r.records!.length).toBe(size * 3)
    expect(batchBaseOffsets(r.records)).toEqual([0, 5, 10])
    const small = await log.read(0, { maxBytes: 10, minOneMessage: true })
    expect(small.records!.length).toBe(size)
    const none = await log.read(0, { maxBytes: 10, minOneMessage: false })
    expect(none.errorCode).toBe(0)
    expect(none.records!.length).toBe(0)
    await logs.close()
  })

  it('answers OFFSET_OUT_OF_RANGE beyond the log end and an empty read at the high watermark', async () => {
    const { logs, log } = await setup()
    await log.append(batch(2), { requiredAcks: -1, produceVersion: 9 })
    const atEnd = await log.read(2, { maxBytes: 1000, minOneMessage: true })
    expect(atEnd).toMatchObject({ errorCode: 0, highWatermark: 2, lastStableOffset: 2, logStartOffset: 0 })
    expect(atEnd.records!.length).toBe(0)
    const beyond = await log.read(3, { maxBytes: 1000, minOneMessage: true })
    expect(beyond.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    expect(beyond.records).toBeNull()
    expect((await log.read(-1, { maxBytes: 1000, minOneMessage: true })).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    await logs.close()
  })

  it('serializes concurrent appends: offsets follow call order, one round for many appends', async () => {
    const { logs, log } = await setup()
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(batch(2, { prefix: `p${i}` }), { requiredAcks: -1, produceVersion: 9 })))
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2))
    const read = await log.read(0, { maxBytes: 1 << 20, minOneMessage: true })
    expect(recordsOf(read.records).length).toBe(100)
    expect(recordsOf(read.records)[2].value).toBe('p1-0')
    await logs.close()
  })

  it('fires onAppend listeners when the high watermark advances, and stops after unsubscribe', async () => {
    const { logs, log } = await setup()
    let calls = 0
    const off = log.onAppend(() => {
      calls++
      expect(log.highWatermark).toBeGreaterThan(0)
    })
    await log.append(batch(1), { requiredAcks: -1, produceVersion: 9 })
    expect(calls).toBe(1)
    off()
    await log.append(batch(1), { requiredAcks: -1, produceVersion: 9 })
    expect(calls).toBe(1)
    await logs.close()
  })

  it('survives a clean restart with the same contents', async () => {
    const dir = onDisk ? await makeTmpDir() : null
    if (!dir) return expect(dir).toBeNull() // memory mode does not persist
    let logs = await openManager(dir)
    await logs.createTopic({ name: 't', numPartitions: 2, replicationFactor: 1, configs: {} }, { validateOnly: false })
    for (let i = 0; i < 5; i++) await logs.getPartition('t', 1)!.append(batch(4, { prefix: `x${i}` }), { requiredAcks: -1, produceVersion: 9 })
    await logs.close()
    logs = await openManager(dir)
    const log = logs.getPartition('t', 1)!
    expect(log.logEndOffset).toBe(20)
    expect(log.highWatermark).toBe(20)
    expect(logs.getPartition('t', 0)!.logEndOffset).toBe(0)
    const read = await log.read(0, { maxBytes: 1 << 20, minOneMessage: true })
    expect(recordsOf(read.records).map((r) => r.value).slice(0, 5)).toEqual(['x0-0', 'x0-1', 'x0-2', 'x0-3', 'x1-0'])
    const next = await log.append(batch(1), { requiredAcks: -1, produceVersion: 9 })
    expect(next.baseOffset).toBe(20)
    await logs.close()
  })
})
