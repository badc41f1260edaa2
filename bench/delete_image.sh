#!/usr/bin/env bash
# bench/delete_image.sh — DeleteImage and jobs purge against the C sqlite3
# CLI's bare DELETE.
#
# Builds a collection of N items (default 1,000,000) with add-image
# --manifest, then for each fraction deleted — 1%, 10% and 50%
# (CloudCover > 99, > 90, > 50) — times on identical copies, ROUNDS times
# (default 3), alternating:
#   sqlite3: the C sqlite3 CLI's bare  DELETE FROM items_1 WHERE …
#   mosaic:  the whole  mosaic delete-image -i scenes --where …  process
#            (job record, undo log, batches or swap, boundary, close)
#   go_bare: the same bare DELETE through modernc.org/sqlite, the pure Go
#            SQLite mosaic must use (bench/sqlexec): the engine's share.
# and prints the medians, mosaic's ratio to sqlite3, its peak RSS and how
# it removed (rows or swap).
#
# Then, on the catalog mosaic left after deleting 50%:
#   purge: mosaic jobs purge --older-than 0 (drops the 50% undo log, keeps
#          the list of removed items, returns the space), timed ROUNDS
#          times, against the same sqlite3 bare DELETE of those rows;
#   size:  the file after the purge against a fresh catalog holding the
#          items that remain (add-image --manifest of them).
#
# The machine's load (uptime) is printed at the start and the end: on a
# shared machine, repeat when it is quiet. Needs sqlite3 and GNU time,
# installed with apt-get when missing. Everything happens in a temporary
# folder.
#
# Usage: bench/delete_image.sh [ITEMS] [ROUNDS]
set -euo pipefail
items=${1:-1000000}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing ${need[*]} ..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >&2 && apt-get install -y -qq "${need[@]}" >&2
  else sudo apt-get update -qq >&2 && sudo apt-get install -y -qq "${need[@]}" >&2; fi
fi

echo "load at start: $(uptime)"
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
create() { "$mosaic" -c "$1" create-image-collection scenes --srs EPSG:32632 \
  --field CloudCover:REAL --field AcquisitionDate:DATE --field SensorName:TEXT >/dev/null; }
create "$work/base.db"
/usr/bin/time -f "%e" -o "$work/load.time" "$mosaic" -c "$work/base.db" add-image -i scenes --manifest "$work/items.csv" >/dev/null
sqlite3 "$work/base.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
echo "loaded $items items in $(cat "$work/load.time")s ($(awk -v n="$items" -v t="$(cat "$work/load.time")" 'BEGIN{printf "%.0f", n/t}') rows/s, whole add-image process)"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
fresh() { cp "$work/base.db" "$1"; rm -f "$1-wal" "$1-shm"; }

for spec in "1%:CloudCover > 99" "10%:CloudCover > 90" "50%:CloudCover > 50"; do
  frac=${spec%%:*}; where=${spec#*:}
  : > "$work/c.times"; : > "$work/m.times"; : > "$work/m.rss"; : > "$work/g.times"
  matching=$(sqlite3 "$work/base.db" "SELECT count(*) FROM items_1 WHERE $where")
  for r in $(seq "$rounds"); do
    fresh "$work/a.db"; fresh "$work/b.db"; fresh "$work/g.db"; sync
    /usr/bin/time -f "%e" -o "$work/t" sqlite3 "$work/a.db" "DELETE FROM items_1 WHERE $where;"
    cat "$work/t" >> "$work/c.times"
    /usr/bin/time -f "%e %M" -o "$work/t" "$mosaic" -c "$work/b.db" delete-image -i scenes --where "$where" -f text > "$work/job.txt"
    read -r secs rss < "$work/t"; echo "$secs" >> "$work/m.times"; echo "$rss" >> "$work/m.rss"
    grep -q esriJobSucceeded "$work/job.txt" || { echo "bench: the job did not succeed" >&2; cat "$work/job.txt" >&2; exit 1; }
    "$work/sqlexec" "$work/g.db" "DELETE FROM items_1 WHERE $where" >> "$work/g.times"
    left_a=$(sqlite3 "$work/a.db" "SELECT count(*) FROM items_1"); left_b=$(sqlite3 "$work/b.db" "SELECT count(*) FROM items_1")
    [ "$left_a" = "$left_b" ] || { echo "bench: results differ: sqlite3 left $left_a items, mosaic $left_b" >&2; exit 1; }
    echo "  $frac round $r: sqlite3 $(tail -1 "$work/c.times")s, mosaic ${secs}s (peak RSS $((rss / 1024)) MB), go bare $(tail -1 "$work/g.times")s" >&2
  done
  strategy=$(grep -o 'in batches\|at once' "$work/job.txt" | sed 's/in batches/rows/; s/at once/swap/')
  c=$(median < "$work/c.times"); m=$(median < "$work/m.times"); g=$(median < "$work/g.times"); rss=$(sort -n "$work/m.rss" | tail -1)
  printf 'deleted=%-4s items=%d removed=%d sqlite3_delete_s=%s mosaic_delete_image_s=%s ratio=%s mosaic_peak_rss_mb=%d strategy=%s go_bare_s=%s (%sx sqlite3)\n' \
    "$frac" "$items" "$matching" "$c" "$m" "$(ratio "$m" "$c")" "$((rss / 1024))" "$strategy" "$g" "$(ratio "$g" "$c")"
  [ "$frac" = 50% ] && { cp "$work/b.db" "$work/deleted.db"; c50=$c; removed50=$matching; }
done

# Purge the 50% undo log, and the size that is left.
: > "$work/p.times"; : > "$work/p.rss"
for r in $(seq "$rounds"); do
  cp "$work/deleted.db" "$work/p.db"; rm -f "$work/p.db-wal" "$work/p.db-shm"; sync
  /usr/bin/time -f "%e %M" -o "$work/t" "$mosaic" -c "$work/p.db" jobs purge --older-than 0 -f text > "$work/purge.txt"
  read -r secs rss < "$work/t"; echo "$secs" >> "$work/p.times"; echo "$rss" >> "$work/p.rss"
  echo "  purge round $r: ${secs}s (peak RSS $((rss / 1024)) MB): $(head -1 "$work/purge.txt")" >&2
done
p=$(median < "$work/p.times"); prss=$(sort -n "$work/p.rss" | tail -1)
printf 'purge: removed=%d mosaic_jobs_purge_s=%s ratio=%s (against sqlite3_delete_s=%s of those rows) peak_rss_mb=%d\n' \
  "$removed50" "$p" "$(ratio "$p" "$c50")" "$c50" "$((prss / 1024))"
awk -F, 'NR == 1 || $3 <= 50' "$work/items.csv" > "$work/kept.csv"
create "$work/kept.db"
"$mosaic" -c "$work/kept.db" add-image -i scenes --manifest "$work/kept.csv" >/dev/null
"$mosaic" -c "$work/p.db" check >/dev/null || { echo "bench: mosaic check fails after the purge" >&2; exit 1; }
purged=$(stat -c %s "$work/p.db"); kept=$(stat -c %s "$work/kept.db")
printf 'size: after_delete_50%%_and_purge_mb=%.1f fresh_catalog_of_the_items_left_mb=%.1f ratio=%s\n' \
  "$(awk -v b="$purged" 'BEGIN{print b/1048576}')" "$(awk -v b="$kept" 'BEGIN{print b/1048576}')" "$(ratio "$purged" "$kept")"
echo "load at end: $(uptime)"
