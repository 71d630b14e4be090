// Test-side reading of protocol-specs (written independently of tools/codegen on purpose, so the
// property tests check the generator against the spec rather than against itself).
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const SPEC_DIR = join(REPO_ROOT, 'protocol-specs', 'messages')
export const UPSTREAM_DIR = resolve(REPO_ROOT, '..', 'shared', 'kafka-protocol', 'messages')

export type Range = [number, number] | null

export interface SpecField {
  name: string
  type: string
  versions: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number
  default?: string | number | boolean
  flexibleVersions?: string
  fields?: SpecField[]
}

export interface Spec {
  apiKey?: number
  type: string
  name: string
  validVersions: string
  flexibleVersions?: string
  fields: SpecField[]
  commonStructs?: { name: string; versions: string; fields: SpecField[] }[]
}

export function parseRange(text: string | undefined): Range {
  if (text === undefined || text === 'none') return null
  let m = /^(\d+)\+$/.exec(text)
  if (m) return [Number(m[1]), Infinity]
  m = /^(\d+)-(\d+)$/.exec(text)
  if (m) return [Number(m[1]), Number(m[2])]
  m = /^(\d+)$/.exec(text)
  if (m) return [Number(m[1]), Number(m[1])]
  throw new Error(`bad version range ${text}`)
}

export function inRange(text: string | undefined, v: number): boolean {
  const r = parseRange(text)
  return r !== null && v >= r[0] && v <= r[1]
}

/** Strips // line comments outside strings (upstream files carry a license header and notes). */
export function stripJsonComments(text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      out += c
      if (c === '\\') out += text[++i]
      else if (c === '"') inString = false
    } else if (c === '"') {
      inString = true
      out += c
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
    } else {
      out += c
    }
  }
  return out
}

export function loadSpecs(): { file: string; spec: Spec }[] {
  return readdirSync(SPEC_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, spec: JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as Spec }))
}

export function loadUpstream(name: string): Spec | null {
  const path = join(UPSTREAM_DIR, `${name}.json`)
  if (!existsSync(path)) return null
  return JSON.parse(stripJsonComments(readFileSync(path, 'utf8'))) as Spec
}

export function upstreamAvailable(): boolean {
  return existsSync(UPSTREAM_DIR)
}

/** Struct name of a field's type ("[]Foo" or "Foo"), or null for primitives and primitive arrays. */
export function structName(type: string): string | null {
  const base = type.startsWith('[]') ? type.slice(2) : type
  return /^[A-Z]/.test(base) ? base : null
}

/** Map of struct name -> fields (inline definitions and commonStructs). */
export function structTable(spec: Spec): Map<string, SpecField[]> {
  const table = new Map<string, SpecField[]>()
  const visit = (fields: SpecField[]): void => {
    for (const f of fields) {
      const s = structName(f.type)
      if (s !== null && f.fields !== undefined) {
        table.set(s, f.fields)
        visit(f.fields)
      }
    }
  }
  visit(spec.fields)
  for (const cs of spec.commonStructs ?? []) {
    table.set(cs.name, cs.fields)
    visit(cs.fields)
  }
  return table
}

export function propName(name: string): string {
  return name[0].toLowerCase() + name.slice(1)
}

export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').toLowerCase()
}

export function versionsOf(spec: Spec): number[] {
  const r = parseRange(spec.validVersions)!
  const out: number[] = []
  for (let v = r[0]; v <= r[1]; v++) out.push(v)
  return out
}
