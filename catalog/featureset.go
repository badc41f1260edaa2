package catalog

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"time"

	"mosaic/where"
)

// esriFieldType is the ArcGIS JSON type of a field.
func esriFieldType(f Field) string {
	if f.Name == "OBJECTID" {
		return "esriFieldTypeOID"
	}
	switch f.Type {
	case where.Integer:
		return "esriFieldTypeInteger"
	case where.Real:
		return "esriFieldTypeDouble"
	case where.Date:
		return "esriFieldTypeDate"
	}
	return "esriFieldTypeString"
}

// FieldJSON is a field as ArcGIS describes it in a feature set or service.
// Length and Domain are given where a service describes its fields (the
// image service and its query): GDAL takes a string field's length as its
// width, and ArcGIS clients show the Category codes by name.
type FieldJSON struct {
	Name   string      `json:"name"`
	Type   string      `json:"type"`
	Alias  string      `json:"alias"`
	Length int         `json:"length,omitempty"`
	Domain *DomainJSON `json:"domain,omitempty"`
}

// DomainJSON is a coded value domain as ArcGIS describes it.
type DomainJSON struct {
	Type        string      `json:"type"`
	Name        string      `json:"name"`
	CodedValues []CodedJSON `json:"codedValues"`
}

// CodedJSON is one code of a coded value domain.
type CodedJSON struct {
	Name string `json:"name"`
	Code int    `json:"code"`
}

// categoryDomain is the domain of the Category field of an ArcGIS mosaic
// dataset's attribute table (MosaicCatalogItemCategoryDomain). mosaic
// writes 1 and 2; the other codes are ArcGIS's, listed so that a client
// shows any value a manifest gave by its ArcGIS name.
var categoryDomain = &DomainJSON{Type: "codedValue", Name: "MosaicCatalogItemCategoryDomain", CodedValues: []CodedJSON{
	{"Unknown", 0}, {"Primary", CategoryPrimary}, {"Overview", CategoryOverview}, {"Unprocessed Overview", 3},
	{"Partial Overview", 4}, {"Uploaded", 253}, {"Incomplete", 254}, {"Custom", 255},
}}

// Declared lengths of text fields. SQLite stores text of any length: these
// are widths for clients that need one (GDAL, shapefiles), not limits.
const (
	rasterFieldLength = 1024 // a path or URI
	textFieldLength   = 255
)

// FieldsJSON describes fields as ArcGIS does in a feature set.
func FieldsJSON(fields []Field) []FieldJSON {
	out := make([]FieldJSON, len(fields))
	for i, f := range fields {
		out[i] = FieldJSON{Name: f.Name, Type: esriFieldType(f), Alias: f.Name}
	}
	return out
}

// ServiceFieldsJSON describes fields as an ArcGIS service does: text
// fields with their length, Category with its domain.
func ServiceFieldsJSON(fields []Field) []FieldJSON {
	out := FieldsJSON(fields)
	for i, f := range fields {
		switch {
		case f.Name == "Raster":
			out[i].Length = rasterFieldLength
		case f.Type == where.Text:
			out[i].Length = textFieldLength
		case f.Name == "Category":
			out[i].Domain = categoryDomain
		}
	}
	return out
}

// ShapeFieldJSON is the footprint's entry in a service's fields.
var ShapeFieldJSON = FieldJSON{Name: ShapeColumn, Type: "esriFieldTypeGeometry", Alias: ShapeColumn}

// SpatialReferenceJSON is {"wkid": N} for an EPSG reference, or {} when
// unknown.
func SpatialReferenceJSON(srs string) map[string]any {
	switch code := EPSGCode(srs); code {
	case 0:
		return map[string]any{}
	case 3857:
		// As ArcGIS writes Web Mercator: its own older wkid, and EPSG's.
		return map[string]any{"wkid": 102100, "latestWkid": 3857}
	default:
		return map[string]any{"wkid": code, "latestWkid": code}
	}
}

// FeatureSet describes a feature set's head: its fields and, when its
// features carry geometry, the spatial reference of their footprints.
type FeatureSet struct {
	Fields   []Field
	Geometry bool
	SRS      string // "EPSG:N" or ""; used when Geometry is set
	// Service describes the fields as a service does (ServiceFieldsJSON):
	// the image service's query answers so.
	Service bool
}

// FeatureSetWriter streams items as an ArcGIS feature set:
// {"objectIdFieldName":…,"fields":[…],"features":[{"attributes":{…},"geometry":{"rings":…}}]}.
// DATE values are written as ArcGIS writes them, milliseconds since
// 1970-01-01 UTC. One feature per line keeps the output greppable. Nothing
// follows the closing brace: a feature set is a whole document or a value
// inside another.
type FeatureSetWriter struct {
	// ExceededTransferLimit, set before Close, adds
	// "exceededTransferLimit":true: the feature set is a page and more
	// features follow.
	ExceededTransferLimit bool

	w        *bufio.Writer
	fields   []Field
	names    [][]byte // each field name as a JSON string with its colon
	geometry bool
	n        int
	buf      []byte
	err      error
}

// NewFeatureSetWriter starts a feature set with the head fs.
func NewFeatureSetWriter(w io.Writer, fs FeatureSet) *FeatureSetWriter {
	fw := &FeatureSetWriter{w: bufio.NewWriterSize(w, 64<<10), fields: fs.Fields, geometry: fs.Geometry}
	for _, f := range fs.Fields {
		fw.names = append(fw.names, append(appendJSONString(nil, f.Name), ':'))
	}
	head := struct {
		ObjectIDFieldName string         `json:"objectIdFieldName"`
		GeometryType      string         `json:"geometryType,omitempty"`
		SpatialReference  map[string]any `json:"spatialReference,omitempty"`
		Fields            []FieldJSON    `json:"fields"`
	}{ObjectIDFieldName: "OBJECTID", Fields: FieldsJSON(fs.Fields)}
	if fs.Service {
		head.Fields = ServiceFieldsJSON(fs.Fields)
	}
	if fs.Geometry {
		head.GeometryType = "esriGeometryPolygon"
		head.SpatialReference = SpatialReferenceJSON(fs.SRS)
	}
	b := JSON(head)
	fw.write(b[:len(b)-1]) // leave the object open for the features
	fw.write([]byte(`,"features":[`))
	return fw
}

// Write adds one item.
func (fw *FeatureSetWriter) Write(row *ItemRow) error {
	b := fw.buf[:0]
	if fw.n > 0 {
		b = append(b, ',')
	}
	b = append(b, "\n{\"attributes\":{"...)
	for i, f := range fw.fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, fw.names[i]...)
		b = appendValue(b, f, row.Values[i])
	}
	b = append(b, '}')
	if fw.geometry {
		b = append(b, `,"geometry":`...)
		if row.Shape == "" {
			b = append(b, "null"...)
		} else {
			b = append(b, `{"rings":`...)
			b = append(b, row.Shape...)
			b = append(b, '}')
		}
	}
	b = append(b, '}')
	fw.buf = b
	fw.n++
	fw.write(b)
	return fw.err
}

// Close ends the feature set and flushes it.
func (fw *FeatureSetWriter) Close() error {
	if fw.n > 0 {
		fw.write([]byte("\n"))
	}
	fw.write([]byte("]"))
	if fw.ExceededTransferLimit {
		fw.write([]byte(`,"exceededTransferLimit":true`))
	}
	fw.write([]byte("}"))
	if fw.err == nil {
		fw.err = fw.w.Flush()
	}
	return fw.err
}

func (fw *FeatureSetWriter) write(b []byte) {
	if fw.err == nil {
		_, fw.err = fw.w.Write(b)
	}
}

// appendValue appends v as the JSON value of field f.
func appendValue(b []byte, f Field, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return appendFloat(b, x)
	case string:
		if f.Type == where.Date {
			if t, err := time.Parse(DateLayout, x); err == nil {
				return strconv.AppendInt(b, t.UnixMilli(), 10)
			}
		}
		return appendJSONString(b, x)
	}
	return append(b, JSON(v)...)
}
