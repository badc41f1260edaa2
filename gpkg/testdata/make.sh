#!/usr/bin/env bash
# make.sh regenerates gdaltindex.gpkg, the GDAL-made tile index that the
# reader tests read without GDAL, and TestMetadataXMLAsGDAL compares the
# writer's metadata document with.
#
# Needs GDAL's command-line tools and Python bindings (Debian: apt-get install
# gdal-bin python3-gdal); the tests and the product do not. Run from anywhere:
# bash gpkg/testdata/make.sh
# The file is made by GDAL 3.6 (Debian 12): gdaltindex -f GPKG over the six
# sample tiles of testdata/geotiff (paths relative to this folder, as the GTI
# driver resolves them), then the GTI layer metadata items set through the
# Python bindings, since gdaltindex before GDAL 3.9 has no option for them.
# Another GDAL writes other timestamps and maybe WKT, which is harmless:
# commit the file and update the tests' expectations together.
set -euo pipefail
cd "$(dirname "$0")"

export GDAL_PAM_ENABLED=NO # never leave .aux.xml files beside the rasters

python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3 # Debian's, with osgeo

rm -f gdaltindex.gpkg
gdaltindex -f GPKG -lyr_name tiles gdaltindex.gpkg ../../testdata/geotiff/sample/T32TMK_*.tif

"$python" - <<'PY'
from osgeo import gdal, ogr
gdal.UseExceptions()
ds = ogr.Open("gdaltindex.gpkg", update=1)
lyr = ds.GetLayerByName("tiles")
for k, v in [("RESX", "60"), ("RESY", "60"), ("BAND_COUNT", "1"),
             ("DATA_TYPE", "Byte"), ("NODATA", "0"), ("SORT_FIELD", "location"),
             ("SORT_FIELD_ASC", "NO"), ("MOSAIC_NOTE", '<made by "make.sh"> & GDAL')]:
    lyr.SetMetadataItem(k, v)
ds = None
PY

ls -l gdaltindex.gpkg
