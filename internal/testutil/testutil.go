// Package testutil holds what the tests of several mosaic packages share:
// golden files, test catalogs on a fixed clock, and a scene collection of
// any size. It is imported only by _test.go files.
package testutil

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mosaic/catalog"
	"mosaic/where"
)

// Update rewrites golden files instead of comparing with them:
// go test ./PKG -update.
var Update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Golden compares got with the golden file at path (under the package's
// testdata), or rewrites it with -update.
func Golden(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		tb.Fatalf("golden file %s does not exist (go test -run '%s' -update writes it)", path, tb.Name())
	}
	if err != nil {
		tb.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file (go test -run '%s' -update rewrites it):\n--- got\n%s\n--- want\n%s", path, tb.Name(), got, want)
	}
}

// FixedNow is the clock of test catalogs, so that documents and listings
// are reproducible.
func FixedNow() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }

// OpenCatalog opens a new catalog in a temporary folder, closed when the
// test ends. Zero options mean the default base URL and the real clock.
func OpenCatalog(tb testing.TB, opts catalog.Options) *catalog.Catalog {
	tb.Helper()
	cat, err := catalog.Open(context.Background(), filepath.Join(tb.TempDir(), "catalog.db"), opts)
	if err != nil {
		tb.Fatalf("open catalog: %v", err)
	}
	tb.Cleanup(func() { cat.Close() })
	return cat
}

// SceneFields are the user fields of the test scene collections.
var SceneFields = []catalog.Field{
	{Name: "CloudCover", Type: where.Real},
	{Name: "AcquisitionDate", Type: where.Date},
	{Name: "SensorName", Type: where.Text},
}

// SceneManifest is a manifest of n items: item i is /data/T<i>.tif, with
// CloudCover i*10 % 100, AcquisitionDate 2020-01-(1 + i%28), SensorName S2
// and a 10×10 footprint at x=10i.
func SceneManifest(n int) string {
	var b strings.Builder
	b.WriteString("Raster,CloudCover,AcquisitionDate,SensorName,XMin,YMin,XMax,YMax\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "/data/T%05d.tif,%d,2020-01-%02d,S2,%d,0,%d,10\n", i, i*10%100, 1+i%28, 10*i, 10*i+10)
	}
	return b.String()
}

// Scenes creates the collection name (EPSG:32632, SceneFields) with the n
// items of SceneManifest(n).
func Scenes(tb testing.TB, cat *catalog.Catalog, name string, n int) *catalog.Collection {
	tb.Helper()
	ctx := context.Background()
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: name, SRS: "EPSG:32632", Fields: SceneFields})
	if err != nil {
		tb.Fatalf("create collection: %v", err)
	}
	if n > 0 {
		if _, err := cat.LoadManifest(ctx, coll, strings.NewReader(SceneManifest(n)), "fixture.csv"); err != nil {
			tb.Fatalf("load manifest: %v", err)
		}
	}
	if coll, err = cat.Collection(ctx, name); err != nil {
		tb.Fatal(err)
	}
	return coll
}
