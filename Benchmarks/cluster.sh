#!/usr/bin/env bash
# N silo processes in one cluster (Azure Table clustering on the pinned Azurite, grain storage Memory, WAL on) and the
# API host, on private loopback ports; the load tool writes the side-by-side shape straight into the silos'
# /api/v1/write (shard k to silo k mod N, as Prometheus instances spread over a load balancer would), then
# query_exemplars is timed through the API host. Prints one Markdown row: ingest samples/s, latency, server CPU per
# million samples (every silo and the API host, from /proc), each silo's RSS and exemplars held, and the fan-out
# query times.
#
#   Benchmarks/cluster.sh [silos (default 4)] [requests (default 4000)] [--via-api]
#
# --via-api writes to the API host instead (one gateway hop more). Build first:
#   dotnet build Silo -c Release && dotnet build ApiHost -c Release && dotnet build LoadTool -c Release
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
silos="${1:-4}"
requests="${2:-4000}"
via_api=false
[ "${3:-}" = "--via-api" ] && via_api=true
work="$(mktemp -d /tmp/oe-cluster-XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

for dll in Silo/bin/Release/net10.0/OrleansExemplars.Silo.dll ApiHost/bin/Release/net10.0/OrleansExemplars.ApiHost.dll \
           LoadTool/bin/Release/net10.0/OrleansExemplars.LoadTool.dll; do
  [ -f "$root/$dll" ] || { echo "$dll is not built (see the header of $0)" >&2; exit 1; }
done

say "starting Azurite (membership table)"
"$root/Azurite/start.sh" --in-memory >"$work/azurite.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^AZURITE_CONNECTION_STRING=' "$work/azurite.log" && break; sleep 0.2; done
connection="$(sed -n 's/^AZURITE_CONNECTION_STRING=//p' "$work/azurite.log")"
[ -n "$connection" ] || { echo "Azurite did not start: $(cat "$work/azurite.log")" >&2; exit 1; }
sleep 2

export Cluster__ClusterId="bench-$$" Cluster__ServiceId="bench-$$" Clustering__AzureTable__ConnectionString="$connection"
export Storage__Provider=Memory
silo_urls=(); gateway=""
for i in $(seq 1 "$silos"); do
  http="$(free_port)"; gw="$(free_port)"; [ -n "$gateway" ] || gateway="$gw"
  say "starting silo $i of $silos on http://127.0.0.1:$http"
  (cd "$root/Silo/bin/Release/net10.0" && Urls="http://127.0.0.1:$http" Cluster__SiloPort="$(free_port)" \
    Cluster__GatewayPort="$gw" Wal__Directory="$work/wal-$i" exec dotnet OrleansExemplars.Silo.dll >"$work/silo-$i.log" 2>&1) &
  pids+=($!)
  silo_urls+=("http://127.0.0.1:$http")
done
api_port="$(free_port)"
say "starting the API host on http://127.0.0.1:$api_port"
(cd "$root/ApiHost/bin/Release/net10.0" && Urls="http://127.0.0.1:$api_port" exec dotnet OrleansExemplars.ApiHost.dll >"$work/api.log" 2>&1) &
pids+=($!)
api="http://127.0.0.1:$api_port"
for url in "${silo_urls[@]}" "$api"; do
  for _ in $(seq 1 240); do curl -sf "$url/-/ready" >/dev/null && break; sleep 0.5; done
  curl -sf "$url/-/ready" >/dev/null || { echo "$url not ready; logs in $work" >&2; trap - EXIT; exit 1; }
done
# The API host answers a query once it has a gateway; then a few seconds for every silo to see every other as active,
# so new activations spread over all of them.
for _ in $(seq 1 120); do curl -sf "$api/api/v1/query_exemplars?query=up&start=0&end=1" >/dev/null && break; sleep 0.5; done
sleep 5

targets=$(IFS=,; echo "${silo_urls[*]/%//api/v1/write}")
$via_api && targets="$api/api/v1/write"
load() {
  dotnet "$root/LoadTool/bin/Release/net10.0/OrleansExemplars.LoadTool.dll" --url "$targets" \
    --series 1000 --metrics 200 --shards 100 --concurrency 4 --requests "$1" --seed "$2" --json
}
process_ticks() { local s=0; for p in "${pids[@]:1}"; do s=$((s + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$s"; }

say "warm-up: 1000 requests (JIT, activations over every silo)"
load 1000 100 >/dev/null
say "measured: $requests requests of 1 000 series to ${targets//,/ }"
before=$(process_ticks)
summary="$(load "$requests" 1)"
after=$(process_ticks)
read -r samples rate p50 p99 errors < <(python3 -c '
import json,sys; s=json.load(sys.stdin)
print(s["samples"], round(s["samplesPerSecond"]), s["latencyP50Ms"], s["latencyP99Ms"], s["errors"])' <<<"$summary")
cpu_per_m=$(python3 -c "print(f'{($after - $before) / $(getconf CLK_TCK) / ($samples / 1e6):.2f}')")

rss=(); held=()
for i in $(seq 1 "$silos"); do
  pid="${pids[$i]}"
  rss+=("$(awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")")
  held+=("$(curl -sf "${silo_urls[$((i - 1))]}/metrics" | awk '/^oe_ring_exemplars[ {]/ { s += $NF } END { printf "%d", s }')")
done

time_query() { # p50 of 5 timed runs after one untimed
  local q; q="$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")"
  curl -sf -o /dev/null "$api/api/v1/query_exemplars?query=$q"
  for _ in 1 2 3 4 5; do curl -sf -o /dev/null -w '%{time_total}\n' "$api/api/v1/query_exemplars?query=$q"; done |
    sort -n | sed -n 3p | awk '{ printf "%.1f", $1 * 1000 }'
}
say "timing query_exemplars through the API host"
one=$(time_query 'load_metric_0_seconds_bucket')
all=$(time_query '{__name__=~".+"}')
label=$(time_query '{job="loadtool",handler="/api/0"}')

echo "| silos | written to | samples/s | p50 ms | p99 ms | errors | server CPU s per M samples | RSS MiB per silo | exemplars per silo | one metric ms | all metrics ms | label-only ms | load average |"
echo "|---:|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|"
echo "| $silos | $($via_api && echo "API host" || echo "silos") | $rate | $p50 | $p99 | $errors | $cpu_per_m | $(IFS=/; echo "${rss[*]}") | $(IFS=/; echo "${held[*]}") | $one | $all | $label | $(cut -d' ' -f1 /proc/loadavg) |"
