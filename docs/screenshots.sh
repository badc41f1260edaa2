#!/usr/bin/env bash
# docs/screenshots.sh — renders mosaic's pictures in headless Chromium, so
# that a person can look at them, and checks that none is blank.
#
#   bash docs/screenshots.sh            # into a temporary folder, then checked
#   bash docs/screenshots.sh --update   # into docs/, to commit
#
# Installs Debian's chromium when it is missing (as .ci/run does); mosaic
# itself needs none of it. Pictures: a listing (list-images -f svg), a dry
# run (delete-image --dry-run -f html), and the query page (a where clause
# and an envelope) and a DeleteImage job's page of `mosaic serve`, of a
# sample collection built from testdata/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
out=$work/shots
[ "${1:-}" = "--update" ] && out=$root/docs
mkdir -p "$out"

if ! command -v chromium >/dev/null; then
  echo "installing chromium ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
fi
(cd "$root" && CGO_ENABLED=0 go build -o "$work/mosaic" .)
m() { "$work/mosaic" -c "$work/cat.db" "$@"; }

m create-image-collection scenes --srs EPSG:32632 --field CloudCover:REAL --field AcquisitionDate:DATE >/dev/null
m add-image -i scenes "$root/testdata/geotiff/sample" --attr CloudCover=12 --attr AcquisitionDate=2020-01-15 >/dev/null
awk 'BEGIN {
  srand(7); print "Raster,Name,CloudCover,AcquisitionDate,XMin,YMin,XMax,YMax"
  for (i = 0; i < 60; i++) {
    x = 396000 + (i % 10) * 1100 + int(rand() * 300); y = 4490000 + int(i / 10) * 1100 + int(rand() * 300)
    printf "/archive/t%02d.tif,t%02d,%d,2020-%02d-01,%d,%d,%d,%d\n", i, i, int(rand() * 100), 1 + i % 12, x, y, x + 1500, y + 1500
  }
}' | m add-image -i scenes --manifest - >/dev/null

m list-images -i scenes -f svg >"$work/listing.svg"
m delete-image -i scenes --where "CloudCover > 70" --dry-run -f html >"$work/dryrun.html"
# A real removal, for the job's page (the query page shows what stays).
job=$(m delete-image -i scenes --where "CloudCover > 85" | sed -n 's/^ *"jobId": "\(j[0-9a-f]*\)".*/\1/p')
[ -n "$job" ] || { echo "delete-image printed no job id"; exit 1; }

shot() { # shot FILE PNG WIDTH HEIGHT
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size="$3,$4" --screenshot="$2" "$(case $1 in http*) echo "$1" ;; *) echo "file://$1" ;; esac)" >/dev/null 2>&1
}
shot "$work/listing.svg" "$out/listing.png" 1040 900
shot "$work/dryrun.html" "$out/dryrun.png" 1100 1250

# The server's query page, on loopback (a free port: the log names it).
# The binary itself, not the m function: $! must be the server, for the trap.
"$work/mosaic" -c "$work/cat.db" serve --addr 127.0.0.1:0 >/dev/null 2>"$work/serve.log" &
server=$!
base=
for _ in $(seq 100); do
  base=$(sed -n 's/.* at \(http:\/\/127\.0\.0\.1:[0-9]*\)\/arcgis\/rest\/services .*/\1/p' "$work/serve.log")
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "mosaic serve did not start:"; cat "$work/serve.log"; exit 1; }
query="$base/arcgis/rest/services/Hosted/scenes/ImageServer/query?where=CloudCover+%3C+50&geometry=396000,4490000,403000,4494000&outFields=OBJECTID,Name,CloudCover&returnGeometry=false&resultRecordCount=5"
shot "$query" "$out/query.png" 1000 1900
shot "$base/arcgis/rest/services/System/RasterAnalysisTools/GPServer/DeleteImage/jobs/$job?f=html" "$out/job.png" 1000 1000
pages=("$out/listing.png" "$out/dryrun.png" "$out/query.png" "$out/job.png")

# Not blank: a blank page decodes to a handful of distinct byte values.
for png in "${pages[@]}"; do
  python3 - "$png" <<'PY'
import sys, zlib, struct
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
distinct = len(set(zlib.decompress(idat)))
if distinct < 32:
    sys.exit(f"{sys.argv[1]}: blank ({distinct} distinct byte values)")
print(f"{sys.argv[1]}: {distinct} distinct byte values")
PY
done
