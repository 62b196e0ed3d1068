#!/usr/bin/env bash
# Kafka produce throughput: `kcat -P` against bakeoff's kafka driver, both against the same librdkafka
# mock cluster (hosted by bench/kafka_mock_host in its own process, reached over loopback TCP), same
# librdkafka, same producer settings (acks=all, idempotence, linger.ms=5, batch.size 1 MB, batch.num.messages
# 100k, no compression), one partition, publish only, run alternately ROUNDS times.
#
#   bench/vs_native_kafka.sh                  # BUILD=build N=5000000 SIZE=100 BROKERS=3 ROUNDS=3
#
# kcat reads one message per stdin line (SIZE-1 characters plus the newline it strips). Both sides are
# timed on the wall clock around the whole process (connect, metadata, produce, flush), so startup counts
# against both; bakeoff's own measured window (first send to last ack) is printed beside it.
set -euo pipefail
BUILD=${BUILD:-build}
N=${N:-5000000}
SIZE=${SIZE:-100}
BROKERS=${BROKERS:-3}
ROUNDS=${ROUNDS:-3}
BIN="$BUILD/bench/driver_throughput"
HOST="$BUILD/bench/kafka_mock_host"
for b in "$BIN" "$HOST"; do
  [[ -x "$b" ]] || { echo "build $b first: ninja -C $BUILD driver_throughput kafka_mock_host" >&2; exit 2; }
done
command -v kcat >/dev/null || { echo "kcat is not installed: ./scripts/setup.sh" >&2; exit 2; }

WORK=$(mktemp -d /tmp/bakeoff-vs-kafka.XXXXXX)
"$HOST" "$BROKERS" bench 1 >"$WORK/host.out" 2>"$WORK/host.err" &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 100); do [[ -s "$WORK/host.out" ]] && break; sleep 0.05; done
BOOTSTRAP=$(head -1 "$WORK/host.out")
[[ -n "$BOOTSTRAP" ]] || { echo "mock cluster did not start: $(cat "$WORK/host.err")" >&2; exit 1; }
python3 -c "import sys; line=b'x'*($SIZE-1)+b'\n'; sys.stdout.buffer.write(line*$N)" >"$WORK/lines"
echo "librdkafka mock cluster, $BROKERS brokers at $BOOTSTRAP; kcat $(kcat -V 2>&1 | grep -o 'Version [0-9.]*' | head -1 | cut -d' ' -f2); $N x ${SIZE} B, 1 partition"

now() { date +%s.%N; }
best_native=0
best_bakeoff=0
for round in $(seq "$ROUNDS"); do
  start=$(now)
  kcat -P -b "$BOOTSTRAP" -t bench -p 0 -X acks=all -X enable.idempotence=true -X linger.ms=5 \
    -X batch.size=1000000 -X batch.num.messages=100000 -X compression.codec=none <"$WORK/lines"
  end=$(now)
  native=$(python3 -c "print(round($N / ($end - $start)))")
  # Both sides write to the same partition: after kcat in round r it ends at offset (2r-1)N-1.
  produced=$(kcat -C -b "$BOOTSTRAP" -t bench -p 0 -o -1 -e -q -f '%o\n' | tail -1)
  [[ "$produced" == "$(((2 * round - 1) * N - 1))" ]] || { echo "kcat delivered up to offset $produced, expected $(((2 * round - 1) * N - 1))" >&2; exit 1; }
  start=$(now)
  line=$("$BIN" kafka "bootstrap_servers=$BOOTSTRAP" "messages=$N" "size=$SIZE" partitions=1 consumers=0 \
    acks=all enable_idempotence=true linger_ms=5 batch_size=1000000 batch_messages=100000 compression=none)
  end=$(now)
  ours=$(python3 -c "print(round($N / ($end - $start)))")
  echo "round $round: kcat -P $native msg/s | bakeoff $ours msg/s (whole process) | $line"
  best_native=$(python3 -c "print(max($best_native, $native))")
  best_bakeoff=$(python3 -c "print(max($best_bakeoff, $ours))")
done
python3 -c "n=$best_native; b=$best_bakeoff; print(f'best: kcat -P {n:,.0f} msg/s, bakeoff {b:,.0f} msg/s, ratio {b/n:.2f}x (wall clock, whole process)')"
