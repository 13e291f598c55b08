#!/usr/bin/env bash
# What a stranger's list of another account costs: GET /v1/policies?account_id=<A> as the owner of account B, A holding N
# authorizations, against an unknown account. Needs jq. Usage: bench/http/list-cost.sh [checkout] [N] [port]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}; n=${2:-2000}; port=${3:-5097}
dotnet build "$root/src/Tessera.Server" -c Release -v quiet --nologo >/dev/null
work=$(mktemp -d); key="list-cost-key-0123456789abcdefghijklmnopqrs"
TESSERA_BOOTSTRAP_APIKEY=$key Logging__LogLevel__Default=Warning dotnet $root/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll --urls http://127.0.0.1:$port --data-dir $work/data > $work/log 2>&1 &
pid=$!; trap 'kill $pid; rm -rf $work' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:$port/healthz && break; sleep 0.2; done
T=$(curl -s -X POST http://127.0.0.1:$port/identity/token -d grant_type=urn:ibm:params:oauth:grant-type:apikey -d apikey=$key | jq -r .access_token)
A=$(echo "$T" | cut -d. -f2 | tr '_-' '/+' | { read -r p; while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done; echo "$p"; } | base64 -d | jq -r .account.bss)
seq 1 $n | xargs -P 4 -I{} curl -s -o /dev/null -X POST http://127.0.0.1:$port/v1/policies -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -d '{"type":"authorization","subjects":[{"attributes":[{"name":"accountId","value":"'$A'"},{"name":"serviceName","value":"atracker"}]}],"roles":[{"role_id":"crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"}],"resources":[{"attributes":[{"name":"accountId","value":"'$A'"},{"name":"serviceName","value":"cloud-object-storage"},{"name":"serviceInstance","value":"cos-{}"}]}]}'
BK=$(curl -s -X POST http://127.0.0.1:$port/v2/accounts -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -d '{"name":"stranger"}' | jq -r .apikey.apikey)
TB=$(curl -s -X POST http://127.0.0.1:$port/identity/token -d grant_type=urn:ibm:params:oauth:grant-type:apikey -d apikey=$BK | jq -r .access_token)
for q in "account_id=$A" "account_id=$A&limit=1" "account_id=0123456789abcdef0123456789abcdef"; do
  curl -s -o /dev/null "http://127.0.0.1:$port/v1/policies?$q" -H "Authorization: Bearer $TB"
  best=$(for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/v1/policies?$q" -H "Authorization: Bearer $TB"; done | sort -n | sed -n 3p)
  echo "$q -> median of 5: ${best}s ($(curl -s "http://127.0.0.1:$port/v1/policies?$q" -H "Authorization: Bearer $TB" | jq '.policies | length') policies)"
done
