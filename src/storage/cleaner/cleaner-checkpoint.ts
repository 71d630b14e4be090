// The cleaner's progress per partition: `<dataDir>/cleaner-offset-checkpoint`, Kafka's offset
// checkpoint text format (version 0, count, `topic partition offset` lines), written atomically.
// The offset is the first dirty offset: everything below it was cleaned at least once.
import { type FileSystem, writeFileAtomic } from '../fs/file-system.js'
import { formatOffsetCheckpoint, readOffsetCheckpoint } from '../metadata-files.js'
import type { PartitionLog } from '../partition-log.js'

export const CLEANER_CHECKPOINT_FILE = 'cleaner-offset-checkpoint'

export function checkpointKey(log: Pick<PartitionLog, 'topicName' | 'partitionIndex'>): string {
  return `${log.topicName}-${log.partitionIndex}`
}

export class CleanerCheckpoints {
  private readonly offsets = new Map<string, { topic: string; partition: number; offset: number }>()
  private writing: Promise<void> = Promise.resolve()

  private constructor(
    private readonly fs: FileSystem,
    private readonly path: string,
  ) {}

  static async load(fs: FileSystem, root: string): Promise<CleanerCheckpoints> {
    const cp = new CleanerCheckpoints(fs, `${root}/${CLEANER_CHECKPOINT_FILE}`)
    const read = (await readOffsetCheckpoint(fs, cp.path).catch(() => null)) ?? new Map<string, number>()
    for (const [key, offset] of read) {
      const dash = key.lastIndexOf('-')
      cp.offsets.set(key, { topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), offset })
    }
    return cp
  }

  get(log: Pick<PartitionLog, 'topicName' | 'partitionIndex'>): number | undefined {
    return this.offsets.get(checkpointKey(log))?.offset
  }

  /** Records and persists (writes are serialized; the newest state wins). */
  set(log: Pick<PartitionLog, 'topicName' | 'partitionIndex'>, offset: number): Promise<void> {
    this.offsets.set(checkpointKey(log), { topic: log.topicName, partition: log.partitionIndex, offset })
    return this.persist()
  }

  remove(logs: readonly Pick<PartitionLog, 'topicName' | 'partitionIndex'>[]): Promise<void> {
    let changed = false
    for (const log of logs) changed = this.offsets.delete(checkpointKey(log)) || changed
    return changed ? this.persist() : this.writing
  }

  private persist(): Promise<void> {
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => writeFileAtomic(this.fs, this.path, formatOffsetCheckpoint([...this.offsets.values()])))
    return this.writing
  }
}
