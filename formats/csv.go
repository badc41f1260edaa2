package formats

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"

	"mosaic/catalog"
)

// exportCSV writes the manifest that add-image --manifest reads back: every
// field but OBJECTID (which the catalog assigns), with the footprint as
// ArcGIS rings in Shape, left empty when it is the rectangle of XMin…YMax,
// and FootprintSRS, the collection's reference, which the footprints are
// in (SRS keeps each raster's own, and would otherwise say they are in it).
// DATE values are written as stored ('YYYY-MM-DD HH:MM:SS', UTC) and
// numbers exactly, so that export then import gives the same rows.
func exportCSV(ctx context.Context, cat *catalog.Catalog, sel *catalog.Selection, w io.Writer) (int64, error) {
	cw := csv.NewWriter(w)
	var header []string
	var keep []int
	for i, f := range sel.Fields {
		if f.Name == "OBJECTID" {
			continue
		}
		header = append(header, f.Name)
		keep = append(keep, i)
	}
	header = append(header, catalog.ShapeColumn)
	footprintSRS := sel.Collection.SRS
	if footprintSRS != "" {
		header = append(header, catalog.FootprintSRSColumn)
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	rec := make([]string, len(header))
	var buf []byte
	var n int64
	err := cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
		for k, i := range keep {
			switch v := row.Values[i].(type) {
			case nil:
				rec[k] = ""
			case int64:
				rec[k] = strconv.FormatInt(v, 10)
			case float64:
				buf = appendNumber(buf[:0], v)
				rec[k] = string(buf)
			case string:
				rec[k] = v
			}
		}
		shape := len(keep)
		rec[shape] = row.Shape
		if row.Rectangle {
			rec[shape] = ""
		}
		if footprintSRS != "" {
			rec[shape+1] = footprintSRS
		}
		n++
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}
