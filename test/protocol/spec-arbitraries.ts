// fast-check arbitraries derived from a protocol spec at test time: a random message that matches
// the spec for one version (fields absent in that version hold their defaults, as decode yields).
import fc from 'fast-check'
import { type Spec, type SpecField, inRange, parseRange, propName, structName, structTable } from './spec-loader.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

const uuidArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
  const h = hex(b)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
})

const bytesArb = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 24 }) },
  // large enough to travel as a separate writer chunk
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1024, maxLength: 1300 }) },
).map((b) => Buffer.from(b))

const stringArb = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 60, maxLength: 120 }) },
)

function primitiveArb(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 })
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 })
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 })
    case 'int32':
      return fc.integer({ min: -2147483648, max: 2147483647 })
    case 'uint32':
      return fc.integer({ min: 0, max: 4294967295 })
    case 'int64':
      return fc.oneof(fc.integer({ min: -2, max: 1000 }), fc.maxSafeInteger())
    case 'float64':
      return fc.double()
    case 'bool':
      return fc.boolean()
    case 'string':
      return stringArb
    case 'bytes':
    case 'records':
      return bytesArb
    case 'uuid':
      return uuidArb
    default:
      throw new Error(`unknown primitive ${type}`)
  }
}

export interface SpecArbitrariesOptions {
  /** values for `records` fields (default: random bytes) */
  records?: fc.Arbitrary<Buffer>
  /** whether structs of flexible versions may carry unknown tagged fields (default true) */
  unknownTaggedFields?: boolean
  /** false: known tagged fields keep their defaults, so none is on the wire (default true) */
  taggedFields?: boolean
  /** values for int16 fields named ErrorCode (default: any int16) */
  errorCodes?: fc.Arbitrary<number>
}

export class SpecArbitraries {
  private readonly structs: Map<string, SpecField[]>
  private readonly valid: [number, number]
  private readonly flexible: [number, number] | null

  constructor(
    private readonly spec: Spec,
    private readonly opts: SpecArbitrariesOptions = {},
  ) {
    this.structs = structTable(spec)
    this.valid = parseRange(spec.validVersions)!
    this.flexible = parseRange(spec.flexibleVersions)
  }

  private isFlexible(v: number): boolean {
    return this.flexible !== null && v >= this.flexible[0]
  }

  /** Nullable in some valid version where the field exists (records are always nullable). */
  private nullableType(f: SpecField): boolean {
    if (f.type === 'records') return true
    for (let v = this.valid[0]; v <= this.valid[1]; v++) {
      if (inRange(f.versions, v) && inRange(f.nullableVersions, v)) return true
    }
    return false
  }

  defaultValue(f: SpecField): unknown {
    const d = f.default === undefined ? undefined : String(f.default)
    if (d === 'null' || (d === undefined && this.nullableType(f))) return null
    if (f.type.startsWith('[]')) return []
    const s = structName(f.type)
    if (s !== null) return this.defaultStruct(this.structs.get(s)!)
    switch (f.type) {
      case 'bool':
        return d === 'true'
      case 'string':
        return d ?? ''
      case 'bytes':
        return Buffer.alloc(0)
      case 'records':
        return null
      case 'uuid':
        return ZERO_UUID
      default:
        return Number(d ?? 0)
    }
  }

  private defaultStruct(fields: SpecField[]): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const f of fields) out[propName(f.name)] = this.defaultValue(f)
    return out
  }

  private fieldArb(f: SpecField, v: number, depth: number): fc.Arbitrary<unknown> {
    const nullable = inRange(f.nullableVersions, v)
    let base: fc.Arbitrary<unknown>
    const s = structName(f.type)
    if (f.type.startsWith('[]')) {
      const elem = s !== null ? this.structArb(this.structs.get(s)!, v, depth + 1) : primitiveArb(f.type.slice(2))
      base = fc.array(elem, { maxLength: depth >= 2 ? 2 : 3 })
    } else if (s !== null) {
      base = this.structArb(this.structs.get(s)!, v, depth + 1)
    } else if (f.type === 'int16' && f.name.endsWith('ErrorCode') && this.opts.errorCodes !== undefined) {
      base = this.opts.errorCodes
    } else if (f.type === 'records' && this.opts.records !== undefined) {
      base = this.opts.records
    } else {
      base = primitiveArb(f.type)
    }
    return nullable ? fc.option(base, { nil: null, freq: 4 }) : base
  }

  /** Random struct value for version v, with unknown tagged fields in flexible versions. */
  structArb(fields: SpecField[], v: number, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const model: Record<string, fc.Arbitrary<unknown>> = {}
    const knownTags = new Set<number>()
    for (const f of fields) {
      const present = inRange(f.versions, v)
      const tagged = inRange(f.taggedVersions, v)
      const random = present && !(tagged && this.opts.taggedFields === false)
      model[propName(f.name)] = random ? this.fieldArb(f, v, depth) : fc.constant(this.defaultValue(f))
      if (present && f.tag !== undefined && inRange(f.taggedVersions, v)) knownTags.add(f.tag)
    }
    const record = fc.record(model)
    if (!this.isFlexible(v) || this.opts.unknownTaggedFields === false) return record
    const unknownArb = fc
      .uniqueArray(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 100, max: 100000 })), { maxLength: 2 })
      .map((tags) => tags.filter((t) => !knownTags.has(t)).sort((a, b) => a - b))
      .chain((tags) => fc.tuple(...tags.map((tag) => fc.uint8Array({ maxLength: 6 }).map((d) => ({ tag, data: Buffer.from(d) })))))
    return fc.tuple(record, fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: unknownArb })).map(([rec, unknown]) => {
      if (unknown.length > 0) rec._unknownTaggedFields = unknown
      return rec
    })
  }

  messageArb(v: number): fc.Arbitrary<Record<string, unknown>> {
    return this.structArb(this.spec.fields, v, 0)
  }
}
