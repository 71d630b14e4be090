// Malformed or oversized compressed data. Callers map it to CORRUPT_MESSAGE (or skip the batch);
// it is the only error the codecs throw for bad input.
export class CodecError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CodecError'
  }
}

/** Default ceiling on decompressed size, against decompression bombs (overridable per call). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024
