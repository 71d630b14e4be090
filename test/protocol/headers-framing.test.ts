import { describe, expect, it } from 'vitest'
import { beginFrame, frame, peekFrameSize, splitFrames } from '../../src/protocol/framing.js'
import { decodeRequestHeader, decodeResponseHeader, encodeRequestHeader, encodeResponseHeader, isFlexibleRequest } from '../../src/protocol/headers.js'
import { DecodeError, Reader } from '../../src/protocol/reader.js'
import { Writer } from '../../src/protocol/writer.js'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')

describe('request header', () => {
  it('v1 (non-flexible): apiKey, apiVersion, correlationId, nullable clientId', () => {
    // Metadata v1, correlation 7, clientId "kc"
    const r = new Reader(hex('0003 0001 00000007 0002 6b63 ff'))
    expect(decodeRequestHeader(r, 3, 1)).toEqual({ apiKey: 3, apiVersion: 1, correlationId: 7, clientId: 'kc' })
    expect(r.offset).toBe(12)
  })

  it('v2 (flexible): clientId stays a non-compact string, then tagged fields', () => {
    // ApiVersions v3, null clientId, one unknown tagged field (tag 5, 1 byte)
    const r = new Reader(hex('0012 0003 00000001 ffff 01 05 01 aa 99'))
    expect(decodeRequestHeader(r, 18, 3)).toEqual({
      apiKey: 18, apiVersion: 3, correlationId: 1, clientId: null, taggedFields: [{ tag: 5, data: hex('aa') }],
    })
    expect(r.remaining()).toBe(1)
  })

  it('picks the header version from the request codec', () => {
    expect(isFlexibleRequest(18, 2)).toBe(false)
    expect(isFlexibleRequest(18, 3)).toBe(true)
    expect(isFlexibleRequest(9999, 3)).toBe(false)
  })

  it('encodeRequestHeader is the inverse', () => {
    const w = new Writer()
    encodeRequestHeader(w, { apiKey: 18, apiVersion: 3, correlationId: 9, clientId: 'x' }, { flexible: true })
    expect(w.toBuffer().toString('hex')).toBe('00120003000000090001' + '78' + '00')
  })

  it('truncated headers are a DecodeError', () => {
    expect(() => decodeRequestHeader(new Reader(hex('0003 0001 0000')), 3, 1)).toThrow(DecodeError)
  })
})

describe('response header', () => {
  it('v0 is the correlation id; v1 adds empty tagged fields', () => {
    const w0 = new Writer()
    encodeResponseHeader(w0, 42, { flexible: false })
    expect(w0.toBuffer().toString('hex')).toBe('0000002a')
    const w1 = new Writer()
    encodeResponseHeader(w1, 42, { flexible: true })
    expect(w1.toBuffer().toString('hex')).toBe('0000002a00')
    expect(decodeResponseHeader(new Reader(hex('0000002a00')), { flexible: true })).toEqual({ correlationId: 42 })
  })
})

describe('framing', () => {
  it('beginFrame patches the size prefix', () => {
    const w = new Writer(8)
    const end = beginFrame(w)
    w.int32(1).int32(2).int32(3)
    end()
    expect(w.toBuffer().toString('hex')).toBe('0000000c' + '000000010000000200000003')
  })

  it('frame() and splitFrames() round-trip, leaving partial frames', () => {
    const buf = Buffer.concat([frame(hex('0102')), frame([hex('03'), hex('0405')]), frame(hex('06070809')).subarray(0, 6)])
    const { frames, consumed } = splitFrames(buf, { maxFrameBytes: 100 })
    expect(frames.map((f) => f.toString('hex'))).toEqual(['0102', '030405'])
    expect(consumed).toBe(6 + 7)
    expect(peekFrameSize(hex('0000'))).toBe(-1)
  })

  it('rejects negative and oversized frames before buffering them', () => {
    expect(() => splitFrames(hex('ffffffff'), { maxFrameBytes: 100 })).toThrow(DecodeError)
    expect(() => splitFrames(hex('00000065'), { maxFrameBytes: 100 })).toThrow(DecodeError)
  })
})
