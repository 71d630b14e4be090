// Cross-checks the generated response encoders against an independent implementation: random
// responses (from the specs) encoded by Brook must parse with @platformatic/kafka's own decoders
// (flexible versions) to the same values.
import * as platformatic from '@platformatic/kafka'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { MessageCodec } from '../../src/protocol/codec.js'
import * as generated from '../../src/protocol/generated/index.js'
import { buildRecordBatch } from '../../src/protocol/record-batch.js'
import { Writer } from '../../src/protocol/writer.js'
import { SpecArbitraries } from './spec-arbitraries.js'
import { type SpecField, inRange, loadSpecs, parseRange, propName, structName, structTable } from './spec-loader.js'

type ParseResponse = (correlationId: number, apiKey: number, apiVersion: number, reader: unknown) => unknown
interface PlatformaticApi { parseResponse: ParseResponse }

const codecs = generated as unknown as Record<string, MessageCodec<unknown>>
const apis = platformatic as unknown as Record<string, PlatformaticApi>
const PReader = (platformatic as unknown as { Reader: { from(b: Buffer): { position: number } } }).Reader

const recordsArb = fc
  .array(fc.record({ key: fc.constant(null), value: fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)), timestampMs: fc.nat() }), { minLength: 1, maxLength: 3 })
  .map((records) => buildRecordBatch(records))

/**
 * Every value platformatic returned for a field that exists in this version must equal Brook's.
 * Fields platformatic fills in for versions that lack them are skipped; keys with no spec field
 * are collected in `unmatched`.
 */
function compare(theirs: unknown, ours: unknown, fields: SpecField[] | null, ctx: { v: number; table: Map<string, SpecField[]>; unmatched: Set<string> }, path: string): void {
  if (typeof theirs === 'bigint') {
    expect(ours, path).toBe(Number(theirs))
  } else if (Buffer.isBuffer(theirs)) {
    expect(Buffer.isBuffer(ours) && theirs.equals(ours), path).toBe(true)
  } else if (Array.isArray(theirs)) {
    // platformatic reads a null array as []
    if (ours === null && theirs.length === 0) return
    expect(Array.isArray(ours), path).toBe(true)
    expect((ours as unknown[]).length, path).toBe(theirs.length)
    theirs.forEach((x, i) => compare(x, (ours as unknown[])[i], fields, ctx, `${path}[${i}]`))
  } else if (theirs !== null && typeof theirs === 'object' && fields !== null) {
    for (const [key, value] of Object.entries(theirs)) {
      const field = fields.find((f) => propName(f.name) === key)
      if (field === undefined) {
        ctx.unmatched.add(`${path}.${key}`.replace(/\[\d+\]/g, '[]'))
        continue
      }
      if (!inRange(field.versions, ctx.v) || field.type === 'records') continue
      const s = structName(field.type)
      const sub = s === null ? null : (field.fields ?? ctx.table.get(s) ?? null)
      compare(value, (ours as Record<string, unknown>)[key], sub, ctx, `${path}.${key}`)
    }
  } else if (theirs !== undefined) {
    expect(ours, path).toEqual(theirs)
  }
}

// platformatic parsers that disagree with Kafka's schema (checked against ../shared upstream JSON):
const PLATFORMATIC_BUGS: Record<string, string> = {
  describeConfigsV2: 'reads the v3-only ConfigType/Documentation fields',
  offsetForLeaderEpochV4: 'reads Partition before ErrorCode (upstream order is ErrorCode, Partition)',
}
// keys platformatic derives itself
const DERIVED_KEYS = new Set(['ApiVersionsResponse.apiKeys[].name'])

const specs = new Map(loadSpecs().map(({ spec }) => [spec.name, spec]))
const cases: { api: string; spec: string; version: number }[] = []
for (const api of Object.keys(apis).sort()) {
  const m = /^([a-z][A-Za-z]*)V(\d+)$/.exec(api)
  if (!m || typeof apis[api]?.parseResponse !== 'function' || api in PLATFORMATIC_BUGS) continue
  const name = `${m[1][0].toUpperCase()}${m[1].slice(1)}Response`
  const spec = specs.get(name)
  const version = Number(m[2])
  const range = spec === undefined ? null : parseRange(spec.validVersions)
  if (range !== null && version >= range[0] && version <= range[1]) cases.push({ api, spec: name, version })
}

describe('responses encoded by Brook parse with @platformatic/kafka', () => {
  it('covers a good share of the served APIs', () => {
    expect(cases.length).toBeGreaterThan(40)
  })

  for (const { api, spec: name, version } of cases) {
    it(`${name} v${version} (${api})`, () => {
      const spec = specs.get(name)!
      const codec = codecs[name]
      // platformatic skips tagged-field sections by reading one varint as a byte count, so it
      // can only parse responses whose tagged-field sections are empty
      const arb = new SpecArbitraries(spec, {
        records: recordsArb,
        unknownTaggedFields: false,
        taggedFields: false,
        errorCodes: fc.constantFrom(0, 3, 6, 15, 16, 27, 35, 79),
      }).messageArb(version)
      const table = structTable(spec)
      const unmatched = new Set<string>()
      fc.assert(
        fc.property(arb, (msg) => {
          const w = new Writer()
          codec.encode(w, msg, version)
          const buf = w.toBuffer()
          const reader = PReader.from(buf)
          let parsed: unknown
          try {
            parsed = apis[api].parseResponse(0, spec.apiKey!, version, reader)
          } catch (err) {
            const response = (err as { response?: unknown }).response
            if (response === undefined) throw err
            parsed = response
          }
          // platformatic leaves the top-level tagged-field section unread, so no "all consumed" here
          expect(reader.position).toBeLessThanOrEqual(buf.length)
          compare(parsed, msg, spec.fields, { v: version, table, unmatched }, name)
        }),
        { numRuns: 25 },
      )
      // platformatic names fields after Kafka too; anything unmatched would hide a mismatch
      expect([...unmatched].filter((k) => !DERIVED_KEYS.has(k))).toEqual([])
    })
  }
})
