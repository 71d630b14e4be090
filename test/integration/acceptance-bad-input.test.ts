// Bad input (issue 2) on the whole broker, under volume. test/broker/dispatch.test.ts checks each
// kind once (unknown api key, unsupported version, malformed body, huge prefix, random bytes) and
// test/network/server.test.ts checks the framing on a bare NetworkServer; what neither covers is
// the broker's memory staying bounded when hundreds of connections declare huge frames, or
// leave truncated frames behind, while a well-behaved client keeps being served throughout.
import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js'
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js'
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js'
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js'
import { Writer } from '../../src/protocol/writer.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'
import { connectTo, sizePrefixed, waitForClose } from '../helpers/socket.js'

const MiB = 1024 * 1024
const apiVersionsV3 = { clientSoftwareName: 'bad-input-test', clientSoftwareVersion: '1' }

let tb: TestBroker
beforeAll(async () => {
  tb = await startTestBroker({ memory: true }) // socket.request.max.bytes: the default 100 MiB
})
afterAll(() => tb?.stop())

const sizePrefix = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(Math.random() * 256)
  return b
}

/** Frames that must each get their connection closed. */
function closingFrames(): Buffer[] {
  const unknownApi = new Writer().int16(9999).int16(0).int32(1).nullableString('x').toBuffer()
  const unsupportedVersion = new Writer().int16(3).int16(99).int32(1).nullableString('x').toBuffer()
  return [
    sizePrefix(0x7fffffff), // over socket.request.max.bytes
    sizePrefix(-5),
    sizePrefixed(unknownApi),
    sizePrefixed(unsupportedVersion),
    sizePrefixed(randomBytes(300)),
    sizePrefixed(Buffer.from([0, 18])), // too short for a request header
  ]
}

/** A well-behaved client that must be answered the whole time. */
async function goodClientRounds(stop: () => boolean): Promise<number> {
  const c = await RawKafkaClient.connect(tb.port)
  let rounds = 0
  try {
    while (!stop() || rounds === 0) {
      const v = await c.request(ApiVersionsRequest, ApiVersionsResponse, 3, apiVersionsV3)
      expect(v.errorCode).toBe(ErrorCode.NONE)
      const m = await c.request(MetadataRequest, MetadataResponse, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
      expect(m.brokers.length).toBe(1)
      rounds++
    }
  } finally {
    c.close()
  }
  return rounds
}

describe('bad input under volume', () => {
  it('hundreds of huge declared frames and truncated frames do not grow memory; others are served meanwhile', async () => {
    let stormOver = false
    const good = goodClientRounds(() => stormOver)
    const before = process.memoryUsage()

    // 200 connections each declare a frame just under the 100 MiB limit and send 64 KiB of it:
    // a broker that allocated declared sizes would hold ~20 GiB; one that buffers what it got
    // holds ~13 MiB.
    const stalled: Socket[] = []
    for (let i = 0; i < 200; i++) {
      const s = await connectTo(tb.port)
      s.on('error', () => {})
      s.write(Buffer.concat([sizePrefix(100 * MiB - 1), randomBytes(64 * 1024)]))
      stalled.push(s)
    }
    // truncated frames whose senders go away
    for (let i = 0; i < 100; i++) {
      const s = await connectTo(tb.port)
      s.on('error', () => {})
      s.end(Buffer.concat([sizePrefix(1000 + i), randomBytes(i)]))
    }
    // and every kind of frame that must close its connection, 20 of each
    const closers: Promise<boolean>[] = []
    for (let i = 0; i < 20; i++) {
      for (const frame of closingFrames()) {
        const s = await connectTo(tb.port)
        s.on('error', () => {})
        s.write(frame)
        closers.push(waitForClose(s, 10_000))
      }
    }
    expect((await Promise.all(closers)).every(Boolean)).toBe(true)
    await new Promise((r) => setTimeout(r, 300))

    const during = process.memoryUsage()
    expect(during.arrayBuffers - before.arrayBuffers).toBeLessThan(128 * MiB)
    expect(during.rss - before.rss).toBeLessThan(384 * MiB)
    // the stalled connections are still open (nothing wrong with them yet) and cost what they sent
    expect(tb.broker.connectionCount).toBeGreaterThanOrEqual(200)

    for (const s of stalled) s.destroy()
    stormOver = true
    expect(await good).toBeGreaterThan(0)
    // every bad connection is gone from the broker
    const deadline = Date.now() + 10_000
    while (tb.broker.connectionCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(tb.broker.connectionCount).toBe(0)
  })
})
