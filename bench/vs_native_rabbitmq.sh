#!/usr/bin/env bash
# bakeoff's rabbitmq driver vs a bare rabbitmq-c client (bench/rabbitmq_reference.cc), in one go, against
# the same private rabbitmq-server: same queue type, 100-byte persistent messages, one publisher with
# publisher confirms and the same confirm window, one consumer with the same prefetch and acks every 100
# (multiple=true), both as fast as they go. bakeoff's side is the real driver under the real workload
# runner (bench/rabbitmq_throughput.cc), with full loss/duplication/order accounting.
# Rounds alternate the two sides so that noise from other load on the machine hits both alike.
#
#   bench/vs_native_rabbitmq.sh                       # quorum, 200k messages, 3 rounds
#   QUEUE_TYPE=classic MESSAGES=100000 ROUNDS=5 bench/vs_native_rabbitmq.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
MESSAGES=${MESSAGES:-200000}
BYTES=${BYTES:-100}
QUEUE_TYPE=${QUEUE_TYPE:-quorum}
WINDOW=${WINDOW:-1024}
PREFETCH=${PREFETCH:-1000}
ROUNDS=${ROUNDS:-3}
RABBIT_BIN=/usr/lib/rabbitmq/bin

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DBAKEOFF_BUILD_BENCH=ON >/dev/null
ninja -C "$BUILD" rabbitmq_reference rabbitmq_throughput >/dev/null
REFERENCE=$(find "$BUILD" -name rabbitmq_reference -type f -perm -u+x | head -1)
BAKEOFF=$(find "$BUILD" -name rabbitmq_throughput -type f -perm -u+x | head -1)

# A private broker: own HOME, node name, ports and epmd, everything on 127.0.0.1, stopped by PID.
WORK=$(mktemp -d /tmp/bakeoff-rabbit-bench-XXXXXX)
read -r AMQP_PORT DIST_PORT EPMD_PORT < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
NODE="bk-bench-$$@localhost"
EPMD_PID=""
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  [[ -n "$EPMD_PID" ]] && kill "$EPMD_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/home"
echo "[]." >"$WORK/enabled_plugins"
echo "loopback_users = none" >"$WORK/rabbitmq.conf"
# Our own epmd in the foreground (not -daemon), so that it has a PID to stop; the node must find it up.
ERL_EPMD_ADDRESS=127.0.0.1 epmd -port "$EPMD_PORT" >"$WORK/epmd.log" 2>&1 &
EPMD_PID=$!
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$EPMD_PORT") 2>/dev/null && break
  sleep 0.1
done
setsid env HOME="$WORK/home" RABBITMQ_NODENAME="$NODE" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
  RABBITMQ_NODE_PORT="$AMQP_PORT" RABBITMQ_DIST_PORT="$DIST_PORT" RABBITMQ_MNESIA_BASE="$WORK/mnesia" \
  RABBITMQ_LOG_BASE="$WORK/log" RABBITMQ_CONFIG_FILE="$WORK/rabbitmq" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$WORK/enabled_plugins" ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$EPMD_PORT" \
  "$RABBIT_BIN/rabbitmq-server" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
echo "rabbitmq-server $NODE on 127.0.0.1:$AMQP_PORT (pid $SERVER_PID), booting..."
for _ in $(seq 1 600); do
  if grep -q "Starting broker... completed" "$WORK/server.log" 2>/dev/null; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.1
done
grep -q "Starting broker... completed" "$WORK/server.log" || { echo "broker did not start"; exit 1; }

URL="amqp://guest:guest@127.0.0.1:$AMQP_PORT"
echo "$QUEUE_TYPE, $MESSAGES x $BYTES B, window $WINDOW, prefetch $PREFETCH, acks every 100; $ROUNDS rounds"
ref_rates=()
bk_rates=()
for round in $(seq 1 "$ROUNDS"); do
  line=$("$REFERENCE" 127.0.0.1 "$AMQP_PORT" "$MESSAGES" "$BYTES" "$QUEUE_TYPE" "$WINDOW" "$PREFETCH" 100)
  echo "round $round: $line"
  ref_rates+=("$(sed -E 's/.*end-to-end ([0-9]+) msg\/s.*/\1/' <<<"$line")")
  line=$("$BAKEOFF" "$URL" "$QUEUE_TYPE" "$MESSAGES" 0 1 1 1 "$BYTES" "$WINDOW" prefetch="$PREFETCH" ack_batch=100)
  echo "round $round: $line"
  bk_rates+=("$(sed -E 's/.*received ([0-9]+) msg\/s.*/\1/' <<<"$line")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
REF=$(median "${ref_rates[@]}")
BK=$(median "${bk_rates[@]}")
awk -v r="$REF" -v b="$BK" -v q="$QUEUE_TYPE" 'BEGIN {
  printf "median end-to-end: reference %d msg/s, bakeoff %d msg/s, ratio %.2f (%s)\n", r, b, b / r, q }'
