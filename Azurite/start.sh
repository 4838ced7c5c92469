#!/usr/bin/env bash
# Starts the pinned Azurite (installing it with `npm ci` on first use) on loopback.
# Usage: ./start.sh [--location DIR | --in-memory] [--blob-port N] [--queue-port N] [--table-port N]
# Ports default to free ones; the chosen connection string is printed as the first line:
#   AZURITE_CONNECTION_STRING=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;...
set -euo pipefail
cd "$(dirname "$0")"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

storage=(--inMemoryPersistence)
blob=""; queue=""; table=""
while (($#)); do
  case "$1" in
    --location) storage=(--location "$2"); shift 2 ;;
    --in-memory) storage=(--inMemoryPersistence); shift ;;
    --blob-port) blob="$2"; shift 2 ;;
    --queue-port) queue="$2"; shift 2 ;;
    --table-port) table="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
blob="${blob:-$(free_port)}"; queue="${queue:-$(free_port)}"; table="${table:-$(free_port)}"

[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --silent >&2

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
echo "AZURITE_CONNECTION_STRING=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:${blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:${table}/devstoreaccount1;"
exec node_modules/.bin/azurite --silent --skipApiVersionCheck --loose \
  --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
  --tableHost 127.0.0.1 --tablePort "$table" "${storage[@]}"
