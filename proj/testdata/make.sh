#!/bin/sh
# make.sh regenerates the committed fixtures of package proj from PROJ and GDAL:
#
#   cs2cs.tsv  expected coordinates, computed by PROJ's cs2cs (fixture_test.go reads it)
#   wkt1.tsv   the OGC WKT1 that GDAL writes for every supported code (wkt_test.go)
#
# It needs PROJ's and GDAL's command-line tools (Debian: apt-get install -y proj-bin
# gdal-bin); package proj and its tests never do. Run it from anywhere:
#
#   sh proj/testdata/make.sh
#
# Axis order. cs2cs follows the EPSG axis order: EPSG:4326 is latitude, longitude and
# EPSG:3035 is northing, easting. Package proj always uses x = longitude/easting,
# y = latitude/northing, so this script swaps those two codes on the way in and out
# (see swap below); every coordinate in cs2cs.tsv is in that x, y order.
#
# Operations (projinfo -s EPSG:4326 -t EPSG:N --spatial-test intersects shows them).
# PROJ's default operation from WGS 84 to ETRS89 and RGF93 v1 is a null transformation
# (EPSG:1149 ETRS89 to WGS 84 (1), EPSG:1671 RGF93 v1 to WGS 84 (1)). For NAD83 it is
# the null EPSG:1188 NAD83 to WGS 84 (1) except in two areas, where cs2cs picks a
# translation: EPSG:1252 in Hawaii (1, 1, -1 m) and EPSG:1251 in the Aleutians west of
# EPSG:1188's area (-2, 0, 4 m); package proj does the same, and the Hawaii and
# Aleutians cases below test it. (With the NOAA HARN and Canadian NTv2 grids installed,
# which Debian's proj-data does not do, cs2cs would pick those in many states and
# provinces instead.) So cs2cs is given all those codes as they are. For the two
# codes with a datum shift everywhere:
#   2056  EPSG:1676 CH1903+ to WGS 84 (1), geocentric translation 674.374 15.056
#         405.346 m: the only candidate, applied everywhere, so EPSG:2056 is used as it is.
#   27700 EPSG:1314 OSGB36 to WGS 84 (6), 7-parameter Helmert (position vector)
#         446.448 -125.157 542.06 m, 0.15 0.247 0.842 arc-seconds, -20.489 ppm. This is what
#         cs2cs picks when the OSTN15 grid (EPSG:7710, uk_os_OSTN15_NTv2_OSGBtoETRS.tif) is
#         not installed, which is Debian's proj-data and PROJ_NETWORK=OFF, and only inside
#         the operation's area (49.79..60.94 N, 8.82 W..1.92 E); outside it cs2cs falls back
#         to a "ballpark" operation with no shift at all. Package proj applies EPSG:1314
#         everywhere, so the fixtures spell the operation out as +towgs84 (which PROJ
#         applies as the same position-vector Helmert) instead of leaving the choice to
#         cs2cs. check_default_27700 below proves both agree inside the area.
#         With the OSTN15 grid installed PROJ would pick EPSG:7710 instead; EPSG rates
#         EPSG:1314 at 2 m, which is about how far the two can differ.
set -eu
cd "$(dirname "$0")"
export PROJ_NETWORK=OFF
export LC_ALL=C

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

BNG_HELMERT="+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000
 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs"

# crs CODE prints the cs2cs arguments for CODE; they are expanded unquoted on purpose.
crs() {
	case $1 in
	27700) echo "$BNG_HELMERT" ;;
	*) echo "EPSG:$1" ;;
	esac
}

# swap CODE: EPSG:4326 and EPSG:3035 have their axes the other way round in cs2cs.
swap() {
	case $1 in
	4326 | 3035) awk '{ print $2, $1 }' ;;
	*) cat ;;
	esac
}

# format CODE: degrees to 1e-9 (0.1 mm), metres to 1e-4; a failed point stays "*".
format() {
	case $1 in
	4326) awk '{ if ($1 ~ /[*a-z]/ || $2 ~ /[*a-z]/) print "*\t*"; else printf "%.9f\t%.9f\n", $1, $2 }' ;;
	*) awk '{ if ($1 ~ /[*a-z]/ || $2 ~ /[*a-z]/) print "*\t*"; else printf "%.4f\t%.4f\n", $1, $2 }' ;;
	esac
}

# convert FROM TO reads x y lines (package order) and writes x<TAB>y lines.
convert() {
	# shellcheck disable=SC2046 # crs prints several words on purpose
	swap "$1" | cs2cs -f %.12f $(crs "$1") +to $(crs "$2") | awk '{ print $1, $2 }' | swap "$2" | format "$2"
}

# points N WEST EAST SOUTH NORTH SEED prints the four corners of the box and N points
# inside it (longitude, latitude), from a Park-Miller generator so that every awk gives
# the same points. Longitudes are brought into -180..180: PROJ picks an operation by
# its area without doing so (package proj does), and the box may cross 180 degrees.
points() {
	awk -v n="$1" -v w="$2" -v e="$3" -v s="$4" -v nn="$5" -v seed="$6" '
	function pt(lon, lat) {
		while (lon > 180) lon -= 360
		while (lon < -180) lon += 360
		printf "%.9f %.9f\n", lon, lat
	}
	BEGIN {
		pt(w, s); pt(e, s); pt(w, nn); pt(e, nn)
		x = seed
		for (i = 0; i < n; i++) {
			x = (x * 48271) % 2147483647; u = x / 2147483647
			x = (x * 48271) % 2147483647; v = x / 2147483647
			pt(w + (e - w) * u, s + (nn - s) * v)
		}
	}'
}

seed=1
# pair FROM TO N WEST EAST SOUTH NORTH appends N+4 rows FROM -> TO to cs2cs.tsv; the points
# are taken in the box (WGS 84 degrees) and first converted to FROM.
pair() {
	from=$1 to=$2
	shift 2
	seed=$((seed + 7919))
	points "$@" "$seed" >"$tmp/ll"
	if [ "$from" = 4326 ]; then
		awk '{ printf "%s\t%s\n", $1, $2 }' "$tmp/ll" >"$tmp/src"
	else
		convert 4326 "$from" <"$tmp/ll" >"$tmp/src"
	fi
	tr '\t' ' ' <"$tmp/src" | convert "$from" "$to" >"$tmp/dst"
	paste "$tmp/src" "$tmp/dst" | awk -v f="$from" -v t="$to" '!/\*/ { printf "%s\t%s\t%s\n", f, t, $0 }' >>"$tmp/out"
}

# both FROM TO ... is pair in both directions.
both() {
	a=$1 b=$2
	shift 2
	pair "$a" "$b" "$@"
	pair "$b" "$a" "$@"
}

: >"$tmp/out"

# WGS 84 / UTM: each zone to 7 degrees either side of its meridian (Sentinel-2 tiles
# cross zone edges), 84 N and 80 S; the northern zones a little south of the equator.
z=1
while [ $z -le 60 ]; do
	cm=$((6 * z - 183))
	both 4326 $((32600 + z)) 5 $((cm - 7)) $((cm + 7)) -1 84
	both 4326 $((32700 + z)) 5 $((cm - 7)) $((cm + 7)) -80 1
	z=$((z + 1))
done
# A few zones far out: to 30 degrees from the meridian, where package proj stops.
both 4326 32632 30 -21 39 -30 84
both 4326 32760 20 147 180 -80 0
both 4326 32701 20 -180 -147 -80 0
both 4326 32618 16 -105 -45 60 84

# ETRS89 / UTM 25828..25838 and NAD83 / UTM 26901..26923.
z=28
while [ $z -le 38 ]; do
	cm=$((6 * z - 183))
	both 4326 $((25800 + z)) 10 $((cm - 7)) $((cm + 7)) 30 84
	z=$((z + 1))
done
z=1
while [ $z -le 23 ]; do
	cm=$((6 * z - 183))
	both 4326 $((26900 + z)) 6 $((cm - 7)) $((cm + 7)) 10 84
	z=$((z + 1))
done

# NAD83 where PROJ shifts it: Hawaii (EPSG:1252) and the Aleutians (EPSG:1251), whose
# box crosses 180 degrees. The boxes stay inside the operations' areas: from projected
# coordinates, cs2cs tests an area by its bounding box in those coordinates, which is
# larger, so just outside an area its inverse shifts where its forward did not (e.g.
# EPSG:4326 54.5N 176E -> EPSG:26901 -> EPSG:4326 moves 0.7 m); package proj tests
# the area in degrees both ways.
both 4326 26904 24 -160.5 -154.5 18.5 23
both 4326 26901 24 -184 -171 51.4 54.2

# Web Mercator, CH1903+ / LV95, British National Grid, Lambert-93, LAEA Europe: their
# country and a wider box around it.
both 4326 3857 60 -180 180 -85 85
both 4326 3857 20 -180 180 -89.9 89.9
both 4326 2056 60 5.9 10.5 45.8 47.9
both 4326 2056 26 -5 20 38 56
both 4326 27700 60 -8.8 1.9 49.8 60.9
both 4326 27700 26 -15 5 45 62
both 4326 2154 60 -5.2 9.6 41.3 51.1
both 4326 2154 26 -20 25 30 62
both 4326 3035 60 -30 40 30 72
both 4326 3035 26 -60 80 10 85

# Between projected systems.
both 32632 32633 26 6 18 0 72
both 32733 32734 30 12 24 -60 0
pair 2056 32632 26 5.9 10.5 45.8 47.9
pair 2056 27700 30 5.9 10.5 45.8 47.9
pair 27700 3857 26 -8.8 1.9 49.8 60.9
pair 27700 32630 26 -8.8 1.9 49.8 60.9
pair 3035 2154 26 -5.2 9.6 41.3 51.1
pair 2154 25831 26 -5.2 9.6 41.3 51.1
pair 3857 26915 26 -100 -86 20 50
pair 26915 32615 20 -100 -86 20 50
pair 25832 3035 26 3 15 45 60
pair 3857 2056 30 5.9 10.5 45.8 47.9

{
	echo "# made by make.sh with $(cs2cs 2>&1 | head -n 1 | tr -d '\r'), PROJ_NETWORK=OFF, no OSTN15 grid"
	echo "# 27700 with EPSG:1314 OSGB36 to WGS 84 (6) everywhere; 2056 with EPSG:1676 CH1903+ to WGS 84 (1)"
	echo "# columns: from, to, x, y, expected x, expected y; x = longitude/easting, y = latitude/northing"
	cat "$tmp/out"
} >cs2cs.tsv

# check_default_27700: inside the area of EPSG:1314, cs2cs's own choice for EPSG:27700
# gives the same numbers as the spelled-out Helmert (to 1 mm).
points 200 -8.8 1.9 49.8 60.9 4242 >"$tmp/ll"
convert 4326 27700 <"$tmp/ll" >"$tmp/a"
awk '{ print $2, $1 }' "$tmp/ll" | cs2cs -f %.12f EPSG:4326 EPSG:27700 | awk '{ printf "%.4f\t%.4f\n", $1, $2 }' >"$tmp/b"
paste "$tmp/a" "$tmp/b" | awk '{ d = ($1 - $3) ^ 2 + ($2 - $4) ^ 2; if (d > m) m = d }
	END { m = sqrt(m); printf "27700: spelled-out EPSG:1314 vs cs2cs default, max difference %.4f m\n", m; if (m > 0.001) exit 1 }'

# WKT1 as GDAL writes it (one line, as in a GeoPackage's gpkg_spatial_ref_sys).
codes="4326 3857 2056 27700 2154 3035"
for z in $(seq 1 60); do codes="$codes $((32600 + z)) $((32700 + z))"; done
for z in $(seq 28 38); do codes="$codes $((25800 + z))"; done
for z in $(seq 1 23); do codes="$codes $((26900 + z))"; done
{
	echo "# made by make.sh with $(gdalsrsinfo --version): gdalsrsinfo -o wkt1 --single-line EPSG:code"
	for c in $codes; do
		printf '%s\t%s\n' "$c" "$(gdalsrsinfo -o wkt1 --single-line "EPSG:$c" | tr -d '\n')"
	done
} >wkt1.tsv

wc -l cs2cs.tsv wkt1.tsv
ls -l cs2cs.tsv wkt1.tsv
