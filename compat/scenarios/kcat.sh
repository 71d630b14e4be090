#!/usr/bin/env bash
# kcat (librdkafka 2.0.2) against a broker: one JSON line per check on stdout.
#
#   kcat.sh --bootstrap HOST:PORT [--run-id ID] [--data-dir DIR] [--only a,b] [--issues 2,3]
#           [--phase main|after-restart] [--list]
#
# Each check is a function run in its own process under `timeout`; it prints a one-line
# detail and exits 0 (pass), 77 (skip) or anything else (fail). kcat has no admin commands:
# topics that need partitions or configs are created with kcat_helper.py (confluent-kafka-python).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
HELPER="$HERE/kcat_helper.py"

BOOTSTRAP="" RUN_ID="$(date +%s)" DATA_DIR="" ONLY="" ISSUES="" PHASE=main LIST=0 EXEC=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bootstrap) BOOTSTRAP="$2"; shift 2 ;;
    --run-id) RUN_ID="$2"; shift 2 ;;
    --data-dir) DATA_DIR="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --issues) ISSUES="$2"; shift 2 ;;
    --phase) PHASE="$2"; shift 2 ;;
    --list) LIST=1; shift ;;
    --exec) EXEC="$2"; shift 2 ;;
    *) echo "kcat.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$BOOTSTRAP" ] || [ "$LIST" = 1 ] || { echo "kcat.sh: --bootstrap is required" >&2; exit 2; }
PREFIX="compat-$RUN_ID-kc"
WORK="$(mktemp -d -t brook-kcat.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# kcat's own messages go to $WORK/kcat.err too, so that a failure's detail can quote them
k() { timeout --kill-after=5 "${KCAT_TIMEOUT:-40}" kcat -b "$BOOTSTRAP" -q "$@" 2>>"$WORK/kcat.err"; }
skip() { echo "$*"; exit 77; }
die() {
  local last=""
  if [ -s "$WORK/kcat.err" ]; then cat "$WORK/kcat.err" >&2; last="$(grep -v '^[[:space:]]*$' "$WORK/kcat.err" | tail -1)"; fi
  echo "$*${last:+ (kcat: $last)}"; exit 1
}
lines() { # lines N KEYPREFIX VALUEPREFIX: "<k><i>:<v><i> filler" for i in 0..N-1
  local i
  for ((i = 0; i < $1; i++)); do
    printf '%s%d:%s%d lorem ipsum dolor sit amet consectetur adipiscing elit %d\n' "$2" "$i" "$3" "$i" "$i"
  done
}
high_watermark() { # topic -> log end offset of partition 0 (kcat -Q with -1 = latest)
  k -Q -t "$1:0:-1" | awk '{ print $NF }' | tail -1
}

# ---- checks (issue 2) --------------------------------------------------------------------

check_metadata() {
  k -L -J >"$WORK/md.json" || die "kcat -L failed"
  "$PY" - "$WORK/md.json" <<'EOF' || exit 1
import json, sys
md = json.load(open(sys.argv[1]))
ids = [b['id'] for b in md.get('brokers', [])]
if not ids:
    print('no brokers in kcat -L'); sys.exit(1)
if md.get('controllerid') not in ids:
    print('controller %s not among brokers %s' % (md.get('controllerid'), ids)); sys.exit(1)
bad = [t['topic'] for t in md.get('topics', []) if t.get('error')]
if bad:
    print('topics with errors: %s' % bad[:5]); sys.exit(1)
print('brokers %s (%s), controller %s, %d topics' % (
    ids, md['brokers'][0].get('name'), md['controllerid'], len(md.get('topics', []))))
EOF
}

check_keys_headers() {
  local t="$PREFIX-keyed"
  lines 500 key- val- | k -P -t "$t" -K: -H trace=abc -H 'bin=v=1' -X linger.ms=20 || die "kcat -P failed"
  k -C -t "$t" -o beginning -e -J >"$WORK/out.jsonl" || die "kcat -C failed"
  "$PY" "$HELPER" verify "$WORK/out.jsonl" 500 --headers 'trace=abc,bin=v=1' --keys key- --values val-
}

check_codec() { # codec
  local c="$1" t="$PREFIX-codec-$1"
  lines 400 k v | k -P -t "$t" -K: -X compression.codec="$c" -X linger.ms=50 || die "kcat -P ($c) failed"
  k -C -t "$t" -o beginning -e -J >"$WORK/out.jsonl" || die "kcat -C failed"
  local a b
  a="$("$PY" "$HELPER" verify "$WORK/out.jsonl" 400 --keys k --values v)" || die "$a"
  b="$("$PY" "$HELPER" stored "$DATA_DIR" "$t" "$c")" || die "$b"
  echo "$a; $b"
}
check_codec_none() { check_codec none; }
check_codec_gzip() { check_codec gzip; }
check_codec_snappy() { check_codec snappy; }
check_codec_lz4() { check_codec lz4; }
check_codec_zstd() { check_codec zstd; }

check_idempotent() {
  local t="$PREFIX-idem" a b
  lines 2000 k v | k -P -t "$t" -K: -X enable.idempotence=true -X linger.ms=5 || die "idempotent kcat -P failed"
  k -C -t "$t" -o beginning -e -J >"$WORK/out.jsonl" || die "kcat -C failed"
  a="$("$PY" "$HELPER" verify "$WORK/out.jsonl" 2000 --keys k --values v)" || die "$a"
  b="$("$PY" "$HELPER" stored "$DATA_DIR" "$t" none --idempotent)" || die "$b"
  echo "$a; $b"
}

check_acks() {
  local t="$PREFIX-acks" a
  lines 300 z z | k -P -t "$t" -p 0 -K: -X acks=0 || die "kcat -P acks=0 failed"
  lines 300 a a | k -P -t "$t" -p 0 -K: -X acks=all || die "kcat -P acks=all failed"
  k -C -t "$t" -o beginning -e -J >"$WORK/out.jsonl" || die "kcat -C failed"
  # acks=0 gets no answer, so nothing tells the producer the broker kept up: allow none lost
  a="$("$PY" "$HELPER" verify "$WORK/out.jsonl" 600)" || die "$a"
  echo "300 records with acks=0 (no responses) and 300 with acks=all: $a"
}

check_list_offsets() {
  local t="$PREFIX-offsets" mid end begin at
  lines 10 a a | k -P -t "$t" -p 0 -K: || die "produce 1 failed"
  sleep 0.3; mid=$(($(date +%s%3N) - 100)); sleep 0.2   # between the two batches' timestamps
  lines 10 b b | k -P -t "$t" -p 0 -K: || die "produce 2 failed"
  end="$(high_watermark "$t")"
  begin="$(k -Q -t "$t:0:-2" | awk '{ print $NF }' | tail -1)"
  at="$(k -Q -t "$t:0:$mid" | awk '{ print $NF }' | tail -1)"
  [ "$end" = 20 ] || die "latest offset '$end', expected 20"
  [ "$begin" = 0 ] || die "earliest offset '$begin', expected 0"
  [ "$at" = 10 ] || die "offset for a timestamp between the batches '$at', expected 10"
  echo "kcat -Q: earliest 0, latest 20, by timestamp 10"
}

# ---- issue 3 -------------------------------------------------------------------------------

check_balanced_consumer() {
  local t="$PREFIX-grp" g="$PREFIX-g-balanced" out
  out="$("$PY" "$HELPER" create "$BOOTSTRAP" "$t" 3)" || die "setup: $out"
  lines 60 k v | k -P -t "$t" -K: || die "produce failed"
  KCAT_TIMEOUT=60 k -G "$g" -X auto.offset.reset=earliest -e -J "$t" >"$WORK/g1.jsonl" || die "kcat -G (first run) failed or timed out"
  out="$("$PY" "$HELPER" verify "$WORK/g1.jsonl" 60 --keys k --values v)" || die "first run: $out"
  local parts
  parts="$("$PY" -c 'import json,sys; print(sorted({json.loads(l)["partition"] for l in open(sys.argv[1]) if l.startswith("{")}))' "$WORK/g1.jsonl")"
  lines 15 n w | k -P -t "$t" -K: || die "produce 2 failed"
  KCAT_TIMEOUT=60 k -G "$g" -X auto.offset.reset=earliest -e -J "$t" >"$WORK/g2.jsonl" || die "kcat -G (second run) failed or timed out"
  out="$("$PY" "$HELPER" verify "$WORK/g2.jsonl" 15 --keys n --values w)" || die "second run (should resume from the committed offsets): $out"
  echo "60 records from partitions $parts; rerun resumed from committed offsets and read only the 15 new"
}

# ---- issue 4 -------------------------------------------------------------------------------

check_compacted() {
  local t="$PREFIX-compacted" out r kk end note
  out="$("$PY" "$HELPER" create "$BOOTSTRAP" "$t" 1 cleanup.policy=compact segment.ms=100 \
    min.cleanable.dirty.ratio=0.01 delete.retention.ms=100 min.compaction.lag.ms=0)" || die "setup: $out"
  # the same 20 keys x 10 rounds as compaction_model.py (key k0 ends in a tombstone: -Z)
  for ((r = 0; r < 10; r++)); do
    for ((kk = 0; kk < 20; kk++)); do
      if [ "$r" = 9 ] && [ "$kk" = 0 ]; then printf 'k0:\n'; continue; fi
      printf 'k%d:kcat round %d key %d %s\n' "$kk" "$r" "$kk" "$(printf 'lorem ipsum dolor sit amet %.0s' 1 2 3 4)"
    done
  done | k -P -t "$t" -K: -Z -X linger.ms=20 || die "produce failed"
  sleep 1.2
  printf 'roll:roll\n' | k -P -t "$t" -K: || die "roll produce failed"
  end=$((SECONDS + 90))
  while :; do
    k -C -t "$t" -o beginning -e -J >"$WORK/c.jsonl" || die "kcat -C failed"
    note="$("$PY" "$HELPER" compacted "$WORK/c.jsonl" "$(high_watermark "$t")")" && { echo "$note"; return 0; }
    [ "$SECONDS" -lt "$end" ] || die "$note"
    sleep 2
  done
}

# name|capability|issue|timeout-s|phase|function
CHECKS=(
  "metadata|metadata|2|60|main|check_metadata"
  "produce-consume-keys-headers|produce/consume keys+headers|2|90|main|check_keys_headers"
  "codec-none|codec none|2|60|main|check_codec_none"
  "codec-gzip|codec gzip|2|60|main|check_codec_gzip"
  "codec-snappy|codec snappy|2|60|main|check_codec_snappy"
  "codec-lz4|codec lz4|2|60|main|check_codec_lz4"
  "codec-zstd|codec zstd|2|60|main|check_codec_zstd"
  "idempotent-producer|idempotent producer|2|60|main|check_idempotent"
  "produce-acks|produce acks=0 / acks=all|2|60|main|check_acks"
  "list-offsets|list offsets|2|60|main|check_list_offsets"
  "balanced-consumer|group: consume, commit, resume|3|180|main|check_balanced_consumer"
  "compacted-read|compacted topic: read|4|150|main|check_compacted"
)

if [ -n "$EXEC" ]; then "$EXEC"; exit $?; fi

for spec in "${CHECKS[@]}"; do
  IFS='|' read -r name cap issue tmo phase fn <<<"$spec"
  [ "$phase" = "$PHASE" ] || continue
  if [ -n "$ONLY" ]; then
    hit=0; IFS=',' read -ra parts <<<"$ONLY"
    for p in "${parts[@]}"; do [[ "$name" == *"$p"* ]] && hit=1; done
    [ "$hit" = 1 ] || continue
  fi
  [ -z "$ISSUES" ] || [[ ",$ISSUES," == *",$issue,"* ]] || continue
  if [ "$LIST" = 1 ]; then
    "$PY" -c 'import json,sys; print(json.dumps(dict(client="kcat", check=sys.argv[1], capability=sys.argv[2], issue=int(sys.argv[3]))))' "$name" "$cap" "$issue"
    continue
  fi
  t0=$(date +%s%3N)
  out="$(timeout --kill-after=5 "$tmo" bash "$0" --bootstrap "$BOOTSTRAP" --run-id "$RUN_ID" --data-dir "$DATA_DIR" --exec "$fn" 2>"$WORK/stderr")"
  rc=$?
  ms=$(($(date +%s%3N) - t0))
  detail="$(printf '%s\n' "$out" | tail -1)"
  case "$rc" in
    0) status=pass ;;
    77) status=skip ;;
    124|137) status=fail; detail="timed out after ${tmo}s; last: $detail" ;;
    *) status=fail; [ -n "$detail" ] || detail="exit $rc: $(tail -c 300 "$WORK/stderr" | tr '\n' ' ')" ;;
  esac
  [ "$status" = pass ] || sed "s/^/[kcat\/$name] /" "$WORK/stderr" | tail -20 >&2
  "$PY" "$HELPER" emit kcat "$name" "$cap" "$issue" "$status" "$ms" "$detail"
done
