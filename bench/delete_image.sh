#!/usr/bin/env bash
# bench/delete_image.sh — DeleteImage against the bare SQL DELETE.
#
# Builds a collection of N items (default 1,000,000) with add-image
# --manifest, copies the catalog twice, then times, on identical copies:
#   baseline: the C sqlite3 CLI running the bare  DELETE FROM items_1 WHERE CloudCover > 50
#   mosaic:   the whole  mosaic delete-image -i scenes --where "CloudCover > 50"
#             process (job record, snapshot, undo log, batches, boundary)
# ROUNDS times each, alternating, and prints the medians, the ratio and
# mosaic's peak RSS. Two reference points explain the ratio:
#   go_bare:    the same bare DELETE through modernc.org/sqlite, the pure Go
#               SQLite mosaic must use (bench/sqlexec) — the engine's share;
#   c_mosaic:   the C sqlite3 CLI running the statements DeleteImage runs
#               (copy the matching rows to an undo table, delete them by
#               OBJECTID) — the design's share, without job bookkeeping. Needs: sqlite3 (apt-get install sqlite3), GNU time
# (apt-get install time). Everything happens in a temporary folder.
#
# Usage: bench/delete_image.sh [ITEMS] [ROUNDS]
set -euo pipefail
items=${1:-1000000}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install sqlite3 time)" >&2; exit 2; }
done

(cd "$root" && CGO_ENABLED=0 go build -o "$work/mosaic" . && CGO_ENABLED=0 go build -o "$work/sqlexec" ./bench/sqlexec)
mosaic="$work/mosaic"

echo "making a collection of $items items ..." >&2
awk -v n="$items" 'BEGIN {
  srand(42)
  print "Raster,Name,CloudCover,AcquisitionDate,SensorName,XMin,YMin,XMax,YMax"
  for (i = 1; i <= n; i++) {
    x = (i % 1000) * 10000; y = int(i / 1000) * 10000
    printf "/archive/s2/T%07d.tif,T%07d,%.2f,2020-%02d-%02d,Sentinel-2,%d,%d,%d,%d\n", i, i, rand() * 100, 1 + i % 12, 1 + i % 28, x, y, x + 10980, y + 10980
  }
}' > "$work/items.csv"
"$mosaic" -c "$work/base.db" create-image-collection scenes --srs EPSG:32632 \
  --field CloudCover:REAL --field AcquisitionDate:DATE --field SensorName:TEXT >/dev/null
/usr/bin/time -f "%e" -o "$work/load.time" "$mosaic" -c "$work/base.db" add-image -i scenes --manifest "$work/items.csv" >/dev/null
sqlite3 "$work/base.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
matching=$(sqlite3 "$work/base.db" "SELECT count(*) FROM items_1 WHERE CloudCover > 50")
echo "loaded $items items in $(cat "$work/load.time")s ($(awk -v n="$items" -v t="$(cat "$work/load.time")" 'BEGIN{printf "%.0f", n/t}') rows/s, whole add-image process); $matching match CloudCover > 50" >&2

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: > "$work/base.times"; : > "$work/mosaic.times"; : > "$work/mosaic.rss"; : > "$work/gobare.times"; : > "$work/cmosaic.times"
undo_ddl=$(sqlite3 "$work/base.db" ".schema items_1" | grep -v "CREATE INDEX" | sed 's/items_1/undo_x/; s/AUTOINCREMENT//' | tr '\n' ' ' | sed 's/; *$//')
for r in $(seq "$rounds"); do
  cp "$work/base.db" "$work/a.db"; cp "$work/base.db" "$work/b.db"; cp "$work/base.db" "$work/c.db"; cp "$work/base.db" "$work/d.db"; sync
  "$work/sqlexec" "$work/c.db" "DELETE FROM items_1 WHERE CloudCover > 50" >> "$work/gobare.times"
  /usr/bin/time -f "%e" -o "$work/t" sqlite3 "$work/d.db" "BEGIN; $undo_ddl; INSERT INTO undo_x SELECT * FROM items_1 WHERE CloudCover > 50; COMMIT; DELETE FROM items_1 WHERE OBJECTID IN (SELECT OBJECTID FROM undo_x);"
  cat "$work/t" >> "$work/cmosaic.times"
  /usr/bin/time -f "%e" -o "$work/t" sqlite3 "$work/a.db" "DELETE FROM items_1 WHERE CloudCover > 50;"
  cat "$work/t" >> "$work/base.times"
  /usr/bin/time -f "%e %M" -o "$work/t" "$mosaic" -c "$work/b.db" delete-image -i scenes --where "CloudCover > 50" > "$work/job.json"
  read -r secs rss < "$work/t"; echo "$secs" >> "$work/mosaic.times"; echo "$rss" >> "$work/mosaic.rss"
  grep -q esriJobSucceeded "$work/job.json" || { echo "bench: the job did not succeed" >&2; cat "$work/job.json" >&2; exit 1; }
  left_a=$(sqlite3 "$work/a.db" "SELECT count(*) FROM items_1"); left_b=$(sqlite3 "$work/b.db" "SELECT count(*) FROM items_1")
  [ "$left_a" = "$left_b" ] || { echo "bench: results differ: sqlite3 left $left_a items, mosaic $left_b" >&2; exit 1; }
  echo "round $r: sqlite3 $(cat "$work/t" >/dev/null; tail -1 "$work/base.times")s, mosaic ${secs}s (peak RSS $((rss / 1024)) MB)" >&2
done
b=$(median < "$work/base.times"); m=$(median < "$work/mosaic.times"); rss=$(sort -n "$work/mosaic.rss" | tail -1)
g=$(median < "$work/gobare.times"); cm=$(median < "$work/cmosaic.times")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf 'items=%d deleted=%d sqlite3_delete_s=%s mosaic_delete_image_s=%s ratio=%s mosaic_peak_rss_mb=%d\n' \
  "$items" "$matching" "$b" "$m" "$(ratio "$m" "$b")" "$((rss / 1024))"
printf 'reference: go_bare_delete_s=%s (%sx sqlite3) c_sqlite3_copy_then_delete_s=%s (%sx sqlite3)\n' \
  "$g" "$(ratio "$g" "$b")" "$cm" "$(ratio "$cm" "$b")"
