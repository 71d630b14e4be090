// Reads many partitions under one response byte budget (Fetch): partitions are read in request
// order and in parallel waves that fit the remaining budget. As in Kafka, the first partition
// that has data may return one whole batch larger than the limits (KIP-74); data past the
// budget is dropped (the client fetches it again).
import type { PartitionLog, ReadResult } from './partition-log.js'

export interface PartitionReadRequest {
  log: PartitionLog
  fetchOffset: number
  /** Per-partition limit (Fetch PartitionMaxBytes). */
  maxBytes: number
}

const EMPTY = Buffer.alloc(0)

/** Budget state carried from wave to wave. */
interface Budget {
  remaining: number
  haveData: boolean
}

/** The indexes of the next wave: at least one request, then as many as the budget plans for. */
function nextWave(requests: readonly PartitionReadRequest[], from: number, remaining: number): number {
  let i = from
  let planned = 0
  while (i < requests.length && (i === from || planned + requests[i].maxBytes <= remaining)) {
    planned += requests[i].maxBytes
    i++
  }
  return i
}

/** Applies one wave's reads (requests [from, to)) to the results and the budget. */
function applyWave(results: ReadResult[], reads: readonly ReadResult[], from: number, budget: Budget): void {
  for (let k = 0; k < reads.length; k++) {
    const r = reads[k]
    const size = r.records?.length ?? 0
    if (size > 0 && budget.haveData && size > budget.remaining) {
      // Over budget: leave it for the next fetch.
      results[from + k] = { ...r, records: EMPTY }
      continue
    }
    if (size > 0) {
      budget.haveData = true
      budget.remaining = Math.max(0, budget.remaining - size)
    }
    results[from + k] = r.records ? r : { ...r, records: EMPTY }
  }
}

/** opts.alloc: buffers for the file reads (see PartitionLog.read). */
export async function readPartitions(requests: readonly PartitionReadRequest[], opts: { maxBytes: number; alloc?: (length: number) => Buffer }): Promise<ReadResult[]> {
  const results = new Array<ReadResult>(requests.length)
  const budget: Budget = { remaining: Math.max(0, opts.maxBytes), haveData: false }
  let i = 0
  while (i < requests.length) {
    const end = nextWave(requests, i, budget.remaining)
    const minOneMessage = !budget.haveData
    const wave: Promise<ReadResult>[] = []
    for (let j = i; j < end; j++) {
      wave.push(requests[j].log.read(requests[j].fetchOffset, { maxBytes: Math.min(requests[j].maxBytes, budget.remaining), minOneMessage, alloc: opts.alloc }))
    }
    applyWave(results, await Promise.all(wave), i, budget)
    i = end
  }
  return results
}

/**
 * readPartitions() answered at once when no partition needs I/O (nothing new, or only the tail
 * held in memory): the same results, no promises. undefined when some read needs the file.
 */
export function readPartitionsNow(requests: readonly PartitionReadRequest[], opts: { maxBytes: number }): ReadResult[] | undefined {
  const results = new Array<ReadResult>(requests.length)
  const budget: Budget = { remaining: Math.max(0, opts.maxBytes), haveData: false }
  let i = 0
  while (i < requests.length) {
    const end = nextWave(requests, i, budget.remaining)
    const minOneMessage = !budget.haveData
    const wave: ReadResult[] = []
    for (let j = i; j < end; j++) {
      const r = requests[j].log.readNow(requests[j].fetchOffset, { maxBytes: Math.min(requests[j].maxBytes, budget.remaining), minOneMessage })
      if (r === undefined) return undefined
      wave.push(r)
    }
    applyWave(results, wave, i, budget)
    i = end
  }
  return results
}
