#!/usr/bin/env bash
# Runs every benchmark section on two checkouts, interleaved per section (A then B), so that
# both runtimes are measured minutes apart under the same machine load. Each checkout writes
# its own BENCHMARKS.md; the "runtime" section of BENCHMARKS.md compares them.
#   bash bench/runtime-pair.sh <checkout A> <checkout B>   (each with its node_modules installed)
set -euo pipefail
a=${1:?checkout A}; b=${2:?checkout B}
for section in ingest pipeline burst connections rollout; do
  for dir in "$a" "$b"; do
    echo "== $section in $dir ($(date -u +%H:%M:%S))"
    mkdir -p "$dir/.data"
    (cd "$dir" && npm run bench -- --only="$section") >"$dir/.data/bench-$section.log" 2>&1
  done
done
