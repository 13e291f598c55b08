#!/usr/bin/env bash
# Does a refusal say whether the thing exists? As the owner of account B, GET account A's policy (exists, refused:
# answered 404 and recorded in A's trail) and GET a policy id that exists nowhere (404), alternating, N of each; prints
# the median and 90th percentile of each (curl's time_total). Needs jq.
# Usage: bench/http/refusal-timing.sh [checkout] [N] [port]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}; n=${2:-300}; port=${3:-5098}
dotnet build "$root/src/Tessera.Server" -c Release -v quiet --nologo >/dev/null
work=$(mktemp -d); key="timing-key-0123456789abcdefghijklmnopqrstuv"
TESSERA_BOOTSTRAP_APIKEY=$key Logging__LogLevel__Default=Warning RateLimits__Enabled=false \
  dotnet "$root/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" --urls "http://127.0.0.1:$port" --data-dir "$work/data" > "$work/log" 2>&1 &
pid=$!; trap 'kill $pid; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
T=$(curl -s -X POST "http://127.0.0.1:$port/identity/token" -d grant_type=urn:ibm:params:oauth:grant-type:apikey -d apikey=$key | jq -r .access_token)
A=$(echo "$T" | cut -d. -f2 | tr '_-' '/+' | { read -r p; while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done; echo "$p"; } | base64 -d | jq -r .account.bss)
P=$(curl -s -X POST "http://127.0.0.1:$port/v1/policies" -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -d '{"type":"authorization","subjects":[{"attributes":[{"name":"accountId","value":"'$A'"},{"name":"serviceName","value":"atracker"}]}],"roles":[{"role_id":"crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"}],"resources":[{"attributes":[{"name":"accountId","value":"'$A'"},{"name":"serviceName","value":"cloud-object-storage"}]}]}' | jq -r .id)
BK=$(curl -s -X POST "http://127.0.0.1:$port/v2/accounts" -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -d '{"name":"stranger"}' | jq -r .apikey.apikey)
TB=$(curl -s -X POST "http://127.0.0.1:$port/identity/token" -d grant_type=urn:ibm:params:oauth:grant-type:apikey -d apikey=$BK | jq -r .access_token)
for i in $(seq "$n"); do
  curl -s -o /dev/null -w 'existing %{time_total} %{http_code}\n' "http://127.0.0.1:$port/v1/policies/$P" -H "Authorization: Bearer $TB"
  curl -s -o /dev/null -w 'missing %{time_total} %{http_code}\n' "http://127.0.0.1:$port/v1/policies/$(cat /proc/sys/kernel/random/uuid)" -H "Authorization: Bearer $TB"
done > "$work/times"
for kind in existing missing; do
  grep "^$kind " "$work/times" | awk '{print $2 * 1000}' | sort -n | awk -v k=$kind '{a[NR]=$1} END {printf "%s: median %.2f ms, p90 %.2f ms (n=%d)\n", k, a[int(NR/2)+1], a[int(NR*0.9)], NR}'
done
echo "statuses: $(awk '{print $1, $3}' "$work/times" | sort | uniq -c | tr '\n' ';')"
