package formats

import (
	"fmt"
	"math"

	"mosaic/catalog"
	"mosaic/geometry"
	"mosaic/proj"
)

// polygonOf is an item's footprint as a polygon, or nil when it has none.
func polygonOf(row *catalog.ItemRow) (geometry.Polygon, error) {
	if row.Shape == "" {
		return nil, nil
	}
	g, _, err := geometry.ParseEsri("esriGeometryPolygon", `{"rings":`+row.Shape+`}`)
	if err != nil {
		return nil, fmt.Errorf("footprint: %w", err)
	}
	return g.(geometry.Polygon), nil
}

// toWGS84 projects footprints from a collection's spatial reference into
// WGS 84 longitude/latitude, densified to within half a pixel.
type toWGS84 struct {
	t       *proj.Transform // nil when the collection is in EPSG:4326
	degrees bool            // the collection's units are degrees
}

func newToWGS84(srs string) (*toWGS84, error) {
	if srs == "" {
		return nil, fmt.Errorf("the collection has no spatial reference: its footprints cannot be given in longitude and latitude")
	}
	t, err := catalog.Transformation(srs, "EPSG:4326")
	if err != nil {
		return nil, err
	}
	w := &toWGS84{degrees: t.From().IsGeographic()}
	if !t.IsIdentity() {
		w.t = t
	}
	return w, nil
}

// metresPerDegree is a degree of latitude in metres: a pixel size in
// metres divided by it is no larger than the same length in degrees of
// longitude or latitude anywhere, so the tolerance errs on the fine side.
const metresPerDegree = 111_320

// project returns p in longitude/latitude. cell is the item's pixel size in
// the collection's units (0 when unknown: then a thousandth of the
// footprint's size).
func (w *toWGS84) project(p geometry.Polygon, cell float64) (geometry.Polygon, error) {
	if w.t == nil || p == nil {
		return p, nil
	}
	tol := cell / 2
	if !w.degrees {
		tol /= metresPerDegree
	}
	if !(tol > 0) {
		b := p.Bounds()
		tol = math.Max(b.XMax-b.XMin, b.YMax-b.YMin) / 1000
		if !w.degrees {
			tol /= metresPerDegree
		}
	}
	if !(tol > 0) {
		tol = 1e-9
	}
	q, err := geometry.ProjectPolygon(p, w.t.Forward, tol)
	if err != nil {
		return nil, fmt.Errorf("project footprint into EPSG:4326: %w", err)
	}
	return q, nil
}
