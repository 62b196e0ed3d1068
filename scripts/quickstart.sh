#!/usr/bin/env bash
# Sets up the machine, builds, and runs the quick-start comparison (examples/quickstart.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec ./build/bakeoff run examples/quickstart.yaml "$@"
