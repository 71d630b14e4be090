// Emits one TypeScript module per message spec: interfaces, straight-line decode/encode functions
// per struct (version checks are plain comparisons, no closures or reflection), and the codec.
import { SpecError, contains, intersect } from './spec-model.mjs'
import { HEADER, Lines, defaultExpr, notDefaultExpr, fieldTsType, elemTsType } from './emit-util.mjs'

/** Per-version wire shape of a field value; JSON of it groups versions that encode alike. */
function describe(model, field, v) {
  const flexibleRange = field.flexibleVersions !== undefined ? field.flexibleVersions : model.flexibleVersions
  const compact = contains(flexibleRange, v)
  const nullable = contains(field.nullableVersions, v)
  const t = field.type
  if (t.kind === 'primitive') {
    // only variable-length types change with flexibility/nullability
    if (['string', 'bytes', 'records'].includes(t.type)) return { k: t.type, nullable, compact }
    return { k: t.type }
  }
  if (t.kind === 'struct') return { k: 'struct', nullable, struct: t.structName }
  const elem = t.elem.kind === 'struct' ? { k: 'struct', nullable: false, struct: t.elem.structName } : { k: t.elem.type, nullable: false, compact }
  return { k: 'array', nullable, compact, elem }
}

/** Splits a struct context into runs of versions where the field is inline/tagged with one shape. */
function fieldRuns(model, field, context) {
  const runs = []
  for (let v = context[0]; v <= context[1]; v++) {
    let entry = null
    if (contains(field.versions, v)) {
      const tagged = contains(field.taggedVersions, v)
      if (tagged && !contains(model.flexibleVersions, v)) {
        throw new SpecError(`${model.file}: ${field.name} is tagged in non-flexible version ${v}`)
      }
      entry = { tagged, desc: describe(model, field, v) }
    }
    const key = JSON.stringify(entry)
    const last = runs[runs.length - 1]
    if (last && last.key === key) last.hi = v
    else runs.push({ lo: v, hi: v, key, entry })
  }
  return runs.filter((run) => run.entry !== null)
}

function cond(lo, hi, context) {
  if (lo === hi && lo > context[0] && hi < context[1]) return `version === ${lo}`
  const parts = []
  if (lo > context[0]) parts.push(`version >= ${lo}`)
  if (hi < context[1]) parts.push(`version <= ${hi}`)
  return parts.join(' && ')
}

/** Emits an if/else-if chain over version runs; `body(run)` emits the statements of one run. */
function versionChain(out, runs, context, body) {
  const covered = runs.length > 0 && runs[0].lo === context[0] && runs[runs.length - 1].hi === context[1] &&
    runs.every((run, i) => i === 0 || runs[i - 1].hi + 1 === run.lo)
  runs.forEach((run, i) => {
    const c = cond(run.lo, run.hi, context)
    if (c === '') {
      body(run)
      return
    }
    if (i === 0) out.open(`if (${c}) {`)
    else if (covered && i === runs.length - 1) out.open('} else {', { dedentFirst: true })
    else out.open(`} else if (${c}) {`, { dedentFirst: true })
    body(run)
    if (i === runs.length - 1) out.close('}')
  })
}

function fnName(prefix, gen, structName) {
  return `${prefix}${gen.structType(structName)}`
}

function readScalar(desc, r) {
  switch (desc.k) {
    case 'string':
    case 'bytes': {
      const base = desc.k === 'string' ? 'String' : 'Bytes'
      if (desc.compact) return `${r}.${desc.nullable ? 'compactNullable' : 'compact'}${base}()`
      return desc.nullable ? `${r}.nullable${base}()` : `${r}.${desc.k}()`
    }
    case 'records':
      return desc.compact ? `${r}.compactRecords()` : `${r}.records()`
    default:
      return `${r}.${desc.k}()`
  }
}

function writeScalar(desc, value, w) {
  switch (desc.k) {
    case 'string':
    case 'bytes': {
      const base = desc.k === 'string' ? 'String' : 'Bytes'
      if (desc.compact) return `${w}.${desc.nullable ? 'compactNullable' : 'compact'}${base}(${value})`
      return desc.nullable ? `${w}.nullable${base}(${value})` : `${w}.${desc.k}(${value})`
    }
    case 'records':
      return desc.compact ? `${w}.compactRecords(${value})` : `${w}.records(${value})`
    default:
      return `${w}.${desc.k}(${value})`
  }
}

/**
 * Emits statements that read one field value into `target`. With `declare` (a TS type), the
 * statements also declare it (used when the field is read the same way in every version).
 */
function emitRead(out, gen, field, desc, target, r, declare) {
  const what = `${gen.model.name}.${field.name}`
  const p = field.prop
  if (desc.k === 'array') {
    const elemType = elemTsType(gen, field)
    const elem = desc.elem.k === 'struct' ? `${fnName('decode', gen, desc.elem.struct)}(${r}, version)` : readScalar(desc.elem, r)
    out.line(`const n_${p} = ${r}.${desc.compact ? 'compactArrayLength' : 'arrayLength'}()`)
    if (desc.nullable) {
      if (declare) out.line(`let ${target}: ${declare} = null`)
      out.open(`if (n_${p} >= 0) {`)
      out.line(`const a_${p}: ${elemType}[] = []`)
      out.line(`for (let i = 0; i < n_${p}; i++) a_${p}.push(${elem})`)
      out.line(`${target} = a_${p}`)
      if (declare) out.close('}')
      else out.open('} else {', { dedentFirst: true }).line(`${target} = null`).close('}')
    } else {
      out.line(`if (n_${p} < 0) throw new DecodeError('${what} is null but not nullable')`)
      if (declare) {
        out.line(`const ${target}: ${declare} = []`)
        out.line(`for (let i = 0; i < n_${p}; i++) ${target}.push(${elem})`)
      } else {
        out.line(`const a_${p}: ${elemType}[] = []`)
        out.line(`for (let i = 0; i < n_${p}; i++) a_${p}.push(${elem})`)
        out.line(`${target} = a_${p}`)
      }
    }
    return
  }
  const lhs = declare ? `const ${target}: ${declare}` : target
  if (desc.k === 'struct') {
    const call = `${fnName('decode', gen, desc.struct)}(${r}, version)`
    out.line(desc.nullable ? `${lhs} = ${r}.int8() < 0 ? null : ${call}` : `${lhs} = ${call}`)
  } else {
    out.line(`${lhs} = ${readScalar(desc, r)}`)
    if (desc.k === 'records' && !desc.nullable) {
      out.line(`if (${target} === null) throw new DecodeError('${what} is null but not nullable')`)
    }
  }
}

/** Emits statements that write one field value (expression `value`) to writer `w`. */
function emitWrite(out, gen, field, desc, value, w) {
  const what = `${gen.model.name}.${field.name}`
  const p = field.prop
  const typeNullable = fieldTsType(gen, field).endsWith('| null')
  const nullError = `throw new EncodeError('${what} is null but not nullable in version ' + version)`
  if (desc.k === 'array') {
    const len = desc.compact ? 'compactArrayLength' : 'arrayLength'
    const elem = desc.elem.k === 'struct' ? `${fnName('encode', gen, desc.elem.struct)}(${w}, a_${p}[i], version)` : writeScalar(desc.elem, `a_${p}[i]`, w)
    out.line(`const a_${p} = ${value}`)
    if (typeNullable) {
      out.open(`if (a_${p} === null) {`).line(desc.nullable ? `${w}.${len}(-1)` : nullError).open('} else {', { dedentFirst: true })
    }
    out.line(`${w}.${len}(a_${p}.length)`)
    out.line(`for (let i = 0; i < a_${p}.length; i++) ${elem}`)
    if (typeNullable) out.close('}')
  } else if (desc.k === 'struct') {
    const encode = fnName('encode', gen, desc.struct)
    if (typeNullable) {
      out.line(`const s_${p} = ${value}`)
      out.open(`if (s_${p} === null) {`).line(desc.nullable ? `${w}.int8(-1)` : nullError).open('} else {', { dedentFirst: true })
      if (desc.nullable) out.line(`${w}.int8(1)`)
      out.line(`${encode}(${w}, s_${p}, version)`)
      out.close('}')
    } else {
      out.line(`${encode}(${w}, ${value}, version)`)
    }
  } else if (desc.k === 'records' && !desc.nullable) {
    out.line(`if (${value} === null) ${nullError}`)
    out.line(writeScalar(desc, value, w))
  } else if ((desc.k === 'string' || desc.k === 'bytes') && !desc.nullable && typeNullable) {
    // the writer throws EncodeError for null
    out.line(writeScalar(desc, `${value} as ${desc.k === 'string' ? 'string' : 'Buffer'}`, w))
  } else {
    out.line(writeScalar(desc, value, w))
  }
}

function emitDecodeFn(out, gen, struct) {
  const { model } = gen
  const tsName = gen.structType(struct.name)
  const context = gen.contexts.get(struct.name)
  const flexible = intersect(model.flexibleVersions, context)
  out.open(`function decode${tsName}(r: Reader, version: number): ${tsName} {`)
  const tagged = []
  for (const field of struct.fields) {
    const runs = fieldRuns(model, field, context)
    const inline = runs.filter((run) => !run.entry.tagged)
    const always = inline.length === 1 && inline[0].lo === context[0] && inline[0].hi === context[1]
    const type = fieldTsType(gen, field)
    if (always) {
      emitRead(out, gen, field, inline[0].entry.desc, `f_${field.prop}`, 'r', type)
    } else {
      out.line(`let f_${field.prop}: ${type} = ${defaultExpr(gen, field)}`)
      versionChain(out, inline, context, (run) => emitRead(out, gen, field, run.entry.desc, `f_${field.prop}`, 'r'))
    }
    const taggedRuns = runs.filter((run) => run.entry.tagged)
    if (taggedRuns.length > 0) tagged.push({ field, runs: taggedRuns })
  }
  if (flexible !== null) {
    gen.use('TaggedField')
    const flexCond = cond(flexible[0], flexible[1], context)
    if (tagged.length === 0) {
      gen.use('readUnknownTaggedFields')
      if (flexCond === '') out.line('const unknown = readUnknownTaggedFields(r)')
      else out.line(`const unknown = ${flexCond} ? readUnknownTaggedFields(r) : undefined`)
    } else {
      out.line('let unknown: TaggedField[] | undefined')
      if (flexCond !== '') out.open(`if (${flexCond}) {`)
      gen.use('taggedFieldReader')
      gen.use('readUnknownTaggedField')
      out.line('const numTagged = r.uvarint()')
      out.open('for (let t = 0; t < numTagged; t++) {')
      out.line('const tag = r.uvarint()')
      out.line('const size = r.uvarint()')
      tagged.sort((a, b) => a.field.tag - b.field.tag)
      tagged.forEach(({ field, runs }, i) => {
        const lo = runs[0].lo
        const hi = runs[runs.length - 1].hi
        const vc = cond(lo, hi, flexible)
        const head = `tag === ${field.tag}${vc === '' ? '' : ` && ${vc}`}`
        out.open(i === 0 ? `if (${head}) {` : `} else if (${head}) {`, { dedentFirst: i > 0 })
        out.line('const tr = taggedFieldReader(r, size)')
        versionChain(out, runs, [lo, hi], (run) => emitRead(out, gen, field, run.entry.desc, `f_${field.prop}`, 'tr'))
      })
      out.open('} else {', { dedentFirst: true })
      out.line('if (unknown === undefined) unknown = []')
      out.line('unknown.push(readUnknownTaggedField(r, tag, size))')
      out.close('}')
      out.close('}')
      if (flexCond !== '') out.close('}')
    }
  }
  const props = struct.fields.map((f) => `${f.prop}: f_${f.prop}`)
  if (flexible === null) {
    out.line(`return { ${props.join(', ')} }`)
  } else {
    out.line(`const m: ${tsName} = { ${props.join(', ')} }`)
    out.line('if (unknown !== undefined) m._unknownTaggedFields = unknown')
    out.line('return m')
  }
  out.close('}')
}

function emitEncodeFn(out, gen, struct) {
  const { model } = gen
  const tsName = gen.structType(struct.name)
  const context = gen.contexts.get(struct.name)
  const flexible = intersect(model.flexibleVersions, context)
  out.open(`function encode${tsName}(w: Writer, m: ${tsName}, version: number): void {`)
  const tagged = []
  for (const field of struct.fields) {
    const runs = fieldRuns(model, field, context)
    versionChain(out, runs.filter((run) => !run.entry.tagged), context, (run) =>
      emitWrite(out, gen, field, run.entry.desc, `m.${field.prop}`, 'w'))
    const taggedRuns = runs.filter((run) => run.entry.tagged)
    if (taggedRuns.length > 0) tagged.push({ field, runs: taggedRuns })
  }
  if (flexible !== null) {
    const flexCond = cond(flexible[0], flexible[1], context)
    if (tagged.length === 0) {
      gen.use('writeUnknownTaggedFields')
      out.line(`${flexCond === '' ? '' : `if (${flexCond}) `}writeUnknownTaggedFields(w, m._unknownTaggedFields)`)
    } else {
      gen.use('writeUnknownTaggedRange')
      gen.use('writeTaggedField')
      gen.useWriterValue()
      if (flexCond !== '') out.open(`if (${flexCond}) {`)
      out.line('const u = m._unknownTaggedFields')
      tagged.sort((a, b) => a.field.tag - b.field.tag)
      const counts = ['(u === undefined ? 0 : u.length)']
      for (const { field, runs } of tagged) {
        const vc = cond(runs[0].lo, runs[runs.length - 1].hi, flexible)
        // a missing (undefined) tagged field is treated as its default: not written
        const nd = `m.${field.prop} !== undefined && ${notDefaultExpr(gen, field, `m.${field.prop}`)}`
        out.line(`const t${field.tag} = ${vc === '' ? nd : `${vc} && ${nd}`}`)
        counts.push(`(t${field.tag} ? 1 : 0)`)
      }
      out.line(`w.uvarint(${counts.join(' + ')})`)
      let from = 0
      for (const { field, runs } of tagged) {
        // unknown fields up to and including this tag number (it may be unknown in this version)
        out.line(`if (u !== undefined) writeUnknownTaggedRange(w, u, ${from}, ${field.tag + 1})`)
        out.open(`if (t${field.tag}) {`)
        out.line('const tw = new Writer(64)')
        const lo = runs[0].lo
        const hi = runs[runs.length - 1].hi
        versionChain(out, runs, [lo, hi], (run) => emitWrite(out, gen, field, run.entry.desc, `m.${field.prop}`, 'tw'))
        out.line(`writeTaggedField(w, ${field.tag}, tw)`)
        out.close('}')
        from = field.tag + 1
      }
      out.line(`if (u !== undefined) writeUnknownTaggedRange(w, u, ${from}, Infinity)`)
      if (flexCond !== '') out.close('}')
    }
  }
  out.close('}')
}

function emitInterface(out, gen, struct) {
  const tsName = gen.structType(struct.name)
  out.open(`export interface ${tsName} {`)
  for (const field of struct.fields) out.line(`${field.prop}: ${fieldTsType(gen, field)}`)
  if (intersect(gen.model.flexibleVersions, gen.contexts.get(struct.name)) !== null) {
    out.line('_unknownTaggedFields?: TaggedField[]')
    gen.use('TaggedField')
  }
  out.close('}')
}

function emitDefaultFn(out, gen, structName) {
  const struct = gen.model.structs.get(structName)
  const tsName = gen.structType(structName)
  out.line()
  out.open(`function default${tsName}(): ${tsName} {`)
  out.line(`return { ${struct.fields.map((f) => `${f.prop}: ${defaultExpr(gen, f)}`).join(', ')} }`)
  out.close('}')
}

function emitIsDefaultFn(out, gen, structName) {
  const struct = gen.model.structs.get(structName)
  const tsName = gen.structType(structName)
  out.line()
  out.open(`function isDefault${tsName}(m: ${tsName}): boolean {`)
  for (const f of struct.fields) out.line(`if (${notDefaultExpr(gen, f, `m.${f.prop}`)}) return false`)
  const flexible = intersect(gen.model.flexibleVersions, gen.contexts.get(structName)) !== null
  out.line(flexible ? 'return m._unknownTaggedFields === undefined || m._unknownTaggedFields.length === 0' : 'return true')
  out.close('}')
}

/** Version context of every struct (the versions in which it can appear) and of every field. */
function analyze(model) {
  const contexts = new Map()
  const visit = (fields, context) => {
    for (const field of fields) {
      const present = intersect(field.versions, context)
      const t = field.type
      const structName = t.kind === 'struct' ? t.structName : t.kind === 'array' && t.elem.kind === 'struct' ? t.elem.structName : null
      if (structName === null || present === null) continue
      const prev = contexts.get(structName)
      const merged = prev === undefined ? present : [Math.min(prev[0], present[0]), Math.max(prev[1], present[1])]
      if (prev !== undefined && prev[0] === merged[0] && prev[1] === merged[1]) continue
      contexts.set(structName, merged)
      visit(model.structs.get(structName).fields, merged)
    }
  }
  visit(model.fields, model.validVersions)
  for (const name of model.structs.keys()) {
    if (!contexts.has(name)) contexts.set(name, model.validVersions)
  }
  contexts.set(null, model.validVersions)
  const fieldContexts = new Map()
  for (const [name, context] of contexts) {
    const fields = name === null ? model.fields : model.structs.get(name).fields
    for (const f of fields) fieldContexts.set(f, context)
  }
  return { contexts, fieldContexts, needDefault: new Set(), needIsDefault: new Set() }
}

/** Returns the TypeScript source for one message spec. */
export function emitMessage(model) {
  const used = new Set()
  let writerValue = false
  const gen = {
    model,
    ...analyze(model),
    structType: (structName) => (structName === null ? model.name : model.name + structName),
    use: (name) => used.add(name),
    useWriterValue: () => {
      writerValue = true
    },
  }
  const root = { name: null, fields: model.fields }
  const structs = [root, ...model.structs.values()]
  const body = new Lines()
  for (const s of structs) {
    body.line()
    emitInterface(body, gen, s)
  }
  for (const s of structs) {
    body.line()
    emitDecodeFn(body, gen, s)
    body.line()
    emitEncodeFn(body, gen, s)
  }
  // default/isDefault helpers are requested while emitting (and may request nested ones)
  const emitted = new Set()
  for (let progress = true; progress;) {
    progress = false
    for (const name of [...gen.needDefault]) {
      if (emitted.has(`d:${name}`)) continue
      emitted.add(`d:${name}`)
      emitDefaultFn(body, gen, name)
      progress = true
    }
    for (const name of [...gen.needIsDefault]) {
      if (emitted.has(`i:${name}`)) continue
      emitted.add(`i:${name}`)
      emitIsDefaultFn(body, gen, name)
      progress = true
    }
  }
  const [min, max] = model.validVersions
  const flexMin = model.flexibleVersions === null ? 'Infinity' : String(model.flexibleVersions[0])
  body.line()
  body.open(`export const ${model.name}: MessageCodec<${model.name}> = {`)
  body.line(`name: '${model.name}',`)
  body.line(`apiKey: ${model.apiKey},`)
  body.line(`type: '${model.type}',`)
  body.line(`minVersion: ${min},`)
  body.line(`maxVersion: ${max},`)
  body.line(`flexibleMinVersion: ${flexMin},`)
  body.open(`decode(r: Reader, version: number): ${model.name} {`)
  body.line(`if (version < ${min} || version > ${max}) throw new DecodeError('${model.name} does not support version ' + version)`)
  body.line(`return decode${model.name}(r, version)`)
  body.close('},')
  body.open(`encode(w: Writer, msg: ${model.name}, version: number): void {`)
  body.line(`if (version < ${min} || version > ${max}) throw new EncodeError('${model.name} does not support version ' + version)`)
  body.line(`encode${model.name}(w, msg, version)`)
  body.close('},')
  body.close('}')

  const codecImports = ['MessageCodec', 'TaggedField'].filter((n) => n === 'MessageCodec' || used.has(n)).map((n) => `type ${n}`)
  for (const n of ['readUnknownTaggedField', 'readUnknownTaggedFields', 'taggedFieldReader', 'writeTaggedField', 'writeUnknownTaggedFields', 'writeUnknownTaggedRange']) {
    if (used.has(n)) codecImports.push(n)
  }
  const head = [
    HEADER,
    `import { ${codecImports.join(', ')} } from '../codec.js'`,
    `import { DecodeError, type Reader } from '../reader.js'`,
    `import { EncodeError, ${writerValue ? 'Writer' : 'type Writer'} } from '../writer.js'`,
  ]
  if (body.text().includes('EMPTY_BYTES')) head.push('', 'const EMPTY_BYTES = Buffer.alloc(0)')
  return head.join('\n') + '\n' + body.text()
}
