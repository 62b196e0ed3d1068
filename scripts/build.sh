#!/usr/bin/env bash
# Configures and builds bakeoff (library, program, tests, benchmarks) into ./build with CMake + Ninja.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
ninja -C build
