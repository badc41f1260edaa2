package formats

import (
	"context"
	"io"
	"math"
	"strconv"
	"strings"

	"mosaic/catalog"
	"mosaic/geometry"
	"mosaic/where"
)

// STAC versions and the projection extension the items declare.
const (
	stacVersion   = "1.1.0"
	projectionExt = "https://stac-extensions.github.io/projection/v2.0.0/schema.json"
)

// standardInSTAC are the standard fields a STAC item carries elsewhere than
// as properties of their own: in its id, geometry, bbox, asset, title and
// projection fields.
var standardInSTAC = map[string]bool{
	"OBJECTID": true, "Name": true, "Raster": true, "XMin": true, "YMin": true, "XMax": true, "YMax": true,
	"CenterX": true, "CenterY": true, "Shape_Area": true, "Shape_Length": true, "Width": true, "Height": true, "SRS": true,
}

// datetimeField resolves the field whose value is a STAC item's datetime:
// name, else the collection's time field; the zero Field when there is
// none.
func datetimeField(coll *catalog.Collection, name string) (catalog.Field, error) {
	if strings.TrimSpace(name) == "" {
		f, _ := coll.TimeField()
		return f, nil
	}
	f, ok := coll.Field(name)
	if !ok || f.Type != where.Date {
		return catalog.Field{}, catalog.ParamErrorf("datetime-field", "--datetime-field %s: %s has no DATE field of that name", name, coll.Name)
	}
	return f, nil
}

// exportSTAC writes a STAC 1.1 ItemCollection (a GeoJSON FeatureCollection
// of STAC Items). Each item:
//   - id "<collection>-<OBJECTID>", unique and stable;
//   - geometry and bbox: the footprint in WGS 84;
//   - properties: datetime from the DATE field (null when the item has none,
//     with start_datetime and end_datetime spanning all time, as STAC
//     requires of a null datetime: the date is unknown), title (Name), the
//     projection extension's proj:code, proj:bbox (in the raster's own
//     reference) and proj:shape, and every other field under its name;
//   - assets.data: the raster, image/tiff; application=geotiff.
func exportSTAC(ctx context.Context, cat *catalog.Catalog, sel *catalog.Selection, dtField catalog.Field, w io.Writer) (int64, error) {
	coll := sel.Collection
	cols := columnsOf(sel)
	return writeFeatures(ctx, cat, sel, w, "stac", `],"links":[]}`, func(b []byte, row *catalog.ItemRow, fp, p geometry.Polygon) []byte {
		b = append(b, "{\"type\":\"Feature\",\"stac_version\":\""+stacVersion+"\",\"stac_extensions\":[\""+projectionExt+"\"],\"id\":"...)
		b = appendString(b, coll.Name+"-"+strconv.FormatInt(cols.int(row, "OBJECTID"), 10))
		b = appendGeometry(b, p)
		b = append(b, `,"properties":{"datetime":`...)
		if t := isoTime(cols.str(row, dtField.Name)); dtField.Name != "" && t != "" {
			b = appendString(b, t)
		} else {
			b = append(b, `null,"start_datetime":"0001-01-01T00:00:00Z","end_datetime":"9999-12-31T23:59:59Z"`...)
		}
		b = append(b, `,"title":`...)
		b = appendString(b, cols.str(row, "Name"))
		b = appendProjection(b, row, cols, coll.SRS, fp)
		for i, f := range sel.Fields {
			if standardInSTAC[f.Name] {
				continue
			}
			b = append(b, ',')
			b = appendString(b, f.Name)
			b = append(b, ':')
			b = appendValue(b, f, row.Values[i])
		}
		b = append(b, `},"links":[],"assets":{"data":{"href":`...)
		b = appendString(b, cols.str(row, "Raster"))
		return append(b, `,"type":"image/tiff; application=geotiff","roles":["data"]}}}`...)
	})
}

// appendProjection appends the projection extension's fields: proj:code,
// the raster's own reference; proj:bbox, the footprint's bounds in it
// (projected back from the collection's when the two differ, and left out
// when that cannot be done); proj:shape, [height, width] when known.
func appendProjection(b []byte, row *catalog.ItemRow, cols columns, collSRS string, fp geometry.Polygon) []byte {
	srs := cols.str(row, "SRS")
	if srs == "" {
		srs = collSRS
	}
	b = append(b, `,"proj:code":`...)
	if srs == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, srs)
	}
	if fp != nil && srs != "" {
		native := fp
		ok := true
		if srs != collSRS {
			ok = false
			if t, err := catalog.Transformation(collSRS, srs); err == nil {
				e := fp.Bounds()
				tol := math.Max(e.XMax-e.XMin, e.YMax-e.YMin) / 1000
				if q, err := geometry.ProjectPolygon(fp, t.Forward, tol); err == nil && tol > 0 {
					native, ok = q, true
				}
			}
		}
		if ok {
			e := native.Bounds()
			b = append(b, `,"proj:bbox":[`...)
			for i, v := range [...]float64{e.XMin, e.YMin, e.XMax, e.YMax} {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendNumber(b, v)
			}
			b = append(b, ']')
		}
	}
	if h, w := cols.int(row, "Height"), cols.int(row, "Width"); h > 0 && w > 0 {
		b = append(b, `,"proj:shape":[`...)
		b = strconv.AppendInt(b, h, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, w, 10)
		b = append(b, ']')
	}
	return b
}
