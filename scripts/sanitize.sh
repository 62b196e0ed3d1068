#!/usr/bin/env bash
# Builds and runs the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), and
# the runner, accounting, histogram and run-context tests under ThreadSanitizer (build-tsan/).
# Any report fails the run. Called by .ci/run after the test command; run it yourself before a merge.
# Suppressions: none today. A deliberate, documented leak of a C library would go in
# scripts/sanitizers/lsan.supp with a comment saying why.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null

configure() {  # dir sanitizers
  local launcher=()
  if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBAKEOFF_SANITIZE="$2" -DBAKEOFF_BUILD_BENCH=OFF \
    -DBAKEOFF_WERROR=ON "${launcher[@]}" >/dev/null
}

echo "sanitize: AddressSanitizer + UndefinedBehaviorSanitizer, unit tests"
configure build-asan address,undefined
ninja -C build-asan unit_tests  # every test labelled unit
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L unit --output-on-failure --timeout 600

echo "sanitize: ThreadSanitizer, runner / accounting / histogram / run context"
configure build-tsan thread
ninja -C build-tsan measure_test workload_test run_test
# TSan needs a fixed memory layout; newer kernels randomise more than it allows.
TSAN_SETARCH=()
if command -v setarch >/dev/null 2>&1; then TSAN_SETARCH=(setarch "$(uname -m)" -R); fi
for t in build-tsan/src/measure/measure_test build-tsan/src/workload/workload_test; do
  TSAN_OPTIONS=halt_on_error=1 "${TSAN_SETARCH[@]}" "$t"
done
TSAN_OPTIONS=halt_on_error=1 "${TSAN_SETARCH[@]}" build-tsan/src/run/run_test --gtest_filter='RunContextTest.*'
echo "sanitize: clean"
