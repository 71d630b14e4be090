// Behaviour of the generated codecs beyond round trips: registries, version guards, defaults for
// fields a version lacks, and errors for values a version cannot carry.
import { describe, expect, it } from 'vitest'
import * as g from '../../src/protocol/generated/index.js'
import { DecodeError, Reader } from '../../src/protocol/reader.js'
import { EncodeError, Writer } from '../../src/protocol/writer.js'
import { loadSpecs } from './spec-loader.js'

describe('registries', () => {
  it('map every request/response spec by api key', () => {
    for (const { spec } of loadSpecs()) {
      if (spec.type !== 'request' && spec.type !== 'response') continue
      const registry = spec.type === 'request' ? g.requestCodecs : g.responseCodecs
      expect(registry[spec.apiKey!]?.name, spec.name).toBe(spec.name)
    }
    for (const [key, codec] of Object.entries({ ...g.requestCodecs })) expect(codec.apiKey).toBe(Number(key))
    expect(g.requestCodecs[18]).toBe(g.ApiVersionsRequest)
    expect(g.responseCodecs[18]).toBe(g.ApiVersionsResponse)
  })

  it('flexibleMinVersion is the first flexible version', () => {
    expect(g.ApiVersionsRequest.flexibleMinVersion).toBe(3)
    expect(g.ApiVersionsResponse.minVersion).toBe(0)
    expect(g.ApiVersionsResponse.maxVersion).toBe(4)
  })
})

describe('header specs', () => {
  it('the generated RequestHeader agrees with the hand-written decoder (clientId never compact)', () => {
    const w = new Writer()
    g.RequestHeader.encode(w, { requestApiKey: 18, requestApiVersion: 3, correlationId: 5, clientId: 'cli' }, 2)
    expect(w.toBuffer().toString('hex')).toBe('0012' + '0003' + '00000005' + '0003636c69' + '00')
  })
})

describe('version guards', () => {
  it('decode and encode refuse versions outside the spec', () => {
    expect(() => g.ApiVersionsRequest.decode(new Reader(Buffer.alloc(0)), 5)).toThrow(DecodeError)
    expect(() => g.ApiVersionsRequest.encode(new Writer(), { clientSoftwareName: '', clientSoftwareVersion: '' }, -1)).toThrow(EncodeError)
  })
})

describe('defaults and nullability', () => {
  const metadata = (name: string | null): g.MetadataResponse => ({
    throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: 1, clusterAuthorizedOperations: -2147483648,
    topics: [{ errorCode: 3, name, topicId: '00000000-0000-0000-0000-000000000000', isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 }],
  })

  it('fields absent from a version decode to their spec defaults', () => {
    const w = new Writer()
    g.ApiVersionsResponse.encode(w, { errorCode: 0, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: 9, finalizedFeatures: [], zkMigrationReady: true }, 0)
    const decoded = g.ApiVersionsResponse.decode(new Reader(w.toBuffer()), 0)
    expect(decoded.finalizedFeaturesEpoch).toBe(-1)
    expect(decoded.zkMigrationReady).toBe(false)
    expect(decoded.throttleTimeMs).toBe(0)
  })

  it('null where the version does not allow it is an EncodeError', () => {
    const w = new Writer()
    expect(() => g.MetadataResponse.encode(w, metadata(null), 12)).not.toThrow()
    expect(() => g.MetadataResponse.encode(new Writer(), metadata(null), 9)).toThrow(EncodeError)
  })

  it('a tagged field left undefined is not written', () => {
    const msg = { errorCode: 0, apiKeys: [], throttleTimeMs: 0 } as unknown as g.ApiVersionsResponse
    const w = new Writer()
    g.ApiVersionsResponse.encode(w, msg, 3)
    expect(w.toBuffer().toString('hex')).toBe('0000' + '01' + '00000000' + '00')
  })
})
