package catalog_test

import (
	"context"
	"testing"

	"mosaic/catalog"
	"mosaic/internal/testutil"
)

var ctx = context.Background()

// mustOpen opens a new catalog in a temporary folder.
func mustOpen(tb testing.TB) *catalog.Catalog {
	return testutil.OpenCatalog(tb, catalog.Options{Now: testutil.FixedNow})
}

// sceneFields are the user fields of the test collections.
var sceneFields = testutil.SceneFields

// mustScenes creates the collection "scenes" with n items (see
// testutil.SceneManifest).
func mustScenes(tb testing.TB, cat *catalog.Catalog, n int) *catalog.Collection {
	return testutil.Scenes(tb, cat, "scenes", n)
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
