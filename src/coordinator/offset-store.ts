// Committed offsets in memory: group -> topic -> partition -> OffsetAndMetadata. Writes
// are applied here when they are issued (so later operations see them, as Kafka's
// timeline structures do) and the caller answers only after the log append resolves.
import type { OffsetCommitValue } from './records.js'

export type OffsetAndMetadata = OffsetCommitValue

export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, Map<number, OffsetAndMetadata>>>()

  get(groupId: string, topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.byGroup.get(groupId)?.get(topic)?.get(partition)
  }

  put(groupId: string, topic: string, partition: number, value: OffsetAndMetadata): OffsetAndMetadata | undefined {
    let topics = this.byGroup.get(groupId)
    if (!topics) { topics = new Map(); this.byGroup.set(groupId, topics) }
    let partitions = topics.get(topic)
    if (!partitions) { partitions = new Map(); topics.set(topic, partitions) }
    const previous = partitions.get(partition)
    partitions.set(partition, value)
    return previous
  }

  remove(groupId: string, topic: string, partition: number): OffsetAndMetadata | undefined {
    const topics = this.byGroup.get(groupId)
    const partitions = topics?.get(topic)
    if (!topics || !partitions) return undefined
    const previous = partitions.get(partition)
    partitions.delete(partition)
    if (partitions.size === 0) topics.delete(topic)
    if (topics.size === 0) this.byGroup.delete(groupId)
    return previous
  }

  // Puts back what was there before a write whose append failed, unless a later write
  // has replaced it since.
  restore(groupId: string, topic: string, partition: number, written: OffsetAndMetadata | null, previous: OffsetAndMetadata | undefined): void {
    const current = this.get(groupId, topic, partition)
    if ((current ?? null) !== written) return
    if (previous === undefined) this.remove(groupId, topic, partition)
    else this.put(groupId, topic, partition, previous)
  }

  groupOffsets(groupId: string): Map<string, Map<number, OffsetAndMetadata>> | undefined {
    return this.byGroup.get(groupId)
  }

  hasOffsets(groupId: string): boolean {
    return this.byGroup.has(groupId)
  }

  groupIds(): string[] {
    return [...this.byGroup.keys()]
  }

  // Every (group, partition) with an offset for this topic.
  partitionsOfTopic(topic: string): { groupId: string; partition: number }[] {
    const found: { groupId: string; partition: number }[] = []
    for (const [groupId, topics] of this.byGroup) {
      const partitions = topics.get(topic)
      if (partitions) for (const p of partitions.keys()) found.push({ groupId, partition: p })
    }
    return found
  }
}
