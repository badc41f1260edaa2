package catalog_test

import (
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mosaic/catalog"
	"mosaic/geotiff"
	"mosaic/proj"
)

// fixtures copies GeoTIFF fixtures from testdata/geotiff into a temporary
// folder and returns it: tests never touch files outside t.TempDir().
func fixtures(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "geotiff", n))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, n)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func sums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = sha256.Sum256(b)
		}
		return nil
	})
	return out
}

func TestReadRasters(t *testing.T) {
	dir := fixtures(t, "sample/T32TMK_20200115.tif", "sample/T32TMK_20200209.tif", "rotated-u8-32632.tif",
		"geographic-u8-4326.tif", "not-a-tiff.tif", "truncated.tif", "no-georef.tif", "srs/gauss-krueger-31467.tif")
	before := sums(t, dir)
	cat := mustOpen(t)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", Fields: sceneFields})
	if err != nil {
		t.Fatal(err)
	}
	files, problems := catalog.ExpandRasterPaths([]string{filepath.Join(dir, "sample"), filepath.Join(dir, "*.tif"), filepath.Join(dir, "srs"), filepath.Join(dir, "missing.tif")})
	if len(files) != 8 || len(problems) != 1 || !errors.Is(problems[0], fs.ErrNotExist) {
		t.Fatalf("expand: %d files %v, problems %v", len(files), files, problems)
	}
	attrs := map[string]any{"SensorName": "Sentinel-2", "AcquisitionDate": "2020-01-15"}
	var items []catalog.Item
	var readProblems []error
	srs := coll.SRS
	for _, f := range files {
		it, err := catalog.ReadRaster(f, srs)
		if err != nil {
			readProblems = append(readProblems, &catalog.RasterError{Path: f, Err: err})
			continue
		}
		if srs == "" {
			srs = it.SRS
		}
		it.Attributes = attrs
		items = append(items, it)
	}
	if len(items) != 4 {
		t.Errorf("read %d, want 4 (the two samples, the rotated one and the geographic one, projected)", len(items))
	}
	err = cat.Update(ctx, func(tx *catalog.Tx) error {
		if err := tx.SetSRS(ctx, coll, srs); err != nil {
			return err
		}
		_, err := tx.AddItems(ctx, coll, items)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]error{
		"gauss-krueger-31467.tif": proj.ErrUnknownCode, // a code mosaic does not project
		"not-a-tiff.tif":          geotiff.ErrNotTIFF,
		"truncated.tif":           geotiff.ErrTruncated,
		"no-georef.tif":           geotiff.ErrNotGeoreferenced,
	}
	if len(readProblems) != len(kinds) {
		t.Fatalf("problems: %v", readProblems)
	}
	for _, p := range readProblems {
		var re *catalog.RasterError
		if !errors.As(p, &re) {
			t.Fatalf("problem %v is not a *RasterError", p)
		}
		want, ok := kinds[filepath.Base(re.Path)]
		if !ok || !errors.Is(p, want) {
			t.Errorf("problem %v for %s", p, re.Path)
		}
	}
	coll, _ = cat.Collection(ctx, "scenes")
	if coll.SRS != "EPSG:32632" {
		t.Errorf("the first raster did not give the collection its spatial reference: %q", coll.SRS)
	}
	var rows [][]any
	err = each(cat, coll, catalog.Query{Fields: []string{"Name", "Raster", "Width", "BandCount", "PixelType", "SRS", "LowPS", "MaxPS", "SensorName", "AcquisitionDate"}, Geometry: true},
		func(r *catalog.ItemRow) error {
			rows = append(rows, append(append([]any(nil), r.Values...), r.Shape))
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	first := rows[0]
	if first[0] != "T32TMK_20200115" || first[1] != filepath.Join(dir, "sample", "T32TMK_20200115.tif") || first[2] != int64(32) ||
		first[3] != int64(1) || first[4] != "U8" || first[5] != "EPSG:32632" || first[6] != 60.0 || first[7] != 600.0 ||
		first[8] != "Sentinel-2" || first[9] != "2020-01-15 00:00:00" {
		t.Errorf("first item %v", first)
	}
	byName := map[any][]any{}
	for _, r := range rows {
		byName[r[0]] = r
	}
	if rotated := byName["rotated-u8-32632"]; rotated == nil || strings.Count(rotated[10].(string), "],[") != 4 {
		t.Errorf("rotated item %v: want its own 4-corner polygon", rotated)
	}
	// The geographic raster is projected into the collection's UTM zone:
	// its pixel size is in metres and its SRS stays its own.
	if geo := byName["geographic-u8-4326"]; geo == nil || geo[5] != "EPSG:4326" || geo[6].(float64) < 90 || geo[6].(float64) > 100 {
		t.Errorf("geographic item %v: want SRS EPSG:4326 and a pixel of about 97 m", geo)
	}
	if after := sums(t, dir); len(after) != len(before) {
		t.Errorf("files appeared or vanished: %d before, %d after", len(before), len(after))
	} else {
		for p, s := range before {
			if after[p] != s {
				t.Errorf("%s changed", p)
			}
		}
	}
}

func TestAddItemsRejectsAttributes(t *testing.T) {
	dir := fixtures(t, "sample/T32TMK_20200115.tif")
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 1)
	it, err := catalog.ReadRaster(filepath.Join(dir, "sample", "T32TMK_20200115.tif"), coll.SRS)
	if err != nil {
		t.Fatal(err)
	}
	for name, attrs := range map[string]map[string]any{
		"ErrUnknownAttribute": {"Clouds": "5"},
		"ErrBadValue":         {"CloudCover": "abc"},
		"ErrObjectID":         {"OBJECTID": "7"},
	} {
		t.Run(name, func(t *testing.T) {
			it.Attributes = attrs
			_, err := cat.AddItems(ctx, coll, []catalog.Item{it})
			wantCode(t, err, catalog.Invalid)
			if n := count(t, cat, coll, ""); n != 1 {
				t.Errorf("count %d after a refused add", n)
			}
		})
	}
}

func TestExpandRasterPathsEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "readme.txt"), []byte("x"), 0o644)
	files, problems := catalog.ExpandRasterPaths([]string{dir, filepath.Join(dir, "*.tif")})
	if len(files) != 0 || len(problems) != 2 || !errors.Is(problems[0], catalog.ErrNoRasters) || !errors.Is(problems[1], catalog.ErrNoRasters) {
		t.Errorf("files %v problems %v", files, problems)
	}
}
