// Producer ids for InitProducerId: monotonically increasing, reserved in persisted blocks so a
// restart never hands out an id again (Kafka's ProducerIdManager takes blocks of 1000 from the
// controller). The next block is reserved in the background when half of the current one is
// used; nextProducerId() stays synchronous.
import type { Logger } from '../logger.js'
import { type FileSystem, writeFileAtomic } from './fs/file-system.js'

export const PRODUCER_ID_BLOCK_SIZE = 1000

interface ProducerIdsFileV1 {
  version: 1
  /** Every id below this may have been handed out. */
  nextBlockStart: number
}

export class ProducerIdManager {
  private next: number
  /** End (exclusive) of the ids covered by the persisted reservation. */
  private reservedEnd: number
  private reserving: Promise<void> | null = null

  private constructor(
    private readonly fs: FileSystem | null,
    private readonly path: string | null,
    private readonly logger: Logger,
    start: number,
  ) {
    this.next = start
    this.reservedEnd = start
  }

  /** fs/path null: memory-only, nothing persisted. */
  static async open(fs: FileSystem | null, path: string | null, logger: Logger): Promise<ProducerIdManager> {
    let start = 0
    if (fs && path && (await fs.stat(path))) {
      const parsed = JSON.parse((await fs.readFile(path)).toString('utf8')) as ProducerIdsFileV1
      if (parsed.version !== 1 || !Number.isSafeInteger(parsed.nextBlockStart)) throw new Error(`${path}: unsupported producer id file`)
      start = parsed.nextBlockStart
    }
    const m = new ProducerIdManager(fs, path, logger, start)
    await m.reserve()
    return m
  }

  /** Never hand out ids at or below one already seen in a log (belt and braces after data loss). */
  async ensureAbove(producerId: number): Promise<void> {
    if (producerId < this.next) return
    this.next = producerId + 1
    if (this.next >= this.reservedEnd) await this.reserve()
  }

  nextProducerId(): number {
    const id = this.next++
    if (this.reservedEnd - this.next < PRODUCER_ID_BLOCK_SIZE / 2 && !this.reserving) {
      this.reserving = this.reserve()
        .catch((err) => this.logger.error({ err }, 'persisting the producer id block failed'))
        .finally(() => {
          this.reserving = null
        })
    }
    return id
  }

  private async reserve(): Promise<void> {
    const end = Math.max(this.reservedEnd, this.next) + PRODUCER_ID_BLOCK_SIZE
    if (this.fs && this.path) {
      const body: ProducerIdsFileV1 = { version: 1, nextBlockStart: end }
      await writeFileAtomic(this.fs, this.path, `${JSON.stringify(body)}\n`)
    }
    this.reservedEnd = Math.max(this.reservedEnd, end)
  }
}
