package svgmap

import (
	"io"
	"testing"
)

// BenchmarkMillion renders 1,000,000 footprints streamed one by one (as a
// density grid) and reports the size of the SVG. The time includes making
// up the footprints.
func BenchmarkMillion(b *testing.B) { benchmarkTiles(b, 1000000) }

// BenchmarkTwentyThousand renders 20,000 footprints: the most drawn as
// polygons by default.
func BenchmarkTwentyThousand(b *testing.B) { benchmarkTiles(b, 20000) }

func benchmarkTiles(b *testing.B, n int) {
	var size int64
	b.ReportAllocs()
	for b.Loop() {
		ti := newTiles(n)
		m := New(Options{Extent: ti.extent(), SRS: "EPSG:32632", Units: Metre, Title: "benchmark"})
		ti.feed(m)
		var err error
		if size, err = m.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "svg-bytes")
}

// BenchmarkMakeMillion makes up the footprints of BenchmarkMillion without
// drawing them, to subtract.
func BenchmarkMakeMillion(b *testing.B) {
	for b.Loop() {
		ti := newTiles(1000000)
		ti.feed(nil)
	}
}
