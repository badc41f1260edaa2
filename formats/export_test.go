package formats_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dlclark/regexp2/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"mosaic/catalog"
	"mosaic/formats"
	"mosaic/gpkg"
	"mosaic/internal/testutil"
	"mosaic/proj"
)

var ctx = context.Background()

// fixture makes a collection "scenes" in EPSG:32632 with n items of the
// scene manifest, one rotated footprint with its own polygon and one item
// whose source is in EPSG:4326 (its footprint projected on the way in).
func fixture(t testing.TB, n int) (*catalog.Catalog, *catalog.Collection) {
	t.Helper()
	cat := testutil.OpenCatalog(t, catalog.Options{Now: testutil.FixedNow})
	coll := testutil.Scenes(t, cat, "scenes", n)
	extra := "Raster,Name,SRS,XMin,YMin,XMax,YMax,Width,Height,BandCount,PixelType,LowPS,CloudCover,Shape\n" +
		`/data/rotated.tif,rotated,EPSG:32632,,,,,16,12,1,U16,10,55,"[[[500000,4500000],[500100,4500050],[500150,4499950],[500050,4499900],[500000,4500000]]]"` + "\n" +
		"/data/geo.tif,geo,EPSG:4326,9,40.59,9.01,40.6,20,10,3,U8,,5,\n"
	if _, err := cat.LoadManifest(ctx, coll, strings.NewReader(extra), "extra.csv"); err != nil {
		t.Fatal(err)
	}
	coll, err := cat.Collection(ctx, "scenes")
	if err != nil {
		t.Fatal(err)
	}
	return cat, coll
}

func export(t *testing.T, cat *catalog.Catalog, coll *catalog.Collection, q catalog.Query, f formats.Format, name string) (string, int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	n, err := formats.Export(ctx, cat, coll, q, path, nil, formats.Options{Format: f})
	if err != nil {
		t.Fatalf("export %s: %v", f, err)
	}
	return path, n
}

// rows reads every item of coll, all fields and the footprint, without
// OBJECTID (which an import assigns anew).
func rows(t testing.TB, cat *catalog.Catalog, coll *catalog.Collection) [][]any {
	t.Helper()
	sel, err := coll.Select(catalog.Query{Geometry: true})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	err = cat.Each(ctx, sel, func(r *catalog.ItemRow) error {
		out = append(out, append(append([]any(nil), r.Values[1:]...), r.Shape, r.Rectangle))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCSVRoundTrip: export then import (add-image --manifest) gives the
// same items, every field and footprint alike, for 10,000 items.
func TestCSVRoundTrip(t *testing.T) {
	cat, coll := fixture(t, 10_000)
	path, n := export(t, cat, coll, catalog.Query{}, formats.CSV, "scenes.csv")
	if n != 10_002 {
		t.Fatalf("exported %d items, want 10002", n)
	}
	copy, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "copy", SRS: coll.SRS, Fields: coll.Fields})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := cat.LoadManifest(ctx, copy, f, path); err != nil {
		t.Fatal(err)
	}
	want, got := rows(t, cat, coll), rows(t, cat, copy)
	if len(got) != len(want) {
		t.Fatalf("%d items back, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("item %d differs after the round trip:\n got %v\nwant %v", i+1, got[i], want[i])
		}
	}
}

// TestGeoJSON: an RFC 7946 FeatureCollection in longitude/latitude, with
// every attribute and DATE values in ISO 8601.
func TestGeoJSON(t *testing.T) {
	cat, coll := fixture(t, 3)
	path, _ := export(t, cat, coll, catalog.Query{Where: "Name <> 'T00002'"}, formats.GeoJSON, "scenes.geojson")
	var fc struct {
		Type     string
		Features []struct {
			Type     string
			ID       int64
			BBox     []float64
			Geometry struct {
				Type        string
				Coordinates [][][2]float64
			}
			Properties map[string]any
		}
	}
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 4 {
		t.Fatalf("%s with %d features", fc.Type, len(fc.Features))
	}
	first := fc.Features[0]
	if first.ID != 1 || first.Properties["AcquisitionDate"] != "2020-01-02T00:00:00Z" || first.Properties["CloudCover"] != 10.0 || first.Properties["Name"] != "T00001" {
		t.Errorf("first feature %+v", first)
	}
	// T00001's footprint is the rectangle x 10..20, y 0..10 of EPSG:32632.
	utm, _ := proj.Parse("EPSG:32632")
	geo, _ := proj.Parse("EPSG:4326")
	tr, _ := proj.NewTransform(utm, geo)
	lon, lat, _ := tr.Forward(10, 0)
	ring := first.Geometry.Coordinates[0]
	if first.Geometry.Type != "Polygon" || math.Abs(first.BBox[0]-lon) > 1e-9 || math.Abs(first.BBox[1]-lat) > 1e-9 || ring[0] != ring[len(ring)-1] {
		t.Errorf("geometry %+v bbox %v, want it to start near %v, %v", first.Geometry, first.BBox, lon, lat)
	}
	if a := signedArea(ring); a <= 0 {
		t.Errorf("outer ring is clockwise (area %v): RFC 7946 wants counter-clockwise", a)
	}
}

func signedArea(r [][2]float64) float64 {
	var a float64
	for i := range r {
		q := r[(i+1)%len(r)]
		a += r[i][0]*q[1] - q[0]*r[i][1]
	}
	return a / 2
}

// stacSchemaFiles are the vendored schemas (testdata/stac, see its README),
// by the URL their references name them by: nothing is fetched.
var stacSchemaFiles = map[string]string{
	"https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/":      "schemas.stacspec.org/",
	"https://geojson.org/schema/":                                     "geojson.org/",
	"https://stac-extensions.github.io/projection/v2.0.0/schema.json": "stac-extensions/projection-v2.0.0.json",
	"https://proj.org/schemas/v0.7/projjson.schema.json":              "proj.org/projjson-v0.7.schema.json",
}

// stacSchemas compiles the official STAC 1.1.0 item schema and the
// projection extension's v2.0.0 schema from testdata/stac.
func stacSchemas(t *testing.T) (item, projection *jsonschema.Schema) {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.UseLoader(stacLoader{})
	c.UseRegexpEngine(ecmaRegexp)
	var err error
	if item, err = c.Compile("https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/item.json"); err != nil {
		t.Fatal(err)
	}
	if projection, err = c.Compile("https://stac-extensions.github.io/projection/v2.0.0/schema.json"); err != nil {
		t.Fatal(err)
	}
	return item, projection
}

// ecmaRegexp compiles a schema's patterns as ECMA-262 regular expressions,
// as JSON Schema defines them: the projection extension's
// propertyNames uses a lookahead, which Go's regexp lacks.
func ecmaRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return ecmaPattern{re}, nil
}

type ecmaPattern struct{ re *regexp2.Regexp }

func (p ecmaPattern) MatchString(s string) bool {
	ok, err := p.re.MatchString(s)
	return ok && err == nil
}

func (p ecmaPattern) String() string { return p.re.String() }

// stacLoader loads a schema URL from its vendored file, and refuses any
// other: a test never touches the network.
type stacLoader struct{}

func (stacLoader) Load(url string) (any, error) {
	for prefix, file := range stacSchemaFiles {
		rest, ok := strings.CutPrefix(url, prefix)
		if !ok || (rest != "" && !strings.HasSuffix(file, "/")) {
			continue
		}
		f, err := os.Open(filepath.Join("testdata", "stac", file+rest))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return jsonschema.UnmarshalJSON(f)
	}
	return nil, fmt.Errorf("schema %s is not vendored under testdata/stac", url)
}

// TestSTACValidates: every item of the ItemCollection passes the official
// STAC 1.1.0 item schema and the projection extension's v2.0.0 schema
// (testdata/stac: see its README), with the projection fields in the
// raster's own reference.
func TestSTACValidates(t *testing.T) {
	cat, coll := fixture(t, 5)
	path, _ := export(t, cat, coll, catalog.Query{}, formats.STAC, "scenes.json")
	item, projection := stacSchemas(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	features := doc.(map[string]any)["features"].([]any)
	if len(features) != 7 {
		t.Fatalf("%d items, want 7", len(features))
	}
	for _, ft := range features {
		for _, s := range []*jsonschema.Schema{item, projection} {
			if err := s.Validate(ft); err != nil {
				t.Errorf("item %v: %v", ft.(map[string]any)["id"], err)
			}
		}
	}
	props := func(i int) map[string]any { return features[i].(map[string]any)["properties"].(map[string]any) }
	if p := props(0); p["datetime"] != "2020-01-02T00:00:00Z" || p["proj:code"] != "EPSG:32632" || p["title"] != "T00001" {
		t.Errorf("first item's properties %v", p)
	}
	geo := props(6)
	if geo["proj:code"] != "EPSG:4326" || geo["datetime"] != nil || geo["start_datetime"] == nil {
		t.Errorf("projected item's properties %v", geo)
	}
	num := func(v any) float64 { f, _ := v.(json.Number).Float64(); return f }
	if bbox := geo["proj:bbox"].([]any); math.Abs(num(bbox[0])-9) > 1e-6 || math.Abs(num(bbox[3])-40.6) > 1e-6 {
		t.Errorf("proj:bbox %v, want the raster's own 9, 40.59, 9.01, 40.6", bbox)
	}
	if a := features[6].(map[string]any)["assets"].(map[string]any)["data"].(map[string]any); a["href"] != "/data/geo.tif" || a["type"] != "image/tiff; application=geotiff" {
		t.Errorf("asset %v", a)
	}
	// A schema that cannot fail proves nothing: a broken item must fail.
	broken := features[0].(map[string]any)
	delete(broken["properties"].(map[string]any), "datetime")
	if item.Validate(broken) == nil {
		t.Errorf("an item without datetime passed the schema")
	}
	broken["properties"].(map[string]any)["proj:shape"] = []any{"1098"}
	if projection.Validate(broken) == nil {
		t.Errorf("an item with a proj:shape of text passed the projection schema")
	}
}

// TestGTI: the GeoPackage is a tile index GDAL reads: the features with
// their location, SRS and extent, and the layer metadata.
func TestGTI(t *testing.T) {
	cat, coll := fixture(t, 20)
	path, n := export(t, cat, coll, catalog.Query{}, formats.GTI, "scenes.gti.gpkg")
	r, err := gpkg.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, err := r.Layer(ctx, "scenes")
	if err != nil {
		t.Fatal(err)
	}
	if l.SRS.ID != 32632 || l.GeometryType != "POLYGON" || l.Metadata["RESX"] != "10" || l.Metadata["BAND_COUNT"] != "3" ||
		l.Metadata["DATA_TYPE"] != "UInt16" || l.Metadata["SORT_FIELD"] != "AcquisitionDate" || l.Columns[0].Name != "location" {
		t.Errorf("layer %+v", l)
	}
	count := int64(0)
	err = r.Features(ctx, "scenes", func(f gpkg.Feature) error {
		count++
		if count == 1 && f.Values[0] != "/data/T00001.tif" {
			t.Errorf("first feature's location %v", f.Values[0])
		}
		return nil
	})
	if err != nil || count != n {
		t.Errorf("%d features (%v), want %d", count, err, n)
	}
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Logf("ogrinfo not found (apt-get install gdal-bin): GDAL's reading not checked")
		return
	}
	out, err := exec.Command(ogrinfo, "-ro", "-so", path, "scenes").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte(fmt.Sprintf("Feature Count: %d", n))) || !bytes.Contains(out, []byte("SORT_FIELD=AcquisitionDate")) ||
		!bytes.Contains(out, []byte(`ID["EPSG",32632]`)) {
		t.Errorf("ogrinfo: %v\n%s", err, out)
	}
}

// TestExportRefuses: an existing file is not replaced, nothing partial is
// left, and formats that need a spatial reference say so.
func TestExportRefuses(t *testing.T) {
	cat, coll := fixture(t, 2)
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	os.WriteFile(path, []byte("keep me"), 0o644)
	_, err := formats.Export(ctx, cat, coll, catalog.Query{}, path, nil, formats.Options{Format: formats.CSV})
	if !errors.Is(err, formats.ErrExists) || catalog.ErrorCode(err) != catalog.Invalid {
		t.Errorf("export over a file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Errorf("the existing file was changed: %q", b)
	}
	_, err = formats.Export(ctx, cat, coll, catalog.Query{Where: "Nope = 1"}, filepath.Join(dir, "x.csv"), nil, formats.Options{Format: formats.CSV})
	if catalog.ErrorCode(err) != catalog.Invalid {
		t.Errorf("bad where: %v", err)
	}
	nosrs, _ := cat.CreateCollection(ctx, catalog.NewCollection{Name: "nosrs"})
	_, err = formats.Export(ctx, cat, nosrs, catalog.Query{}, filepath.Join(dir, "x.geojson"), nil, formats.Options{Format: formats.GeoJSON})
	if catalog.ErrorCode(err) != catalog.Invalid || !strings.Contains(err.Error(), "no spatial reference") {
		t.Errorf("geojson of a collection without SRS: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
	if _, err := formats.ParseFormat("", "x.txt"); catalog.ErrorCode(err) != catalog.Invalid {
		t.Errorf("format of x.txt: %v", err)
	}
}
