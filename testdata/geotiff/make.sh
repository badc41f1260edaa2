#!/usr/bin/env bash
# make.sh regenerates the GeoTIFF fixtures of package geotiff, and the gdalinfo -json
# output beside each good one that the tests compare the reader against.
#
# Needs GDAL's command-line tools (Debian: apt-get install gdal-bin); the tests and the
# product do not. Run from anywhere: bash testdata/geotiff/make.sh
# The files are made by GDAL 3.6 (Debian 12); another GDAL may write other bytes or WKT,
# which is harmless: commit the files and the JSON together.
#
# Every good fixture lies in one area, the Sentinel-2 tile 32TMK (UTM zone 32N, Sardinia),
# each on its own 1 km cell of a grid so that footprints do not overlap. sample/ holds six
# adjacent same-CRS tiles for the README's sample collection.
set -euo pipefail
cd "$(dirname "$0")"

export GDAL_PAM_ENABLED=NO # never leave .aux.xml files beside the fixtures
export GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR

mkdir -p sample
rm -f ./*.tif ./*.json ./*.vrt sample/*.tif sample/*.json

deflate=(-co COMPRESS=DEFLATE)

# utm NAME WIDTH HEIGHT CELL SLOT [gdal_create options...]
# makes NAME.tif in EPSG:32632 with its upper-left corner on grid cell SLOT.
utm() {
	local name=$1 w=$2 h=$3 px=$4 slot=$5
	shift 5
	local x0=$((420000 + (slot % 6) * 1000)) y0=$((4480000 - (slot / 6) * 1000))
	gdal_create -q -of GTiff -outsize "$w" "$h" -a_srs EPSG:32632 \
		-a_ullr "$x0" "$y0" $((x0 + w * px)) $((y0 - h * px)) "$@" "$name.tif"
}

# vrt NAME TYPE BANDS WIDTH HEIGHT SRS GEOTRANSFORM [gdal_translate options...]
# makes NAME.tif from a VRT without sources (all zeros), for geotransforms that
# gdal_create cannot set (rotated, south-up).
vrt() {
	local name=$1 type=$2 bands=$3 w=$4 h=$5 srs=$6 gt=$7
	shift 7
	{
		echo "<VRTDataset rasterXSize=\"$w\" rasterYSize=\"$h\">"
		echo "  <SRS>$srs</SRS>"
		echo "  <GeoTransform>$gt</GeoTransform>"
		for ((b = 1; b <= bands; b++)); do
			echo "  <VRTRasterBand dataType=\"$type\" band=\"$b\"/>"
		done
		echo "</VRTDataset>"
	} >"$name.vrt"
	gdal_translate -q -of GTiff "$@" "$name.vrt" "$name.tif"
	rm "$name.vrt"
}

# Byte order, BigTIFF, strips and tiles.
utm le-strips-u8-32632 16 12 10 0 -ot Byte -burn 10 "${deflate[@]}" -co BLOCKYSIZE=4
utm be-strips-u8-32632 16 12 10 1 -ot Byte -burn 20 "${deflate[@]}" -co ENDIANNESS=BIG
utm bigtiff-le-u8-32632 16 12 10 2 -ot Byte -burn 30 "${deflate[@]}" -co BIGTIFF=YES
utm bigtiff-be-tiled-u16-32632 40 24 10 3 -ot UInt16 -burn 40 "${deflate[@]}" \
	-co BIGTIFF=YES -co ENDIANNESS=BIG -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16
utm tiled-u8-32632 40 24 10 4 -ot Byte -burn 50 "${deflate[@]}" \
	-co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16

# Bands.
utm rgb-3band-u8-32632 16 12 20 5 -ot Byte -bands 3 -burn 200 -burn 100 -burn 50 \
	"${deflate[@]}" -co PHOTOMETRIC=RGB
utm 4band-u8-32632 16 12 20 6 -ot Byte -bands 4 -burn 1 -burn 2 -burn 3 -burn 4 \
	"${deflate[@]}" -co INTERLEAVE=BAND

# Pixel types.
utm u1-32632 16 12 10 7 -ot Byte -burn 1 "${deflate[@]}" -co NBITS=1
utm u2-32632 16 12 10 8 -ot Byte -burn 3 "${deflate[@]}" -co NBITS=2
utm u4-32632 16 12 10 9 -ot Byte -burn 9 "${deflate[@]}" -co NBITS=4
utm s8-32632 16 12 10 10 -ot Byte -burn 5 "${deflate[@]}" -co PIXELTYPE=SIGNEDBYTE
utm u16-32632 16 12 10 11 -ot UInt16 -burn 1000 "${deflate[@]}"
utm s16-32632 16 12 10 12 -ot Int16 -burn -1000 "${deflate[@]}"
utm u32-32632 16 12 10 13 -ot UInt32 -burn 100000 "${deflate[@]}"
utm s32-32632 16 12 10 14 -ot Int32 -burn -100000 "${deflate[@]}"
utm f32-32632 16 12 10 15 -ot Float32 -burn 1.5 "${deflate[@]}"
utm f64-32632 16 12 10 16 -ot Float64 -burn 2.25 "${deflate[@]}"
utm c64-32632 8 6 10 17 -ot CFloat32 -burn 1 "${deflate[@]}"
utm c128-32632 8 6 10 18 -ot CFloat64 -burn 1 "${deflate[@]}"

# Geographic coordinates.
gdal_create -q -of GTiff -outsize 20 10 -a_srs EPSG:4326 -a_ullr 8.70 40.30 8.72 40.29 \
	-ot Byte -burn 60 "${deflate[@]}" geographic-u8-4326.tif

# ModelTransformation (grid row 4): a raster rotated by 30 degrees (10 m pixels), and a
# south-up one (GDAL writes a matrix for a positive pixel height).
vrt rotated-u8-32632 Byte 1 16 12 EPSG:32632 \
	'420000, 8.660254037844387, -5, 4476000, -5, -8.660254037844387' "${deflate[@]}"
vrt southup-u8-32632 Byte 1 16 12 EPSG:32632 \
	'421000, 10, 0, 4475880, 0, 10' "${deflate[@]}"

# PixelIsPoint (AREA_OR_POINT=Point): the file's tiepoint is the centre of the first pixel.
utm point-u8-32632 16 12 10 19 -ot Byte -burn 70 "${deflate[@]}" -mo AREA_OR_POINT=Point
vrt point-rotated-u8-32632 Byte 1 16 12 EPSG:32632 \
	'422000, 9.659258262890683, -2.588190451025208, 4476000, -2.588190451025208, -9.659258262890683' \
	-mo AREA_OR_POINT=Point "${deflate[@]}"
gdal_create -q -of GTiff -outsize 20 10 -a_srs EPSG:4326 -a_ullr 8.73 40.30 8.75 40.29 \
	-ot Byte -burn 80 -mo AREA_OR_POINT=Point "${deflate[@]}" point-geographic-u8-4326.tif

# A user-defined projected CRS: the GeoKeys carry parameters but no EPSG code.
gdal_create -q -of GTiff -outsize 16 12 \
	-a_srs '+proj=tmerc +lat_0=40 +lon_0=8.6 +k=0.9999 +x_0=200000 +y_0=100000 +ellps=intl +units=m +no_defs' \
	-a_ullr 205000 133000 205160 132880 -ot Byte -burn 90 "${deflate[@]}" user-defined-crs.tif

# The sample collection: six adjacent 32x32 tiles of 60 m pixels, 3 across and 2 down.
dates=(20200115 20200209 20200305 20200410 20200520 20200619)
for i in "${!dates[@]}"; do
	x0=$((400000 + (i % 3) * 1920)) y0=$((4500000 - (i / 3) * 1920))
	gdal_create -q -of GTiff -outsize 32 32 -a_srs EPSG:32632 \
		-a_ullr "$x0" "$y0" $((x0 + 1920)) $((y0 - 1920)) \
		-ot Byte -burn $((40 * (i + 1))) "${deflate[@]}" "sample/T32TMK_${dates[$i]}.tif"
done

# What gdalinfo says about every good fixture, run from the fixture's directory so that
# the JSON holds no absolute paths.
for f in ./*.tif sample/*.tif; do
	(cd "$(dirname "$f")" && gdalinfo -json "$(basename "$f")" >"$(basename "$f" .tif).gdalinfo.json")
done

# Bad input: no .gdalinfo.json beside these.
printf 'This is a text file, not a TIFF.\n' >not-a-tiff.tif

gdal_create -q -of GTiff -outsize 16 12 -ot Byte -burn 1 "${deflate[@]}" -co PROFILE=BASELINE no-georef.tif

# Tiepoints without a pixel scale are ground control points, not a geotransform.
gdal_create -q -of GTiff -outsize 16 12 -ot Byte -burn 1 "${deflate[@]}" gcps-base.tif
gdal_translate -q -of GTiff -a_srs EPSG:32632 "${deflate[@]}" \
	-gcp 0 0 423000 4476000 -gcp 16 0 423160 4476010 -gcp 0 12 423000 4475880 -gcp 16 12 423160 4475890 \
	gcps-base.tif gcps-only.tif
rm gcps-base.tif

# truncated.tif: a real file whose IFD lies beyond the end. Editing metadata in place makes
# libtiff rewrite the grown IFD at the end of the file; cutting the file back to its size
# before the edit leaves the header pointing past the end.
utm truncated-base 16 12 10 20 -ot Byte -burn 1 "${deflate[@]}"
before=$(stat -c %s truncated-base.tif)
gdal_edit.py -mo DESCRIPTION_OF_THIS_FILE="cut short by make.sh" truncated-base.tif
head -c "$before" truncated-base.tif >truncated.tif

# truncated-tags.tif: the IFD is whole but the tag values after it are cut off.
utm truncated-base 16 12 10 20 -ot Byte -burn 1 "${deflate[@]}"
entries=$(od -An -tu2 -j8 -N2 truncated-base.tif | tr -d ' ')
head -c $((8 + 2 + entries * 12 + 4 + 16)) truncated-base.tif >truncated-tags.tif
rm truncated-base.tif

ls -l ./*.tif sample/*.tif
