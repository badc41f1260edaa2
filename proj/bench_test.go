package proj

import (
	"testing"
)

// footprint is n points around a Sentinel-2 sized tile (110 km) near 9°E 46°N,
// reaching 2° outside zone 32's edge.
func footprint(n int) [][2]float64 {
	pts := make([][2]float64, n)
	for i := range pts {
		f := float64(i) / float64(n)
		pts[i] = [2]float64{10.5 + 3.5*f, 45.5 + 1.0*f}
	}
	return pts
}

// BenchmarkUTMFootprint is the cost that adding a raster in another reference
// adds: 300 points from WGS 84 to UTM 32N and back.
func BenchmarkUTMFootprint(b *testing.B) {
	tr := mustTransform(b, 4326, 32632)
	src := footprint(300)
	work := make([][2]float64, len(src))
	for b.Loop() {
		copy(work, src)
		if err := tr.ForwardPoints(work); err != nil {
			b.Fatal(err)
		}
		if err := tr.InversePoints(work); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(2*len(src)), "ns/point")
}

// BenchmarkForward is one point forward and back, per kind of system.
func BenchmarkForward(b *testing.B) {
	for _, bc := range []struct {
		name     string
		from, to int
		x, y     float64
	}{
		{"Identity", 32632, 32632, 500000, 5000000},
		{"UTM", 4326, 32632, 10.5, 45.5},
		{"UTMToUTM", 32632, 32633, 700000, 5000000},
		{"WebMercator", 4326, 3857, 10.5, 45.5},
		{"Swiss", 4326, 2056, 7.5, 46.9},
		{"BritishNationalGrid", 4326, 27700, -2, 53},
		{"Lambert93", 4326, 2154, 3, 46},
		{"LAEAEurope", 4326, 3035, 10, 52},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tr := mustTransform(b, bc.from, bc.to)
			for b.Loop() {
				x, y, err := tr.Forward(bc.x, bc.y)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := tr.Inverse(x, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
