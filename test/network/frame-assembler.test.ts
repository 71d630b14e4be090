import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FrameAssembler } from '../../src/network/frame-assembler.js'
import { FrameSizeError } from '../../src/network/frame-splitter.js'

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(payload.length)
  return Buffer.concat([size, payload])
}

/** Plays `stream` into the assembler as socket reads of at most the given sizes. */
function feed(a: FrameAssembler, stream: Buffer, cuts: number[], opts: { drain: boolean } = { drain: true }): Buffer[] {
  const got: Buffer[] = []
  let pos = 0
  let i = 0
  while (pos < stream.length) {
    const target = a.nextReadBuffer()
    const n = Math.min(target.length, cuts[i++ % cuts.length], stream.length - pos)
    stream.copy(target, 0, pos, pos + n)
    pos += n
    a.onRead(n)
    if (opts.drain) for (let f = a.next(); f !== null; f = a.next()) got.push(Buffer.from(f))
  }
  return got
}

describe('FrameAssembler', () => {
  it('returns frames however the reads are cut, small and large, through scratch and in place', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 60_000, max: 300_000 })), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 8 }),
        (sizes, cuts) => {
          const payloads = sizes.map((n, k) => Buffer.alloc(n, (k * 37 + n) & 0xff))
          for (const p of payloads) if (p.length > 8) p.writeUInt32BE(p.length, p.length - 4)
          const a = new FrameAssembler(1_000_000)
          const got = feed(a, Buffer.concat(payloads.map(frame)), cuts)
          expect(got.length).toBe(payloads.length)
          for (let k = 0; k < payloads.length; k++) expect(got[k].equals(payloads[k])).toBe(true)
          expect(a.bufferedBytes).toBe(0)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('frames returned earlier are not overwritten by later reads', () => {
    const a = new FrameAssembler(1000)
    const stream = Buffer.concat([frame(Buffer.from('first')), frame(Buffer.from('second'))])
    const t1 = a.nextReadBuffer()
    stream.copy(t1, 0, 0, 9)
    a.onRead(9)
    const first = a.next()!
    const t2 = a.nextReadBuffer()
    t2.fill(0xee)
    stream.copy(t2, 0, 9)
    a.onRead(stream.length - 9)
    expect(first.toString()).toBe('first')
    expect(a.next()!.toString()).toBe('second')
  })

  it('rejects negative and oversized size prefixes, after the frames before them', () => {
    const a = new FrameAssembler(100)
    const bad = Buffer.alloc(4)
    bad.writeInt32BE(101)
    feed(a, Buffer.concat([frame(Buffer.from('ok')), bad]), [64], { drain: false })
    expect(a.next()!.toString()).toBe('ok')
    expect(() => a.next()).toThrow(FrameSizeError)
    const b = new FrameAssembler(100)
    feed(b, Buffer.from([0xff, 0xff, 0xff, 0xfe]), [1], { drain: false })
    expect(() => b.next()).toThrow(FrameSizeError)
  })

  it('does not allocate a large declared frame before a sixteenth of it has arrived', () => {
    const a = new FrameAssembler(100 * 1024 * 1024)
    const head = Buffer.alloc(4 + 1000)
    head.writeInt32BE(64 * 1024 * 1024)
    const before = process.memoryUsage().arrayBuffers
    feed(a, head, [1004])
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024)
    // Reads still go to the shared scratch buffer, not into a 64 MiB frame.
    expect(a.nextReadBuffer().length).toBeLessThanOrEqual(64 * 1024)
  })
})
