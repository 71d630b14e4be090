#!/usr/bin/env node
// Generates src/protocol/generated/*.ts and src/protocol/errors.ts from protocol-specs/.
//   node tools/codegen/generate.mjs          write changed files, delete stale generated files
//   node tools/codegen/generate.mjs --check  generate in memory; exit 1 listing files that differ
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SpecError, kebab, loadSpec } from './spec-model.mjs'
import { emitMessage } from './emit-message.mjs'
import { emitErrors, parseErrors } from './emit-errors.mjs'
import { HEADER, Lines } from './emit-util.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SPEC_DIR = join(ROOT, 'protocol-specs', 'messages')
const ERRORS_JSON = join(ROOT, 'protocol-specs', 'errors.json')
const GENERATED_DIR = join(ROOT, 'src', 'protocol', 'generated')
const ERRORS_TS = join(ROOT, 'src', 'protocol', 'errors.ts')

function emitIndex(models) {
  const out = new Lines()
  out.line(HEADER)
  out.line("import type { MessageCodec } from '../codec.js'")
  for (const m of models) out.line(`import { ${m.name} } from './${kebab(m.name)}.js'`)
  out.line()
  for (const m of models) out.line(`export * from './${kebab(m.name)}.js'`)
  for (const type of ['request', 'response']) {
    out.line()
    out.line(`/** ${type} codecs by API key */`)
    // eslint-style any: handlers pick their own typed codec; the registry is heterogeneous
    out.open(`export const ${type}Codecs: Readonly<Record<number, MessageCodec<any>>> = {`)
    const list = models.filter((m) => m.type === type).sort((a, b) => a.apiKey - b.apiKey)
    for (const m of list) out.line(`${m.apiKey}: ${m.name},`)
    out.close('}')
  }
  return out.text()
}

/** Returns Map<absolute path, content> of everything the generator owns. */
export function generateAll() {
  const files = new Map()
  const specFiles = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.json')).sort()
  const models = []
  const seen = new Map()
  for (const f of specFiles) {
    const model = loadSpec(join(SPEC_DIR, f), `protocol-specs/messages/${f}`)
    if (`${model.name}.json` !== f) throw new SpecError(`protocol-specs/messages/${f}: name ${model.name} does not match the file name`)
    if (model.type === 'request' || model.type === 'response') {
      const key = `${model.type}:${model.apiKey}`
      if (seen.has(key)) throw new SpecError(`${f}: apiKey ${model.apiKey} already used by ${seen.get(key)}`)
      seen.set(key, f)
    }
    models.push(model)
    files.set(join(GENERATED_DIR, `${kebab(model.name)}.ts`), emitMessage(model))
  }
  files.set(join(GENERATED_DIR, 'index.ts'), emitIndex(models))
  files.set(ERRORS_TS, emitErrors(parseErrors(readFileSync(ERRORS_JSON, 'utf8'), 'protocol-specs/errors.json')))
  return files
}

/** Files that differ between `files` and the disk: changed, missing, or extra in generated/. */
export function staleFiles(files) {
  const stale = []
  for (const [path, content] of files) {
    if (!existsSync(path)) stale.push({ path, reason: 'missing' })
    else if (readFileSync(path, 'utf8') !== content) stale.push({ path, reason: 'differs' })
  }
  if (existsSync(GENERATED_DIR)) {
    for (const f of readdirSync(GENERATED_DIR).sort()) {
      const path = join(GENERATED_DIR, f)
      if (!files.has(path)) stale.push({ path, reason: 'not generated from any spec' })
    }
  }
  return stale
}

function main(argv) {
  const check = argv.includes('--check')
  let files
  try {
    files = generateAll()
  } catch (err) {
    if (err instanceof SpecError) {
      console.error(`codegen: ${err.message}`)
      return 1
    }
    throw err
  }
  const stale = staleFiles(files)
  if (check) {
    if (stale.length === 0) {
      console.log(`codegen: ${files.size} generated files are up to date`)
      return 0
    }
    console.error('codegen: generated files are stale (run `npm run codegen`):')
    for (const s of stale) console.error(`  ${relative(ROOT, s.path)}: ${s.reason}`)
    return 1
  }
  mkdirSync(GENERATED_DIR, { recursive: true })
  for (const s of stale) {
    if (files.has(s.path)) writeFileSync(s.path, files.get(s.path))
    else unlinkSync(s.path)
    console.log(`codegen: ${files.has(s.path) ? 'wrote' : 'deleted'} ${relative(ROOT, s.path)}`)
  }
  console.log(`codegen: ${files.size} files, ${stale.length} changed`)
  return 0
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2))
}
