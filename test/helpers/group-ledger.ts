// Bookkeeping for the consumer-group scenarios (groups-kafkajs, groups-platformatic): every
// message a member committed (recorded only once the commit succeeded), how many messages were
// produced, and members running in child processes so that they can die without leaving.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface Commit {
  consumer: string
  partition: number
  offset: number
}

export class GroupLedger {
  readonly committed: Commit[] = []
  /** messages produced so far, all partitions together */
  produced = 0

  /** `perPartition` messages for every partition, valued m-0, m-1, ... across calls. */
  nextMessages(partitions: number, perPartition: number): { partition: number; value: string }[] {
    const messages = []
    for (let p = 0; p < partitions; p++) for (let i = 0; i < perPartition; i++) messages.push({ partition: p, value: `m-${this.produced++}` })
    return messages
  }

  /**
   * Runs `node <nodeArgs>` as consumer `name`; the script prints a JSON line {partition, offset}
   * for every commit that succeeded, and each becomes a commit of `name`.
   */
  spawnConsumer(name: string, nodeArgs: string[]): ChildProcess {
    const child = spawn(process.execPath, nodeArgs, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] })
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const { partition, offset } = JSON.parse(line)
      this.committed.push({ consumer: name, partition, offset })
    })
    return child
  }
}
