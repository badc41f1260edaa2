package catalog_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"mosaic/catalog"
)

func TestLoadManifest(t *testing.T) {
	cat := mustOpen(t)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", Fields: sceneFields})
	if err != nil {
		t.Fatal(err)
	}
	manifest := "raster,CLOUDCOVER,AcquisitionDate,XMin,YMin,XMax,YMax,Category,Name\n" +
		"/data/a.tif,12.5,2020-01-15,0,0,10,20,,\n" +
		"s3://bucket/b.TIF,,2020-02-01 10:30:00,,,,,2,Overview B\n"
	n, err := cat.LoadManifest(ctx, coll, strings.NewReader(manifest), "items.csv")
	if err != nil || n != 2 {
		t.Fatalf("LoadManifest = %d, %v", n, err)
	}
	var rows [][]any
	q := catalog.Query{Fields: []string{"OBJECTID", "Name", "Raster", "CloudCover", "AcquisitionDate", "Category", "CenterX", "CenterY", "Shape_Area", "Shape_Length", "Stale"}, Geometry: true}
	var shapes []string
	err = each(cat, coll, q, func(r *catalog.ItemRow) error {
		rows = append(rows, append([]any(nil), r.Values...))
		shapes = append(shapes, r.Shape)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{int64(1), "a", "/data/a.tif", 12.5, "2020-01-15 00:00:00", int64(1), 5.0, 10.0, 200.0, 60.0, int64(0)},
		{int64(2), "Overview B", "s3://bucket/b.TIF", nil, "2020-02-01 10:30:00", int64(2), nil, nil, nil, nil, int64(0)},
	}
	for i := range want {
		for j := range want[i] {
			if rows[i][j] != want[i][j] {
				t.Errorf("row %d %s = %#v, want %#v", i+1, q.Fields[j], rows[i][j], want[i][j])
			}
		}
	}
	if shapes[0] != "[[[0,20],[10,20],[10,0],[0,0],[0,20]]]" || shapes[1] != "" {
		t.Errorf("shapes %q", shapes)
	}
}

func TestLoadManifestRejects(t *testing.T) {
	for _, tc := range []struct {
		name, manifest, msg string
	}{
		{"ErrEmpty", "", "is empty"},
		{"ErrNoRaster", "Name,CloudCover\na,1\n", "Raster column"},
		{"ErrUnknownField", "Raster,Clouds\na.tif,1\n", `line 1, column 2: unknown field "Clouds"`},
		{"ErrObjectID", "Raster,OBJECTID\na.tif,1\n", "OBJECTID is assigned"},
		{"ErrDuplicateField", "Raster,cloudcover,CloudCover\na.tif,1,2\n", "appears twice"},
		{"ErrFieldCount", "Raster,CloudCover\na.tif,1\nb.tif,2,3\n", "line 3: 3 fields, but the header has 2"},
		{"ErrBadReal", "Raster,CloudCover\na.tif,1\nb.tif,abc\n", `line 3: CloudCover is REAL, "abc" is not a number`},
		{"ErrBadDate", "Raster,AcquisitionDate\na.tif,2020-02-30\n", "line 2: AcquisitionDate is DATE"},
		{"ErrEmptyRaster", "Raster,CloudCover\n,1\n", "line 2: Raster is empty"},
		{"ErrBadQuote", "Raster\n\"a.tif\n", "line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat := mustOpen(t)
			coll := mustScenes(t, cat, 3)
			_, err := cat.LoadManifest(ctx, coll, strings.NewReader(tc.manifest), "items.csv")
			wantCode(t, err, catalog.Invalid)
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "items.csv") {
				t.Errorf("error %q does not contain %q and the manifest name", err, tc.msg)
			}
			if got := names(t, cat, coll, ""); len(got) != 3 {
				t.Errorf("a rejected manifest changed the collection: %d items", len(got))
			}
		})
	}
}

// BenchmarkLoadManifest loads 100,000 manifest rows per iteration and
// reports rows/s. Baseline is the straightforward code it is measured
// against, in the same run: encoding/csv and a prepared single-row INSERT
// of the same columns, in one transaction, with no derived fields.
func BenchmarkLoadManifest(b *testing.B) {
	const rows = 100_000
	var sb strings.Builder
	sb.WriteString("Raster,Name,CloudCover,AcquisitionDate,SensorName,XMin,YMin,XMax,YMax\n")
	for i := 0; i < rows; i++ {
		x, y := (i%1000)*10000, (i/1000)*10000
		fmt.Fprintf(&sb, "/archive/s2/T%07d.tif,T%07d,%d.5,2020-03-04 00:00:00,Sentinel-2,%d,%d,%d,%d\n", i, i, i%100, x, y, x+10980, y+10980)
	}
	manifest := sb.String()
	setup := func(b *testing.B) (*catalog.Catalog, *catalog.Collection) {
		b.StopTimer()
		defer b.StartTimer()
		cat := mustOpen(b)
		coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", Fields: sceneFields})
		if err != nil {
			b.Fatal(err)
		}
		return cat, coll
	}
	b.Run("LoadManifest", func(b *testing.B) {
		for b.Loop() {
			cat, coll := setup(b)
			if _, err := cat.LoadManifest(ctx, coll, strings.NewReader(manifest), "bench"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("Baseline", func(b *testing.B) {
		for b.Loop() {
			cat, coll := setup(b)
			tx, err := cat.DB().Begin()
			if err != nil {
				b.Fatal(err)
			}
			stmt, err := tx.Prepare(`INSERT INTO "` + coll.Table() + `" (Raster, Name, CloudCover, AcquisitionDate, SensorName, XMin, YMin, XMax, YMax) VALUES (?,?,?,?,?,?,?,?,?)`)
			if err != nil {
				b.Fatal(err)
			}
			r := csv.NewReader(strings.NewReader(manifest))
			r.ReuseRecord = true
			r.Read()
			args := make([]any, 9)
			for {
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				for i, v := range rec {
					args[i] = v
					if i == 2 || i >= 5 {
						args[i], _ = strconv.ParseFloat(v, 64)
					}
				}
				if _, err := stmt.Exec(args...); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
