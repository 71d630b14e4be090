// Shared vocabulary for Brook's config catalogues (topic and broker): Kafka's config types, how a
// string value is parsed the way Kafka's ConfigDef parses it, and the validators that produce
// Kafka-shaped "Invalid value X for configuration Y: reason" messages.
//
// int64 values are JS numbers (see contracts.md). Kafka's Long.MAX_VALUE sentinels therefore
// become 9223372036854775807 rounded to a double; they only serve as "unbounded" in comparisons.
// The original string is what DescribeConfigs reports, so nothing is lost on the wire.

/** DescribeConfigs ConfigType codes (DescribeConfigsResponse v3+). */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const
export type ConfigTypeName = Exclude<keyof typeof ConfigType, 'UNKNOWN'>

/** DescribeConfigs ConfigSource codes (v1+). */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8,
} as const

export type ParsedValue = boolean | number | string | string[] | null

/** A validator returns null when the parsed value is fine, else the reason (without the prefix). */
export type ConfigValidator = (parsed: ParsedValue) => string | null

/** Broker config that supplies a topic config's default; `unit` converts it to the topic's unit. */
export interface ConfigSynonym {
  name: string
  unit?: 'hours' | 'minutes'
}

export interface ConfigDefinition {
  name: string
  type: ConfigTypeName
  /** Default as DescribeConfigs prints it (LIST joined with ','), null when Kafka has none. */
  defaultValue: string | null
  /** Human-readable range, as Kafka's docs show it ("[0,...]", "[delete, compact]"). */
  validValues: string
  validator: ConfigValidator | null
  importance: 'high' | 'medium' | 'low'
  documentation: string
}

export class ConfigValueError extends Error {
  constructor(
    readonly configName: string,
    readonly value: string | null,
    readonly reason: string,
  ) {
    super(`Invalid value ${value} for configuration ${configName}: ${reason}`)
  }
}

const INT_RE = /^[+-]?\d+$/
// Java's Double.parseDouble accepts decimal forms, exponents, an f/d suffix, NaN and Infinity.
const DOUBLE_RE = /^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)$/

const INT_BOUNDS = {
  INT: [-(2n ** 31n), 2n ** 31n - 1n],
  SHORT: [-(2n ** 15n), 2n ** 15n - 1n],
  LONG: [-(2n ** 63n), 2n ** 63n - 1n],
} as const

/** Parses a raw string as Kafka's ConfigDef.parseType would; throws ConfigValueError. */
export function parseConfigValue(name: string, type: ConfigTypeName, raw: string): ParsedValue {
  const trimmed = raw.trim()
  switch (type) {
    case 'BOOLEAN': {
      const lower = trimmed.toLowerCase()
      if (lower === 'true') return true
      if (lower === 'false') return false
      throw new ConfigValueError(name, raw, 'Expected value to be either true or false')
    }
    case 'STRING':
    case 'PASSWORD':
    case 'CLASS':
      return trimmed
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (!INT_RE.test(trimmed)) throw new ConfigValueError(name, raw, `Not a number of type ${type}`)
      const big = BigInt(trimmed)
      const [min, max] = INT_BOUNDS[type]
      if (big < min || big > max) throw new ConfigValueError(name, raw, `Not a number of type ${type}`)
      return Number(big)
    }
    case 'DOUBLE': {
      if (!DOUBLE_RE.test(trimmed)) throw new ConfigValueError(name, raw, `Not a number of type ${type}`)
      return Number(trimmed.replace(/[fFdD]$/, ''))
    }
    case 'LIST':
      return trimmed === '' ? [] : trimmed.split(/\s*,\s*/)
  }
}

/** Parses and validates; throws ConfigValueError carrying Kafka's message. */
export function parseAndValidate(def: ConfigDefinition, raw: string): ParsedValue {
  const parsed = parseConfigValue(def.name, def.type, raw)
  const reason = def.validator?.(parsed) ?? null
  if (reason !== null) throw new ConfigValueError(def.name, raw, reason)
  return parsed
}

// ---- validators (messages follow Kafka's ConfigDef validators) ----

export function atLeast(min: number): ConfigValidator {
  return (v) => (typeof v === 'number' && v < min ? `Value must be at least ${min}` : null)
}

export function between(min: number, max: number): ConfigValidator {
  return (v) => {
    if (typeof v !== 'number') return null
    if (Number.isNaN(v)) return `Value must be at least ${min}`
    if (v < min) return `Value must be at least ${min}`
    if (v > max) return `Value must be no more than ${max}`
    return null
  }
}

export function oneOf(values: readonly string[]): ConfigValidator {
  return (v) => (typeof v === 'string' && !values.includes(v) ? `String must be one of: ${values.join(', ')}` : null)
}

export function oneOfCaseInsensitive(values: readonly string[]): ConfigValidator {
  const lower = values.map((s) => s.toLowerCase())
  return (v) =>
    typeof v === 'string' && !lower.includes(v.toLowerCase())
      ? `String must be one of (case insensitive): ${values.join(', ')}`
      : null
}

/** Every element of a LIST must be one of `values` (Kafka's ValidList). */
export function listOf(values: readonly string[]): ConfigValidator {
  return (v) => {
    if (!Array.isArray(v)) return null
    for (const item of v) {
      if (!values.includes(item)) return `String must be one of: ${values.join(', ')}`
    }
    return null
  }
}

export function nonEmptyString(): ConfigValidator {
  return (v) => (typeof v === 'string' && v.length === 0 ? 'String must be non-empty' : null)
}

/** Renders a parsed value the way DescribeConfigs would (Kafka's ConfigDef.convertToString). */
export function configValueToString(value: ParsedValue, type: ConfigTypeName): string | null {
  if (value === null) return null
  if (Array.isArray(value)) return value.join(',')
  if (type === 'DOUBLE' && typeof value === 'number') return javaDoubleToString(value)
  return String(value)
}

/** Java's Double.toString: "0.5", "1.0", "1.0E7", "1.7976931348623157E308". */
export function javaDoubleToString(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity'
  const abs = Math.abs(v)
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [mantissa, exp] = v.toExponential().split('e')
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp)}`
  }
  const s = String(v)
  return Number.isInteger(v) ? `${s}.0` : s
}
