#!/usr/bin/env bash
# Runs every Tessera test suite: the .NET unit and HTTP suites, then IBM's Node SDK against a real server.
# Installs what the suites need when it is missing (Node.js and npm from Debian, the SDK from npm), so it
# passes on a fresh machine that has only the .NET SDK. Ends with one line: "N passed, N failed".
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

step ".NET test suites"
dotnet test Tessera.slnx -c Release --no-build --nologo > "$log/dotnet.txt" 2>&1 || status=1
grep -E "^(Passed!|Failed!)|\[FAIL\]|Error Message|^\s+(Assert|Expected|Actual)" "$log/dotnet.txt" || true
while read -r f p; do
  passed=$((passed + p)); failed=$((failed + f))
done < <(sed -nE 's/.*Failed:[[:space:]]*([0-9]+), Passed:[[:space:]]*([0-9]+),.*/\1 \2/p' "$log/dotnet.txt")
if ! grep -qE "^(Passed!|Failed!)" "$log/dotnet.txt"; then
  cat "$log/dotnet.txt"; failed=$((failed + 1)); status=1
fi

step "conformance: IBM's Node SDK against a real Tessera"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  need_root_install nodejs npm
fi
(cd test/conformance && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>"$log/npm.txt") || { cat "$log/npm.txt"; status=1; }
(cd test/conformance && TESSERA_SERVER_DLL="$PWD/../../src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" \
  node --test --test-reporter=tap 2>&1) > "$log/node.txt"
[ $? -eq 0 ] || status=1
grep -E "^\s*(not ok|# (pass|fail))" "$log/node.txt" || true
if grep -q "^# pass" "$log/node.txt"; then
  passed=$((passed + $(sed -nE 's/^# pass ([0-9]+)/\1/p' "$log/node.txt")))
  failed=$((failed + $(sed -nE 's/^# fail ([0-9]+)/\1/p' "$log/node.txt")))
  grep -q "^not ok" "$log/node.txt" && cat "$log/node.txt"
else
  cat "$log/node.txt"; failed=$((failed + 1)); status=1
fi

[ "$failed" -eq 0 ] || status=1
echo
echo "$passed passed, $failed failed"
exit $status
