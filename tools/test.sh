#!/usr/bin/env bash
# The test command: installs what the suite needs on a fresh machine (Debian's Chromium when
# missing; every tools/*/ that pins npm packages in a package-lock.json - Azurite, axe-core), then
# runs every test. Extra arguments go to each dotnet test (e.g. --logger trx, --filter), not to the one
# build before them: the build is Debug, so a -c or -f given here finds nothing built.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "test: installing Debian's chromium (the browser tests drive /usr/bin/chromium)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
# Azurite and axe-core run on Node.js; tools/azurite pins an Azurite (3.35) whose engines field
# accepts Debian's Node 20 (3.36 and later want 21/22 and make npm print EBADENGINE).
if ! command -v node >/dev/null 2>&1; then
  echo "test: Node.js 20 or later is needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "test: Node.js $(node --version) is too old; 20 or later is needed" >&2
  exit 1
fi
for lock in tools/*/package-lock.json; do
  dir="$(dirname "$lock")"
  echo "test: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done
# Build once, then run each test project. The grain tests run beside the storage tests: alone, the
# grain tests left the two cores 53 % idle and the storage tests 28 % (vmstat through a .ci/run,
# 2026-12-07), and together they took 210 s against 336 s one after another. Every other project runs
# alone: the browser tests keep both cores busy, so beside anything they only take longer.
dotnet build Huddle.sln
status=0
beside=(tests/Huddle.Storage.Tests tests/Huddle.Grains.Tests)
pids=()
for dir in "${beside[@]}"; do
  dotnet test "$dir" --no-build "$@" &
  pids+=("$!")
  # (A results file is named by the second its run starts: two starting in one second would share it.)
  sleep 2
done
for pid in "${pids[@]}"; do
  wait "$pid" || status=1
done
for project in tests/*/*.Tests.csproj; do
  dir="$(dirname "$project")"
  case " ${beside[*]} " in *" $dir "*) continue ;; esac
  dotnet test "$dir" --no-build "$@" || status=1
done
exit "$status"
