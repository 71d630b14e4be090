// kafkajs ships gzip only; the other codecs come from plugins in its CompressionCodecs registry.
// snappy and lz4 use the community plugins (kafkajs-snappy, kafkajs-lz4); zstd uses a small
// adapter over Brook's own codec (the wasm zstd in src/codecs), because @kafkajs/zstd needs a
// native build. The adapter only moves bytes, so what it checks is the broker, not our codec
// talking to itself: Brook stores and serves the producer's compressed batch untouched.
import { createRequire } from 'node:module'
import { CompressionCodecs, CompressionTypes } from 'kafkajs'
import { CompressionCodec, compress, decompress } from '../../src/codecs/index.js'

const require = createRequire(import.meta.url)

/** The shape of a kafkajs codec factory's result. */
export interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>
  decompress(buffer: Buffer): Promise<Buffer>
}

export function zstdCodec(): KafkajsCodec {
  return {
    compress: (encoder) => compress(CompressionCodec.ZSTD, encoder.buffer),
    decompress: (buffer) => decompress(CompressionCodec.ZSTD, buffer),
  }
}

/** Registers snappy, lz4 and zstd in kafkajs's (process-wide) CompressionCodecs registry. */
export function registerKafkajsCodecs(): void {
  // CommonJS plugins: required directly so the default-export interop is not in question
  const snappy = require('kafkajs-snappy') as () => KafkajsCodec
  const LZ4Codec = require('kafkajs-lz4') as new () => { codec: () => KafkajsCodec } // module.exports = the class
  CompressionCodecs[CompressionTypes.Snappy] = snappy
  CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec
  CompressionCodecs[CompressionTypes.ZSTD] = zstdCodec
}
