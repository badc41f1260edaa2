package formats

import (
	"context"
	"io"
	"strconv"

	"mosaic/catalog"
	"mosaic/geometry"
	"mosaic/where"
)

// WriteGeoJSON writes an RFC 7946 FeatureCollection: each item a Feature
// whose id is its OBJECTID, whose geometry is its footprint in WGS 84
// longitude/latitude (counter-clockwise outer rings; null when it has
// none), and whose properties are every other field, DATE values as
// ISO 8601 UTC.
func WriteGeoJSON(ctx context.Context, cat *catalog.Catalog, sel *catalog.Selection, w io.Writer) (int64, error) {
	cols := columnsOf(sel)
	return writeFeatures(ctx, cat, sel, w, "geojson", "]}", func(b []byte, row *catalog.ItemRow, _, p geometry.Polygon) []byte {
		b = append(b, "{\"type\":\"Feature\",\"id\":"...)
		b = strconv.AppendInt(b, cols.int(row, "OBJECTID"), 10)
		b = appendGeometry(b, p)
		b = append(b, `,"properties":{`...)
		first := true
		for i, f := range sel.Fields {
			if f.Name == "OBJECTID" {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, f.Name)
			b = append(b, ':')
			b = appendValue(b, f, row.Values[i])
		}
		return append(b, "}}"...)
	})
}

// writeFeatures streams sel to w as a GeoJSON FeatureCollection, one
// feature a line: appendFeature appends a row's feature, given its
// footprint in the collection's reference (fp) and in WGS 84 (p); tail
// closes the collection after its features. format names the export in
// errors. It returns the number of features written.
func writeFeatures(ctx context.Context, cat *catalog.Catalog, sel *catalog.Selection, w io.Writer, format, tail string,
	appendFeature func(b []byte, row *catalog.ItemRow, fp, p geometry.Polygon) []byte) (int64, error) {
	wgs, err := newToWGS84(sel.Collection.SRS)
	if err != nil {
		return 0, catalog.ParamErrorf("format", "%s: %v", format, err)
	}
	cols := columnsOf(sel)
	if _, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`); err != nil {
		return 0, err
	}
	var b []byte
	var n int64
	err = cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
		fp, err := polygonOf(row)
		if err != nil {
			return err
		}
		p, err := wgs.project(fp, cols.num(row, "LowPS"))
		if err != nil {
			return err
		}
		b = b[:0]
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		b = appendFeature(b, row, fp, p)
		n++
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return n, err
	}
	if n > 0 {
		_, err = io.WriteString(w, "\n")
	}
	if err == nil {
		_, err = io.WriteString(w, tail+"\n")
	}
	return n, err
}

// appendGeometry appends ,"geometry":…,"bbox":[…] for footprint p (in
// longitude/latitude), or ,"geometry":null.
func appendGeometry(b []byte, p geometry.Polygon) []byte {
	if p == nil {
		return append(b, `,"geometry":null`...)
	}
	b = append(b, `,"geometry":`...)
	b = geometry.AppendGeoJSON(b, p)
	e := p.Bounds()
	b = append(b, `,"bbox":[`...)
	for i, v := range [...]float64{e.XMin, e.YMin, e.XMax, e.YMax} {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNumber(b, v)
	}
	return append(b, ']')
}

// appendValue appends a field's value as JSON: DATE as ISO 8601.
func appendValue(b []byte, f catalog.Field, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendNumber(b, x)
	case string:
		if f.Type == where.Date {
			if t := isoTime(x); t != "" {
				return appendString(b, t)
			}
		}
		return appendString(b, x)
	}
	return append(b, catalog.JSON(v)...)
}

func appendString(b []byte, s string) []byte { return append(b, catalog.JSON(s)...) }
