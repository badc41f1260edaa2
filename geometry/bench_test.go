package geometry

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The selection plan: SQL compares each item's stored bounds with
// Filter.Prefilter, then Filter.Match tests the candidates' footprints
// exactly. These benchmarks time Match on candidates only (footprints
// whose bounds pass the prefilter), against BenchmarkBoundsBaseline, the
// comparison the SQL where clause makes per row.

// footprints returns n rotated rectangles of about 10×6 units (a tile's
// footprint: 4 corners and the closing vertex, clockwise) scattered over
// [lo, hi]², the kind of candidates a query around the middle gets.
func footprints(n int, lo, hi float64) []Polygon {
	rng := rand.New(rand.NewPCG(13, 14))
	fps := make([]Polygon, n)
	for i := range fps {
		cx, cy := lo+rng.Float64()*(hi-lo), lo+rng.Float64()*(hi-lo)
		a := rng.Float64() * math.Pi / 2
		c, s := math.Cos(a), math.Sin(a)
		var r [][2]float64
		for _, d := range [][2]float64{{-5, 3}, {5, 3}, {5, -3}, {-5, -3}} {
			r = append(r, [2]float64{cx + d[0]*c - d[1]*s, cy + d[0]*s + d[1]*c})
		}
		fps[i] = Polygon{append(r, r[0])}
	}
	return fps
}

// candidates returns 1000 or more footprints scattered over [lo, hi]²
// that pass f's prefilter.
func candidates(b *testing.B, f *Filter, lo, hi float64) []Polygon {
	pf := f.Prefilter()
	var out []Polygon
	for n := 4096; len(out) < 1000; n *= 4 {
		out = out[:0]
		for _, fp := range footprints(n, lo, hi) {
			if pf.Pass(fp.Bounds()) {
				out = append(out, fp)
			}
		}
		if n > 1<<22 {
			b.Fatalf("only %d candidates", len(out))
		}
	}
	return out
}

func benchMatch(b *testing.B, q Geometry, rel SpatialRel) {
	benchMatchOver(b, q, rel, -20, 40)
}

func benchMatchOver(b *testing.B, q Geometry, rel SpatialRel, lo, hi float64) {
	f, err := NewFilter(q, rel)
	if err != nil {
		b.Fatal(err)
	}
	cands := candidates(b, f, lo, hi)
	matches := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if f.Match(cands[i%len(cands)]) {
			matches++
		}
	}
	b.ReportMetric(float64(matches)/float64(b.N), "match/op")
}

// BenchmarkBoundsBaseline is the bounding-box test alone, per candidate:
// what the SQL prefilter computes per row, without SQLite's own costs.
func BenchmarkBoundsBaseline(b *testing.B) {
	q := Envelope{0, 0, 20, 20}
	fps := footprints(4096, -20, 40)
	bounds := make([]Envelope, len(fps))
	for i, fp := range fps {
		bounds[i] = fp.Bounds()
	}
	matches := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if q.Intersects(bounds[i%len(bounds)]) {
			matches++
		}
	}
	b.ReportMetric(float64(matches)/float64(b.N), "match/op")
}

func BenchmarkIntersectsEnvelope(b *testing.B) {
	benchMatch(b, Envelope{0, 0, 20, 20}, RelIntersects)
}

// quad is a rotated quadrilateral query of 5 vertices (4 and the closing one).
var quad = Polygon{{{0, 10}, {12, 22}, {22, 12}, {10, 0}, {0, 10}}}

func BenchmarkIntersectsPolygon5(b *testing.B) {
	benchMatch(b, quad, RelIntersects)
}

// BenchmarkIntersectsPolygon1000 is a query polygon of 1000 vertices 60
// times a footprint's size, its boundary wiggling like a district's, its
// edges short: the footprints near the boundary meet a few of them.
func BenchmarkIntersectsPolygon1000(b *testing.B) {
	rng := rand.New(rand.NewPCG(15, 16))
	var r [][2]float64
	for i := 0; i < 1000; i++ {
		a := -2 * math.Pi * float64(i) / 1000 // clockwise
		rad := 300 + 10*rng.Float64()
		r = append(r, [2]float64{rad * math.Cos(a), rad * math.Sin(a)})
	}
	benchMatchOver(b, Polygon{append(r, r[0])}, RelIntersects, -320, 320)
}

// BenchmarkIntersectsPolygon1000Star is a hard case: a star of 1000
// vertices three footprints across, whose long spikes put many edges in
// every band and cell of the indexes.
func BenchmarkIntersectsPolygon1000Star(b *testing.B) {
	star := starPolygon(500, 15, 8)
	for i := range star[0] {
		star[0][i][0] += 10
		star[0][i][1] += 10
	}
	benchMatch(b, star, RelIntersects)
}

func BenchmarkIntersectsPoint(b *testing.B) {
	benchMatch(b, Point{10, 10}, RelIntersects)
}

func BenchmarkContainsEnvelope(b *testing.B) {
	benchMatch(b, Envelope{0, 0, 20, 20}, RelContains)
}

func BenchmarkContainsPolygon5(b *testing.B) {
	benchMatch(b, Polygon{{{-5, 10}, {12, 27}, {27, 12}, {10, -5}, {-5, 10}}}, RelContains)
}

// BenchmarkContainsPolygonL is a non-convex query: the general test.
func BenchmarkContainsPolygonL(b *testing.B) {
	benchMatch(b, Polygon{lRing([4]int{-5, -5, 25, 25}, [4]int{15, 15, 25, 25})}, RelContains)
}

func BenchmarkWithinEnvelope(b *testing.B) {
	benchMatch(b, Envelope{9, 9, 11, 11}, RelWithin)
}

func BenchmarkWithinPoint(b *testing.B) {
	benchMatch(b, Point{10, 10}, RelWithin)
}

func BenchmarkAppendGeoPackage(b *testing.B) {
	fps := footprints(1024, -20, 40)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = AppendGeoPackage(buf[:0], fps[i%len(fps)], 4326)
	}
}

func BenchmarkParseEsriPolygon(b *testing.B) {
	text := `{"rings":[[[500000,4649776.224],[500010,4649786.224],[500020,4649776.224],[500010,4649766.224],[500000,4649776.224]]],"spatialReference":{"wkid":32632}}`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := ParseEsri("esriGeometryPolygon", text); err != nil {
			b.Fatal(err)
		}
	}
}
