#!/usr/bin/env bash
# Redis XADD throughput: redis-benchmark against bakeoff's redis-streams driver, same server, same
# pipelining depth, same value size, same number of connections, publish only (no consumers), run
# alternately ROUNDS times. Prints both figures and the ratio bakeoff / redis-benchmark.
#
#   bench/vs_native_redis.sh                  # BUILD=build N=1000000 P=16 C=1 SIZE=100 ROUNDS=2
#   C=4 bench/vs_native_redis.sh              # 4 connections each side (bakeoff: 4 producers)
#
# The server is a throwaway redis-server on a free port of 127.0.0.1 (no persistence), stopped by PID,
# pinned to CPU 1. Both clients run pinned twice: on the server's CPU (the client's CPU cost per message
# decides) and on CPU 0 (the round trip between cores decides). Unpinned, the scheduler picks one or the
# other per run and the figures swing by 3x (redis-benchmark measured 180 k and 660 k in one minute).
set -euo pipefail
BUILD=${BUILD:-build}
N=${N:-1000000}
P=${P:-16}
C=${C:-1}
SIZE=${SIZE:-100}
ROUNDS=${ROUNDS:-2}
BIN="$BUILD/bench/driver_throughput"
[[ -x "$BIN" ]] || { echo "build $BIN first: ninja -C $BUILD driver_throughput" >&2; exit 2; }

WORK=$(mktemp -d /tmp/bakeoff-vs-redis.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c 1 redis-server --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no --dir "$WORK" --daemonize no \
  >"$WORK/redis.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
echo "redis $(redis-server --version | grep -o 'v=[^ ]*') on 127.0.0.1:$PORT; $N x ${SIZE} B, pipeline $P, $C connection(s)"

VALUE=$(head -c "$SIZE" /dev/zero | tr '\0' x)
for cpu in 1 0; do
  [[ $cpu == 1 ]] && where="client on the server CPU" || where="client on another CPU"
  best_native=0
  best_bakeoff=0
  for round in $(seq "$ROUNDS"); do
    redis-cli -p "$PORT" flushall >/dev/null
    native=$(taskset -c "$cpu" redis-benchmark -h 127.0.0.1 -p "$PORT" -P "$P" -c "$C" -n "$N" -q \
      XADD bench '*' f "$VALUE" | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
    redis-cli -p "$PORT" flushall >/dev/null
    line=$(taskset -c "$cpu" "$BIN" redis-streams "url=redis://127.0.0.1:$PORT" "messages=$N" "producers=$C" \
      "pipeline=$P" "size=$SIZE" consumers=0)
    ours=$(echo "$line" | grep -o '[0-9]* msg/s acked' | cut -d' ' -f1)
    echo "$where, round $round: redis-benchmark $native req/s | $line"
    best_native=$(python3 -c "print(max($best_native, $native))")
    best_bakeoff=$(python3 -c "print(max($best_bakeoff, $ours))")
  done
  python3 -c "n=$best_native; b=$best_bakeoff; print(f'best, $where: redis-benchmark {n:,.0f} msg/s, bakeoff {b:,.0f} msg/s, ratio {b/n:.2f}x')"
done
