// Building, starting and probing Brook as a child process (shared by compat/ and bench/).
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const CLI = join(ROOT, 'dist', 'cli', 'main.js')

function newestMtimeMs(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(p) : statSync(p).mtimeMs)
  }
  return newest
}

/** `npm run build` when dist/cli/main.js is missing or older than a file in src/. */
export function ensureBuilt({ log = console.log, force = false } = {}) {
  const src = join(ROOT, 'src')
  let reason = force ? 'requested' : null
  if (!reason && !existsSync(CLI)) reason = 'dist/cli/main.js is missing'
  if (!reason && existsSync(src) && newestMtimeMs(src) > statSync(CLI).mtimeMs) reason = 'src/ is newer than dist/'
  if (!reason) return false
  log(`compat: building Brook (${reason}): npm run build`)
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`)
  if (!existsSync(CLI)) throw new Error('npm run build did not produce dist/cli/main.js')
  return true
}

export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, host, () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/**
 * One ApiVersions v0 round trip (header v1, response header v0 as Kafka always answers it).
 * Resolves { errorCode, apiKeys: Map<apiKey, [min, max]> }; rejects on timeout or a closed socket.
 */
export function probeApiVersions({ host = '127.0.0.1', port, timeoutMs = 2000 }) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port })
    let buf = Buffer.alloc(0)
    const done = (err, value) => {
      clearTimeout(timer)
      sock.destroy()
      if (err) reject(err)
      else resolve(value)
    }
    const timer = setTimeout(() => done(new Error(`no ApiVersions answer within ${timeoutMs} ms`)), timeoutMs)
    sock.setNoDelay(true)
    sock.on('error', (err) => done(err))
    sock.on('close', () => done(new Error('connection closed before an answer')))
    sock.on('connect', () => {
      const clientId = Buffer.from('brook-probe')
      const req = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length)
      let o = req.writeInt32BE(req.length - 4, 0)
      o = req.writeInt16BE(18, o)
      o = req.writeInt16BE(0, o)
      o = req.writeInt32BE(0x5eed, o)
      o = req.writeInt16BE(clientId.length, o)
      clientId.copy(req, o)
      sock.write(req)
    })
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return
      if (buf.readInt32BE(4) !== 0x5eed) return done(new Error('wrong correlation id'))
      const errorCode = buf.readInt16BE(8)
      const apiKeys = new Map()
      const n = buf.readInt32BE(10)
      for (let i = 0, o = 14; i < n && o + 6 <= buf.length; i++, o += 6) {
        apiKeys.set(buf.readInt16BE(o), [buf.readInt16BE(o + 2), buf.readInt16BE(o + 4)])
      }
      done(null, { errorCode, apiKeys })
    })
  })
}

/** Poll until the port answers ApiVersions, the child exits, or timeoutMs passes. */
export async function waitForApiVersions({ host = '127.0.0.1', port, child, timeoutMs = 20000, intervalMs = 5 }) {
  const deadline = Date.now() + timeoutMs
  let lastErr
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`brook exited with code ${child.exitCode} before answering`)
    try {
      return await probeApiVersions({ host, port, timeoutMs: Math.max(100, Math.min(2000, deadline - Date.now())) })
    } catch (err) {
      lastErr = err
      await new Promise((r) => setTimeout(r, intervalMs))
    }
  }
  throw new Error(`brook did not answer ApiVersions on ${host}:${port} within ${timeoutMs} ms (${lastErr?.message})`)
}

/**
 * `node dist/cli/main.js serve --port P --data-dir D` with output appended to logFile.
 * Resolves once ApiVersions is answered: { child, port, bootstrap, stop() }.
 */
export async function startBrook({ port, dataDir, logFile, host = '127.0.0.1', extraArgs = [], timeoutMs = 20000 }) {
  const args = [CLI, 'serve', '--host', host, '--port', String(port), '--data-dir', dataDir, '--log-level', 'info', ...extraArgs]
  const out = createWriteStream(logFile, { flags: 'a' })
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.pipe(out, { end: false })
  child.stderr.pipe(out, { end: false })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  try {
    await waitForApiVersions({ host, port, child, timeoutMs })
  } catch (err) {
    child.kill('SIGKILL')
    await exited
    throw new Error(`${err.message}\n--- ${logFile} (tail) ---\n${tail(logFile)}`)
  }
  const stop = async ({ timeoutMs: stopMs = 15000 } = {}) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), stopMs)
    const result = await exited
    clearTimeout(timer)
    out.end()
    return { ...result, killed: result.signal === 'SIGKILL' }
  }
  /** SIGKILL: a crash, no shutdown work */
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    const result = await exited
    out.end()
    return result
  }
  return { child, port, host, bootstrap: `${host}:${port}`, stop, kill, exited }
}

export function tail(file, bytes = 3000) {
  try {
    const text = readFileSync(file, 'utf8')
    return text.slice(-bytes)
  } catch {
    return '(no log)'
  }
}
