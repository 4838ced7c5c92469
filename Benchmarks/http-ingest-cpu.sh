#!/usr/bin/env bash
# Starts the Silo and the API host of one checkout's Release build on private loopback ports, sends the side-by-side
# shape (1 000 series per request, 200 metrics, 100 shards, 10 % exemplars) with the load tool — a warm-up run, then
# measured runs — and prints per run samples/s, latency and the server CPU (silo + API host, from /proc) per request.
# CPU per request moves much less than throughput when other work shares the machine, so A/B runs compare on it.
#
#   Benchmarks/http-ingest-cpu.sh [checkout (default: this one)] [measured runs (default 2)] [requests per run (default 6400)]
#
# Build first: dotnet build Silo -c Release && dotnet build ApiHost -c Release && dotnet build LoadTool -c Release
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "${1:-$here}" && pwd)"
runs="${2:-2}"
requests="${3:-6400}"
work="$(mktemp -d /tmp/oe-http-cpu-XXXXXX)"
export Cluster__ClusterId="cpu-$$" Cluster__ServiceId="cpu-$$" Cluster__SiloPort=11611 Cluster__GatewayPort=30600
export Wal__Directory="$work/wal" Storage__Provider=Memory
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

(cd "$root/Silo/bin/Release/net10.0" && Urls=http://127.0.0.1:8680 exec dotnet OrleansExemplars.Silo.dll >"$work/silo.log" 2>&1) &
pids+=($!)
sleep 4
(cd "$root/ApiHost/bin/Release/net10.0" && Urls=http://127.0.0.1:8600 exec dotnet OrleansExemplars.ApiHost.dll >"$work/api.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:8600/-/ready >/dev/null && break; sleep 0.5; done
curl -sf http://127.0.0.1:8600/-/ready >/dev/null || { echo "API host not ready; logs in $work" >&2; exit 1; }

cpu_ticks() { awk '{ s += $14 + $15 } END { print s }' "/proc/${pids[0]}/stat" "/proc/${pids[1]}/stat"; }
load() {
  dotnet "$here/LoadTool/bin/Release/net10.0/OrleansExemplars.LoadTool.dll" --url http://127.0.0.1:8600/api/v1/write \
    --series 1000 --metrics 200 --shards 100 --concurrency 4 --requests "$1" --seed "$2" --json
}
echo "checkout $root ($(git -C "$root" rev-parse --short HEAD)), load average $(cut -d' ' -f1 /proc/loadavg)"
load 2000 100 >/dev/null # warm-up: JIT, activations, ring growth
echo "| run | samples/s | p50 ms | p99 ms | server CPU ms per request | load average |"
echo "|---:|---:|---:|---:|---:|---:|"
ticks_per_s=$(getconf CLK_TCK)
for run in $(seq 1 "$runs"); do
  before=$(cpu_ticks)
  summary=$(load "$requests" $((100 + run)))
  after=$(cpu_ticks)
  python3 - "$summary" "$before" "$after" "$ticks_per_s" "$run" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
s = json.loads(sys.argv[1]); before, after, hz = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
cpu_ms = (after - before) * 1000 / hz / s["requests"]
print(f"| {sys.argv[5]} | {s['samplesPerSecond']:,.0f} | {s['latencyP50Ms']} | {s['latencyP99Ms']} | {cpu_ms:.2f} | {sys.argv[6]} |")
PY
done
