// Every spec in protocol-specs/messages must describe exactly Kafka's wire format for each version
// it declares: compared field by field with the upstream schema in ../shared (when present).
import { describe, expect, it } from 'vitest'
import {
  type Spec,
  type SpecField,
  inRange,
  loadSpecs,
  loadUpstream,
  parseRange,
  propName,
  structName,
  structTable,
  upstreamAvailable,
  versionsOf,
} from './spec-loader.js'

interface FieldShape {
  name: string
  type: string
  nullable: boolean
  tag: number | null
  /** field-level override of compact encoding (only RequestHeader.ClientId upstream) */
  flexible: boolean | null
  fields?: FieldShape[]
}

/** The wire-relevant shape of a struct's fields in version v ("about" and the like ignored). */
function shape(fields: SpecField[], table: Map<string, SpecField[]>, v: number): FieldShape[] {
  return fields
    .filter((f) => inRange(f.versions, v))
    .map((f) => {
      const out: FieldShape = {
        // upstream spells one field "timeoutMs"; names matter only up to the first letter's case
        name: propName(f.name),
        type: f.type,
        nullable: inRange(f.nullableVersions, v),
        tag: inRange(f.taggedVersions, v) ? (f.tag ?? null) : null,
        flexible: f.flexibleVersions === undefined ? null : inRange(f.flexibleVersions, v),
      }
      const s = structName(f.type)
      if (s !== null) out.fields = shape(f.fields ?? table.get(s) ?? [], table, v)
      return out
    })
}

const NUMERIC = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64'])

/** Field path -> normalized default, for fields present in v. */
function defaults(fields: SpecField[], table: Map<string, SpecField[]>, v: number, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of fields) {
    if (!inRange(f.versions, v)) continue
    if (f.default !== undefined) out[prefix + propName(f.name)] = NUMERIC.has(f.type) ? String(Number(f.default)) : String(f.default)
    const s = structName(f.type)
    if (s !== null) Object.assign(out, defaults(f.fields ?? table.get(s) ?? [], table, v, `${prefix}${propName(f.name)}.`))
  }
  return out
}

function hasKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((x) => hasKey(x, key))
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, x]) => k === key || hasKey(x, key))
  }
  return false
}

const specs = loadSpecs()

describe.skipIf(!upstreamAvailable())('protocol specs match the upstream Kafka schemas', () => {
  for (const { file, spec } of specs) {
    describe(file, () => {
      const upstream = loadUpstream(spec.name) as Spec
      const table = structTable(spec)
      const upstreamTable = upstream === null ? new Map<string, SpecField[]>() : structTable(upstream)

      it('has an upstream schema with the same api key, type and a wider version range', () => {
        expect(upstream, `no upstream ${spec.name}.json`).not.toBeNull()
        expect(spec.apiKey).toBe(upstream.apiKey)
        expect(spec.type).toBe(upstream.type)
        const ours = parseRange(spec.validVersions)!
        const theirs = parseRange(upstream.validVersions)!
        expect(ours[0]).toBeGreaterThanOrEqual(theirs[0])
        expect(ours[1]).toBeLessThanOrEqual(theirs[1])
      })

      it('carries no about texts', () => {
        expect(hasKey(spec, 'about')).toBe(false)
      })

      for (const v of versionsOf(spec)) {
        it(`v${v}: same flexibility and fields (names, types, presence, nullability, tags)`, () => {
          expect(inRange(spec.flexibleVersions, v), 'flexible').toBe(inRange(upstream.flexibleVersions, v))
          expect(shape(spec.fields, table, v)).toEqual(shape(upstream.fields, upstreamTable, v))
        })

        it(`v${v}: same defaults`, () => {
          expect(defaults(spec.fields, table, v)).toEqual(defaults(upstream.fields, upstreamTable, v))
        })
      }
    })
  }
})
