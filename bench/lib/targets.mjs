// Reads a compare.sh results folder (runs.jsonl) and reports Brook against the issue targets:
// produce at least the mock cluster's rate in the same run, throughput at least Apache Kafka
// 4.1's reference figures (../shared/perf/KAFKA-REFERENCE.md, a different run: indicative only),
// end-to-end p99 under 2 ms, kafkajs group join to first message within 50 ms.
//   node bench/lib/targets.mjs RESULTS_DIR BROOK_NAME MOCK_NAME
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const [dir, brook = 'brook', mock = 'mock'] = process.argv.slice(2)
const runs = readFileSync(join(dir, 'runs.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))

const median = (a) => {
  const s = [...a].sort((x, y) => x - y)
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
function values(workload, target, key) {
  const byRound = {}
  for (const r of runs) {
    if (r.workload !== workload || r.target !== target || !r.result?.ok) continue
    const v = r.result[key]
    if (typeof v === 'number' && Number.isFinite(v)) byRound[r.round] = v
  }
  return byRound
}
/** median over rounds of brook/mock from the same round (drift cancels), else ratio of medians */
function ratio(workload, key) {
  const b = values(workload, brook, key)
  const m = values(workload, mock, key)
  const per = Object.keys(b).filter((k) => k in m && m[k] > 0).map((k) => b[k] / m[k])
  return per.length ? median(per) : median(Object.values(b)) / median(Object.values(m))
}
const med = (workload, key) => median(Object.values(values(workload, brook, key)))
const fmt = (v, digits = 2) => {
  if (!Number.isFinite(v)) return 'n/a'
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(digits)}M`
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(0)}k`
  return v.toFixed(digits)
}
const meta = (() => {
  try {
    return JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))
  } catch {
    return {}
  }
})()
const count = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n))
const N1 = count(meta.n1 ?? 1e6)
const N2 = count(meta.n2 ?? 2e5)

// [label, measured, target text, met?]
const rows = []
const vsMock = (label, wl, key = 'msgs_per_s') => {
  const r = ratio(wl, key)
  rows.push([`${label}: brook/mock (same run)`, Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a', '≥ 1.00×', Number.isFinite(r) ? r >= 1 : null])
}
const vsKafka = (label, wl, key, kafka, unit = '') => {
  const v = med(wl, key)
  rows.push([`${label}: brook median`, `${fmt(v)}${unit}`, `≥ ${fmt(kafka)}${unit} (Kafka 4.1 reference)`, Number.isFinite(v) ? v >= kafka : null])
}
vsMock(`produce ${N1}×100 B, 1 partition`, 'p100_p1')
vsMock(`produce ${N1}×100 B, 8 partitions`, 'p100_p8')
vsMock(`produce ${N2}×1 KiB, acks=all`, 'p1k_all')
vsMock(`produce ${N1}×100 B, lz4`, 'p100_lz4')
vsKafka(`produce ${N1}×100 B, 1 partition (msgs/s)`, 'p100_p1', 'msgs_per_s', 1.64e6)
vsKafka(`produce ${N1}×100 B, 8 partitions (msgs/s)`, 'p100_p8', 'msgs_per_s', 2.04e6)
vsKafka(`produce ${N2}×1 KiB, acks=all (MB/s)`, 'p1k_all', 'mb_per_s', 266)
vsKafka(`produce ${N1}×100 B, lz4 (msgs/s)`, 'p100_lz4', 'msgs_per_s', 1.5e6)
vsKafka(`consume ${N1}×100 B (msgs/s)`, 'c100_p1', 'msgs_per_s', 2.37e6)
vsKafka('kafkajs produce (msgs/s)', 'kjs', 'produce_msgs_per_s', 130e3)
vsKafka('kafkajs consume (msgs/s)', 'kjs', 'consume_steady_msgs_per_s', 523e3)
const p99 = med('e2e_5k', 'e2e_p99_ms')
rows.push(['e2e 5k msgs/s p99 (ms)', fmt(p99), '< 2 ms', Number.isFinite(p99) ? p99 < 2 : null])
const p50 = med('e2e_5k', 'e2e_p50_ms')
const p999 = med('e2e_5k', 'e2e_p999_ms')
rows.push(['e2e 5k msgs/s p50 / p99.9 (ms)', `${fmt(p50)} / ${fmt(p999)}`, '(Kafka 4.1: 1.00 / 5.85)', null])
const join1 = med('kjs', 'first_msg_ms')
rows.push(['kafkajs group join → first message (ms)', fmt(join1, 0), '≤ 50 ms (issue 3; Kafka 4.1: 55)', Number.isFinite(join1) ? join1 <= 50 : null])

const verdict = (ok) => (ok === null ? '' : ok ? 'met' : 'NOT met')
const out = ['| measure | measured | target | |', '| --- | ---: | --- | --- |', ...rows.map((r) => `| ${r[0]} | ${r[1]} | ${r[2]} | ${verdict(r[3])} |`)]
const met = rows.filter((r) => r[3] === true).length
const judged = rows.filter((r) => r[3] !== null).length
out.push('', `targets: ${met} of ${judged} met (Kafka figures come from another run on a similar machine: indicative${meta.scale && meta.scale !== 1 ? `; counts scaled by ${meta.scale}, so not like for like` : ''})`)
console.log(out.join('\n'))
