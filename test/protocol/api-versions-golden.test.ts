// Hand-assembled wire bytes for ApiVersions (the one API every client sends first), checking the
// generated codec against Kafka's layout rather than against itself.
import { describe, expect, it } from 'vitest'
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/generated/index.js'
import { Reader } from '../../src/protocol/reader.js'
import { Writer } from '../../src/protocol/writer.js'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
function encodeHex<T>(codec: { encode(w: Writer, m: T, v: number): void }, msg: T, v: number): string {
  const w = new Writer()
  codec.encode(w, msg, v)
  return w.toBuffer().toString('hex')
}

const base = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false }

describe('ApiVersions wire bytes', () => {
  it('request v0-2 is empty; v3 has two compact strings and a tagged-field section', () => {
    expect(encodeHex(ApiVersionsRequest, { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7' }, 2)).toBe('')
    expect(encodeHex(ApiVersionsRequest, { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7' }, 3)).toBe('05' + '6b636174' + '04' + '312e37' + '00')
    const r = new Reader(hex('05 6b636174 04 312e37 00'))
    expect(ApiVersionsRequest.decode(r, 3)).toEqual({ clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7' })
    expect(ApiVersionsRequest.decode(new Reader(Buffer.alloc(0)), 0)).toEqual({ clientSoftwareName: '', clientSoftwareVersion: '' })
  })

  it('response v0 and v1', () => {
    expect(encodeHex(ApiVersionsResponse, base, 0)).toBe('0000' + '00000001' + '0012 0000 0004'.replace(/ /g, ''))
    expect(encodeHex(ApiVersionsResponse, { ...base, throttleTimeMs: 5 }, 1)).toBe('0000' + '00000001' + '001200000004' + '00000005')
  })

  it('response v3: compact array, per-element tagged fields, defaults not written', () => {
    expect(encodeHex(ApiVersionsResponse, base, 3)).toBe('0000' + '02' + '001200000004' + '00' + '00000000' + '00')
  })

  it('response v3 tagged fields in tag order with sizes', () => {
    const msg = { ...base, finalizedFeaturesEpoch: 5, zkMigrationReady: true, supportedFeatures: [{ name: 'mv', minVersion: 1, maxVersion: 2 }] }
    const expected = '0000' + '02' + '001200000004' + '00' + '00000000' +
      '03' + // three tagged fields
      '00' + '09' + '02' + '03' + '6d76' + '0001' + '0002' + '00' + // tag 0: SupportedFeatures
      '01' + '08' + '0000000000000005' + // tag 1: FinalizedFeaturesEpoch
      '03' + '01' + '01' // tag 3: ZkMigrationReady
    expect(encodeHex(ApiVersionsResponse, msg, 3)).toBe(expected)
    const r = new Reader(hex(expected))
    expect(ApiVersionsResponse.decode(r, 3)).toEqual(msg)
    expect(r.remaining()).toBe(0)
  })

  it('a peer with more tagged fields: unknown tags are kept and re-encoded in order', () => {
    const bytes = '0000' + '01' + '00000000' + '02' + '01' + '08' + '0000000000000007' + '07' + '02' + 'beef'
    const decoded = ApiVersionsResponse.decode(new Reader(hex(bytes)), 4)
    expect(decoded.finalizedFeaturesEpoch).toBe(7)
    expect(decoded._unknownTaggedFields).toEqual([{ tag: 7, data: hex('beef') }])
    expect(encodeHex(ApiVersionsResponse, decoded, 4)).toBe(bytes)
  })
})
