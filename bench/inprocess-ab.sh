#!/usr/bin/env bash
# A/B of the in-process decision benchmark between two built checkouts, alternating, so that both sides see the same
# machine: bench/inprocess-ab.sh BASE_CHECKOUT NEW_CHECKOUT [ROUNDS] [WORKLOAD...]
#   git worktree add /tmp/base <commit>; (cd /tmp/base && dotnet build bench/Tessera.Benchmarks -c Release)
#   dotnet build bench/Tessera.Benchmarks -c Release
#   bench/inprocess-ab.sh /tmp/base . 3 /tmp/wl/1k.json /tmp/wl/100k.json
# Each line: round, side, workload, Tessera's decisions/s, the plain evaluator's beside it, and the latencies.
set -euo pipefail
base=$1 new=$2 rounds=${3:-3}
shift $(( $# >= 3 ? 3 : $# ))
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || { echo "give at least one workload file (see bench/README.md: generate)" >&2; exit 2; }
for round in $(seq 1 "$rounds"); do
  for side in base new; do
    dir=$base; [ "$side" = new ] && dir=$new
    for workload in "${workloads[@]}"; do
      out=$(dotnet "$dir/bench/Tessera.Benchmarks/bin/Release/net10.0/Tessera.Benchmarks.dll" run --workload "$workload" 2>&1)
      echo "$round $side $(basename "$workload") $(echo "$out" | grep -iE 'decisions/s|p50' | tr -s ' ' | tr '\n' ' ')"
    done
  done
done
