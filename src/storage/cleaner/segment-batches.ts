// Reads the whole batches of an inactive segment in large positional reads, for the cleaner.
// The segment is pinned while it is read (retention or a swap may drop it from the log meanwhile;
// the open file stays readable). The visitor may be async (decompression) and every ~slice the
// loop yields to the event loop so produce and fetch keep their latency.
import { batchSize, HEADER_SIZE, LENGTH, LOG_OVERHEAD, MAGIC } from '../batch-format.js'
import type { LogSegment } from '../log-segment.js'
import type { CleanerPacer } from './pacer.js'

export interface SegmentBatchVisit {
  /** The whole batch (a view into the read chunk). */
  batch: Buffer
  /** File position of the batch. */
  position: number
}

/**
 * Calls `visit` for each batch of `seg` from file position `from` to its size, in order.
 * Stops early when visit returns false. A torn or corrupt tail ends the walk (recovery owns those).
 */
export async function forEachSegmentBatch(
  seg: LogSegment,
  from: number,
  opts: { chunkBytes: number; pacer: CleanerPacer },
  visit: (v: SegmentBatchVisit) => boolean | void | Promise<boolean | void>,
): Promise<void> {
  const handle = await seg.acquire()
  try {
    const limit = seg.size
    let pos = from
    while (pos < limit) {
      opts.pacer.checkAborted()
      let chunk = await handle.read(pos, Math.min(opts.chunkBytes, limit - pos))
      if (chunk.length < HEADER_SIZE) return
      let off = 0
      let progressed = false
      while (off < chunk.length) {
        if (off + HEADER_SIZE > chunk.length) {
          if (progressed) break
          return
        }
        const length = chunk.readInt32BE(off + LENGTH)
        const size = length + LOG_OVERHEAD
        if (size < HEADER_SIZE || chunk[off + MAGIC] !== 2) return
        if (off + size > chunk.length) {
          if (progressed) break
          // One batch larger than the chunk: read exactly it.
          if (pos + size > limit) return
          chunk = await handle.read(pos, size)
          if (chunk.length < size) return
          off = 0
        }
        const r = await visit({ batch: chunk.subarray(off, off + size), position: pos + off })
        if (r === false) return
        off += batchSize(chunk, off)
        progressed = true
        await opts.pacer.tick(size)
      }
      pos += off
    }
  } finally {
    seg.release()
  }
}
