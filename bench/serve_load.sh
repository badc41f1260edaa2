#!/bin/sh
# serve_load.sh: load test of `mosaic serve` as built, with concurrent
# clients polling a job's status over loopback (the way ArcGIS clients poll).
# It builds mosaic, loads a catalog from a manifest, serves it, runs one
# DeleteImage job, then runs BenchmarkStatusPolls (server/bench_test.go)
# against the served job URL, and BenchmarkQueryPages (16 clients paging the
# collection's query in order, 100 items a page) against its image service,
# and prints requests/s and latency percentiles.
#
#   bench/serve_load.sh [POLLS]        # default 20000 polls
#
# Needs: go, curl. Everything lives in a temporary folder, removed at exit.
set -eu
POLLS=${1:-20000}
PORT=${PORT:-18089}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

cd "$ROOT"
CGO_ENABLED=0 go build -o "$TMP/mosaic" .
M="$TMP/mosaic -c $TMP/catalog.db"

$M create-image-collection scenes --srs EPSG:32632 --field CloudCover:REAL >/dev/null
{
	echo "Raster,CloudCover,XMin,YMin,XMax,YMax"
	i=1
	while [ $i -le 2000 ]; do
		echo "/data/s$i.tif,$((i % 100)),$((i * 10)),0,$((i * 10 + 10)),10"
		i=$((i + 1))
	done
} >"$TMP/scenes.csv"
$M add-image -i scenes --manifest "$TMP/scenes.csv" >/dev/null

$M serve --addr 127.0.0.1:$PORT 2>"$TMP/serve.log" &
SERVER_PID=$!
BASE=http://127.0.0.1:$PORT/arcgis/rest/services/System/RasterAnalysisTools/GPServer/DeleteImage
i=0
until curl -sf "http://127.0.0.1:$PORT/arcgis/rest/info?f=json" >/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "server did not start:"; cat "$TMP/serve.log"; exit 1; }
	sleep 0.1
done

JOB=$(curl -sf "$BASE/submitJob" -d f=json -d imageCollection=scenes --data-urlencode 'where=CloudCover < 50' |
	sed -n 's/.*"jobId":"\([^"]*\)".*/\1/p')
[ -n "$JOB" ] || { echo "submitJob failed"; exit 1; }
until curl -sf "$BASE/jobs/$JOB?f=json" | grep -q '"jobStatus":"esriJobSucceeded"'; do sleep 0.1; done

echo "polling $BASE/jobs/$JOB?f=json $POLLS times (access log: one line per request)"
MOSAIC_LOAD_URL="$BASE/jobs/$JOB?f=json" go test ./server/ -run '^$' -bench BenchmarkStatusPolls -benchtime "${POLLS}x" -count 1
echo "paging http://127.0.0.1:$PORT/arcgis/rest/services/Hosted/scenes/ImageServer/query $((POLLS / 4)) times"
MOSAIC_QUERY_URL="http://127.0.0.1:$PORT/arcgis/rest/services/Hosted/scenes/ImageServer" go test ./server/ -run '^$' -bench BenchmarkQueryPages -benchtime "$((POLLS / 4))x" -count 1
echo "access log lines: $(grep -c ' GET /arcgis/' "$TMP/serve.log")"
