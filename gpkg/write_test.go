package gpkg

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestWriteThenRead writes a GTI layer in each version, with and without the
// R-tree, and reads back exactly what was written.
func TestWriteThenRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"v1.4", Options{}},
		{"v1.4_rtree", Options{SpatialIndex: true}},
		{"v1.2_rtree", Options{SpatialIndex: true, Version: Version12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 250
			path := writeTiles(t, n, tc.opt)
			r := mustOpen(t, path)
			wantVersion := int(Version14)
			if tc.opt.Version == Version12 {
				wantVersion = int(Version12)
			}
			if got := r.UserVersion(); got != wantVersion {
				t.Errorf("user_version %d, want %d", got, wantVersion)
			}
			layers, err := r.Layers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(layers) != 1 {
				t.Fatalf("%d layers, want 1", len(layers))
			}
			l := layers[0]
			want := Table{
				Name: "tiles", Identifier: "tiles", FIDColumn: "fid",
				GeometryColumn: "geom", GeometryType: "POLYGON",
				SRS:    SRS{ID: 32632, Organization: "EPSG", OrganizationID: 32632, Name: "WGS 84 / UTM zone 32N", Definition: utm32.Definition},
				Extent: Envelope{MinX: 420000, MinY: 4477000, MaxX: 520000, MaxY: 4480000}, HasExtent: true,
				Columns: []Column{
					{"location", "TEXT", Text}, {"Name", "TEXT", Text}, {"OBJECTID", "INTEGER", Integer},
					{"CloudCover", "REAL", Real}, {"AcquisitionDate", "DATE", Date}, {"Added", "DATETIME", DateTime},
				},
				Metadata: tileLayer().Metadata,
			}
			if !reflect.DeepEqual(l, want) {
				t.Errorf("layer\n got %+v\nwant %+v", l, want)
			}
			fs := allFeatures(t, r, "tiles")
			if len(fs) != n {
				t.Fatalf("%d features, want %d", len(fs), n)
			}
			for i, f := range fs {
				ring, vals := tile(i)
				if f.FID != int64(i+1) {
					t.Errorf("feature %d: fid %d", i, f.FID)
				}
				if !bytes.Equal(f.Geometry, gpbPolygon(32632, ring, gpbOptions{})) {
					t.Errorf("feature %d: geometry differs", i)
				}
				day := vals[4].(time.Time)
				wantVals := []any{vals[0], vals[1], vals[2], vals[3], day.Format("2006-01-02"),
					vals[5].(time.Time).Format("2006-01-02T15:04:05.000Z")}
				if !reflect.DeepEqual(f.Values, wantVals) {
					t.Errorf("feature %d: values %#v, want %#v", i, f.Values, wantVals)
				}
			}
		})
	}
}

// TestFileIsPlainGeoPackage checks the bytes a GeoPackage reader looks at
// first, and that the finished file is in rollback-journal (DELETE) mode
// with nothing left beside it.
func TestFileIsPlainGeoPackage(t *testing.T) {
	path := writeTiles(t, 10, Options{SpatialIndex: true})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b[68:72]) != "GPKG" {
		t.Errorf("application_id %q, want GPKG", b[68:72])
	}
	if v := binary.BigEndian.Uint32(b[60:64]); v != 10400 {
		t.Errorf("user_version %d, want 10400", v)
	}
	if b[18] != 1 || b[19] != 1 {
		t.Errorf("file format versions %d/%d, want 1/1 (rollback journal, not WAL)", b[18], b[19])
	}
	if got := snapshot(t, filepath.Dir(path)); len(got) != 1 {
		t.Errorf("folder holds %d files, want only the GeoPackage", len(got))
	}
	db := openDB(path, []string{"mode=ro"})
	defer db.Close()
	var mode string
	var fk, integrity string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "delete" {
		t.Errorf("journal_mode %q, want delete", mode)
	}
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %q %v", integrity, err)
	}
	if err := db.QueryRow("SELECT count(*) FROM pragma_foreign_key_check").Scan(&fk); err != nil || fk != "0" {
		t.Errorf("foreign_key_check: %q %v", fk, err)
	}
}

// TestRTree checks the R-tree, packed in bulk or filled by SQLite, with one
// or more levels: SQLite's rtreecheck finds it consistent, it answers
// window queries as a scan of the table does, and its triggers (which need
// the ST_ functions) keep it right when the file is edited afterwards, for
// both trigger generations.
func TestRTree(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		v    Version
		bulk bool
	}{
		{"v1.4_bulk_1level", 40, Version14, true},
		{"v1.4_bulk_2levels", 120, Version14, true},
		{"v1.4_bulk_3levels", 3000, Version14, true},
		{"v1.2_bulk_3levels", 3000, Version12, true},
		{"v1.4_sqlite_3levels", 3000, Version14, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.bulk {
				old := maxBulkRTree
				maxBulkRTree = tc.n / 2
				defer func() { maxBulkRTree = old }()
			}
			path := writeTiles(t, tc.n, Options{SpatialIndex: true, Version: tc.v})
			db := openDB(path, nil)
			defer db.Close()
			db.SetMaxOpenConns(1) // the savepoint below needs one connection
			ctx := context.Background()
			count := func() (n int) {
				t.Helper()
				if err := db.QueryRowContext(ctx, "SELECT count(*) FROM rtree_tiles_geom").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			check := func() {
				t.Helper()
				var msg string
				if err := db.QueryRowContext(ctx, "SELECT rtreecheck('rtree_tiles_geom')").Scan(&msg); err != nil || msg != "ok" {
					t.Fatalf("rtreecheck: %q %v", msg, err)
				}
			}
			box := func(id int64) (e Envelope) {
				t.Helper()
				err := db.QueryRowContext(ctx, "SELECT minx, miny, maxx, maxy FROM rtree_tiles_geom WHERE id = ?", id).Scan(&e.MinX, &e.MinY, &e.MaxX, &e.MaxY)
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			check()
			if n := count(); n != tc.n {
				t.Fatalf("R-tree holds %d entries, want %d", n, tc.n)
			}
			if tc.bulk {
				var root []byte
				if err := db.QueryRowContext(ctx, "SELECT data FROM rtree_tiles_geom_node WHERE nodeno = 1").Scan(&root); err != nil {
					t.Fatal(err)
				}
				// 51 cells a node (4096-byte pages): depth 0 up to 51
				// features, 1 up to 2601, then 2.
				want := map[int]uint16{40: 0, 120: 1, 3000: 2}[tc.n]
				if d := binary.BigEndian.Uint16(root); d != want || len(root) != 4+51*24 {
					t.Errorf("root depth %d, size %d; want %d, %d", d, len(root), want, 4+51*24)
				}
			}
			for i := range tc.n {
				r, _ := tile(i)
				if got, want := box(int64(i+1)), r.envelope(); !contains(got, want) {
					t.Fatalf("fid %d: R-tree box %v does not hold %v", i+1, got, want)
				}
			}
			// Window queries as GDAL runs them, against a scan.
			for _, q := range []Envelope{{420500, 4479500, 420500, 4479500}, {430000, 4450000, 455000, 4470000}, {0, 0, 1, 1}, {400000, 4000000, 600000, 5000000}} {
				var hits, want int
				err := db.QueryRowContext(ctx, "SELECT count(*) FROM rtree_tiles_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?", q.MaxX, q.MinX, q.MaxY, q.MinY).Scan(&hits)
				if err != nil {
					t.Fatal(err)
				}
				for i := range tc.n {
					r, _ := tile(i)
					e := r.envelope()
					if e.MinX <= q.MaxX && e.MaxX >= q.MinX && e.MinY <= q.MaxY && e.MaxY >= q.MinY {
						want++
					}
				}
				if hits != want {
					t.Errorf("window %v: %d hits, want %d", q, hits, want)
				}
			}

			// Editors: move a footprint, empty one, add one, change a fid,
			// delete one.
			moved := rect(0, 0, 10, 10)
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := db.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec("UPDATE tiles SET geom = ? WHERE fid = 1", gpbPolygon(32632, moved, gpbOptions{}))
			if got := box(1); !contains(got, moved.envelope()) || got.MaxX > 11 {
				t.Errorf("after update, box %v", got)
			}
			exec("UPDATE tiles SET geom = NULL WHERE fid = 2")
			exec("UPDATE tiles SET geom = ? WHERE fid = 2", gpbPolygon(32632, moved, gpbOptions{noEnvelope: true}))
			if got := box(2); !contains(got, moved.envelope()) {
				t.Errorf("after null then set, box %v", got)
			}
			exec("UPDATE tiles SET fid = 100000 WHERE fid = 3")
			if got := box(100000); got.MinX != 422000 {
				t.Errorf("after fid change, box %v", got)
			}
			exec("DELETE FROM tiles WHERE fid = 4")
			exec("INSERT INTO tiles (geom, location) VALUES (?, 'x.tif')", gpbPolygon(32632, moved, gpbOptions{}))
			exec("DELETE FROM tiles WHERE fid % 3 = 0") // many deletes: nodes underflow and merge
			check()
			if tc.n == 3000 {
				// rtreecheck does see a broken tree.
				exec("SAVEPOINT broken")
				exec("UPDATE rtree_tiles_geom_rowid SET nodeno = nodeno + 1 WHERE rowid = 5")
				var msg string
				if db.QueryRowContext(ctx, "SELECT rtreecheck('rtree_tiles_geom')").Scan(&msg); msg == "ok" {
					t.Error("rtreecheck says ok to a broken R-tree")
				}
				exec("ROLLBACK TO broken")
				exec("RELEASE broken")
			}
			var rows int
			db.QueryRowContext(ctx, "SELECT count(*) FROM tiles").Scan(&rows)
			if n := count(); n != rows {
				t.Errorf("after edits, R-tree holds %d entries for %d features", n, rows)
			}
			var features int
			if err := db.QueryRowContext(ctx, "SELECT feature_count FROM gpkg_ogr_contents").Scan(&features); err != nil || features != rows {
				t.Errorf("gpkg_ogr_contents.feature_count %d (%v), want %d", features, err, rows)
			}
		})
	}
}

func fmtVersion(v Version) string {
	return map[Version]string{Version14: "v1.4", Version12: "v1.2"}[v]
}

// contains reports whether the R-tree box a (32-bit floats, rounded
// outwards) holds b.
func contains(a, b Envelope) bool {
	return a.MinX <= b.MinX && a.MinY <= b.MinY && a.MaxX >= b.MaxX && a.MaxY >= b.MaxY
}

// TestRTreeTriggerSet checks the trigger names of each version against
// what validate_gpkg.py expects.
func TestRTreeTriggerSet(t *testing.T) {
	for v, want := range map[Version][]string{
		Version14: {"delete", "insert", "update2", "update4", "update5", "update6", "update7"},
		Version12: {"delete", "insert", "update1", "update2", "update3", "update4"},
	} {
		path := writeTiles(t, 1, Options{SpatialIndex: true, Version: v})
		db := openDB(path, []string{"mode=ro"})
		rows, err := db.Query("SELECT substr(name, length('rtree_tiles_geom_') + 1) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree%' ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			got = append(got, s)
		}
		rows.Close()
		db.Close()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s triggers %v, want %v", fmtVersion(v), got, want)
		}
	}
}

func TestCreateRefusesExistingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.gpkg")
	if err := os.WriteFile(path, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, tileLayer(), Options{}); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over a file: %v, want ErrExists", err)
	}
	if got := snapshot(t, dir); !reflect.DeepEqual(got, map[string]string{"x.gpkg": "precious"}) {
		t.Errorf("folder changed: %v", got)
	}

	t.Run("Overwrite", func(t *testing.T) {
		writeTilesTo(t, path, tileLayer(), 3, Options{Overwrite: true})
		r := mustOpen(t, path)
		if n := len(allFeatures(t, r, "tiles")); n != 3 {
			t.Errorf("%d features", n)
		}
	})

	t.Run("AppearedMeanwhile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "y.gpkg")
		w, err := Create(path, tileLayer(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path, []byte("someone else's"), 0o644)
		if err := w.Close(); !errors.Is(err, ErrExists) {
			t.Fatalf("Close: %v, want ErrExists", err)
		}
		if got := snapshot(t, filepath.Dir(path)); !reflect.DeepEqual(got, map[string]string{"y.gpkg": "someone else's"}) {
			t.Errorf("folder: %v", got)
		}
	})

	t.Run("Folder", func(t *testing.T) {
		if _, err := Create(t.TempDir(), tileLayer(), Options{Overwrite: true}); err == nil {
			t.Fatal("Create over a folder succeeded")
		}
	})
}

// TestAbortLeavesNothing: nothing appears at the path until Close, and
// Abort removes the partial file.
func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tiles.gpkg")
	w, err := Create(path, tileLayer(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, vals := tile(0)
	if err := w.Add(gpbPolygon(32632, r, gpbOptions{}), r.envelope(), vals); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file at the path before Close: %v", err)
	}
	files := snapshot(t, dir)
	if len(files) != 1 {
		t.Errorf("folder while writing: %d files, want the one partial file", len(files))
	}
	for name := range files {
		if !strings.HasPrefix(name, ".tiles.gpkg.") || !strings.HasSuffix(name, ".partial") {
			t.Errorf("partial file named %q", name)
		}
	}
	w.Abort()
	if got := snapshot(t, dir); len(got) != 0 {
		t.Errorf("folder after Abort: %v", got)
	}
	if err := w.Add(gpbPolygon(32632, r, gpbOptions{}), r.envelope(), vals); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Abort: %v, want ErrClosed", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close after Abort: %v", err)
	}
}

// TestEmptyLayer: a layer without features is valid and has no extent.
func TestEmptyLayer(t *testing.T) {
	path := writeTiles(t, 0, Options{SpatialIndex: true})
	r := mustOpen(t, path)
	l, err := r.Layer(context.Background(), "tiles")
	if err != nil {
		t.Fatal(err)
	}
	if l.HasExtent {
		t.Errorf("extent %v for an empty layer", l.Extent)
	}
	if n := len(allFeatures(t, r, "tiles")); n != 0 {
		t.Errorf("%d features", n)
	}
}

// TestAddRefuses: geometries and values that do not fit are refused with
// ErrGeometry or ErrValue, and the writer goes on.
func TestAddRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.gpkg")
	w, err := Create(path, tileLayer(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	r, vals := tile(0)
	good, env := gpbPolygon(32632, r, gpbOptions{}), r.envelope()
	with := func(i int, v any) []any {
		c := append([]any(nil), vals...)
		c[i] = v
		return c
	}
	zPoly := append(gpbHeader(binary.LittleEndian, 32632, &env), 1)
	zPoly = binary.LittleEndian.AppendUint32(zPoly, 1003)
	zPoly = binary.LittleEndian.AppendUint32(zPoly, 0)
	emptyPoly := append(gpbHeader(binary.LittleEndian, 32632, nil), 1, 3, 0, 0, 0, 0, 0, 0, 0)
	for _, tc := range []struct {
		name   string
		geom   []byte
		env    Envelope
		values []any
		want   error
	}{
		{"NotGPB", []byte("POLYGON((0 0,1 0,1 1,0 0))"), env, vals, ErrGeometry},
		{"Nil", nil, env, vals, ErrGeometry},
		{"OtherSRS", gpbPolygon(4326, r, gpbOptions{}), env, vals, ErrGeometry},
		{"MultiPolygonInPolygonLayer", gpbMultiPolygon(32632, r), env, vals, ErrGeometry},
		{"PolygonZ", zPoly, env, vals, ErrGeometry},
		{"Empty", emptyPoly, env, vals, ErrGeometry},
		{"EnvelopeDiffers", good, Envelope{0, 0, 1, 1}, vals, ErrGeometry},
		{"EnvelopeNaN", good, Envelope{math.NaN(), 0, 1, 1}, vals, ErrGeometry},
		{"TruncatedWKB", good[:len(good)-3], env, vals, ErrGeometry},
		{"TooFewValues", good, env, vals[:3], ErrValue},
		{"TextForInteger", good, env, with(2, "12"), ErrValue},
		{"FloatForInteger", good, env, with(2, 1.5), ErrValue},
		{"HugeUint", good, env, with(2, uint64(math.MaxUint64)), ErrValue},
		{"NaN", good, env, with(3, math.NaN()), ErrValue},
		{"IntForText", good, env, with(1, 3), ErrValue},
		{"NULInText", good, env, with(1, "a\x00b"), ErrValue},
		{"BadUTF8", good, env, with(1, "\xff"), ErrValue},
		{"BadDate", good, env, with(4, "15/01/2020"), ErrValue},
		{"DateTimeForDate", good, env, with(4, "2020-01-15 10:00:00"), ErrValue},
		{"BadDateTime", good, env, with(5, "yesterday"), ErrValue},
		{"YearTooLarge", good, env, with(5, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), ErrValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := w.Add(tc.geom, tc.env, tc.values); !errors.Is(err, tc.want) {
				t.Errorf("Add: %v, want %v", err, tc.want)
			}
		})
	}
	// What is accepted after all that.
	ok := [][]any{
		vals,
		{"a.tif", nil, nil, nil, nil, nil},
		{"b.tif", "b", int32(7), float32(0.25), "2021-02-03", "2021-02-03 04:05:06"},
		{"c.tif", "c", true, 3, time.Date(2021, 2, 3, 23, 0, 0, 0, time.FixedZone("", 2*3600)), "2021-02-03T04:05:06.789+01:00"},
	}
	for _, v := range ok {
		if err := w.Add(good, env, v); err != nil {
			t.Fatal(err)
		}
	}
	// A blob without an envelope in its header, big-endian.
	if err := w.Add(gpbPolygon(32632, r, gpbOptions{noEnvelope: true, bigEndian: true}), env, vals); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fs := allFeatures(t, mustOpen(t, path), "tiles")
	if len(fs) != 5 {
		t.Fatalf("%d features, want 5", len(fs))
	}
	want := [][]any{
		{"b.tif", "b", int64(7), 0.25, "2021-02-03", "2021-02-03T04:05:06.000Z"},
		{"c.tif", "c", int64(1), 3.0, "2021-02-03", "2021-02-03T03:05:06.789Z"},
	}
	for i, w := range want {
		if got := fs[2+i].Values; !reflect.DeepEqual(got, w) {
			t.Errorf("feature %d: %#v, want %#v", 3+i, got, w)
		}
	}
}

// TestLayerRefused: definitions that cannot be written, or that the GTI
// driver would refuse, are refused by Create before any file exists.
func TestLayerRefused(t *testing.T) {
	edit := func(f func(*Layer)) Layer {
		l := tileLayer()
		l.Metadata = map[string]string{}
		for k, v := range tileLayer().Metadata {
			l.Metadata[k] = v
		}
		f(&l)
		return l
	}
	md := func(kv ...string) func(*Layer) {
		return func(l *Layer) {
			for i := 0; i < len(kv); i += 2 {
				if kv[i+1] == "-" {
					delete(l.Metadata, kv[i])
				} else {
					l.Metadata[kv[i]] = kv[i+1]
				}
			}
		}
	}
	for _, tc := range []struct {
		name  string
		layer Layer
		also  error
	}{
		{"EmptyName", edit(func(l *Layer) { l.Name = "" }), ErrName},
		{"NULInName", edit(func(l *Layer) { l.Name = "a\x00b" }), ErrName},
		{"GpkgPrefix", edit(func(l *Layer) { l.Name = "GPKG_tiles" }), nil},
		{"PointLayer", edit(func(l *Layer) { l.GeometryType = "POINT" }), nil},
		{"NoDefinition", edit(func(l *Layer) { l.SRS.Definition = "" }), nil},
		{"DefinitionForUndefined", edit(func(l *Layer) { l.SRS = SRS{ID: -1, Definition: "PROJCS[]"} }), nil},
		{"DuplicateField", edit(func(l *Layer) { l.Fields = append(l.Fields, Field{"NAME", Text}) }), nil},
		{"FieldNamedFid", edit(func(l *Layer) { l.Fields = append(l.Fields, Field{"FID", Integer}) }), nil},
		{"NULInField", edit(func(l *Layer) { l.Fields = append(l.Fields, Field{"a\x00", Integer}) }), ErrName},
		{"UnknownType", edit(func(l *Layer) { l.Fields = append(l.Fields, Field{"x", 0}) }), nil},
		{"NoLocation", edit(func(l *Layer) { l.Fields = l.Fields[1:] }), nil},
		{"LocationNotText", edit(func(l *Layer) { l.Fields[0].Type = Integer }), nil},
		{"LocationFieldMissing", edit(md("LOCATION_FIELD", "path")), nil},
		{"SortFieldMissing", edit(md("SORT_FIELD", "nope")), nil},
		{"SortFieldAscNotBool", edit(md("SORT_FIELD_ASC", "up")), nil},
		{"ResXOnly", edit(md("RESY", "-")), nil},
		{"ResXZero", edit(md("RESX", "0")), nil},
		{"BandCountText", edit(md("BAND_COUNT", "four")), nil},
		{"DataTypeUnknown", edit(md("DATA_TYPE", "UInt12")), nil},
		{"NoDataText", edit(md("NODATA", "none")), nil},
		{"MinXOnly", edit(md("MINX", "0")), nil},
		{"MaxBelowMin", edit(md("MINX", "10", "MINY", "0", "MAXX", "5", "MAXY", "5")), nil},
		{"GeoTransformNorthUp", edit(md("XSIZE", "10", "YSIZE", "10", "GEOTRANSFORM", "0,1,0,0,0,1")), nil},
		{"Resampling", edit(md("RESAMPLING", "bilinear")), nil},
		{"KeyWithEquals", edit(md("A=B", "1")), nil},
		{"KeyWithSpace", edit(md("A B", "1")), nil},
		{"ValueWithControl", edit(md("X", "a\x01b")), nil},
		{"KeysDifferByCase", edit(md("resx", "10")), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Create(filepath.Join(dir, "t.gpkg"), tc.layer, Options{})
			if !errors.Is(err, ErrLayer) {
				t.Errorf("Create: %v, want ErrLayer", err)
			}
			if tc.also != nil && !errors.Is(err, tc.also) {
				t.Errorf("Create: %v, want also %v", err, tc.also)
			}
			if got := snapshot(t, dir); len(got) != 0 {
				t.Errorf("files left: %v", got)
			}
		})
	}

	t.Run("Accepted", func(t *testing.T) {
		l := edit(md("LOCATION_FIELD", "path", "MINX", "0", "MINY", "0", "MAXX", "1", "MAXY", "1",
			"XSIZE", "10", "YSIZE", "10", "GEOTRANSFORM", "0, 0.1, 0, 1, 0, -0.1", "RESAMPLING", "Cubic",
			"DATA_TYPE", "Byte,byte,UInt16", "NODATA", "0,nan,-1e30", "MASK_BAND", "no",
			"OVERVIEW_0_FACTOR", "2", "Note", "<a & b>\n\t\"quoted\""))
		l.Fields = append(l.Fields, Field{"path", Text}, Field{`odd "name"; --`, Integer})
		if w, err := Create(filepath.Join(t.TempDir(), "t.gpkg"), l, Options{}); err != nil {
			t.Fatal(err)
		} else {
			w.Abort()
		}
	})
}

// TestMetadataXMLAsGDAL compares the metadata document with the one GDAL 3.6
// wrote for the same items into testdata/gdaltindex.gpkg (see make.sh).
func TestMetadataXMLAsGDAL(t *testing.T) {
	db := openDB(filepath.Join("testdata", "gdaltindex.gpkg"), readParams)
	defer db.Close()
	var doc string
	if err := db.QueryRow("SELECT metadata FROM gpkg_metadata WHERE id = 1").Scan(&doc); err != nil {
		t.Fatal(err)
	}
	md := map[string]string{}
	if err := parseGDALMetadata(doc, md); err != nil {
		t.Fatal(err)
	}
	if got := gdalMetadataXML(md); got != doc {
		t.Errorf("metadata document\n got %q\nwant %q (GDAL's)", got, doc)
	}
}

// TestHostileNames: names that need quoting are written and read back.
func TestHostileNames(t *testing.T) {
	l := tileLayer()
	l.Name = `my "tiles"; DROP TABLE x; --`
	l.GeometryColumn = "the geom"
	l.FIDColumn = "Fid'"
	l.Fields = append(l.Fields, Field{`a"b`, Text}, Field{"é ü", Integer}, Field{"[x]", Real})
	path := filepath.Join(t.TempDir(), "t.gpkg")
	w, err := Create(path, l, Options{SpatialIndex: true, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	r0, vals := tile(0)
	if err := w.Add(gpbPolygon(32632, r0, gpbOptions{}), r0.envelope(), append(vals, `"'`, 5, 0.5)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := mustOpen(t, path)
	tbl, err := r.Layer(context.Background(), l.Name)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.FIDColumn != l.FIDColumn || tbl.GeometryColumn != l.GeometryColumn || len(tbl.Columns) != 9 {
		t.Errorf("layer %+v", tbl)
	}
	fs := allFeatures(t, r, l.Name)
	if len(fs) != 1 || !reflect.DeepEqual(fs[0].Values[6:], []any{`"'`, int64(5), 0.5}) {
		t.Errorf("features %+v", fs)
	}
	db := openDB(path, nil)
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM "rtree_my ""tiles""; DROP TABLE x; --_the geom"`).Scan(&n); err != nil || n != 1 {
		t.Errorf("R-tree: %d, %v", n, err)
	}
}

func TestParseFieldType(t *testing.T) {
	for in, want := range map[string]FieldType{
		"INTEGER": Integer, "int": Integer, "MEDIUMINT": Integer, "BOOLEAN": Integer,
		"REAL": Real, "DOUBLE": Real, "FLOAT": Real, "TEXT": Text, "TEXT(80)": Text,
		"DATE": Date, "datetime": DateTime, "BLOB": 0, "POLYGON": 0, "": 0,
	} {
		if got, _ := ParseFieldType(in); got != want {
			t.Errorf("ParseFieldType(%q) = %v, want %v", in, got, want)
		}
	}
}
