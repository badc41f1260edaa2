package catalog_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mosaic/catalog"
	"mosaic/geotiff"
	"mosaic/proj"
)

// TestMixedSRSCollection adds GDAL-made rasters in many spatial references
// to one collection per target system: each footprint is projected, its
// extent agrees with gdalinfo's wgs84Extent, and the densified polygon
// strays less than half a pixel from the true projected edges.
func TestMixedSRSCollection(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("..", "testdata", "geotiff", "srs", "*.tif"))
	if err != nil || len(names) < 10 {
		t.Fatalf("fixtures: %v %v", names, err)
	}
	for i := range names {
		names[i] = filepath.Join("srs", filepath.Base(names[i]))
	}
	dir := fixtures(t, names...)
	// Rasters too far from a projected system's area for it to represent.
	outside := map[string][]string{
		"EPSG:32632": {"nad83-utm10n-26910"},
		"EPSG:2056":  {"nad83-utm10n-26910", "utm33s-32733"},
	}
	for _, target := range []string{"EPSG:4326", "EPSG:3857", "EPSG:32632", "EPSG:2056"} {
		t.Run(strings.ReplaceAll(target, ":", ""), func(t *testing.T) {
			cat := mustOpen(t)
			coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "mixed", SRS: target})
			if err != nil {
				t.Fatal(err)
			}
			to, _ := proj.Parse(target)
			added := 0
			for _, n := range names {
				path := filepath.Join(dir, n)
				it, err := catalog.ReadRaster(path, coll.SRS)
				if strings.Contains(n, "31467") {
					if !errors.Is(err, proj.ErrUnknownCode) || !strings.Contains(err.Error(), "EPSG:31467") || !strings.Contains(err.Error(), "Coordinate systems") {
						t.Errorf("%s: error %v, want one naming EPSG:31467 and pointing to the README", n, err)
					}
					continue
				}
				if slices.Contains(outside[target], strings.TrimSuffix(filepath.Base(n), ".tif")) {
					if !errors.Is(err, proj.ErrOutsideDomain) || !strings.Contains(err.Error(), "outside what "+target+" can represent") {
						t.Errorf("%s: error %v, want it outside %s", n, err, target)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", n, err)
					continue
				}
				checkFootprint(t, path, it, to)
				if strings.Contains(n, "fine") && to.Code() != 32632 && len(it.Footprint) <= 5 {
					t.Errorf("%s into %s: %d vertices; a 64 km footprint of 1 m pixels must be densified", n, target, len(it.Footprint))
				}
				if _, err := cat.AddItems(ctx, coll, []catalog.Item{it}); err != nil {
					t.Fatal(err)
				}
				added++
			}
			if n, want := count(t, cat, coll, ""), len(names)-1-len(outside[target]); n != int64(added) || added != want {
				t.Errorf("%d items, want %d", n, want)
			}
		})
	}
}

// checkFootprint compares the item made of the raster at path with what
// gdalinfo said and with the raster's own edges projected point by point.
func checkFootprint(t *testing.T, path string, it catalog.Item, to proj.CRS) {
	t.Helper()
	info, err := geotiff.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	from, err := proj.FromWKID(info.EPSG)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := proj.NewTransform(from, to)
	if err != nil {
		t.Fatal(err)
	}
	if it.SRS != from.String() {
		t.Errorf("%s: item SRS %s, want the raster's own %s", path, it.SRS, from)
	}
	half := it.CellSize / 2
	if !(half > 0) {
		t.Fatalf("%s: cell size %v", path, it.CellSize)
	}
	// Every point of every source edge, projected, lies within half a
	// pixel of the polygon's boundary.
	corners := info.Corners()
	worst := 0.0
	for i := range corners {
		a, b := corners[i], corners[(i+1)%4]
		for k := 0; k <= 200; k++ {
			f := float64(k) / 200
			x, y, err := tr.Forward(a[0]+f*(b[0]-a[0]), a[1]+f*(b[1]-a[1]))
			if err != nil {
				t.Fatal(err)
			}
			worst = math.Max(worst, distanceToRing(x, y, it.Footprint))
		}
	}
	if worst > half {
		t.Errorf("%s into %s: the polygon strays %.3g from the projected edge, more than half a pixel (%.3g)", filepath.Base(path), to, worst, half)
	}
	if to.Code() != 4326 {
		return
	}
	// gdalinfo's wgs84Extent: the raster's corners in longitude/latitude.
	b, err := os.ReadFile(strings.TrimSuffix(path, ".tif") + ".gdalinfo.json")
	if err != nil {
		b, err = os.ReadFile(filepath.Join("..", "testdata", "geotiff", "srs", strings.TrimSuffix(filepath.Base(path), ".tif")+".gdalinfo.json"))
	}
	if err != nil {
		t.Fatal(err)
	}
	var gi struct {
		WGS84Extent struct {
			Coordinates [][][2]float64 `json:"coordinates"`
		} `json:"wgs84Extent"`
	}
	if err := json.Unmarshal(b, &gi); err != nil || len(gi.WGS84Extent.Coordinates) == 0 {
		t.Fatalf("%s: gdalinfo json: %v", path, err)
	}
	want := bounds(gi.WGS84Extent.Coordinates[0])
	got := bounds(it.Footprint)
	for i := range want {
		if math.Abs(got[i]-want[i]) > half {
			t.Errorf("%s: extent %v, gdalinfo's wgs84Extent %v: more than half a pixel (%.3g°) apart", filepath.Base(path), got, want, half)
			break
		}
	}
}

func bounds(ring [][2]float64) [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range ring {
		b[0], b[1] = math.Min(b[0], p[0]), math.Min(b[1], p[1])
		b[2], b[3] = math.Max(b[2], p[0]), math.Max(b[3], p[1])
	}
	return b
}

// distanceToRing is the distance from (x, y) to the nearest edge of ring.
func distanceToRing(x, y float64, ring [][2]float64) float64 {
	best := math.Inf(1)
	for i := range ring {
		a, b := ring[i], ring[(i+1)%len(ring)]
		dx, dy := b[0]-a[0], b[1]-a[1]
		f := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			f = math.Max(0, math.Min(1, ((x-a[0])*dx+(y-a[1])*dy)/l2))
		}
		best = math.Min(best, math.Hypot(x-(a[0]+f*dx), y-(a[1]+f*dy)))
	}
	return best
}

// TestManifestSRSColumn: a manifest's extents are in its rows' SRS, and
// each footprint is projected into the collection's, which the rows' own
// SRS (normalised) stays beside.
func TestManifestSRSColumn(t *testing.T) {
	cat := mustOpen(t)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "geo", SRS: "EPSG:4326"})
	if err != nil {
		t.Fatal(err)
	}
	manifest := "Raster,SRS,XMin,YMin,XMax,YMax,Width,Height\n" +
		"/a.tif,epsg:32632,500000,4493600,506400,4500000,64,64\n" +
		"/b.tif,EPSG:4326,9,40,9.5,40.5,,\n" +
		"/c.tif,102100,1000000,4995200,1006400,5000000,,\n" +
		"/d.tif,,1,2,3,4,,\n"
	if _, err := cat.LoadManifest(ctx, coll, strings.NewReader(manifest), "m.csv"); err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	err = each(cat, coll, catalog.Query{Fields: []string{"Name", "SRS", "XMin", "YMin", "XMax", "YMax", "Shape_Area"}, Geometry: true}, func(r *catalog.ItemRow) error {
		rows = append(rows, append(append([]any(nil), r.Values...), r.Shape))
		return nil
	})
	if err != nil || len(rows) != 4 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	utm, _ := proj.Parse("EPSG:32632")
	geo, _ := proj.Parse("EPSG:4326")
	tr, _ := proj.NewTransform(utm, geo)
	ulx, uly, _ := tr.Forward(500000, 4500000)
	a := rows[0]
	if a[1] != "EPSG:32632" || math.Abs(a[2].(float64)-ulx) > 1e-4 || math.Abs(a[5].(float64)-uly) > 1e-4 || a[6].(float64) > 0.01 {
		t.Errorf("projected row %v, want SRS EPSG:32632 and its upper-left corner near %v, %v", a, ulx, uly)
	}
	if b := rows[1]; b[1] != "EPSG:4326" || b[2] != 9.0 || b[5] != 40.5 {
		t.Errorf("row in the collection's own SRS changed: %v", b)
	}
	if c := rows[2]; c[1] != "EPSG:3857" || c[2].(float64) > 9 || c[2].(float64) < 8.9 {
		t.Errorf("row in wkid 102100: %v", c)
	}
	if d := rows[3]; d[1] != nil || d[2] != 1.0 {
		t.Errorf("row without SRS: %v", d)
	}
	for _, bad := range []struct{ name, line, want string }{
		{"ErrUnknownCode", "/e.tif,EPSG:31467,3500000,5500000,3506400,5506400,,", "EPSG:31467"},
		{"ErrNotACode", "/e.tif,UTM32,1,2,3,4,,", "SRS"},
		{"ErrOutsideDomain", "/e.tif,EPSG:32632,500000,90000000,500100,90000100,,", "outside"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := cat.LoadManifest(ctx, coll, strings.NewReader("Raster,SRS,XMin,YMin,XMax,YMax,Width,Height\n"+bad.line+"\n"), "bad.csv")
			if catalog.ErrorCode(err) != catalog.Invalid || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("error %v, want invalid naming line 2 and %q", err, bad.want)
			}
		})
	}
	if n := count(t, cat, coll, ""); n != 4 {
		t.Errorf("%d items after refused manifests, want 4", n)
	}
}
