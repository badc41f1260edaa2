package gpkg

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Errors that the package's functions wrap; test with errors.Is.
var (
	// ErrExists: Create was asked to write over an existing file without
	// Options.Overwrite.
	ErrExists = errors.New("file already exists")
	// ErrLayer: the Layer given to Create cannot be written (bad name, field,
	// SRS, geometry type or GTI metadata item).
	ErrLayer = errors.New("invalid layer definition")
	// ErrGeometry: a geometry blob is not GeoPackageBinary, or does not fit
	// the layer (SRS, type, dimensions, envelope).
	ErrGeometry = errors.New("invalid geometry")
	// ErrValue: an attribute value does not fit its field.
	ErrValue = errors.New("invalid attribute value")
	// ErrClosed: the Writer or Reader was used after Close or Abort.
	ErrClosed = errors.New("closed")
	// ErrNotGeoPackage: Open was given something that is not a GeoPackage.
	ErrNotGeoPackage = errors.New("not a GeoPackage")
	// ErrNoLayer: the GeoPackage has no feature table of that name.
	ErrNoLayer = errors.New("no such feature table")
	// ErrName: a table or column name (from the caller or from a file)
	// cannot be used in SQL.
	ErrName = errors.New("unusable name")
)

// FieldType is the type of an attribute column, as GeoPackage declares it.
type FieldType int

// The attribute column types the writer declares. The zero FieldType is
// "unknown": the reader reports it for columns of other declared types
// (BLOB, geometry types, anything a foreign file uses).
const (
	Integer  FieldType = iota + 1 // INTEGER: 64-bit signed
	Real                          // REAL: 64-bit float
	Text                          // TEXT: UTF-8
	Date                          // DATE: "YYYY-MM-DD"
	DateTime                      // DATETIME: "YYYY-MM-DDTHH:MM:SS.SSSZ", UTC
)

// String returns the declared type written in CREATE TABLE.
func (t FieldType) String() string {
	switch t {
	case Integer:
		return "INTEGER"
	case Real:
		return "REAL"
	case Text:
		return "TEXT"
	case Date:
		return "DATE"
	case DateTime:
		return "DATETIME"
	}
	return fmt.Sprintf("FieldType(%d)", int(t))
}

// ParseFieldType maps a declared column type of a GeoPackage (or of any
// SQLite table GDAL writes) to a FieldType: BOOLEAN, TINYINT, SMALLINT,
// MEDIUMINT, INT and INTEGER are Integer; FLOAT, DOUBLE and REAL are Real;
// TEXT and TEXT(n) are Text; DATE and DATETIME are themselves. Anything else
// is 0 with ok false.
func ParseFieldType(declared string) (t FieldType, ok bool) {
	d := strings.ToUpper(strings.TrimSpace(declared))
	switch d {
	case "BOOLEAN", "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER":
		return Integer, true
	case "FLOAT", "DOUBLE", "REAL":
		return Real, true
	case "TEXT":
		return Text, true
	case "DATE":
		return Date, true
	case "DATETIME":
		return DateTime, true
	}
	if strings.HasPrefix(d, "TEXT(") && strings.HasSuffix(d, ")") {
		return Text, true
	}
	return 0, false
}

// Field is an attribute column of a layer.
type Field struct {
	Name string
	Type FieldType
}

// SRS is a row of gpkg_spatial_ref_sys.
type SRS struct {
	// ID is srs_id. The writer takes the EPSG code here; -1 and 0 are
	// GeoPackage's undefined Cartesian and geographic SRS.
	ID int32
	// Organization is the authority, "EPSG" when empty on write.
	Organization string
	// OrganizationID is organization_coordsys_id, ID when 0 on write.
	OrganizationID int32
	// Name is srs_name; on write, the first quoted name of Definition when
	// empty.
	Name string
	// Definition is the WKT. On write it is required except for ID -1 and 0,
	// whose standard rows ("undefined") are always written.
	Definition string
	// Description is optional.
	Description string
}

// Envelope is a 2D bounding box.
type Envelope struct {
	MinX, MinY, MaxX, MaxY float64
}

// valid reports whether e is a finite, non-inverted box.
func (e Envelope) valid() bool {
	for _, v := range [...]float64{e.MinX, e.MinY, e.MaxX, e.MaxY} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return e.MinX <= e.MaxX && e.MinY <= e.MaxY
}

// extend returns the union of e and o.
func (e Envelope) extend(o Envelope) Envelope {
	return Envelope{
		MinX: math.Min(e.MinX, o.MinX), MinY: math.Min(e.MinY, o.MinY),
		MaxX: math.Max(e.MaxX, o.MaxX), MaxY: math.Max(e.MaxY, o.MaxY),
	}
}

// Version is a GeoPackage version as written in SQLite's user_version.
type Version int

// The versions the writer can write.
const (
	// Version14 is GeoPackage 1.4.0, the default: what GDAL 3.7 and later
	// (and so every GDAL with the GTI driver) write.
	Version14 Version = 10400
	// Version12 is GeoPackage 1.2.0: what GDAL 3.6 writes, for readers
	// that warn about 1.4 files. It differs in the R-tree triggers only.
	Version12 Version = 10200
)

// Layer describes the feature table Create writes.
type Layer struct {
	// Name is the table name: letters, digits and '_' are safest; it must
	// not start with "gpkg_", "rtree_" or "sqlite_".
	Name string
	// Description goes to gpkg_contents.description (optional).
	Description string
	// SRS is the spatial reference of every geometry.
	SRS SRS
	// GeometryType is "POLYGON" or "MULTIPOLYGON"; every geometry given to
	// Add must be of that type, 2D.
	GeometryType string
	// GeometryColumn is the geometry column's name, "geom" when empty.
	GeometryColumn string
	// FIDColumn is the integer primary key's name, "fid" when empty.
	FIDColumn string
	// Fields are the attribute columns in order. One of them must be the
	// TEXT field holding each raster's path: "location", or the one named by
	// the LOCATION_FIELD metadata item.
	Fields []Field
	// Metadata are GDAL layer metadata items: the GTI driver's RESX, RESY,
	// BAND_COUNT, DATA_TYPE, NODATA, SORT_FIELD, SORT_FIELD_ASC, … (see
	// GTIKeys). They are written sorted by key, case-insensitively, as
	// GDAL does. Keys must be non-empty with no space, '=' or control
	// character; values no control character other than tab and newline.
	Metadata map[string]string
}

// GTIKeys are the layer metadata items the GDAL GTI driver reads (GDAL 3.9
// to 3.12 documentation); BAND_<n>_OFFSET, BAND_<n>_SCALE,
// BAND_<n>_UNITTYPE and OVERVIEW_<n>_DATASET, _OPEN_OPTIONS, _LAYER and
// _FACTOR are read too. Other keys are written as well: GDAL keeps them as
// plain layer metadata.
var GTIKeys = []string{
	"RESX", "RESY", "BAND_COUNT", "DATA_TYPE", "NODATA",
	"MINX", "MINY", "MAXX", "MAXY", "GEOTRANSFORM", "XSIZE", "YSIZE",
	"COLOR_INTERPRETATION", "SRS", "LOCATION_FIELD", "SORT_FIELD",
	"SORT_FIELD_ASC", "BLOCKXSIZE", "BLOCKYSIZE", "MASK_BAND", "RESAMPLING",
}
