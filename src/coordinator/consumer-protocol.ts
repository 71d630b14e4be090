// Reads the subscribed topics out of a "consumer" protocol subscription (the metadata of
// JoinGroup protocols). Every version of ConsumerProtocolSubscription starts with
// int16 version, then the topics as an int32-counted array of int16-length strings, so
// only that prefix is read; newer fields are ignored.
export function parseSubscribedTopics(metadata: Buffer): string[] | null {
  try {
    let pos = 0
    if (metadata.length < 6) return null
    const version = metadata.readInt16BE(pos); pos += 2
    if (version < 0) return null
    const count = metadata.readInt32BE(pos); pos += 4
    if (count < 0 || count > metadata.length) return null
    const topics: string[] = []
    for (let i = 0; i < count; i++) {
      if (pos + 2 > metadata.length) return null
      const len = metadata.readInt16BE(pos); pos += 2
      if (len < 0 || pos + len > metadata.length) return null
      topics.push(metadata.toString('utf8', pos, pos + len)); pos += len
    }
    return topics
  } catch {
    return null
  }
}
