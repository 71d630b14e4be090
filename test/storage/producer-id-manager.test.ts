import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { batch, cleanupTmpDirs, makeTmpDir, openManager } from './helpers.js'

afterAll(cleanupTmpDirs)

describe('ProducerIdManager', () => {
  it('hands out increasing ids and never reuses one after a restart', async () => {
    const dir = await makeTmpDir()
    let logs = await openManager(dir)
    const first = Array.from({ length: 1500 }, () => logs.producerIds.nextProducerId())
    for (let i = 1; i < first.length; i++) expect(first[i]).toBe(first[i - 1] + 1)
    await logs.close()
    const stored = JSON.parse(await readFile(join(dir, 'brook-producer-ids.json'), 'utf8'))
    expect(stored.version).toBe(1)
    expect(stored.nextBlockStart).toBeGreaterThan(first.at(-1)!)
    logs = await openManager(dir)
    expect(logs.producerIds.nextProducerId()).toBeGreaterThan(first.at(-1)!)
    await logs.close()
  })

  it('skips ids already present in a log', async () => {
    const dir = await makeTmpDir()
    let logs = await openManager(dir)
    const t = await logs.createTopic({ name: 'p', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    await t.partitions[0].append(batch(1, { producerId: 50_000, producerEpoch: 0, baseSequence: 0 }), { requiredAcks: -1, produceVersion: 9 })
    await logs.close()
    logs = await openManager(dir)
    expect(logs.producerIds.nextProducerId()).toBeGreaterThan(50_000)
    await logs.close()
  })

  it('works in memory mode', async () => {
    const logs = await openManager(null)
    const a = logs.producerIds.nextProducerId()
    expect(logs.producerIds.nextProducerId()).toBe(a + 1)
    await logs.close()
  })
})
