// XXH32 (seeded 32-bit xxHash), used by the LZ4 frame format for its header, block and content
// checksums. Written from the public algorithm description.
const PRIME1 = 0x9e3779b1
const PRIME2 = 0x85ebca77
const PRIME3 = 0xc2b2ae3d
const PRIME4 = 0x27d4eb2f
const PRIME5 = 0x165667b1

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

function round(acc: number, lane: number): number {
  acc = (acc + Math.imul(lane, PRIME2)) | 0
  return Math.imul(rotl(acc, 13), PRIME1)
}

function readU32(buf: Uint8Array, i: number): number {
  return buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)
}

export function xxhash32(buf: Uint8Array, seed = 0, start = 0, end = buf.length): number {
  let i = start
  let h: number
  if (end - start >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) | 0
    let v2 = (seed + PRIME2) | 0
    let v3 = seed | 0
    let v4 = (seed - PRIME1) | 0
    const limit = end - 16
    while (i <= limit) {
      v1 = round(v1, readU32(buf, i))
      v2 = round(v2, readU32(buf, i + 4))
      v3 = round(v3, readU32(buf, i + 8))
      v4 = round(v4, readU32(buf, i + 12))
      i += 16
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
  } else {
    h = (seed + PRIME5) | 0
  }
  h = (h + (end - start)) | 0
  while (i + 4 <= end) {
    h = (h + Math.imul(readU32(buf, i), PRIME3)) | 0
    h = Math.imul(rotl(h, 17), PRIME4)
    i += 4
  }
  while (i < end) {
    h = (h + Math.imul(buf[i], PRIME5)) | 0
    h = Math.imul(rotl(h, 11), PRIME1)
    i++
  }
  h ^= h >>> 15
  h = Math.imul(h, PRIME2)
  h ^= h >>> 13
  h = Math.imul(h, PRIME3)
  h ^= h >>> 16
  return h >>> 0
}
