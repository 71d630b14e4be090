import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/logger.js'
import type { RequestProcessor } from '../../src/network/connection.js'
import { FramePool } from '../../src/network/frame-pool.js'
import { NetworkServer } from '../../src/network/server.js'

describe('FramePool', () => {
  it('hands out exact-size views, takes each back once, and reuses them', () => {
    const pool = new FramePool()
    const a = pool.acquire(300_000)!
    expect(a.length).toBe(300_000)
    expect(pool.owns(a)).toBe(true)
    pool.release(a)
    expect(pool.owns(a)).toBe(false)
    pool.release(a) // a second release is ignored
    expect(pool.idle).toBe(512 * 1024)
    const b = pool.acquire(400_000)!
    expect(b.buffer).toBe(a.buffer) // same size class: reused
    expect(pool.idle).toBe(0)
    expect(pool.owns(Buffer.alloc(10))).toBe(false)
    expect(pool.acquire(64 * 1024 * 1024)).toBeNull()
  })
})

describe('pooled request frames', () => {
  const servers: NetworkServer[] = []
  const sockets: Socket[] = []
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy()
    await Promise.all(servers.splice(0).map((s) => s.stop({ timeoutMs: 100 })))
  })

  it('are reused only after the request that used them has settled', async () => {
    const seen: { frame: Buffer; copy: Buffer }[] = []
    let finish: (() => void)[] = []
    const processor: RequestProcessor = (frame) => {
      seen.push({ frame, copy: Buffer.from(frame) })
      // Settles later: the frame must stay untouched until then.
      return new Promise((resolve) => finish.push(() => resolve(null)))
    }
    processor.releasesFrame = (apiKey) => apiKey === 0
    const server = new NetworkServer({ host: '127.0.0.1', port: 0, maxRequestBytes: 10 * 1024 * 1024, idleTimeoutMs: 60_000, processor, logger: silentLogger() })
    servers.push(server)
    const { port } = await server.listen()
    const socket = connect(port, '127.0.0.1')
    sockets.push(socket)
    const frameOf = (fill: number): Buffer => {
      const payload = Buffer.alloc(300_000, fill)
      payload.writeInt16BE(0, 0) // api key 0: pooled
      const size = Buffer.alloc(4)
      size.writeInt32BE(payload.length)
      return Buffer.concat([size, payload])
    }
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
      expect(cond()).toBe(true)
    }
    // Two requests in flight: different buffers.
    socket.write(frameOf(1))
    socket.write(frameOf(2))
    await until(() => seen.length === 2)
    expect(seen[0].frame.buffer).not.toBe(seen[1].frame.buffer)
    // Settle both; the next requests reuse their buffers and the earlier contents were intact.
    for (const f of finish) f()
    finish = []
    expect(seen[0].frame.equals(seen[0].copy)).toBe(true)
    expect(seen[1].frame.equals(seen[1].copy)).toBe(true)
    await new Promise((r) => setTimeout(r, 20))
    socket.write(frameOf(3))
    await until(() => seen.length === 3)
    expect([seen[0].frame.buffer, seen[1].frame.buffer]).toContain(seen[2].frame.buffer)
    expect(seen[2].frame.equals(seen[2].copy)).toBe(true)
    for (const f of finish) f()
  })
})
