#!/usr/bin/env bash
# Sets up the machine (Debian packages), builds, and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# Timing-sensitive tests (coordinated omission, throughput floors) run one at a time on purpose.
ctest --test-dir build --output-on-failure --timeout 600 "$@"
