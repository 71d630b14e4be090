// Every batch that real clients sent (test/fixtures/codecs, see its README) reads back to the
// records they produced, whatever the codec.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { initCodecs } from '../../src/codecs/index.js'
import { isBatchCrcValid, iterateBatches } from '../../src/protocol/record-batch.js'
import { checkedBatchHeader, firstRecordWithoutKey, iterateBatchRecords, readBatchRecords } from '../../src/records/index.js'

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/codecs')
const CODEC_IDS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }

/** The records tools/codec-fixtures/messages.py defines. */
function expectedValue(i: number): string {
  const words = Array.from({ length: 60 }, (_, j) => `w${(i * 7 + j) % 97}`).join(' ')
  return `v-${i} ${words} ${createHash('sha256').update(String(i)).digest('hex')}`
}

// client--topic -> blobs in capture order
const groups = new Map<string, Buffer[]>()
for (const file of readdirSync(dir).filter((f) => f.endsWith('.bin') && !f.startsWith('synthetic')).sort()) {
  const [client, topic] = file.split('--')
  const key = `${client}--${topic}`
  groups.set(key, [...(groups.get(key) ?? []), readFileSync(path.join(dir, file))])
}

beforeAll(async () => {
  await initCodecs()
})

describe('batches written by real clients', () => {
  it('covers four clients and every codec', () => {
    const clients = new Set([...groups.keys()].map((k) => k.split('--')[0]))
    expect([...clients].sort()).toEqual(['confluent', 'kafka-python', 'kafkajs', 'kcat'])
    for (const codec of Object.keys(CODEC_IDS)) expect(groups.has(`kcat--fx-${codec}`)).toBe(true)
  })

  it.each([...groups.keys()])('%s', async (key) => {
    const [client, topic] = key.split('--')
    const codec = CODEC_IDS[topic.slice(3)]
    const records = []
    const codecsSeen = new Set<number>()
    for (const blob of groups.get(key)!) {
      for (const { position, size } of iterateBatches(blob)) {
        const batch = blob.subarray(position, position + size)
        expect(isBatchCrcValid(batch, 0)).toBe(true)
        codecsSeen.add(checkedBatchHeader(batch).compression)
        expect(await firstRecordWithoutKey(batch)).toBe(-1)
        const viaSync = [...iterateBatchRecords(batch)]
        const viaAsync = await readBatchRecords(batch)
        expect(viaSync.map((r) => r.offsetDelta)).toEqual(viaAsync.map((r) => r.offsetDelta))
        records.push(...viaAsync)
      }
    }
    // librdkafka sends a batch uncompressed when compression would not make it smaller
    expect(codecsSeen.has(codec)).toBe(true)
    expect([...codecsSeen].every((c) => c === codec || c === 0)).toBe(true)
    expect(records).toHaveLength(200)
    records.forEach((r, i) => {
      expect(r.key?.toString()).toBe(`k-${i}`)
      expect(r.value?.toString()).toBe(expectedValue(i))
      expect(r.headers).toEqual([{ key: 'h', value: Buffer.from(client === 'kcat' ? 'kcat' : String(i)) }])
      if (client !== 'kcat') expect(r.timestampMs).toBe(1700000000000 + i)
    })
  })
})
