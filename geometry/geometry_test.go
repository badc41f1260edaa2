package geometry

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// orientRat is the reference for orient: the same determinant in exact
// rational arithmetic.
func orientRat(a, b, c [2]float64) int {
	r := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	sub := func(x, y float64) *big.Rat { return new(big.Rat).Sub(r(x), r(y)) }
	l := new(big.Rat).Mul(sub(b[0], a[0]), sub(c[1], a[1]))
	rr := new(big.Rat).Mul(sub(b[1], a[1]), sub(c[0], a[0]))
	return l.Cmp(rr)
}

// TestOrientExact checks orient against exact rational arithmetic on
// points that are collinear or nearly so: points along a line through
// projected coordinates, nudged by an ulp or not at all.
func TestOrientExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		ax, ay := 500000+rng.Float64()*1e5, 4e6+rng.Float64()*1e5
		dx, dy := rng.Float64()*100-50, rng.Float64()*100-50
		s, u := rng.Float64()*3, rng.Float64()*3
		a := [2]float64{ax, ay}
		b := [2]float64{ax + s*dx, ay + s*dy}
		c := [2]float64{ax + u*dx, ay + u*dy}
		switch i % 3 {
		case 1:
			c[0] = math.Nextafter(c[0], math.Inf(1))
		case 2:
			c[1] = math.Nextafter(c[1], math.Inf(-1))
		}
		if got, want := orient(a, b, c), orientRat(a, b, c); got != want {
			t.Fatalf("orient(%v, %v, %v) = %d, want %d", a, b, c, got, want)
		}
	}
}

// TestOrientKettner runs the classic failure of floating-point
// orientation (Kettner et al., "Classroom examples of robustness problems
// in geometric computations", 2008): p near (0.5, 0.5), stepped by ulps,
// against the line through (12, 12) and (24, 24). Plain floating point
// gets many of these wrong.
func TestOrientKettner(t *testing.T) {
	q, r := [2]float64{12, 12}, [2]float64{24, 24}
	wrongNaive := 0
	for i := 0; i < 64; i++ {
		for j := 0; j < 64; j++ {
			p := [2]float64{0.5 + float64(i)*0x1p-53, 0.5 + float64(j)*0x1p-53}
			want := orientRat(p, q, r)
			if got := orient(p, q, r); got != want {
				t.Fatalf("orient(%v, %v, %v) = %d, want %d", p, q, r, got, want)
			}
			naive := (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0])
			if (naive > 0) != (want > 0) || (naive < 0) != (want < 0) {
				wrongNaive++
			}
		}
	}
	if wrongNaive == 0 {
		t.Error("plain floating point got every case right: the test no longer tests the exact path")
	}
}

func TestOrientSmall(t *testing.T) {
	for _, tt := range []struct {
		name    string
		a, b, c [2]float64
		want    int
	}{
		{"left", [2]float64{0, 0}, [2]float64{1, 0}, [2]float64{0, 1}, 1},
		{"right", [2]float64{0, 0}, [2]float64{1, 0}, [2]float64{0, -1}, -1},
		{"horizontal", [2]float64{0, 5}, [2]float64{3, 5}, [2]float64{9, 5}, 0},
		{"diagonal", [2]float64{0, 0}, [2]float64{1, 1}, [2]float64{2, 2}, 0},
		{"diagonal far", [2]float64{0.1, 0.1}, [2]float64{0.2, 0.2}, [2]float64{0.3, 0.3}, orientRat([2]float64{0.1, 0.1}, [2]float64{0.2, 0.2}, [2]float64{0.3, 0.3})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := orient(tt.a, tt.b, tt.c); got != tt.want {
				t.Errorf("orient = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	// A 10×10 square with a 2×2 hole, clockwise outer, open ring.
	sq := Polygon{
		{{0, 10}, {10, 10}, {10, 0}, {0, 0}},
		{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}},
	}
	for _, tt := range []struct {
		name string
		p    [2]float64
		want int
	}{
		{"inside", [2]float64{1, 1}, 1},
		{"in the hole", [2]float64{5, 5}, -1},
		{"on the hole's edge", [2]float64{4, 5}, 0},
		{"on the hole's corner", [2]float64{6, 6}, 0},
		{"outside", [2]float64{11, 5}, -1},
		{"on the closing edge of the open ring", [2]float64{0, 5}, 0},
		{"on a corner", [2]float64{10, 0}, 0},
		{"level with a vertex, inside", [2]float64{2, 4}, 1},
		{"level with a vertex, outside", [2]float64{-2, 10}, -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := locate(tt.p, sq); got != tt.want {
				t.Errorf("locate(%v) = %d, want %d", tt.p, got, tt.want)
			}
			if got := prepare(Normalize(sq)).locate(tt.p); got != tt.want {
				t.Errorf("prepared locate(%v) = %d, want %d", tt.p, got, tt.want)
			}
		})
	}
}

// TestIndexedLocate checks the band index against the plain pass on a
// polygon with many vertices.
func TestIndexedLocate(t *testing.T) {
	star := starPolygon(500, 100, 40)
	g := prepare(star)
	if g.idx == nil {
		t.Fatal("a 1000-vertex polygon was not indexed")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		p := [2]float64{rng.Float64()*240 - 120, rng.Float64()*240 - 120}
		if i%10 == 0 { // a vertex
			r := star[0]
			p = r[rng.IntN(len(r))]
		}
		if got, want := g.locate(p), locate(p, star); got != want {
			t.Fatalf("indexed locate(%v) = %d, plain %d", p, got, want)
		}
	}
}

// starPolygon returns a clockwise star of n points between radii outer
// and inner, closed.
func starPolygon(n int, outer, inner float64) Polygon {
	var r [][2]float64
	for i := 0; i < 2*n; i++ {
		rad := outer
		if i%2 == 1 {
			rad = inner
		}
		a := -float64(i) * math.Pi / float64(n)
		r = append(r, [2]float64{math.Round(rad*math.Cos(a)*1e6) / 1e6, math.Round(rad*math.Sin(a)*1e6) / 1e6})
	}
	return Polygon{append(r, r[0])}
}

func TestNormalize(t *testing.T) {
	cw := [][2]float64{{0, 10}, {10, 10}, {10, 0}, {0, 0}, {0, 10}}
	ccw := reversed(cw)
	holeCCW := [][2]float64{{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}
	holeCW := reversed(holeCCW)
	island := [][2]float64{{2.5, 2.5}, {2.5, 3.5}, {3.5, 3.5}, {3.5, 2.5}, {2.5, 2.5}} // clockwise, inside the hole
	far := [][2]float64{{20, 10}, {30, 10}, {30, 0}, {20, 0}, {20, 10}}
	for _, tt := range []struct {
		name string
		in   Polygon
		want Polygon
	}{
		{"ArcGIS order kept", Polygon{cw, holeCCW}, Polygon{cw, holeCCW}},
		{"GeoJSON order turned", Polygon{ccw, holeCW}, Polygon{cw, holeCCW}},
		{"open ring closed", Polygon{cw[:4]}, Polygon{cw}},
		{"hole listed first", Polygon{holeCCW, cw}, Polygon{cw, holeCCW}},
		{"island in a hole is an outer ring", Polygon{cw, holeCCW, reversed(island)}, Polygon{cw, holeCCW, island}},
		{"two parts, holes follow their ring", Polygon{cw, far, holeCCW}, Polygon{cw, holeCCW, far}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if !polygonsEqual(got, tt.want) {
				t.Errorf("Normalize(%v)\n = %v\nwant %v", tt.in, got, tt.want)
			}
			if again := Normalize(got); !polygonsEqual(again, got) {
				t.Errorf("Normalize is not idempotent: %v then %v", got, again)
			}
		})
	}
}

// TestNormalizeManyRings checks the fallback for polygons of too many
// rings to class by nesting: the ArcGIS rule, by orientation.
func TestNormalizeManyRings(t *testing.T) {
	var p Polygon
	for i := 0; i < 6000; i++ {
		x := float64(i * 10)
		p = append(p, reversed(rect(x, 0, x+8, 8))) // GeoJSON-oriented outer ring
		if i%2 == 0 {
			p = append(p, rectHole(x+2, 2, x+4, 4)) // an ArcGIS hole
		}
	}
	got := Normalize(p)
	if len(got) != len(p) {
		t.Fatalf("%d rings in, %d out", len(p), len(got))
	}
	if ringOrientation(got[0]) != 1 || ringOrientation(got[1]) != 1 {
		t.Errorf("past the nesting budget, rings were not classed by orientation: %v", got[:2])
	}
	if again := Normalize(got); !polygonsEqual(again, got) {
		t.Error("Normalize is not idempotent past the nesting budget")
	}
}

func polygonsEqual(a, b Polygon) bool {
	return slices.EqualFunc(a, b, func(x, y [][2]float64) bool { return slices.Equal(x, y) })
}

func TestRingOrientationReversal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 1000; i++ {
		var r [][2]float64
		for k := 0; k < 3+rng.IntN(6); k++ {
			r = append(r, [2]float64{float64(rng.IntN(5)), float64(rng.IntN(5))})
		}
		r = append(r, r[0])
		if o, ro := ringOrientation(r), ringOrientation(reversed(r)); o != -ro {
			t.Fatalf("ring %v has orientation %d and its reverse %d", r, o, ro)
		}
	}
}

func TestEnvelope(t *testing.T) {
	e := Envelope{0, 0, 10, 5}
	if !e.Intersects(Envelope{10, 5, 20, 20}) {
		t.Error("envelopes touching at a corner do not intersect")
	}
	if e.Intersects(Envelope{10.5, 0, 20, 5}) {
		t.Error("apart envelopes intersect")
	}
	if !e.Contains(Envelope{0, 0, 10, 5}) || e.Contains(Envelope{0, 0, 10.5, 5}) {
		t.Error("Contains is wrong at the boundary")
	}
	if got := (Polygon{}).Bounds(); !got.IsEmpty() || got.Intersects(e) {
		t.Errorf("the bounds of an empty polygon %v are not empty", got)
	}
	if got := e.Center(); got != (Point{5, 2.5}) {
		t.Errorf("Center = %v", got)
	}
	if got := e.Polygon(); ringOrientation(got[0]) != -1 || got.Bounds() != e {
		t.Errorf("Polygon = %v, not a clockwise ring of the envelope", got)
	}
}
