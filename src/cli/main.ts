#!/usr/bin/env node
// The `brook` command. Parses arguments with nothing but node:util loaded, then imports the
// broker, so that --help and usage errors are instant and `brook serve` starts fast.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HELP_TEXT, UsageError, parseCliArgs, type CliCommand } from './args.js'

const HINT = "Run 'brook --help' for usage."

async function main(argv: string[]): Promise<void> {
  let cmd: CliCommand
  try {
    cmd = parseCliArgs(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    fail(err.message, 2)
  }
  if (cmd.command === 'help') {
    process.stdout.write(HELP_TEXT)
    return
  }
  if (cmd.command === 'version') {
    process.stdout.write(`${packageVersion()}\n`)
    return
  }
  const [{ serve }, { ConfigError }] = await Promise.all([import('./serve.js'), import('../config/properties.js')])
  try {
    await serve(cmd, process.env)
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2)
    const e = err as NodeJS.ErrnoException
    if (e?.code === 'EADDRINUSE' || e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') fail(`cannot listen: ${e.message}`, 1)
    fail(`failed to start: ${e?.stack ?? String(err)}`, 1)
  }
}

function fail(message: string, exitCode: number): never {
  process.stderr.write(`brook: ${message}\n${exitCode === 2 ? HINT + '\n' : ''}`)
  process.exit(exitCode)
}

/** The version in the package.json above this file (dist/cli/ in a build, src/cli/ in the repo). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'brook' && pkg.version) return pkg.version
    } catch {
      // keep looking upwards
    }
    dir = dirname(dir)
  }
  return 'unknown'
}

void main(process.argv.slice(2))
