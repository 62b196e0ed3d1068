#!/usr/bin/env bash
# MQTT QoS 0 publish throughput: mosquitto_pub against bakeoff's mqtt driver, same broker, same message
# size, one connection each, publish only (no subscriber), run alternately ROUNDS times. Prints both
# figures and the ratio bakeoff / mosquitto_pub.
#
#   bench/vs_native_mqtt.sh                   # BUILD=build N=1000000 SIZE=100 QOS=0 ROUNDS=2
#
# mosquitto_pub -l publishes each stdin line as one message; lines are SIZE-1 characters plus the newline
# it strips, so both sides send SIZE-1 vs SIZE bytes (bakeoff's 32-byte header is part of its SIZE).
# The broker is a throwaway mosquitto on a free port of 127.0.0.1, stopped by PID.
set -euo pipefail
BUILD=${BUILD:-build}
N=${N:-1000000}
SIZE=${SIZE:-100}
QOS=${QOS:-0}
ROUNDS=${ROUNDS:-2}
BIN="$BUILD/bench/driver_throughput"
[[ -x "$BIN" ]] || { echo "build $BIN first: ninja -C $BUILD driver_throughput" >&2; exit 2; }

WORK=$(mktemp -d /tmp/bakeoff-vs-mqtt.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$PORT" >"$WORK/mosquitto.conf"
/usr/sbin/mosquitto -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 100); do
  mosquitto_pub -h 127.0.0.1 -p "$PORT" -t probe -m x 2>/dev/null && break
  sleep 0.05
done
python3 -c "import sys; line=b'x'*($SIZE-1)+b'\n'; sys.stdout.buffer.write(line*$N)" >"$WORK/lines"
echo "mosquitto $(/usr/sbin/mosquitto -h 2>/dev/null | head -1 | grep -o 'version [0-9.]*') on 127.0.0.1:$PORT; $N x ${SIZE} B, QoS $QOS"

best_native=0
best_bakeoff=0
for round in $(seq "$ROUNDS"); do
  start=$(date +%s.%N)
  mosquitto_pub -h 127.0.0.1 -p "$PORT" -t bench/0 -q "$QOS" -l <"$WORK/lines"
  end=$(date +%s.%N)
  native=$(python3 -c "print(round($N / ($end - $start)))")
  line=$("$BIN" mqtt "url=mqtt://127.0.0.1:$PORT" "messages=$N" "size=$SIZE" "qos=$QOS" consumers=0)
  ours=$(echo "$line" | grep -o '[0-9]* msg/s acked' | cut -d' ' -f1)
  echo "round $round: mosquitto_pub $native msg/s (wall clock incl. connect) | $line"
  best_native=$(python3 -c "print(max($best_native, $native))")
  best_bakeoff=$(python3 -c "print(max($best_bakeoff, $ours))")
done
python3 -c "n=$best_native; b=$best_bakeoff; print(f'best: mosquitto_pub {n:,.0f} msg/s, bakeoff {b:,.0f} msg/s, ratio {b/n:.2f}x')"
