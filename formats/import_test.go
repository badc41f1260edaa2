package formats_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mosaic/catalog"
	"mosaic/formats"
)

// importInto adds the items of the file at path to a new collection of
// cat, as an AddImage --from job does, and returns it.
func importInto(t *testing.T, cat *catalog.Catalog, name, srs string, fields []catalog.Field, path string) (*catalog.Collection, []string) {
	t.Helper()
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: name, SRS: srs, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	var ignored []string
	err = cat.Update(ctx, func(tx *catalog.Tx) error {
		im, err := tx.Importer(ctx, coll)
		if err != nil {
			return err
		}
		if _, err := formats.Import(ctx, path, im.Add); err != nil {
			return err
		}
		_, ignored, err = im.Finish()
		return err
	})
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	if coll, err = cat.Collection(ctx, name); err != nil {
		t.Fatal(err)
	}
	return coll, ignored
}

// values reads fields of every item of coll, in OBJECTID order.
func values(t *testing.T, cat *catalog.Catalog, coll *catalog.Collection, fields ...string) [][]any {
	t.Helper()
	sel, err := coll.Select(catalog.Query{Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	if err := cat.Each(ctx, sel, func(r *catalog.ItemRow) error {
		out = append(out, append([]any(nil), r.Values...))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportOwnExports: what export writes, import reads back: the same
// rasters, attributes and (through WGS 84 for GeoJSON and STAC) footprints
// within a millimetre.
func TestImportOwnExports(t *testing.T) {
	cat, coll := fixture(t, 50)
	fields := []string{"Name", "Raster", "CloudCover", "AcquisitionDate", "XMin", "YMin", "XMax", "YMax", "SRS", "Width", "Height"}
	want := values(t, cat, coll, fields...)
	for i, f := range []formats.Format{formats.GeoJSON, formats.STAC, formats.GTI} {
		t.Run(string(f), func(t *testing.T) {
			path, _ := export(t, cat, coll, catalog.Query{}, f, "x."+map[formats.Format]string{formats.GTI: "gpkg"}[f]+"json")
			if f == formats.GTI {
				path, _ = export(t, cat, coll, catalog.Query{}, f, "x.gpkg")
			}
			if got, err := formats.Sniff(path); err != nil || got != f {
				t.Fatalf("sniffed %s (%v), want %s", got, err, f)
			}
			back, ignored := importInto(t, cat, "back"+string(rune('a'+i)), coll.SRS, coll.Fields, path)
			got := values(t, cat, back, fields...)
			if len(got) != len(want) {
				t.Fatalf("%d items back, want %d", len(got), len(want))
			}
			for r := range want {
				for c := range want[r] {
					w, g := want[r][c], got[r][c]
					if wf, ok := w.(float64); ok && c >= 4 && c <= 7 {
						if gf, _ := g.(float64); math.Abs(gf-wf) > 1e-3 {
							t.Fatalf("item %d %s: %v, want %v", r+1, fields[c], g, w)
						}
						continue
					}
					if f == formats.STAC && fields[c] == "AcquisitionDate" && w == nil {
						continue // STAC's open range for an unknown date comes back as nothing
					}
					if f == formats.STAC && fields[c] == "SRS" && w == nil && g == coll.SRS {
						continue // proj:code gives an item without SRS the collection's
					}
					if g != w {
						t.Fatalf("item %d %s: %v (%T), want %v (%T)", r+1, fields[c], g, g, w, w)
					}
				}
			}
			for _, name := range ignored {
				if !strings.HasPrefix(name, "mosaic") && name != "OBJECTID" {
					t.Errorf("ignored %q: an export's own fields come back", name)
				}
			}
		})
	}
}

// TestImportGDALTileIndex reads the index gdaltindex made (gpkg/testdata):
// relative locations are taken against the index's folder, as GDAL does,
// and footprints are projected into the collection's reference.
func TestImportGDALTileIndex(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "gpkg", "testdata", "gdaltindex.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "index.gpkg")
	os.WriteFile(path, src, 0o644)
	cat := openCatalog(t)
	coll, ignored := importInto(t, cat, "tiles", "EPSG:4326", nil, path)
	rows := values(t, cat, coll, "Name", "Raster", "XMin", "YMax")
	if len(rows) != 6 {
		t.Fatalf("%d items, want 6", len(rows))
	}
	first := rows[0]
	// gdaltindex wrote ../../testdata/geotiff/sample/…, relative to the index.
	if first[0] != "T32TMK_20200115" || first[1] != filepath.Join(dir, "..", "..", "testdata", "geotiff", "sample", "T32TMK_20200115.tif") ||
		math.Abs(first[2].(float64)-7.8173) > 1e-3 || math.Abs(first[3].(float64)-40.6448) > 1e-3 {
		t.Errorf("first item %v", first)
	}
	if b, _ := os.ReadFile(path); string(b) != string(src) {
		t.Errorf("the index was changed by reading it")
	}
	t.Logf("columns not imported: %v", ignored)
}

// TestImportRefuses names the problem of files that are not what they
// should be.
func TestImportRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"text.json":       "hello",
		"notfc.json":      `{"type":"Feature"}`,
		"noraster.json":   `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"a":1}}]}`,
		"point.json":      `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"Raster":"/a.tif"}}]}`,
		"stacnodata.json": `{"type":"FeatureCollection","features":[{"type":"Feature","stac_version":"1.1.0","geometry":null,"properties":{"datetime":null},"assets":{}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			os.WriteFile(path, []byte(text), 0o644)
			_, err := formats.Import(ctx, path, func(catalog.ImportedItem) error { return nil })
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("import of %s: %v, want an error naming the file", text, err)
			}
		})
	}
}

func openCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "c.db"), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}
