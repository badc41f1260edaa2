package gpkg

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests check the files against GDAL itself: its validate_gpkg.py and
// ogrinfo. They run when GDAL's tools are installed and are skipped
// otherwise; .ci/run installs them on Debian with
// `apt-get install -y gdal-bin python3-gdal`.

const installGDAL = "apt-get install -y gdal-bin python3-gdal"

type gdalTools struct {
	ogrinfo  string
	python   string // a python3 that has the osgeo bindings, if any
	validate string // validate_gpkg.py
	version  [2]int // GDAL major, minor
}

// needGDAL finds GDAL's tools or skips the test, saying what to install.
func needGDAL(t *testing.T) gdalTools {
	t.Helper()
	var g gdalTools
	var err error
	if g.ogrinfo, err = exec.LookPath("ogrinfo"); err != nil {
		t.Skipf("ogrinfo not found: %s", installGDAL)
	}
	out, err := exec.Command(g.ogrinfo, "--version").Output()
	if m := regexp.MustCompile(`GDAL (\d+)\.(\d+)`).FindSubmatch(out); err != nil || m == nil {
		t.Skipf("ogrinfo --version: %q %v: %s", out, err, installGDAL)
	} else {
		g.version[0], _ = strconv.Atoi(string(m[1]))
		g.version[1], _ = strconv.Atoi(string(m[2]))
	}
	// Debian's python3 has the osgeo package; one earlier in PATH (pyenv)
	// may not.
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, py := range candidates {
		cmd := exec.Command(py, "-c", "import osgeo_utils.samples.validate_gpkg as m; print(m.__file__)")
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
		out, err := cmd.Output()
		if err == nil {
			g.python, g.validate = py, strings.TrimSpace(string(out))
			break
		}
	}
	if g.validate == "" {
		t.Skipf("GDAL's validate_gpkg.py (package python3-gdal) not found: %s", installGDAL)
	}
	return g
}

// atLeast reports whether GDAL is version major.minor or later.
func (g gdalTools) atLeast(major, minor int) bool {
	return g.version[0] > major || (g.version[0] == major && g.version[1] >= minor)
}

// run runs a GDAL tool and returns its stdout and stderr.
func run(t *testing.T, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	// Nothing but the file under test may be written: no .aux.xml beside
	// it, no __pycache__ beside the script.
	cmd.Env = append(os.Environ(), "GDAL_PAM_ENABLED=NO", "CPL_DEBUG=OFF", "PYTHONDONTWRITEBYTECODE=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// knownGDALWarning is what GDAL before 3.7 says of every GeoPackage 1.4.
var knownGDALWarning = regexp.MustCompile(`(?m)^Warning 1: This version of GeoPackage user_version=0x000028A0 \(10400, v1\.4\.0\) on '[^']*' may only be partially supported\n`)

// TestGDALValidate runs GDAL's validate_gpkg.py, with its extra checks of
// the table contents and warnings counted as errors, on the files the
// writer makes (and on the gdaltindex fixture, as a control).
func TestGDALValidate(t *testing.T) {
	g := needGDAL(t)
	script, err := os.ReadFile(g.validate)
	if err != nil {
		t.Fatal(err)
	}
	// validate_gpkg.py before GDAL 3.7 checks every GeoPackage against the
	// 1.2 R-tree triggers (update1 to update4); 1.4 replaced update1 and
	// update3, and the later script checks the set of the file's version.
	knows14Triggers := bytes.Contains(script, []byte("(2, 4, 5, 6, 7)"))

	hostile := tileLayer()
	hostile.Name, hostile.GeometryColumn = `my "tiles"`, "the geom"
	hostile.Fields = append(hostile.Fields, Field{`a"b`, Text}, Field{"é", Integer})
	for _, tc := range []struct {
		name  string
		layer Layer
		opt   Options
		soak  bool // each run of validate_gpkg.py costs a second: the rarer cases run with MOSAIC_SOAK=1
	}{
		{"v1.4", tileLayer(), Options{}, false},
		{"v1.4_rtree", tileLayer(), Options{SpatialIndex: true}, false},
		{"v1.2", tileLayer(), Options{Version: Version12}, true},
		{"v1.2_rtree", tileLayer(), Options{SpatialIndex: true, Version: Version12}, true},
		{"multipolygon", func() Layer { l := tileLayer(); l.GeometryType = "MULTIPOLYGON"; return l }(), Options{SpatialIndex: true}, true},
		{"names_that_need_quoting", hostile, Options{SpatialIndex: true, Version: Version12}, false},
		{"no_metadata_4326", func() Layer {
			l := tileLayer()
			l.Metadata = nil
			l.SRS = standardSRS[0]
			return l
		}(), Options{}, true},
		{"gdaltindex_fixture", Layer{}, Options{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.soak && os.Getenv("MOSAIC_SOAK") == "" {
				t.Skip("runs with MOSAIC_SOAK=1 (as .ci/run sets it)")
			}
			path := filepath.Join(t.TempDir(), "t.gpkg")
			switch {
			case tc.name == "gdaltindex_fixture":
				path = copyFixture(t)
			case tc.layer.GeometryType == "MULTIPOLYGON":
				w, err := Create(path, tc.layer, tc.opt)
				if err != nil {
					t.Fatal(err)
				}
				for i := range 20 {
					r, vals := tile(i)
					r2 := rect(r[0][0]+100, r[0][1]+100, r[0][0]+200, r[0][1]+200)
					e := r.envelope()
					if err := w.Add(gpbMultiPolygon(32632, r, r2), e, vals); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			default:
				l := tc.layer
				if l.SRS.ID == 4326 {
					// Degrees: shrink the grid to fit.
					w, err := Create(path, l, tc.opt)
					if err != nil {
						t.Fatal(err)
					}
					r := rect(8.1, 39.1, 8.2, 39.2)
					_, vals := tile(0)
					if err := w.Add(gpbPolygon(4326, r, gpbOptions{}), r.envelope(), vals); err != nil {
						t.Fatal(err)
					}
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
				} else {
					writeTilesTo(t, path, l, 100, tc.opt)
				}
			}
			stdout, stderr, err := run(t, g.python, g.validate, "-k", "--extra", "--warning-as-error", path)
			report := strings.TrimSpace(stdout + stderr)
			if tc.opt.SpatialIndex && tc.opt.Version != Version12 && !knows14Triggers {
				rtree := "rtree_" + tc.layer.Name + "_geom"
				want := "Req 75: " + rtree + "_update1 trigger missing\nReq 75: " + rtree + "_update3 trigger missing"
				if report != want {
					t.Errorf("validate_gpkg.py (pre-1.4 script) said:\n%s\nwant only:\n%s", report, want)
				}
				t.Logf("this validate_gpkg.py predates the GeoPackage 1.4 R-tree triggers; it reports only:\n%s", report)
				return
			}
			if err != nil || report != "" {
				t.Errorf("validate_gpkg.py: %v\n%s", err, report)
			}
		})
	}
}

// TestGDALReads checks with ogrinfo that GDAL reads the layer's SRS,
// extent, fields, metadata and feature count, and then every feature.
func TestGDALReads(t *testing.T) {
	g := needGDAL(t)
	const n = 300
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"v1.4_rtree", Options{SpatialIndex: true}},
		{"v1.2", Options{Version: Version12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTiles(t, n, tc.opt)
			stdout, stderr, err := run(t, g.ogrinfo, "-ro", "-al", "-so", path)
			if err != nil {
				t.Fatalf("ogrinfo: %v\n%s", err, stderr)
			}
			checkStderr(t, g, tc.opt, stderr)
			for _, want := range []string{
				"using driver `GPKG' successful",
				"\nLayer name: tiles\n",
				"\nGeometry: Polygon\n",
				fmt.Sprintf("\nFeature Count: %d\n", n),
				"\nExtent: (420000.000000, 4477000.000000) - (520000.000000, 4480000.000000)\n",
				`PROJCRS["WGS 84 / UTM zone 32N"`,
				`ID["EPSG",32632]`,
				"\nFID Column = fid\n",
				"\nGeometry Column = geom\n",
				"\nlocation: String (0.0)\n",
				"\nName: String (0.0)\n",
				"\nOBJECTID: Integer64 (0.0)\n",
				"\nCloudCover: Real (0.0)\n",
				"\nAcquisitionDate: Date (0.0)\n",
				"\nAdded: DateTime (0.0)",
				"\nMetadata:\n  BAND_COUNT=4\n  DATA_TYPE=UInt16\n  NODATA=0\n  RESX=10\n  RESY=10\n  SORT_FIELD=AcquisitionDate\n  SORT_FIELD_ASC=YES\n",
			} {
				if !strings.Contains(stdout, want) {
					t.Errorf("ogrinfo -so lacks %q:\n%s", want, stdout)
				}
			}

			// Every feature, as GDAL reads it.
			stdout, stderr, err = run(t, g.ogrinfo, "-ro", "-al", "-q", path)
			if err != nil {
				t.Fatalf("ogrinfo: %v\n%s", err, stderr)
			}
			checkStderr(t, g, tc.opt, stderr)
			features := strings.Split(stdout, "OGRFeature(tiles):")[1:]
			if len(features) != n {
				t.Fatalf("ogrinfo listed %d features, want %d", len(features), n)
			}
			for i, f := range features {
				r, vals := tile(i)
				day := vals[4].(time.Time)
				var pts []string
				for _, p := range r {
					pts = append(pts, strconv.FormatFloat(p[0], 'f', -1, 64)+" "+strconv.FormatFloat(p[1], 'f', -1, 64))
				}
				wkt := "POLYGON ((" + strings.Join(pts, ",") + "))"
				for _, want := range []string{
					fmt.Sprintf("%d\n", i+1),
					fmt.Sprintf("  location (String) = %s\n", vals[0]),
					fmt.Sprintf("  Name (String) = %s\n", vals[1]),
					fmt.Sprintf("  OBJECTID (Integer64) = %d\n", vals[2]),
					fmt.Sprintf("  CloudCover (Real) = %g\n", vals[3]),
					fmt.Sprintf("  AcquisitionDate (Date) = %s\n", day.Format("2006/01/02")),
					fmt.Sprintf("  Added (DateTime) = %s\n", vals[5].(time.Time).Format("2006/01/02 15:04:05+00")),
					"  " + wkt + "\n",
				} {
					if !strings.HasPrefix(f, want) && !strings.Contains(f, want) {
						t.Fatalf("feature %d lacks %q:\n%s", i+1, want, f)
					}
				}
			}

			// A spatial filter (through the R-tree when there is one).
			stdout, _, err = run(t, g.ogrinfo, "-ro", "-al", "-q", "-spat", "421100", "4478100", "421200", "4478200", path)
			if err != nil || strings.Count(stdout, "OGRFeature(tiles):") != 1 || !strings.Contains(stdout, "location (String) = /data/s2/T32TMK_101.tif") {
				t.Errorf("ogrinfo -spat: %v\n%s", err, stdout)
			}
		})
	}
}

// checkStderr fails on anything GDAL says on stderr, but the warning GDAL
// before 3.7 gives every GeoPackage 1.4.
func checkStderr(t *testing.T, g gdalTools, opt Options, stderr string) {
	t.Helper()
	if opt.Version != Version12 && !g.atLeast(3, 7) {
		stderr = knownGDALWarning.ReplaceAllString(stderr, "")
	}
	if strings.TrimSpace(stderr) != "" {
		t.Errorf("GDAL said on stderr:\n%s", stderr)
	}
}

// TestGDALEdits lets GDAL edit a file the writer made (append features,
// update a footprint, change a fid, delete rows), through the R-tree and
// feature-count triggers with GDAL's own ST_ functions, and checks that the
// R-tree, the count and the file stay right.
func TestGDALEdits(t *testing.T) {
	g := needGDAL(t)
	ogr2ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		t.Skipf("ogr2ogr not found: %s", installGDAL)
	}
	for _, v := range []Version{Version14, Version12} {
		t.Run(fmtVersion(v), func(t *testing.T) {
			path := writeTiles(t, 200, Options{SpatialIndex: true, Version: v})
			edit := func(args ...string) {
				t.Helper()
				if _, stderr, err := run(t, args[0], args[1:]...); err != nil || strings.Contains(stderr, "ERROR") {
					t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, stderr)
				}
			}
			src, err := filepath.Abs(gdalFixture)
			if err != nil {
				t.Fatal(err)
			}
			edit(ogr2ogr, "-update", "-append", "-nln", "tiles", path, src, "tiles")
			edit(g.ogrinfo, path, "-sql", "UPDATE tiles SET geom = (SELECT geom FROM tiles WHERE fid = 201) WHERE fid = 1")
			edit(g.ogrinfo, path, "-sql", "UPDATE tiles SET fid = 5000 WHERE fid = 2")
			edit(g.ogrinfo, path, "-sql", "DELETE FROM tiles WHERE fid % 4 = 0")

			db := openDB(path, []string{"mode=ro"})
			defer db.Close()
			var msg string
			var rows, indexed, counted int
			if err := db.QueryRow("SELECT rtreecheck('rtree_tiles_geom'), (SELECT count(*) FROM tiles), (SELECT count(*) FROM rtree_tiles_geom), (SELECT feature_count FROM gpkg_ogr_contents)").Scan(&msg, &rows, &indexed, &counted); err != nil {
				t.Fatal(err)
			}
			if msg != "ok" || indexed != rows || counted != rows || rows != 206-52 { // 51 multiples of 4 up to 206, and fid 5000
				t.Errorf("after GDAL's edits: rtreecheck %q, %d rows, %d in the R-tree, feature_count %d", msg, rows, indexed, counted)
			}
			var x float64
			if err := db.QueryRow("SELECT minx FROM rtree_tiles_geom WHERE id = 1").Scan(&x); err != nil || x != 400000 {
				t.Errorf("R-tree box of the updated feature: minx %v %v, want 400000", x, err)
			}
			if v == Version12 {
				stdout, stderr, err := run(t, g.python, g.validate, "-k", path)
				if err != nil || strings.TrimSpace(stdout+stderr) != "" {
					t.Errorf("validate_gpkg.py after GDAL's edits: %v\n%s%s", err, stdout, stderr)
				}
			}
		})
	}
}
