// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), as used by record batches (magic 2).
// Ranges of NATIVE_MIN_BYTES or more go to @node-rs/crc32 (SSE4.2 / ARMv8 CRC instructions,
// ~6 GB/s against ~0.9 GB/s here) when its prebuilt binding loads; everything else, and every
// platform without one, uses the table-driven slicing-by-8 code below.
import { createRequire } from 'node:module'

const POLY = 0x82f63b78

function makeTables(): Int32Array[] {
  const t0 = new Int32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1
    t0[i] = c
  }
  const tables = [t0]
  for (let n = 1; n < 8; n++) {
    const prev = tables[n - 1]
    const t = new Int32Array(256)
    for (let i = 0; i < 256; i++) t[i] = (prev[i] >>> 8) ^ t0[prev[i] & 0xff]
    tables.push(t)
  }
  return tables
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = makeTables()

/** Below this the call into the binding costs more than the table code (measured: ~200 ns/call). */
const NATIVE_MIN_BYTES = 512

type NativeCrc = (input: Uint8Array, initialState?: number) => number
/** undefined: not tried yet; null: unavailable (or disabled with BROOK_CRC32C=js). */
let native: NativeCrc | null | undefined

/** Loaded on first use so that startup does not pay for it. */
function loadNative(): NativeCrc | null {
  native = null
  if (process.env.BROOK_CRC32C === 'js') return null
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: NativeCrc }
    const f = mod.crc32c
    // Self-check against the standard check value before trusting it with every batch.
    if (typeof f === 'function' && f(Buffer.from('123456789')) === 0xe3069283) native = f
  } catch {
    // no binding for this platform: the table code is the fallback
  }
  return native
}

/** Whether ranges of NATIVE_MIN_BYTES or more use the native implementation (tests, diagnostics). */
export function crc32cIsNative(): boolean {
  return (native === undefined ? loadNative() : native) !== null
}

/** Continues a CRC-32C over buf[start, end): pass the previous result as `crc` (0 to start). */
export function crc32cUpdate(crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  if (start < 0 || end > buf.length || start > end) throw new RangeError(`invalid range [${start}, ${end}) for ${buf.length} bytes`)
  if (end - start >= NATIVE_MIN_BYTES) {
    const f = native === undefined ? loadNative() : native
    if (f !== null) return f(start === 0 && end === buf.length ? buf : buf.subarray(start, end), crc)
  }
  return crc32cUpdateJs(crc, buf, start, end)
}

/** The table-driven implementation (no range check; the fallback, and the reference in tests). */
export function crc32cUpdateJs(crc: number, buf: Uint8Array, start: number, end: number): number {
  let c = ~crc
  let i = start
  const end8 = end - ((end - start) & 7)
  while (i < end8) {
    c ^= buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)
    c =
      T7[c & 0xff] ^ T6[(c >>> 8) & 0xff] ^ T5[(c >>> 16) & 0xff] ^ T4[c >>> 24] ^
      T3[buf[i + 4]] ^ T2[buf[i + 5]] ^ T1[buf[i + 6]] ^ T0[buf[i + 7]]
    i += 8
  }
  while (i < end) c = T0[(c ^ buf[i++]) & 0xff] ^ (c >>> 8)
  return ~c >>> 0
}

/** CRC-32C of buf[start, end) as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  return crc32cUpdate(0, buf, start, end)
}
