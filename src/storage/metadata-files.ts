// Files at the data-dir root. Kafka's own formats where Kafka has the file (meta.properties,
// offset checkpoints, clean-shutdown marker, partition.metadata); Brook's versioned JSON for what
// Kafka keeps in its controller (topics). Formats: protocol-specs/persisted/README.md.
import { randomUUID } from 'node:crypto'
import { parseServerProperties } from '../config/broker-config.js'
import { type FileSystem, writeFileAtomic } from './fs/file-system.js'

export const TOPICS_FILE = 'brook-topics.json'
export const PRODUCER_IDS_FILE = 'brook-producer-ids.json'
export const META_PROPERTIES_FILE = 'meta.properties'
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown'
export const RECOVERY_POINT_FILE = 'recovery-point-offset-checkpoint'
export const LOG_START_OFFSET_FILE = 'log-start-offset-checkpoint'
export const PARTITION_METADATA_FILE = 'partition.metadata'

async function readText(fs: FileSystem, path: string): Promise<string | null> {
  if (!(await fs.stat(path))) return null
  return (await fs.readFile(path)).toString('utf8')
}

// --- topics ---------------------------------------------------------------------------------

export interface StoredTopic {
  name: string
  /** 36-char lowercase UUID. */
  topicId: string
  numPartitions: number
  /** Overrides only, Kafka names. */
  configs: Record<string, string>
}

interface TopicsFileV1 {
  version: 1
  topics: StoredTopic[]
}

export async function readTopicsFile(fs: FileSystem, path: string): Promise<StoredTopic[]> {
  const text = await readText(fs, path)
  if (text === null) return []
  const parsed = JSON.parse(text) as TopicsFileV1
  if (parsed.version !== 1 || !Array.isArray(parsed.topics)) {
    throw new Error(`${path}: unsupported topics file version ${String(parsed.version)}`)
  }
  return parsed.topics
}

export async function writeTopicsFile(fs: FileSystem, path: string, topics: StoredTopic[]): Promise<void> {
  const body: TopicsFileV1 = { version: 1, topics }
  await writeFileAtomic(fs, path, `${JSON.stringify(body, null, 1)}\n`)
}

// --- Kafka offset checkpoint files ----------------------------------------------------------

/** `0\n<count>\n<topic> <partition> <offset>\n...` (Kafka's OffsetCheckpointFile, version 0). */
export function formatOffsetCheckpoint(entries: { topic: string; partition: number; offset: number }[]): string {
  let out = `0\n${entries.length}\n`
  for (const e of entries) out += `${e.topic} ${e.partition} ${e.offset}\n`
  return out
}

/** Map keyed `${topic}-${partition}` (the partition directory name). Malformed files read as empty. */
export function parseOffsetCheckpoint(text: string): Map<string, number> {
  const out = new Map<string, number>()
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  if (lines[0]?.trim() !== '0') return out
  for (const line of lines.slice(2)) {
    const [topic, partition, offset] = line.trim().split(/\s+/)
    if (topic === undefined || partition === undefined || offset === undefined) continue
    const off = Number(offset)
    if (Number.isSafeInteger(off)) out.set(`${topic}-${partition}`, off)
  }
  return out
}

export async function readOffsetCheckpoint(fs: FileSystem, path: string): Promise<Map<string, number> | null> {
  const text = await readText(fs, path)
  return text === null ? null : parseOffsetCheckpoint(text)
}

// --- meta.properties ------------------------------------------------------------------------

export interface MetaProperties {
  clusterId: string
  nodeId: number
  directoryId: string
}

/** Kafka's Uuid.toString(): base64url without padding of the 16 bytes. */
export function uuidToKafkaBase64(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url')
}

export function kafkaBase64ToUuid(id: string): string {
  const hex = Buffer.from(id, 'base64url').toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A random UUID as Kafka draws them: never one whose base64 form starts with '-' (CLI-unfriendly). */
export function randomKafkaUuid(): string {
  for (;;) {
    const u = randomUUID()
    if (!uuidToKafkaBase64(u).startsWith('-')) return u
  }
}

export async function readMetaProperties(fs: FileSystem, path: string): Promise<Partial<MetaProperties> | null> {
  const text = await readText(fs, path)
  if (text === null) return null
  const props = parseServerProperties(text)
  return {
    clusterId: props['cluster.id'],
    nodeId: props['node.id'] === undefined ? undefined : Number(props['node.id']),
    directoryId: props['directory.id'],
  }
}

export async function writeMetaProperties(fs: FileSystem, path: string, meta: MetaProperties): Promise<void> {
  const text =
    `#\n#${new Date().toUTCString()}\n` +
    `cluster.id=${meta.clusterId}\ndirectory.id=${meta.directoryId}\nnode.id=${meta.nodeId}\nversion=1\n`
  await writeFileAtomic(fs, path, text)
}

// --- partition.metadata ---------------------------------------------------------------------

export function formatPartitionMetadata(topicId: string): string {
  return `version: 0\ntopic_id: ${uuidToKafkaBase64(topicId)}\n`
}

/** The topic id (UUID form) in a partition.metadata file, or null. */
export function parsePartitionMetadata(text: string): string | null {
  const m = /^topic_id:\s*(\S+)\s*$/m.exec(text)
  if (!m || !/^version:\s*0\s*$/m.test(text)) return null
  try {
    return kafkaBase64ToUuid(m[1])
  } catch {
    return null
  }
}

// --- clean shutdown marker ------------------------------------------------------------------

export function cleanShutdownContent(): string {
  return JSON.stringify({ version: '0', broker_epoch: '-1' })
}
