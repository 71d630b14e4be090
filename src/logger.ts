// pino logger: human-readable (pino-pretty) on a TTY, JSON lines otherwise.
import { createRequire } from 'node:module'
import { pino } from 'pino'
import type { DestinationStream, Logger as PinoLogger } from 'pino'

export type Logger = PinoLogger

export interface CreateLoggerOptions {
  /** pretty output; default: when stdout is a TTY */
  pretty?: boolean
  /** where to write (default stdout); tests pass a stream to capture lines */
  destination?: DestinationStream
  /** bindings added to every line */
  base?: Record<string, unknown>
}

export function createLogger(level: string = 'info', opts: CreateLoggerOptions = {}): Logger {
  const options = { level, base: opts.base ?? null, timestamp: pino.stdTimeFunctions.isoTime }
  if (opts.destination) return pino(options, opts.destination)
  const pretty = opts.pretty ?? process.stdout.isTTY === true
  if (pretty && level !== 'silent') {
    // Loaded on demand: pino-pretty costs ~25 ms to import and is only needed on a terminal.
    const require = createRequire(import.meta.url)
    const prettyFactory = require('pino-pretty') as (o: Record<string, unknown>) => DestinationStream
    return pino(options, prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }))
  }
  return pino(options)
}

/** A logger that drops everything. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
