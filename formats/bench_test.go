package formats_test

import (
	"io"
	"testing"

	"mosaic/catalog"
	"mosaic/formats"
)

// BenchmarkExport writes 20,000 items in each text format to io.Discard
// (go test ./formats -run '^$' -bench Export); bench/export.sh measures
// whole processes at a million.
func BenchmarkExport(b *testing.B) {
	cat, coll := fixture(b, 20_000)
	for _, f := range []formats.Format{formats.CSV, formats.GeoJSON, formats.STAC} {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				if _, err := formats.Export(ctx, cat, coll, catalog.Query{}, "-", io.Discard, formats.Options{Format: f}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*20_002/b.Elapsed().Seconds(), "items/s")
		})
	}
}
