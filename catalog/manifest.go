package catalog

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"mosaic/geometry"
	"mosaic/geotiff"
	"mosaic/internal/textutil"
)

// FootprintSRSColumn names a manifest column that is no field: the spatial
// reference a row's XMin…YMax and Shape are given in, when it is not the
// row's SRS (the raster's own). An exported manifest gives the
// collection's, so that its footprints load back unprojected.
const FootprintSRSColumn = "FootprintSRS"

// LoadManifest adds the items listed in a CSV manifest to coll without
// opening any raster: how test fixtures and huge archives are registered.
// The header row names item fields (case-insensitively): Raster is
// required, any other standard or user field is optional, OBJECTID is
// assigned by the catalog (see manifestField: a manifest stands for the
// rasters, so it may give what add-image would read from them, which
// --attr may not). Empty cells are NULL. Name defaults to the
// Raster's file name; given XMin, YMin, XMax and YMax, the footprint,
// center, area and perimeter are derived. The whole manifest is added in one
// transaction: any bad line rejects it all, with an error naming the line.
// source names the manifest in error messages. It is the Go API's way to
// build a catalog (test fixtures); commands load manifests through jobs.
func (c *Catalog) LoadManifest(ctx context.Context, coll *Collection, r io.Reader, source string) (int, error) {
	var n int
	err := c.Update(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.LoadManifest(ctx, coll, r, source)
		return err
	})
	return n, err
}

// LoadManifest adds the items of a CSV manifest to coll inside tx (see
// Catalog.LoadManifest). It reads r to its end.
func (tx *Tx) LoadManifest(ctx context.Context, coll *Collection, r io.Reader, source string) (int, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	h, err := coll.readManifestHeader(cr, source)
	if err != nil {
		return 0, err
	}
	cols, header, fields, pos, seen, footprintSRSAt := h.cols, h.names, h.fields, h.pos, h.seen, h.footprintSRSAt
	// Bind only what the manifest gives and what derives from it; the other
	// columns take their defaults, and fewer parameters load faster.
	used := map[int]bool{}
	for _, p := range pos {
		if p >= 0 {
			used[p] = true
		}
	}
	for _, name := range []string{"Name", "Category", "Stale"} {
		used[cols.pos[textutil.ToLower(name)]] = true
	}
	hasBounds := true
	for _, name := range []string{"XMin", "YMin", "XMax", "YMax"} {
		_, ok := seenField(seen, cols, name)
		hasBounds = hasBounds && ok
	}
	_, hasSRS := seenField(seen, cols, "SRS")
	_, hasShape := seenField(seen, cols, ShapeColumn)
	projects := (hasSRS || footprintSRSAt >= 0) && coll.SRS != "" // rows in another SRS have their footprints projected
	if hasBounds || projects {
		for _, name := range []string{"CenterX", "CenterY", "Shape_Area", "Shape_Length"} {
			used[cols.pos[textutil.ToLower(name)]] = true
		}
	}
	if hasShape {
		for _, name := range []string{"XMin", "YMin", "XMax", "YMax", "CenterX", "CenterY", "Shape_Area", "Shape_Length"} {
			used[cols.pos[textutil.ToLower(name)]] = true
		}
	}
	if projects && (hasBounds || hasShape) {
		for _, name := range []string{ShapeColumn, "XMin", "YMin", "XMax", "YMax"} {
			used[cols.pos[textutil.ToLower(name)]] = true
		}
	}
	srsOf := map[string]string{} // the manifest's spellings of spatial references, normalised
	var usedPos []int
	for i := range cols.names {
		if used[i] {
			usedPos = append(usedPos, i)
		}
	}
	added := 0
	err = func() error {
		ins, err := tx.newInserter(ctx, coll, usedPos)
		if err != nil {
			return err
		}
		defer ins.close()
		row := make([]any, len(cols.names)) // reused: add copies the values
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					if errors.Is(pe.Err, csv.ErrFieldCount) {
						return Errorf(Invalid, "manifest %s line %d: %d fields, but the header has %d", source, pe.StartLine, len(rec), len(header))
					}
					return Errorf(Invalid, "manifest %s line %d, column %d: %v", source, pe.StartLine, pe.Column, pe.Err)
				}
				return Errorf(Invalid, "manifest %s: %w", source, err)
			}
			line, _ := cr.FieldPos(0)
			clear(row)
			for i, cell := range rec {
				if i == footprintSRSAt {
					continue
				}
				if fields[i].Name == ShapeColumn {
					if cell != "" {
						row[pos[i]] = cell
					}
					continue
				}
				v, err := ConvertText(fields[i], cell)
				if err != nil {
					return Errorf(Invalid, "manifest %s line %d: %v", source, line, err)
				}
				row[pos[i]] = v
			}
			raster, _ := row[col.Raster].(string)
			if strings.TrimSpace(raster) == "" {
				return Errorf(Invalid, "manifest %s line %d: Raster is empty", source, line)
			}
			if err := checkBounds(row); err != nil {
				return Errorf(Invalid, "manifest %s line %d: %v", source, line, err)
			}
			normalise := func(column, given string) (string, error) {
				srs, known := srsOf[given]
				if !known {
					var err error
					if srs, err = ParseSRS(given); err != nil {
						return "", Errorf(Invalid, "manifest %s line %d: %s: %v", source, line, column, err)
					}
					srsOf[given] = srs
				}
				return srs, nil
			}
			extentSRS := ""
			if given, ok := row[col.SRS].(string); ok {
				if extentSRS, err = normalise("SRS", given); err != nil {
					return err
				}
				row[col.SRS] = extentSRS
			}
			if footprintSRSAt >= 0 && rec[footprintSRSAt] != "" {
				if extentSRS, err = normalise(FootprintSRSColumn, rec[footprintSRSAt]); err != nil {
					return err
				}
			}
			if projects && extentSRS != "" && extentSRS != coll.SRS {
				if err := projectRow(row, cols, extentSRS, coll.SRS); err != nil {
					return Errorf(Invalid, "manifest %s line %d: %v", source, line, err)
				}
			} else if shape, ok := row[col.Shape].(string); ok {
				// The bounds, center, area and perimeter of a footprint given
				// as rings are its own, whatever other columns say.
				g, _, err := geometry.ParseEsri("esriGeometryPolygon", `{"rings":`+shape+`}`)
				if err != nil {
					return Errorf(Invalid, "manifest %s line %d: Shape: %v", source, line, err)
				}
				setPolygon(row, cols, g.(geometry.Polygon))
				if err := checkBounds(row); err != nil {
					return Errorf(Invalid, "manifest %s line %d: %v", source, line, err)
				}
			}
			finishRow(row)
			if err := ins.add(row); err != nil {
				return fmt.Errorf("manifest %s line %d: %w", source, line, err)
			}
			added++
		}
		return ins.finish()
	}()
	if err != nil {
		return 0, fmt.Errorf("load manifest into %s: %w", coll.Name, err)
	}
	return added, nil
}

// checkBounds refuses bounds that no raster has, as the GeoTIFF reader
// does: beyond geotiff.MaxCoordinate, or a minimum above its maximum.
func checkBounds(row []any) error {
	for _, c := range []struct {
		name string
		i    int
	}{{"XMin", col.XMin}, {"YMin", col.YMin}, {"XMax", col.XMax}, {"YMax", col.YMax}} {
		if v, ok := row[c.i].(float64); ok && math.Abs(v) > geotiff.MaxCoordinate {
			return fmt.Errorf("%s %g is beyond the %g map units of any coordinate system", c.name, v, geotiff.MaxCoordinate)
		}
	}
	for _, p := range [][2]int{{col.XMin, col.XMax}, {col.YMin, col.YMax}} {
		lo, ok1 := row[p[0]].(float64)
		hi, ok2 := row[p[1]].(float64)
		if ok1 && ok2 && lo > hi {
			name := "X"
			if p[0] == col.YMin {
				name = "Y"
			}
			return fmt.Errorf("%sMin %g is greater than %sMax %g", name, lo, name, hi)
		}
	}
	return nil
}

// manifestHeader is a manifest's first line, resolved to coll's columns.
type manifestHeader struct {
	cols   *columnIndex
	names  []string       // as written
	fields []Field        // the field of each column
	pos    []int          // the position of each column in an item row
	seen   map[int]string // item row position → the name that gave it
	// footprintSRSAt is the FootprintSRS column, or -1.
	footprintSRSAt int
}

// CheckManifestHeader reads the first line of the manifest r and checks it
// as LoadManifest will: known fields (see manifestField), none twice, a
// Raster column. AddImage checks it when the job is submitted, so that a
// file that is not a manifest of coll never becomes a job; the lines below
// are checked when the job runs.
func (coll *Collection) CheckManifestHeader(r io.Reader, source string) error {
	cr := csv.NewReader(r)
	_, err := coll.readManifestHeader(cr, source)
	return err
}

func (coll *Collection) readManifestHeader(cr *csv.Reader, source string) (*manifestHeader, error) {
	record, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, Errorf(Invalid, "manifest %s is empty: its first line must name the fields (Raster at least)", source)
	}
	if err != nil {
		return nil, Errorf(Invalid, "manifest %s: %v", source, err)
	}
	header := append([]string(nil), record...) // the reader reuses its records
	h := &manifestHeader{cols: coll.columnIndex(), names: header, fields: make([]Field, len(header)),
		pos: make([]int, len(header)), seen: map[int]string{}, footprintSRSAt: -1}
	hasRaster := false
	for i, name := range header {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if textutil.EqualFold(name, FootprintSRSColumn) {
			if h.footprintSRSAt >= 0 {
				return nil, Errorf(Invalid, "manifest %s line 1: %s appears twice", source, FootprintSRSColumn)
			}
			h.footprintSRSAt, h.pos[i] = i, -1
			continue
		}
		f := Field{Name: ShapeColumn}
		if !textutil.EqualFold(name, ShapeColumn) {
			var err error
			if f, err = coll.manifestField(name); err != nil {
				return nil, Errorf(Invalid, "manifest %s line 1, column %d: %v", source, i+1, err)
			}
		}
		p := h.cols.pos[textutil.ToLower(f.Name)]
		if prev, dup := h.seen[p]; dup {
			return nil, Errorf(Invalid, "manifest %s line 1: field %s appears twice (%s and %s)", source, f.Name, textutil.Quote(prev), textutil.Quote(name))
		}
		h.seen[p] = name
		hasRaster = hasRaster || f.Name == "Raster"
		h.fields[i], h.pos[i] = f, p
	}
	if !hasRaster {
		return nil, Errorf(Invalid, "manifest %s line 1: a Raster column (the source path of each item) is required", source)
	}
	return h, nil
}

// manifestField returns the field of coll named name (case-insensitively)
// that a manifest column may give: every field but OBJECTID, which the
// catalog assigns. Unlike the values a user sets on added rasters
// (Collection.WritableField), a manifest registers items without opening
// their rasters, so it legitimately carries what would otherwise be read
// from them or computed from their footprint: Raster, XMin…YMax, Width,
// PixelType, SRS, Category (overviews) and the rest.
func (coll *Collection) manifestField(name string) (Field, error) {
	f, ok := coll.Field(strings.TrimSpace(name))
	if !ok {
		var names []string
		for _, f := range coll.Schema() {
			if f.Name != "OBJECTID" {
				names = append(names, f.Name)
			}
		}
		return Field{}, Errorf(Invalid, "unknown field %s (fields of %s: %s)", textutil.Quote(name), coll.Name, strings.Join(names, ", "))
	}
	if f.Name == "OBJECTID" {
		return Field{}, Errorf(Invalid, "OBJECTID is assigned by the catalog and cannot be set")
	}
	return f, nil
}

// seenField reports whether the manifest header has the field name.
func seenField(seen map[int]string, cols *columnIndex, name string) (string, bool) {
	h, ok := seen[cols.pos[textutil.ToLower(name)]]
	return h, ok
}
