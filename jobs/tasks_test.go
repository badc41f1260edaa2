package jobs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mosaic/catalog"
)

// geotiffs copies GeoTIFF fixtures of ../testdata/geotiff into a new
// folder and returns it.
func geotiffs(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "geotiff", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustSubmitAdd(t *testing.T, m *Manager, p AddImageParams) *Job {
	t.Helper()
	j, err := m.SubmitAddImage(ctx, p)
	if err != nil {
		t.Fatalf("submit AddImage: %v", err)
	}
	if j.Status != Submitted {
		t.Fatalf("submitted AddImage is %s", j.Status)
	}
	return j
}

// TestAddImage runs AddImage jobs as the command line and the server do:
// submitted, then run; everything is added in one transaction that also
// finishes the job.
func TestAddImage(t *testing.T) {
	t.Run("RastersWithAttributesAndSkips", func(t *testing.T) {
		e := newEnv(t, nil)
		dir := geotiffs(t, "le-strips-u8-32632.tif", "be-strips-u8-32632.tif", "srs/gauss-krueger-31467.tif", "not-a-tiff.tif")
		var skipped []string
		var progress []string
		e.m.Skipped = func(path, reason string) { skipped = append(skipped, filepath.Base(path)+": "+reason) }
		e.m.Progress = func(j *Job) { progress = append(progress, fmt.Sprintf("%d/%d", j.Done, j.Total)) }
		j := mustSubmitAdd(t, e.m, AddImageParams{ImageCollection: "scenes", Rasters: []string{dir},
			Attributes: map[string]any{"sensorname": "S2", "AcquisitionDate": "2020-01-15"}})
		j = mustRun(t, e.m, j.ID, Succeeded)
		if j.Done != 2 || e.count(t, "SensorName = 'S2' AND AcquisitionDate = date '2020-01-15'") != 2 {
			t.Errorf("added %d; items with the attributes: %d", j.Done, e.count(t, "SensorName = 'S2'"))
		}
		if len(skipped) != 2 || !strings.HasPrefix(skipped[0], "gauss-krueger-31467.tif: raster is in EPSG:31467") || !strings.HasPrefix(skipped[1], "not-a-tiff.tif") {
			t.Errorf("skipped %q", skipped)
		}
		if strings.Join(progress, " ") != "1/4 2/4 3/4 4/4" {
			t.Errorf("progress %q", progress)
		}
		d := j.Document()
		if d.Progress == nil || d.Progress.Message != "Added 2 items" || d.Progress.Percent != 100 {
			t.Errorf("progress of the finished job: %+v", d.Progress)
		}
		if !hasMessagePrefix(j, Warning, "Skipped "+filepath.Join(dir, "not-a-tiff.tif")) || !hasMessage(j, Informative, "Added 2 rasters to scenes; skipped 2") {
			t.Errorf("messages %q", messageTexts(j))
		}
		if string(j.Result) != string(resultURL(e.coll.URL)) {
			t.Errorf("result %s", j.Result)
		}
	})
	t.Run("Manifest", func(t *testing.T) {
		e := newEnv(t, nil)
		path := filepath.Join(t.TempDir(), "items.csv")
		os.WriteFile(path, manifest(genItems(30, 5)), 0o644)
		j := mustSubmitAdd(t, e.m, AddImageParams{ImageCollection: "scenes", Manifest: path})
		j = mustRun(t, e.m, j.ID, Succeeded)
		if j.Done != 30 || e.count(t, "") != 30 || !hasMessage(j, Informative, "Added 30 items to scenes from manifest "+path) {
			t.Errorf("done %d, count %d, messages %q", j.Done, e.count(t, ""), messageTexts(j))
		}
	})
	t.Run("EverySourceSkippedFails", func(t *testing.T) {
		e := newEnv(t, nil)
		dir := geotiffs(t, "not-a-tiff.tif")
		j := mustSubmitAdd(t, e.m, AddImageParams{ImageCollection: "scenes", Rasters: []string{dir, filepath.Join(dir, "missing.tif")}})
		j = mustRun(t, e.m, j.ID, Failed)
		if !hasMessage(j, ErrorType, "Nothing was added to scenes: every raster was skipped") || j.Result != nil {
			t.Errorf("messages %q result %s", messageTexts(j), j.Result)
		}
	})
	t.Run("RefusedAtSubmit", func(t *testing.T) {
		e := newEnv(t, nil)
		dir := geotiffs(t, "le-strips-u8-32632.tif")
		for name, p := range map[string]AddImageParams{
			"ErrUnknownField":    {ImageCollection: "scenes", Rasters: []string{dir}, Attributes: map[string]any{"Clouds": 1}},
			"ErrObjectID":        {ImageCollection: "scenes", Rasters: []string{dir}, Attributes: map[string]any{"OBJECTID": 1}},
			"ErrBadValue":        {ImageCollection: "scenes", Rasters: []string{dir}, Attributes: map[string]any{"AcquisitionDate": "yesterday"}},
			"ErrTwice":           {ImageCollection: "scenes", Rasters: []string{dir}, Attributes: map[string]any{"CloudCover": 1, "cloudcover": 2}},
			"ErrNothingToAdd":    {ImageCollection: "scenes"},
			"ErrMissingManifest": {ImageCollection: "scenes", Manifest: filepath.Join(dir, "nope.csv")},
			"ErrUnknownColl":     {ImageCollection: "nope", Rasters: []string{dir}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := e.m.SubmitAddImage(ctx, p)
				if code := catalog.ErrorCode(err); code != catalog.Invalid && code != catalog.NotFound {
					t.Errorf("error %v (%s), want invalid or not found", err, code)
				}
			})
		}
		if jobs, _ := e.m.List(ctx, ListOptions{}); len(jobs) != 0 {
			t.Errorf("%d jobs after refused submissions", len(jobs))
		}
	})
	t.Run("CancelledBetweenFilesAddsNothing", func(t *testing.T) {
		e := newEnv(t, nil)
		dir := geotiffs(t, "le-strips-u8-32632.tif", "be-strips-u8-32632.tif", "point-u8-32632.tif")
		j := mustSubmitAdd(t, e.m, AddImageParams{ImageCollection: "scenes", Rasters: []string{dir}})
		other := e.manager()
		e.m.OnBatch = func(r *Job) error {
			if r.Done == 1 {
				if _, err := other.Cancel(ctx, r.ID); err != nil {
					t.Errorf("cancel: %v", err)
				}
			}
			return nil
		}
		j = mustRun(t, e.m, j.ID, Cancelled)
		if e.count(t, "") != 0 || !hasMessagePrefix(j, Informative, "Cancelled after reading") {
			t.Errorf("count %d, messages %q", e.count(t, ""), messageTexts(j))
		}
	})
	t.Run("ResumedAfterCrashAddsOnce", func(t *testing.T) {
		e := newEnv(t, nil)
		dir := geotiffs(t, "le-strips-u8-32632.tif", "be-strips-u8-32632.tif")
		j := mustSubmitAdd(t, e.m, AddImageParams{ImageCollection: "scenes", Rasters: []string{dir}})
		setOwner(t, e.cat, j.ID, Executing, deadOwner(t), fixedNow())
		j = mustRun(t, e.m, j.ID, Succeeded)
		if e.count(t, "") != 2 {
			t.Errorf("count %d after the resumed AddImage, want 2", e.count(t, ""))
		}
	})
	t.Run("StoppedIsResumable", func(t *testing.T) {
		e := newEnv(t, nil)
		dir := geotiffs(t, "le-strips-u8-32632.tif", "be-strips-u8-32632.tif")
		j := mustSubmitAdd(t, e.m, AddImageParams{ImageCollection: "scenes", Rasters: []string{dir}})
		e.m.OnBatch = func(*Job) error { return errors.New("shutting down") }
		if _, err := e.m.Run(ctx, j.ID); !errors.Is(err, errStop) {
			t.Fatalf("stopped run: %v", err)
		}
		if cur := mustGet(t, e.m, j.ID); cur.Status != Executing || cur.Owner != "" || e.count(t, "") != 0 {
			t.Fatalf("stopped job %s owner %q, count %d", cur.Status, cur.Owner, e.count(t, ""))
		}
		e.m.OnBatch = nil
		mustRun(t, e.m, j.ID, Succeeded)
		if e.count(t, "") != 2 {
			t.Errorf("count %d", e.count(t, ""))
		}
	})
}

// TestCreateImageCollection runs CreateImageCollection jobs.
func TestCreateImageCollection(t *testing.T) {
	e := newEnv(t, nil)
	t.Run("Created", func(t *testing.T) {
		j, err := e.m.SubmitCreateImageCollection(ctx, catalog.NewCollection{Name: "landsat", SRS: "4326", Fields: sceneFields[:1]})
		if err != nil || j.Status != Submitted {
			t.Fatalf("submit: %v %v", j, err)
		}
		j = mustRun(t, e.m, j.ID, Succeeded)
		coll, err := e.cat.Collection(ctx, "landsat")
		if err != nil || coll.SRS != "EPSG:4326" || len(coll.Fields) != 1 || j.CollectionID != coll.ID {
			t.Fatalf("collection %+v, %v; job on %d", coll, err, j.CollectionID)
		}
		if !strings.Contains(string(j.Result), coll.ItemID) || j.Document().Progress != nil {
			t.Errorf("result %s, progress %+v", j.Result, j.Document().Progress)
		}
	})
	t.Run("ErrNameTakenNamesTheParameter", func(t *testing.T) {
		_, err := e.m.SubmitCreateImageCollection(ctx, catalog.NewCollection{Name: "SCENES"})
		if catalog.ErrorCode(err) != catalog.Conflict || catalog.ErrorParam(err) != "imageCollection" {
			t.Errorf("error %v (%s, param %q)", err, catalog.ErrorCode(err), catalog.ErrorParam(err))
		}
	})
	t.Run("ErrBadFieldNamesTheParameter", func(t *testing.T) {
		_, err := e.m.SubmitCreateImageCollection(ctx, catalog.NewCollection{Name: "x", Fields: []catalog.Field{{Name: "Raster", Type: sceneFields[0].Type}}})
		if catalog.ErrorCode(err) != catalog.Invalid || catalog.ErrorParam(err) != "fields" {
			t.Errorf("error %v (%s, param %q)", err, catalog.ErrorCode(err), catalog.ErrorParam(err))
		}
	})
	t.Run("CancelledIsNotRun", func(t *testing.T) {
		j, err := e.m.SubmitCreateImageCollection(ctx, catalog.NewCollection{Name: "never"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.Cancel(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		j = mustRun(t, e.m, j.ID, Cancelled)
		if _, err := e.cat.Collection(ctx, "never"); catalog.ErrorCode(err) != catalog.NotFound {
			t.Errorf("cancelled create made the collection: %v", err)
		}
	})
}

// TestCancelAfterTheLastBatchSucceeds: a cancel that arrives once every
// item is deleted does not turn a finished delete into a cancelled one.
func TestCancelAfterTheLastBatchSucceeds(t *testing.T) {
	e := newEnv(t, genItems(300, 8))
	j := e.mustSubmit(t, e.m, clause)
	other := e.manager()
	e.m.OnBatch = func(r *Job) error {
		if r.Done == r.Total {
			if _, err := other.Cancel(ctx, r.ID); err != nil {
				t.Errorf("cancel: %v", err)
			}
		}
		return nil
	}
	j = mustRun(t, e.m, j.ID, Succeeded)
	if !hasMessagePrefix(j, Warning, "The cancel request came after the work was done") || j.Result == nil {
		t.Errorf("messages %q, result %s", messageTexts(j), j.Result)
	}
}

// count counts the items of e's collection that clause selects.
func (e *env) count(t testing.TB, clause string) int64 {
	t.Helper()
	sel, err := e.coll.Select(catalog.Query{Where: clause})
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.cat.Count(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// hasMessagePrefix reports whether j has a message of type typ that starts
// with prefix.
func hasMessagePrefix(j *Job, typ, prefix string) bool {
	for _, m := range j.Messages {
		if m.Type == typ && strings.HasPrefix(m.Description, prefix) {
			return true
		}
	}
	return false
}
