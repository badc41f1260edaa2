package geometry

import (
	"errors"
	"fmt"
	"math"
)

// Transform maps a point from one coordinate reference system to another.
// The proj package provides them; this package never projects by itself.
type Transform func(x, y float64) (float64, float64, error)

// ErrDensify is wrapped by the error ProjectRing returns when an edge
// cannot be brought within the tolerance: the transform bends or breaks it
// more sharply than maxDensifyDepth halvings can follow (a discontinuity
// such as the antimeridian, a pole, or a tolerance below the transform's
// rounding noise), or the result would exceed MaxVertices.
var ErrDensify = errors.New("cannot densify within tolerance")

// maxDensifyDepth bounds the halvings of one edge: 2²⁰ pieces.
const maxDensifyDepth = 20

// ProjectRing projects ring through f, adding vertices along each edge
// (the closing edge too) so that the result strays less than tolerance
// from the projected image of every edge. A straight edge in the source
// is a curve in the target; projecting only its ends would replace the
// curve by its chord, and a footprint reprojected that way loses or gains
// slivers of up to many pixels. The caller passes half a target pixel.
//
// Each edge is halved recursively: at each step the source midpoint and
// quarter points are projected and compared with the projected chord; the
// chord is kept when all three lie within tolerance of it and the
// midpoint's image falls in the chord's central half (see jumps). f must
// be continuous along each edge: an edge across a discontinuity (the
// antimeridian, for a transform to longitude and latitude) is refused with
// ErrDensify rather than bridged. The result is closed if ring is. Errors
// of f are returned wrapped, with the point.
func ProjectRing(ring [][2]float64, f Transform, tolerance float64) ([][2]float64, error) {
	return densify(ring, nil, f, tolerance)
}

// DensifyProjected is ProjectRing for a caller that has projected ring's
// vertices already (projected[i] = f(ring[i])): it adds the vertices the
// edges need without projecting the given ones again.
func DensifyProjected(ring, projected [][2]float64, f Transform, tolerance float64) ([][2]float64, error) {
	if len(projected) != len(ring) {
		return nil, fmt.Errorf("densify: %d projected vertices for a ring of %d", len(projected), len(ring))
	}
	return densify(ring, projected, f, tolerance)
}

// densify projects ring through f (taking the images of its vertices from
// projected when not nil) and refines every edge to within tolerance.
func densify(ring, projected [][2]float64, f Transform, tolerance float64) ([][2]float64, error) {
	if !(tolerance > 0) || math.IsInf(tolerance, 0) {
		return nil, fmt.Errorf("project ring: tolerance %v is not a positive number", tolerance)
	}
	n := ringLen(ring)
	if n == 0 {
		return nil, nil
	}
	d := densifier{f: f, tol: tolerance}
	vertex := func(i int) ([2]float64, error) {
		if projected != nil {
			return projected[i], nil
		}
		return d.project(ring[i])
	}
	first, err := vertex(0)
	if err != nil {
		return nil, err
	}
	out := [][2]float64{first}
	prevSrc, prev := ring[0], first
	for i := 1; i <= n; i++ {
		if i == n && n < 2 {
			break
		}
		src := ring[i%n]
		var cur [2]float64
		if i == n {
			cur = first // the closing edge ends where the ring began, exactly
		} else if cur, err = vertex(i); err != nil {
			return nil, err
		}
		if out, err = d.refine(out, prevSrc, src, prev, cur, 0); err != nil {
			return nil, err
		}
		if i < n || len(ring) > n { // keep the ring closed only if it was
			out = append(out, cur)
		}
		if len(out) > MaxVertices {
			return nil, fmt.Errorf("project ring: more than %d vertices: %w", MaxVertices, ErrDensify)
		}
		prevSrc, prev = src, cur
	}
	return out, nil
}

// ProjectPolygon projects every ring of p with ProjectRing and normalizes
// the result: a transform that mirrors (as from a y-down grid) turns
// clockwise rings counter-clockwise.
func ProjectPolygon(p Polygon, f Transform, tolerance float64) (Polygon, error) {
	out := make(Polygon, 0, len(p))
	for i, r := range p {
		pr, err := ProjectRing(r, f, tolerance)
		if err != nil {
			return nil, fmt.Errorf("ring %d: %w", i, err)
		}
		out = append(out, pr)
	}
	return Normalize(out), nil
}

// ProjectEnvelope returns the envelope of e's boundary projected through f
// and densified as by ProjectRing, so that curved edges bulging past the
// projected corners are accounted for. It is the extent of the projected
// area when f is continuous and one-to-one over e.
func ProjectEnvelope(e Envelope, f Transform, tolerance float64) (Envelope, error) {
	if e.IsEmpty() {
		return e, errors.New("project envelope: empty envelope")
	}
	r, err := ProjectRing([][2]float64{{e.XMin, e.YMin}, {e.XMin, e.YMax}, {e.XMax, e.YMax}, {e.XMax, e.YMin}}, f, tolerance)
	if err != nil {
		return Envelope{}, fmt.Errorf("project envelope: %w", err)
	}
	return ringBounds(r), nil
}

type densifier struct {
	f   Transform
	tol float64
}

func (d *densifier) project(p [2]float64) ([2]float64, error) {
	x, y, err := d.f(p[0], p[1])
	if err != nil {
		return [2]float64{}, fmt.Errorf("project (%v, %v): %w", p[0], p[1], err)
	}
	if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
		return [2]float64{}, fmt.Errorf("project (%v, %v): result (%v, %v) is not finite", p[0], p[1], x, y)
	}
	return [2]float64{x, y}, nil
}

// refine appends to out the vertices needed strictly between P = f(p) and
// Q = f(q).
func (d *densifier) refine(out [][2]float64, p, q, P, Q [2]float64, depth int) ([][2]float64, error) {
	m := mid(p, q)
	M, err := d.project(m)
	if err != nil {
		return nil, err
	}
	ok := distToSegment(M, P, Q) < d.tol && !d.jumps(M, P, Q)
	if ok {
		// The midpoint alone misses an S-shaped image whose middle
		// crosses the chord; the quarter points catch it.
		for _, s := range [...][2]float64{mid(p, m), mid(m, q)} {
			S, err := d.project(s)
			if err != nil {
				return nil, err
			}
			if distToSegment(S, P, Q) >= d.tol {
				ok = false
				break
			}
		}
	}
	if ok {
		return out, nil
	}
	if depth >= maxDensifyDepth {
		return nil, fmt.Errorf("project ring: near (%v, %v) the transform still bends or breaks the edge after %d halvings "+
			"(a discontinuity such as the antimeridian or a pole, or a tolerance below its precision): %w",
			m[0], m[1], depth, ErrDensify)
	}
	if out, err = d.refine(out, p, m, P, M, depth+1); err != nil {
		return nil, err
	}
	out = append(out, M)
	if len(out) > MaxVertices {
		return nil, fmt.Errorf("project ring: more than %d vertices: %w", MaxVertices, ErrDensify)
	}
	return d.refine(out, m, q, M, Q, depth+1)
}

// jumps reports whether M, the image of the source midpoint, sits far
// from the middle of chord PQ (outside its central half): a continuous
// transform is nearly affine over a short edge and puts it near the
// middle; a discontinuity (the antimeridian, a cliff) puts it near an end
// however short the edge. Without this test such an edge would be bridged
// by a chord that lies along the image of neither side. Chords shorter
// than the tolerance are not judged: there rounding decides where M falls.
func (d *densifier) jumps(M, P, Q [2]float64) bool {
	dx, dy := Q[0]-P[0], Q[1]-P[1]
	l2 := dx*dx + dy*dy
	if l2 < d.tol*d.tol {
		return false
	}
	t := ((M[0]-P[0])*dx + (M[1]-P[1])*dy) / l2
	return t < 0.25 || t > 0.75
}

func mid(a, b [2]float64) [2]float64 { return [2]float64{a[0]/2 + b[0]/2, a[1]/2 + b[1]/2} }

// distToSegment returns the distance from p to the closed segment ab.
func distToSegment(p, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
		t = max(0, min(1, t))
	}
	return math.Hypot(p[0]-(a[0]+t*dx), p[1]-(a[1]+t*dy))
}
