package geotiff_test

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mosaic/geotiff"
)

// fixtures is where make.sh leaves the GeoTIFFs and what gdalinfo said about them.
const fixtures = "../testdata/geotiff"

// badFixtures are the fixtures with no .gdalinfo.json beside them, and the error each gives.
var badFixtures = map[string]error{
	"not-a-tiff.tif":     geotiff.ErrNotTIFF,
	"truncated.tif":      geotiff.ErrTruncated,
	"truncated-tags.tif": geotiff.ErrTruncated,
	"no-georef.tif":      geotiff.ErrNotGeoreferenced,
	"gcps-only.tif":      geotiff.ErrNotGeoreferenced,
}

// gdalInfo is the part of `gdalinfo -json` output that the reader is checked against.
type gdalInfo struct {
	Size             []int `json:"size"`
	CoordinateSystem struct {
		WKT string `json:"wkt"`
	} `json:"coordinateSystem"`
	GeoTransform      []float64                 `json:"geoTransform"`
	Metadata          map[string]map[string]any `json:"metadata"`
	CornerCoordinates map[string][]float64      `json:"cornerCoordinates"`
	Bands             []struct {
		Type     string                    `json:"type"`
		Block    []int                     `json:"block"`
		Metadata map[string]map[string]any `json:"metadata"`
	} `json:"bands"`
	Stac struct {
		EPSG *int `json:"proj:epsg"`
	} `json:"stac"`
}

// goodFixtures returns the paths of the fixtures that have a .gdalinfo.json.
func goodFixtures(tb testing.TB) []string {
	tb.Helper()
	var paths []string
	for _, pattern := range []string{"*.gdalinfo.json", "sample/*.gdalinfo.json", "srs/*.gdalinfo.json"} {
		m, err := filepath.Glob(filepath.Join(fixtures, pattern))
		if err != nil {
			tb.Fatal(err)
		}
		for _, j := range m {
			paths = append(paths, strings.TrimSuffix(j, ".gdalinfo.json")+".tif")
		}
	}
	if len(paths) < 20 {
		tb.Fatalf("found only %d good fixtures in %s; run testdata/geotiff/make.sh", len(paths), fixtures)
	}
	return paths
}

// allFixtures returns every .tif under the fixture directory.
func allFixtures(tb testing.TB) []string {
	tb.Helper()
	var paths []string
	err := filepath.WalkDir(fixtures, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tif") {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return paths
}

func mustSum(tb testing.TB, path string) [sha256.Size]byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return sha256.Sum256(b)
}

// readUnchanged calls ReadFile and fails the test if the file changed in any way.
func readUnchanged(t *testing.T, path string) (*geotiff.Info, error) {
	t.Helper()
	before, stBefore := mustSum(t, path), mustStat(t, path)
	info, err := geotiff.ReadFile(path)
	after, stAfter := mustSum(t, path), mustStat(t, path)
	if before != after {
		t.Errorf("%s changed: sha256 %x before, %x after", path, before, after)
	}
	if !stBefore.ModTime().Equal(stAfter.ModTime()) || stBefore.Mode() != stAfter.Mode() {
		t.Errorf("%s: mtime or mode changed", path)
	}
	return info, err
}

func mustStat(tb testing.TB, path string) fs.FileInfo {
	tb.Helper()
	st, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// TestEveryFixtureIsChecked keeps the fixture list and the tests in step.
func TestEveryFixtureIsChecked(t *testing.T) {
	good := goodFixtures(t)
	for _, path := range allFixtures(t) {
		_, bad := badFixtures[filepath.Base(path)]
		if !slices.Contains(good, path) && !bad {
			t.Errorf("%s has neither a .gdalinfo.json nor an entry in badFixtures", path)
		}
	}
	for name := range badFixtures {
		if _, err := os.Stat(filepath.Join(fixtures, name)); err != nil {
			t.Errorf("bad fixture: %v", err)
		}
	}
}

// TestFixtures checks the reader against gdalinfo for every good fixture.
func TestFixtures(t *testing.T) {
	for _, path := range goodFixtures(t) {
		name, _ := filepath.Rel(fixtures, path)
		t.Run(name, func(t *testing.T) {
			want := mustGDALInfo(t, path)
			got, err := readUnchanged(t, path)
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			if got.Width != want.Size[0] || got.Height != want.Size[1] {
				t.Errorf("size %dx%d, gdalinfo %dx%d", got.Width, got.Height, want.Size[0], want.Size[1])
			}
			if got.BandCount != len(want.Bands) {
				t.Errorf("BandCount %d, gdalinfo %d bands", got.BandCount, len(want.Bands))
			}
			if pt := want.pixelType(t); got.PixelType != pt {
				t.Errorf("PixelType %s, gdalinfo %s", got.PixelType, pt)
			}
			for i, v := range want.GeoTransform {
				if !near(got.GeoTransform[i], v) {
					t.Errorf("GeoTransform %v, gdalinfo %v", got.GeoTransform, want.GeoTransform)
					break
				}
			}
			corners := got.Corners()
			for i, key := range []string{"upperLeft", "upperRight", "lowerRight", "lowerLeft"} {
				w := want.CornerCoordinates[key]
				if len(w) != 2 || !near(corners[i][0], w[0]) || !near(corners[i][1], w[1]) {
					t.Errorf("%s corner %v, gdalinfo %v", key, corners[i], w)
				}
			}
			if e := want.epsg(); got.EPSG != e {
				t.Errorf("EPSG %d, gdalinfo %d", got.EPSG, e)
			}
			if p := want.Metadata[""]["AREA_OR_POINT"] == "Point"; got.PixelIsPoint != p {
				t.Errorf("PixelIsPoint %v, gdalinfo AREA_OR_POINT %v", got.PixelIsPoint, want.Metadata[""]["AREA_OR_POINT"])
			}
			if tiled := want.Bands[0].Block[0] != want.Size[0]; got.Tiled != tiled {
				t.Errorf("Tiled %v, gdalinfo block %v of size %v", got.Tiled, want.Bands[0].Block, want.Size)
			}
			head := mustHead(t, path)
			if be := head[0] == 'M'; got.BigEndian != be {
				t.Errorf("BigEndian %v, file starts %q", got.BigEndian, head)
			}
			if big := head[2]|head[3] == 43; got.BigTIFF != big {
				t.Errorf("BigTIFF %v, file starts %q", got.BigTIFF, head)
			}
		})
	}
}

func mustGDALInfo(tb testing.TB, tif string) *gdalInfo {
	tb.Helper()
	b, err := os.ReadFile(strings.TrimSuffix(tif, ".tif") + ".gdalinfo.json")
	if err != nil {
		tb.Fatal(err)
	}
	var g gdalInfo
	if err := json.Unmarshal(b, &g); err != nil {
		tb.Fatal(err)
	}
	if len(g.Size) != 2 || len(g.GeoTransform) != 6 || len(g.Bands) == 0 {
		tb.Fatalf("gdalinfo output without size, geoTransform or bands")
	}
	return &g
}

func mustHead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 4 {
		tb.Fatalf("head of %s: %v", path, err)
	}
	return b[:4]
}

// near reports whether a and b agree to 1e-9 relative (absolute near zero).
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// pixelType maps GDAL's data type, with the NBITS and PIXELTYPE band metadata by which
// GDAL 3.6 tells 1-, 2- and 4-bit and signed 8-bit bands, to ArcGIS's pixel type.
func (g *gdalInfo) pixelType(tb testing.TB) string {
	tb.Helper()
	band := g.Bands[0]
	structure := band.Metadata["IMAGE_STRUCTURE"]
	if band.Type == "Byte" {
		if nbits, ok := structure["NBITS"].(string); ok {
			return "U" + nbits
		}
		if structure["PIXELTYPE"] == "SIGNEDBYTE" {
			return "S8"
		}
	}
	pt, ok := map[string]string{
		"Byte": "U8", "Int8": "S8", "UInt16": "U16", "Int16": "S16", "UInt32": "U32",
		"Int32": "S32", "Float32": "F32", "Float64": "F64", "CFloat32": "C64", "CFloat64": "C128",
	}[band.Type]
	if !ok {
		tb.Fatalf("GDAL type %s has no ArcGIS pixel type", band.Type)
	}
	return pt
}

// epsg is the EPSG code of the CRS gdalinfo reports: STAC's proj:epsg where there is one
// (GDAL 3.7 on), else the ID or AUTHORITY that is a direct child of the WKT's root node.
// IDs deeper down name the base CRS, the method, parameters or units, not the CRS.
func (g *gdalInfo) epsg() int {
	if g.Stac.EPSG != nil {
		return *g.Stac.EPSG
	}
	return rootEPSG(g.CoordinateSystem.WKT)
}

var epsgID = regexp.MustCompile(`^(?:ID|AUTHORITY)\["EPSG",\s*"?(\d+)"?`)

func rootEPSG(wkt string) int {
	depth, quoted := 0, false
	for i := 0; i < len(wkt); i++ {
		switch c := wkt[i]; {
		case c == '"':
			quoted = !quoted // a doubled quote inside a string toggles twice
		case quoted:
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		case depth == 1 && (i == 0 || !isWordByte(wkt[i-1])):
			if m := epsgID.FindStringSubmatch(wkt[i:]); m != nil {
				n, _ := strconv.Atoi(m[1])
				return n
			}
		}
	}
	return 0
}

func isWordByte(c byte) bool {
	return c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

func TestRootEPSG(t *testing.T) {
	for _, tc := range []struct {
		wkt  string
		want int
	}{
		{`PROJCRS["x",BASEGEOGCRS["WGS 84",ID["EPSG",4326]],ID["EPSG",32632]]`, 32632},
		{`PROJCRS["x",BASEGEOGCRS["WGS 84",ID["EPSG",4326]],CS[Cartesian,2],AXIS["e",east,LENGTHUNIT["metre",1,ID["EPSG",9001]]]]`, 0},
		{`PROJCS["x",GEOGCS["WGS 84",AUTHORITY["EPSG","4326"]],AUTHORITY["EPSG","32632"]]`, 32632},
		{`GEOGCRS["a ""quoted]"" name",ID["EPSG",4326]]`, 4326},
		{``, 0},
	} {
		if got := rootEPSG(tc.wkt); got != tc.want {
			t.Errorf("rootEPSG(%s) = %d, want %d", tc.wkt, got, tc.want)
		}
	}
}

// TestBadFixtures checks that each kind of bad input gives its own error, and that the
// error names the file.
func TestBadFixtures(t *testing.T) {
	for name, want := range badFixtures {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(fixtures, name)
			info, err := readUnchanged(t, path)
			if !errors.Is(err, want) {
				t.Fatalf("ReadFile = %+v, %v; want %v", info, err, want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such.tif")
	_, err := geotiff.ReadFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile(missing) = %v, want fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile created %s", path)
	}
}

func TestDirectory(t *testing.T) {
	if _, err := geotiff.ReadFile(t.TempDir()); !errors.Is(err, geotiff.ErrNotTIFF) {
		t.Fatalf("ReadFile(directory) = %v, want ErrNotTIFF", err)
	}
}

// TestReadOnlyFile reads a fixture through a copy that no one may write, which an open
// for writing would fail on (unless run as root, which bypasses permissions).
func TestReadOnlyFile(t *testing.T) {
	src := filepath.Join(fixtures, "le-strips-u8-32632.tif")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ro.tif")
	if err := os.WriteFile(path, b, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if _, err := readUnchanged(t, path); err != nil {
		t.Fatalf("ReadFile(read-only file) = %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("the directory holds %d entries after ReadFile, want 1 (%v)", len(entries), err)
	}
}

// TestFootprint checks the derived values the catalog stores on two fixtures whose
// answers are known by construction.
func TestFootprint(t *testing.T) {
	t.Run("NorthUp", func(t *testing.T) {
		info, err := geotiff.ReadFile(filepath.Join(fixtures, "le-strips-u8-32632.tif"))
		if err != nil {
			t.Fatal(err)
		}
		xmin, ymin, xmax, ymax := info.Bounds()
		if xmin != 420000 || ymin != 4479880 || xmax != 420160 || ymax != 4480000 {
			t.Errorf("Bounds = %v %v %v %v", xmin, ymin, xmax, ymax)
		}
		if x, y := info.CellSize(); x != 10 || y != 10 {
			t.Errorf("CellSize = %v, %v, want 10, 10", x, y)
		}
		want := [4][2]float64{{420000, 4480000}, {420160, 4480000}, {420160, 4479880}, {420000, 4479880}}
		if c := info.Corners(); c != want {
			t.Errorf("Corners = %v, want %v", c, want)
		}
	})
	t.Run("Rotated", func(t *testing.T) {
		info, err := geotiff.ReadFile(filepath.Join(fixtures, "rotated-u8-32632.tif"))
		if err != nil {
			t.Fatal(err)
		}
		if x, y := info.CellSize(); !near(x, 10) || !near(y, 10) {
			t.Errorf("CellSize = %v, %v, want 10, 10", x, y)
		}
		c := info.Corners()
		xmin, ymin, xmax, ymax := info.Bounds()
		for _, p := range c {
			if p[0] < xmin || p[0] > xmax || p[1] < ymin || p[1] > ymax {
				t.Errorf("corner %v outside bounds %v %v %v %v", p, xmin, ymin, xmax, ymax)
			}
		}
		// Rotated by 30°: the x extent is 160·cos30 + 120·sin30.
		if w := 160*math.Cos(math.Pi/6) + 120*math.Sin(math.Pi/6); !near(xmax-xmin, w) {
			t.Errorf("x extent %v, want %v", xmax-xmin, w)
		}
	})
	t.Run("SouthUp", func(t *testing.T) {
		info, err := geotiff.ReadFile(filepath.Join(fixtures, "southup-u8-32632.tif"))
		if err != nil {
			t.Fatal(err)
		}
		xmin, ymin, xmax, ymax := info.Bounds()
		if xmin != 421000 || ymin != 4475880 || xmax != 421160 || ymax != 4476000 {
			t.Errorf("Bounds = %v %v %v %v", xmin, ymin, xmax, ymax)
		}
		if x, y := info.CellSize(); x != 10 || y != 10 {
			t.Errorf("CellSize = %v, %v, want 10, 10", x, y)
		}
	})
}

// TestSampleCollection checks that the README's sample tiles are what the demo needs:
// six same-CRS U8 tiles that share edges and do not overlap.
func TestSampleCollection(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(fixtures, "sample", "T32TMK_2020*.tif"))
	if err != nil || len(paths) != 6 {
		t.Fatalf("want 6 sample tiles, found %d (%v)", len(paths), err)
	}
	var area float64
	xmin, ymin, xmax, ymax := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range paths {
		info, err := geotiff.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.EPSG != 32632 || info.PixelType != "U8" {
			t.Errorf("%s: EPSG %d, %s; want 32632, U8", p, info.EPSG, info.PixelType)
		}
		x0, y0, x1, y1 := info.Bounds()
		area += (x1 - x0) * (y1 - y0)
		xmin, ymin, xmax, ymax = math.Min(xmin, x0), math.Min(ymin, y0), math.Max(xmax, x1), math.Max(ymax, y1)
	}
	// Adjacent and not overlapping: the tiles exactly fill their common extent.
	if whole := (xmax - xmin) * (ymax - ymin); area != whole {
		t.Errorf("tiles cover %v m², their extent %v m²", area, whole)
	}
}
