package gpkg

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const gdalFixture = "testdata/gdaltindex.gpkg"

// copyFixture copies the gdaltindex-made fixture into a temporary folder.
func copyFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(gdalFixture)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "gdaltindex.gpkg")
	if err := os.WriteFile(path, b, 0o444); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadGdaltindex reads the tile index gdaltindex (GDAL 3.6) made of the
// six sample tiles, with GTI metadata items set by GDAL (testdata/make.sh).
func TestReadGdaltindex(t *testing.T) {
	r := mustOpen(t, copyFixture(t))
	ctx := context.Background()
	layers, err := r.Layers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers", len(layers))
	}
	l := layers[0]
	if r.UserVersion() != 10200 {
		t.Errorf("user_version %d", r.UserVersion())
	}
	want := Table{
		Name: "tiles", Identifier: "tiles", FIDColumn: "fid", GeometryColumn: "geom", GeometryType: "POLYGON",
		SRS:    SRS{ID: 32632, Organization: "EPSG", OrganizationID: 32632, Name: "WGS 84 / UTM zone 32N", Definition: utm32.Definition},
		Extent: Envelope{MinX: 400000, MinY: 4496160, MaxX: 405760, MaxY: 4500000}, HasExtent: true,
		Columns: []Column{{Name: "location", DeclaredType: "TEXT", Type: Text}},
		Metadata: map[string]string{
			"RESX": "60", "RESY": "60", "BAND_COUNT": "1", "DATA_TYPE": "Byte", "NODATA": "0",
			"SORT_FIELD": "location", "SORT_FIELD_ASC": "NO", "MOSAIC_NOTE": `<made by "make.sh"> & GDAL`,
		},
	}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("layer\n got %+v\nwant %+v", l, want)
	}
	dates := []string{"20200115", "20200209", "20200305", "20200410", "20200520", "20200619"}
	fs := allFeatures(t, r, "tiles")
	if len(fs) != len(dates) {
		t.Fatalf("%d features", len(fs))
	}
	for i, f := range fs {
		loc := "../../testdata/geotiff/sample/T32TMK_" + dates[i] + ".tif"
		if f.FID != int64(i+1) || !reflect.DeepEqual(f.Values, []any{loc}) {
			t.Errorf("feature %d: fid %d values %v", i, f.FID, f.Values)
		}
		// The location is relative to the index, as GTI resolves it.
		if _, err := os.Stat(filepath.Join("testdata", loc)); err != nil {
			t.Errorf("feature %d: %v", i, err)
		}
		g, err := ReadBlob(f.Geometry)
		if err != nil {
			t.Fatalf("feature %d: %v", i, err)
		}
		x, y := 400000+float64(i%3)*1920, 4500000-float64(i/3)*1920
		wantEnv := Envelope{MinX: x, MinY: y - 1920, MaxX: x + 1920, MaxY: y}
		e, ok, err := g.Bounds()
		if g.SRSID != 32632 || g.Type != "POLYGON" || g.HasZ || g.HasM || !g.HasEnvelope || !ok || err != nil || e != wantEnv {
			t.Errorf("feature %d: %+v bounds %v %v %v, want %v", i, g, e, ok, err, wantEnv)
		}
		if w, ok, err := WKBBounds(g.WKB); !ok || err != nil || w != wantEnv {
			t.Errorf("feature %d: WKB bounds %v %v %v", i, w, ok, err)
		}
	}
	if _, err := r.Layer(ctx, "TILES"); err != nil {
		t.Errorf("Layer matched case-insensitively: %v", err)
	}
	if err := r.Features(ctx, "nope", func(Feature) error { return nil }); !errors.Is(err, ErrNoLayer) {
		t.Errorf("Features of a missing layer: %v, want ErrNoLayer", err)
	}
	stop := errors.New("stop")
	n := 0
	if err := r.Features(ctx, "tiles", func(Feature) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Features stops on fn's error: %v after %d", err, n)
	}
}

// TestReadLeavesFileUntouched: reading changes no byte of the file and
// creates nothing beside it (no journal, WAL or shm), even while a reader
// is open.
func TestReadLeavesFileUntouched(t *testing.T) {
	for _, name := range []string{"gdaltindex", "ours"} {
		t.Run(name, func(t *testing.T) {
			var path string
			if name == "gdaltindex" {
				path = copyFixture(t)
			} else {
				path = writeTiles(t, 50, Options{SpatialIndex: true})
			}
			dir := filepath.Dir(path)
			before := snapshot(t, dir)
			info, _ := os.Stat(path)
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Layers(context.Background()); err != nil {
				t.Fatal(err)
			}
			allFeatures(t, r, "tiles")
			if !reflect.DeepEqual(snapshot(t, dir), before) {
				t.Error("folder changed while open")
			}
			r.Close()
			if !reflect.DeepEqual(snapshot(t, dir), before) {
				t.Error("folder changed after Close")
			}
			if after, _ := os.Stat(path); !after.ModTime().Equal(info.ModTime()) {
				t.Error("modification time changed")
			}
		})
	}
}

// TestOpenRefuses: what is not a GeoPackage is refused with
// ErrNotGeoPackage, and left as it was: in particular an SQLite database of
// another application is not switched to WAL or journaled.
func TestOpenRefuses(t *testing.T) {
	sqliteDB := func(t *testing.T, path string, stmts ...string) {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"Text", func(t *testing.T, path string) { os.WriteFile(path, []byte("GPKG is not a GeoPackage"), 0o644) }},
		{"EmptyFile", func(t *testing.T, path string) { os.WriteFile(path, nil, 0o644) }},
		{"GeoTIFF", func(t *testing.T, path string) {
			b, err := os.ReadFile("../testdata/geotiff/sample/T32TMK_20200115.tif")
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(path, b, 0o644)
		}},
		{"OtherSQLite", func(t *testing.T, path string) {
			sqliteDB(t, path, "PRAGMA application_id = 1297043265", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)", "INSERT INTO items (name) VALUES ('a')")
		}},
		{"PlainSQLiteWithGpkgTables", func(t *testing.T, path string) {
			sqliteDB(t, path, "CREATE TABLE gpkg_contents (table_name TEXT)")
		}},
		{"GPKGIdButNoTables", func(t *testing.T, path string) {
			sqliteDB(t, path, "PRAGMA application_id = 1196444487", "CREATE TABLE x (a)")
		}},
		{"TruncatedGeoPackage", func(t *testing.T, path string) {
			b, err := os.ReadFile(gdalFixture)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(path, b[:4096], 0o644)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "x.gpkg")
			tc.make(t, path)
			before := snapshot(t, dir)
			r, err := Open(path)
			if err == nil {
				// A damaged file may open; reading it must then fail.
				_, err = r.Layers(context.Background())
				r.Close()
				if err == nil {
					t.Fatal("Open and Layers succeeded")
				}
			} else if !errors.Is(err, ErrNotGeoPackage) {
				t.Errorf("Open: %v, want ErrNotGeoPackage", err)
			}
			if !reflect.DeepEqual(snapshot(t, dir), before) {
				t.Error("folder changed")
			}
		})
	}

	t.Run("Missing", func(t *testing.T) {
		if _, err := Open(filepath.Join(t.TempDir(), "none.gpkg")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open: %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("Folder", func(t *testing.T) {
		if _, err := Open(t.TempDir()); !errors.Is(err, ErrNotGeoPackage) {
			t.Errorf("Open: %v, want ErrNotGeoPackage", err)
		}
	})

	// A GeoPackage in WAL mode whose log holds changes: immutable mode would
	// silently read the file without them, so it is refused.
	t.Run("UncheckpointedWAL", func(t *testing.T) {
		src := writeTiles(t, 3, Options{})
		db, err := sql.Open("sqlite", "file:"+src+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		if _, err := db.Exec("DELETE FROM tiles WHERE fid = 1"); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(src + suffix)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "w.gpkg"+suffix), b, 0o644)
		}
		before := snapshot(t, dir)
		_, err = Open(filepath.Join(dir, "w.gpkg"))
		if !errors.Is(err, ErrNotGeoPackage) || !strings.Contains(err.Error(), "write-ahead log") {
			t.Errorf("Open: %v, want ErrNotGeoPackage about the write-ahead log", err)
		}
		if !reflect.DeepEqual(snapshot(t, dir), before) {
			t.Error("folder changed")
		}
	})
}

// TestCraftedFiles: GeoPackages whose catalog tables lie are refused with
// an error, not a panic, and names holding NUL are never put into SQL.
func TestCraftedFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stmts []string
		want  error
	}{
		{"NULInTableName", []string{
			"UPDATE gpkg_contents SET table_name = 'tiles' || char(0) || 'x'",
			"UPDATE gpkg_geometry_columns SET table_name = 'tiles' || char(0) || 'x'",
		}, ErrName},
		{"NULInGeometryColumn", []string{"UPDATE gpkg_geometry_columns SET column_name = 'geom' || char(0)"}, ErrName},
		{"MissingTable", []string{
			"UPDATE gpkg_contents SET table_name = 'gone'",
			"UPDATE gpkg_geometry_columns SET table_name = 'gone'",
		}, ErrNotGeoPackage},
		{"MissingGeometryColumn", []string{"UPDATE gpkg_geometry_columns SET column_name = 'shape'"}, ErrNotGeoPackage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTiles(t, 2, Options{})
			db := openDB(path, []string{"_pragma=foreign_keys(0)"})
			for _, s := range tc.stmts {
				if _, err := db.Exec(s); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			r := mustOpen(t, path)
			if _, err := r.Layers(context.Background()); !errors.Is(err, tc.want) {
				t.Errorf("Layers: %v, want %v", err, tc.want)
			}
		})
	}

	t.Run("BadMetadataIsSkipped", func(t *testing.T) {
		path := writeTiles(t, 1, Options{})
		db := openDB(path, nil)
		if _, err := db.Exec("UPDATE gpkg_metadata SET metadata = '<GDALMultiDomainMetadata><Metadata><MDI key=\"RESX\">'"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		l, err := mustOpen(t, path).Layer(context.Background(), "tiles")
		if err != nil || len(l.Metadata) != 0 {
			t.Errorf("Layer: %v, metadata %v", err, l.Metadata)
		}
	})
}

func TestParseGDALMetadata(t *testing.T) {
	md := map[string]string{}
	err := parseGDALMetadata(`<GDALMultiDomainMetadata>
  <Metadata><MDI key="RESX">10</MDI><MDI key="">x</MDI></Metadata>
  <Metadata domain="IMAGE_STRUCTURE"><MDI key="INTERLEAVE">PIXEL</MDI></Metadata>
  <Metadata domain="xml:GTI" format="xml"><GDALTileIndexDataset/></Metadata>
  <Metadata><MDI key="resx">20</MDI><MDI key="NOTE">a &amp; b</MDI></Metadata>
</GDALMultiDomainMetadata>`, md)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"resx": "20", "NOTE": "a & b"}; !reflect.DeepEqual(md, want) {
		t.Errorf("got %v, want %v", md, want)
	}
	if err := parseGDALMetadata("<other/>", md); err == nil {
		t.Error("a document that is not GDAL's parsed")
	}
}

func TestParseDateTime(t *testing.T) {
	for in, want := range map[string]string{
		"2020-01-15":                   "2020-01-15T00:00:00.000Z",
		"2020-01-15 10:20:30":          "2020-01-15T10:20:30.000Z",
		"2020-01-15T10:20:30.5":        "2020-01-15T10:20:30.500Z",
		"2020-01-15T10:20:30.500Z":     "2020-01-15T10:20:30.500Z",
		"2020-01-15T10:20:30+02:00":    "2020-01-15T08:20:30.000Z",
		"2020-01-15 10:20:30.25-01:00": "2020-01-15T11:20:30.250Z",
	} {
		got, err := ParseDateTime(in)
		if err != nil || timestamp(got) != want {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %s", in, timestamp(got), err, want)
		}
	}
	for _, in := range []string{"", "2020-1-15", "15/01/2020", "2020-01-15T25:00:00Z"} {
		if _, err := ParseDateTime(in); !errors.Is(err, ErrValue) {
			t.Errorf("ParseDateTime(%q): %v, want ErrValue", in, err)
		}
	}
}

// TestReadView: a feature table may be a view (GeoPackage Req 150); its
// first INTEGER column is the FID.
func TestReadView(t *testing.T) {
	path := writeTiles(t, 5, Options{})
	db := openDB(path, nil)
	for _, s := range []string{
		"CREATE VIEW cloudy AS SELECT fid AS id, geom, location, CloudCover FROM tiles WHERE CloudCover > 2",
		"INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('cloudy', 'features', 'cloudy', 32632)",
		"INSERT INTO gpkg_geometry_columns VALUES ('cloudy', 'geom', 'POLYGON', 32632, 0, 0)",
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	r := mustOpen(t, path)
	l, err := r.Layer(context.Background(), "cloudy")
	if err != nil {
		t.Fatal(err)
	}
	if l.FIDColumn != "id" || l.HasExtent || len(l.Columns) != 2 || l.Columns[1].Type != Real {
		t.Errorf("view layer %+v", l)
	}
	fs := allFeatures(t, r, "cloudy")
	if len(fs) != 3 || fs[0].FID != 3 || fs[2].Values[1] != 4.5 {
		t.Errorf("view features %+v", fs)
	}
}
