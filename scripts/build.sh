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

# The web UI (web/ -> web/dist, which `bakeoff serve` serves): rebuilt when a source is newer than
# the last build (about 2 s). web/node_modules comes from scripts/setup.sh.
if [[ -d web/node_modules ]]; then
  if [[ ! -f web/dist/index.html ]] || \
     [[ -n "$(find web/src web/index.html web/vite.config.ts web/tsconfig.json web/package-lock.json -newer web/dist/index.html -print -quit)" ]]; then
    (cd web && npm run --silent build -- --logLevel=warn)
  fi
else
  echo "build: web/node_modules is missing, the web UI is not built (run scripts/setup.sh)" >&2
fi
