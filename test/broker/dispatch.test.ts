import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Broker } from '../../src/broker/broker.js'
import type { ApiHandler } from '../../src/broker/handler.js'
import { defaultBrokerConfig } from '../../src/config/broker-config.js'
import { handler as apiVersionsHandler } from '../../src/handlers/18-api-versions.js'
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js'
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js'
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js'
import { DescribeClusterRequest } from '../../src/protocol/generated/describe-cluster-request.js'
import { DescribeClusterResponse } from '../../src/protocol/generated/describe-cluster-response.js'
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js'
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js'
import { Writer } from '../../src/protocol/writer.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient, decodeResponse, encodeRequest } from '../helpers/kafka-raw.js'
import { sizePrefixed } from '../helpers/socket.js'

const apiVersionsV3 = { clientSoftwareName: 'brook-test', clientSoftwareVersion: '1.0.0' }
const metadataAll = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }

let tb: TestBroker
beforeAll(async () => {
  tb = await startTestBroker({ memory: true })
})
afterAll(() => tb.stop())

describe('ApiVersions', () => {
  it.each([0, 1, 2, 3, 4])('v%i lists every registered handler', async (version) => {
    const c = await RawKafkaClient.connect(tb.port)
    const res = await c.request(ApiVersionsRequest, ApiVersionsResponse, version, apiVersionsV3)
    c.close()
    expect(res.errorCode).toBe(ErrorCode.NONE)
    const byKey = new Map(res.apiKeys.map((k) => [k.apiKey, k]))
    expect(byKey.get(18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 4 })
    expect(byKey.get(3)).toEqual({ apiKey: 3, minVersion: 0, maxVersion: 12 })
    expect(byKey.get(19)).toEqual({ apiKey: 19, minVersion: 2, maxVersion: 7 })
    expect(byKey.get(20)).toEqual({ apiKey: 20, minVersion: 1, maxVersion: 6 })
    expect(byKey.get(60)).toEqual({ apiKey: 60, minVersion: 0, maxVersion: 1 })
    expect(res.apiKeys.map((k) => k.apiKey)).toEqual([...res.apiKeys.map((k) => k.apiKey)].sort((a, b) => a - b))
  })

  it('answers an unknown newer version with a v0 UNSUPPORTED_VERSION response (KIP-511)', async () => {
    const c = await RawKafkaClient.connect(tb.port)
    const w = new Writer()
    w.int16(18).int16(99).int32(42).nullableString('future-client').uvarint(0) // header v2
    w.compactString('future').compactString('9.9').uvarint(0)
    c.write(sizePrefixed(w.toBuffer()))
    const [frame] = await c.frames.next()
    const res = decodeResponse(ApiVersionsResponse, 0, frame)
    expect(res.correlationId).toBe(42)
    expect(res.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION)
    expect(res.body.apiKeys.find((k) => k.apiKey === 18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 4 })
    // the connection stays usable
    const again = await c.request(ApiVersionsRequest, ApiVersionsResponse, 3, apiVersionsV3)
    expect(again.errorCode).toBe(ErrorCode.NONE)
    c.close()
  })

  it('rejects invalid client software names in v3+', async () => {
    const c = await RawKafkaClient.connect(tb.port)
    const res = await c.request(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: '-bad name', clientSoftwareVersion: '1' })
    c.close()
    expect(res.errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })
})

describe('bad requests close only their connection', () => {
  async function expectClosedAndBrokerAlive(send: (c: RawKafkaClient) => void): Promise<void> {
    const bad = await RawKafkaClient.connect(tb.port)
    const good = await RawKafkaClient.connect(tb.port)
    send(bad)
    expect(await bad.closedByBroker()).toBe(true)
    const res = await good.request(ApiVersionsRequest, ApiVersionsResponse, 2, apiVersionsV3)
    expect(res.errorCode).toBe(ErrorCode.NONE)
    good.close()
  }

  it('unknown api key', async () => {
    const w = new Writer()
    w.int16(9999).int16(0).int32(1).nullableString('x')
    await expectClosedAndBrokerAlive((c) => c.write(sizePrefixed(w.toBuffer())))
  })

  it('unsupported version', async () => {
    const w = new Writer()
    w.int16(3).int16(13).int32(1).nullableString('x').uvarint(0).compactArrayLength(-1).bool(true).bool(false).uvarint(0)
    await expectClosedAndBrokerAlive((c) => c.write(sizePrefixed(w.toBuffer())))
  })

  it('malformed body', async () => {
    const full = encodeRequest(MetadataRequest, 4, { ...metadataAll, topics: [{ topicId: '', name: 'abc' }] } as never, { correlationId: 1 })
    const truncated = full.subarray(4, full.length - 3)
    await expectClosedAndBrokerAlive((c) => c.write(sizePrefixed(truncated)))
  })

  it('frame too short for a header', async () => {
    await expectClosedAndBrokerAlive((c) => c.write(sizePrefixed(Buffer.from([0, 18, 0]))))
  })

  it('huge size prefix', async () => {
    await expectClosedAndBrokerAlive((c) => c.write(Buffer.from([0x7f, 0xff, 0xff, 0xff])))
  })

  it('a frame of random bytes', async () => {
    const junk = Buffer.alloc(256)
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff
    await expectClosedAndBrokerAlive((c) => c.write(sizePrefixed(junk)))
  })

  it('random bytes as the size prefix', async () => {
    await expectClosedAndBrokerAlive((c) => c.write(Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3])))
  })
})

describe('pipelining', () => {
  it('answers pipelined requests in order with their correlation ids', async () => {
    const c = await RawKafkaClient.connect(tb.port)
    const frames = [
      encodeRequest(ApiVersionsRequest, 3, apiVersionsV3, { correlationId: 10 }),
      encodeRequest(MetadataRequest, 12, metadataAll, { correlationId: 11 }),
      encodeRequest(ApiVersionsRequest, 0, apiVersionsV3, { correlationId: 12 }),
      encodeRequest(MetadataRequest, 1, metadataAll, { correlationId: 13 }),
    ]
    c.write(Buffer.concat(frames))
    const [a, b, d, e] = await c.frames.next(4)
    expect(decodeResponse(ApiVersionsResponse, 3, a).correlationId).toBe(10)
    expect(decodeResponse(MetadataResponse, 12, b).correlationId).toBe(11)
    expect(decodeResponse(ApiVersionsResponse, 0, d).correlationId).toBe(12)
    expect(decodeResponse(MetadataResponse, 1, e).correlationId).toBe(13)
    c.close()
  })
})

describe('handler failures', () => {
  // A test API on DescribeCluster's codecs whose behaviour depends on the request.
  const failing: ApiHandler<DescribeClusterRequest, DescribeClusterResponse> = {
    apiKey: 60,
    request: DescribeClusterRequest,
    response: DescribeClusterResponse,
    minVersion: 0,
    maxVersion: 1,
    async handle(_ctx, req) {
      if (req.endpointType === 1) throw new KafkaError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
      if (req.endpointType === 2) throw new Error('boom')
      if (req.endpointType === 3) return null
      await new Promise((r) => setTimeout(r, 30))
      return { ...ok, errorMessage: 'slow' }
    },
    errorResponse: (_ctx, _req, errorCode) => ({ ...ok, errorCode }),
  }
  const ok: DescribeClusterResponse = {
    throttleTimeMs: 0, errorCode: 0, errorMessage: null, endpointType: 1, clusterId: 'c', controllerId: 1, brokers: [],
    clusterAuthorizedOperations: -2147483648,
  }
  let broker: Broker
  beforeAll(async () => {
    broker = await Broker.start({ config: { ...defaultBrokerConfig(), port: 0, dataDir: null }, handlers: [apiVersionsHandler, failing] })
  })
  afterAll(() => broker.stop())

  const req = (endpointType: number) => ({ includeClusterAuthorizedOperations: false, endpointType })

  it('turns a KafkaError into the handler error response', async () => {
    const c = await RawKafkaClient.connect(broker.port)
    const res = await c.request(DescribeClusterRequest, DescribeClusterResponse, 1, req(1))
    expect(res.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    c.close()
  })

  it('turns an unexpected exception into UNKNOWN_SERVER_ERROR', async () => {
    const c = await RawKafkaClient.connect(broker.port)
    const res = await c.request(DescribeClusterRequest, DescribeClusterResponse, 1, req(2))
    expect(res.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR)
    c.close()
  })

  it('sends nothing for a null response and keeps order for the next ones', async () => {
    const c = await RawKafkaClient.connect(broker.port)
    c.write(
      Buffer.concat([
        encodeRequest(DescribeClusterRequest, 1, req(0), { correlationId: 1 }),
        encodeRequest(DescribeClusterRequest, 1, req(3), { correlationId: 2 }),
        encodeRequest(DescribeClusterRequest, 1, req(1), { correlationId: 3 }),
      ]),
    )
    const frames = await c.frames.next(2)
    const decoded = frames.map((f) => decodeResponse(DescribeClusterResponse, 1, f))
    expect(decoded.map((d) => d.correlationId)).toEqual([1, 3])
    expect(decoded[0].body.errorMessage).toBe('slow')
    c.close()
  })

  it('advertises exactly the registered handlers', async () => {
    const c = await RawKafkaClient.connect(broker.port)
    const res = await c.request(ApiVersionsRequest, ApiVersionsResponse, 3, apiVersionsV3)
    expect(res.apiKeys).toEqual([
      { apiKey: 18, minVersion: 0, maxVersion: 4 },
      { apiKey: 60, minVersion: 0, maxVersion: 1 },
    ])
    c.close()
  })
})
