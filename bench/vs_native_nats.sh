#!/usr/bin/env bash
# NATS publish throughput: a bare cnats client (bench/nats_reference.cc; the `nats bench` CLI is not
# packaged in Debian) against bakeoff's nats and nats-jetstream drivers through the real runner, same
# server, same message size, one publishing connection each, run alternately ROUNDS times.
#
#   bench/vs_native_nats.sh          # BUILD=build N=2000000 JS_N=500000 SIZE=100 WINDOW=4096 ROUNDS=3
#
# core:      publish only (no subscriber), msg/s until the final flush (PING/PONG) returned
# core+sub:  publish with one subscribing connection; received msg/s (bakeoff: until the last delivery)
# jetstream: async publish into an R1 file stream with a window of WINDOW un-acked messages, msg/s acked.
#            The reference runs twice: with an ack handler that counts each PubAck (the comparison: bakeoff
#            needs every ack for publish latency, and cnats parses each ack's JSON only when a handler is
#            set) and without one (js-noack: acks are only counted against the window, nothing is measured).
# The server is a throwaway nats-server -js on a free port of 127.0.0.1, stopped by PID.
set -euo pipefail
BUILD=${BUILD:-build}
N=${N:-2000000}
JS_N=${JS_N:-500000}
SIZE=${SIZE:-100}
WINDOW=${WINDOW:-4096}
ROUNDS=${ROUNDS:-3}
REF="$BUILD/bench/nats_reference"
BIN="$BUILD/bench/driver_throughput"
for b in "$REF" "$BIN"; do
  [[ -x "$b" ]] || { echo "build $b first: ninja -C $BUILD nats_reference driver_throughput" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/bakeoff-vs-nats.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nats-server -a 127.0.0.1 -p "$PORT" -js -sd "$WORK/js" >"$WORK/nats.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
URL="nats://127.0.0.1:$PORT"
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.05
done
echo "$(nats-server --version) on $URL; $SIZE B messages; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"

rate() { grep -o "[0-9]* msg/s $1" | head -1 | cut -d' ' -f1; }
declare -A best
keep() { best[$1]=$(python3 -c "print(max(${best[$1]:-0}, ${2:-0}))"); }
for round in $(seq "$ROUNDS"); do
  line=$("$REF" core "$URL" "$N" "$SIZE" 0); echo "round $round: $line"; keep native_core "$(echo "$line" | rate published)"
  line=$("$BIN" nats "url=$URL" "messages=$N" "size=$SIZE" consumers=0); echo "round $round: $line"
  keep bakeoff_core "$(echo "$line" | rate acked)"

  line=$("$REF" core "$URL" "$N" "$SIZE" 1); echo "round $round: ${line//$'\n'/ | }"
  keep native_sub "$(echo "$line" | rate received)"
  line=$("$BIN" nats "url=$URL" "messages=$N" "size=$SIZE" consumers=1); echo "round $round: $line"
  keep bakeoff_sub "$(echo "$line" | rate received)"

  line=$("$REF" js "$URL" "$JS_N" "$SIZE" "$WINDOW" 1); echo "round $round: $line"; keep native_js "$(echo "$line" | rate acked)"
  line=$("$REF" js "$URL" "$JS_N" "$SIZE" "$WINDOW" 0); echo "round $round: $line"
  keep native_js-noack "$(echo "$line" | rate acked)"
  line=$("$BIN" nats-jetstream "url=$URL" "messages=$JS_N" "size=$SIZE" consumers=0 "max_pending=$WINDOW")
  echo "round $round: $line"; keep bakeoff_js "$(echo "$line" | rate acked)"
done
best[bakeoff_js-noack]=${best[bakeoff_js]}
for k in core sub js js-noack; do
  python3 -c "n=${best[native_$k]}; b=${best[bakeoff_$k]}; print(f'best $k: native {n:,.0f} msg/s, bakeoff {b:,.0f} msg/s, ratio {b/n:.2f}x')"
done
