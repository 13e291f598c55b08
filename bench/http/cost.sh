#!/usr/bin/env bash
# What one decision request costs: server CPU per request (from /proc, utime + stime over a wrk run) for the bare
# endpoint and Tessera's evaluation, alternating, and Tessera's bytes allocated and GCs per run (from its /metrics).
# Needs wrk and jq. Usage: bench/http/cost.sh [seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}; rounds=${2:-2}
dotnet build src/Tessera.Server -c Release -v quiet --nologo >/dev/null
dotnet build bench/Tessera.Bench.Bare -c Release -v quiet --nologo >/dev/null
work=$(mktemp -d); key="cost-bench-key-0123456789abcdefghijklmnopqrs"
TESSERA_BOOTSTRAP_APIKEY=$key Logging__LogLevel__Default=Warning \
  dotnet src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll --urls http://127.0.0.1:5084 --data-dir "$work/data" >"$work/tessera.log" 2>&1 &
tessera=$!
Logging__LogLevel__Default=Warning dotnet bench/Tessera.Bench.Bare/bin/Release/net10.0/Tessera.Bench.Bare.dll --urls http://127.0.0.1:5085 >"$work/bare.log" 2>&1 &
bare=$!
trap 'kill $tessera $bare 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:5084/healthz && break; sleep 0.2; done
sleep 1
token=$(curl -s -X POST http://127.0.0.1:5084/identity/token -d grant_type=urn:ibm:params:oauth:grant-type:apikey -d apikey=$key | jq -r .access_token)
account=$(echo "$token" | cut -d. -f2 | tr '_-' '/+' | { read -r p; while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done; echo "$p"; } | base64 -d | jq -r .account.bss)
for i in $(seq 1 50); do
  curl -s -o /dev/null -X POST http://127.0.0.1:5084/v1/policies -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"type":"authorization",
    "subjects":[{"attributes":[{"name":"accountId","value":"'$account'"},{"name":"serviceName","value":"atracker"}]}],
    "roles":[{"role_id":"crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"}],
    "resources":[{"attributes":[{"name":"accountId","value":"'$account'"},{"name":"serviceName","value":"cloud-object-storage"},{"name":"serviceInstance","value":"cos-'$i'"}]}]}'
done
cat >"$work/evaluation.json" <<JSON
{"subject":{"type":"service","id":"crn:v1:bluemix:public:atracker:us-south:a/$account:at-1::"},"action":{"name":"cloud-object-storage.object.put"},
 "resource":{"type":"bucket","id":"crn:v1:bluemix:public:cloud-object-storage:global:a/$account:cos-25:bucket:audit-logs"}}
JSON
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
metric() { curl -s http://127.0.0.1:5084/metrics | { grep -E "^$1[{ ]" || true; } | awk '{s += $NF} END {printf "%.0f", s}'; }
hz=$(getconf CLK_TCK)
measure() { # name pid port [token]
  BODY_FILE="$work/evaluation.json" TOKEN=${4:-} wrk -t2 -c32 -d3s -s bench/http/post.lua "http://127.0.0.1:$3/access/v1/evaluation" >/dev/null
  local allocated=0 gcs=0
  [ "$1" = tessera ] && { allocated=$(metric dotnet_gc_heap_total_allocated_bytes_total); gcs=$(metric dotnet_gc_collections_total); }
  local before; before=$(ticks "$2")
  local out; out=$(BODY_FILE="$work/evaluation.json" TOKEN=${4:-} wrk -t2 -c32 -d"${seconds}s" -s bench/http/post.lua "http://127.0.0.1:$3/access/v1/evaluation" | grep RESULT)
  local after; after=$(ticks "$2")
  local rps; rps=$(echo "$out" | sed -E 's/.*requests\/s=([0-9]+).*/\1/')
  local requests=$((rps * seconds))
  local line="$1: $out cpu_us/request=$(awk -v t=$((after - before)) -v hz="$hz" -v n=$requests 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')"
  if [ "$1" = tessera ]; then
    line="$line bytes/request=$(( ($(metric dotnet_gc_heap_total_allocated_bytes_total) - allocated) / requests )) gcs=$(( $(metric dotnet_gc_collections_total) - gcs ))"
  fi
  echo "$line"
}
for round in $(seq "$rounds"); do
  measure bare $bare 5085
  measure tessera $tessera 5084 "$token"
done
