#!/usr/bin/env bash
# Installs what the tests need and runs every test of the solution, lane by lane (Tests/Unit, Tests/Integration,
# Tests/Differential; one after the other, as the fault tests time things on two cores).
#   - Prometheus 2.42 and VictoriaMetrics 1.79 from Debian (differential and forwarding tests)
#   - Azurite 3.37.0 from npm (grain storage tests)
#   - docker-compose from Debian (the compose file is checked with `docker-compose config`; no Docker engine needed)
#   - chromium from Debian (headless: renders the Orleans dashboard; screenshots in TestResults/dashboard/)
#   - e2fsprogs and util-linux from Debian (disk-fault tests mount tmpfs and a loop-device ext4; they need root)
# Usage: ./test.sh [--unit] [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Ring]
#   --unit: only the unit lane (no process, cluster or web host; seconds), which needs none of the installs.
set -euo pipefail
cd "$(dirname "$0")"

unit_only=false
args=()
for arg in "$@"; do
  if [ "$arg" = "--unit" ]; then unit_only=true; else args+=("$arg"); fi
done
if $unit_only; then lanes=(Unit); else lanes=(Unit Integration Differential); fi

install_debian() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if ! command -v apt-get >/dev/null; then
    echo "test.sh: missing ${missing[*]} and no apt-get to install them; the tests that need them will fail" >&2
    return 0
  fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "==> installing ${missing[*]} (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if ! $unit_only; then
  install_debian prometheus victoria-metrics docker-compose chromium e2fsprogs util-linux

  # Azurite (the Azure Storage emulator), pinned by Azurite/package-lock.json.
  if [ ! -f Azurite/node_modules/azurite/dist/src/azurite.js ]; then
    echo "==> installing Azurite (npm ci)"
    (cd Azurite && npm ci --no-audit --no-fund --silent)
  fi

  echo "==> restoring and building"
  dotnet build OrleansExemplars.sln -c Release -nologo -v quiet
else
  echo "==> restoring and building the unit lane"
  dotnet build Tests/Unit/Unit.csproj -c Release -nologo -v quiet
fi

results="$(mktemp -d)"
status=0
for lane in "${lanes[@]}"; do
  echo "==> running the ${lane,,} tests (Tests/${lane})"
  dotnet test "Tests/${lane}/${lane}.csproj" -c Release --no-build -nologo \
    --logger "console;verbosity=normal" --logger "trx;LogFileName=${lane}.trx" \
    --results-directory "$results" ${args[@]+"${args[@]}"} || status=$?
done

# One closing line in the plain form CI reads, summed over the lanes.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
  # The failed tests' names again, last, where a reader of only the tail of the log sees them.
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed 's/.* testName="\([^"]*\)".*/FAILED: \1/' || true
  # And why, briefly: the first lines of each failure's message and stack trace.
  awk '
    /<UnitTestResult / { failed = ($0 ~ /outcome="Failed"/); if (failed) { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11) } }
    failed && /<Message>/ { inmsg = 1; shown = 0; print "WHY " name ":" }
    failed && /<StackTrace>/ { inmsg = 1; shown = 0 }
    inmsg { line = $0; gsub(/<\/?(Message|StackTrace|ErrorInfo)>/, "", line); gsub(/&lt;/, "<", line); gsub(/&gt;/, ">", line);
            gsub(/&quot;/, "\"", line); gsub(/&apos;/, "\047", line); gsub(/&amp;/, "\\&", line); sub(/^[ \t]+/, "", line);
            if (shown < 8 && line ~ /[^ ]/) { print "    " line; shown++ } }
    /<\/Message>|<\/StackTrace>/ { inmsg = 0 }
    /<\/UnitTestResult>/ { failed = 0 }
  ' "$trx" || true
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
