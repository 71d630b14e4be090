import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { CLEAN_SHUTDOWN_FILE } from '../../src/storage/metadata-files.js'
import { batch, cleanupTmpDirs, makeTmpDir, openManager, recordsOf } from './helpers.js'

afterAll(cleanupTmpDirs)

const v9 = { requiredAcks: -1, produceVersion: 9 }
const pid = 1000

function idem(count: number, baseSequence: number, producerEpoch = 0) {
  return batch(count, { producerId: pid, producerEpoch, baseSequence, prefix: `s${baseSequence}` })
}

async function setup(dir: string | null) {
  const logs = await openManager(dir)
  const t = logs.getTopic('i') ?? (await logs.createTopic({ name: 'i', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false }))
  return { logs, log: t.partitions[0] }
}

describe('idempotent producers', () => {
  it('answers a duplicate of one of the last 5 batches with its original offset and stores it once', async () => {
    const { logs, log } = await setup(null)
    const first = await log.append(idem(3, 0), v9)
    await log.append(idem(2, 3), v9)
    const dup = await log.append(idem(3, 0), v9)
    expect(dup.errorCode).toBe(ErrorCode.NONE)
    expect(dup.baseOffset).toBe(first.baseOffset)
    expect(log.highWatermark).toBe(5)
    const r = await log.read(0, { maxBytes: 1 << 20, minOneMessage: true })
    expect(recordsOf(r.records).length).toBe(5)
    await logs.close()
  })

  it('forgets duplicates older than 5 batches (they are out of order then)', async () => {
    const { logs, log } = await setup(null)
    for (let i = 0; i < 6; i++) await log.append(idem(1, i), v9)
    expect((await log.append(idem(1, 5), v9)).baseOffset).toBe(5)
    expect((await log.append(idem(1, 1), v9)).baseOffset).toBe(1)
    expect((await log.append(idem(1, 0), v9)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    await logs.close()
  })

  it('lists the remembered producers through activeProducers() as detached values', async () => {
    const { logs, log } = await setup(null)
    expect(log.activeProducers()).toEqual([])
    await log.append(idem(3, 0), v9)
    await log.append(idem(2, 3), v9)
    const [p] = log.activeProducers()
    expect(p).toMatchObject({ producerId: pid, producerEpoch: 0, lastSequence: 4, lastOffset: 4 })
    expect(p.lastTimestamp).toBeGreaterThan(0)
    p.lastSequence = 99
    expect(log.activeProducers()[0].lastSequence).toBe(4)
    await logs.close()
  })

  it('rejects a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    const { logs, log } = await setup(null)
    await log.append(idem(2, 0), v9)
    const gap = await log.append(idem(1, 5), v9)
    expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    expect(log.highWatermark).toBe(2)
    expect((await log.append(idem(1, 2), v9)).baseOffset).toBe(2)
    await logs.close()
  })

  it('fences an older epoch with INVALID_PRODUCER_EPOCH; a new epoch must start at sequence 0', async () => {
    const { logs, log } = await setup(null)
    await log.append(idem(1, 0, 3), v9)
    expect((await log.append(idem(1, 1, 2), v9)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect((await log.append(idem(1, 7, 4), v9)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    expect((await log.append(idem(1, 0, 4), v9)).errorCode).toBe(ErrorCode.NONE)
    expect((await log.append(idem(1, 1, 3), v9)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    await logs.close()
  })

  it('accepts any first sequence from an unknown producer (Kafka 2.5+, KIP-360)', async () => {
    const { logs, log } = await setup(null)
    expect((await log.append(idem(1, 42), v9)).errorCode).toBe(ErrorCode.NONE)
    expect((await log.append(idem(1, 43), v9)).errorCode).toBe(ErrorCode.NONE)
    await logs.close()
  })

  it('resolves pipelined duplicates after the original is acknowledged', async () => {
    const { logs, log } = await setup(null)
    const [a, b] = await Promise.all([log.append(idem(2, 0), v9), log.append(idem(2, 0), v9)])
    expect(a.baseOffset).toBe(0)
    expect(b.baseOffset).toBe(0)
    expect(log.highWatermark).toBe(2)
    await logs.close()
  })

  for (const clean of [true, false]) {
    it(`rebuilds producer state after a ${clean ? 'clean' : 'crashed'} restart`, async () => {
      const dir = await makeTmpDir()
      {
        const { logs, log } = await setup(dir)
        for (let i = 0; i < 4; i++) await log.append(idem(2, i * 2), v9)
        await logs.close()
      }
      if (!clean) {
        await unlink(join(dir, CLEAN_SHUTDOWN_FILE))
        // the snapshot written at close must not be needed
        const { readdir } = await import('node:fs/promises')
        for (const f of await readdir(join(dir, 'i-0'))) if (f.endsWith('.brook-producers')) await unlink(join(dir, 'i-0', f))
      }
      const { logs, log } = await setup(dir)
      expect((await log.append(idem(2, 4), v9)).baseOffset).toBe(4) // duplicate
      expect((await log.append(idem(1, 9), v9)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
      expect((await log.append(idem(1, 8, 0), v9)).baseOffset).toBe(8)
      expect((await log.append(idem(1, 0) /* stale, not one of the last 5 */, v9)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
      await logs.close()
    })
  }

  it('rebuilds state from a roll-time snapshot plus the batches after it', async () => {
    const dir = await makeTmpDir()
    {
      const logs = await openManager(dir)
      const t = await logs.createTopic({ name: 'i', numPartitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '400' } }, { validateOnly: false })
      for (let i = 0; i < 20; i++) await t.partitions[0].append(idem(1, i), v9)
      expect(t.partitions[0].segments().length).toBeGreaterThan(2)
      await logs.close()
    }
    await unlink(join(dir, CLEAN_SHUTDOWN_FILE))
    const { logs, log } = await setup(dir)
    expect((await log.append(idem(1, 19), v9)).baseOffset).toBe(19)
    expect((await log.append(idem(1, 20), v9)).baseOffset).toBe(20)
    await logs.close()
  })
})
