package geometry

import (
	"math"
	"slices"
)

// Limits on what the parsers and decoders accept. A footprint has a handful
// of vertices and a query polygon a few thousand at most; these bounds are
// far above that and keep a hostile request from costing more than a few
// milliseconds and megabytes.
const (
	MaxInputBytes = 8 << 20 // bytes of JSON text or of a WKB blob
	MaxVertices   = 100_000 // points of all rings, or of a multipoint
	MaxRings      = 10_000  // rings of a polygon
	MaxDepth      = 64      // nesting of JSON arrays and objects
	// MaxCoordinate bounds the absolute value of every coordinate: no
	// coordinate reference system reaches it (the earth's circumference is
	// 4e7 m), and below it the exact predicates cannot overflow.
	MaxCoordinate = 1e15
)

// Geometry is a query geometry or a footprint: a Point, MultiPoint,
// Envelope or Polygon.
type Geometry interface {
	// Bounds is the smallest envelope holding the geometry.
	Bounds() Envelope
	isGeometry()
}

// Point is a location.
type Point struct{ X, Y float64 }

// MultiPoint is a set of locations.
type MultiPoint []Point

// Envelope is an axis-aligned rectangle, boundary included. An envelope
// with XMin > XMax or YMin > YMax is empty: it intersects nothing. The
// Bounds of an empty Polygon is such an envelope.
type Envelope struct{ XMin, YMin, XMax, YMax float64 }

// Polygon is a list of closed rings in the Esri model: outer rings, each
// followed by its holes. The region is read by the even-odd rule; which
// rings are holes, told by how they run, matters to measures, to encoders
// and, where two boundaries run together, to RelContains and RelWithin.
// Every parser here returns polygons normalized (see [Normalize]); a
// polygon of a single ring may run either way, and need not repeat its
// first vertex at the end.
type Polygon [][][2]float64

func (Point) isGeometry()      {}
func (MultiPoint) isGeometry() {}
func (Envelope) isGeometry()   {}
func (Polygon) isGeometry()    {}

// Bounds returns the degenerate envelope at p.
func (p Point) Bounds() Envelope { return Envelope{p.X, p.Y, p.X, p.Y} }

// Bounds returns the envelope of the points; empty for no points.
func (m MultiPoint) Bounds() Envelope {
	e := emptyEnvelope()
	for _, p := range m {
		e = e.extend(p.X, p.Y)
	}
	return e
}

// Bounds returns e.
func (e Envelope) Bounds() Envelope { return e }

// Bounds returns the envelope of all the polygon's vertices; empty for a
// polygon without vertices.
func (p Polygon) Bounds() Envelope {
	e := emptyEnvelope()
	for _, r := range p {
		e = e.union(ringBounds(r))
	}
	return e
}

// IsEmpty reports whether e holds no point.
func (e Envelope) IsEmpty() bool { return !(e.XMin <= e.XMax && e.YMin <= e.YMax) }

// Intersects reports whether e and o share a point; touching counts.
func (e Envelope) Intersects(o Envelope) bool {
	return e.XMin <= o.XMax && o.XMin <= e.XMax && e.YMin <= o.YMax && o.YMin <= e.YMax
}

// Contains reports whether o lies in e, boundary included. An empty o lies
// in nothing.
func (e Envelope) Contains(o Envelope) bool {
	return !o.IsEmpty() && e.XMin <= o.XMin && o.XMax <= e.XMax && e.YMin <= o.YMin && o.YMax <= e.YMax
}

// ContainsPoint reports whether p lies in e, boundary included.
func (e Envelope) ContainsPoint(p Point) bool {
	return e.XMin <= p.X && p.X <= e.XMax && e.YMin <= p.Y && p.Y <= e.YMax
}

// Center returns the center of e. For a footprint, p.Bounds().Center() is
// the center of its extent; [Polygon.Centroid] is its center of mass.
func (e Envelope) Center() Point { return Point{e.XMin/2 + e.XMax/2, e.YMin/2 + e.YMax/2} }

// Polygon returns e as a one-ring polygon, clockwise and closed, starting
// at the upper left corner as ArcGIS writes extents as rings.
func (e Envelope) Polygon() Polygon {
	return Polygon{{{e.XMin, e.YMax}, {e.XMax, e.YMax}, {e.XMax, e.YMin}, {e.XMin, e.YMin}, {e.XMin, e.YMax}}}
}

func emptyEnvelope() Envelope {
	return Envelope{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
}

func (e Envelope) extend(x, y float64) Envelope {
	// The builtins compile to branch-free min/max instructions: vertices
	// in no particular order would mispredict branches.
	return Envelope{min(e.XMin, x), min(e.YMin, y), max(e.XMax, x), max(e.YMax, y)}
}

func (e Envelope) union(o Envelope) Envelope {
	return Envelope{min(e.XMin, o.XMin), min(e.YMin, o.YMin), max(e.XMax, o.XMax), max(e.YMax, o.YMax)}
}

func ringBounds(r [][2]float64) Envelope {
	e := emptyEnvelope()
	for _, p := range r {
		e = e.extend(p[0], p[1])
	}
	return e
}

// ringLen returns the number of distinct vertices of a ring that may or
// may not repeat its first vertex at the end: edges run from vertex i to
// vertex (i+1) mod ringLen.
func ringLen(r [][2]float64) int {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		return n - 1
	}
	return n
}

// ringOrientation returns -1 for a clockwise ring, +1 for a
// counter-clockwise one (y up), 0 when it has no area. It decides at the
// lowest-leftmost vertex with the exact predicate; when that vertex is a
// degenerate spike or the ring passes through it twice (a ring that
// touches itself, which has no one orientation) it falls back to the
// shoelace sign. Either way a ring and its reverse get opposite answers,
// which keeps normalizing and encoding consistent.
func ringOrientation(r [][2]float64) int {
	n := ringLen(r)
	if n < 3 {
		return 0
	}
	k := lexMin(r)
	// The run of copies of r[k] around k, and its neighbours.
	prev, next, run := -1, -1, 1
	for d := 1; d < n; d++ {
		if j := (k - d + n) % n; r[j] != r[k] {
			prev = j
			break
		}
		run++
	}
	for d := 1; d < n; d++ {
		if j := (k + d) % n; r[j] != r[k] {
			next = j
			break
		}
		run++
	}
	copies := 0
	for i := 0; i < n; i++ {
		if r[i] == r[k] {
			copies++
		}
	}
	if prev >= 0 && next >= 0 && copies == run {
		if o := orient(r[prev], r[k], r[next]); o != 0 {
			return o
		}
	}
	return shoelaceSign(r, r[k])
}

// shoelaceSign returns the sign of ring r's area by the shoelace formula,
// relative to o, summed so that reversing the ring exactly negates the
// answer: the products x_i·y_i+1 and x_i+1·y_i go into two lists, which a
// reversal swaps, and each list is summed in sorted order. Plain summation
// in ring order could call a thin ring clockwise both ways round.
func shoelaceSign(r [][2]float64, o [2]float64) int {
	n := ringLen(r)
	plus := make([]float64, n)
	minus := make([]float64, n)
	for i := 0; i < n; i++ {
		p, q := r[i], r[(i+1)%n]
		px, py, qx, qy := p[0]-o[0], p[1]-o[1], q[0]-o[0], q[1]-o[1]
		plus[i], minus[i] = px*qy, qx*py
	}
	sum := func(v []float64) float64 {
		slices.Sort(v)
		var s float64
		for _, x := range v {
			s += x
		}
		return s
	}
	sp, sm := sum(plus), sum(minus)
	switch {
	case sp > sm:
		return 1
	case sp < sm:
		return -1
	}
	return 0
}

// signedArea2 is twice the signed area of a ring: positive when it runs
// counter-clockwise (y up).
func signedArea2(r [][2]float64) float64 {
	n := ringLen(r)
	var a2 float64
	for i := 0; i < n; i++ {
		p, q := r[i], r[(i+1)%n]
		a2 += p[0]*q[1] - q[0]*p[1]
	}
	return a2
}

// isOuter reports whether ring i of p is an outer ring. Normalized
// polygons say so by orientation (outer rings clockwise); a polygon of a
// single ring is its own outer ring whichever way it runs.
func isOuter(p Polygon, i int) bool {
	return len(p) == 1 || ringOrientation(p[i]) < 0
}

// reversed returns a copy of r in the opposite order; the first vertex
// stays first, so that a closed ring stays closed on the same vertex.
func reversed(r [][2]float64) [][2]float64 {
	n := ringLen(r)
	out := make([][2]float64, len(r))
	for i := 0; i < n; i++ {
		out[i] = r[(n-i)%n]
	}
	if len(r) > n {
		out[n] = r[0]
	}
	return out
}

// closed returns r with its first vertex repeated at the end, if it was not.
func closed(r [][2]float64) [][2]float64 {
	if n := len(r); n > 0 && r[0] != r[n-1] {
		out := make([][2]float64, n+1)
		copy(out, r)
		out[n] = r[0]
		return out
	}
	return r
}

// Normalize returns p as ArcGIS keeps polygons: every ring closed; each
// ring classed as outer or hole by how many other rings enclose it (even:
// outer), not by how it runs, so that rings written either way (ArcGIS
// clockwise, GeoJSON counter-clockwise) mean the same region; outer rings
// clockwise and holes counter-clockwise; each outer ring followed by the
// holes directly inside it. Rings are kept in their order otherwise and
// reversed ones keep their first vertex. The result may share rings with p.
//
// Classing by nesting costs a test per pair of rings. Past a budget (a few
// thousand rings, or fewer of many vertices with equal bounds), Normalize
// follows the ArcGIS rule instead: clockwise rings are outer rings,
// counter-clockwise ones holes, in their order.
func Normalize(p Polygon) Polygon {
	n := len(p)
	if n == 0 {
		return p
	}
	rings := make([][][2]float64, n)
	bounds := make([]Envelope, n)
	for i, r := range p {
		rings[i] = closed(r)
		bounds[i] = ringBounds(r)
	}
	// A ring's depth is the number of rings around it; its parent, the
	// deepest of those (the smallest, then the first by its vertices, if
	// crossing rings make that ambiguous), so that the choice does not
	// depend on the order of the rings. That costs a test per pair of
	// rings; past nestingBudget, rings are classed by orientation instead.
	inside := func(j, i int) bool {
		if i == j || !bounds[i].Contains(bounds[j]) {
			return false
		}
		in, _ := ringInsideRing(rings[j], rings[i])
		return in
	}
	work := n * n / 8 // the bounds tests, cheap
	depth := make([]int, n)
	for j := range rings {
		for i := range rings {
			if i == j || !bounds[i].Contains(bounds[j]) {
				continue
			}
			in, cost := ringInsideRing(rings[j], rings[i])
			if work += cost; work > nestingBudget {
				return normalizeByOrientation(rings)
			}
			if in {
				depth[j]++
			}
		}
	}
	parent := make([]int, n)
	for j := range rings {
		parent[j] = -1
		if depth[j] == 0 {
			continue
		}
		for i := range rings {
			if inside(j, i) && (parent[j] < 0 || nearer(i, parent[j], depth, bounds, rings)) {
				parent[j] = i
			}
		}
	}
	out := make(Polygon, 0, n)
	for i, r := range rings {
		if depth[i]%2 != 0 {
			continue
		}
		out = append(out, orientRing(r, -1))
		for j, h := range rings {
			if depth[j]%2 != 0 && parent[j] == i {
				out = append(out, orientRing(h, 1))
			}
		}
	}
	// A hole whose nearest enclosing ring is another hole (overlapping
	// rings, which ArcGIS would have simplified away) has no outer ring
	// to follow; keep it rather than lose area silently.
	for j, h := range rings {
		if depth[j]%2 != 0 && (parent[j] < 0 || depth[parent[j]]%2 != 0) {
			out = append(out, orientRing(h, 1))
		}
	}
	return out
}

// nestingBudget bounds the work of classing rings by nesting, in edges
// and vertices visited (some tens of milliseconds): enough for thousands
// of real rings, and a bound on what a hostile polygon of rings with
// equal bounds can cost. The work counted is a function of the rings
// alone, so that whether Normalize stays within it does not depend on the
// order of the rings.
const nestingBudget = 1 << 22

// normalizeByOrientation is Normalize for polygons of too many rings to
// class by nesting: it follows the ArcGIS rule (outer rings clockwise,
// holes counter-clockwise) and keeps the order, closing every ring; a
// polygon of one ring is an outer ring whichever way it runs.
func normalizeByOrientation(rings [][][2]float64) Polygon {
	out := make(Polygon, len(rings))
	for i, r := range rings {
		if len(rings) == 1 || ringOrientation(r) <= 0 {
			out[i] = orientRing(r, -1)
		} else {
			out[i] = r
		}
	}
	return out
}

// nearer reports whether enclosing ring i is a better parent than ring k.
func nearer(i, k int, depth []int, bounds []Envelope, rings [][][2]float64) bool {
	if depth[i] != depth[k] {
		return depth[i] > depth[k]
	}
	ai := (bounds[i].XMax - bounds[i].XMin) * (bounds[i].YMax - bounds[i].YMin)
	ak := (bounds[k].XMax - bounds[k].XMin) * (bounds[k].YMax - bounds[k].YMin)
	if ai != ak {
		return ai < ak
	}
	return slices.CompareFunc(rings[i], rings[k], func(p, q [2]float64) int {
		switch {
		case lexLess(p, q):
			return -1
		case lexLess(q, p):
			return 1
		}
		return 0
	}) < 0
}

// normalizeParts orients polygons whose structure is known (GeoJSON, WKB:
// the first ring of each part is its outer ring) without searching for
// enclosing rings, and flattens them into one Polygon.
func normalizeParts(parts []Polygon) Polygon {
	var out Polygon
	for _, part := range parts {
		for i, r := range part {
			want := 1
			if i == 0 {
				want = -1
			}
			out = append(out, orientRing(r, want))
		}
	}
	return out
}

// orientRing returns r running as want says (-1 clockwise, +1
// counter-clockwise), reversed if needed.
func orientRing(r [][2]float64, want int) [][2]float64 {
	if o := ringOrientation(r); o != 0 && o != want {
		return reversed(r)
	}
	return r
}

// ringInsideRing reports whether ring a lies inside ring b, for rings that
// do not cross, and what deciding cost in edges and vertices visited. It
// decides at the lowest-leftmost vertex of a that is not on b. Choosing
// the vertex by position, not by its place in the ring, gives the same
// answer for a ring and its reverse even when the rings do cross, so that
// normalizing a normalized polygon changes nothing.
func ringInsideRing(a, b [][2]float64) (inside bool, cost int) {
	n, m := ringLen(a), ringLen(b)
	k := lexMin(a)
	if k < 0 {
		return false, 1
	}
	cost = n + m
	switch locateRing(a[k], b) {
	case 1:
		return true, cost
	case -1:
		return false, cost
	}
	// Then the next vertices in the same order, found without sorting a
	// copy: rings meet at a vertex or two, rarely more.
	prev := a[k]
	for {
		next := -1
		for i := 0; i < n; i++ {
			if lexLess(prev, a[i]) && (next < 0 || lexLess(a[i], a[next])) {
				next = i
			}
		}
		cost += n + m
		if next < 0 {
			return false, cost // a runs along b all the way: the same ring, not inside it
		}
		switch locateRing(a[next], b) {
		case 1:
			return true, cost
		case -1:
			return false, cost
		}
		prev = a[next]
	}
}

// lexMin returns the index of the lowest-leftmost vertex of r, -1 if none.
func lexMin(r [][2]float64) int {
	n := ringLen(r)
	if n == 0 {
		return -1
	}
	k := 0
	for i := 1; i < n; i++ {
		if lexLess(r[i], r[k]) {
			k = i
		}
	}
	return k
}

func lexLess(p, q [2]float64) bool { return p[0] < q[0] || (p[0] == q[0] && p[1] < q[1]) }
