// `brook serve` as a child process (the transpiled CLI from test/helpers/build.ts) on a free port:
// the port is read from the "Brook started" log line (JSON logs, since stdout is a pipe).
import { spawn, type ChildProcess } from 'node:child_process'

export interface BrookProcess {
  child: ChildProcess
  port: number
  /** resolves when the process has exited */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  output(): string
}

export interface StartBrookOptions {
  /** node's own flags, before the script (e.g. --require) */
  nodeArgs?: string[]
  timeoutMs?: number
}

export function startBrookProcess(cliPath: string, args: string[], opts: StartBrookOptions = {}): Promise<BrookProcess> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  // BROOK_* variables of the outer environment must not change the broker under test
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BROOK_')))
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), cliPath, 'serve', '--port', '0', '--log-level', 'info', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`brook did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onOutput = (d: Buffer) => {
      output += d
      const m = /"listener":"[^"]*:(\d+)"/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve({ child, port: Number(m[1]), exited, output: () => output })
      }
    }
    child.stdout!.on('data', onOutput)
    child.stderr!.on('data', (d: Buffer) => (output += d))
    void exited.then((r) => {
      clearTimeout(timer)
      reject(new Error(`brook exited (${r.code ?? r.signal}) before listening:\n${output}`))
    })
  })
}
