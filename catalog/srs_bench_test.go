package catalog_test

import (
	"path/filepath"
	"testing"

	"mosaic/catalog"
)

// BenchmarkReadRaster compares describing a raster for a collection in its
// own spatial reference with describing it, projected and densified, for a
// collection in another: the target is ≤ 1.2× (go test ./catalog
// -run '^$' -bench ReadRaster -count 5).
func BenchmarkReadRaster(b *testing.B) {
	path := filepath.Join("..", "testdata", "geotiff", "srs", "utm33n-32633.tif")
	for _, bc := range []struct{ name, srs string }{
		{"SameSRS", "EPSG:32633"},
		{"ProjectedToUTM32", "EPSG:32632"},
		{"ProjectedTo4326", "EPSG:4326"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := catalog.ReadRaster(path, bc.srs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
