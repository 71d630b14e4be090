import { afterAll, describe, expect, it } from 'vitest'
import type { FileHandle } from '../../src/storage/fs/file-system.js'
import { batch, cleanupTmpDirs, CountingFileSystem, makeTmpDir, openManager } from './helpers.js'

afterAll(cleanupTmpDirs)

const v9 = { requiredAcks: -1, produceVersion: 9 }

/** Counts fsyncs and can hold them until released. */
class GatedFileSystem extends CountingFileSystem {
  private gate: Promise<void> | null = null
  private release: (() => void) | null = null

  hold(): void {
    this.gate = new Promise((r) => (this.release = r))
  }

  releaseAll(): void {
    this.release?.()
    this.gate = null
  }

  override async open(path: string, mode: 'read' | 'readwrite' | 'create'): Promise<FileHandle> {
    const h = await super.open(path, mode)
    return {
      ...h,
      datasync: async () => {
        if (this.gate) await this.gate
        await h.datasync()
      },
    }
  }
}

describe('fsync mode', () => {
  it('group-commits: many concurrent appends share a few fsyncs', async () => {
    const fs = new CountingFileSystem()
    const logs = await openManager(await makeTmpDir(), { fsync: true }, { fileSystem: fs })
    const t = await logs.createTopic({ name: 'g', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    const log = t.partitions[0]
    fs.datasyncs = 0
    const results = await Promise.all(Array.from({ length: 200 }, () => log.append(batch(5), v9)))
    expect(results.every((r) => r.errorCode === 0)).toBe(true)
    expect(log.highWatermark).toBe(1000)
    expect(fs.datasyncs).toBeGreaterThan(0)
    expect(fs.datasyncs).toBeLessThanOrEqual(3)
    await logs.close()
  })

  it('acknowledges and advances the high watermark only after the fsync', async () => {
    const fs = new GatedFileSystem()
    const logs = await openManager(await makeTmpDir(), { fsync: true }, { fileSystem: fs })
    const t = await logs.createTopic({ name: 'g', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    const log = t.partitions[0]
    fs.hold()
    let acked = false
    const p = log.append(batch(3), v9).then((r) => {
      acked = true
      return r
    })
    await new Promise((r) => setTimeout(r, 50))
    expect(acked).toBe(false)
    expect(log.highWatermark).toBe(0)
    expect(log.logEndOffset).toBe(3)
    expect((await log.read(0, { maxBytes: 10000, minOneMessage: true })).records!.length).toBe(0)
    fs.releaseAll()
    expect((await p).baseOffset).toBe(0)
    expect(log.highWatermark).toBe(3)
    await logs.close()
  })

  it('does not fsync per append by default (acknowledged = reached the OS)', async () => {
    const fs = new CountingFileSystem()
    const logs = await openManager(await makeTmpDir(), {}, { fileSystem: fs })
    const t = await logs.createTopic({ name: 'd', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    fs.datasyncs = 0
    for (let i = 0; i < 20; i++) await t.partitions[0].append(batch(2), v9)
    expect(fs.datasyncs).toBe(0)
    await logs.close()
  })

  it('honours flush.messages=1 per topic', async () => {
    const fs = new CountingFileSystem()
    const logs = await openManager(await makeTmpDir(), {}, { fileSystem: fs })
    const t = await logs.createTopic({ name: 'f', numPartitions: 1, replicationFactor: 1, configs: { 'flush.messages': '1' } }, { validateOnly: false })
    fs.datasyncs = 0
    for (let i = 0; i < 5; i++) await t.partitions[0].append(batch(2), v9)
    expect(fs.datasyncs).toBe(5)
    await logs.close()
  })

  it('fsyncs every flush.messages messages', async () => {
    const fs = new CountingFileSystem()
    const logs = await openManager(await makeTmpDir(), {}, { fileSystem: fs })
    const t = await logs.createTopic({ name: 'f', numPartitions: 1, replicationFactor: 1, configs: { 'flush.messages': '10' } }, { validateOnly: false })
    fs.datasyncs = 0
    for (let i = 0; i < 10; i++) await t.partitions[0].append(batch(3), v9)
    expect(fs.datasyncs).toBe(2) // after 12 and 24 messages; 6 left unflushed
    await logs.close()
  })

  it('flushes in the background after flush.ms', async () => {
    const fs = new CountingFileSystem()
    const logs = await openManager(await makeTmpDir(), {}, { fileSystem: fs })
    const t = await logs.createTopic({ name: 'm', numPartitions: 1, replicationFactor: 1, configs: { 'flush.ms': '50' } }, { validateOnly: false })
    fs.datasyncs = 0
    await t.partitions[0].append(batch(2), v9)
    expect(fs.datasyncs).toBe(0)
    await new Promise((r) => setTimeout(r, 400))
    expect(fs.datasyncs).toBe(1)
    await logs.close()
  })
})
