// Fetch requests as a plain consumer sends them (no wait, no fetch session, no rack), for the
// tests that fetch with a raw client.
import type { FetchRequest, FetchRequestFetchPartition } from '../../src/protocol/generated/fetch-request.js'

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

/** A consumer's Fetch of `topics`; `overrides` replace any field. */
export function consumerFetch(topics: FetchRequest['topics'], overrides: Partial<FetchRequest> = {}): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 50 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics,
    forgottenTopicsData: [],
    rackId: '',
    ...overrides,
  }
}

/** One partition of a Fetch from fetchOffset, leader epoch and log start unknown (-1). */
export function fetchPartition(partition: number, fetchOffset: number, opts: { partitionMaxBytes?: number; currentLeaderEpoch?: number } = {}): FetchRequestFetchPartition {
  return {
    partition,
    currentLeaderEpoch: opts.currentLeaderEpoch ?? -1,
    fetchOffset,
    lastFetchedEpoch: -1,
    logStartOffset: -1,
    partitionMaxBytes: opts.partitionMaxBytes ?? 1024 * 1024,
    replicaDirectoryId: ZERO_UUID,
  }
}
