#!/usr/bin/env node
// Runs real non-JS Kafka clients (kcat, confluent-kafka-python, kafka-python from Debian)
// against Brook and prints a client x capability matrix. `npm run compat`; see compat/README.md.
//
//   node compat/run.mjs [--bootstrap HOST:PORT] [--clients kcat,kafka-python] [--issues 2,3]
//                       [--only codec,group] [--no-install] [--no-restart] [--keep] [--list]
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ensureBuilt, freePort, startBrook, tail } from './lib/broker.mjs'
import { startControl } from './lib/control.mjs'
import { PYTHON, ensureDebianPackages } from './lib/deps.mjs'
import { applyAllowlist, counts, loadAllowlist, renderMatrix, summaryLine } from './lib/report.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const SCEN = join(HERE, 'scenarios')
const SCRIPTS = {
  kcat: ['bash', [join(SCEN, 'kcat.sh')]],
  'confluent-kafka-python': [PYTHON, [join(SCEN, 'confluent-kafka-python.py')]],
  'kafka-python': [PYTHON, [join(SCEN, 'kafka-python.py')]],
}
const SCRIPT_TIMEOUT_MS = 25 * 60_000
// Background work on test-friendly periods (Kafka's defaults are 5 min and 15 s), so the retention
// and compaction checks see it within seconds; everything else runs on Brook's defaults. A Brook
// that refuses these properties is started without them (FINDINGS F-006); the checks then wait longer.
let BROOK_ARGS = ['--override', 'log.retention.check.interval.ms=2000', '--override', 'log.cleaner.backoff.ms=1000']

const { values: opt } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    clients: { type: 'string' },
    issues: { type: 'string' },
    only: { type: 'string' },
    'no-install': { type: 'boolean' },
    'no-restart': { type: 'boolean' },
    keep: { type: 'boolean' },
    list: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (opt.help) {
  console.log(readHeader())
  process.exit(0)
}

function readHeader() {
  return `usage: node compat/run.mjs [--bootstrap HOST:PORT] [--clients kcat,confluent-kafka-python,kafka-python]
       [--issues 2,3,4] [--only SUBSTR,...] [--no-install] [--no-restart] [--keep] [--list]
  --bootstrap   use a running broker instead of starting Brook (no restart phase, no stored-batch checks)
  --no-install  do not apt-get missing Debian packages
  --no-restart  skip the phase that restarts Brook and checks what survived
  --keep        keep the work dir (data dir, broker log, client stderr) even when everything passed`
}

const log = (msg) => console.log(msg)
const clients = (opt.clients ? opt.clients.split(',') : Object.keys(SCRIPTS)).filter((c) => {
  if (!SCRIPTS[c]) throw new Error(`unknown client ${c} (known: ${Object.keys(SCRIPTS).join(', ')})`)
  return true
})
const runId = `${Date.now().toString(36)}`
const filterArgs = [...(opt.only ? ['--only', opt.only] : []), ...(opt.issues ? ['--issues', opt.issues] : [])]

/** Runs one scenario script; streams its JSON lines into results as they come. */
function runScript(client, { bootstrap, dataDir, phase, workDir, results, controlUrl }) {
  const [cmd, baseArgs] = SCRIPTS[client]
  const args = [...baseArgs, '--bootstrap', bootstrap, '--run-id', runId, '--phase', phase, ...filterArgs]
  if (dataDir) args.push('--data-dir', dataDir)
  const expected = listChecks(client, phase)
  const errFile = join(workDir, `${client}-${phase}.stderr.log`)
  const errOut = createWriteStream(errFile)
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: SCEN,
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...(controlUrl ? { COMPAT_CONTROL_URL: controlUrl } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: a timeout kills kcat/python children too
    })
    const timer = setTimeout(() => {
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
    }, SCRIPT_TIMEOUT_MS)
    child.stderr.pipe(errOut)
    let pending = ''
    const seen = new Set()
    child.stdout.on('data', (chunk) => {
      pending += chunk
      let nl
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim()
        pending = pending.slice(nl + 1)
        if (!line.startsWith('{')) continue
        try {
          const r = JSON.parse(line)
          r.phase = phase
          seen.add(r.check)
          results.push(r)
          const tag = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' }[r.status] ?? r.status
          log(`  ${tag.padEnd(4)} ${client}/${r.check} (${r.ms} ms)${r.detail ? ' — ' + r.detail : ''}`)
        } catch {
          // a client library printing JSON-looking noise: ignore
        }
      }
    })
    // 'close', not 'exit': every line of stdout has been handled by then
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      errOut.end()
      for (const e of expected) {
        if (seen.has(e.check)) continue
        const why = signal ? `killed by ${signal}` : `exited with code ${code}`
        results.push({ ...e, phase, status: 'fail', ms: 0, detail: `scenario script ${why} before this check; see ${errFile}` })
        log(`  FAIL ${client}/${e.check} (script ${why} before it ran)`)
      }
      resolve({ code, signal, errFile })
    })
  })
}

function listChecks(client, phase) {
  const [cmd, baseArgs] = SCRIPTS[client]
  const r = spawnSync(cmd, [...baseArgs, '--list', '--bootstrap', 'none', '--phase', phase, ...filterArgs], {
    cwd: SCEN, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  })
  if (r.status !== 0) throw new Error(`${client} --list failed:\n${r.stderr}`)
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
}

async function main() {
  if (opt.list) {
    for (const c of clients) for (const phase of ['main', 'after-restart']) for (const e of listChecks(c, phase)) {
      log(`${String(e.issue).padEnd(2)} ${`${c}/${e.check}`.padEnd(58)} ${e.capability}${phase === 'main' ? '' : ' [after restart]'}`)
    }
    return 0
  }
  const results = []
  const versions = opt['no-install'] ? {} : ensureDebianPackages({ log })
  if (versions.kcat) log(`compat: kcat ${versions.kcat} (librdkafka ${versions.librdkafka}), confluent-kafka-python ${versions.confluentKafka}, kafka-python ${versions.kafkaPython}`)

  const workDir = mkdtempSync(join(tmpdir(), 'brook-compat-'))
  let brook = null
  let bootstrap = opt.bootstrap
  const dataDir = opt.bootstrap ? null : join(workDir, 'data')
  const brookLog = join(workDir, 'brook.log')
  const lifecycle = (check, capability, status, detail) => {
    results.push({ client: 'brook', check, capability, issue: 2, status, detail, ms: 0, phase: 'main' })
    log(`  ${status.toUpperCase().padEnd(4)} brook/${check}${detail ? ' — ' + detail : ''}`)
  }
  let control = null
  // stop (SIGTERM, or SIGKILL for a crash) and serve again on the same port and data dir
  const restartBrook = async (mode) => {
    const old = brook
    brook = null
    const exit = mode === 'kill' ? await old.kill() : await old.stop()
    brook = await startBrook({ port: old.port, dataDir, logFile: brookLog, extraArgs: BROOK_ARGS })
    return exit
  }
  try {
    if (!bootstrap) {
      ensureBuilt({ log })
      mkdirSync(dataDir)
      const port = await freePort()
      const t0 = Date.now()
      try {
        brook = await startBrook({ port, dataDir, logFile: brookLog, extraArgs: BROOK_ARGS })
      } catch (err) {
        if (!/exited with code 2/.test(err.message)) throw err
        log(`compat: Brook refused ${BROOK_ARGS.filter((a) => a !== '--override').join(' ')} (see FINDINGS F-006); starting it with defaults`)
        BROOK_ARGS = []
        brook = await startBrook({ port, dataDir, logFile: brookLog })
      }
      bootstrap = brook.bootstrap
      control = await startControl({ restart: restartBrook })
      log(`compat: Brook serving on ${bootstrap} after ${Date.now() - t0} ms (${BROOK_ARGS.filter((a) => a !== '--override').join(' ') || 'defaults'}; data ${dataDir}, log ${brookLog})`)
    } else {
      log(`compat: using the broker at ${bootstrap}`)
    }
    const controlUrl = control?.url
    for (const client of clients) {
      log(`compat: ${client}`)
      if (!brook && !opt.bootstrap) brook = await startBrook({ port: Number(bootstrap.split(':').pop()), dataDir, logFile: brookLog, extraArgs: BROOK_ARGS })
      await runScript(client, { bootstrap, dataDir, phase: 'main', workDir, results, controlUrl })
    }
    const restartClients = clients.filter((c) => listChecks(c, 'after-restart').length > 0)
    if (brook && !opt['no-restart'] && restartClients.length > 0) {
      log('compat: restarting Brook on the same data dir (SIGTERM, then serve again)')
      let exit = null
      try {
        exit = await restartBrook('term')
        lifecycle('restart', 'survives broker restart', 'pass', 'serving again on the same port and data dir')
      } catch (err) {
        lifecycle('restart', 'survives broker restart', 'fail', err.message.split('\n')[0])
      }
      if (exit) {
        const clean = exit.code === 0 && !exit.killed
        lifecycle('sigterm-shutdown', 'clean shutdown (SIGTERM)', clean ? 'pass' : 'fail',
          clean ? 'exit 0' : `exit code ${exit.code} signal ${exit.signal}${exit.killed ? ' (SIGKILLed after 15 s)' : ''}`)
      }
      if (brook) {
        for (const client of restartClients) {
          log(`compat: ${client} (after restart)`)
          await runScript(client, { bootstrap, dataDir, phase: 'after-restart', workDir, results, controlUrl })
        }
      }
    }
  } finally {
    await control?.close()
    if (brook) {
      const stopped = await brook.stop()
      if (stopped.code !== 0) log(`compat: Brook exited with code ${stopped.code} signal ${stopped.signal} at the end`)
    }
  }

  const allowlist = loadAllowlist(join(HERE, 'allowlist.json'), join(HERE, 'FINDINGS.md'))
  for (const p of allowlist.problems) results.push({ client: 'brook', check: 'allowlist', capability: 'allowlist valid', issue: 0, status: 'fail', detail: p, ms: 0 })
  const stale = applyAllowlist(results, allowlist)

  const matrix = renderMatrix(results)
  const failures = results.filter((r) => r.status === 'fail')
  const known = results.filter((r) => r.status === 'known')
  const outDir = join(HERE, 'results')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify({ runId, bootstrap, versions, results }, null, 2))
  writeFileSync(join(outDir, 'latest.md'), `${matrix}\n\n${summaryLine(results)}\n`)

  log('\ncompat matrix (pass / FAIL / skip = client lacks it / known = allowlisted, see FINDINGS.md / · = not covered)\n')
  log(matrix)
  if (known.length) log(`\nknown gaps (allowlisted):\n${known.map((r) => `  ${r.client}/${r.check} -> ${r.finding}`).join('\n')}`)
  for (const s of stale) log(`note: ${s}`)
  if (failures.length) {
    log(`\nfailures:\n${failures.map((r) => `  ${r.client}/${r.check}: ${r.detail}`).join('\n')}`)
    log(`\nwork dir kept: ${workDir} (brook.log, <client>-<phase>.stderr.log)`)
    if (failures.some((r) => r.client === 'brook') && !opt.bootstrap) log(`--- brook.log (tail) ---\n${tail(brookLog, 1500)}`)
  } else if (!opt.keep) {
    rmSync(workDir, { recursive: true, force: true })
  } else {
    log(`\nwork dir kept: ${workDir}`)
  }
  log(`results: ${join(outDir, 'latest.json')}`)
  log(summaryLine(results))
  return counts(results).failed > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`compat: ${err.stack ?? err}`)
    console.log('compat: 0 passed, 1 failed, 0 skipped')
    process.exit(2)
  },
)
