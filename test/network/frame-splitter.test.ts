import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FrameSizeError, FrameSplitter } from '../../src/network/frame-splitter.js'

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(payload.length)
  return Buffer.concat([size, payload])
}

function drain(s: FrameSplitter): Buffer[] {
  const out: Buffer[] = []
  for (let f = s.next(); f !== null; f = s.next()) out.push(f)
  return out
}

describe('FrameSplitter', () => {
  it('returns frames however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => frame(Buffer.from(p))))
          const s = new FrameSplitter(1000)
          const got: Buffer[] = []
          let pos = 0
          let i = 0
          while (pos < stream.length) {
            const n = cuts[i++ % cuts.length]
            s.push(stream.subarray(pos, pos + n))
            pos += n
            got.push(...drain(s))
          }
          expect(got.map((b) => [...b])).toEqual(payloads.map((p) => [...p]))
          expect(s.bufferedBytes).toBe(0)
        },
      ),
    )
  })

  it('returns a frame inside one chunk as a view, without copying', () => {
    const chunk = frame(Buffer.from('hello'))
    const s = new FrameSplitter(100)
    s.push(chunk)
    const f = s.next()!
    expect(f.toString()).toBe('hello')
    expect(f.buffer).toBe(chunk.buffer)
  })

  it('rejects an oversized size prefix before the payload arrives', () => {
    const s = new FrameSplitter(100)
    s.push(Buffer.from([0, 0, 0, 101]))
    expect(() => s.next()).toThrow(FrameSizeError)
  })

  it('rejects a negative size prefix', () => {
    const s = new FrameSplitter(100)
    s.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))
    expect(() => s.next()).toThrow(/negative/)
  })

  it('accepts a frame of exactly the limit and an empty frame', () => {
    const s = new FrameSplitter(3)
    s.push(frame(Buffer.from('abc')))
    s.push(frame(Buffer.alloc(0)))
    expect(drain(s).map((b) => b.toString())).toEqual(['abc', ''])
  })

  it('waits for the rest of a truncated frame', () => {
    const s = new FrameSplitter(100)
    const f = frame(Buffer.from('truncated'))
    s.push(f.subarray(0, 7))
    expect(s.next()).toBeNull()
    s.push(f.subarray(7))
    expect(s.next()!.toString()).toBe('truncated')
  })
})
