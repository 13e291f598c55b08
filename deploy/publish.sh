#!/usr/bin/env bash
# A release build of the server in one directory: self-contained for linux-x64 when the runtime packs restore from the
# package source, framework-dependent (needs the ASP.NET Core 10 runtime on the host) otherwise.
# Usage: deploy/publish.sh [output directory, default out/tessera]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/tessera}
rm -rf "$out"
mkdir -p "$(dirname "$out")"
if dotnet publish src/Tessera.Server -c Release -r linux-x64 --self-contained -o "$out" --nologo -v quiet -p:UseAppHost=true 2>"$out.log"; then
  echo "self-contained: $out/Tessera.Server (no .NET runtime needed on the host)"
else
  echo "the linux-x64 runtime packs did not restore ($(grep -m1 -oE 'NU[0-9]+[^.]*' "$out.log" || echo "see $out.log")); publishing framework-dependent" >&2
  dotnet publish src/Tessera.Server -c Release -o "$out" --nologo -v quiet
  echo "framework-dependent: dotnet $out/Tessera.Server.dll (needs the ASP.NET Core 10 runtime)"
fi
rm -f "$out.log"
cp deploy/tessera.service "$out/"
