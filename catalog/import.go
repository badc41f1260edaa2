package catalog

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"mosaic/geometry"
)

// ImportedItem is an item read from another tool's file (a GDAL tile
// index, GeoJSON, a STAC ItemCollection): no raster is opened.
type ImportedItem struct {
	Raster string
	// Footprint is in FootprintSRS; nil when the item has none.
	Footprint    geometry.Polygon
	FootprintSRS string
	// Values are field values by field name (case-insensitive), as a
	// manifest gives them; "datetime" goes to the collection's time field
	// unless that field is given. Names that are no field of the
	// collection, and the fields the footprint determines, are not stored.
	Values map[string]any
}

// derivedFields are set from an item's footprint, never from its values.
var derivedFields = map[string]bool{"XMin": true, "YMin": true, "XMax": true, "YMax": true,
	"CenterX": true, "CenterY": true, "Shape_Area": true, "Shape_Length": true}

// Importer adds imported items to a collection inside one transaction,
// one at a time (see Tx.Importer).
type Importer struct {
	ctx     context.Context
	tx      *Tx
	coll    *Collection
	ins     *inserter
	row     []any
	ignored map[string]bool
	added   int
}

// Importer starts adding imported items to coll inside tx. Call Add for
// each, then Finish.
func (tx *Tx) Importer(ctx context.Context, coll *Collection) (*Importer, error) {
	ins, err := tx.newInserter(ctx, coll, nil)
	if err != nil {
		return nil, err
	}
	return &Importer{ctx: ctx, tx: tx, coll: coll, ins: ins, row: make([]any, len(ins.cols.names)), ignored: map[string]bool{}}, nil
}

// Add adds one item: its values converted to the collection's fields, its
// footprint projected into the collection's spatial reference (which the
// first footprint gives a collection that has none).
func (im *Importer) Add(it ImportedItem) error {
	row, cols, coll := im.row, im.ins.cols, im.coll
	clear(row)
	if strings.TrimSpace(it.Raster) == "" {
		return Errorf(Invalid, "an item names no raster")
	}
	row[col.Raster] = it.Raster
	timeField, hasTime := coll.TimeField()
	for k, v := range it.Values {
		f, ok := coll.Field(k)
		if strings.EqualFold(k, "datetime") && !ok && hasTime {
			if _, given := it.Values[timeField.Name]; given {
				continue
			}
			f, ok = timeField, true
		}
		if !ok || f.Name == "OBJECTID" || f.Name == "Raster" || derivedFields[f.Name] {
			if !ok {
				im.ignored[k] = true
			}
			continue
		}
		cv, err := ConvertValue(f, v)
		if err != nil {
			return Errorf(Invalid, "item %s: %v", it.Raster, err)
		}
		if f.Name == "SRS" && cv != nil {
			if cv, err = ParseSRS(cv.(string)); err != nil {
				return Errorf(Invalid, "item %s: SRS: %v", it.Raster, err)
			}
		}
		row[cols.pos[strings.ToLower(f.Name)]] = cv
	}
	if p := it.Footprint; len(p) > 0 {
		from, err := ParseSRS(it.FootprintSRS)
		if err != nil {
			return Errorf(Invalid, "item %s: %v", it.Raster, err)
		}
		if coll.SRS == "" && from != "" {
			if err := im.tx.SetSRS(im.ctx, coll, from); err != nil {
				return err
			}
		}
		if from != "" && from != coll.SRS {
			w, _ := row[col.Width].(int64)
			h, _ := row[col.Height].(int64)
			if p, err = projectPolygon(p, from, coll.SRS, w, h); err != nil {
				return Errorf(Invalid, "item %s: %v", it.Raster, err)
			}
		}
		setPolygon(row, cols, p)
	}
	finishRow(row)
	if err := im.ins.add(row); err != nil {
		return fmt.Errorf("item %s: %w", it.Raster, err)
	}
	im.added++
	return nil
}

// Finish writes what is buffered and returns how many items were added
// and the value names that are no field of the collection (sorted).
func (im *Importer) Finish() (added int, ignored []string, err error) {
	defer im.ins.close()
	if err := im.ins.finish(); err != nil {
		return 0, nil, err
	}
	for k := range im.ignored {
		ignored = append(ignored, k)
	}
	sort.Strings(ignored)
	return im.added, ignored, nil
}
