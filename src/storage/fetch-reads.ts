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

export async function readPartitions(requests: readonly PartitionReadRequest[], opts: { maxBytes: number }): Promise<ReadResult[]> {
  const results = new Array<ReadResult>(requests.length)
  let remaining = Math.max(0, opts.maxBytes)
  let haveData = false
  let i = 0
  while (i < requests.length) {
    const wave: number[] = []
    let planned = 0
    while (i < requests.length && (wave.length === 0 || planned + requests[i].maxBytes <= remaining)) {
      planned += requests[i].maxBytes
      wave.push(i++)
    }
    const minOneMessage = !haveData
    const reads = await Promise.all(
      wave.map((j) => requests[j].log.read(requests[j].fetchOffset, { maxBytes: Math.min(requests[j].maxBytes, remaining), minOneMessage })),
    )
    for (let k = 0; k < wave.length; k++) {
      const r = reads[k]
      const size = r.records?.length ?? 0
      if (size > 0 && haveData && size > remaining) {
        // Over budget: leave it for the next fetch.
        results[wave[k]] = { ...r, records: EMPTY }
        continue
      }
      if (size > 0) {
        haveData = true
        remaining = Math.max(0, remaining - size)
      }
      results[wave[k]] = r.records ? r : { ...r, records: EMPTY }
    }
  }
  return results
}
