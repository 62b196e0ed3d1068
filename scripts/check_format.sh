#!/usr/bin/env bash
# Fails when a C++ file differs from the committed .clang-format style; prints the files.
# Fix with: git ls-files '*.cc' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h')
bad=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if ((${#bad[@]} > 0)); then
  printf 'format: %s differs from .clang-format\n' "${bad[@]}" >&2
  echo "format: ${#bad[@]} of ${#files[@]} files differ; fix: git ls-files '*.cc' '*.h' | xargs clang-format -i" >&2
  exit 1
fi
echo "format: ${#files[@]} files match .clang-format"
