#!/usr/bin/env bash
# Runs every Tessera test suite: the .NET unit, store, HTTP, CLI and browser suites, then IBM's Node SDK against a real server,
# the HTTP and SDK suites once over SQLite and once over PostgreSQL, plus the multi-node tests, and lints the served
# OpenAPI document with IBM's ruleset.
# Installs what the suites need when it is missing (PostgreSQL, Chromium, Node.js and npm from Debian, the SDK and the linter from npm) and
# starts a throw-away PostgreSQL cluster on 127.0.0.1, so it passes on a fresh machine that has only the .NET SDK.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

passed=0
failed=0
status=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

step() { printf '\n== %s\n' "$*"; }

need_root_install() {
  local packages=("$@")
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: ${packages[*]} missing and not root; install them and run again" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
}

step "build"
if ! dotnet build Tessera.slnx -c Release --nologo -v quiet > "$log/build.txt" 2>&1; then
  cat "$log/build.txt"
  echo "0 passed, 1 failed"
  exit 1
fi

step "Chromium: Debian's, for the browser tests (Playwright drives it)"
command -v chromium >/dev/null || need_root_install chromium
chromium --version 2>/dev/null | head -1

step "PostgreSQL: a throw-away cluster on 127.0.0.1"
bash test/postgres.sh install
pgdir=$(mktemp -d /tmp/tessera-pg-XXXXXX) # outside $log: the server runs as the postgres user when this runs as root
pgport=$((20000 + RANDOM % 20000))
if ! bash test/postgres.sh start "$pgdir" "$pgport"; then
  cat "$pgdir/server.log" 2>/dev/null; echo "0 passed, 1 failed"; exit 1
fi
trap 'bash test/postgres.sh stop "$pgdir" >/dev/null 2>&1; rm -rf "$log" "$pgdir"' EXIT
export TESSERA_TEST_POSTGRES="Host=127.0.0.1;Port=$pgport;Username=tessera;Database=postgres"
export TESSERA_TEST_PG_PORT=$pgport

# dotnet_suite NAME ARGS...: runs dotnet test and adds its counts.
dotnet_suite() {
  local name=$1; shift
  dotnet test "$@" -c Release --no-build --nologo > "$log/$name.txt" 2>&1 || status=1
  grep -E "^(Passed!|Failed!)|\[FAIL\]|Error Message|^\s+(Assert|Expected|Actual)" "$log/$name.txt" || true
  while read -r f p; do
    passed=$((passed + p)); failed=$((failed + f))
  done < <(sed -nE 's/.*Failed:[[:space:]]*([0-9]+), Passed:[[:space:]]*([0-9]+),.*/\1 \2/p' "$log/$name.txt")
  if ! grep -qE "^(Passed!|Failed!)" "$log/$name.txt"; then
    cat "$log/$name.txt"; failed=$((failed + 1)); status=1
  fi
}

step ".NET test suites (stores on SQLite and PostgreSQL; HTTP on SQLite; several nodes on PostgreSQL; the CLI; the browser)"
# One project after another, not side by side as a solution-wide run would: the multi-node tests give a node a bounded
# time to catch up, and the CLI and browser suites' processes beside them once took that time (a flaky 503 for a 401).
# Every test project under test/, so that a new one runs without being listed here.
for project in test/Tessera.*.Tests; do
  dotnet_suite "$(basename "$project")" "$project"
done
step ".NET HTTP suite again, over PostgreSQL"
TESSERA_TEST_STORE=postgres dotnet_suite dotnet-postgres test/Tessera.Server.Tests --filter "Category!=MultiNode"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  need_root_install nodejs npm
fi
# node_suite NAME DIR STORE: runs a directory's node tests against real servers (TAP) and adds their counts.
node_suite() {
  local name=$1 dir=$2 store=$3
  (cd "$dir" && TESSERA_TEST_STORE=$store TESSERA_SERVER_DLL="$PWD/../../src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" \
    OPENAPI_WARNINGS="$log/openapi-warnings.json" node --test --test-reporter=tap 2>&1) > "$log/$name.txt"
  [ $? -eq 0 ] || status=1
  grep -E "^\s*(not ok|# (pass|fail))" "$log/$name.txt" || true
  if grep -q "^# pass" "$log/$name.txt"; then
    passed=$((passed + $(sed -nE 's/^# pass ([0-9]+)/\1/p' "$log/$name.txt")))
    failed=$((failed + $(sed -nE 's/^# fail ([0-9]+)/\1/p' "$log/$name.txt")))
    grep -q "^not ok" "$log/$name.txt" && cat "$log/$name.txt"
  else
    cat "$log/$name.txt"; failed=$((failed + 1)); status=1
  fi
}

for dir in test/conformance test/openapi; do
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>"$log/npm.txt") || { cat "$log/npm.txt"; status=1; }
done
for store in sqlite postgres; do
  step "conformance: IBM's Node SDK against a real Tessera over $store"
  node_suite "node-$store" test/conformance "$store"
done
step "OpenAPI: the served document, linted with IBM's ruleset (@ibm-cloud/openapi-ruleset)"
node_suite openapi test/openapi sqlite
[ -f "$log/openapi-warnings.json" ] && echo "IBM ruleset warnings by rule (docs/openapi.md): $(tr -d ' \n' < "$log/openapi-warnings.json")"

[ "$failed" -eq 0 ] || status=1
echo
echo "$passed passed, $failed failed"
exit $status
