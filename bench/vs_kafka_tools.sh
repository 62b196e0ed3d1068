#!/usr/bin/env bash
# bakeoff's kafka driver against Apache Kafka's own perf tools, on the same real broker (1 KRaft node
# started by bakeoff's local provider, `bakeoff env up`), in one run:
#   produce:  org.apache.kafka.tools.ProducerPerformance (kafka-producer-perf-test) vs driver_throughput,
#             same record size, batch size, linger, acks, idempotence, compression; 1 partition each
#   consume:  org.apache.kafka.tools.ConsumerPerformance (kafka-consumer-perf-test) reading a backlog of N
#             vs bakeoff producing and consuming N at once (received msg/s; bakeoff has no consume-only mode)
#   latency:  org.apache.kafka.tools.EndToEndLatency (one record at a time) vs `bakeoff run` at the rate
#             EndToEndLatency reached (1 / its mean latency), same acks and record size, linger 0
# Every client's CPU (user+sys from /usr/bin/time) is printed beside its figure.
#
#   bench/vs_kafka_tools.sh        # BUILD=build N=1000000 SIZE=100 BATCH=262144 LINGER=5 ACKS=all
#                                  # COMPRESSION=none LAT_N=3000 CPUS= (pin the broker, e.g. CPUS=1)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${N:-1000000}
SIZE=${SIZE:-100}
BATCH=${BATCH:-262144}
LINGER=${LINGER:-5}
ACKS=${ACKS:-all}
COMPRESSION=${COMPRESSION:-none}
LAT_N=${LAT_N:-3000}
CPUS=${CPUS:-}
LIB=${BAKEOFF_KAFKA_LIBS:-tools/kafka/lib}
BAKEOFF="$BUILD/bakeoff"
DT="$BUILD/bench/driver_throughput"
for b in "$BAKEOFF" "$DT"; do
  [[ -x "$b" ]] || { echo "build $b first: ninja -C $BUILD bakeoff driver_throughput" >&2; exit 2; }
done
ls "$LIB"/kafka-tools-*.jar >/dev/null 2>&1 || { echo "no Kafka jars in $LIB: ./scripts/setup.sh" >&2; exit 2; }

WORK=$(mktemp -d /tmp/bakeoff-vs-kafka-tools.XXXXXX)
ENV_ID=""
cleanup() {
  [[ -n "$ENV_ID" ]] && "$BAKEOFF" env down "$ENV_ID" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

{
  echo "name: vs-kafka-tools"
  echo "systems:"
  echo "  - name: kafka"
  echo "    driver: kafka"
  echo "    environment: {provider: local, nodes: 1${CPUS:+, cpus: \"$CPUS\"}}"
  echo "workload: {rate: 1k/s, duration: 1s}"
} >"$WORK/broker.yaml"
"$BAKEOFF" env up "$WORK/broker.yaml" >"$WORK/up.out" 2>&1 || { cat "$WORK/up.out" >&2; exit 1; }
ENV_ID=$(grep -o 'left up: [^ ]*' "$WORK/up.out" | cut -d' ' -f3)
BOOTSTRAP=$(grep -o 'bootstrap_servers = [^ ]*' "$WORK/up.out" | cut -d' ' -f3)
VERSION=$(ls "$LIB"/kafka_2.13-*.jar | grep -v test | sed 's/.*kafka_2.13-//; s/\.jar$//')
echo "Apache Kafka $VERSION, 1 node at $BOOTSTRAP ($(grep -o 'up in [0-9.]* s' "$WORK/up.out"))${CPUS:+, broker on CPUs $CPUS}"
echo "settings: $SIZE B records, batch $BATCH B, linger $LINGER ms, acks $ACKS, idempotent, compression $COMPRESSION"

JAVA=(java -Xms512m -Xmx512m -cp "$LIB/*")
# timed OUT_PREFIX CMD...: runs CMD with stdout in OUT_PREFIX.out and "wall user sys" in OUT_PREFIX.time
timed() {
  local out=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$out.time" "$@" >"$out.out" 2>"$out.err" || { cat "$out.err" >&2; exit 1; }
}
cpu() { awk '{printf "%.2f s CPU (%.2f user + %.2f sys) in %.2f s wall", $2 + $3, $2, $3, $1}' "$1.time"; }
topic() {
  "${JAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic "$1" \
    --partitions 1 --replication-factor 1 >/dev/null
}

# --- produce ---------------------------------------------------------------------------------------
topic perf-java
timed "$WORK/pp" "${JAVA[@]}" org.apache.kafka.tools.ProducerPerformance --topic perf-java --num-records "$N" \
  --record-size "$SIZE" --throughput -1 --command-property "bootstrap.servers=$BOOTSTRAP" "acks=$ACKS" \
  "linger.ms=$LINGER" "batch.size=$BATCH" "compression.type=$COMPRESSION" enable.idempotence=true
PP_LINE=$(grep 'records sent' "$WORK/pp.out" | tail -1)
PP_RATE=$(echo "$PP_LINE" | sed 's/.*records sent, \([0-9.]*\) records\/sec.*/\1/')
timed "$WORK/dt" "$DT" kafka "bootstrap_servers=$BOOTSTRAP" "messages=$N" "size=$SIZE" partitions=1 consumers=0 \
  "acks=$ACKS" enable_idempotence=true "linger_ms=$LINGER" "batch_size=$BATCH" "compression=$COMPRESSION"
DT_LINE=$(cat "$WORK/dt.out")
DT_RATE=$(echo "$DT_LINE" | sed 's/.*| \([0-9]*\) msg\/s acked.*/\1/')
echo "produce  ProducerPerformance: ${PP_RATE%.*} msg/s, $(cpu "$WORK/pp")"
echo "produce  bakeoff kafka driver: $DT_RATE msg/s, $(cpu "$WORK/dt")"
python3 -c "print(f'produce  ratio bakeoff / ProducerPerformance: {$DT_RATE / $PP_RATE:.2f}x')"

# --- consume ---------------------------------------------------------------------------------------
timed "$WORK/cp" "${JAVA[@]}" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" \
  --topic perf-java --num-records "$N" --timeout 60000 --group "perf-$RANDOM"
# start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, ...
CP_RATE=$(tail -1 "$WORK/cp.out" | awk -F', *' '{print $6}')
CP_FETCH=$(tail -1 "$WORK/cp.out" | awk -F', *' '{print $10}')
timed "$WORK/dc" "$DT" kafka "bootstrap_servers=$BOOTSTRAP" "messages=$N" "size=$SIZE" partitions=1 consumers=1 \
  "acks=$ACKS" enable_idempotence=true "linger_ms=$LINGER" "batch_size=$BATCH" "compression=$COMPRESSION"
DC_RATE=$(sed 's/.*acked, \([0-9]*\) msg\/s received.*/\1/' "$WORK/dc.out")
echo "consume  ConsumerPerformance: ${CP_RATE%.*} msg/s (${CP_FETCH%.*} msg/s without the group join), $(cpu "$WORK/cp")"
echo "consume  bakeoff (produce + consume at once): $DC_RATE msg/s received, $(cpu "$WORK/dc") for both sides"
python3 -c "print(f'consume  ratio bakeoff / ConsumerPerformance: {$DC_RATE / $CP_RATE:.2f}x')"

# --- latency ---------------------------------------------------------------------------------------
topic perf-e2e
timed "$WORK/el" "${JAVA[@]}" org.apache.kafka.tools.EndToEndLatency "$BOOTSTRAP" perf-e2e "$LAT_N" "$ACKS" "$SIZE"
EL_AVG=$(grep -o 'Avg latency: [0-9.]*' "$WORK/el.out" | awk '{print $3}')
EL_P50=$(grep -o '50th = [0-9.]*' "$WORK/el.out" | awk '{print $3}')
EL_P99=$(grep -o '99th = [0-9.]*' "$WORK/el.out" | awk '{print $3}')
RATE=$(python3 -c "print(max(1, int(1000 / $EL_AVG)))")
SECONDS_AT_RATE=$(python3 -c "print(max(5, min(20, int($LAT_N / $RATE))))")
cat >"$WORK/lat.yaml" <<EOF
name: vs-kafka-tools-latency
systems:
  - name: kafka
    driver: kafka
    environment: existing
    options: {bootstrap_servers: "$BOOTSTRAP", acks: "$ACKS", linger_ms: 0, enable_idempotence: true}
workload: {topics: 1, partitions: 1, producers: 1, consumers: 1, message_size: ${SIZE}B, rate: $RATE/s, warmup: 2s, duration: ${SECONDS_AT_RATE}s}
EOF
timed "$WORK/bl" "$BAKEOFF" run "$WORK/lat.yaml" --output "$WORK/lat-result"
read -r BL_P50 BL_P99 BL_P50U <<<"$(python3 -c "
import json
r = json.load(open('$WORK/lat-result/result.json'))['runs'][0]['metrics']['e2e_latency_ns']
print(r['corrected']['p50'] / 1e6, r['corrected']['p99'] / 1e6, r['uncorrected']['p50'] / 1e6)")"
echo "latency  EndToEndLatency: $LAT_N records one at a time, avg $EL_AVG ms, p50 $EL_P50 ms, p99 $EL_P99 ms (= $RATE msg/s), $(cpu "$WORK/el")"
echo "latency  bakeoff at $RATE msg/s: e2e p50 $(printf %.3f "$BL_P50") ms (uncorrected $(printf %.3f "$BL_P50U")), p99 $(printf %.3f "$BL_P99") ms, $(cpu "$WORK/bl") (whole program)"
python3 -c "print(f'latency  ratio bakeoff p50 / EndToEndLatency p50: {$BL_P50 / max($EL_P50, 1e-9):.2f}x; / its mean: {$BL_P50 / $EL_AVG:.2f}x')"
