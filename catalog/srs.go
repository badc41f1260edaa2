package catalog

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"mosaic/geometry"
	"mosaic/internal/textutil"
	"mosaic/proj"
)

// ParseSRS normalises a spatial reference: "EPSG:32632", "epsg:32632",
// "32632" and the ArcGIS wkids of a supported system (102100 for
// EPSG:3857) become "EPSG:N"; "" stays "". A code that package proj does
// not know is kept as "EPSG:N": a collection in it takes the rasters that
// share it, and only projecting into or out of it is refused.
func ParseSRS(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	crs, err := proj.Parse(s)
	if err == nil {
		return crs.String(), nil
	}
	var unknown *proj.UnknownCodeError
	if errors.As(err, &unknown) && unknown.Code > 0 && unknown.Code <= 999999 {
		return "EPSG:" + strconv.Itoa(unknown.Code), nil
	}
	return "", Errorf(Invalid, "spatial reference %s: expected EPSG:<code>, such as EPSG:32632", textutil.Quote(s))
}

// EPSGCode returns the numeric code of an "EPSG:N" spatial reference, or 0.
func EPSGCode(srs string) int {
	if !strings.HasPrefix(srs, "EPSG:") {
		return 0
	}
	n, _ := strconv.Atoi(srs[5:])
	return n
}

// transforms caches the transformations between pairs of spatial
// references, which are few: building one looks up both systems.
var transforms sync.Map // [2]string → *proj.Transform

// Transformation returns the transformation from spatial reference from to
// to ("EPSG:N" both). A code that package proj does not support is an
// Invalid error naming it.
func Transformation(from, to string) (*proj.Transform, error) {
	key := [2]string{from, to}
	if t, ok := transforms.Load(key); ok {
		return t.(*proj.Transform), nil
	}
	src, err := proj.Parse(from)
	if err != nil {
		return nil, Errorf(Invalid, "cannot project from %s: %w", from, err)
	}
	dst, err := proj.Parse(to)
	if err != nil {
		return nil, Errorf(Invalid, "cannot project into %s: %w", to, err)
	}
	t, err := proj.NewTransform(src, dst)
	if err != nil {
		return nil, Errorf(Invalid, "cannot project from %s into %s: %w", from, to, err)
	}
	transforms.Store(key, t)
	return t, nil
}

// projectFootprint projects a raster's corners (clockwise from the upper
// left) through t, densified so that the polygon strays less than half a
// target pixel from the true projected edges, and returns it with the
// pixel size in the target's units: the side of a square pixel of the same
// area, as the projected raster covers width × height of them.
func projectFootprint(t *proj.Transform, corners [][2]float64, width, height int) (ring [][2]float64, cell float64, err error) {
	quad := make([][2]float64, len(corners))
	copy(quad, corners)
	if err := t.ForwardPoints(quad); err != nil {
		if errors.Is(err, proj.ErrOutsideDomain) {
			return nil, 0, fmt.Errorf("its footprint lies outside what %s can represent: %w", t.To(), err)
		}
		return nil, 0, err
	}
	area, _, _, _ := polygonMeasures(quad)
	if width <= 0 || height <= 0 || !(area > 0) || math.IsInf(area, 0) {
		return nil, 0, fmt.Errorf("projected footprint into %s has no area", t.To())
	}
	cell = math.Sqrt(area / (float64(width) * float64(height)))
	ring, err = geometry.DensifyProjected(corners, quad, t.Forward, cell/2)
	if err != nil {
		return nil, 0, fmt.Errorf("project footprint into %s: %w", t.To(), err)
	}
	return ring, cell, nil
}

// projectRow projects the footprint of a manifest row given in spatial
// reference from (its Shape rings, else the rectangle of its XMin…YMax)
// into to, and sets the footprint and what derives from it (bounds,
// center, area, perimeter) in to's units. A row with neither rings nor
// bounds has no footprint to project.
func projectRow(row []any, cols *columnIndex, from, to string) error {
	var src geometry.Polygon
	if shape, ok := row[col.Shape].(string); ok && shape != "" {
		g, _, err := geometry.ParseEsri("esriGeometryPolygon", `{"rings":`+shape+`}`)
		if err != nil {
			return fmt.Errorf("Shape: %v", err)
		}
		src = g.(geometry.Polygon)
	} else {
		xmin, ok1 := row[col.XMin].(float64)
		ymin, ok2 := row[col.YMin].(float64)
		xmax, ok3 := row[col.XMax].(float64)
		ymax, ok4 := row[col.YMax].(float64)
		if !(ok1 && ok2 && ok3 && ok4) {
			return nil
		}
		src = geometry.Envelope{XMin: xmin, YMin: ymin, XMax: xmax, YMax: ymax}.Polygon()
	}
	w, _ := row[col.Width].(int64)
	h, _ := row[col.Height].(int64)
	p, err := projectPolygon(src, from, to, w, h)
	if err != nil {
		return err
	}
	setPolygon(row, cols, p)
	return nil
}

// projectPolygon projects a footprint from spatial reference from into to,
// its edges densified to within half a pixel when the raster's width and
// height are known, else to within a thousandth of the footprint's size.
func projectPolygon(src geometry.Polygon, from, to string, width, height int64) (geometry.Polygon, error) {
	t, err := Transformation(from, to)
	if err != nil {
		return nil, err
	}
	outer := make([][2]float64, len(src[0]))
	copy(outer, src[0])
	if err := t.ForwardPoints(outer); err != nil {
		return nil, fmt.Errorf("SRS %s: the footprint lies outside what %s can represent: %w", from, to, err)
	}
	size := geometry.Polygon{outer}.Bounds()
	tol := math.Max(size.XMax-size.XMin, size.YMax-size.YMin) / 1000
	if area := math.Abs(geometry.Polygon{outer}.Area()); width > 0 && height > 0 && area > 0 {
		tol = math.Sqrt(area/float64(width*height)) / 2
	}
	if !(tol > 0) {
		return nil, fmt.Errorf("SRS %s: the footprint has no extent", from)
	}
	p, err := geometry.ProjectPolygon(src, t.Forward, tol)
	if err != nil {
		return nil, fmt.Errorf("SRS %s: project the footprint into %s: %w", from, to, err)
	}
	return p, nil
}

// setPolygon stores a footprint polygon, with holes or several parts, and
// what derives from it, as setFootprint does for one ring.
func setPolygon(row []any, cols *columnIndex, p geometry.Polygon) {
	if len(p) == 1 {
		setFootprint(row, cols, p[0])
		return
	}
	set := func(name string, v any) { row[cols.pos[strings.ToLower(name)]] = v }
	b := p.Bounds()
	c := p.Centroid()
	set("XMin", b.XMin)
	set("YMin", b.YMin)
	set("XMax", b.XMax)
	set("YMax", b.YMax)
	set("CenterX", c.X)
	set("CenterY", c.Y)
	set("Shape_Area", p.Area())
	set("Shape_Length", p.Perimeter())
	set(ShapeColumn, string(geometry.AppendEsriRings(nil, p)))
}
