package geometry

import "math"

// Measures are planar, in the units of the coordinates (the collection's
// spatial reference), as ArcGIS's Shape_Area and Shape_Length are.

// Area returns the area of p: outer rings minus holes (shoelace formula).
// It reads roles by orientation, as for a normalized polygon; a polygon of
// one ring counts as an outer ring whichever way it runs.
func (p Polygon) Area() float64 {
	if len(p) == 1 {
		return math.Abs(signedArea2(p[0])) / 2
	}
	var a2 float64
	for _, r := range p {
		a2 -= signedArea2(r) // clockwise outer rings have negative signed area
	}
	return a2 / 2
}

// Perimeter returns the length of all of p's rings, holes included
// (ArcGIS's Shape_Length).
func (p Polygon) Perimeter() float64 {
	var l float64
	for _, r := range p {
		n := ringLen(r)
		if n < 2 {
			continue
		}
		for i := 0; i < n; i++ {
			a, b := r[i], r[(i+1)%n]
			l += math.Hypot(b[0]-a[0], b[1]-a[1])
		}
	}
	return l
}

// Centroid returns the center of mass of p's area, holes taken out. For a
// polygon of no area it returns the mean of the vertices. The other center
// of a footprint is that of its extent, p.Bounds().Center(); the two agree
// for rectangles and parallelograms and differ for other shapes. Which one
// ArcGIS stores in a mosaic item's CenterX and CenterY, the ArcGIS
// documentation found does not say.
func (p Polygon) Centroid() Point {
	var a2, sx, sy float64
	sign := 1.0
	if len(p) == 1 && signedArea2(p[0]) > 0 {
		sign = -1 // a lone counter-clockwise ring is still an outer ring
	}
	var mx, my float64
	var count int
	// Relative to a vertex, to keep the products small for projected
	// coordinates far from the origin.
	var o [2]float64
	if len(p) > 0 && len(p[0]) > 0 {
		o = p[0][0]
	}
	for _, r := range p {
		n := ringLen(r)
		for i := 0; i < n; i++ {
			a, b := r[i], r[(i+1)%n]
			ax, ay, bx, by := a[0]-o[0], a[1]-o[1], b[0]-o[0], b[1]-o[1]
			cross := ax*by - bx*ay
			a2 -= sign * cross
			sx -= sign * (ax + bx) * cross
			sy -= sign * (ay + by) * cross
			mx += a[0]
			my += a[1]
			count++
		}
	}
	if a2 == 0 {
		if count == 0 {
			return Point{math.NaN(), math.NaN()}
		}
		return Point{mx / float64(count), my / float64(count)}
	}
	return Point{o[0] + sx/(3*a2), o[1] + sy/(3*a2)}
}
