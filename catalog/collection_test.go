package catalog_test

import (
	"strings"
	"testing"

	"mosaic/catalog"
	"mosaic/where"
)

func TestCreateCollection(t *testing.T) {
	cat := mustOpen(t)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", SRS: "32632", Fields: sceneFields})
	if err != nil {
		t.Fatal(err)
	}
	if len(coll.ItemID) != 32 || coll.SRS != "EPSG:32632" {
		t.Errorf("itemId %q srs %q", coll.ItemID, coll.SRS)
	}
	if want := "http://localhost:8080/arcgis/rest/services/Hosted/scenes/ImageServer"; coll.URL != want {
		t.Errorf("url %q, want %q", coll.URL, want)
	}
	for _, tc := range []struct {
		name string
		spec catalog.NewCollection
		code catalog.Code
	}{
		{"ErrDuplicateName", catalog.NewCollection{Name: "Scenes"}, catalog.Conflict},
		{"ErrNameWithSpace", catalog.NewCollection{Name: "my scenes"}, catalog.Invalid},
		{"ErrEmptyName", catalog.NewCollection{Name: ""}, catalog.Invalid},
		{"ErrBadSRS", catalog.NewCollection{Name: "x", SRS: "UTM32"}, catalog.Invalid},
		{"ErrStandardField", catalog.NewCollection{Name: "x", Fields: []catalog.Field{{Name: "name", Type: where.Text}}}, catalog.Invalid},
		{"ErrDuplicateField", catalog.NewCollection{Name: "x", Fields: []catalog.Field{{Name: "A", Type: where.Text}, {Name: "a", Type: where.Real}}}, catalog.Invalid},
		{"ErrFieldName", catalog.NewCollection{Name: "x", Fields: []catalog.Field{{Name: "1st", Type: where.Text}}}, catalog.Invalid},
		{"ErrFieldQuote", catalog.NewCollection{Name: "x", Fields: []catalog.Field{{Name: `a"b`, Type: where.Text}}}, catalog.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cat.CreateCollection(ctx, tc.spec)
			wantCode(t, err, tc.code)
		})
	}
	colls, err := cat.Collections(ctx)
	if err != nil || len(colls) != 1 {
		t.Fatalf("after refused creations: %d collections, %v", len(colls), err)
	}
}

func TestParseFieldSpec(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want catalog.Field
		ok   bool
	}{
		{"CloudCover:REAL", catalog.Field{Name: "CloudCover", Type: where.Real}, true},
		{"AcquisitionDate:date", catalog.Field{Name: "AcquisitionDate", Type: where.Date}, true},
		{"Orbit:INT", catalog.Field{Name: "Orbit", Type: where.Integer}, true},
		{"SensorName:string", catalog.Field{Name: "SensorName", Type: where.Text}, true},
		{"CloudCover", catalog.Field{}, false},
		{"CloudCover:FLOATY", catalog.Field{}, false},
	} {
		got, err := catalog.ParseFieldSpec(tc.spec)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseFieldSpec(%q) = %v, %v; want %v, ok=%v", tc.spec, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseRef(t *testing.T) {
	const id = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		name, in string
		want     catalog.Ref
	}{
		{"Name", "scenes", catalog.Ref{Name: "scenes"}},
		{"URL", "http://localhost:8080/arcgis/rest/services/Hosted/scenes/ImageServer", catalog.Ref{Name: "scenes"}},
		{"URLOtherHostTrailingSlash", "https://example.org/arcgis/rest/services/Hosted/scenes/ImageServer/", catalog.Ref{Name: "scenes"}},
		{"JSONItemID", `{"itemId":"` + id + `"}`, catalog.Ref{ItemID: id}},
		{"JSONItemIDUpper", `{"itemId":"0123456789ABCDEF0123456789ABCDEF"}`, catalog.Ref{ItemID: id}},
		{"JSONURL", `{"url":"http://h/arcgis/rest/services/Hosted/scenes/ImageServer"}`, catalog.Ref{Name: "scenes"}},
		{"JSONURIName", `{"uri":"scenes"}`, catalog.Ref{Name: "scenes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := catalog.ParseRef(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("ParseRef(%s) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"ErrEmpty", " "},
		{"ErrKeyCase", `{"ItemId":"` + id + `"}`},
		{"ErrTwoKeys", `{"itemId":"` + id + `","url":"http://h/arcgis/rest/services/Hosted/s/ImageServer"}`},
		{"ErrNoKeys", `{}`},
		{"ErrShortItemID", `{"itemId":"abc"}`},
		{"ErrNotString", `{"itemId":5}`},
		{"ErrBadJSON", `{"itemId":`},
		{"ErrURLNotImageServer", "http://h/arcgis/rest/services/Hosted/scenes/FeatureServer"},
		{"ErrBadName", "scenes; DROP TABLE collections"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalog.ParseRef(tc.in)
			wantCode(t, err, catalog.Invalid)
		})
	}
}

func TestCollectionResolves(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 2)
	for _, ref := range []string{"scenes", "SCENES", coll.URL, `{"itemId":"` + coll.ItemID + `"}`, `{"url":"` + coll.URL + `"}`} {
		got, err := cat.Collection(ctx, ref)
		if err != nil || got.ID != coll.ID {
			t.Errorf("Collection(%s) = %v, %v", ref, got, err)
		}
	}
	_, err := cat.Collection(ctx, "other")
	wantCode(t, err, catalog.NotFound)
	_, err = cat.Collection(ctx, `{"itemId":"ffffffffffffffffffffffffffffffff"}`)
	wantCode(t, err, catalog.NotFound)
}

func TestCollectionsCountAndBoundary(t *testing.T) {
	cat := mustOpen(t)
	mustScenes(t, cat, 5)
	colls, err := cat.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(colls) != 1 || colls[0].Count != 5 {
		t.Fatalf("collections %+v", colls)
	}
	want := catalog.Extent{XMin: 10, YMin: 0, XMax: 60, YMax: 10}
	if b := colls[0].Boundary; b == nil || *b != want {
		t.Errorf("boundary %+v, want %+v", b, want)
	}
}

// TestFieldNamesFoldASCIIOnly: ArcGIS field names are ASCII, so only ASCII
// letters match regardless of case; ſ (U+017F) is not s, K (U+212A) not k.
func TestFieldNamesFoldASCIIOnly(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 1)
	for _, tc := range []struct {
		name string
		want string
	}{
		{"stale", "Stale"},
		{"STALE", "Stale"},
		{"ſtale", ""},
		{"cloudcover", "CloudCover"},
		{"\u212a", ""},
	} {
		f, ok := coll.Field(tc.name)
		if f.Name != tc.want || ok != (tc.want != "") {
			t.Errorf("Field(%q) = %q, %v; want %q", tc.name, f.Name, ok, tc.want)
		}
	}
	if _, err := coll.Select(catalog.Query{Fields: []string{"ſtale"}}); catalog.ErrorCode(err) != catalog.Invalid {
		t.Errorf("--fields ſtale: %v, want an unknown field", err)
	}
	if _, err := coll.WritableField("ſensorname"); catalog.ErrorCode(err) != catalog.Invalid {
		t.Errorf("WritableField(ſensorname): %v, want an unknown field", err)
	}
	if _, err := cat.LoadManifest(ctx, coll, strings.NewReader("Raster,ſhape\n/a.tif,x\n"), "m.csv"); catalog.ErrorCode(err) != catalog.Invalid {
		t.Errorf("manifest column ſhape: %v, want an unknown field", err)
	}
}

// TestErrorsCutLongTokens: errors name what they refuse, but quote at most
// a short, escaped excerpt of it (issue 11, item 13).
func TestErrorsCutLongTokens(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 1)
	long := strings.Repeat("x", 10000)
	check := func(t *testing.T, err error) {
		t.Helper()
		wantCode(t, err, catalog.Invalid)
		if msg := err.Error(); len(msg) > 2000 || strings.Contains(msg, strings.Repeat("x", 100)) {
			t.Errorf("error of %d bytes echoes the token: %.200s…", len(msg), msg)
		}
	}
	t.Run("ErrRefJSON", func(t *testing.T) {
		_, err := catalog.ParseRef(`{"itemId": "` + long + `"}`)
		check(t, err)
	})
	t.Run("ErrRefKey", func(t *testing.T) {
		_, err := catalog.ParseRef(`{"` + long + `": "a"}`)
		check(t, err)
	})
	t.Run("ErrRefURL", func(t *testing.T) {
		_, err := catalog.ParseRef("http://h/" + long)
		check(t, err)
	})
	t.Run("ErrName", func(t *testing.T) { _, err := catalog.ParseRef(long + "!"); check(t, err) })
	t.Run("ErrFields", func(t *testing.T) {
		_, err := coll.Select(catalog.Query{Fields: []string{long}})
		check(t, err)
	})
	t.Run("ErrFieldSpec", func(t *testing.T) { _, err := catalog.ParseFieldSpec(long); check(t, err) })
	t.Run("ErrFieldType", func(t *testing.T) { _, err := catalog.ParseFieldSpec("a:" + long); check(t, err) })
	t.Run("ErrSRS", func(t *testing.T) { _, err := catalog.ParseSRS(long); check(t, err) })
	t.Run("ErrAttribute", func(t *testing.T) { _, err := coll.WritableField(long); check(t, err) })
	t.Run("ErrManifestHeader", func(t *testing.T) {
		_, err := cat.LoadManifest(ctx, coll, strings.NewReader("Raster,"+long+"\n/a.tif,1\n"), "m.csv")
		check(t, err)
	})
	t.Run("ErrManifestCell", func(t *testing.T) {
		_, err := cat.LoadManifest(ctx, coll, strings.NewReader("Raster,CloudCover\n/a.tif,"+long+"\n"), "m.csv")
		check(t, err)
	})
	t.Run("ErrManifestDate", func(t *testing.T) {
		_, err := cat.LoadManifest(ctx, coll, strings.NewReader("Raster,AcquisitionDate\n/a.tif,"+long+"\n"), "m.csv")
		check(t, err)
	})
}
