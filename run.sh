#!/usr/bin/env bash
# Runs OrleansExemplars on embedded defaults: one silo (localhost clustering, Orleans dashboard on
# http://127.0.0.1:8080) and the API host on http://127.0.0.1:8000. Nothing external is needed.
# Configuration: appsettings.json of Silo/ and ApiHost/, overridden by environment variables (Section__Key).
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")"

echo "==> building (Release)"
dotnet build Silo/Silo.csproj -c Release -nologo -v quiet
dotnet build ApiHost/ApiHost.csproj -c Release -nologo -v quiet

pids=()
stop() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    echo "==> stopping"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop INT TERM EXIT

gateway_port="${Cluster__GatewayPort:-30000}"

# Durable state in ./data of the checkout (not under bin/, which a clean build may wipe): the exemplar WAL and, unless
# Azure Blob is configured, the grain storage. Delete ./data to start empty.
export Wal__Directory="${Wal__Directory:-$PWD/data/wal}"
export Storage__File__Directory="${Storage__File__Directory:-$PWD/data/grains}"

echo "==> starting the silo (dashboard: http://127.0.0.1:8080)"
(cd Silo/bin/Release/net10.0 && exec dotnet OrleansExemplars.Silo.dll) &
pids+=($!)

for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/${gateway_port}") 2>/dev/null; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "the silo exited during start-up" >&2; exit 1; fi
  sleep 0.5
done

echo "==> starting the API host (http://127.0.0.1:8000)"
(cd ApiHost/bin/Release/net10.0 && exec dotnet OrleansExemplars.ApiHost.dll) &
pids+=($!)

# Whichever process ends first (or Ctrl-C) ends the run; the trap stops the other.
wait -n "${pids[@]}"
