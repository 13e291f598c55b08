#!/usr/bin/env bash
# HTTP decision benchmark on loopback, side by side in one run:
#   1. a bare ASP.NET Core endpoint that parses the same JSON and answers a constant (the yardstick),
#   2. Tessera's POST /access/v1/evaluation with authentication on,
#   3. Tessera's POST /access/v1/evaluations with 100 items per request.
# Needs wrk (apt-get install wrk). Usage: bench/http/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-15}
connections=${2:-32}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

dotnet build src/Tessera.Server -c Release -v quiet --nologo >/dev/null
dotnet build bench/Tessera.Bench.Bare -c Release -v quiet --nologo >/dev/null
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

key="http-bench-operator-key-0123456789abcdefghij"
TESSERA_BOOTSTRAP_APIKEY=$key Logging__LogLevel__Default=Warning \
  dotnet src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll --urls http://127.0.0.1:5081 --data-dir "$work/data" >"$work/tessera.log" 2>&1 &
Logging__LogLevel__Default=Warning dotnet bench/Tessera.Bench.Bare/bin/Release/net10.0/Tessera.Bench.Bare.dll --urls http://127.0.0.1:5082 >"$work/bare.log" 2>&1 &
for port in 5081 5082; do
  for _ in $(seq 100); do curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/access/v1/evaluation" -d '{}' -H 'Content-Type: application/json' && break
    curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
done

token=$(curl -s -X POST http://127.0.0.1:5081/identity/token -d grant_type=urn:ibm:params:oauth:grant-type:apikey -d apikey=$key \
  | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
payload=$(echo "$token" | cut -d. -f2 | tr '_-' '/+')
while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload="$payload="; done
account=$(echo "$payload" | base64 -d | sed -E 's/.*"bss":"([0-9a-f]+)".*/\1/')

# 500 authorizations: atracker may write into each of 500 object-storage instances.
for i in $(seq 1 500); do
  curl -s -o /dev/null -X POST http://127.0.0.1:5081/v1/policies -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{
    "type":"authorization",
    "subjects":[{"attributes":[{"name":"accountId","value":"'$account'"},{"name":"serviceName","value":"atracker"}]}],
    "roles":[{"role_id":"crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"}],
    "resources":[{"attributes":[{"name":"accountId","value":"'$account'"},{"name":"serviceName","value":"cloud-object-storage"},{"name":"serviceInstance","value":"cos-'$i'"}]}]}'
done

cat >"$work/evaluation.json" <<JSON
{"subject":{"type":"service","id":"crn:v1:bluemix:public:atracker:us-south:a/$account:at-1::"},
 "action":{"name":"cloud-object-storage.object.put"},
 "resource":{"type":"bucket","id":"crn:v1:bluemix:public:cloud-object-storage:global:a/$account:cos-250:bucket:audit-logs"}}
JSON
{
  printf '{"subject":{"type":"service","id":"crn:v1:bluemix:public:atracker:us-south:a/%s:at-1::"},"action":{"name":"cloud-object-storage.object.put"},"evaluations":[' "$account"
  for i in $(seq 1 100); do
    [ "$i" -gt 1 ] && printf ','
    printf '{"resource":{"type":"bucket","id":"crn:v1:bluemix:public:cloud-object-storage:global:a/%s:cos-%d:bucket:b"}}' "$account" $((i * 7))
  done
  printf ']}'
} >"$work/evaluations.json"

run() { # name port body token
  BODY_FILE=$2 TOKEN=${4:-} wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/http/post.lua "http://127.0.0.1:$3/access/v1/$1" | grep RESULT
}
# warm up both servers, then measure
BODY_FILE="$work/evaluation.json" wrk -t2 -c"$connections" -d10s -s bench/http/post.lua http://127.0.0.1:5082/access/v1/evaluation >/dev/null
BODY_FILE="$work/evaluation.json" TOKEN=$token wrk -t2 -c"$connections" -d10s -s bench/http/post.lua http://127.0.0.1:5081/access/v1/evaluation >/dev/null
# The two evaluation runs alternate, so that a noisy neighbour on the machine weighs on both alike.
for round in 1 2; do
  echo "round $round bare endpoint (parse, constant answer):   $(run evaluation "$work/evaluation.json" 5082)"
  echo "round $round tessera evaluation (auth on):             $(run evaluation "$work/evaluation.json" 5081 "$token")"
done
echo "tessera evaluations (100 items/request):          $(run evaluations "$work/evaluations.json" 5081 "$token")"
