#!/usr/bin/env bash
# make.sh makes the GeoTIFFs in several spatial references that the
# coordinate-system tests add to one collection, and the gdalinfo -json output
# beside each, whose wgs84Extent is the tests' oracle.
#
# Needs GDAL's command-line tools (Debian: apt-get install gdal-bin); the tests and
# the product do not. Run from anywhere: bash testdata/geotiff/srs/make.sh
# Made with GDAL 3.6 (Debian 12). Each raster is 64 x 48 pixels of 100 m (or
# 0.001 degree) in its own system's area, so that its footprint, 6.4 km wide,
# bends measurably when projected.
set -euo pipefail
cd "$(dirname "$0")"

export GDAL_PAM_ENABLED=NO # never leave .aux.xml files beside the fixtures
export GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR
rm -f ./*.tif ./*.json

# make NAME SRS ULX ULY PIXEL
make() {
	local name=$1 srs=$2 x0=$3 y0=$4 px=$5
	local x1 y1
	x1=$(echo "$x0 + 64 * $px" | bc -l)
	y1=$(echo "$y0 - 48 * $px" | bc -l)
	gdal_create -q -of GTiff -outsize 64 48 -a_srs "$srs" -a_ullr "$x0" "$y0" "$x1" "$y1" \
		-ot Byte -burn 1 -co COMPRESS=DEFLATE "$name.tif"
	gdalinfo -json "$name.tif" >"$name.gdalinfo.json"
}

make utm32n-32632 EPSG:32632 500000 4500000 100     # Sardinia, on the central meridian
make utm32n-far-32632 EPSG:32632 1000000 4600000 100 # 6.7 degrees east of 9°E: past the zone's edge
make utm33n-32633 EPSG:32633 300000 4450000 100     # west of 15°E, near zone 32
make utm33s-32733 EPSG:32733 500000 8000000 100     # southern hemisphere
make nad83-utm10n-26910 EPSG:26910 500000 4200000 100 # California
make etrs89-utm32n-25832 EPSG:25832 400000 5800000 100 # Germany
make lv95-2056 EPSG:2056 2600000 1200000 100        # Bern
make bng-27700 EPSG:27700 400000 300000 100         # England
make lambert93-2154 EPSG:2154 650000 6860000 100    # Paris
make laea-3035 EPSG:3035 4300000 2000000 100        # the Adriatic
make webmercator-3857 EPSG:3857 1000000 5000000 100 # Sardinia
make geographic-4326 EPSG:4326 9.0 41.0 0.001       # Corsica's strait
make gauss-krueger-31467 EPSG:31467 3500000 5500000 100 # a code mosaic does not project

# A 64 km raster of 1 m pixels, 6.7 degrees east of its zone's meridian: its
# straight edges bend by far more than half a pixel in other systems, so its
# footprint must be densified. Sparse, in one strip: the file holds no pixels.
gdal_create -q -of GTiff -outsize 64000 48000 -a_srs EPSG:32632 -a_ullr 1000000 4600000 1064000 4552000 \
	-ot Byte -co COMPRESS=DEFLATE -co BLOCKYSIZE=48000 -co SPARSE_OK=TRUE utm32n-fine-32632.tif
gdalinfo -json utm32n-fine-32632.tif >utm32n-fine-32632.gdalinfo.json

ls -l ./*.tif
