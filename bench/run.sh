#!/usr/bin/env bash
# Brook beside librdkafka's mock cluster, in one run, with ../shared/perf/compare.sh.
#
#   bench/run.sh [compare.sh options]      e.g. bench/run.sh --scale 0.2 --rounds 3 --only p100_p1,e2e_5k
#   PERF_DIR=/path/to/perf bench/run.sh    (default: ../shared/perf next to the repo)
#   BROOK_ARGS="--fsync" bench/run.sh      extra `brook serve` flags
#
# Builds Brook when dist/ is missing or stale, starts `brook serve` on a free port with a temp
# data dir and the mock cluster, runs compare.sh with brook FIRST (the ratio baseline) and mock
# second, copies report.md and runs.jsonl to bench/results/<date>/, and prints the ratios and
# the issue targets (bench/lib/targets.mjs). The perf code is used in place, never copied.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PERF_DIR="${PERF_DIR:-$ROOT/../shared/perf}"
PERF_DIR="$(cd "$PERF_DIR" 2>/dev/null && pwd)" || { echo "bench: PERF_DIR ${PERF_DIR} not found" >&2; exit 2; }
[ -x "$PERF_DIR/compare.sh" ] || { echo "bench: $PERF_DIR/compare.sh missing" >&2; exit 2; }
log() { echo "bench: $*" >&2; }

node "$ROOT/bench/lib/brook-process.mjs" build || exit 1
if [ ! -x "$PERF_DIR/bin/mock-cluster" ] || [ ! -x "$PERF_DIR/bin/rdperf" ]; then
  log "building the perf tools (make -C $PERF_DIR)"
  make -s -C "$PERF_DIR" || { log "build failed: apt-get install -y librdkafka-dev build-essential pkg-config"; exit 1; }
fi

WORK="$(mktemp -d -t brook-bench.XXXXXX)"
BROOK_PID="" MOCK_PID=""
cleanup() {
  [ -n "$BROOK_PID" ] && kill -TERM "$BROOK_PID" 2>/dev/null && wait "$BROOK_PID" 2>/dev/null
  [ -n "$MOCK_PID" ] && kill -TERM "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
  rm -rf "$WORK/data"
  if [ "${RC:-1}" = 0 ]; then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(node "$ROOT/bench/lib/brook-process.mjs" free-port)"
mkdir -p "$WORK/data"
# shellcheck disable=SC2086  # BROOK_ARGS is a list of flags
node "$ROOT/dist/cli/main.js" serve --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" --log-level warn ${BROOK_ARGS:-} \
  >"$WORK/brook.log" 2>&1 &
BROOK_PID=$!
node "$ROOT/bench/lib/brook-process.mjs" wait "127.0.0.1:$PORT" 20000 || { log "brook did not start:"; tail -20 "$WORK/brook.log" >&2; exit 1; }
log "brook pid $BROOK_PID on 127.0.0.1:$PORT (data $WORK/data${BROOK_ARGS:+, flags $BROOK_ARGS})"

"$PERF_DIR/bin/mock-cluster" >"$WORK/mock.out" 2>"$WORK/mock.err" &
MOCK_PID=$!
for _ in $(seq 100); do [ -s "$WORK/mock.out" ] && break; sleep 0.05; done
MOCK="$(head -1 "$WORK/mock.out")"
[ -n "$MOCK" ] || { log "mock cluster did not start: $(cat "$WORK/mock.err")"; exit 1; }
log "mock cluster pid $MOCK_PID on $MOCK"

"$PERF_DIR/compare.sh" --out "$WORK/compare" "$@" "brook=127.0.0.1:$PORT" "mock=$MOCK"
RC=$?
[ -f "$WORK/compare/report.md" ] || { log "compare.sh produced no report (exit $RC); stderr: $WORK/compare/stderr.log"; exit 1; }

DEST="$ROOT/bench/results/$(date +%F)"
[ -e "$DEST" ] && DEST="$DEST-$(date +%H%M%S)"
mkdir -p "$DEST"
cp "$WORK/compare/report.md" "$WORK/compare/runs.jsonl" "$DEST/"
cp "$WORK/compare/meta.json" "$DEST/" 2>/dev/null
{
  echo "{\"brook_commit\":\"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)\",\"brook_dirty\":$([ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo true || echo false),"
  echo "\"brook_args\":\"${BROOK_ARGS:-}\",\"compare_args\":\"$*\",\"perf_dir\":\"$PERF_DIR\",\"node\":\"$(node --version)\"}"
} >"$DEST/bench.json"
node "$ROOT/bench/lib/targets.mjs" "$WORK/compare" brook mock | tee "$DEST/targets.md"

echo
echo "ratios (mock/brook, from compare.sh: below 1.00× on a throughput row means brook was faster):"
# the first table of the report: workload rows, last column = mock/brook
awk -F'|' '/^\| / { t = 1; if (++n > 2) { gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $(NF-1)); printf "  %-72s %s\n", $2, $(NF-1) } next }
           t { exit }' "$WORK/compare/report.md"
echo "bench: report in $DEST (report.md, runs.jsonl, targets.md)"
exit "$RC"
