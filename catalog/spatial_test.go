package catalog_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"mosaic/catalog"
	"mosaic/geometry"
	"mosaic/proj"
)

// spatialFixture is a collection in EPSG:32632 of 400 items: rectangles on
// a 20 × 20 grid of 1 km cells (stored as bounds), every third one a
// rotated diamond with its own rings.
func spatialFixture(t testing.TB) (*catalog.Catalog, *catalog.Collection, map[int64]geometry.Polygon) {
	t.Helper()
	cat := mustOpen(t)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "grid", SRS: "EPSG:32632"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("Raster,XMin,YMin,XMax,YMax,Shape\n")
	fps := map[int64]geometry.Polygon{}
	for i := 0; i < 400; i++ {
		x, y := 500000+float64(i%20)*1000, 4500000+float64(i/20)*1000
		var ring [][2]float64
		if i%3 == 0 {
			ring = [][2]float64{{x + 500, y + 900}, {x + 900, y + 500}, {x + 500, y + 100}, {x + 100, y + 500}, {x + 500, y + 900}}
			var rings strings.Builder
			for k, p := range ring {
				if k > 0 {
					rings.WriteByte(',')
				}
				fmt.Fprintf(&rings, "[%v,%v]", p[0], p[1])
			}
			fmt.Fprintf(&b, "/r/%d.tif,,,,,\"[[%s]]\"\n", i, rings.String())
		} else {
			ring = [][2]float64{{x, y + 800}, {x + 800, y + 800}, {x + 800, y}, {x, y}, {x, y + 800}}
			fmt.Fprintf(&b, "/r/%d.tif,%v,%v,%v,%v,\n", i, x, y, x+800, y+800)
		}
		fps[int64(i+1)] = geometry.Polygon{ring}
	}
	if _, err := cat.LoadManifest(ctx, coll, strings.NewReader(b.String()), "grid.csv"); err != nil {
		t.Fatal(err)
	}
	coll, _ = cat.Collection(ctx, "grid")
	return cat, coll, fps
}

func selectIDs(t testing.TB, cat *catalog.Catalog, coll *catalog.Collection, q catalog.Query) []int64 {
	t.Helper()
	q.Fields = []string{"OBJECTID"}
	sel, err := coll.Select(q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := cat.Each(ctx, sel, func(r *catalog.ItemRow) error { ids = append(ids, r.Values[0].(int64)); return nil }); err != nil {
		t.Fatal(err)
	}
	n, err := cat.Count(ctx, sel)
	if err != nil || n != int64(len(ids)) {
		t.Fatalf("count %d (%v), listed %d", n, err, len(ids))
	}
	return ids
}

// TestSpatialSelection compares every relation, for envelopes, polygons and
// points, with geometry.Relate applied to each footprint one by one.
func TestSpatialSelection(t *testing.T) {
	cat, coll, fps := spatialFixture(t)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	for i := 0; i < 60; i++ {
		x0, y0 := 500000+rng.Float64()*20000, 4500000+rng.Float64()*20000
		w, h := rng.Float64()*4000, rng.Float64()*4000
		var g geometry.Geometry
		switch i % 3 {
		case 0:
			g = geometry.Envelope{XMin: x0, YMin: y0, XMax: x0 + w, YMax: y0 + h}
		case 1:
			g = geometry.Polygon{{{x0, y0}, {x0 + w, y0 + h/3}, {x0 + w/2, y0 + h}, {x0, y0}}}
		case 2:
			g = geometry.Point{X: x0, Y: y0}
		}
		for _, rel := range []geometry.SpatialRel{geometry.RelIntersects, geometry.RelEnvelopeIntersects, geometry.RelContains, geometry.RelWithin} {
			got := selectIDs(t, cat, coll, catalog.Query{Spatial: &catalog.Spatial{Geometry: g, Rel: rel}})
			var want []int64
			for id := int64(1); id <= 400; id++ {
				if ok, err := geometry.Relate(g, rel, fps[id]); err != nil {
					t.Fatal(err)
				} else if ok {
					want = append(want, id)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%v %v: got %v, want %v", rel, g, got, want)
			}
		}
	}
}

// TestSpatialSelectionInSR: a geometry in another spatial reference is
// projected into the collection's before it is compared.
func TestSpatialSelectionInSR(t *testing.T) {
	cat, coll, _ := spatialFixture(t)
	// A small box in longitude/latitude around the centre of item 2, the
	// rectangle 501000..501800, 4500000..4500800 of UTM 32N.
	utm, _ := proj.Parse("EPSG:32632")
	geo, _ := proj.Parse("EPSG:4326")
	tr, _ := proj.NewTransform(utm, geo)
	lon, lat, err := tr.Forward(501400, 4500400)
	if err != nil {
		t.Fatal(err)
	}
	inner := geometry.Envelope{XMin: lon - 0.001, YMin: lat - 0.001, XMax: lon + 0.001, YMax: lat + 0.001}
	got := selectIDs(t, cat, coll, catalog.Query{Spatial: &catalog.Spatial{Geometry: inner, SRS: "4326"}})
	if !slices.Equal(got, []int64{2}) {
		t.Errorf("items meeting a small box in EPSG:4326 around item 2's centre: %v", got)
	}
	if got := selectIDs(t, cat, coll, catalog.Query{Spatial: &catalog.Spatial{Geometry: inner, SRS: "4326", Rel: geometry.RelWithin}}); !slices.Equal(got, []int64{2}) {
		t.Errorf("items the box lies within: %v", got)
	}
	far := geometry.Envelope{XMin: -120, YMin: 30, XMax: -119, YMax: 31}
	if got, err := coll.Select(catalog.Query{Spatial: &catalog.Spatial{Geometry: far, SRS: "EPSG:4326"}}); err != nil {
		t.Logf("a box in California cannot be placed in UTM 32N: %v", err)
	} else if ids := selectIDs(t, cat, coll, catalog.Query{Spatial: &catalog.Spatial{Geometry: far, SRS: "EPSG:4326"}}); len(ids) != 0 {
		t.Errorf("a box in California selects %v (%v)", ids, got)
	}
	for name, s := range map[string]catalog.Spatial{
		"ErrUnknownSR":   {Geometry: inner, SRS: "EPSG:31467"},
		"ErrNotASR":      {Geometry: inner, SRS: "UTM"},
		"ErrNoGeometry":  {},
		"ErrEmptyExtent": {Geometry: geometry.Envelope{XMin: 2, YMin: 2, XMax: 1, YMax: 1}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := coll.Select(catalog.Query{Spatial: &s})
			if catalog.ErrorCode(err) != catalog.Invalid || catalog.ErrorParam(err) == "" {
				t.Errorf("error %v (%s, param %q)", err, catalog.ErrorCode(err), catalog.ErrorParam(err))
			}
		})
	}
}

// TestParseGeometry reads the forms users give.
func TestParseGeometry(t *testing.T) {
	for _, tc := range []struct {
		text, typ string
		want      geometry.Geometry
		srs       string
	}{
		{"1,2,3,4", "", geometry.Envelope{XMin: 1, YMin: 2, XMax: 3, YMax: 4}, ""},
		{"5,6", "esriGeometryPoint", geometry.Point{X: 5, Y: 6}, ""},
		{`{"xmin":1,"ymin":2,"xmax":3,"ymax":4,"spatialReference":{"wkid":102100}}`, "", geometry.Envelope{XMin: 1, YMin: 2, XMax: 3, YMax: 4}, "EPSG:102100"},
		{`{"x":1,"y":2,"spatialReference":{"wkid":4326,"latestWkid":4326}}`, "", geometry.Point{X: 1, Y: 2}, "EPSG:4326"},
		{`{"type":"Point","coordinates":[9,45]}`, "", geometry.Point{X: 9, Y: 45}, "EPSG:4326"},
	} {
		g, srs, err := catalog.ParseGeometry(tc.text, tc.typ)
		if err != nil || srs != tc.srs || fmt.Sprint(g) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v %q %v, want %v %q", tc.text, g, srs, err, tc.want, tc.srs)
		}
	}
	for _, bad := range []string{"", "1,2,3", `{"rings":[[[0,0],[1,0]]]}`, `{"type":"LineString","coordinates":[[0,0],[1,1]]}`, `{"xmin":1,"xmin":2,"ymin":0,"xmax":3,"ymax":4}`} {
		if _, _, err := catalog.ParseGeometry(bad, ""); catalog.ErrorCode(err) != catalog.Invalid {
			t.Errorf("%q: %v, want invalid", bad, err)
		}
	}
}
