#!/usr/bin/env bash
# The memory baseline on a busy machine (issue 9): runs memory and a local redis-server side by side at
# 50 k msg/s while two busy loops (`yes > /dev/null`, one per core of a 2-core machine) hold the CPUs,
# and prints both systems' end-to-end p50 (corrected, uncorrected in parentheses). The memory driver's
# consumer should stay below redis's: it blocks on a futex between messages like a socket read does.
#   bench/memory_under_contention.sh [BAKEOFF_BINARY] [ROUNDS]
set -euo pipefail
BIN=${1:-build/bakeoff}
ROUNDS=${2:-3}
BUSY=${BUSY_LOOPS:-2}
work=$(mktemp -d /tmp/bakeoff-contention.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat >"$work/contention.yaml" <<YAML
name: memory-under-contention
systems:
  - name: redis
    driver: redis-streams
    environment: local
  - name: memory
    driver: memory
workload:
  topics: 1
  partitions: 6
  producers: 1
  consumers: 1
  message_size: 100B
  rate: 50k/s
  warmup: 2s
  duration: 6s
output:
  dir: $work/results
YAML
for round in $(seq 1 "$ROUNDS"); do
  pids=()
  for _ in $(seq 1 "$BUSY"); do
    timeout 60 yes >/dev/null &
    pids+=($!)
  done
  "$BIN" run "$work/contention.yaml" --force >"$work/out" 2>&1 || true
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  echo "round $round  $(grep -E '^e2e p50 ' "$work/out")   (columns: redis, memory)"
done
