// The crash test's producer: an idempotent producer on the raw protocol that keeps several
// Produce requests (one batch per partition, acks=-1) in flight. Record n of a partition has
// sequence number n, so after a crash the unanswered requests can be sent again unchanged:
// the broker must append what it lost and answer what it kept with the original offset.
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js'
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js'
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js'
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js'
import { buildRecordBatch } from '../../src/protocol/record-batch.js'
import type { PipelinedKafkaClient } from './pipelined-client.js'

export interface Ack {
  partition: number
  baseOffset: number
  /** the record numbers of the acknowledged batch */
  ns: number[]
}

interface InFlightRequest {
  id: number
  ns: number[][]
  batches: Buffer[]
}

export const recordKey = (partition: number, n: number): Buffer => Buffer.from(`p${partition}-n${n}`)

export class IdempotentLoad {
  /** every record ever sent, by partition and record number n */
  readonly sent: Map<number, { key: Buffer; value: Buffer }>[]
  readonly nextN: number[]
  readonly acked: Ack[] = []
  /** partition-level errors the broker answered with (none expected) */
  readonly brokerErrors: string[] = []
  ackedRecords = 0
  /** sent but not answered, in send order */
  private readonly unanswered = new Map<number, InFlightRequest>()
  private nextRequestId = 0
  private producerId = -1
  private producerEpoch = -1

  constructor(
    readonly topic: string,
    readonly partitions: number,
    readonly recordsPerBatch: number,
  ) {
    this.sent = Array.from({ length: partitions }, () => new Map())
    this.nextN = Array<number>(partitions).fill(0)
  }

  get unansweredRequests(): number {
    return this.unanswered.size
  }

  maxAckedOffset(partition: number): number {
    let max = -1
    for (const a of this.acked) if (a.partition === partition) max = Math.max(max, a.baseOffset + a.ns.length - 1)
    return max
  }

  async initProducerId(client: PipelinedKafkaClient): Promise<void> {
    const res = await client.request(InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })
    if (res.errorCode !== 0) throw new Error(`InitProducerId: error ${res.errorCode}`)
    this.producerId = res.producerId
    this.producerEpoch = res.producerEpoch
  }

  /** Sends the requests a crash left unanswered again, unchanged and in order; waits for all. */
  async resendUnanswered(client: PipelinedKafkaClient): Promise<number> {
    const requests = [...this.unanswered.values()]
    await Promise.all(requests.map((r) => this.send(client, r)))
    return requests.length
  }

  /** Keeps `inFlight` requests going until the connection dies; resolves with why it stopped. */
  async run(client: PipelinedKafkaClient, opts: { inFlight: number; round: number }): Promise<Error> {
    let stopped: Error | null = null
    const pending = new Set<Promise<void>>()
    while (!stopped) {
      while (pending.size < opts.inFlight && !stopped) {
        const p: Promise<void> = this.send(client, this.nextRequest(opts.round)).catch((err: Error) => {
          stopped ??= err
        })
        pending.add(p)
        void p.finally(() => pending.delete(p))
      }
      await Promise.race(pending)
    }
    await Promise.all(pending)
    return stopped
  }

  private nextRequest(round: number): InFlightRequest {
    const ns: number[][] = []
    const batches: Buffer[] = []
    for (let p = 0; p < this.partitions; p++) {
      ns[p] = Array.from({ length: this.recordsPerBatch }, () => this.nextN[p]++)
      const records = ns[p].map((n) => {
        const r = { key: recordKey(p, n), value: Buffer.from(`round-${round} partition-${p} n-${n} ${'v'.repeat(n % 64)}`) }
        this.sent[p].set(n, r)
        return { ...r, timestampMs: Date.now(), headers: [{ key: 'n', value: Buffer.from(String(n)) }] }
      })
      batches[p] = buildRecordBatch(records, { producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: ns[p][0] })
    }
    const req = { id: this.nextRequestId++, ns, batches }
    this.unanswered.set(req.id, req)
    return req
  }

  private async send(client: PipelinedKafkaClient, req: InFlightRequest): Promise<void> {
    const partitionData = req.batches.map((records, index) => ({ index, records }))
    const res = await client.request(ProduceRequest, ProduceResponse, 7, { transactionalId: null, acks: -1, timeoutMs: 30_000, topicData: [{ name: this.topic, partitionData }] })
    this.unanswered.delete(req.id)
    for (const pr of res.responses[0].partitionResponses) {
      if (pr.errorCode !== 0) {
        this.brokerErrors.push(`partition ${pr.index} n=${req.ns[pr.index][0]}..: error ${pr.errorCode} ${pr.errorMessage}`)
        continue
      }
      this.acked.push({ partition: pr.index, baseOffset: pr.baseOffset, ns: req.ns[pr.index] })
      this.ackedRecords += req.ns[pr.index].length
    }
  }
}
