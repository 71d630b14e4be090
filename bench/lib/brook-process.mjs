// Small CLI around compat/lib/broker.mjs for the shell scripts in bench/:
//   node bench/lib/brook-process.mjs free-port
//   node bench/lib/brook-process.mjs wait HOST:PORT [TIMEOUT_MS]   exits 0 once ApiVersions is answered
//   node bench/lib/brook-process.mjs build                          npm run build if dist is missing/stale
import { ensureBuilt, freePort, waitForApiVersions } from '../../compat/lib/broker.mjs'

const [cmd, arg, timeout] = process.argv.slice(2)
try {
  if (cmd === 'free-port') {
    console.log(await freePort())
  } else if (cmd === 'wait') {
    const [host, port] = [arg.slice(0, arg.lastIndexOf(':')), Number(arg.slice(arg.lastIndexOf(':') + 1))]
    await waitForApiVersions({ host, port, timeoutMs: Number(timeout ?? 20000), intervalMs: 20 })
  } else if (cmd === 'build') {
    ensureBuilt({ log: (m) => console.error(m.replace(/^compat:/, 'bench:')) })
  } else {
    console.error('usage: brook-process.mjs free-port | wait HOST:PORT [TIMEOUT_MS] | build')
    process.exit(2)
  }
} catch (err) {
  console.error(`bench: ${err.message}`)
  process.exit(1)
}
