// Allowlist handling, the client x capability matrix and the summary line.
import { existsSync, readFileSync } from 'node:fs'

export const CLIENT_ORDER = ['kcat', 'confluent-kafka-python', 'kafka-python', 'brook']

/**
 * compat/allowlist.json: { "entries": [{ "check": "client/check", "finding": "F-003", "reason": "..." }] }.
 * Every entry must name a finding that exists as a "## F-003 ..." heading in FINDINGS.md.
 * Returns { entries: Map<check, entry>, problems: string[] }.
 */
export function loadAllowlist(allowlistPath, findingsPath) {
  const problems = []
  const entries = new Map()
  if (!existsSync(allowlistPath)) return { entries, problems }
  let parsed
  try {
    parsed = JSON.parse(readFileSync(allowlistPath, 'utf8'))
  } catch (err) {
    return { entries, problems: [`allowlist.json does not parse: ${err.message}`] }
  }
  const findings = existsSync(findingsPath) ? readFileSync(findingsPath, 'utf8') : ''
  const ids = new Set([...findings.matchAll(/^##+\s+(F-\d+)\b/gm)].map((m) => m[1]))
  for (const [i, e] of (parsed.entries ?? []).entries()) {
    if (typeof e?.check !== 'string' || !e.check.includes('/')) problems.push(`allowlist entry ${i}: "check" must be "client/check"`)
    else if (typeof e.finding !== 'string' || !ids.has(e.finding)) problems.push(`allowlist entry ${e.check}: finding ${e.finding} is not a heading in FINDINGS.md`)
    else entries.set(e.check, e)
  }
  return { entries, problems }
}

/** Applies the allowlist: a failing allowlisted check becomes status "known" (counted as skipped). */
export function applyAllowlist(results, allowlist) {
  const stale = []
  for (const r of results) {
    const entry = allowlist.entries.get(`${r.client}/${r.check}`)
    if (!entry) continue
    if (r.status === 'fail') {
      r.status = 'known'
      r.finding = entry.finding
    } else if (r.status === 'pass') {
      stale.push(`${r.client}/${r.check} passes: allowlist entry (${entry.finding}) can go`)
    }
  }
  return stale
}

function cell(statuses) {
  if (statuses.length === 0) return '·'
  if (statuses.includes('fail')) return statuses.length > 1 ? `FAIL ${statuses.filter((s) => s === 'fail').length}/${statuses.length}` : 'FAIL'
  if (statuses.includes('known')) return 'known'
  if (statuses.includes('pass')) return statuses.includes('skip') ? 'pass+skip' : 'pass'
  return 'skip'
}

/** Markdown-ish table: one row per capability (grouped by issue), one column per client. */
export function renderMatrix(results) {
  const clients = CLIENT_ORDER.filter((c) => results.some((r) => r.client === c))
    .concat([...new Set(results.map((r) => r.client))].filter((c) => !CLIENT_ORDER.includes(c)))
  const rows = []
  for (const r of [...results].sort((a, b) => a.issue - b.issue)) {
    if (!rows.some((x) => x.capability === r.capability)) rows.push({ capability: r.capability, issue: r.issue })
  }
  const header = ['issue', 'capability', ...clients]
  const table = rows.map((row) => [
    String(row.issue),
    row.capability,
    ...clients.map((c) => cell(results.filter((r) => r.client === c && r.capability === row.capability).map((r) => r.status))),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)))
  const line = (cols) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.map(line)].join('\n')
}

export function counts(results) {
  const passed = results.filter((r) => r.status === 'pass').length
  const failed = results.filter((r) => r.status === 'fail').length
  const skipped = results.filter((r) => r.status === 'skip' || r.status === 'known').length
  return { passed, failed, skipped }
}

export function summaryLine(results) {
  const { passed, failed, skipped } = counts(results)
  return `compat: ${passed} passed, ${failed} failed, ${skipped} skipped`
}
