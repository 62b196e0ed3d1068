#!/usr/bin/env bash
# Many topics (issue 14, point 5), through `bakeoff run`:
#  1. 1,000 topics x 1 partition, 4 producers, 4 consumers, 1 KiB at 10k msg/s on the memory driver:
#     the harness must hold the rate with e2e p99 (corrected) < 1 ms and bakeoff's max RSS < 256 MiB.
#  2. 1,000 Kafka topics on the embedded (librdkafka mock) cluster: created in < 10 s.
#
#   bench/many_topics.sh            # BUILD=build DURATION=20s
set -euo pipefail
BUILD=${BUILD:-build}
DURATION=${DURATION:-20s}
BIN="$BUILD/src/cli/bakeoff"
[[ -x "$BIN" ]] || BIN="$BUILD/bakeoff"
[[ -x "$BIN" ]] || { echo "build bakeoff first: ninja -C $BUILD bakeoff" >&2; exit 2; }
WORK=$(mktemp -d /tmp/bakeoff-many-topics.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

cat >"$WORK/memory.yaml" <<YAML
name: many-topics-memory
systems: [{name: memory, driver: memory}]
workload:
  topics: 1000
  partitions: 1
  producers: 4
  consumers: 4
  message_size: 1KiB
  rate: 10k/s
  warmup: 2s
  duration: $DURATION
output: {dir: $WORK/out}
YAML
if [[ "${BASELINE:-1}" == 1 ]]; then
  # The same load on 1 topic: what the machine itself gives (a loaded 2-core machine shows in p99).
  sed 's/^  topics: 1000/  topics: 1/; s/many-topics-memory/one-topic-memory/' "$WORK/memory.yaml" >"$WORK/one.yaml"
  "$BIN" run "$WORK/one.yaml" --output "$WORK/one" >"$WORK/one.log" 2>&1 || true
  python3 -c "import json; m=json.load(open('$WORK/one/result.json'))['runs'][0]['metrics']; print('baseline, 1 topic, same load: e2e p99 %.3f ms corrected (%.3f uncorrected), sent %.0f/s' % (m['e2e_latency_ns']['corrected']['p99']/1e6, m['e2e_latency_ns']['uncorrected']['p99']/1e6, m['throughput']['sent_msgs_per_s']))" || true
fi
/usr/bin/time -v "$BIN" run "$WORK/memory.yaml" --output "$WORK/memory" >"$WORK/memory.log" 2>"$WORK/memory.time" || true
rss_kib=$(grep 'Maximum resident set size' "$WORK/memory.time" | awk '{print $NF}')
python3 - "$WORK/memory/result.json" "$rss_kib" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
m = r["metrics"]
p99 = m["e2e_latency_ns"]["corrected"]["p99"] / 1e6
p99u = m["e2e_latency_ns"]["uncorrected"]["p99"] / 1e6
sent = m["throughput"]["sent_msgs_per_s"]; recv = m["throughput"]["received_msgs_per_s"]
rss = int(sys.argv[2]) / 1024
a = m["accounting"]
ok = r["status"] == "ok" and p99 < 1.0 and rss < 256 and sent >= 9500
print(f"memory, 1000 topics x 1 partition, 4P/4C, 1 KiB, 10k/s: status {r['status']}, sent {sent:.0f}/s, "
      f"received {recv:.0f}/s, e2e p99 {p99:.3f} ms corrected ({p99u:.3f} ms uncorrected), max RSS {rss:.0f} MiB, "
      f"lost {a['lost']} dup {a['duplicated']} -> {'PASS' if ok else 'FAIL'} (p99 < 1 ms, RSS < 256 MiB)")
PY

cat >"$WORK/kafka.yaml" <<YAML
name: many-topics-kafka
systems: [{name: kafka, driver: kafka, environment: embedded}]
workload:
  topics: 1000
  partitions: 1
  producers: 1
  consumers: 1
  message_size: 100B
  rate: 1k/s
  duration: 2s
output: {dir: $WORK/out}
YAML
"$BIN" run "$WORK/kafka.yaml" --output "$WORK/kafka" >"$WORK/kafka.log" 2>&1 || true
line=$(grep -h 'topics ready in' "$WORK/kafka.log" || true)
echo "kafka embedded: ${line:-no 'topics ready' line; see the log below}"
secs=$(sed -n 's/.*topics ready in \([0-9.]*\) s.*/\1/p' <<<"$line")
if [[ -n "$secs" ]]; then
  python3 -c "s=float('$secs'); print('-> PASS' if s < 10 else '-> FAIL', '(< 10 s)')"
else
  tail -20 "$WORK/kafka.log"
fi
python3 -c "import json,sys; r=json.load(open('$WORK/kafka/result.json'))['runs'][0]; a=r['metrics']['accounting']; print('kafka run:', r['status'], 'sent', a['sent'], 'received', a['received'], 'lost', a['lost'])" 2>/dev/null || true
