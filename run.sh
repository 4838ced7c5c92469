#!/usr/bin/env bash
# Runs OrleansExemplars on embedded defaults: one silo (localhost clustering, Orleans dashboard on
# http://127.0.0.1:8080) and the API host on http://127.0.0.1:8000. Nothing external is needed.
# Configuration: appsettings.json of Silo/ and ApiHost/, overridden by environment variables (Section__Key).
# Ctrl-C stops everything this script started.
#
#   ./run.sh            the embedded defaults above
#   ./run.sh --azurite  the same on Azure Storage: starts the pinned Azurite (data in ./data/azurite) and runs the
#                       silo with Azure Table clustering and Azure Blob grain storage on it
set -euo pipefail
cd "$(dirname "$0")"

use_azurite=false
for arg in "$@"; do
  case "$arg" in
    --azurite) use_azurite=true ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

echo "==> building (Release)"
dotnet build Silo/Silo.csproj -c Release -nologo -v quiet
dotnet build ApiHost/ApiHost.csproj -c Release -nologo -v quiet

pids=()
stop() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    echo "==> stopping"
    # Newest first: the API host, then the silo (which writes its rings and offsets on the way out), then Azurite.
    # Azurite closes its servers on SIGTERM but may not exit: it gets 5 s, the hosts 60 s, then they are killed.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
      kill -TERM "${pids[i]}" 2>/dev/null || true
      ticks=120; if $use_azurite && ((i == 0)); then ticks=10; fi
      for _ in $(seq 1 "$ticks"); do kill -0 "${pids[i]}" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "${pids[i]}" 2>/dev/null || true
      wait "${pids[i]}" 2>/dev/null || true
    done
  fi
}
trap stop INT TERM EXIT

gateway_port="${Cluster__GatewayPort:-30000}"

if $use_azurite; then
  echo "==> starting Azurite (data: ./data/azurite)"
  mkdir -p data/azurite
  ./Azurite/start.sh --location "$PWD/data/azurite" > data/azurite.log 2>&1 &
  pids+=($!)
  for _ in $(seq 1 240); do
    connection="$(sed -n 's/^AZURITE_CONNECTION_STRING=//p' data/azurite.log)"
    [ -n "$connection" ] && break
    sleep 0.5
  done
  [ -n "$connection" ] || { echo "Azurite did not start; see data/azurite.log" >&2; exit 1; }
  blob_port="$(sed -n 's/.*BlobEndpoint=http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' <<< "$connection")"
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/${blob_port}") 2>/dev/null; then break; fi
    sleep 0.5
  done
  export Storage__AzureBlob__ConnectionString="$connection" Clustering__AzureTable__ConnectionString="$connection"
fi

# Durable state in ./data of the checkout (not under bin/, which a clean build may wipe): the exemplar WAL and, unless
# Azure Blob is configured, the grain storage. Delete ./data to start empty.
export Wal__Directory="${Wal__Directory:-$PWD/data/wal}"
export Storage__File__Directory="${Storage__File__Directory:-$PWD/data/grains}"

echo "==> starting the silo (dashboard: http://127.0.0.1:8080)"
(cd Silo/bin/Release/net10.0 && exec dotnet OrleansExemplars.Silo.dll) &
pids+=($!)

for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/${gateway_port}") 2>/dev/null; then break; fi
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then echo "the silo exited during start-up" >&2; exit 1; fi
  sleep 0.5
done

echo "==> starting the API host (http://127.0.0.1:8000)"
(cd ApiHost/bin/Release/net10.0 && exec dotnet OrleansExemplars.ApiHost.dll) &
pids+=($!)

# Whichever process ends first (or Ctrl-C) ends the run; the trap stops the other.
wait -n "${pids[@]}"
