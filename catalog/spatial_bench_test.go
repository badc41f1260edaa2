package catalog_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"mosaic/catalog"
	"mosaic/geometry"
)

// BenchmarkSpatialSelection lists the items whose footprints meet an
// envelope covering 1% of a 1,000,000-item collection's area, by --geometry
// and by the equivalent where clause on XMin…YMax, alternating in one run:
// the target is ≤ 2× (go test ./catalog -run '^$' -bench SpatialSelection
// -benchtime 5x). One item in ten has its own rings (rotated), the others
// are rectangles kept as their bounds.
func BenchmarkSpatialSelection(b *testing.B) {
	const n = 1_000_000
	cat := mustOpen(b)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "big", SRS: "EPSG:32632"})
	if err != nil {
		b.Fatal(err)
	}
	var m strings.Builder
	m.WriteString("Raster,XMin,YMin,XMax,YMax,Shape\n")
	for i := 0; i < n; i++ {
		x, y := float64(i%1000)*1000, float64(i/1000)*1000
		if i%10 == 0 {
			fmt.Fprintf(&m, "/r/%d.tif,,,,,\"[[[%v,%v],[%v,%v],[%v,%v],[%v,%v],[%v,%v]]]\"\n", i, x+500, y+1100, x+1100, y+500, x+500, y-100, x-100, y+500, x+500, y+1100)
		} else {
			fmt.Fprintf(&m, "/r/%d.tif,%v,%v,%v,%v,\n", i, x, y, x+1100, y+1100)
		}
	}
	if _, err := cat.LoadManifest(ctx, coll, strings.NewReader(m.String()), "big.csv"); err != nil {
		b.Fatal(err)
	}
	coll, _ = cat.Collection(ctx, "big")
	box := geometry.Envelope{XMin: 450000, YMin: 450000, XMax: 550000, YMax: 550000} // 1% of 1000 km × 1000 km
	byPlace, err := coll.Select(catalog.Query{Fields: []string{"OBJECTID"}, Spatial: &catalog.Spatial{Geometry: box}})
	if err != nil {
		b.Fatal(err)
	}
	byWhere, err := coll.Select(catalog.Query{Fields: []string{"OBJECTID"},
		Where: fmt.Sprintf("XMin <= %v AND XMax >= %v AND YMin <= %v AND YMax >= %v", box.XMax, box.XMin, box.YMax, box.YMin)})
	if err != nil {
		b.Fatal(err)
	}
	var tPlace, tWhere int64
	var nPlace, nWhere int
	for b.Loop() {
		for _, c := range []struct {
			sel *catalog.Selection
			t   *int64
			n   *int
		}{{byWhere, &tWhere, &nWhere}, {byPlace, &tPlace, &nPlace}} {
			start := cpuNow(b)
			*c.n = 0
			if err := cat.Each(ctx, c.sel, func(*catalog.ItemRow) error { *c.n++; return nil }); err != nil {
				b.Fatal(err)
			}
			*c.t += cpuNow(b) - start
		}
	}
	b.ReportMetric(float64(nPlace), "items-by-place")
	b.ReportMetric(float64(nWhere), "items-by-where")
	b.ReportMetric(float64(tPlace)/float64(tWhere), "place/where")
}

// cpuNow is the process's CPU time in ns: less swayed than wall time by the
// other work of a shared machine.
func cpuNow(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
