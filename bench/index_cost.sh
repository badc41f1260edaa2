#!/usr/bin/env bash
# bench/index_cost.sh — what an index on a user field costs DeleteImage: the same
# 1,000,000-item catalog with and without an index on AcquisitionDate, three
# rounds each, and what it would save the time extent of the service info.
# Needs: go, sqlite3, GNU time. Everything happens in a temporary folder.
set -euo pipefail
w=$(mktemp -d); trap 'rm -rf $w' EXIT
cd "$(dirname "$0")/.." && CGO_ENABLED=0 go build -o $w/mosaic .
awk -v n=1000000 'BEGIN { srand(42); print "Raster,Name,CloudCover,AcquisitionDate,SensorName,XMin,YMin,XMax,YMax"
  for (i = 1; i <= n; i++) { x = (i % 1000) * 10000; y = int(i / 1000) * 10000
  printf "/a/T%08d.tif,T%08d,%.2f,2020-%02d-%02d,Sentinel-2,%d,%d,%d,%d\n", i, i, rand() * 100, 1 + i % 12, 1 + i % 28, x, y, x + 10980, y + 10980 } }' > $w/i.csv
$w/mosaic -c $w/base.db create-image-collection scenes --srs EPSG:32632 --field CloudCover:REAL --field AcquisitionDate:DATE --field SensorName:TEXT >/dev/null
$w/mosaic -c $w/base.db add-image -i scenes --manifest $w/i.csv >/dev/null
sqlite3 $w/base.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
for r in 1 2 3; do
  cp $w/base.db $w/a.db; cp $w/base.db $w/b.db
  sqlite3 $w/b.db "CREATE INDEX items_1_date ON items_1 (AcquisitionDate); PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  /usr/bin/time -f "%e" -o $w/ta $w/mosaic -c $w/a.db delete-image -i scenes --where "CloudCover > 50" >/dev/null
  /usr/bin/time -f "%e" -o $w/tb $w/mosaic -c $w/b.db delete-image -i scenes --where "CloudCover > 50" >/dev/null
  echo "round $r: no index $(cat $w/ta) s, with an index on AcquisitionDate $(cat $w/tb) s"
done
# min/max with the index
cp $w/base.db $w/c.db; sqlite3 $w/c.db "CREATE INDEX items_1_date ON items_1 (AcquisitionDate);"
/usr/bin/time -f "%e" -o $w/t sqlite3 $w/base.db "SELECT min(AcquisitionDate), max(AcquisitionDate) FROM items_1" >/dev/null; echo "time extent without index: $(cat $w/t) s"
/usr/bin/time -f "%e" -o $w/t sqlite3 $w/c.db "SELECT min(AcquisitionDate), max(AcquisitionDate) FROM items_1" >/dev/null; echo "time extent with index: $(cat $w/t) s"
uptime
