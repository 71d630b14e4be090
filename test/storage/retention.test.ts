// Retention decisions (pure): Kafka's order (log start offset, size, time), oldest first,
// stopping at the first segment that does not qualify, bounded by the high watermark; the active
// segment is never deleted while active (everything expired => roll first).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { retentionDecision, type RetentionSegment } from '../../src/storage/retention.js'

const NOW = 1_700_000_000_000

/** Consecutive segments of `sizes` bytes, 10 offsets each; the last one is active. */
function segs(sizes: number[], opts: { ages?: number[]; lastEmpty?: boolean } = {}): RetentionSegment[] {
  return sizes.map((sizeBytes, i) => ({
    baseOffset: i * 10,
    endOffset: i * 10 + (i === sizes.length - 1 && opts.lastEmpty ? 0 : 10),
    sizeBytes,
    maxTimestamp: NOW - (opts.ages?.[i] ?? 0),
    lastModifiedMs: NOW,
    active: i === sizes.length - 1,
  }))
}

const DELETE = { delete: true, retentionMs: -1, retentionBytes: -1 }
const state = (over: Partial<{ nowMs: number; highWatermark: number; logStartOffset: number }> = {}) => ({
  nowMs: NOW,
  highWatermark: 1_000_000,
  logStartOffset: 0,
  ...over,
})

describe('retentionDecision', () => {
  it('keeps everything without limits', () => {
    const d = retentionDecision(segs([100, 100, 100]), DELETE, state())
    expect(d).toEqual({ deleteCount: 0, counts: { 'log-start-offset': 0, size: 0, time: 0 }, rollActive: false })
  })

  it('deletes by time from the oldest and stops at the first young segment', () => {
    const d = retentionDecision(segs([100, 100, 100, 100], { ages: [5000, 500, 5000, 0] }), { ...DELETE, retentionMs: 1000 }, state())
    expect(d.deleteCount).toBe(1)
    expect(d.counts.time).toBe(1)
  })

  it('time uses the last-modified time when no record has a timestamp', () => {
    const list = segs([100, 100]).map((s, i) => ({ ...s, maxTimestamp: -1, lastModifiedMs: i === 0 ? NOW - 10_000 : NOW }))
    expect(retentionDecision(list, { ...DELETE, retentionMs: 1000 }, state()).deleteCount).toBe(1)
  })

  it('an exact retention.ms age is kept (strictly greater expires)', () => {
    expect(retentionDecision(segs([100, 100], { ages: [1000, 0] }), { ...DELETE, retentionMs: 1000 }, state()).deleteCount).toBe(0)
    expect(retentionDecision(segs([100, 100], { ages: [1001, 0] }), { ...DELETE, retentionMs: 1000 }, state()).deleteCount).toBe(1)
  })

  it('deletes by size while the rest still holds retention.bytes', () => {
    // 400 bytes, limit 150: drop 100 (300 left), 100 (200 left), not the third (would leave 100 < 150).
    const d = retentionDecision(segs([100, 100, 100, 100]), { ...DELETE, retentionBytes: 150 }, state())
    expect(d.deleteCount).toBe(2)
    expect(d.counts.size).toBe(2)
  })

  it('size: nothing when the log is below the limit', () => {
    expect(retentionDecision(segs([100, 100]), { ...DELETE, retentionBytes: 500 }, state()).deleteCount).toBe(0)
  })

  it('log start offset (DeleteRecords) deletes segments wholly below it, whatever the policy', () => {
    const d = retentionDecision(segs([100, 100, 100]), { delete: false, retentionMs: 1, retentionBytes: 1 }, state({ logStartOffset: 25 }))
    expect(d.deleteCount).toBe(2)
    expect(d.counts['log-start-offset']).toBe(2)
  })

  it('compact-only topics ignore retention.ms and retention.bytes', () => {
    const d = retentionDecision(segs([100, 100, 100], { ages: [9e9, 9e9, 9e9] }), { delete: false, retentionMs: 1, retentionBytes: 1 }, state())
    expect(d.deleteCount).toBe(0)
  })

  it('passes run in order on what the previous left: start offset, then size, then time', () => {
    const d = retentionDecision(
      segs([100, 100, 100, 100, 100], { ages: [0, 0, 0, 9000, 0] }),
      { ...DELETE, retentionBytes: 250, retentionMs: 1000 },
      state({ logStartOffset: 10 }),
    )
    // start offset: segment 0; size: 400 left, limit 250 -> segment 1 (300 left); time: segment 2 is young -> stop.
    expect(d.counts).toEqual({ 'log-start-offset': 1, size: 1, time: 0 })
    expect(d.deleteCount).toBe(2)
  })

  it('never deletes beyond the high watermark', () => {
    const d = retentionDecision(segs([100, 100, 100], { ages: [9e9, 9e9, 9e9] }), { ...DELETE, retentionMs: 1 }, state({ highWatermark: 15 }))
    // segment 0 ends at 10 <= 15: deletable; segment 1 ends at 20 > 15: not.
    expect(d.deleteCount).toBe(1)
  })

  it('everything expired: roll first, then delete all the old ones', () => {
    const d = retentionDecision(segs([100, 100, 100], { ages: [9e9, 9e9, 9e9] }), { ...DELETE, retentionMs: 1 }, state({ highWatermark: 30 }))
    expect(d).toMatchObject({ deleteCount: 3, rollActive: true })
  })

  it('an empty active segment is never deleted (and needs no roll)', () => {
    const d = retentionDecision(segs([100, 100, 0], { ages: [9e9, 9e9, 9e9], lastEmpty: true }), { ...DELETE, retentionMs: 1 }, state({ highWatermark: 20 }))
    expect(d).toMatchObject({ deleteCount: 2, rollActive: false })
  })

  it('property: what is kept still holds retention.bytes, minus at most one segment', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 10_000 }), (sizes, limit) => {
        const list = segs(sizes)
        const d = retentionDecision(list, { ...DELETE, retentionBytes: limit }, state())
        const total = sizes.reduce((a, b) => a + b, 0)
        const kept = sizes.slice(d.deleteCount).reduce((a, b) => a + b, 0)
        if (total < limit) expect(d.deleteCount).toBe(0)
        else expect(kept).toBeGreaterThanOrEqual(limit)
        // maximal: deleting one more would go below the limit (or hit an empty last segment)
        if (d.deleteCount < sizes.length && total >= limit) {
          const next = sizes[d.deleteCount]
          const isLastEmpty = d.deleteCount === sizes.length - 1 && next === 0
          if (!isLastEmpty) expect(kept - next).toBeLessThan(limit)
        }
        expect(d.deleteCount).toBeLessThanOrEqual(sizes.length)
        expect(d.rollActive).toBe(d.deleteCount === sizes.length)
      }),
    )
  })

  it('property: deletions are a prefix and never pass the high watermark', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 10_000 })), { minLength: 1, maxLength: 15 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: -1, max: 5000 }),
        fc.integer({ min: -1, max: 3000 }),
        (spec, hw, retentionMs, retentionBytes) => {
          const list = segs(
            spec.map(([s]) => s),
            { ages: spec.map(([, a]) => a) },
          )
          const d = retentionDecision(list, { delete: true, retentionMs, retentionBytes }, state({ highWatermark: hw }))
          for (let i = 0; i < d.deleteCount; i++) {
            const upper = i + 1 < list.length ? list[i + 1].baseOffset : list[i].endOffset
            expect(upper).toBeLessThanOrEqual(hw)
          }
        },
      ),
    )
  })
})
