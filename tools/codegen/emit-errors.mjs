// Emits src/protocol/errors.ts from protocol-specs/errors.json.
import { SpecError } from './spec-model.mjs'
import { HEADER, Lines, quote } from './emit-util.mjs'

/** Validates errors.json: [{ code, name, retriable, message }], unique codes and names. */
export function parseErrors(text, file) {
  let list
  try {
    list = JSON.parse(text)
  } catch (err) {
    throw new SpecError(`${file}: invalid JSON: ${err.message}`)
  }
  if (!Array.isArray(list)) throw new SpecError(`${file}: expected an array`)
  const codes = new Set()
  const names = new Set()
  for (const e of list) {
    const where = `${file}: ${JSON.stringify(e?.name)}`
    if (!Number.isInteger(e.code)) throw new SpecError(`${where}: code must be an integer`)
    if (typeof e.name !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(e.name)) throw new SpecError(`${where}: name must be UPPER_SNAKE`)
    if (typeof e.retriable !== 'boolean') throw new SpecError(`${where}: retriable must be a boolean`)
    if (typeof e.message !== 'string' || e.message === '') throw new SpecError(`${where}: message must be a non-empty string`)
    const extra = Object.keys(e).filter((k) => !['code', 'name', 'retriable', 'message'].includes(k))
    if (extra.length > 0) throw new SpecError(`${where}: unknown attributes ${extra.join(', ')}`)
    if (codes.has(e.code)) throw new SpecError(`${where}: duplicate code ${e.code}`)
    if (names.has(e.name)) throw new SpecError(`${where}: duplicate name`)
    codes.add(e.code)
    names.add(e.name)
  }
  return [...list].sort((a, b) => a.code - b.code)
}

export function emitErrors(errors) {
  const out = new Lines()
  out.line(HEADER)
  out.line()
  out.line('/** Every Kafka error code by its wire name. */')
  out.open('export const ErrorCode = {')
  for (const e of errors) out.line(`${e.name}: ${e.code},`)
  out.close('} as const')
  out.line()
  out.line('export type ErrorCodeName = keyof typeof ErrorCode')
  out.line()
  out.line('interface ErrorInfo {')
  out.line('  name: string')
  out.line('  retriable: boolean')
  out.line('  message: string')
  out.line('}')
  out.line()
  out.open('const INFO = new Map<number, ErrorInfo>([')
  for (const e of errors) {
    out.line(`[${e.code}, { name: '${e.name}', retriable: ${e.retriable}, message: ${quote(e.message)} }],`)
  }
  out.close('])')
  out.line()
  out.line('/** Wire name of a code, e.g. 3 -> UNKNOWN_TOPIC_OR_PARTITION; UNKNOWN_ERROR_CODE_<n> if unknown. */')
  out.open('export function errorName(code: number): string {')
  out.line('return INFO.get(code)?.name ?? `UNKNOWN_ERROR_CODE_${code}`')
  out.close('}')
  out.line()
  out.line('/** Short human-readable description of a code. */')
  out.open('export function errorMessage(code: number): string {')
  out.line('return INFO.get(code)?.message ?? `Unknown error code ${code}.`')
  out.close('}')
  out.line()
  out.line('/** Whether Kafka clients treat the error as transient and retry. */')
  out.open('export function isRetriable(code: number): boolean {')
  out.line('return INFO.get(code)?.retriable ?? false')
  out.close('}')
  out.line()
  out.line('/** A whole-request failure carrying a Kafka error code (the dispatcher turns it into an error response). */')
  out.open('export class KafkaError extends Error {')
  out.line("override name = 'KafkaError'")
  out.line()
  out.open('constructor(public errorCode: number, message?: string) {')
  out.line('super(message ?? `${errorName(errorCode)}: ${errorMessage(errorCode)}`)')
  out.close('}')
  out.close('}')
  return out.text()
}
