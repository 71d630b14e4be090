// Kafka framing: every request and response is an int32 byte count followed by that many bytes.
import { DecodeError } from './reader.js'
import type { Writer } from './writer.js'

export const FRAME_HEADER_BYTES = 4

/**
 * Starts a frame in `w` (which should be empty or positioned at a frame boundary): writes a size
 * placeholder and returns a function that patches it once the frame body has been written.
 */
export function beginFrame(w: Writer): () => void {
  const start = w.length
  const setSize = w.reserveInt32()
  return () => setSize(w.length - start - FRAME_HEADER_BYTES)
}

/** One contiguous frame (size prefix + payload); copies, so for tests and cold paths. */
export function frame(payload: Buffer | Buffer[]): Buffer {
  const parts = Array.isArray(payload) ? payload : [payload]
  let size = 0
  for (const p of parts) size += p.length
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + size)
  out.writeInt32BE(size, 0)
  let pos = FRAME_HEADER_BYTES
  for (const p of parts) pos += p.copy(out, pos)
  return out
}

/**
 * Size of the frame starting at buf[pos], or -1 if fewer than 4 bytes are available.
 * Throws DecodeError for a negative size.
 */
export function peekFrameSize(buf: Buffer, pos = 0): number {
  if (buf.length - pos < FRAME_HEADER_BYTES) return -1
  const size = buf.readInt32BE(pos)
  if (size < 0) throw new DecodeError(`negative frame size ${size}`)
  return size
}

/**
 * Splits complete frames off the front of `buf`: returns the payloads (views, no copy) and the
 * offset of the first byte not consumed. Throws DecodeError for a negative or too-large size, so a
 * caller can close the connection before buffering an oversized frame.
 */
export function splitFrames(buf: Buffer, opts: { maxFrameBytes: number }): { frames: Buffer[]; consumed: number } {
  const frames: Buffer[] = []
  let pos = 0
  for (;;) {
    const size = peekFrameSize(buf, pos)
    if (size < 0) break
    if (size > opts.maxFrameBytes) throw new DecodeError(`frame of ${size} bytes exceeds the limit of ${opts.maxFrameBytes}`)
    if (buf.length - pos - FRAME_HEADER_BYTES < size) break
    frames.push(buf.subarray(pos + FRAME_HEADER_BYTES, pos + FRAME_HEADER_BYTES + size))
    pos += FRAME_HEADER_BYTES + size
  }
  return { frames, consumed: pos }
}
