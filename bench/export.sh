#!/usr/bin/env bash
# bench/export.sh — mosaic export of a large collection in every format:
# items per second and the peak RSS of the whole process, with ogr2ogr
# writing the same GeoPackage from the CSV manifest as the reference point
# for gti when GDAL is installed.
#
# Usage: bench/export.sh [ITEMS]   (default 1,000,000). Needs GNU time
# (apt-get install time). Everything happens in a temporary folder.
set -euo pipefail
items=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "bench: GNU time is missing (apt-get install time)" >&2; exit 2; }

(cd "$root" && CGO_ENABLED=0 go build -o "$work/mosaic" .)
mosaic="$work/mosaic"
echo "making a collection of $items items ..." >&2
awk -v n="$items" 'BEGIN {
  srand(42)
  print "Raster,Name,CloudCover,AcquisitionDate,SensorName,XMin,YMin,XMax,YMax,Width,Height,BandCount,PixelType,LowPS"
  for (i = 1; i <= n; i++) {
    x = 200000 + (i % 1000) * 500; y = 4000000 + int(i / 1000) * 500
    printf "/archive/s2/T%07d.tif,T%07d,%.2f,2020-%02d-%02d,Sentinel-2,%d,%d,%d,%d,1098,1098,4,U16,10\n", i, i, rand() * 100, 1 + i % 12, 1 + i % 28, x, y, x + 10980, y + 10980
  }
}' > "$work/items.csv"
"$mosaic" -c "$work/cat.db" create-image-collection scenes --srs EPSG:32632 \
  --field CloudCover:REAL --field AcquisitionDate:DATE --field SensorName:TEXT >/dev/null
"$mosaic" -c "$work/cat.db" add-image -i scenes --manifest "$work/items.csv" >/dev/null

printf '%-8s %10s %12s %10s %10s\n' format seconds items/s "peak RSS" "size"
for f in csv geojson stac gti; do
  ext=$f; [ "$f" = gti ] && ext=gti.gpkg; [ "$f" = stac ] && ext=stac.json
  /usr/bin/time -f "%e %M" -o "$work/t" "$mosaic" -c "$work/cat.db" export -i scenes --format "$f" --to "$work/out.$ext" >/dev/null
  read -r secs rss < "$work/t"
  printf '%-8s %10s %12.0f %8.0f MB %8.0f MB\n' "$f" "$secs" "$(echo "$items / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$(echo "$(stat -c %s "$work/out.$ext") / 1048576" | bc -l)"
  rm -f "$work/out.$ext"
done
if command -v ogr2ogr >/dev/null; then
  /usr/bin/time -f "%e %M" -o "$work/t" ogr2ogr -f GPKG -oo X_POSSIBLE_NAMES=XMin -oo Y_POSSIBLE_NAMES=YMin "$work/ref.gpkg" "$work/items.csv" 2>/dev/null
  read -r secs rss < "$work/t"
  printf '%-8s %10s %12.0f %8.0f MB   (reference: GDAL ogr2ogr, CSV points to GeoPackage, no R-tree options)\n' ogr2ogr "$secs" "$(echo "$items / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
fi
uptime
