#!/usr/bin/env bash
# bench/scale.sh — what a request and a batch cost as a collection grows.
#
# For each size (default 1k, 100k, 1M and 3M items) it builds a catalog with
# one collection (add-image --manifest), serves it, and times over loopback:
#   info      ImageServer?f=json (the service info)
#   page1     query where=1=1&resultRecordCount=1000 (the first page)
#   page99    the page at 99% depth (resultOffset), as a client paging in
#             order reaches it (the page before it was asked first), and
#             cold (the first request of that depth after the server started)
#   count     query returnCountOnly=true
# each first request after the server started ("cold") and the median of 5
# more ("warm"); then, as processes: list-images --limit 1000, list-collections,
# delete-image of ~50% (CloudCover > 50), and the import rate, with peak RSS.
# It prints one table, and `uptime` before and after (the machine is shared:
# compare figures of one run, as ratios).
#
#   bench/scale.sh [SIZE ...]        # default: 1000 100000 1000000 3000000
#   bench/scale.sh --huge            # also 10,000,000 end to end: import, list
#                                    # streaming, query paging, delete 50%,
#                                    # undo, delete 50% again and purge its undo log
#
# Needs: go, curl, GNU time (apt-get install time). Everything lives in a
# temporary folder, removed at exit. Not part of .ci/run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
huge=0
sizes=()
for a in "$@"; do
  case $a in
  --huge) huge=1 ;;
  *) sizes+=("$a") ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000 1000000 3000000)
command -v /usr/bin/time >/dev/null || { echo "bench: GNU time is missing (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$work/mosaic" .)
mosaic=$work/mosaic
echo "load before: $(uptime)" >&2

manifest() { # N FILE
  awk -v n="$1" 'BEGIN {
    srand(42)
    print "Raster,Name,CloudCover,AcquisitionDate,SensorName,XMin,YMin,XMax,YMax"
    for (i = 1; i <= n; i++) {
      x = (i % 1000) * 10000; y = int(i / 1000) * 10000
      printf "/archive/s2/T%08d.tif,T%08d,%.2f,2020-%02d-%02d,Sentinel-2,%d,%d,%d,%d\n", i, i, rand() * 100, 1 + i % 12, 1 + i % 28, x, y, x + 10980, y + 10980
    }
  }' >"$2"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ms() { awk '{printf "%.1f", $1 * 1000}'; }
get() { curl -sf -o /dev/null -w '%{time_total}\n' "$1"; }

start_server() { # DB
  local port
  port=$(( 20000 + RANDOM % 20000 ))
  "$mosaic" -c "$1" serve --addr "127.0.0.1:$port" >/dev/null 2>"$work/serve.log" &
  server=$!
  base="http://127.0.0.1:$port/arcgis/rest/services/Hosted/scenes/ImageServer"
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/arcgis/rest/info?f=json" >/dev/null && return 0; sleep 0.1; done
  echo "bench: server did not start" >&2; cat "$work/serve.log" >&2; exit 1
}
stop_server() {
  server_rss=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server/status")
  kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=
}

rows=()
for n in "${sizes[@]}"; do
  echo "== $n items" >&2
  db=$work/s$n.db
  manifest "$n" "$work/items.csv"
  "$mosaic" -c "$db" create-image-collection scenes --srs EPSG:32632 --field CloudCover:REAL --field AcquisitionDate:DATE --field SensorName:TEXT >/dev/null
  /usr/bin/time -f "%e %M" -o "$work/t" "$mosaic" -c "$db" add-image -i scenes --manifest "$work/items.csv" >/dev/null
  read -r isecs irss <"$work/t"
  rate=$(awk -v n="$n" -v t="$isecs" 'BEGIN {printf "%.0f", n / (t > 0 ? t : 0.01)}')
  rm -f "$work/items.csv"

  start_server "$db"
  q="$base/query?f=json&where=1%3D1&outFields=*&resultRecordCount=1000"
  deep=$(( n * 99 / 100 / 1000 * 1000 ))
  info_cold=$(get "$base?f=json" | ms)
  info_warm=$(for _ in 1 2 3 4 5; do get "$base?f=json"; done | median | ms)
  page1=$(for _ in 1 2 3 4 5; do get "$q"; done | median | ms)
  page99_cold=$(get "$q&resultOffset=$deep" | ms)
  # In order, as clients page: the page before, then the measured one.
  for _ in 1 2 3 4 5; do get "$q&resultOffset=$(( deep > 1000 ? deep - 1000 : 0 ))" >/dev/null; get "$q&resultOffset=$deep"; done >"$work/p99"
  page99=$(median <"$work/p99" | ms)
  after_last=$(get "$q&resultOffset=$(( n + 1000 ))" | ms)
  count_cold=$(get "$base/query?f=json&where=1%3D1&returnCountOnly=true" | ms)
  count_warm=$(for _ in 1 2 3 4 5; do get "$base/query?f=json&where=1%3D1&returnCountOnly=true"; done | median | ms)
  wcount=$(get "$base/query?f=json&where=CloudCover%3E50&returnCountOnly=true" | ms)
  stop_server

  /usr/bin/time -f "%e %M" -o "$work/t" "$mosaic" -c "$db" list-images -i scenes --limit 1000 >/dev/null
  read -r lsecs lrss <"$work/t"
  /usr/bin/time -f "%e %M" -o "$work/t" "$mosaic" -c "$db" list-collections >/dev/null
  read -r csecs _ <"$work/t"
  /usr/bin/time -f "%e %M" -o "$work/t" "$mosaic" -c "$db" delete-image -i scenes --where "CloudCover > 50" >/dev/null
  read -r dsecs drss <"$work/t"
  rows+=("$(printf '| %s | %s / %s | %s | %s / %s | %s | %s / %s | %s | %.0f | %.0f | %.2f s, %d MB | %s/s, %d MB | %d MB |' \
    "$n" "$info_cold" "$info_warm" "$page1" "$page99_cold" "$page99" "$after_last" "$count_cold" "$count_warm" "$wcount" \
    "$(echo "$lsecs" | ms)" "$(echo "$csecs" | ms)" "$dsecs" $((drss / 1024)) "$rate" $((irss / 1024)) "$server_rss")")
  rm -f "$db" "$db-wal" "$db-shm"
done

echo "load after: $(uptime)" >&2
echo
echo "| items | info cold / warm (ms) | first page (ms) | page at 99% cold / in order (ms) | page after the last (ms) | count cold / warm (ms) | count where CloudCover > 50 (ms) | list-images --limit 1000 (ms) | list-collections (ms) | delete-image 50% | import rate, peak RSS | serve peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do echo "$r"; done

if [ "$huge" -eq 1 ]; then
  n=10000000
  db=$work/huge.db
  echo "== huge: $n items end to end" >&2
  manifest "$n" "$work/items.csv"
  "$mosaic" -c "$db" create-image-collection scenes --srs EPSG:32632 --field CloudCover:REAL --field AcquisitionDate:DATE --field SensorName:TEXT >/dev/null
  step() { # LABEL CMD...
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >"$work/out" 2>"$work/err" || { echo "| $label | FAILED: $(tail -1 "$work/err") | |"; return 0; }
    read -r s r <"$work/t"
    echo "| $label | $s s | $((r / 1024)) MB |"
  }
  echo
  echo "| 10M step | time | peak RSS |"
  echo "|---|---|---|"
  step "import (add-image --manifest)" "$mosaic" -c "$db" add-image -i scenes --manifest "$work/items.csv"
  rm -f "$work/items.csv"
  step "list-images -f csv, all (streaming)" "$mosaic" -c "$db" list-images -i scenes -f csv --no-geometry
  start_server "$db"
  t0=$(date +%s.%N)
  pages=0
  for off in $(seq 0 1000 199000); do curl -sf -o /dev/null "$base/query?f=json&where=1%3D1&outFields=OBJECTID,Name&returnGeometry=false&resultRecordCount=1000&resultOffset=$off"; pages=$((pages + 1)); done
  t1=$(date +%s.%N)
  echo "| query paging: first $pages pages of 1000, in order | $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s ($(awk -v a="$t0" -v b="$t1" -v p="$pages" 'BEGIN {printf "%.1f", (b - a) * 1000 / p}') ms a page) | |"
  echo "| query: page at 99%, cold | $(get "$base/query?f=json&where=1%3D1&resultRecordCount=1000&resultOffset=9900000" | ms) ms | |"
  echo "| query: page at 99%, in order | $(get "$base/query?f=json&where=1%3D1&resultRecordCount=1000&resultOffset=9901000" | ms) ms | |"
  stop_server
  echo "| serve | | $server_rss MB |"
  step "delete-image 50% (CloudCover > 50)" "$mosaic" -c "$db" delete-image -i scenes --where "CloudCover > 50"
  job=$(sed -n 's/.*"jobId": *"\(j[0-9a-f]*\)".*/\1/p' "$work/out" | head -1)
  step "jobs undo" "$mosaic" -c "$db" jobs undo "$job"
  # Purge drops an undo log for good: remove the half again, then purge it.
  step "delete-image 50% again" "$mosaic" -c "$db" delete-image -i scenes --where "CloudCover > 50"
  step "jobs purge (the second delete's undo log)" "$mosaic" -c "$db" jobs purge --older-than 0
  echo "| catalog file after the purge | $(($(stat -c %s "$db") / 1048576)) MB | |"
fi
