package gpkg

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkWrite writes GTI layers of 5-vertex footprints with 10
// attributes, as `mosaic export --format gti` does, and reports features/s,
// the process's peak RSS (VmHWM) and the file size. Peak RSS is the
// process's high-water mark, so run one size per process to compare sizes:
//
//	go test ./gpkg -run '^$' -bench 'Write/features=1000000/' -benchtime 1x
func BenchmarkWrite(b *testing.B) {
	l := tileLayer()
	l.Fields = append(l.Fields, Field{"ZOrder", Integer}, Field{"CenterX", Real}, Field{"CenterY", Real}, Field{"Tag", Text})
	for _, n := range []int{100_000, 1_000_000} {
		for _, rtree := range []bool{false, true} {
			b.Run(fmt.Sprintf("features=%d/rtree=%v", n, rtree), func(b *testing.B) {
				path := filepath.Join(b.TempDir(), "bench.gti.gpkg")
				for b.Loop() {
					w, err := Create(path, l, Options{Overwrite: true, SpatialIndex: rtree})
					if err != nil {
						b.Fatal(err)
					}
					vals := make([]any, len(l.Fields))
					for i := range n {
						r, v := tile(i)
						copy(vals, v)
						vals[6], vals[7], vals[8], vals[9] = int64(i%7), r[0][0]+500, r[0][1]+500, "Dataset"
						if err := w.Add(gpbPolygon(32632, r, gpbOptions{}), r.envelope(), vals); err != nil {
							b.Fatal(err)
						}
					}
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "features/s")
				b.ReportMetric(peakRSSMiB(b), "peak-RSS-MiB")
				if info, err := os.Stat(path); err == nil {
					b.ReportMetric(float64(info.Size())/(1<<20), "file-MiB")
				}
			})
		}
	}
}

// peakRSSMiB returns the process's peak resident set size (Linux VmHWM).
func peakRSSMiB(tb testing.TB) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.Atoi(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))))
			if err == nil {
				return float64(kb) / 1024
			}
		}
	}
	return 0
}

// BenchmarkRead reads every feature of a 100,000-feature layer.
func BenchmarkRead(b *testing.B) {
	const n = 100_000
	path := writeTiles(b, n, Options{})
	r := mustOpen(b, path)
	for b.Loop() {
		got := 0
		err := r.Features(context.Background(), "tiles", func(Feature) error { got++; return nil })
		if err != nil || got != n {
			b.Fatal(got, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "features/s")
}
