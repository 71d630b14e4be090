#!/usr/bin/env bash
# Regenerates test/fixtures/codecs/: record batches as real clients send them, per codec.
# Needs Debian's kcat python3-confluent-kafka python3-kafka python3-snappy python3-lz4
# python3-zstandard, and the repo's node_modules (kafkajs, kafkajs-snappy, kafkajs-lz4).
# Everything talks to capture_broker.py on 127.0.0.1 only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../test/fixtures/codecs"
port="${PORT:-39092}"
rm -rf "$out" && mkdir -p "$out"
/usr/bin/python3 "$here/capture_broker.py" "$port" "$out" &
broker=$!
trap 'kill $broker' EXIT
sleep 1
bootstrap="127.0.0.1:$port"
for codec in none gzip snappy lz4 zstd; do
  # kcat (librdkafka): key:value lines, one header on every record
  /usr/bin/python3 -c "
import sys; sys.path.insert(0, '$here')
from messages import messages
for k, v in messages(): print(k + '\t' + v.decode())" |
    kcat -P -b "$bootstrap" -t "fx-$codec" -z "$codec" -K $'\t' -H h=kcat -X client.id=kcat -X linger.ms=200
  (cd "$here" && /usr/bin/python3 produce_python.py confluent "$bootstrap" "fx-$codec" "$codec")
  (cd "$here" && /usr/bin/python3 produce_python.py kafka-python "$bootstrap" "fx-$codec" "$codec")
  if [ "$codec" != zstd ]; then
    (cd "$here/../.." && node "$here/produce-kafkajs.cjs" "$bootstrap" "fx-$codec" "$codec")
  fi
done
/usr/bin/python3 "$here/synthetic.py" "$out"
ls -la "$out"
