// Loads protocol-specs/messages/*.json into a validated model the emitters walk.
// Version ranges are [lo, hi] pairs (hi may be Infinity); null means "no versions".
import { readFileSync } from 'node:fs'

const PRIMITIVES = new Set([
  'bool', 'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64', 'string', 'bytes', 'records', 'uuid',
])
const FIELD_KEYS = new Set([
  'name', 'type', 'versions', 'nullableVersions', 'taggedVersions', 'tag', 'default', 'ignorable', 'mapKey',
  'entityType', 'fields', 'flexibleVersions', 'zeroCopy', 'about',
])
const MESSAGE_KEYS = new Set([
  'apiKey', 'type', 'name', 'validVersions', 'flexibleVersions', 'fields', 'commonStructs', 'listeners',
  'latestVersionUnstable', 'deprecatedVersions', 'about',
])

export class SpecError extends Error {}

/** "a-b" | "n+" | "n" | "none" -> [lo, hi] | null */
export function parseVersions(text, where) {
  if (typeof text !== 'string') throw new SpecError(`${where}: versions must be a string, got ${JSON.stringify(text)}`)
  const s = text.trim()
  if (s === 'none') return null
  let m = /^(\d+)\+$/.exec(s)
  if (m) return [Number(m[1]), Infinity]
  m = /^(\d+)-(\d+)$/.exec(s)
  if (m) {
    const lo = Number(m[1])
    const hi = Number(m[2])
    if (hi < lo) throw new SpecError(`${where}: empty version range ${s}`)
    return [lo, hi]
  }
  m = /^(\d+)$/.exec(s)
  if (m) return [Number(m[1]), Number(m[1])]
  throw new SpecError(`${where}: cannot parse versions ${JSON.stringify(text)}`)
}

export function intersect(a, b) {
  if (a === null || b === null) return null
  const lo = Math.max(a[0], b[0])
  const hi = Math.min(a[1], b[1])
  return lo <= hi ? [lo, hi] : null
}

export function contains(range, v) {
  return range !== null && v >= range[0] && v <= range[1]
}

/** First letter lower-cased: PartitionIndex -> partitionIndex. */
export function propName(name) {
  return name[0].toLowerCase() + name.slice(1)
}

/** ProduceRequest -> produce-request */
export function kebab(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').toLowerCase()
}

/**
 * Field type -> { kind: 'primitive', type } | { kind: 'array', elem: type-model } | { kind: 'struct', structName }
 */
function parseType(type, hasFields, structNames, where) {
  if (type.startsWith('[]')) {
    const inner = type.slice(2)
    if (PRIMITIVES.has(inner)) {
      if (inner === 'records' || inner === 'bytes') throw new SpecError(`${where}: arrays of ${inner} are not supported`)
      return { kind: 'array', elem: { kind: 'primitive', type: inner } }
    }
    return { kind: 'array', elem: { kind: 'struct', structName: inner } }
  }
  if (PRIMITIVES.has(type)) {
    if (hasFields) throw new SpecError(`${where}: primitive type ${type} cannot have fields`)
    return { kind: 'primitive', type }
  }
  if (!/^[A-Z][A-Za-z0-9]*$/.test(type)) throw new SpecError(`${where}: unknown type ${JSON.stringify(type)}`)
  if (!hasFields && !structNames.has(type)) throw new SpecError(`${where}: struct type ${type} has no fields`)
  return { kind: 'struct', structName: type }
}

function parseFields(rawFields, ctx, where) {
  if (!Array.isArray(rawFields)) throw new SpecError(`${where}: fields must be an array`)
  const fields = []
  const seenNames = new Set()
  const seenTags = new Set()
  for (const raw of rawFields) {
    const fw = `${where}.${raw?.name ?? '?'}`
    if (typeof raw !== 'object' || raw === null) throw new SpecError(`${fw}: field must be an object`)
    for (const k of Object.keys(raw)) {
      if (!FIELD_KEYS.has(k)) throw new SpecError(`${fw}: unknown attribute ${k}`)
    }
    if (typeof raw.name !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(raw.name)) {
      throw new SpecError(`${fw}: field name must be PascalCase`)
    }
    if (seenNames.has(raw.name)) throw new SpecError(`${fw}: duplicate field name`)
    seenNames.add(raw.name)
    if (typeof raw.type !== 'string') throw new SpecError(`${fw}: type must be a string`)
    const hasFields = Array.isArray(raw.fields)
    const type = parseType(raw.type, hasFields, ctx.commonNames, fw)
    const versions = parseVersions(raw.versions, `${fw}.versions`)
    const nullableVersions = raw.nullableVersions === undefined ? null : parseVersions(raw.nullableVersions, `${fw}.nullableVersions`)
    const taggedVersions = raw.taggedVersions === undefined ? null : parseVersions(raw.taggedVersions, `${fw}.taggedVersions`)
    const flexibleVersions = raw.flexibleVersions === undefined ? undefined : parseVersions(raw.flexibleVersions, `${fw}.flexibleVersions`)
    if ((taggedVersions === null) !== (raw.tag === undefined)) {
      throw new SpecError(`${fw}: tag and taggedVersions go together`)
    }
    if (raw.tag !== undefined) {
      if (!Number.isInteger(raw.tag) || raw.tag < 0) throw new SpecError(`${fw}: tag must be a non-negative integer`)
      if (seenTags.has(raw.tag)) throw new SpecError(`${fw}: duplicate tag ${raw.tag}`)
      seenTags.add(raw.tag)
    }
    if (nullableVersions !== null) {
      const t = type.kind === 'primitive' ? type.type : type.kind
      if (!['string', 'bytes', 'records', 'array', 'struct'].includes(t)) {
        throw new SpecError(`${fw}: type ${raw.type} cannot be nullable`)
      }
    }
    // Kafka writes defaults as strings; plain JSON numbers/booleans are accepted too.
    if (raw.default !== undefined && !['string', 'number', 'boolean'].includes(typeof raw.default)) {
      throw new SpecError(`${fw}: default must be a string`)
    }
    const field = {
      name: raw.name,
      prop: propName(raw.name),
      rawType: raw.type,
      type,
      versions,
      nullableVersions,
      taggedVersions,
      tag: raw.tag,
      flexibleVersions,
      default: raw.default === undefined ? undefined : String(raw.default),
      ignorable: raw.ignorable === true,
      mapKey: raw.mapKey === true,
      entityType: raw.entityType,
    }
    const structName = type.kind === 'struct' ? type.structName : type.kind === 'array' && type.elem.kind === 'struct' ? type.elem.structName : null
    if (structName !== null && hasFields) {
      if (ctx.structs.has(structName)) throw new SpecError(`${fw}: struct ${structName} is defined twice`)
      ctx.structs.set(structName, null) // reserve before recursing (keeps spec order: parent first)
      const sub = parseFields(raw.fields, ctx, `${where}.${raw.name}`)
      ctx.structs.set(structName, { name: structName, fields: sub, common: false })
    } else if (structName !== null && !ctx.commonNames.has(structName)) {
      throw new SpecError(`${fw}: struct ${structName} is not defined`)
    }
    fields.push(field)
  }
  return fields
}

/** Parses one spec file's JSON text into a message model. */
export function parseSpec(text, file) {
  let raw
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new SpecError(`${file}: invalid JSON: ${err.message}`)
  }
  for (const k of Object.keys(raw)) {
    if (!MESSAGE_KEYS.has(k)) throw new SpecError(`${file}: unknown attribute ${k}`)
  }
  if (typeof raw.name !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(raw.name)) throw new SpecError(`${file}: bad name`)
  if (!['request', 'response', 'header', 'data'].includes(raw.type)) throw new SpecError(`${file}: bad type ${raw.type}`)
  const isApi = raw.type === 'request' || raw.type === 'response'
  if (isApi && !Number.isInteger(raw.apiKey)) throw new SpecError(`${file}: apiKey must be an integer`)
  const valid = parseVersions(raw.validVersions, `${file}.validVersions`)
  if (valid === null || valid[1] === Infinity) throw new SpecError(`${file}: validVersions must be a closed range`)
  const flexible = parseVersions(raw.flexibleVersions ?? 'none', `${file}.flexibleVersions`)
  if (flexible !== null && flexible[1] !== Infinity) throw new SpecError(`${file}: flexibleVersions must be open-ended`)
  const ctx = { structs: new Map(), commonNames: new Set() }
  const commonRaw = raw.commonStructs ?? []
  for (const cs of commonRaw) ctx.commonNames.add(cs.name)
  const fields = parseFields(raw.fields, ctx, raw.name)
  for (const cs of commonRaw) {
    if (ctx.structs.has(cs.name)) throw new SpecError(`${file}: struct ${cs.name} is defined twice`)
    parseVersions(cs.versions, `${file}.commonStructs.${cs.name}.versions`)
    ctx.structs.set(cs.name, null)
    ctx.structs.set(cs.name, { name: cs.name, fields: parseFields(cs.fields, ctx, cs.name), common: true })
  }
  return {
    file,
    name: raw.name,
    apiKey: isApi ? raw.apiKey : -1,
    type: raw.type,
    validVersions: valid,
    flexibleVersions: flexible,
    fields,
    structs: ctx.structs,
  }
}

export function loadSpec(path, file) {
  return parseSpec(readFileSync(path, 'utf8'), file)
}
