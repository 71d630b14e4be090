// Shared fixtures for storage tests: temp dirs, configs, batch builders, a counting file system.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { type BrokerConfig, defaultBrokerConfig } from '../../src/config/broker-config.js'
import { silentLogger } from '../../src/logger.js'
import { ErrorCode } from '../../src/protocol/errors.js'
import { buildRecordBatch, iterateBatches, iterateRecords, readBatchHeader, type BatchHeader, type BuildBatchOptions } from '../../src/protocol/record-batch.js'
import type { FileHandle, FileSystem } from '../../src/storage/fs/file-system.js'
import { NodeFileSystem } from '../../src/storage/fs/node-file-system.js'
import { LogManager, type LogManagerOptions } from '../../src/storage/log-manager.js'
import type { PartitionLog } from '../../src/storage/partition-log.js'

export const tmpDirs: string[] = []

export async function makeTmpDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'brook-storage-'))
  tmpDirs.push(dir)
  return dir
}

export async function cleanupTmpDirs(): Promise<void> {
  await Promise.all(tmpDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
}

export function testConfig(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  return { ...defaultBrokerConfig(), clusterId: 'test-cluster', ...overrides }
}

export async function openManager(dataDir: string | null, overrides: Partial<BrokerConfig> = {}, extra: Partial<LogManagerOptions> = {}): Promise<LogManager> {
  return LogManager.open({ dataDir, config: testConfig({ dataDir, ...overrides }), logger: silentLogger(), ...extra })
}

/** A batch of `count` records with values `${prefix}-${i}` and increasing timestamps. */
export function batch(count: number, opts: BuildBatchOptions & { prefix?: string; timestampMs?: number; valueBytes?: number } = {}): Buffer {
  const ts = opts.timestampMs ?? Date.now()
  const records = Array.from({ length: count }, (_, i) => ({
    key: null,
    value: opts.valueBytes ? Buffer.alloc(opts.valueBytes, i % 251) : Buffer.from(`${opts.prefix ?? 'v'}-${i}`),
    timestampMs: ts + i,
  }))
  return buildRecordBatch(records, opts)
}

/** Every record (offset, value) in a fetched records blob, skipping those below minOffset. */
export function recordsOf(buf: Buffer | null, minOffset = 0): { offset: number; value: string }[] {
  if (!buf) return []
  const out: { offset: number; value: string }[] = []
  for (const { position, size } of iterateBatches(buf)) {
    for (const r of iterateRecords(buf.subarray(position, position + size))) {
      if (r.offset >= minOffset) out.push({ offset: r.offset, value: r.value?.toString() ?? '' })
    }
  }
  return out
}

export function batchBaseOffsets(buf: Buffer | null): number[] {
  if (!buf) return []
  return [...iterateBatches(buf)].map((b) => b.header.baseOffset)
}

export interface ServedBatch {
  header: BatchHeader
  /** the whole batch, as served */
  bytes: Buffer
  lastOffset: number
  /** the offset the reader had reached when this batch came: a batch with lastOffset below it was served before */
  fromOffset: number
}

/** Every batch from the log start offset to the high watermark, through the fetch path (read). */
export async function* servedBatches(log: PartitionLog): AsyncGenerator<ServedBatch> {
  let offset = log.logStartOffset
  while (offset < log.highWatermark) {
    const r = await log.read(offset, { maxBytes: 1 << 20, minOneMessage: true })
    expect(r.errorCode).toBe(ErrorCode.NONE)
    const buf = r.records!
    if (buf.length === 0) break
    for (let pos = 0; pos < buf.length; ) {
      const header = readBatchHeader(buf, pos)
      const size = header.batchLength + 12
      const lastOffset = header.baseOffset + header.lastOffsetDelta
      yield { header, bytes: buf.subarray(pos, pos + size), lastOffset, fromOffset: offset }
      offset = Math.max(offset, lastOffset + 1)
      pos += size
    }
  }
}

/** Node file system that counts fdatasync calls. */
export class CountingFileSystem extends NodeFileSystem {
  datasyncs = 0

  override async open(path: string, mode: 'read' | 'readwrite' | 'create'): Promise<FileHandle> {
    const h = await super.open(path, mode)
    const counter = this
    return {
      read: (p, l) => h.read(p, l),
      writev: (b, p) => h.writev(b, p),
      datasync: async () => {
        counter.datasyncs++
        await h.datasync()
      },
      truncate: (s) => h.truncate(s),
      size: () => h.size(),
      close: () => h.close(),
    }
  }
}

export type { FileSystem }
