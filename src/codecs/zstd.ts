// zstd via @bokuweb/zstd-wasm: the zstd C library compiled to WebAssembly, so it installs with no
// native build or download step and runs the same on every platform. It needs a one-time async
// initialisation (initZstd); after that compress/decompress are synchronous.
//
// Kafka's Java client and librdkafka stream their zstd frames, so the frame often does not
// record its decompressed size; the wasm build only has one-shot ZSTD_decompress, so for those
// frames we retry with a growing output buffer up to the caller's limit.
import { createRequire } from 'node:module'
import { CodecError } from './codec-error.js'

interface ZstdWasm {
  init(): Promise<void>
  compress(buf: Uint8Array, level?: number): Uint8Array
  decompress(buf: Uint8Array, opts?: { defaultHeapSize: number }): Uint8Array
}

let zstd: ZstdWasm | null = null
let initializing: Promise<void> | null = null

export function initZstd(): Promise<void> {
  if (zstd) return Promise.resolve()
  initializing ??= (async () => {
    // the package's ESM build is not loadable by Node; its CommonJS build is
    const mod = createRequire(import.meta.url)('@bokuweb/zstd-wasm') as ZstdWasm
    await mod.init()
    zstd = mod
  })()
  return initializing
}

export function isZstdReady(): boolean {
  return zstd !== null
}

function lib(): ZstdWasm {
  if (!zstd) throw new Error('zstd is not initialised: await initCodecs() first')
  return zstd
}

const ZSTD_MAGIC = 0xfd2fb528

/** Frame content size from the first frame header, or null when the frame does not record it. */
export function zstdFrameContentSize(buf: Buffer): number | null {
  if (buf.length < 6 || buf.readUInt32LE(0) !== ZSTD_MAGIC) return null
  const fhd = buf[4]
  const fcsFlag = fhd >>> 6
  const singleSegment = (fhd & 0x20) !== 0
  const dictIdFlag = fhd & 0x03
  let pos = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictIdFlag]
  const fcsSize = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]
  if (fcsSize === 0) return null
  if (pos + fcsSize > buf.length) return null
  switch (fcsSize) {
    case 1: return buf[pos]
    case 2: return buf.readUInt16LE(pos) + 256
    case 4: return buf.readUInt32LE(pos)
    default: return Number(buf.readBigUInt64LE(pos))
  }
}

export function zstdCompress(buf: Buffer, opts: { level?: number } = {}): Buffer {
  const out = lib().compress(buf, opts.level ?? 3)
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength)
}

export function zstdDecompress(buf: Buffer, maxBytes: number): Buffer {
  const z = lib()
  if (buf.length < 4 || buf.readUInt32LE(0) !== ZSTD_MAGIC) throw new CodecError('zstd: bad magic')
  // The wasm helper would trust a broken header's size blindly: reject reserved bits first.
  if (buf.length < 5 || (buf[4] & 0x08) !== 0) throw new CodecError('zstd: bad frame header')
  const declared = zstdFrameContentSize(buf)
  if (declared !== null && declared > maxBytes) throw new CodecError(`zstd: decompressed size exceeds limit ${maxBytes}`)
  // Our own first guess: the declared size when there is one (the library ignores our heap size
  // then), else a multiple of the input. Grow on failure; a corrupt frame fails at every size.
  let capacity = Math.min(maxBytes, Math.max(64 << 10, buf.length * 8))
  let lastError = ''
  for (;;) {
    try {
      const out = z.decompress(buf, { defaultHeapSize: capacity })
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength)
    } catch (err) {
      lastError = (err as Error).message
    }
    if (declared !== null || capacity >= maxBytes) break
    capacity = Math.min(maxBytes, capacity * 4)
  }
  throw new CodecError(`zstd: cannot decompress (${lastError})`)
}
