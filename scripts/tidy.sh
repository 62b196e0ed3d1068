#!/usr/bin/env bash
# clang-tidy over the library and programs (src/, tests and test fixtures excluded) with the checks in
# .clang-tidy; exits non-zero on any finding. Needs a configured build dir (compile_commands.json).
#   scripts/tidy.sh [BUILD_DIR] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
JOBS=${2:-$(nproc)}
if [[ ! -f "$BUILD_DIR/compile_commands.json" ]]; then
  echo "tidy: $BUILD_DIR/compile_commands.json is missing; run scripts/build.sh first" >&2
  exit 2
fi
mapfile -t files < <(git ls-files 'src/*.cc' | grep -v -e '_test\.cc$' -e '/testing/' -e 'test_' | sort)
echo "tidy: ${#files[@]} files, $JOBS jobs"
printf '%s\n' "${files[@]}" |
  xargs -P "$JOBS" -n 4 clang-tidy -p "$BUILD_DIR" --quiet 2>/dev/null |
  tee "$BUILD_DIR/tidy.log" | grep -E "(warning|error):" && { echo "tidy: findings above (full log: $BUILD_DIR/tidy.log)"; exit 1; }
echo "tidy: clean"
