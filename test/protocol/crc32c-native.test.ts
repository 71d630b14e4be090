import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crc32c, crc32cIsNative, crc32cUpdate, crc32cUpdateJs } from '../../src/protocol/crc32c.js'

// Large ranges go to the native binding when it loads; it must agree with the table code exactly.
describe('crc32c native path', () => {
  it('loads the prebuilt binding on this platform (linux x64/arm64)', () => {
    if ((process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')) && process.env.BROOK_CRC32C !== 'js') {
      expect(crc32cIsNative()).toBe(true)
    } else {
      expect(typeof crc32cIsNative()).toBe('boolean')
    }
  })

  it('agrees with the table code on ranges around the native threshold and far above it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 400, maxLength: 5000 }), fc.nat(64), fc.nat(64), (bytes, cutStart, cutEnd) => {
        const buf = Buffer.from(bytes)
        const start = Math.min(cutStart, buf.length)
        const end = Math.max(start, buf.length - cutEnd)
        expect(crc32c(buf, start, end)).toBe(crc32cUpdateJs(0, buf, start, end))
      }),
      { numRuns: 200 },
    )
  })

  it('continues a CRC across a native and a table-code range', () => {
    const buf = Buffer.alloc(70_000)
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 24
    const whole = crc32cUpdateJs(0, buf, 0, buf.length)
    expect(crc32c(buf)).toBe(whole)
    expect(crc32cUpdate(crc32c(buf, 0, 100), buf, 100, buf.length)).toBe(whole)
    expect(crc32cUpdate(crc32c(buf, 0, 60_000), buf, 60_000, buf.length)).toBe(whole)
    expect(() => crc32c(buf, 10, buf.length + 1)).toThrow(RangeError)
  })
})
