#!/usr/bin/env bash
# Configures and builds bakeoff (library, program, tests, benchmarks) into ./build with CMake + Ninja.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache, when present, only speeds up rebuilds (several work trees); the build does not need it.
LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
BUILD_DIR="${BUILD_DIR:-build}"
# BAKEOFF_CMAKE_ARGS: extra configure flags, e.g. "-DBAKEOFF_WERROR=ON" (CI).
read -r -a EXTRA <<<"${BAKEOFF_CMAKE_ARGS:-}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "${LAUNCHER[@]}" "${EXTRA[@]}" >/dev/null
ninja -C "$BUILD_DIR" "$@"
