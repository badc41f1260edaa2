#!/usr/bin/env bash
# testdata/demo.sh — DeleteImage end to end on the sample collection.
#
# Builds mosaic, makes a catalog in a temporary folder, creates the image
# collection "scenes" from the six GeoTIFFs in testdata/geotiff/sample (each
# with its own CloudCover and acquisition date), then deletes the cloudy
# ones with DeleteImage, shows the job and its results, undoes it, and
# checks that no source file changed. Needs only Go.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MOSAIC_CATALOG="$work/demo.db"

(cd "$root" && CGO_ENABLED=0 go build -o "$work/mosaic" .)
mosaic() { "$work/mosaic" "$@"; }
say() { printf '\n\033[1m$ mosaic %s\033[0m\n' "$*" >&2; }
run() { say "$@"; mosaic "$@"; }

sample="$root/testdata/geotiff/sample"
sha256sum "$sample"/*.tif > "$work/sources.sha256"

run create-image-collection scenes --srs EPSG:32632 \
  --field CloudCover:REAL --field AcquisitionDate:DATE --field SensorName:TEXT -f table
cloud=(12 64 3 88 41 57)
i=0
for tif in "$sample"/T32TMK_*.tif; do
  date=$(basename "$tif" .tif); date=${date#T32TMK_}
  mosaic add-image -i scenes "$tif" --attr SensorName=Sentinel-2 \
    --attr CloudCover="${cloud[$i]}" --attr AcquisitionDate="${date:0:4}-${date:4:2}-${date:6:2}" >/dev/null
  i=$((i + 1))
done
run list-images -i scenes -f table --fields OBJECTID,Name,CloudCover,AcquisitionDate,Width,Height,PixelType
run list-collections -f table
run delete-image -i scenes --where "CloudCover > 50" --dry-run -f text
say delete-image -i scenes --where "CloudCover > 50"
job=$(mosaic delete-image -i scenes --where "CloudCover > 50" | tee /dev/stderr | sed -n 's/.*"jobId": "\(j[0-9a-f]*\)".*/\1/p')
run jobs result "$job"
run jobs result "$job" removedItems
run list-images -i scenes -f table --fields OBJECTID,Name,CloudCover
run list-collections -f table
run jobs undo "$job" -f text
run list-images -i scenes -f table --fields OBJECTID,Name,CloudCover
run jobs list -f table

sha256sum --quiet -c "$work/sources.sha256" && echo >&2 && echo "demo: all $(wc -l < "$work/sources.sha256") source files are byte-identical" >&2
