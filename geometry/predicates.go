package geometry

import "math"

// The relations stand on one question: on which side of the line through a
// and b does c lie? Answered in plain floating point it is wrong for nearly
// collinear points, and then a footprint that shares an edge with the query
// (adjacent tiles do) would intersect it or not depending on rounding. So
// orient answers exactly: a cheap estimate with a proven error bound
// (Shewchuk, "Adaptive Precision Floating-Point Arithmetic and Fast Robust
// Geometric Predicates", 1997) settles almost every call, and the rare rest
// is computed exactly with floating-point expansions, without allocating.

// ccwErrBound is Shewchuk's ccwerrboundA, (3 + 16ε)ε with ε = 2⁻⁵³.
const ccwErrBound = (3 + 16*epsilon) * epsilon

const epsilon = 1.0 / (1 << 53)

// orient returns +1 if a, b, c turn counter-clockwise (c left of a→b, y
// up), -1 if clockwise, 0 if collinear. Exact for coordinates within
// ±MaxCoordinate whose differences do not underflow.
func orient(a, b, c [2]float64) int {
	l := (b[0] - a[0]) * (c[1] - a[1])
	r := (b[1] - a[1]) * (c[0] - a[0])
	det, bound := l-r, ccwErrBound*(math.Abs(l)+math.Abs(r))
	if det > bound {
		return 1
	}
	if det < -bound {
		return -1
	}
	return orientSlow(a, b, c, l, r)
}

// orientSlow finishes orient when the estimate is too close to zero to
// trust, out of line so that orient's fast path inlines.
func orientSlow(a, b, c [2]float64, l, r float64) int {
	if l == 0 && r == 0 {
		// Both products are exactly zero only if a factor is: the
		// estimate is exact. This is the common collinear case of
		// axis-aligned edges.
		return 0
	}
	return orientExact(a, b, c)
}

// orientExact computes the sign of (bx-ax)(cy-ay) - (by-ay)(cx-ax) exactly:
// each difference is an exact sum of two floats (TwoDiff), each product of
// two such sums four exact products of two floats each (TwoProduct with
// FMA), and the sixteen terms are summed into a nonoverlapping expansion
// whose largest component has the sign of the whole.
func orientExact(a, b, c [2]float64) int {
	u1, u0 := twoDiff(b[0], a[0])
	v1, v0 := twoDiff(c[1], a[1])
	w1, w0 := twoDiff(b[1], a[1])
	z1, z0 := twoDiff(c[0], a[0])
	var e [32]float64
	n := 0
	add := func(x, y float64) {
		p, q := twoProduct(x, y)
		n = growExpansion(&e, n, q)
		n = growExpansion(&e, n, p)
	}
	add(u1, v1)
	add(u1, v0)
	add(u0, v1)
	add(u0, v0)
	add(-w1, z1)
	add(-w1, z0)
	add(-w0, z1)
	add(-w0, z0)
	for i := n - 1; i >= 0; i-- {
		switch {
		case e[i] > 0:
			return 1
		case e[i] < 0:
			return -1
		}
	}
	return 0
}

// twoDiff returns x, y with x + y = a - b exactly, x = fl(a - b).
func twoDiff(a, b float64) (float64, float64) {
	x := a - b
	bv := a - x
	av := x + bv
	return x, (a - av) + (bv - b)
}

// twoProduct returns x, y with x + y = a·b exactly, x = fl(a·b).
func twoProduct(a, b float64) (float64, float64) {
	x := a * b
	return x, math.FMA(a, b, -x)
}

// twoSum returns x, y with x + y = a + b exactly, x = fl(a + b).
func twoSum(a, b float64) (float64, float64) {
	x := a + b
	bv := x - a
	av := x - bv
	return x, (a - av) + (b - bv)
}

// growExpansion adds b to the nonoverlapping expansion e[:n] (components in
// increasing magnitude) and returns its new length; zero components are
// dropped (Shewchuk's Grow-Expansion with zero elimination).
func growExpansion(e *[32]float64, n int, b float64) int {
	q := b
	m := 0
	for i := 0; i < n; i++ {
		var h float64
		q, h = twoSum(q, e[i])
		if h != 0 {
			e[m] = h
			m++
		}
	}
	if q != 0 {
		e[m] = q
		m++
	}
	return m
}

// onSegment reports whether p, known to be collinear with a and b, lies on
// the closed segment ab.
func onSegment(a, b, p [2]float64) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// segmentsIntersect reports whether the closed segments pq and rs share a
// point (touching counts).
func segmentsIntersect(p, q, r, s [2]float64) bool {
	o1 := orient(p, q, r)
	o2 := orient(p, q, s)
	if o1 == o2 && o1 != 0 {
		return false
	}
	o3 := orient(r, s, p)
	o4 := orient(r, s, q)
	if o3 == o4 && o3 != 0 {
		return false
	}
	if o1 != 0 || o2 != 0 {
		// Not collinear: the signs above already say that each segment
		// meets the other's line within the segment.
		return true
	}
	return onSegment(p, q, r) || onSegment(p, q, s) || onSegment(r, s, p) || onSegment(r, s, q)
}

// locateRing returns +1 if p is inside ring r, 0 on its boundary, -1
// outside.
func locateRing(p [2]float64, r [][2]float64) int {
	inside := false
	n := ringLen(r)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		switch c := crossing(a, b, p); c {
		case crossBoundary:
			return 0
		case crossYes:
			inside = !inside
		}
	}
	if inside {
		return 1
	}
	return -1
}

// locate returns +1 if p is inside polygon g (even-odd over all rings), 0
// on a boundary, -1 outside.
func locate(p [2]float64, g Polygon) int {
	inside := false
	for _, r := range g {
		n := ringLen(r)
		for i := 0; i < n; i++ {
			j := i + 1
			if j == n {
				j = 0
			}
			a, b := r[i], r[j]
			// crossing, with its common case written out: the call
			// costs more than the test.
			if (a[1] > p[1]) != (b[1] > p[1]) {
				o := orient(a, b, p)
				if o == 0 {
					return 0
				}
				if (o > 0) == (b[1] > a[1]) {
					inside = !inside
				}
			} else if (a[1] == p[1] || b[1] == p[1]) && crossing(a, b, p) == crossBoundary {
				return 0
			}
		}
	}
	if inside {
		return 1
	}
	return -1
}

const (
	crossNo = iota
	crossYes
	crossBoundary
)

// crossing tells how edge ab meets the ray from p towards +x: crossYes if
// it crosses (half-open in y, so that a ray through a vertex counts once),
// crossBoundary if p lies on the edge.
func crossing(a, b, p [2]float64) int {
	if (a[1] > p[1]) != (b[1] > p[1]) {
		// p's height is within the edge's: p is on it iff collinear.
		o := orient(a, b, p)
		if o == 0 {
			return crossBoundary
		}
		if (o > 0) == (b[1] > a[1]) {
			return crossYes
		}
		return crossNo
	}
	if a[1] == p[1] {
		if b[1] == p[1] {
			if math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) {
				return crossBoundary
			}
		} else if a[0] == p[0] {
			return crossBoundary
		}
	} else if b == p {
		return crossBoundary
	}
	return crossNo
}
