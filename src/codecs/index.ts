// Record batch codecs (attribute bits 0-2 of a magic-2 batch). Used off the hot path only: the
// cleaner, LogAppendTime recompression, topic-level compression.type, and record iteration.
//
// compress/decompress are async (gzip runs on the thread pool; zstd initialises lazily).
// compressSync/decompressSync need `await initCodecs()` once first (for zstd).
import { CodecError, DEFAULT_MAX_DECOMPRESSED_BYTES } from './codec-error.js'
import { gzipCompress, gzipCompressSync, gzipDecompress, gzipDecompressSync } from './gzip.js'
import { lz4Compress, lz4Decompress } from './lz4.js'
import { snappyCompress, snappyDecompress } from './snappy.js'
import { initZstd, zstdCompress, zstdDecompress } from './zstd.js'

export { CodecError, DEFAULT_MAX_DECOMPRESSED_BYTES } from './codec-error.js'

/** Codec ids as stored in the batch attributes (Kafka's CompressionType ids). */
export const CompressionCodec = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const
export type CompressionCodecId = (typeof CompressionCodec)[keyof typeof CompressionCodec]

export const codecNames: Readonly<Record<CompressionCodecId, 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'>> = {
  0: 'none', 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd',
}

/**
 * Maps a topic compression.type to the codec id batches are rewritten with; null for 'producer'
 * (keep what the producer sent).
 */
export function codecForCompressionType(type: string): CompressionCodecId | null {
  switch (type) {
    case 'producer': return null
    case 'uncompressed': return CompressionCodec.NONE
    case 'gzip': return CompressionCodec.GZIP
    case 'snappy': return CompressionCodec.SNAPPY
    case 'lz4': return CompressionCodec.LZ4
    case 'zstd': return CompressionCodec.ZSTD
    default: throw new Error(`unknown compression type ${type}`)
  }
}

export interface CompressOptions {
  /** Codec level (compression.gzip.level / compression.zstd.level); lz4 and snappy ignore it. */
  level?: number
}

export interface DecompressOptions {
  /** Refuse output larger than this (decompression bombs); default 256 MiB. */
  maxBytes?: number
}

/** Loads what needs asynchronous set-up (the zstd wasm module). Idempotent. */
export function initCodecs(): Promise<void> {
  return initZstd()
}

function checkCodec(codec: number): asserts codec is CompressionCodecId {
  if (!Number.isInteger(codec) || codec < 0 || codec > 4) throw new CodecError(`unknown compression codec ${codec}`)
}

export function compressSync(codec: number, buf: Buffer, opts: CompressOptions = {}): Buffer {
  checkCodec(codec)
  switch (codec) {
    case CompressionCodec.NONE: return buf
    case CompressionCodec.GZIP: return gzipCompressSync(buf, opts)
    case CompressionCodec.SNAPPY: return snappyCompress(buf)
    case CompressionCodec.LZ4: return lz4Compress(buf)
    case CompressionCodec.ZSTD: return zstdCompress(buf, opts)
  }
}

/** Throws CodecError for malformed data or output over the limit. */
export function decompressSync(codec: number, buf: Buffer, opts: DecompressOptions = {}): Buffer {
  checkCodec(codec)
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES
  switch (codec) {
    case CompressionCodec.NONE: return buf
    case CompressionCodec.GZIP: return gzipDecompressSync(buf, maxBytes)
    case CompressionCodec.SNAPPY: return snappyDecompress(buf, maxBytes)
    case CompressionCodec.LZ4: return lz4Decompress(buf, maxBytes)
    case CompressionCodec.ZSTD: return zstdDecompress(buf, maxBytes)
  }
}

export async function compress(codec: number, buf: Buffer, opts: CompressOptions = {}): Promise<Buffer> {
  checkCodec(codec)
  if (codec === CompressionCodec.GZIP) return gzipCompress(buf, opts)
  if (codec === CompressionCodec.ZSTD) await initZstd()
  return compressSync(codec, buf, opts)
}

export async function decompress(codec: number, buf: Buffer, opts: DecompressOptions = {}): Promise<Buffer> {
  checkCodec(codec)
  if (codec === CompressionCodec.GZIP) return gzipDecompress(buf, opts.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES)
  if (codec === CompressionCodec.ZSTD) await initZstd()
  return decompressSync(codec, buf, opts)
}
