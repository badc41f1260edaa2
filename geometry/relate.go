package geometry

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// SpatialRel is an ArcGIS spatial relation (the spatialRel parameter of
// query operations) between a query geometry and an item's footprint. The
// query geometry is the subject: RelContains selects footprints the query
// geometry contains. See the package documentation for each meaning.
//
// Which way round Contains and Within go follows the definitions that
// name the query geometry:
//   - esriSpatialRelEnum (ArcGIS SOAP and ArcObjects,
//     resources.arcgis.com/en/help/soap/latest/01vp/01vp00000116000000.htm):
//     "esriSpatialRelContains: Query Geometry Contains Target Geometry",
//     "esriSpatialRelWithin: Query Geometry is Within Target Geometry";
//   - the ArcGIS Pro SDK's SpatialRelationship: "Contains: The filter
//     geometry wholly contains within it a feature from the target feature
//     class", "Within: The filter geometry is within a feature in the
//     target feature class".
//
// (The REST and Runtime pages word it as "part or all of a feature from
// feature class 1 is contained within a feature from feature class 2",
// which does not say which class the query is; they were not followed.)
// Contains and Within take their OGC meaning: boundaries may touch, and
// equal geometries contain each other.
type SpatialRel uint8

// The supported relations. The zero value is the ArcGIS default.
const (
	RelIntersects         SpatialRel = iota // esriSpatialRelIntersects
	RelEnvelopeIntersects                   // esriSpatialRelEnvelopeIntersects
	RelContains                             // esriSpatialRelContains: the query geometry contains the footprint
	RelWithin                               // esriSpatialRelWithin: the query geometry is within the footprint
)

var relNames = [...]string{
	RelIntersects:         "esriSpatialRelIntersects",
	RelEnvelopeIntersects: "esriSpatialRelEnvelopeIntersects",
	RelContains:           "esriSpatialRelContains",
	RelWithin:             "esriSpatialRelWithin",
}

// unsupportedRels are the other values of esriSpatialRelEnum: valid to
// ArcGIS, refused here with a message that says so.
var unsupportedRels = []string{
	"esriSpatialRelCrosses",
	"esriSpatialRelIndexIntersects",
	"esriSpatialRelOverlaps",
	"esriSpatialRelTouches",
	"esriSpatialRelRelation",
}

// String returns the ArcGIS name, as in esriSpatialRelIntersects.
func (r SpatialRel) String() string {
	if int(r) < len(relNames) {
		return relNames[r]
	}
	return fmt.Sprintf("SpatialRel(%d)", r)
}

// ParseSpatialRel reads the spatialRel parameter. The empty string is the
// ArcGIS default, esriSpatialRelIntersects; names are matched regardless of
// case, as ArcGIS Server does for enumerated parameters. Any other value is
// a *ParseError listing the supported values.
func ParseSpatialRel(s string) (SpatialRel, error) {
	if s == "" {
		return RelIntersects, nil
	}
	for i, n := range relNames {
		if strings.EqualFold(s, n) {
			return SpatialRel(i), nil
		}
	}
	valid := strings.Join(relNames[:], ", ")
	for _, n := range unsupportedRels {
		if strings.EqualFold(s, n) {
			return 0, parseErrorf("spatialRel", -1, "%s is not supported; supported values: %s", n, valid)
		}
	}
	return 0, parseErrorf("spatialRel", -1, "unknown spatial relation %q; valid values: %s", s, valid)
}

// Range is the closed interval [Lo, Hi]. An infinite end is no bound; Lo >
// Hi holds nothing.
type Range struct{ Lo, Hi float64 }

// Prefilter says what an item's stored bounds must satisfy for its
// footprint to possibly match: each of XMin, YMin, XMax and YMax within its
// Range. It is the SQL half of a selection:
//
//	XMin BETWEEN ? AND ? AND YMin BETWEEN ? AND ? AND …
//
// leaving out infinite ends. When Exact is set, every item whose bounds
// pass matches and Filter.Match need not be called; when Empty reports
// true, no item matches.
type Prefilter struct {
	XMin, YMin, XMax, YMax Range
	Exact                  bool
}

// Empty reports whether no bounds can pass.
func (p Prefilter) Empty() bool {
	for _, r := range [...]Range{p.XMin, p.YMin, p.XMax, p.YMax} {
		if !(r.Lo <= r.Hi) {
			return true
		}
	}
	return false
}

// Pass reports whether bounds e pass the prefilter.
func (p Prefilter) Pass(e Envelope) bool {
	in := func(v float64, r Range) bool { return r.Lo <= v && v <= r.Hi }
	return in(e.XMin, p.XMin) && in(e.YMin, p.YMin) && in(e.XMax, p.XMax) && in(e.YMax, p.YMax)
}

const (
	kindPoint = iota + 1
	kindMultiPoint
	kindEnvelope
	kindPolygon
)

// Filter is a query geometry prepared for one spatial relation. It is
// safe for concurrent use.
type Filter struct {
	rel    SpatialRel
	kind   int
	bounds Envelope
	points []Point // kindPoint, kindMultiPoint
	poly   *region // kindPolygon; kindEnvelope as a polygon, for RelWithin
}

// NewFilter prepares query geometry g for relation rel. It refuses
// geometries that are empty or have coordinates that are not finite; a
// Polygon is normalized first (see Normalize), so its rings may run either
// way.
func NewFilter(g Geometry, rel SpatialRel) (*Filter, error) {
	if int(rel) >= len(relNames) {
		return nil, fmt.Errorf("geometry: unknown spatial relation %d", rel)
	}
	if g == nil {
		return nil, errors.New("geometry: no query geometry")
	}
	f := &Filter{rel: rel, bounds: g.Bounds()}
	for _, v := range [...]float64{f.bounds.XMin, f.bounds.YMin, f.bounds.XMax, f.bounds.YMax} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("geometry: empty query geometry, or coordinates that are not finite")
		}
	}
	switch g := g.(type) {
	case Point:
		f.kind, f.points = kindPoint, []Point{g}
	case MultiPoint:
		f.kind, f.points = kindMultiPoint, append([]Point(nil), g...)
	case Envelope:
		if g.IsEmpty() {
			return nil, fmt.Errorf("geometry: empty envelope %v", g)
		}
		if g.XMin == g.XMax && g.YMin == g.YMax {
			// A point given as an envelope: relate it as the point,
			// which a footprint's boundary does not hold within.
			f.kind, f.points = kindPoint, []Point{{g.XMin, g.YMin}}
			break
		}
		f.kind, f.poly = kindEnvelope, prepare(g.Polygon())
	case Polygon:
		for i, r := range g {
			if ringLen(r) < 3 {
				return nil, fmt.Errorf("geometry: ring %d has fewer than 3 vertices", i)
			}
		}
		f.kind, f.poly = kindPolygon, prepare(Normalize(g))
	default:
		return nil, fmt.Errorf("geometry: unsupported query geometry %T", g)
	}
	return f, nil
}

// Rel returns the filter's relation.
func (f *Filter) Rel() SpatialRel { return f.rel }

// Bounds returns the envelope of the query geometry.
func (f *Filter) Bounds() Envelope { return f.bounds }

// Prefilter returns the condition on an item's bounds that every match
// satisfies. For RelEnvelopeIntersects, and for RelContains with an
// envelope, it is the whole test (Exact).
func (f *Filter) Prefilter() Prefilter {
	q := f.bounds
	inf := math.Inf(1)
	switch f.rel {
	case RelContains:
		if f.kind == kindPoint || f.kind == kindMultiPoint {
			// Points contain no footprint (a footprint has area).
			none := Range{inf, -inf}
			return Prefilter{none, none, none, none, true}
		}
		x, y := Range{q.XMin, q.XMax}, Range{q.YMin, q.YMax}
		return Prefilter{XMin: x, YMin: y, XMax: x, YMax: y, Exact: f.kind == kindEnvelope}
	case RelWithin:
		return Prefilter{
			XMin: Range{-inf, q.XMin}, YMin: Range{-inf, q.YMin},
			XMax: Range{q.XMax, inf}, YMax: Range{q.YMax, inf},
		}
	}
	return Prefilter{
		XMin: Range{-inf, q.XMax}, YMin: Range{-inf, q.YMax},
		XMax: Range{q.XMin, inf}, YMax: Range{q.YMin, inf},
		Exact: f.rel == RelEnvelopeIntersects,
	}
}

// Match reports whether footprint fp is in the relation with the query
// geometry. fp is a normalized polygon or a single ring (closed or not)
// running either way. Match does not allocate.
func (f *Filter) Match(fp Polygon) bool {
	if len(fp) == 0 {
		return false
	}
	switch f.rel {
	case RelEnvelopeIntersects:
		return f.bounds.Intersects(fp.Bounds())
	case RelIntersects:
		// No bounds test first: the prefilter made it, and computing
		// the footprint's bounds costs as much as the exact tests'
		// own early exits.
		switch f.kind {
		case kindEnvelope:
			return envelopeIntersects(f.bounds, fp)
		case kindPolygon:
			return polygonIntersects(f.poly, fp)
		}
		for _, p := range f.points {
			if locate([2]float64{p.X, p.Y}, fp) >= 0 {
				return true
			}
		}
		return false
	}
	fb := fp.Bounds()
	if fb.IsEmpty() {
		return false
	}
	if f.rel == RelContains {
		if !f.bounds.Contains(fb) {
			return false
		}
		switch f.kind {
		case kindEnvelope:
			return true // a box holds whatever its bounds do
		case kindPolygon:
			fr := region{poly: fp, bounds: fb}
			return covers(f.poly, &fr)
		}
		return false // points contain no footprint (a footprint has area)
	}
	// RelWithin
	if !fb.Contains(f.bounds) {
		return false
	}
	if f.kind == kindPoint || f.kind == kindMultiPoint {
		// OGC Within: no point outside the footprint, and at least one
		// in its interior (a point on the boundary is not within).
		interior := false
		for _, p := range f.points {
			switch locate([2]float64{p.X, p.Y}, fp) {
			case -1:
				return false
			case 1:
				interior = true
			}
		}
		return interior
	}
	fr := region{poly: fp, bounds: fb}
	return covers(&fr, f.poly)
}

// MatchEnvelope is Match for the footprint that is the rectangle e: an
// item whose footprint the catalog keeps as its bounds alone. It does not
// allocate.
func (f *Filter) MatchEnvelope(e Envelope) bool {
	ring := [5][2]float64{{e.XMin, e.YMax}, {e.XMax, e.YMax}, {e.XMax, e.YMin}, {e.XMin, e.YMin}, {e.XMin, e.YMax}}
	return f.Match(Polygon{ring[:]})
}

// Relate reports whether footprint fp is in relation rel with query
// geometry g. It prepares g on every call: to test many footprints, use a
// Filter.
func Relate(g Geometry, rel SpatialRel, fp Polygon) (bool, error) {
	f, err := NewFilter(g, rel)
	if err != nil {
		return false, err
	}
	return f.Match(fp), nil
}

// envelopeIntersects reports whether box e and polygon fp share a point.
func envelopeIntersects(e Envelope, fp Polygon) bool {
	for _, r := range fp {
		for _, v := range r {
			if e.XMin <= v[0] && v[0] <= e.XMax && e.YMin <= v[1] && v[1] <= e.YMax {
				return true
			}
		}
	}
	for _, r := range fp {
		n := ringLen(r)
		for i := 0; i < n; i++ {
			j := i + 1
			if j == n {
				j = 0
			}
			if segmentMeetsBox(r[i], r[j], e) {
				return true
			}
		}
	}
	// No edge of fp meets the box: it lies wholly inside fp or outside.
	return locate([2]float64{e.XMin, e.YMin}, fp) >= 0
}

// segmentMeetsBox reports whether closed segment ab meets box e: by the
// separating axis theorem, when their bounds overlap and the corners of e
// are not all strictly on one side of the line ab.
func segmentMeetsBox(a, b [2]float64, e Envelope) bool {
	if min(a[0], b[0]) > e.XMax || max(a[0], b[0]) < e.XMin || min(a[1], b[1]) > e.YMax || max(a[1], b[1]) < e.YMin {
		return false
	}
	s := orient(a, b, [2]float64{e.XMin, e.YMin})
	if s == 0 {
		return true
	}
	for _, c := range [...][2]float64{{e.XMax, e.YMin}, {e.XMax, e.YMax}, {e.XMin, e.YMax}} {
		if orient(a, b, c) != s {
			return true
		}
	}
	return false
}

// polygonIntersects reports whether prepared polygon q and footprint fp
// share a point. If no edges meet, either they are apart or
// one lies inside the other, and then every ring of the inner one is
// inside the outer one: testing one vertex per ring settles it.
func polygonIntersects(q *region, fp Polygon) bool {
	for _, r := range fp {
		if len(r) > 0 && q.locate(r[0]) >= 0 {
			return true
		}
	}
	for _, r := range q.poly {
		if locate(r[0], fp) >= 0 {
			return true
		}
	}
	// Then the edges: one pass over those of q near fp, each tested
	// against the edges of fp.
	crossesFP := func(c, d [2]float64) bool {
		cd := segmentBounds(c, d)
		for _, r := range fp {
			n := ringLen(r)
			for i := 0; i < n; i++ {
				j := i + 1
				if j == n {
					j = 0
				}
				a, b := r[i], r[j]
				if segmentBounds(a, b).Intersects(cd) && segmentsIntersect(a, b, c, d) {
					return true
				}
			}
		}
		return false
	}
	if q.grid == nil { // the common small query: a plain loop, no closure call
		for k := range q.edges {
			if e := &q.edges[k]; crossesFP(e.a, e.b) {
				return true
			}
		}
		return false
	}
	return !q.eachEdge(fp.Bounds(), func(c, d [2]float64) bool { return !crossesFP(c, d) })
}

func segmentBounds(a, b [2]float64) Envelope {
	return Envelope{min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])}
}

// edge is a directed edge of a polygon, with its bounds.
type edge struct {
	a, b [2]float64
	box  Envelope
}

// region is a polygon being related: a prepared query polygon (with its
// edges, perhaps indexed) or a footprint seen as is.
type region struct {
	poly   Polygon
	bounds Envelope
	edges  []edge     // nil for a footprint: read from poly
	idx    *bandIndex // for locate
	grid   *gridIndex // for eachEdge
	// side is +1 when the interior lies to the right of every edge (the
	// normalized orientation: outer rings clockwise, holes
	// counter-clockwise), -1 to the left, 0 not computed yet.
	side int
	// convex is 1 when g is a single convex ring, -1 when not, 0 not
	// computed yet.
	convex int
}

// isConvex reports whether g is one convex ring, working it out once.
func (g *region) isConvex() bool {
	if g.convex == 0 {
		g.convex = -1
		if len(g.poly) == 1 && convexRing(g.poly[0]) {
			g.convex = 1
		}
	}
	return g.convex > 0
}

// convexRing reports whether ring r bounds a convex region: every turn
// goes the same way (or straight on), and the ring winds once, which a
// star polygon whose turns all agree does not; winding once shows as x
// (and y) changing direction at most twice around the ring.
func convexRing(r [][2]float64) bool {
	n := ringLen(r)
	if n < 3 {
		return false
	}
	turn, xdir, ydir, xflips, yflips := 0, 0, 0, 0, 0
	prev := r[n-1]
	for k := n - 2; k >= 0 && prev == r[n-1]; k-- { // the last vertex distinct from r[0]
		prev = r[k]
	}
	for i := 0; i < n; i++ {
		cur, next := r[i], r[(i+1)%n]
		if cur == next {
			continue
		}
		if o := orient(prev, cur, next); o != 0 {
			if turn != 0 && o != turn {
				return false
			}
			turn = o
		}
		if d := sign(next[0] - cur[0]); d != 0 {
			if xdir != 0 && d != xdir {
				xflips++
			}
			xdir = d
		}
		if d := sign(next[1] - cur[1]); d != 0 {
			if ydir != 0 && d != ydir {
				yflips++
			}
			ydir = d
		}
		prev = cur
	}
	return turn != 0 && xflips <= 2 && yflips <= 2
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// prepare returns normalized polygon p as a region with its edges listed
// and, if many, indexed.
func prepare(p Polygon) *region {
	g := &region{poly: p, bounds: p.Bounds(), side: 1}
	g.isConvex()
	for _, r := range p {
		n := ringLen(r)
		for i := 0; i < n; i++ {
			a, b := r[i], r[(i+1)%n]
			g.edges = append(g.edges, edge{a, b, segmentBounds(a, b)})
		}
	}
	g.idx = newBandIndex(g.edges, g.bounds.YMin, g.bounds.YMax)
	g.grid = newGridIndex(g.edges, g.bounds)
	return g
}

// interiorSide returns g.side, working it out for a footprint: a single
// ring may run either way; several rings are taken as normalized.
func (g *region) interiorSide() int {
	if g.side == 0 {
		g.side = 1
		if len(g.poly) == 1 && ringOrientation(g.poly[0]) > 0 {
			g.side = -1
		}
	}
	return g.side
}

// locate returns +1 if p is inside g, 0 on its boundary, -1 outside.
func (g *region) locate(p [2]float64) int {
	b := g.bounds
	if p[0] < b.XMin || p[0] > b.XMax || p[1] < b.YMin || p[1] > b.YMax {
		return -1
	}
	if g.edges == nil {
		return locate(p, g.poly)
	}
	edges := g.edges
	if g.idx != nil {
		k := g.idx.band(p[1])
		return locateEdges(p, edges, g.idx.items[g.idx.start[k]:g.idx.start[k+1]])
	}
	return locateEdges(p, edges, nil)
}

// locateEdges is locate over a list of edges: those at the indices in
// which, or all of them if which is nil.
func locateEdges(p [2]float64, edges []edge, which []int32) int {
	inside := false
	n := len(edges)
	if which != nil {
		n = len(which)
	}
	for k := 0; k < n; k++ {
		e := &edges[k]
		if which != nil {
			e = &edges[which[k]]
		}
		a, b := e.a, e.b
		if (a[1] > p[1]) != (b[1] > p[1]) { // as in locate
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
	if inside {
		return 1
	}
	return -1
}

// eachEdge calls fn once for each edge of g whose bounds meet box, until
// fn returns false; it reports whether fn never did.
func (g *region) eachEdge(box Envelope, fn func(a, b [2]float64) bool) bool {
	if g.edges == nil {
		for _, r := range g.poly {
			n := ringLen(r)
			for i := 0; i < n; i++ {
				j := i + 1
				if j == n {
					j = 0
				}
				if a, b := r[i], r[j]; segmentBounds(a, b).Intersects(box) && !fn(a, b) {
					return false
				}
			}
		}
		return true
	}
	if g.grid == nil {
		for i := range g.edges {
			if e := &g.edges[i]; e.box.Intersects(box) && !fn(e.a, e.b) {
				return false
			}
		}
		return true
	}
	// An edge spanning several cells is listed in each: take it only in
	// the first cell the box shares with it.
	ix := g.grid
	c0, r0 := ix.cell(box.XMin, box.YMin)
	c1, r1 := ix.cell(box.XMax, box.YMax)
	for row := r0; row <= r1; row++ {
		for col := c0; col <= c1; col++ {
			c := row*ix.nx + col
			for _, i := range ix.items[ix.start[c]:ix.start[c+1]] {
				if f := ix.first[i]; max(int(f[0]), c0) != col || max(int(f[1]), r0) != row {
					continue
				}
				if e := &g.edges[i]; e.box.Intersects(box) && !fn(e.a, e.b) {
					return false
				}
			}
		}
	}
	return true
}

// covers reports whether region b lies in region a, boundaries included:
// the relation under both RelContains (a the query) and RelWithin (a the
// footprint). For closed polygons, b ⊆ a exactly when the boundary of b
// lies in a and the boundary of a does not enter the interior of b, with
// one refinement for boundaries that run together: there the interiors
// must lie on the same side (else b could be a hole of a exactly).
//
// Each edge is split at the other polygon's vertices lying on it. An edge
// that crosses the other polygon's boundary properly settles the matter;
// otherwise every piece between split points lies wholly inside, outside
// or along the other boundary, and its midpoint says which. Splitting at
// exact vertices and sorting along one coordinate keeps the decisions
// exact; only the midpoints are rounded.
func covers(a, b *region) bool {
	if a.isConvex() {
		// A convex region holds b exactly when it holds b's vertices:
		// it then holds their hull, and b lies in that.
		for _, r := range b.poly {
			for _, v := range r[:ringLen(r)] {
				if a.locate(v) < 0 {
					return false
				}
			}
		}
		return true
	}
	var ptsBuf [16][2]float64
	var ovBuf [8]overlap
	if !b.eachEdge(b.bounds, func(p, q [2]float64) bool {
		if p == q {
			return true
		}
		l := newLine(p, q)
		pts, ovs, crossed := l.split(a, b.interiorSide(), ptsBuf[:0], ovBuf[:0])
		if crossed {
			return false // b's boundary crosses a's
		}
		for _, o := range ovs {
			if !o.same {
				return false // b's interior lies on a's outer side
			}
		}
		return l.eachPiece(pts, ovs, func(m [2]float64) bool { return a.locate(m) >= 0 })
	}) {
		return false
	}
	return a.eachEdge(b.bounds, func(p, q [2]float64) bool {
		if p == q {
			return true
		}
		l := newLine(p, q)
		pts, ovs, crossed := l.split(b, a.interiorSide(), ptsBuf[:0], ovBuf[:0])
		if crossed {
			return false
		}
		return l.eachPiece(pts, ovs, func(m [2]float64) bool { return b.locate(m) <= 0 })
	})
}

// line is a segment pq being split at the vertices of another polygon
// lying on it. Points along pq are ordered by one coordinate (the one that
// changes most from p to q), which orders collinear points exactly.
type line struct {
	p, q [2]float64
	axis int
	dir  float64
}

// overlap is a stretch [lo, hi] (in key units) of pq along which an edge
// of the other polygon runs; same says whether the two interiors lie on
// the same side of it.
type overlap struct {
	lo, hi float64
	same   bool
}

func newLine(p, q [2]float64) line {
	l := line{p: p, q: q, dir: 1}
	if math.Abs(q[1]-p[1]) > math.Abs(q[0]-p[0]) {
		l.axis = 1
	}
	if q[l.axis] < p[l.axis] {
		l.dir = -1
	}
	return l
}

// key orders points along pq: increasing from p to q.
func (l line) key(v [2]float64) float64 { return l.dir * v[l.axis] }

// split appends to pts p, q and the vertices of g lying inside pq, and to
// ovs the stretches of pq along which edges of g run, where pq's own
// polygon has its interior on side (as region.side) of pq. It reports
// whether an edge of g crosses pq properly, and then stops early.
func (l line) split(g *region, side int, pts [][2]float64, ovs []overlap) ([][2]float64, []overlap, bool) {
	p, q := l.p, l.q
	pts = append(pts, p, q)
	crossed := false
	inside := func(c [2]float64) bool { return c != p && c != q && onSegment(p, q, c) }
	g.eachEdge(segmentBounds(p, q), func(c, d [2]float64) bool {
		o1, o2 := orient(p, q, c), orient(p, q, d)
		switch {
		case o1 == 0 && o2 == 0:
			if inside(c) {
				pts = append(pts, c)
			}
			if inside(d) {
				pts = append(pts, d)
			}
			lo := max(min(l.key(c), l.key(d)), l.key(p))
			hi := min(max(l.key(c), l.key(d)), l.key(q))
			if lo < hi {
				sameDir := (d[l.axis] > c[l.axis]) == (l.dir > 0)
				ovs = append(ovs, overlap{lo, hi, sameDir == (side == g.interiorSide())})
			}
		case o1 == 0:
			if inside(c) {
				pts = append(pts, c)
			}
		case o2 == 0:
			if inside(d) {
				pts = append(pts, d)
			}
		case o1 != o2:
			if o3, o4 := orient(c, d, p), orient(c, d, q); o3 != 0 && o4 != 0 && o3 != o4 {
				crossed = true
				return false
			}
		}
		return true
	})
	return pts, ovs, crossed
}

// eachPiece sorts the split points and calls fn with the midpoint of each
// piece between consecutive ones that no overlap covers, until fn returns
// false; it reports whether fn never did.
func (l line) eachPiece(pts [][2]float64, ovs []overlap, fn func(m [2]float64) bool) bool {
	for i := 1; i < len(pts); i++ { // insertion sort: a handful of points
		for j := i; j > 0 && l.key(pts[j]) < l.key(pts[j-1]); j-- {
			pts[j], pts[j-1] = pts[j-1], pts[j]
		}
	}
	for i := 0; i+1 < len(pts); i++ {
		u, v := pts[i], pts[i+1]
		lo, hi := l.key(u), l.key(v)
		if lo == hi {
			continue
		}
		covered := false
		for _, o := range ovs {
			if o.lo <= lo && hi <= o.hi {
				covered = true
				break
			}
		}
		if !covered && !fn([2]float64{u[0]/2 + v[0]/2, u[1]/2 + v[1]/2}) {
			return false
		}
	}
	return true
}
