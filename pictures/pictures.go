// Package pictures draws what a person would rather look at than read: the
// footprints of a collection's items as an SVG map (package svgmap), for
// list-images -f svg, a dry run of delete-image, and the pages of mosaic
// serve. It reads the catalog and writes SVG or HTML; it never changes
// anything, and the pictures need no script, font or tile from elsewhere.
package pictures

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"

	"mosaic/catalog"
	"mosaic/geometry"
	"mosaic/jobs"
	"mosaic/proj"
	"mosaic/svgmap"
)

// Options tune a picture.
type Options struct {
	Title  string
	Width  int  // px; svgmap's default when 0
	Inline bool // for SVG inside an HTML page: no XML prolog
	// IDPrefix keeps the ids of several maps on one page apart.
	IDPrefix string
}

// newMap starts a map of coll, framed on extent (the collection boundary
// when nil).
func newMap(coll *catalog.Collection, extent *catalog.Extent, o Options, labels map[svgmap.Class]string, classes ...svgmap.Class) *svgmap.Map {
	mo := svgmap.Options{SRS: coll.SRS, Title: o.Title, Width: o.Width, Inline: o.Inline, IDPrefix: o.IDPrefix, Classes: classes, Labels: labels}
	if crs, err := proj.Parse(coll.SRS); err == nil {
		mo.Units = svgmap.Units(crs.Units())
	}
	if extent == nil {
		extent = coll.Boundary
	}
	if extent != nil {
		mo.Extent = svgmap.Envelope{XMin: extent.XMin, YMin: extent.YMin, XMax: extent.XMax, YMax: extent.YMax}
	}
	return svgmap.New(mo)
}

// footprintFields are the fields a picture reads of each item.
var footprintFields = []string{"OBJECTID", "Category", "XMin", "YMin", "XMax", "YMax"}

// rings is an item's footprint for svgmap: its bounds when it is their
// rectangle (no parsing), else its rings.
func rings(row *catalog.ItemRow) ([][][2]float64, error) {
	if row.Rectangle {
		xmin, _ := row.Values[2].(float64)
		ymin, _ := row.Values[3].(float64)
		xmax, _ := row.Values[4].(float64)
		ymax, _ := row.Values[5].(float64)
		return [][][2]float64{{{xmin, ymin}, {xmax, ymin}, {xmax, ymax}, {xmin, ymax}, {xmin, ymin}}}, nil
	}
	if row.Shape == "" {
		return nil, nil
	}
	g, _, err := geometry.ParseEsri("esriGeometryPolygon", `{"rings":`+row.Shape+`}`)
	if err != nil {
		return nil, fmt.Errorf("footprint of item %v: %w", row.Values[0], err)
	}
	return g.(geometry.Polygon), nil
}

// boundaryRings is an extent as a closed ring.
func boundaryRings(e *catalog.Extent) [][][2]float64 {
	return [][][2]float64{{{e.XMin, e.YMin}, {e.XMax, e.YMin}, {e.XMax, e.YMax}, {e.XMin, e.YMax}, {e.XMin, e.YMin}}}
}

// Listing draws the items q selects of coll, with the collection's
// boundary, as an SVG document.
func Listing(ctx context.Context, cat *catalog.Catalog, coll *catalog.Collection, q catalog.Query, w io.Writer, o Options) error {
	q.Fields, q.Geometry = footprintFields, true
	sel, err := coll.Select(q)
	if err != nil {
		return err
	}
	if o.Title == "" {
		o.Title = coll.Name
		if q.Where != "" {
			o.Title += " where " + q.Where
		}
	}
	m := newMap(coll, nil, o, nil, svgmap.Item)
	if b := coll.Boundary; b != nil {
		m.AddBoundary("Boundary", boundaryRings(b), svgmap.After)
	}
	if q.Spatial != nil {
		// The area asked about, where it is one (a point or points would
		// hide under the footprints they select).
		g, err := coll.PlaceGeometry(q.Spatial)
		if err != nil {
			return err
		}
		switch g := g.(type) {
		case geometry.Envelope:
			m.AddBoundary("Query geometry", g.Polygon(), svgmap.Before)
		case geometry.Polygon:
			m.AddBoundary("Query geometry", g, svgmap.Before)
		}
	}
	err = cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
		r, err := rings(row)
		if err == nil && r != nil {
			m.Add(svgmap.Item, r)
		}
		return err
	})
	if err != nil {
		return err
	}
	_, err = m.WriteTo(w)
	return err
}

// Removal draws what a finished DeleteImage removed: the items of coll
// now, kept, and those removed (selected by removed, as
// jobs.Manager.RemovedSelection gives them with footprintFields), with the
// boundary before (the collection's grown over the removed primary items)
// and after (the collection's now).
func Removal(ctx context.Context, cat *catalog.Catalog, coll *catalog.Collection, removed *catalog.Selection, w io.Writer, o Options) error {
	gone, _, err := cat.Extent(ctx, removed)
	if err != nil {
		return err
	}
	before := union(coll.Boundary, gone)
	kept, err := coll.Select(catalog.Query{Fields: footprintFields, Geometry: true})
	if err != nil {
		return err
	}
	m := newMap(coll, before, o, map[svgmap.Class]string{svgmap.Removed: "Removed"}, svgmap.Kept, svgmap.Removed)
	for _, s := range []struct {
		sel   *catalog.Selection
		class svgmap.Class
	}{{kept, svgmap.Kept}, {removed, svgmap.Removed}} {
		err := cat.Each(ctx, s.sel, func(row *catalog.ItemRow) error {
			r, err := rings(row)
			if err == nil && r != nil {
				m.Add(s.class, r)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	if before != nil {
		m.AddBoundary("Boundary before", boundaryRings(before), svgmap.Before)
	}
	if b := coll.Boundary; b != nil {
		m.AddBoundary("Boundary after", boundaryRings(b), svgmap.After)
	}
	_, err = m.WriteTo(w)
	return err
}

// union is the extent of both (nil when both are).
func union(a, b *catalog.Extent) *catalog.Extent {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return &catalog.Extent{XMin: min(a.XMin, b.XMin), YMin: min(a.YMin, b.YMin), XMax: max(a.XMax, b.XMax), YMax: max(a.YMax, b.YMax)}
}

// DryRun draws a delete-image dry run: every item of coll, those whose
// OBJECTID is in removed (sorted) in the removed style and the others
// kept, with the boundary before (the collection's) and after (the extent
// of the kept primary items). It returns the boundary after (nil when no
// primary item is kept).
func DryRun(ctx context.Context, cat *catalog.Catalog, coll *catalog.Collection, removed []int64, w io.Writer, o Options) (*catalog.Extent, error) {
	if !sort.SliceIsSorted(removed, func(i, j int) bool { return removed[i] < removed[j] }) {
		return nil, fmt.Errorf("dry run picture: OBJECTIDs not sorted")
	}
	sel, err := coll.Select(catalog.Query{Fields: footprintFields, Geometry: true})
	if err != nil {
		return nil, err
	}
	m := newMap(coll, nil, o, map[svgmap.Class]string{svgmap.Removed: "To be removed"}, svgmap.Kept, svgmap.Removed)
	var after *catalog.Extent
	next := 0
	err = cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
		id, _ := row.Values[0].(int64)
		for next < len(removed) && removed[next] < id {
			next++
		}
		class := svgmap.Kept
		if next < len(removed) && removed[next] == id {
			class = svgmap.Removed
		}
		r, err := rings(row)
		if err != nil || r == nil {
			return err
		}
		m.Add(class, r)
		if cat, _ := row.Values[1].(int64); class == svgmap.Kept && cat == catalog.CategoryPrimary {
			xmin, _ := row.Values[2].(float64)
			ymin, _ := row.Values[3].(float64)
			xmax, _ := row.Values[4].(float64)
			ymax, _ := row.Values[5].(float64)
			if after == nil {
				after = &catalog.Extent{XMin: xmin, YMin: ymin, XMax: xmax, YMax: ymax}
			} else {
				after.XMin, after.YMin = min(after.XMin, xmin), min(after.YMin, ymin)
				after.XMax, after.YMax = max(after.XMax, xmax), max(after.YMax, ymax)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if b := coll.Boundary; b != nil {
		m.AddBoundary("Boundary before", boundaryRings(b), svgmap.Before)
	}
	if after != nil {
		m.AddBoundary("Boundary after", boundaryRings(after), svgmap.After)
	}
	_, err = m.WriteTo(w)
	return after, err
}

// Job draws what job j did, for its page: for a DeleteImage that removed
// items, the Removal picture, inline. It returns nil when there is nothing
// to draw: another task, nothing removed yet, or the removed rows are no
// longer kept (the job was undone or its undo log purged).
func Job(ctx context.Context, m *jobs.Manager, j *jobs.Job, o Options) ([]byte, error) {
	if j.Task != jobs.TaskDeleteImage || j.Done == 0 || j.UndoneBy != "" || !j.Purged.IsZero() {
		return nil, nil
	}
	removed, err := m.RemovedSelection(ctx, j.ID, footprintFields...)
	if catalog.ErrorCode(err) == catalog.Conflict {
		return nil, nil // nothing removed yet (a swap removes all at once)
	}
	if err != nil {
		return nil, err
	}
	if o.Title == "" {
		o.Title = "Removed from " + j.CollectionName
	}
	o.Inline = true
	var buf bytes.Buffer
	if err := Removal(ctx, m.Catalog(), removed.Collection, removed, &buf, o); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
