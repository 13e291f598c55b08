#!/usr/bin/env bash
# A/B of the HTTP decision benchmark: run.sh in two checkouts (each built in Release), alternating, so that both
# commits meet the same neighbours on a shared machine. Usage: bench/http/ab.sh BEFORE_DIR AFTER_DIR [pairs] [seconds]
set -euo pipefail
before=$1; after=$2; pairs=${3:-2}; seconds=${4:-15}
for pair in $(seq "$pairs"); do
  for tree in "$before" "$after"; do
    echo "=== $tree (pair $pair, $(date +%T))"
    (cd "$tree" && bash bench/http/run.sh "$seconds" 32)
  done
done
