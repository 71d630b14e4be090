// Reads of an accepted socket into buffers we choose. Node offers this for sockets it creates
// (`new net.Socket({ onread: { buffer: () => Buffer, callback } })`: after each read the
// function names the buffer for the next one), but net.Server builds accepted sockets itself
// without it. installReadTarget() applies the same setup that option performs, on a socket
// that is already reading: the same three per-socket slots and the handle's useUserBuffer().
// When this Node lays sockets out differently (or the socket has no such handle, e.g. TLS) it
// changes nothing and returns false, and the caller keeps using 'data' events.
import type { Socket } from 'node:net'

export interface ReadTarget {
  /** The buffer the next read fills (called once now, then after every read). */
  nextReadBuffer(): Buffer
  /** `n` bytes arrived in the buffer last returned by nextReadBuffer(). */
  onRead(n: number): void
}

interface UserBufferHandle {
  useUserBuffer(buf: Uint8Array): void
}

type Slots = Record<symbol, unknown>

function slot(socket: Socket, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(socket).find((s) => s.description === description)
}

/**
 * Routes the socket's reads into `target`; `afterRead` runs after each read has been handed
 * over. Pausing and resuming the socket keep working (they stop and restart the handle's reads).
 */
export function installReadTarget(socket: Socket, target: ReadTarget, afterRead: () => void): boolean {
  if (process.env.BROOK_SOCKET_READS === 'data') return false
  const kBuffer = slot(socket, 'kBuffer')
  const kBufferCb = slot(socket, 'kBufferCb')
  const kBufferGen = slot(socket, 'kBufferGen')
  const handle = (socket as unknown as { _handle?: Partial<UserBufferHandle> | null })._handle
  const s = socket as unknown as Slots
  if (kBuffer === undefined || kBufferCb === undefined || kBufferGen === undefined) return false
  // All three must be the unused defaults, or this is not the layout we know.
  if (s[kBuffer] !== null || s[kBufferCb] !== null || s[kBufferGen] !== null) return false
  if (typeof handle?.useUserBuffer !== 'function') return false
  const first = target.nextReadBuffer()
  s[kBufferGen] = () => target.nextReadBuffer()
  s[kBufferCb] = (n: number) => {
    target.onRead(n)
    afterRead()
    // Reading is paused through socket.pause(), never by this return value.
    return true
  }
  s[kBuffer] = first
  handle.useUserBuffer(first)
  return true
}
