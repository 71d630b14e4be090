import { createConnection, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/logger.js'
import type { RequestProcessor } from '../../src/network/connection.js'
import { NetworkServer, type NetworkServerOptions } from '../../src/network/server.js'
import { FrameReader, connectTo, sizePrefixed, waitForClose } from '../helpers/socket.js'

// Test protocol: a request frame is "<delayMs>:<text>"; the response frame carries <text>.
// "fail" makes the processor throw (as the dispatcher does for an unknown api key), "none"
// produces no response (as Produce acks=0 does).
const echo: RequestProcessor = (frame) => {
  const s = frame.toString()
  if (s === 'fail') throw new Error('rejected')
  if (s === 'none') return null
  const [delay, text] = s.split(':')
  const out = [sizePrefixed(Buffer.from(text))]
  if (Number(delay) === 0) return out
  return new Promise((resolve) => setTimeout(() => resolve(out), Number(delay)))
}

const servers: NetworkServer[] = []
const sockets: Socket[] = []

async function start(opts: Partial<NetworkServerOptions> = {}): Promise<{ server: NetworkServer; port: number }> {
  const server = new NetworkServer({
    host: '127.0.0.1',
    port: 0,
    maxRequestBytes: 1024 * 1024,
    idleTimeoutMs: 60_000,
    processor: echo,
    logger: silentLogger(),
    ...opts,
  })
  servers.push(server)
  const { port } = await server.listen()
  return { server, port }
}

async function client(port: number): Promise<{ socket: Socket; reader: FrameReader }> {
  const socket = await connectTo(port)
  sockets.push(socket)
  return { socket, reader: new FrameReader(socket) }
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(servers.splice(0).map((s) => s.stop({ timeoutMs: 100 })))
})

describe('NetworkServer', () => {
  it('answers pipelined requests strictly in request order', async () => {
    const { port } = await start()
    const { socket, reader } = await client(port)
    socket.write(Buffer.concat(['60:a', '0:b', '20:c', '0:d'].map((s) => sizePrefixed(Buffer.from(s)))))
    const frames = await reader.next(4)
    expect(frames.map((f) => f.toString())).toEqual(['a', 'b', 'c', 'd'])
  })

  it('keeps order across a request without a response', async () => {
    const { port } = await start()
    const { socket, reader } = await client(port)
    socket.write(Buffer.concat(['30:a', 'none', '0:b'].map((s) => sizePrefixed(Buffer.from(s)))))
    expect((await reader.next(2)).map((f) => f.toString())).toEqual(['a', 'b'])
  })

  it('handles many synchronous responses in one chunk without deep recursion', async () => {
    const { port } = await start({ maxInFlightPerConnection: 100_000 })
    const { socket, reader } = await client(port)
    const n = 20_000
    socket.write(Buffer.concat(Array.from({ length: n }, (_, i) => sizePrefixed(Buffer.from(`0:${i}`)))))
    const frames = await reader.next(n, 20_000)
    expect(frames[0].toString()).toBe('0')
    expect(frames[n - 1].toString()).toBe(String(n - 1))
  })

  it('closes a connection whose size prefix exceeds the limit; others keep working', async () => {
    const { port } = await start({ maxRequestBytes: 1000 })
    const bad = await client(port)
    const good = await client(port)
    const size = Buffer.alloc(4)
    size.writeInt32BE(1001)
    bad.socket.write(size)
    expect(await waitForClose(bad.socket)).toBe(true)
    good.socket.write(sizePrefixed(Buffer.from('0:still here')))
    expect((await good.reader.next())[0].toString()).toBe('still here')
  })

  it('closes a connection with a negative size prefix', async () => {
    const { port } = await start()
    const { socket } = await client(port)
    socket.write(Buffer.from([0x80, 0, 0, 0]))
    expect(await waitForClose(socket)).toBe(true)
  })

  it('closes only the connection whose request the processor rejects', async () => {
    const { port, server } = await start()
    const bad = await client(port)
    const good = await client(port)
    bad.socket.write(sizePrefixed(Buffer.from('fail')))
    expect(await waitForClose(bad.socket)).toBe(true)
    good.socket.write(sizePrefixed(Buffer.from('0:ok')))
    expect((await good.reader.next())[0].toString()).toBe('ok')
    expect(server.connectionCount).toBe(1)
  })

  it('survives random bytes', async () => {
    const { port } = await start({ maxRequestBytes: 4096 })
    for (let i = 0; i < 20; i++) {
      const { socket } = await client(port)
      const junk = Buffer.alloc(64)
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(Math.random() * 256)
      socket.write(junk)
      socket.end()
    }
    const { socket, reader } = await client(port)
    socket.write(sizePrefixed(Buffer.from('0:alive')))
    expect((await reader.next())[0].toString()).toBe('alive')
  })

  it('waits for the rest of a truncated frame', async () => {
    const { port } = await start()
    const { socket, reader } = await client(port)
    const f = sizePrefixed(Buffer.from('0:split'))
    socket.write(f.subarray(0, 3))
    await new Promise((r) => setTimeout(r, 30))
    socket.write(f.subarray(3, 6))
    await new Promise((r) => setTimeout(r, 30))
    expect(reader.received).toBe(0)
    socket.write(f.subarray(6))
    expect((await reader.next())[0].toString()).toBe('split')
  })

  it('reaps idle connections, but not one waiting for a response', async () => {
    const { port } = await start({ idleTimeoutMs: 150 })
    const idle = await client(port)
    const busy = await client(port)
    busy.socket.write(sizePrefixed(Buffer.from('400:late')))
    expect(await waitForClose(idle.socket, 2000)).toBe(true)
    expect((await busy.reader.next())[0].toString()).toBe('late')
    expect(await waitForClose(busy.socket, 2000)).toBe(true)
  })

  it('stops reading while too many requests are in flight', async () => {
    let calls = 0
    const release: (() => void)[] = []
    const processor: RequestProcessor = (frame) => {
      calls++
      return new Promise((resolve) => release.push(() => resolve([sizePrefixed(frame)])))
    }
    const { port } = await start({ processor, maxInFlightPerConnection: 2 })
    const { socket, reader } = await client(port)
    socket.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => sizePrefixed(Buffer.from(String(i))))))
    await new Promise((r) => setTimeout(r, 50))
    expect(calls).toBe(2)
    while (reader.received + release.length < 10 || release.length > 0) {
      release.shift()?.()
      await new Promise((r) => setTimeout(r, 5))
    }
    const frames = await reader.next(10)
    expect(frames.map((f) => f.toString())).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(calls).toBe(10)
  })

  it('stops reading while the client does not read its responses', async () => {
    let calls = 0
    const big = Buffer.alloc(1024 * 1024, 1)
    const processor: RequestProcessor = () => {
      calls++
      return [sizePrefixed(big)]
    }
    const { port } = await start({ processor, writeHighWaterMark: 1024 * 1024 })
    const socket = await connectTo(port)
    sockets.push(socket)
    socket.pause()
    const n = 64
    socket.write(Buffer.concat(Array.from({ length: n }, () => sizePrefixed(Buffer.from('x')))))
    await new Promise((r) => setTimeout(r, 200))
    // Kernel buffers absorb a few responses; far from all 64 (64 MiB).
    expect(calls).toBeLessThan(n / 2)
    const reader = new FrameReader(socket)
    socket.resume()
    const frames = await reader.next(n, 20_000)
    expect(frames).toHaveLength(n)
    expect(calls).toBe(n)
  })

  it('does not allocate declared-but-unsent frame sizes', async () => {
    const { port } = await start({ maxRequestBytes: 100 * 1024 * 1024 })
    const before = process.memoryUsage().arrayBuffers
    const conns = await Promise.all(Array.from({ length: 50 }, () => client(port)))
    const size = Buffer.alloc(4)
    size.writeInt32BE(100 * 1024 * 1024 - 1)
    for (const c of conns) c.socket.write(Buffer.concat([size, Buffer.from('partial')]))
    await new Promise((r) => setTimeout(r, 200))
    // 50 x 100 MiB declared; a broker that pre-allocated would hold ~5 GiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024)
    // Oversized declarations close at once.
    const over = await client(port)
    const huge = Buffer.alloc(4)
    huge.writeInt32BE(0x7fffffff)
    over.socket.write(huge)
    expect(await waitForClose(over.socket)).toBe(true)
  })

  it('stops gracefully: in-flight requests finish, then connections close', async () => {
    const { port, server } = await start()
    const { socket, reader } = await client(port)
    socket.write(sizePrefixed(Buffer.from('150:finished')))
    await new Promise((r) => setTimeout(r, 20))
    const stopped = server.stop({ timeoutMs: 2000 })
    expect((await reader.next())[0].toString()).toBe('finished')
    expect(await waitForClose(socket)).toBe(true)
    await stopped
    await expect(connectTo(port)).rejects.toThrow()
  })

  it('does not wait for a peer that never closes its side', async () => {
    const { port, server } = await start()
    const socket = await new Promise<Socket>((resolve) => {
      const s: Socket = createConnection({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s))
    })
    sockets.push(socket)
    socket.on('error', () => {})
    const t0 = Date.now()
    await server.stop({ timeoutMs: 10_000 })
    expect(Date.now() - t0).toBeLessThan(3000)
  })

  it('destroys connections still busy at the stop deadline', async () => {
    const { port, server } = await start()
    const { socket } = await client(port)
    socket.write(sizePrefixed(Buffer.from('10000:never')))
    await new Promise((r) => setTimeout(r, 20))
    const t0 = Date.now()
    await server.stop({ timeoutMs: 100 })
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(await waitForClose(socket)).toBe(true)
  })
})
