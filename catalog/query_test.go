package catalog_test

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mosaic/catalog"
	"mosaic/internal/testutil"
	"mosaic/where"
)

func TestItemsWhere(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 12)
	for _, tc := range []struct {
		clause string
		want   []string
	}{
		{"CloudCover > 80", []string{"T00009"}},
		{"cloudcover >= 90 OR [Name] = 'T00001'", []string{"T00001", "T00009"}},
		{`"Name" LIKE 'T0001%' AND CloudCover < 30`, []string{"T00010", "T00011", "T00012"}},
		{"Name LIKE 't0001%'", nil}, // LIKE is case-sensitive, as in a file geodatabase
		{"AcquisitionDate = date '2020-01-02'", []string{"T00001"}},
		{"1=1", []string{"T00001", "T00002", "T00003", "T00004", "T00005", "T00006", "T00007", "T00008", "T00009", "T00010", "T00011", "T00012"}},
	} {
		if got := names(t, cat, coll, tc.clause); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("where %s: got %v, want %v", tc.clause, got, tc.want)
		}
	}
}

func TestItemsRejects(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 3)
	for _, tc := range []struct {
		name string
		q    catalog.Query
	}{
		{"ErrUnknownField", catalog.Query{Where: "Clodcover > 5"}},
		{"ErrComment", catalog.Query{Where: "CloudCover > 5 -- x"}},
		{"ErrSubquery", catalog.Query{Where: "OBJECTID IN (SELECT seq FROM jobs)"}},
		{"ErrUnknownOutField", catalog.Query{Fields: []string{"Name", "Nope"}}},
		{"ErrNegativeLimit", catalog.Query{Limit: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := each(cat, coll, tc.q, func(*catalog.ItemRow) error { return nil })
			wantCode(t, err, catalog.Invalid)
		})
	}
}

func TestItemsLimitOffsetFields(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 10)
	var got [][]any
	var fields []catalog.Field
	sel, err := coll.Select(catalog.Query{Fields: []string{"name", "OBJECTID", "Name"}, Offset: 2, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	fields = sel.Fields
	err = cat.Each(ctx, sel, func(r *catalog.ItemRow) error { got = append(got, append([]any(nil), r.Values...)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"T00003", int64(3)}, {"T00004", int64(4)}, {"T00005", int64(5)}}
	if !reflect.DeepEqual(got, want) || len(fields) != 2 || fields[0].Name != "Name" {
		t.Errorf("got %v fields %v, want %v", got, fields, want)
	}
}

// TestAuthorizer proves the defence in depth: a statement prepared under
// Guard cannot read a table it was not given, even if SQL reached SQLite.
func TestAuthorizer(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 2)
	err := cat.View(ctx, func(tx *catalog.Tx) error {
		return tx.Guard(ctx, []string{coll.Table()}, "", func() error {
			var n int
			return tx.QueryRowContext(ctx, "SELECT count(*) FROM collections").Scan(&n)
		})
	})
	wantCode(t, err, catalog.Invalid)
	err = cat.View(ctx, func(tx *catalog.Tx) error {
		return tx.Guard(ctx, []string{coll.Table()}, "", func() error {
			var s string
			return tx.QueryRowContext(ctx, "SELECT sqlite_version() FROM \""+coll.Table()+"\"").Scan(&s)
		})
	})
	wantCode(t, err, catalog.Invalid)
	// Unguarded, the same connection pool works normally afterwards.
	if n := count(t, cat, coll, ""); n != 2 {
		t.Errorf("count after guard: %d", n)
	}
	for _, f := range where.SQLiteFunctions {
		if strings.ContainsAny(f, " ()") {
			t.Errorf("where.SQLiteFunctions has %q, not a function name", f)
		}
	}
}

func TestFeatureSetGolden(t *testing.T) {
	cat := mustOpen(t)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", SRS: "EPSG:32632", Fields: sceneFields})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cat.AddItems(ctx, coll, []catalog.Item{
		{Raster: "/data/T32TMK_20200115.tif", Footprint: [][2]float64{{0, 20}, {10, 20}, {10, 0}, {0, 0}}, CellSize: 10, Width: 1, Height: 2, BandCount: 3, PixelType: "U8", SRS: "EPSG:32632",
			Attributes: map[string]any{"CloudCover": 12.5, "AcquisitionDate": "2020-01-15", "SensorName": `Sentinel-2 "A" <MSI>`}},
		{Raster: "/data/rotated.tif", Footprint: [][2]float64{{0, 10}, {10, 20}, {20, 10}, {10, 0}}, Attributes: map[string]any{"CloudCover": nil}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	sel, err := coll.Select(catalog.Query{Geometry: true})
	if err != nil {
		t.Fatal(err)
	}
	fw := catalog.NewFeatureSetWriter(&buf, sel.FeatureSet())
	if err := cat.Each(ctx, sel, fw.Write); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	testutil.Golden(t, filepath.Join("testdata", "featureset.json"), buf.Bytes())
}
