#!/usr/bin/env bash
# `bakeoff serve` under API load, in one script:
#   1. the server idle: its CPU over IDLE_S seconds (target < 1% of a core);
#   2. a memory-driver run at max rate with no API load -> received msg/s (baseline; run again at the end);
#   3. STORED experiments stored (submitted, then cancelled: terminal rows); wrk sends GET status/list at
#      ~RATE req/s (a) while a fixed-rate run runs -> latency percentiles (target p99 < 10 ms), and (b)
#      while the same max-rate run runs again -> its received msg/s (target >= 95% of the baseline).
# Debian's wrk has no fixed-rate mode (wrk2's -R): serve_load.lua paces each connection with delay(),
# so the achieved rate is printed next to the target.
#
#   bench/serve_load.sh            # BUILD=build STORED=1000 RATE=200 DURATION=10 IDLE_S=10
set -euo pipefail
BUILD=${BUILD:-build}
STORED=${STORED:-1000}
RATE=${RATE:-200}
DURATION=${DURATION:-10}
IDLE_S=${IDLE_S:-10}
BIN="$BUILD/bakeoff"
HERE="$(cd "$(dirname "$0")" && pwd)"
[[ -x "$BIN" ]] || { echo "build $BIN first: BUILD_DIR=$BUILD bash scripts/build.sh bakeoff" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh installs it" >&2; exit 2; }

WORK=$(mktemp -d /tmp/bakeoff-serve-load.XXXXXX)
BAKEOFF_STATE_DIR="$WORK/env-state" BAKEOFF_WORK_DIR="$WORK/env-work" \
  "$BIN" serve --listen 127.0.0.1:0 --data "$WORK/data" 2>"$WORK/serve.log" &
SERVER=$!
cleanup() { kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=""
for _ in $(seq 200); do
  PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/serve.log" | grep -o '[0-9]*$' || true)
  [[ -n "$PORT" ]] && break
  sleep 0.05
done
[[ -n "$PORT" ]] || { cat "$WORK/serve.log" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
echo "bakeoff serve on $URL (pid $SERVER), data in $WORK/data"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
HZ=$(getconf CLK_TCK)

# 1. Idle.
sleep 1
t0=$(cpu_ticks)
sleep "$IDLE_S"
t1=$(cpu_ticks)
python3 -c "print(f'idle: {($t1-$t0)/$HZ:.3f} CPU s over $IDLE_S s = {100*($t1-$t0)/$HZ/$IDLE_S:.2f}% of a core')"

SPEC="name: serve-load-memory
systems:
  - name: memory
    driver: memory
workload:
  partitions: 1
  message_size: 64B
  rate: max
  warmup: 1s
  duration: ${DURATION}s
"

# Submits $1 (YAML), waits for it to end, prints its received msg/s.
run_and_wait() {
  python3 - "$URL" "$1" <<'PY'
import json, sys, time, urllib.request
url, spec = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url + "/api/v1/experiments", data=spec.encode(), method="POST",
                             headers={"Content-Type": "application/yaml"})
ident = json.load(urllib.request.urlopen(req))["id"]
for _ in range(1200):
    d = json.load(urllib.request.urlopen(f"{url}/api/v1/experiments/{ident}"))
    if d["finished_at"]:
        break
    time.sleep(0.25)
print(ident, d["state"], d["headline"][0]["received_msgs_per_s"] if d["headline"] else 0)
PY
}

# 2. Baseline run, no API load.
read -r base_id base_state base_rate < <(run_and_wait "$SPEC")
echo "baseline: $base_id $base_state, received $base_rate msg/s"

# 3. Store STORED experiments (submitted, then cancelled while queued: terminal rows that lists and
#    lookups go through), with a long run in front so that none of them starts.
python3 - "$URL" "$STORED" <<'PY'
import json, sys, urllib.request
url, n = sys.argv[1], int(sys.argv[2])
def call(method, path, body=None):
    req = urllib.request.Request(url + path, data=body, method=method, headers={"Content-Type": "application/yaml"})
    return json.load(urllib.request.urlopen(req))
hold = call("POST", "/api/v1/experiments", b"name: hold\nsystems:\n  - name: m\n    driver: memory\nworkload:\n  rate: 1k/s\n  warmup: 0s\n  duration: 600s\n")["id"]
spec = b"name: stored\nsystems:\n  - name: m\n    driver: memory\nworkload:\n  rate: 1k/s\n  duration: 1s\n"
ids = [call("POST", "/api/v1/experiments", spec)["id"] for _ in range(n)]
for i in ids:
    call("DELETE", "/api/v1/experiments/" + i)
call("DELETE", "/api/v1/experiments/" + hold)
print(f"stored {n} experiments (cancelled) + 1 (cancelled while running)")
PY
sleep 2

# Starts wrk against the experiment that runs now (waits for one), output to $1.
CONNECTIONS=4
DELAY_MS=$(python3 -c "print(max(1, int(1000 * $CONNECTIONS / $RATE)))")
wrk_against_running() {
  local running_id=""
  for _ in $(seq 200); do
    running_id=$(python3 -c "
import json, urllib.request
d = json.load(urllib.request.urlopen('$URL/api/v1/experiments?limit=1'))['experiments']
print(d[0]['id'] if d and d[0]['state'] in ('running', 'provisioning') else '')")
    [[ -n "$running_id" ]] && break
    sleep 0.05
  done
  ID="$running_id" DELAY_MS="$DELAY_MS" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/serve_load.lua" "$URL" >"$1"
  grep -E "^achieved" "$1"
}

# 3a. API latency with one experiment running at a fixed rate (20k msg/s: the machine keeps a core for
#     the server).
STEADY="${SPEC/rate: max/rate: 20k/s}"
STEADY="${STEADY/duration: ${DURATION}s/duration: $((DURATION + 3))s}"
run_and_wait "$STEADY" >"$WORK/steady.txt" &
WAITER=$!
echo -n "API load, $STORED stored + one fixed-rate run: "
wrk_against_running "$WORK/wrk-steady.txt"
wait "$WAITER"

# 3b. The max-rate run under the same API load.
run_and_wait "$SPEC" >"$WORK/loaded.txt" &
WAITER=$!
echo -n "API load, $STORED stored + the max-rate run: "
wrk_against_running "$WORK/wrk-loaded.txt"
wait "$WAITER"
read -r loaded_id loaded_state loaded_rate <"$WORK/loaded.txt"
echo "under load: $loaded_id $loaded_state, received $loaded_rate msg/s"
# The baseline again (A-B-A): the machine is shared, so the loaded run is compared with the mean of both.
read -r base2_id base2_state base2_rate < <(run_and_wait "$SPEC")
echo "baseline again: $base2_id $base2_state, received $base2_rate msg/s"
python3 -c "print(f'ratio loaded / mean baseline: {$loaded_rate / (($base_rate + $base2_rate) / 2):.3f} (target >= 0.95)')"
