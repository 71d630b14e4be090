// Debian packages the compat scenarios need, installed with apt-get when missing.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export const DEBIAN_PACKAGES = [
  'kcat',
  'python3-confluent-kafka',
  'python3-kafka',
  'python3-snappy',
  'python3-lz4',
  'python3-zstandard',
]

/** Debian's interpreter: a python3 earlier on PATH (pyenv, venv) does not see Debian's modules. */
export const PYTHON = '/usr/bin/python3'

export function missingPackages(packages = DEBIAN_PACKAGES) {
  return packages.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' })
    return r.status !== 0 || !r.stdout.includes('install ok installed')
  })
}

/** Installs what is missing (apt-get update first). Throws with a readable message on failure. */
export function ensureDebianPackages({ log = console.log } = {}) {
  const missing = missingPackages()
  if (missing.length === 0) {
    log(`compat: Debian packages present (${DEBIAN_PACKAGES.join(', ')})`)
  } else {
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0
    const sudo = asRoot ? [] : ['sudo', '-n']
    if (!asRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
      throw new Error(`missing Debian packages: ${missing.join(' ')}; run as root or: sudo apt-get install -y ${missing.join(' ')}`)
    }
    log(`compat: installing ${missing.join(' ')} (apt-get)`)
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const run = (args) => {
      const cmd = [...sudo, 'apt-get', ...args]
      const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env })
      if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (exit ${r.status})`)
    }
    run(['update'])
    run(['install', '-y', '--no-install-recommends', ...missing])
    const still = missingPackages()
    if (still.length) throw new Error(`still missing after apt-get install: ${still.join(' ')}`)
  }
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found (Debian's python3 package)`)
  const probe = spawnSync(PYTHON, ['-c', 'import confluent_kafka, kafka, snappy, lz4, zstandard; print(confluent_kafka.version()[0], kafka.__version__)'], { encoding: 'utf8' })
  if (probe.status !== 0) throw new Error(`Debian's Python client modules do not import:\n${probe.stderr}`)
  const kcat = spawnSync('kcat', ['-V'], { encoding: 'utf8' })
  const kcatVersion = /Version (\S+).*librdkafka (\S+)/.exec(kcat.stdout ?? '')
  const [ck, kp] = probe.stdout.trim().split(' ')
  return { kcat: kcatVersion?.[1], librdkafka: kcatVersion?.[2]?.replace(/\)$/, ''), confluentKafka: ck, kafkaPython: kp }
}
