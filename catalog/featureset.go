package catalog

import (
	"bufio"
	"bytes"
	"encoding/json"
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
type FieldJSON struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Alias string `json:"alias"`
}

// FieldsJSON describes fields as ArcGIS does.
func FieldsJSON(fields []Field) []FieldJSON {
	out := make([]FieldJSON, len(fields))
	for i, f := range fields {
		out[i] = FieldJSON{Name: f.Name, Type: esriFieldType(f), Alias: f.Name}
	}
	return out
}

// SpatialReferenceJSON is {"wkid": N} for an EPSG reference, or {} when
// unknown.
func SpatialReferenceJSON(srs string) map[string]any {
	if code := EPSGCode(srs); code != 0 {
		return map[string]any{"wkid": code, "latestWkid": code}
	}
	return map[string]any{}
}

// FeatureSetWriter streams items as an ArcGIS feature set:
// {"objectIdFieldName":…,"fields":[…],"features":[{"attributes":{…},"geometry":{"rings":…}}]}.
// DATE values are written as ArcGIS writes them, milliseconds since
// 1970-01-01 UTC. One feature per line keeps the output greppable.
type FeatureSetWriter struct {
	w        *bufio.Writer
	fields   []Field
	names    [][]byte // each field name as a JSON string with its colon
	geometry bool
	n        int
	buf      []byte
	err      error
}

// NewFeatureSetWriter starts a feature set of coll with the given fields.
func NewFeatureSetWriter(w io.Writer, coll *Collection, fields []Field, geometry bool) *FeatureSetWriter {
	fw := &FeatureSetWriter{w: bufio.NewWriterSize(w, 64<<10), fields: fields, geometry: geometry}
	for _, f := range fields {
		fw.names = append(fw.names, append(jsonString(nil, f.Name), ':'))
	}
	head := struct {
		ObjectIDFieldName string         `json:"objectIdFieldName"`
		GeometryType      string         `json:"geometryType,omitempty"`
		SpatialReference  map[string]any `json:"spatialReference,omitempty"`
		Fields            []FieldJSON    `json:"fields"`
	}{ObjectIDFieldName: "OBJECTID", Fields: FieldsJSON(fields)}
	if geometry {
		head.GeometryType = "esriGeometryPolygon"
		head.SpatialReference = SpatialReferenceJSON(coll.SRS)
	}
	b := marshal(head)
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
	fw.write([]byte("]}\n"))
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
		return jsonString(b, x)
	}
	return append(b, marshal(v)...)
}

// jsonString appends s as a JSON string, without HTML escaping.
func jsonString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return append(b, bytes.TrimRight(buf.Bytes(), "\n")...)
}

// marshal is json.Marshal without HTML escaping, for values that cannot fail.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// appendFloat formats x as encoding/json does: plain decimals, with an
// exponent only for very small or very large magnitudes (5001000, not
// 5.001e+06), the shortest form that reads back as x.
func appendFloat(b []byte, x float64) []byte {
	if a := math.Abs(x); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	}
	return strconv.AppendFloat(b, x, 'f', -1, 64)
}
