package geometry

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// rect returns the rectangle [x0,x1]×[y0,y1] as a closed clockwise ring.
func rect(x0, y0, x1, y1 float64) [][2]float64 {
	return [][2]float64{{x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}, {x0, y1}}
}

// rectHole returns the same rectangle counter-clockwise, as a hole.
func rectHole(x0, y0, x1, y1 float64) [][2]float64 { return reversed(rect(x0, y0, x1, y1)) }

// TestContainsMeansQueryContainsFootprint pins which way round
// esriSpatialRelContains goes. The ArcGIS esriSpatialRelEnum says
// "esriSpatialRelContains: Query Geometry Contains Target Geometry" (the
// ArcGIS Pro SDK: "The filter geometry wholly contains within it a feature
// from the target feature class"): the query geometry is the container and
// the selected footprints lie inside it.
func TestContainsMeansQueryContainsFootprint(t *testing.T) {
	big, small := Polygon{rect(0, 0, 100, 100)}, Polygon{rect(10, 10, 20, 20)}
	if ok, _ := Relate(big, RelContains, small); !ok {
		t.Error("a query polygon does not contain a footprint inside it")
	}
	if ok, _ := Relate(Envelope{0, 0, 100, 100}, RelContains, small); !ok {
		t.Error("a query envelope does not contain a footprint inside it")
	}
	if ok, _ := Relate(small, RelContains, big); ok {
		t.Error("a query polygon contains a footprint around it")
	}
}

// TestWithinMeansQueryWithinFootprint pins esriSpatialRelWithin: "Query
// Geometry is Within Target Geometry" (ArcGIS Pro SDK: "The filter
// geometry is within a feature in the target feature class"): the selected
// footprints contain the query geometry, as the footprints under a clicked
// point.
func TestWithinMeansQueryWithinFootprint(t *testing.T) {
	big, small := Polygon{rect(0, 0, 100, 100)}, Polygon{rect(10, 10, 20, 20)}
	if ok, _ := Relate(small, RelWithin, big); !ok {
		t.Error("a query polygon is not within a footprint around it")
	}
	if ok, _ := Relate(Point{50, 50}, RelWithin, big); !ok {
		t.Error("a query point is not within a footprint around it")
	}
	if ok, _ := Relate(big, RelWithin, small); ok {
		t.Error("a query polygon is within a footprint inside it")
	}
}

func TestMatch(t *testing.T) {
	sq := Polygon{rect(0, 0, 10, 10)}
	withHole := Polygon{rect(0, 0, 10, 10), rectHole(3, 3, 7, 7)}
	diamond := Polygon{{{5, 0}, {0, 5}, {5, 10}, {10, 5}, {5, 0}}}
	type want struct{ intersects, envelopeIntersects, contains, within bool }
	for _, tt := range []struct {
		name  string
		query Geometry
		fp    Polygon
		want  want
	}{
		{"equal polygons", sq, sq, want{true, true, true, true}},
		{"equal envelope", Envelope{0, 0, 10, 10}, sq, want{true, true, true, true}},
		{"footprint inside", sq, Polygon{rect(2, 2, 4, 4)}, want{true, true, true, false}},
		{"footprint inside touching the edge", sq, Polygon{rect(0, 2, 4, 4)}, want{true, true, true, false}},
		{"footprint around", Polygon{rect(2, 2, 4, 4)}, sq, want{true, true, false, true}},
		{"sharing an edge from outside", sq, Polygon{rect(10, 0, 20, 10)}, want{true, true, false, false}},
		{"sharing part of an edge", sq, Polygon{rect(10, 4, 20, 6)}, want{true, true, false, false}},
		{"touching at a corner", sq, Polygon{rect(10, 10, 20, 20)}, want{true, true, false, false}},
		{"envelope touching at a corner", Envelope{0, 0, 10, 10}, Polygon{rect(10, 10, 20, 20)}, want{true, true, false, false}},
		{"apart", sq, Polygon{rect(11, 0, 20, 10)}, want{false, false, false, false}},
		{"overlapping", sq, Polygon{rect(5, 5, 15, 15)}, want{true, true, false, false}},
		{"crossing without vertices inside", Polygon{rect(-5, 4, 15, 6)}, Polygon{rect(4, -5, 6, 15)}, want{true, true, false, false}},
		{"envelope crossing without vertices inside", Envelope{-5, 4, 15, 6}, Polygon{rect(4, -5, 6, 15)}, want{true, true, false, false}},
		{"footprint in the query's hole", withHole, Polygon{rect(4, 4, 6, 6)}, want{false, true, false, false}},
		{"footprint filling the query's hole", withHole, Polygon{rect(3, 3, 7, 7)}, want{true, true, false, false}},
		{"footprint over the query's hole", withHole, Polygon{rect(2, 2, 8, 8)}, want{true, true, false, false}},
		{"query in the footprint's hole", Polygon{rect(4, 4, 6, 6)}, withHole, want{false, true, false, false}},
		{"query point in the footprint's hole", Point{5, 5}, withHole, want{false, true, false, false}},
		{"envelope in the footprint's hole", Envelope{4, 4, 6, 6}, withHole, want{false, true, false, false}},
		{"point inside", Point{5, 5}, sq, want{true, true, false, true}},
		{"point on the boundary", Point{10, 5}, sq, want{true, true, false, false}},
		{"point outside", Point{11, 5}, sq, want{false, false, false, false}},
		{"envelope of no extent on the boundary, as a point", Envelope{10, 5, 10, 5}, sq, want{true, true, false, false}},
		{"envelope of no extent inside", Envelope{5, 5, 5, 5}, sq, want{true, true, false, true}},
		{"flat envelope along an edge: closed containment", Envelope{0, 10, 10, 10}, sq, want{true, true, false, true}},
		{"multipoint partly inside", MultiPoint{{5, 5}, {50, 50}}, sq, want{true, true, false, false}},
		{"multipoint inside and on the boundary", MultiPoint{{5, 5}, {0, 0}}, sq, want{true, true, false, true}},
		{"multipoint only on the boundary", MultiPoint{{10, 5}, {0, 0}}, sq, want{true, true, false, false}},
		{"diamond apart from an envelope at its bounds' corner", Envelope{8, 8, 10, 10}, diamond, want{false, true, false, false}},
		{"diamond touching an envelope's corner", Envelope{7.5, 7.5, 10, 10}, diamond, want{true, true, false, false}},
		{"diamond inside a polygon touching at its vertices", sq, diamond, want{true, true, true, false}},
		{"square within a diamond? no", diamond, sq, want{true, true, false, true}},
		{"open counter-clockwise footprint ring", sq, Polygon{{{2, 2}, {4, 2}, {4, 4}, {2, 4}}}, want{true, true, true, false}},
		{"open counter-clockwise footprint around the query", Polygon{rect(2, 2, 4, 4)}, Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}}, want{true, true, false, true}},
		{"query as GeoJSON-ordered rings", Polygon{reversed(rect(0, 0, 10, 10))}, Polygon{rect(0, 0, 10, 10)}, want{true, true, true, true}},
		{"query is the footprint's hole exactly", Polygon{rect(3, 3, 7, 7)}, withHole, want{true, true, false, false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for rel, want := range map[SpatialRel]bool{
				RelIntersects: tt.want.intersects, RelEnvelopeIntersects: tt.want.envelopeIntersects,
				RelContains: tt.want.contains, RelWithin: tt.want.within,
			} {
				got, err := Relate(tt.query, rel, tt.fp)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%v: got %v, want %v", rel, got, want)
				}
			}
		})
	}
}

// cellShape is a union of unit cells of a small grid, given as rectangles
// with integer corners: outer rectangles, each with at most one hole
// strictly inside, no two outer rectangles touching. Its closed region is
// exactly the union of its closed cells, which makes an exact oracle.
type cellShape struct {
	outers, holes [][4]int // x0, y0, x1, y1; holes[i] may be zero (none)
	// notches[i], if not zero, is cut from a corner of outers[i],
	// making an L-shaped (non-convex) outer ring.
	notches [][4]int
}

func (s cellShape) has(i, j int) bool {
	in := func(r [4]int) bool { return r[0] <= i && i < r[2] && r[1] <= j && j < r[3] }
	for k, o := range s.outers {
		if in(o) && !(s.holes[k] != [4]int{} && in(s.holes[k])) && !(s.notches[k] != [4]int{} && in(s.notches[k])) {
			return true
		}
	}
	return false
}

// lRing returns outer rectangle o with corner rectangle c cut out, as a
// closed clockwise ring.
func lRing(o, c [4]int) [][2]float64 {
	f := func(v int) float64 { return float64(v) }
	// Walk the rectangle clockwise from its upper left corner, replacing
	// the cut corner by the notch's two inner edges.
	corners := [][2]int{{o[0], o[3]}, {o[2], o[3]}, {o[2], o[1]}, {o[0], o[1]}}
	var r [][2]float64
	for _, p := range corners {
		inCut := (p[0] == c[0] || p[0] == c[2]) && (p[1] == c[1] || p[1] == c[3])
		if !inCut {
			r = append(r, [2]float64{f(p[0]), f(p[1])})
			continue
		}
		// The notch corner opposite p is the inner vertex.
		ix, iy := c[0]+c[2]-p[0], c[1]+c[3]-p[1]
		// Clockwise: arrive along one side, go in, come out along the other.
		var a, b [2]int
		switch p {
		case corners[0]: // upper left: from the left side up to the top side
			a, b = [2]int{p[0], iy}, [2]int{ix, p[1]}
		case corners[1]: // upper right
			a, b = [2]int{ix, p[1]}, [2]int{p[0], iy}
		case corners[2]: // lower right
			a, b = [2]int{p[0], iy}, [2]int{ix, p[1]}
		default: // lower left
			a, b = [2]int{ix, p[1]}, [2]int{p[0], iy}
		}
		r = append(r, [2]float64{f(a[0]), f(a[1])}, [2]float64{f(ix), f(iy)}, [2]float64{f(b[0]), f(b[1])})
	}
	return append(r, r[0])
}

func (s cellShape) polygon(tf func([2]float64) [2]float64) Polygon {
	var p Polygon
	f := func(r [][2]float64) [][2]float64 {
		for i := range r {
			r[i] = tf(r[i])
		}
		return r
	}
	for k, o := range s.outers {
		if c := s.notches[k]; c != [4]int{} {
			p = append(p, f(lRing(o, c)))
		} else {
			p = append(p, f(rect(float64(o[0]), float64(o[1]), float64(o[2]), float64(o[3]))))
		}
		if h := s.holes[k]; h != [4]int{} {
			p = append(p, f(rectHole(float64(h[0]), float64(h[1]), float64(h[2]), float64(h[3]))))
		}
	}
	return p
}

const grid = 8

func randomShape(rng *rand.Rand, parts int) cellShape {
	var s cellShape
	for len(s.outers) < parts {
		x0, y0 := rng.IntN(grid), rng.IntN(grid)
		o := [4]int{x0, y0, x0 + 1 + rng.IntN(grid-x0), y0 + 1 + rng.IntN(grid-y0)}
		apart := true
		for _, q := range s.outers { // keep a cell of space between parts
			if o[0] <= q[2] && q[0] <= o[2] && o[1] <= q[3] && q[1] <= o[3] {
				apart = false
			}
		}
		if !apart {
			if rng.IntN(4) == 0 {
				break
			}
			continue
		}
		var h [4]int
		if w, hh := o[2]-o[0], o[3]-o[1]; w >= 3 && hh >= 3 && rng.IntN(2) == 0 {
			hx, hy := o[0]+1+rng.IntN(w-2), o[1]+1+rng.IntN(hh-2)
			h = [4]int{hx, hy, hx + 1 + rng.IntN(o[2]-1-hx), hy + 1 + rng.IntN(o[3]-1-hy)}
		}
		var c [4]int
		if w, hh := o[2]-o[0], o[3]-o[1]; w >= 2 && hh >= 2 && rng.IntN(3) == 0 {
			cw, ch := 1+rng.IntN(w-1), 1+rng.IntN(hh-1)
			x, y := o[0], o[1]
			if rng.IntN(2) == 0 {
				x = o[2] - cw
			}
			if rng.IntN(2) == 0 {
				y = o[3] - ch
			}
			c = [4]int{x, y, x + cw, y + ch}
			if h != [4]int{} && h[0] < c[2] && c[0] < h[2] && h[1] < c[3] && c[1] < h[3] {
				h = [4]int{} // the hole would reach the notch
			}
			if h != [4]int{} && (h[0] <= c[2] && c[0] <= h[2] && h[1] <= c[3] && c[1] <= h[3]) {
				h = [4]int{} // or touch it
			}
		}
		s.outers = append(s.outers, o)
		s.holes = append(s.holes, h)
		s.notches = append(s.notches, c)
	}
	return s
}

// oracle computes the relations from cells: closed unit squares meet when
// their indices differ by at most one in each direction.
func oracle(a, b cellShape) (intersects, aCoversB bool) {
	aCoversB = true
	for i := -1; i <= grid; i++ {
		for j := -1; j <= grid; j++ {
			if b.has(i, j) && !a.has(i, j) {
				aCoversB = false
			}
			if !a.has(i, j) {
				continue
			}
			for di := -1; di <= 1; di++ {
				for dj := -1; dj <= 1; dj++ {
					if b.has(i+di, j+dj) {
						intersects = true
					}
				}
			}
		}
	}
	return intersects, aCoversB
}

// TestRelationsAgainstCells checks Intersects, Contains and Within on
// thousands of random shapes with holes and several parts against the cell
// oracle, as drawn and under affine maps that keep integer coordinates
// (shears and a 45° turn, which make the touching edges diagonal and
// exercise the exact predicate). Affine maps preserve every relation.
func TestRelationsAgainstCells(t *testing.T) {
	maps := map[string]func([2]float64) [2]float64{
		"identity": func(p [2]float64) [2]float64 { return p },
		"turn45":   func(p [2]float64) [2]float64 { return [2]float64{p[0] - p[1], p[0] + p[1]} },
		"shear":    func(p [2]float64) [2]float64 { return [2]float64{p[0] + 3*p[1], p[1]} },
		"skew":     func(p [2]float64) [2]float64 { return [2]float64{2*p[0] + p[1] + 499999, p[0] + 3*p[1] + 4e6} },
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for name, tf := range maps {
		t.Run(name, func(t *testing.T) {
			for n := 0; n < 4000; n++ {
				a, b := randomShape(rng, 1+rng.IntN(2)), randomShape(rng, 1+rng.IntN(2))
				if name == "identity" {
					// The rings drawn are the cells counted.
					cells := 0
					for i := 0; i < grid; i++ {
						for j := 0; j < grid; j++ {
							if a.has(i, j) {
								cells++
							}
						}
					}
					if pa := a.polygon(tf); pa.Area() != float64(cells) || !polygonsEqual(Normalize(pa), pa) {
						t.Fatalf("shape %+v drawn as %v: area %v, %d cells, or not normalized", a, pa, pa.Area(), cells)
					}
				}
				intersects, aCoversB := oracle(a, b)
				_, bCoversA := oracle(b, a)
				qa, fb := a.polygon(tf), b.polygon(tf)
				if len(b.outers) == 1 && b.holes[0] == ([4]int{}) && rng.IntN(2) == 0 {
					// (an L-shaped ring included)
					// A catalog footprint: one open ring, counter-clockwise.
					fb = Polygon{reversed(fb[0])[:len(fb[0])-1]}
				}
				check := func(rel SpatialRel, want bool) {
					t.Helper()
					got, err := Relate(qa, rel, fb)
					if err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Fatalf("%v\nquery %v\nfootprint %v\ngot %v, want %v", rel, qa, fb, got, want)
					}
				}
				check(RelIntersects, intersects)
				check(RelContains, aCoversB)
				check(RelWithin, bCoversA)
				if name == "identity" && len(a.outers) == 1 && a.holes[0] == ([4]int{}) && a.notches[0] == ([4]int{}) {
					o := a.outers[0]
					env := Envelope{float64(o[0]), float64(o[1]), float64(o[2]), float64(o[3])}
					for rel, want := range map[SpatialRel]bool{RelIntersects: intersects, RelContains: aCoversB, RelWithin: bCoversA} {
						if got, _ := Relate(env, rel, fb); got != want {
							t.Fatalf("envelope %v %v footprint %v: got %v, want %v", env, rel, fb, got, want)
						}
					}
				}
			}
		})
	}
}

// TestPointsAgainstCells checks point queries on the half-unit lattice:
// a point is in a closed cell shape if a cell holding it is, and in its
// interior if every cell holding it is.
func TestPointsAgainstCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for n := 0; n < 500; n++ {
		s := randomShape(rng, 1+rng.IntN(2))
		fp := s.polygon(func(p [2]float64) [2]float64 { return p })
		for k := 0; k < 20; k++ {
			x, y := float64(rng.IntN(2*grid+3)-1)/2, float64(rng.IntN(2*grid+3)-1)/2
			closedIn, interior := false, true
			for i := int(x) - 1; i <= int(x)+1; i++ {
				for j := int(y) - 1; j <= int(y)+1; j++ {
					if float64(i) <= x && x <= float64(i+1) && float64(j) <= y && y <= float64(j+1) {
						if s.has(i, j) {
							closedIn = true
						} else {
							interior = false
						}
					}
				}
			}
			if x < 0 || y < 0 {
				interior = false
			}
			for rel, want := range map[SpatialRel]bool{RelIntersects: closedIn, RelWithin: closedIn && interior, RelContains: false} {
				if got, _ := Relate(Point{x, y}, rel, fp); got != want {
					t.Fatalf("point (%v, %v) %v %v: got %v, want %v", x, y, rel, fp, got, want)
				}
			}
		}
	}
}

// TestPrefilter checks that every match passes the prefilter, and that an
// Exact prefilter is the whole answer.
func TestPrefilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	queries := []Geometry{
		Envelope{2, 2, 6, 6}, Point{3, 3}, MultiPoint{{1, 1}, {6, 2}},
		Polygon{{{1, 1}, {7, 3}, {4, 7}, {1, 1}}},
	}
	for _, q := range queries {
		for rel := RelIntersects; rel <= RelWithin; rel++ {
			f, err := NewFilter(q, rel)
			if err != nil {
				t.Fatal(err)
			}
			pf := f.Prefilter()
			for n := 0; n < 2000; n++ {
				fp := randomShape(rng, 1).polygon(func(p [2]float64) [2]float64 { return p })
				match, pass := f.Match(fp), pf.Pass(fp.Bounds())
				if match && !pass {
					t.Fatalf("%T %v %v: %v matches but its bounds fail the prefilter %+v", q, q, rel, fp, pf)
				}
				if pf.Exact && match != pass {
					t.Fatalf("%T %v %v: exact prefilter says %v, Match %v for %v", q, q, rel, pass, match, fp)
				}
				if pf.Empty() && pass {
					t.Fatalf("empty prefilter passes %v", fp)
				}
			}
		}
	}
}

func TestParseSpatialRel(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want SpatialRel
	}{
		{"", RelIntersects},
		{"esriSpatialRelIntersects", RelIntersects},
		{"esriSpatialRelEnvelopeIntersects", RelEnvelopeIntersects},
		{"esrispatialrelcontains", RelContains},
		{"esriSpatialRelWithin", RelWithin},
	} {
		t.Run("OK/"+tt.in, func(t *testing.T) {
			got, err := ParseSpatialRel(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseSpatialRel(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if tt.in != "" && got.String() != relNames[tt.want] {
				t.Errorf("String() = %s", got)
			}
		})
	}
	for _, in := range []string{"esriSpatialRelTouches", "esriSpatialRelIndexIntersects", "intersects", "esriSpatialRelIntersect"} {
		t.Run("Err/"+in, func(t *testing.T) {
			_, err := ParseSpatialRel(in)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Input != "spatialRel" {
				t.Fatalf("ParseSpatialRel(%q) = %v, want a *ParseError", in, err)
			}
			for _, n := range relNames {
				if !strings.Contains(pe.Msg, n) {
					t.Errorf("the error %q does not list %s", pe.Msg, n)
				}
			}
		})
	}
}

func TestConvexRing(t *testing.T) {
	pentagram := [][2]float64{{0, 10}, {6, -8}, {-9, 3}, {9, 3}, {-6, -8}, {0, 10}}
	for _, tt := range []struct {
		name string
		r    [][2]float64
		want bool
	}{
		{"square", rect(0, 0, 10, 10), true},
		{"square counter-clockwise, open", reversed(rect(0, 0, 10, 10))[:4], true},
		{"collinear and repeated vertices", [][2]float64{{0, 0}, {0, 5}, {0, 5}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}, true},
		{"triangle", [][2]float64{{0, 0}, {5, 10}, {10, 0}, {0, 0}}, true},
		{"L shape", lRing([4]int{0, 0, 4, 4}, [4]int{2, 2, 4, 4}), false},
		{"pentagram: every turn the same way", pentagram, false},
		{"no area", [][2]float64{{0, 0}, {1, 1}, {2, 2}, {0, 0}}, false},
	} {
		if got := convexRing(tt.r); got != tt.want {
			t.Errorf("%s: convexRing = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNewFilterRefuses(t *testing.T) {
	for name, g := range map[string]Geometry{
		"nil":              nil,
		"empty envelope":   Envelope{1, 0, 0, 1},
		"empty multipoint": MultiPoint{},
		"empty polygon":    Polygon{},
		"short ring":       Polygon{{{0, 0}, {1, 1}, {0, 0}}},
		"infinite point":   Point{0, math.Inf(1)},
	} {
		if _, err := NewFilter(g, RelIntersects); err == nil {
			t.Errorf("%s: NewFilter accepted %v", name, g)
		}
	}
}

// TestMatchDoesNotAllocate holds the selection's promise: no allocation
// per candidate, whatever the relation.
func TestMatchDoesNotAllocate(t *testing.T) {
	fp := Polygon{{{2, 1}, {9, 3}, {8, 9}, {1, 7}, {2, 1}}}
	for _, q := range []Geometry{Envelope{0, 0, 5, 5}, Point{5, 5}, Polygon{rect(0, 0, 6, 6)}, Polygon(starPolygon(200, 10, 4))} {
		for rel := RelIntersects; rel <= RelWithin; rel++ {
			f, err := NewFilter(q, rel)
			if err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(50, func() { f.Match(fp) }); n != 0 {
				t.Errorf("%T %v: Match allocates %v times", q, rel, n)
			}
			if n := testing.AllocsPerRun(50, func() { f.MatchEnvelope(Envelope{1, 1, 4, 5}) }); n != 0 {
				t.Errorf("%T %v: MatchEnvelope allocates %v times", q, rel, n)
			}
			if got, want := f.MatchEnvelope(Envelope{1, 1, 4, 5}), f.Match(Envelope{1, 1, 4, 5}.Polygon()); got != want {
				t.Errorf("%T %v: MatchEnvelope = %v, Match = %v", q, rel, got, want)
			}
		}
	}
}
