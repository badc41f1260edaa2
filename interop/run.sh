#!/usr/bin/env bash
# interop/run.sh — real ArcGIS clients against `mosaic serve`, on loopback.
#
# Installs its clients when they are missing (the npm packages of
# package-lock.json into interop/node_modules; gdal-bin and chromium from
# Debian), builds mosaic, builds a fixture catalog, serves it on 127.0.0.1
# and drives it with:
#   rest.mjs     @esri/arcgis-rest-request (jobs: submit, poll, results,
#                cancel of a submitted job) and @esri/arcgis-rest-feature-service
#                (queryAllFeatures pages through a collection);
#   ogrinfo, ogr2ogr  GDAL's ESRIJSON driver paging through a query;
#   browser.mjs  the ArcGIS Maps SDK (@arcgis/core) in headless Chromium,
#                driven by playwright-core: an ImageryLayer loads and its
#                queries answer, same-origin and cross-origin (--cors-origin),
#                and a page from an origin not listed is refused. The SDK is
#                served from node_modules; every request off loopback is
#                blocked, so nothing reaches the internet.
# Exit status 0 when every client got what it should. Nothing touches the
# network except loopback and the package registries (installs only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
# pids are the processes this script started in the background; each is
# stopped by its own id at exit.
trap cleanup EXIT
say() { printf '\n== interop: %s\n' "$*"; }

say "clients"
missing=()
command -v ogr2ogr >/dev/null || missing+=(gdal-bin)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! (cd "$here" && node -e "const fs = require('fs'); for (const p of Object.keys(require('./package.json').dependencies)) if (!fs.existsSync('node_modules/' + p + '/package.json')) process.exit(1)"); then
  echo "installing the npm clients (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
node --version; ogr2ogr --version; chromium --version 2>/dev/null | head -1

say "mosaic and its fixture catalog"
(cd "$root" && CGO_ENABLED=0 go build -o "$work/mosaic" .)
m() { "$work/mosaic" -c "$work/catalog.db" "$@"; }
m create-image-collection scenes --srs EPSG:32632 --field CloudCover:REAL --field AcquisitionDate:DATE --field SensorName:TEXT >/dev/null
awk -v n=2506 'BEGIN {
  print "Raster,Name,CloudCover,AcquisitionDate,SensorName,XMin,YMin,XMax,YMax"
  for (i = 1; i <= n; i++) {
    x = 300000 + (i % 50) * 10000; y = 4500000 + int(i / 50) * 10000
    printf "/archive/s2/T%05d.tif,T%05d,%d,2020-%02d-%02d,%s,%d,%d,%d,%d\n", i, i, (i * 37) % 100, 1 + i % 12, 1 + i % 28, (i % 3 ? "Sentinel-2" : "Landsat-8"), x, y, x + 10980, y + 10980
  }
}' > "$work/scenes.csv"
m add-image -i scenes --manifest "$work/scenes.csv" >/dev/null
m create-image-collection tiffs --field AcquisitionDate:DATE >/dev/null
m add-image -i tiffs "$root/testdata/geotiff/4band-u8-32632.tif" "$root/testdata/geotiff/le-strips-u8-32632.tif" --attr AcquisitionDate=2021-06-01 >/dev/null
m create-image-collection big --srs EPSG:32632 --field CloudCover:REAL >/dev/null
awk -v n=200000 'BEGIN { print "Raster,CloudCover,XMin,YMin,XMax,YMax"; for (i = 1; i <= n; i++) printf "/b/%d.tif,%d,%d,0,%d,10\n", i, i % 100, i * 10, i * 10 + 10 }' > "$work/big.csv"
m add-image -i big --manifest "$work/big.csv" >/dev/null

say "serving"
# The page server (browser.mjs) listens on two more ports: ALLOWED is
# listed with --cors-origin, the other is not.
read -r allowed_port <<<"$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
# The binary itself (not the m function, whose $! would be a subshell), its
# output in files: the server must not outlive the suite nor hold its stdout.
MOSAIC_BATCH_SIZE=100 "$work/mosaic" -c "$work/catalog.db" serve --addr 127.0.0.1:0 --cors-origin "http://127.0.0.1:$allowed_port" >"$work/serve.out" 2>"$work/serve.log" &
pids+=($!)
for _ in $(seq 100); do
  base=$(sed -n 's/.* at \(http:\/\/127\.0\.0\.1:[0-9]*\)\/arcgis\/rest\/services .*/\1/p' "$work/serve.log")
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "mosaic serve did not start:"; cat "$work/serve.log"; exit 1; }
echo "mosaic serve at $base"
export MOSAIC_URL=$base ALLOWED_PORT=$allowed_port MOSAIC_BIN=$work/mosaic MOSAIC_CATALOG=$work/catalog.db
fail=0

say "@esri/arcgis-rest-request and @esri/arcgis-rest-feature-service"
node "$here/rest.mjs" || fail=1

say "GDAL (ESRIJSON driver)"
want=$(curl -sf "$base/arcgis/rest/services/Hosted/scenes/ImageServer/query?f=json&where=1%3D1&returnCountOnly=true" | sed 's/.*"count":\([0-9]*\).*/\1/')
q="$base/arcgis/rest/services/Hosted/scenes/ImageServer/query?f=json&where=1%3D1&outFields=*&resultRecordCount=1000"
info=$(ogrinfo -ro -so -al "ESRIJSON:$q" 2>&1) || { echo "$info"; fail=1; }
echo "$info" | grep -E 'Feature Count|^Name:|^SensorName:' || true
if ! grep -q "Feature Count: $want\$" <<<"$info"; then echo "FAIL ogrinfo: expected $want features (paging)"; fail=1; fi
if ! grep -Eq '^Name: String \(255\.0\)' <<<"$info"; then echo "FAIL ogrinfo: Name should be String(255) from the field length"; fail=1; fi
ogr2ogr -f CSV "$work/scenes_out.csv" "ESRIJSON:$q" 2>"$work/ogr2ogr.err" || { cat "$work/ogr2ogr.err"; fail=1; }
rows=$(($(wc -l < "$work/scenes_out.csv") - 1))
echo "ogr2ogr wrote $rows rows"
[ "$rows" -eq "$want" ] || { echo "FAIL ogr2ogr: $rows rows, want $want"; fail=1; }
hits=$(grep -c 'GET /arcgis/rest/services/Hosted/scenes/ImageServer/query' "$work/serve.log" || true)
echo "query requests GDAL made: $hits"

say "ArcGIS Maps SDK (@arcgis/core) in headless Chromium"
node "$here/browser.mjs" || fail=1

if [ "$fail" -ne 0 ]; then
  say "FAILED (server log: last lines)"
  tail -20 "$work/serve.log"
  exit 1
fi
say "all clients passed"
