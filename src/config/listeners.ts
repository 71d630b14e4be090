// `listeners` / `advertised.listeners` values: comma-separated NAME://host:port entries.
import { ConfigError } from './properties.js'

export interface ListenerAddress {
  /** listener name, e.g. PLAINTEXT */
  name: string
  /** '' when the entry has no host (bind all interfaces) */
  host: string
  port: number
}

const UNSUPPORTED_PROTOCOLS = new Set(['SSL', 'SASL_PLAINTEXT', 'SASL_SSL'])

export function parseListeners(raw: string, key: string): ListenerAddress[] {
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '')
  if (entries.length === 0) throw new ConfigError(key, `${key} is empty`)
  const seen = new Set<string>()
  return entries.map((entry) => {
    const m = /^([A-Za-z][A-Za-z0-9_]*):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(entry)
    if (!m) throw new ConfigError(key, `Invalid ${key} entry "${entry}": expected NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092`)
    const name = m[1].toUpperCase()
    if (UNSUPPORTED_PROTOCOLS.has(name)) throw new ConfigError(key, `${key}: ${name} listeners are not supported (only PLAINTEXT)`)
    if (seen.has(name)) throw new ConfigError(key, `${key} names listener ${name} twice`)
    seen.add(name)
    const port = Number(m[3])
    if (port > 65535) throw new ConfigError(key, `Invalid port ${port} in ${key} entry "${entry}"`)
    const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2]
    return { name, host, port }
  })
}

/** Formats an address as host:port, bracketing IPv6 literals. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
