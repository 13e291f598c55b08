#!/usr/bin/env bash
# Times `tessera apply -f` of N authorizations (default 10,000) against a fresh Tessera over SQLite, two ways in
# alternation, each round on a new server: batches of 500 per request (POST /v2/policies:batch, the default) and one
# request per authorization (--batch-size 1, IBM's single create) — the baseline. Prints each run's wall time and
# authorizations/s, then the medians and their ratio. The second apply of the same file (nothing to change) is timed too.
#
#   bench/cli/apply.sh [N] [ROUNDS]
#
# With the default writes budget (RateLimits__Writes: 100/s, bursts of 500) one-per-request is held to about 100/s by
# design; set ONE_BY_ONE_UNLIMITED=1 to raise that budget for both ways and see the server's own cost instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000}
rounds=${2:-2}
. bench/server.sh

dotnet build src/Tessera.Server -c Release --nologo -v quiet >/dev/null
dotnet build src/Tessera.Cli -c Release --nologo -v quiet >/dev/null
server_dll=src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll
tessera="dotnet src/Tessera.Cli/bin/Release/net10.0/tessera.dll"
key=bench-operator-key-0123456789abcdef0123

{
  echo "authorizations:"
  for ((i = 0; i < n; i++)); do
    printf '  - source_service_name: cloud-object-storage\n    target_service_name: kms\n    roles: [Reader]\n    target_resource_instance_id: %08x-0000-4000-8000-%012x\n' "$i" "$i"
  done
} > "$work/authorizations.yaml"

start_server() {
  rm -rf "$work/data"
  local env=(TESSERA_BOOTSTRAP_APIKEY=$key)
  [ "${ONE_BY_ONE_UNLIMITED:-0}" = 1 ] && env+=(RateLimits__Writes__PerSecond=1000000 RateLimits__Writes__Burst=1000000)
  env "${env[@]}" dotnet "$server_dll" --urls http://127.0.0.1:0 --data-dir "$work/data" > "$work/server.log" 2>&1 &
  server=$!
  url=$(listening_url "$work/server.log")
  TESSERA_CONFIG_DIR="$work/config" $tessera login -a "$url" --apikey "$key" -q > /dev/null
}

# run LABEL BATCH: one apply on a fresh server, then the second (idempotent) apply; prints "LABEL first second".
run() {
  start_server
  local t0 t1 t2
  t0=$(date +%s.%N)
  TESSERA_CONFIG_DIR="$work/config" $tessera apply -f "$work/authorizations.yaml" --batch-size "$2" -q > /dev/null
  t1=$(date +%s.%N)
  TESSERA_CONFIG_DIR="$work/config" $tessera apply -f "$work/authorizations.yaml" -q > /dev/null
  t2=$(date +%s.%N)
  kill $server; wait $server 2>/dev/null || true
  echo "$1 $(awk "BEGIN {print $t1 - $t0}") $(awk "BEGIN {print $t2 - $t1}")"
}

results=()
for ((r = 1; r <= rounds; r++)); do
  for way in "batched 500" "one-by-one 1"; do
    line=$(run $way)
    read -r label first second <<< "$line"
    printf '%-11s round %d: apply %6.1f s (%7.0f authorizations/s), second apply %5.1f s\n' "$label" "$r" "$first" "$(awk "BEGIN {print $n / $first}")" "$second"
    results+=("$line")
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
b=$(printf '%s\n' "${results[@]}" | awk '$1 == "batched" {print $2}' | median)
o=$(printf '%s\n' "${results[@]}" | awk '$1 == "one-by-one" {print $2}' | median)
s=$(printf '%s\n' "${results[@]}" | awk '{print $3}' | median)
printf 'median apply of %d: batched %.1f s (%.0f/s), one by one %.1f s (%.0f/s); one by one takes %.1fx as long; a second apply %.1f s\n' \
  "$n" "$b" "$(awk "BEGIN {print $n / $b}")" "$o" "$(awk "BEGIN {print $n / $o}")" "$(awk "BEGIN {print $o / $b}")" "$s"
