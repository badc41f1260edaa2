#!/usr/bin/env bash
# bench/serve_memory.sh — peak memory of `mosaic serve` under concurrent queries.
#
# Builds mosaic (or takes MOSAIC_BIN), loads a collection of N items (default
# 300,000) from a manifest, and for each concurrency level (default 100 and
# 1000) starts a fresh `mosaic serve`, keeps that many
#   ImageServer/query?where=CloudCover%3D5&returnCountOnly=true&f=json
# requests in flight for DURATION (default 20s, each client on its own
# connection, bench/loadgen), then prints the server's peak RSS (VmHWM in
# /proc/<pid>/status) next to how the requests were answered: 200 answered,
# 503 refused as busy after waiting in the bounded queue.
#
# Usage: bench/serve_memory.sh [ITEMS] [LEVELS] [DURATION]
#        bench/serve_memory.sh 300000 "100 1000" 20s
# Needs: go, curl, awk, Linux (/proc). Everything lives in a temporary folder.
set -euo pipefail
items=${1:-300000}
levels=${2:-"100 1000"}
duration=${3:-20s}
port=${PORT:-18090}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

cd "$root"
if [ -n "${MOSAIC_BIN:-}" ]; then cp "$MOSAIC_BIN" "$work/mosaic"; else CGO_ENABLED=0 go build -o "$work/mosaic" .; fi
CGO_ENABLED=0 go build -o "$work/loadgen" ./bench/loadgen
m="$work/mosaic -c $work/catalog.db"

echo "making a collection of $items items ..." >&2
$m create-image-collection scenes --srs EPSG:32632 --field CloudCover:REAL --field SensorName:TEXT >/dev/null
awk -v n="$items" 'BEGIN {
  srand(7)
  print "Raster,Name,CloudCover,SensorName,XMin,YMin,XMax,YMax"
  for (i = 1; i <= n; i++) {
    x = (i % 1000) * 10000; y = int(i / 1000) * 10000
    printf "/archive/s2/T%07d.tif,T%07d,%d,Sentinel-2,%d,%d,%d,%d\n", i, i, int(rand() * 100), x, y, x + 10980, y + 10980
  }
}' >"$work/items.csv"
$m add-image -i scenes --manifest "$work/items.csv" >/dev/null
rm "$work/items.csv"
url="http://127.0.0.1:$port/arcgis/rest/services/Hosted/scenes/ImageServer/query?where=CloudCover%3D5&returnCountOnly=true&f=json"

echo "load: $(uptime)"
for c in $levels; do
  $m serve --addr 127.0.0.1:$port 2>"$work/serve.log" &
  server=$!
  i=0
  until curl -sf "http://127.0.0.1:$port/arcgis/rest/info?f=json" >/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  count=$(curl -sf "$url")
  idle=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
  answered=$("$work/loadgen" -c "$c" -d "$duration" "$url")
  peak=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
  printf '%5d concurrent: peak RSS %4d MB (idle %d MB); %s; %s\n' "$c" $((peak / 1024)) $((idle / 1024)) "$count" "$answered"
  kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=
done
echo "load: $(uptime)"
