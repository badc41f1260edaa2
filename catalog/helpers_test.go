package catalog_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mosaic/catalog"
	"mosaic/where"
)

var ctx = context.Background()

// fixedNow is the clock of test catalogs.
func fixedNow() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }

// mustOpen opens a new catalog in a temporary folder.
func mustOpen(tb testing.TB) *catalog.Catalog {
	tb.Helper()
	cat, err := catalog.Open(ctx, filepath.Join(tb.TempDir(), "catalog.db"), catalog.Options{Now: fixedNow})
	if err != nil {
		tb.Fatalf("open catalog: %v", err)
	}
	tb.Cleanup(func() { cat.Close() })
	return cat
}

var sceneFields = []catalog.Field{
	{Name: "CloudCover", Type: where.Real},
	{Name: "AcquisitionDate", Type: where.Date},
	{Name: "SensorName", Type: where.Text},
}

// mustScenes creates the collection "scenes" with n items loaded from a
// manifest: item i has CloudCover i*10 % 100 and a 10×10 footprint at x=10i.
func mustScenes(tb testing.TB, cat *catalog.Catalog, n int) *catalog.Collection {
	tb.Helper()
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", SRS: "EPSG:32632", Fields: sceneFields})
	if err != nil {
		tb.Fatalf("create collection: %v", err)
	}
	var b strings.Builder
	b.WriteString("Raster,CloudCover,AcquisitionDate,SensorName,XMin,YMin,XMax,YMax\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "/data/T%04d.tif,%d,2020-01-%02d,S2,%d,0,%d,10\n", i, i*10%100, 1+i%28, 10*i, 10*i+10)
	}
	if _, err := cat.LoadManifest(ctx, coll, strings.NewReader(b.String()), "fixture"); err != nil {
		tb.Fatalf("load manifest: %v", err)
	}
	coll, err = cat.Collection(ctx, "scenes")
	if err != nil {
		tb.Fatal(err)
	}
	return coll
}

// names lists the Name of the items a where clause selects.
func names(tb testing.TB, cat *catalog.Catalog, coll *catalog.Collection, clause string) []string {
	tb.Helper()
	var out []string
	err := each(cat, coll, catalog.Query{Where: clause, Fields: []string{"Name"}}, func(r *catalog.ItemRow) error {
		out = append(out, r.Values[0].(string))
		return nil
	})
	if err != nil {
		tb.Fatalf("items where %q: %v", clause, err)
	}
	return out
}

// each selects q from coll and runs it.
func each(cat *catalog.Catalog, coll *catalog.Collection, q catalog.Query, fn func(*catalog.ItemRow) error) error {
	sel, err := coll.Select(q)
	if err != nil {
		return err
	}
	return cat.Each(ctx, sel, fn)
}

// count counts the items of coll where clause selects.
func count(tb testing.TB, cat *catalog.Catalog, coll *catalog.Collection, clause string) int64 {
	tb.Helper()
	sel, err := coll.Select(catalog.Query{Where: clause})
	if err != nil {
		tb.Fatal(err)
	}
	n, err := cat.Count(ctx, sel)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func wantCode(tb testing.TB, err error, code catalog.Code) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want one of code %q", code)
	}
	if got := catalog.ErrorCode(err); got != code {
		tb.Fatalf("error %q has code %q, want %q", err, got, code)
	}
}
