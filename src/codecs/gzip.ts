// gzip: a standard gzip stream (RFC 1952), as Kafka's Java client and librdkafka write it.
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { CodecError } from './codec-error.js'

const gzipAsync = promisify(zlib.gzip)
const gunzipAsync = promisify(zlib.gunzip)

export interface GzipOptions {
  /** 1..9, or -1 for zlib's default (Kafka's compression.gzip.level). */
  level?: number
}

function zlibLevel(level: number | undefined): number {
  return level === undefined || level === -1 ? zlib.constants.Z_DEFAULT_COMPRESSION : level
}

export function gzipCompressSync(buf: Buffer, opts: GzipOptions = {}): Buffer {
  return zlib.gzipSync(buf, { level: zlibLevel(opts.level) })
}

export async function gzipCompress(buf: Buffer, opts: GzipOptions = {}): Promise<Buffer> {
  return gzipAsync(buf, { level: zlibLevel(opts.level) })
}

export function gzipDecompressSync(buf: Buffer, maxBytes: number): Buffer {
  try {
    return zlib.gunzipSync(buf, { maxOutputLength: maxBytes })
  } catch (err) {
    throw new CodecError(`gzip: ${(err as Error).message}`)
  }
}

/** Runs on libuv's thread pool, so a large batch does not block the event loop. */
export async function gzipDecompress(buf: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await gunzipAsync(buf, { maxOutputLength: maxBytes })
  } catch (err) {
    throw new CodecError(`gzip: ${(err as Error).message}`)
  }
}
