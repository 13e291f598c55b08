#!/usr/bin/env bash
# Times the console's Authorizations page against the API's own list of the same page (GET /v2/policies, 20 a page,
# newest first) — the baseline — in alternation on one server over SQLite, for an account holding N authorizations
# (default 10,000, made through the batch API) and INSTANCES service instances (default 200, whose names the page
# shows). Each request is timed with curl over keep-alive-free connections, ROUNDS times each (default 200); prints the
# medians and p90s and the ratio of the medians. The create page (the catalog's choices, the account's instances and
# groups) and the page of one authorization are timed too.
#
#   bench/console/pages.sh [N] [ROUNDS] [INSTANCES]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000}
rounds=${2:-200}
instances=${3:-200}
. bench/server.sh

dotnet build src/Tessera.Server -c Release --nologo -v quiet >/dev/null
key=bench-operator-key-0123456789abcdef0123
TESSERA_BOOTSTRAP_APIKEY=$key RateLimits__Writes__PerSecond=1000000 RateLimits__Writes__Burst=1000000 \
  RateLimits__Reads__PerSecond=1000000 RateLimits__Reads__Burst=1000000 \
  dotnet src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll --urls http://127.0.0.1:0 --data-dir "$work/data" > "$work/server.log" 2>&1 &
server=$!
url=$(listening_url "$work/server.log")

token=$(curl -sf -X POST "$url/identity/token" -d grant_type=urn:ibm:params:oauth:grant-type:apikey -d apikey=$key | jq -r .access_token)
auth=(-H "Authorization: Bearer $token")
account=$(curl -sf "${auth[@]}" "$url/v1/apikeys/details" -H "IAM-ApiKey: $key" | jq -r .account_id)
group=$(curl -sf "${auth[@]}" "$url/v2/resource_groups?account_id=$account&default=true" | jq -r '.resources[0].id')
plan=$(curl -sf "$url/v1/catalog/services" "${auth[@]}" | jq -r '.services[] | select(.name == "kms") | .plans[0].id')
guids=()
for ((i = 0; i < instances; i++)); do
  guids+=("$(curl -sf "${auth[@]}" -X POST "$url/v2/resource_instances" -H 'Content-Type: application/json' \
    -d "{\"name\":\"keys-$i\",\"target\":\"us-south\",\"resource_group\":\"$group\",\"resource_plan_id\":\"$plan\"}" | jq -r .guid)")
done
# N authorizations, 500 a request, each on one of the instances (and beyond them on made-up GUIDs, as apply.sh does).
for ((start = 0; start < n; start += 500)); do
  python3 - "$account" "$start" "$((start + 500 < n ? start + 500 : n))" "${guids[@]}" > "$work/batch.json" <<'PY'
import json, sys
account, start, end, guids = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
attr = lambda k, v: {"key": k, "operator": "stringEquals", "value": v}
policies = [{
    "type": "authorization",
    "subject": {"attributes": [attr("accountId", account), attr("serviceName", "cloud-object-storage")]},
    "resource": {"attributes": [attr("accountId", account), attr("serviceName", "kms"),
                                attr("serviceInstance", guids[i] if i < len(guids) else "%08x-0000-4000-8000-%012x" % (i, i))]},
    "control": {"grant": {"roles": [{"role_id": "crn:v1:bluemix:public:iam::::serviceRole:Reader"}]}},
} for i in range(start, end)]
print(json.dumps({"policies": policies}))
PY
  curl -sf "${auth[@]}" -X POST "$url/v2/policies/batch" -H 'Content-Type: application/json' --data-binary @"$work/batch.json" > /dev/null
done

# The console's session, signed in through its own form.
jar="$work/cookies"
form=$(curl -sf -c "$jar" -b "$jar" "$url/console/signin")
csrf=$(grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' <<< "$form" | head -1 | sed 's/.*value="//;s/"$//')
curl -sf -o /dev/null -c "$jar" -b "$jar" -X POST "$url/console/signin" --data-urlencode "apikey=$key" --data-urlencode "__RequestVerificationToken=$csrf"
policy=$(curl -sf "${auth[@]}" "$url/v2/policies?account_id=$account&type=authorization&limit=1" | jq -r '.policies[0].id')

time_of() { curl -s -o /dev/null -w '%{time_total}\n' "$@"; }
: > "$work/api"; : > "$work/console"; : > "$work/create"; : > "$work/details"
for ((r = 0; r < 20; r++)); do   # warm-up: JIT, the page compilation, SQLite's cache
  time_of "${auth[@]}" "$url/v2/policies?account_id=$account&type=authorization&sort=-created_at&limit=20" > /dev/null
  time_of -b "$jar" "$url/console/authorizations" > /dev/null
done
for ((r = 0; r < rounds; r++)); do
  time_of "${auth[@]}" "$url/v2/policies?account_id=$account&type=authorization&sort=-created_at&limit=20" >> "$work/api"
  time_of -b "$jar" "$url/console/authorizations" >> "$work/console"
  if ((r % 4 == 0)); then
    time_of -b "$jar" "$url/console/authorizations/create?source_service=cloud-object-storage&target_service=kms" >> "$work/create"
    time_of -b "$jar" "$url/console/authorizations/$policy" >> "$work/details"
  fi
done

stats() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.2f %.2f", a[int((NR+1)/2)]*1000, a[int(NR*0.9)]*1000}'; }
read -r api_med api_p90 <<< "$(stats "$work/api")"
read -r con_med con_p90 <<< "$(stats "$work/console")"
read -r cre_med cre_p90 <<< "$(stats "$work/create")"
read -r det_med det_p90 <<< "$(stats "$work/details")"
echo "account: $n authorizations, $instances instances; $rounds requests each (median / p90 ms)"
echo "GET /v2/policies (20)          $api_med / $api_p90   (baseline)"
echo "console Authorizations page    $con_med / $con_p90   $(awk "BEGIN {printf \"%.2f\", $con_med / $api_med}")x the baseline"
echo "console create page (a pair)   $cre_med / $cre_p90   $(awk "BEGIN {printf \"%.2f\", $cre_med / $api_med}")x"
echo "console authorization details  $det_med / $det_p90   $(awk "BEGIN {printf \"%.2f\", $det_med / $api_med}")x"
