package formats

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"mosaic/catalog"
	"mosaic/geometry"
	"mosaic/gpkg"
	"mosaic/proj"
	"mosaic/where"
)

// gdalDataType names a PixelType as GDAL does, for the GTI's DATA_TYPE.
var gdalDataType = map[string]string{
	"U1": "Byte", "U2": "Byte", "U4": "Byte", "U8": "Byte", "S8": "Int8",
	"U16": "UInt16", "S16": "Int16", "U32": "UInt32", "S32": "Int32",
	"F32": "Float32", "F64": "Float64", "C64": "CFloat32", "C128": "CFloat64",
}

// dataTypeUnion is the GDAL data type that holds the values of both a and
// b, as GDALDataTypeUnion decides for the types mosaic reads: the wider
// integer, or Float64 once signs or floats mix, CFloat64 for complex.
func dataTypeUnion(a, b string) string {
	if a == "" || a == b {
		return b
	}
	rank := map[string]int{"Byte": 1, "UInt16": 2, "UInt32": 3, "Int8": 11, "Int16": 12, "Int32": 13, "Float32": 21, "Float64": 22, "CFloat32": 31, "CFloat64": 32}
	ra, rb := rank[a], rank[b]
	switch {
	case ra >= 31 || rb >= 31:
		return "CFloat64"
	case ra >= 21 || rb >= 21:
		return "Float64"
	case ra >= 11 && rb >= 11, ra < 11 && rb < 11:
		if ra > rb {
			return a
		}
		return b
	case max(ra, rb) == 3 || max(ra%10, rb%10) == 3:
		return "Float64" // UInt32 with a signed type: no 32-bit integer holds both
	}
	return "Int32"
}

// gtiSummary is what a GTI's layer metadata says of all its tiles, read in
// a first pass over the selection.
type gtiSummary struct {
	res       float64 // the finest pixel size (LowPS)
	bands     int64
	dataType  string
	multipart bool // some footprint has several parts: the layer is MULTIPOLYGON
}

func summarize(ctx context.Context, cat *catalog.Catalog, sel *catalog.Selection) (gtiSummary, error) {
	var s gtiSummary
	cols := columnsOf(sel)
	err := cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
		if r := cols.num(row, "LowPS"); r > 0 && (s.res == 0 || r < s.res) {
			s.res = r
		}
		s.bands = max(s.bands, cols.int(row, "BandCount"))
		if t := gdalDataType[cols.str(row, "PixelType")]; t != "" {
			s.dataType = dataTypeUnion(s.dataType, t)
		}
		if !s.multipart && !row.Rectangle && strings.Contains(row.Shape, "]],[[") {
			p, err := polygonOf(row)
			if err != nil {
				return err
			}
			s.multipart = p.Parts() > 1
		}
		return nil
	})
	return s, err
}

// exportGTI writes a GeoPackage that is a GDAL Raster Tile Index (see
// package gpkg): one feature per item, its footprint in the collection's
// spatial reference, a location field holding the raster's path and every
// other field beside it (DATE as DATETIME), and the layer metadata the GTI
// driver reads: RESX/RESY (the finest pixel size), BAND_COUNT, DATA_TYPE
// and, when the collection has a DATE field, SORT_FIELD on it, newest on
// top.
func exportGTI(ctx context.Context, cat *catalog.Catalog, sel *catalog.Selection, path string, opts Options) (int64, error) {
	coll := sel.Collection
	crs, err := proj.Parse(coll.SRS)
	if err != nil {
		return 0, catalog.ParamErrorf("format", "gti: a GeoPackage needs the definition of the collection's spatial reference %q: %v", coll.SRS, err)
	}
	sum, err := summarize(ctx, cat, sel)
	if err != nil {
		return 0, err
	}
	layer := gpkg.Layer{
		Name:         coll.Name,
		Description:  fmt.Sprintf("Image collection %s of a mosaic catalog, as a GDAL Raster Tile Index", coll.Name),
		SRS:          gpkg.SRS{ID: int32(crs.Code()), Organization: "EPSG", OrganizationID: int32(crs.Code()), Name: crs.Name(), Definition: crs.WKT()},
		GeometryType: "POLYGON",
		Metadata:     map[string]string{},
	}
	if sum.multipart {
		layer.GeometryType = "MULTIPOLYGON"
	}
	location := "location"
	var keep []int // the selection's columns that become fields, in order
	rasterAt := -1
	for i, f := range sel.Fields {
		if f.Name == "Raster" {
			rasterAt = i
			continue
		}
		if strings.EqualFold(f.Name, location) {
			location = "mosaic_location"
		}
	}
	layer.Fields = append(layer.Fields, gpkg.Field{Name: location, Type: gpkg.Text})
	if location != "location" {
		layer.Metadata["LOCATION_FIELD"] = location
	}
	for i, f := range sel.Fields {
		if i == rasterAt {
			continue
		}
		keep = append(keep, i)
		layer.Fields = append(layer.Fields, gpkg.Field{Name: f.Name, Type: gpkgType(f.Type)})
	}
	if sum.res > 0 {
		res := strconv.FormatFloat(sum.res, 'g', -1, 64)
		layer.Metadata["RESX"], layer.Metadata["RESY"] = res, res
	}
	if sum.bands > 0 {
		layer.Metadata["BAND_COUNT"] = strconv.FormatInt(sum.bands, 10)
	}
	if sum.dataType != "" {
		layer.Metadata["DATA_TYPE"] = sum.dataType
	}
	if tf, ok := coll.TimeField(); ok {
		layer.Metadata["SORT_FIELD"] = tf.Name
		layer.Metadata["SORT_FIELD_ASC"] = "YES"
	}
	if _, err := os.Lstat(path); err == nil && !opts.Overwrite {
		return 0, &catalog.Error{Code: catalog.Invalid, Param: "to", Message: fmt.Sprintf("%s exists: give --overwrite to replace it", path), Err: ErrExists}
	}
	w, err := gpkg.Create(path, layer, gpkg.Options{Overwrite: opts.Overwrite, SpatialIndex: opts.SpatialIndex})
	if err != nil {
		return 0, catalog.Errorf(catalog.Invalid, "export to %s: %w", path, err)
	}
	values := make([]any, len(layer.Fields))
	var blob []byte
	var n int64
	err = cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
		p, err := polygonOf(row)
		if err != nil {
			return err
		}
		if p == nil {
			return catalog.Errorf(catalog.Invalid, "item %v has no footprint: a tile index needs one for every raster", row.Values[0])
		}
		values[0] = row.Values[rasterAt]
		for k, i := range keep {
			values[k+1] = gpkgValue(sel.Fields[i], row.Values[i])
		}
		if layer.GeometryType == "MULTIPOLYGON" {
			blob = geometry.AppendGeoPackageMulti(blob[:0], p, layer.SRS.ID)
		} else {
			blob = geometry.AppendGeoPackage(blob[:0], p, layer.SRS.ID)
		}
		e := p.Bounds()
		n++
		return w.Add(blob, gpkg.Envelope{MinX: e.XMin, MinY: e.YMin, MaxX: e.XMax, MaxY: e.YMax}, values)
	})
	if err != nil {
		w.Abort()
		return n, err
	}
	if err := w.Close(); err != nil {
		return n, fmt.Errorf("export to %s: %w", path, err)
	}
	return n, nil
}

func gpkgType(t where.Type) gpkg.FieldType {
	switch t {
	case where.Integer:
		return gpkg.Integer
	case where.Real:
		return gpkg.Real
	case where.Date:
		return gpkg.DateTime
	}
	return gpkg.Text
}

// gpkgValue converts a stored value for a GeoPackage field: DATE values
// become times.
func gpkgValue(f catalog.Field, v any) any {
	if s, ok := v.(string); ok && f.Type == where.Date {
		if t := isoTime(s); t != "" {
			return t
		}
	}
	return v
}
