#!/usr/bin/env bash
# The test command: installs what the suite needs on a fresh machine (Debian's Chromium when
# missing; every tools/*/ that pins npm packages in a package-lock.json - Azurite, axe-core), then
# runs every test. Extra arguments go to dotnet test (e.g. --logger trx).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "test: installing Debian's chromium (the browser tests drive /usr/bin/chromium)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
for lock in tools/*/package-lock.json; do
  dir="$(dirname "$lock")"
  echo "test: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done
dotnet test Huddle.sln "$@"
