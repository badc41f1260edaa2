package jobs

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"mosaic/catalog"
)

// TestUndo proves that undo puts back every removed row as it was, once,
// and only for finished jobs.
func TestUndo(t *testing.T) {
	t.Run("RestoresOBJECTIDsAndEveryColumn", func(t *testing.T) {
		e := newEnv(t, genItems(1000, 30))
		before := e.rows(t)
		boundary := e.collection(t).Boundary
		j := e.mustSubmit(t, e.m, clause)
		j = mustRun(t, e.m, j.ID, Succeeded)
		u, err := e.m.Undo(ctx, j.ID)
		if err != nil {
			t.Fatalf("undo: %v", err)
		}
		assertRows(t, e.rows(t), before)
		if got := e.collection(t).Boundary; !reflect.DeepEqual(got, boundary) {
			t.Errorf("boundary after undo %+v, want %+v", got, boundary)
		}
		if u.Task != TaskUndo || u.Status != Succeeded || u.Done != j.Total || u.Total != j.Total || u.Input("jobId") != j.ID {
			t.Errorf("undo job: task %s status %s done %d total %d undoes %q", u.Task, u.Status, u.Done, u.Total, u.Input("jobId"))
		}
		want := fmt.Sprintf("Restored %d items to scenes (undoing job %s)", j.Total, j.ID)
		if !reflect.DeepEqual(messageTexts(u), []string{want}) {
			t.Errorf("undo messages %q, want %q", messageTexts(u), want)
		}
		if string(u.Result) != `{"paramName":"result","dataType":"GPString","value":{"url":"http://localhost:8080/arcgis/rest/services/Hosted/scenes/ImageServer"}}` {
			t.Errorf("undo result %s", u.Result)
		}
		if got := mustGet(t, e.m, j.ID); got.UndoneBy != u.ID || got.Summary().UndoneBy != u.ID {
			t.Errorf("undone job says undone by %q, want %q", got.UndoneBy, u.ID)
		}
		if s := mustGet(t, e.m, u.ID).Summary(); s.Undoes != j.ID || s.Task != TaskUndo {
			t.Errorf("undo summary %+v", s)
		}
	})

	t.Run("OBJECTIDsAreNeverReused", func(t *testing.T) {
		e := newEnv(t, genItems(100, 31))
		j := e.mustSubmit(t, e.m, "OBJECTID > 90")
		mustRun(t, e.m, j.ID, Succeeded)
		e.load(t, genItems(1, 32))
		if _, ok := e.rows(t)[101]; !ok {
			t.Fatalf("the item added after deleting OBJECTIDs 91–100 is not OBJECTID 101: %v", ids(e.rows(t))[90:])
		}
		if _, err := e.m.Undo(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if got := len(e.rows(t)); got != 101 {
			t.Errorf("%d items after undo, want 101", got)
		}
	})

	t.Run("TwiceIsRefused", func(t *testing.T) {
		e := newEnv(t, genItems(200, 33))
		j := e.mustSubmit(t, e.m, clause)
		mustRun(t, e.m, j.ID, Succeeded)
		if _, err := e.m.Undo(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		jobs := count(t, e.cat.DB(), "SELECT count(*) FROM jobs")
		rows := e.rows(t)
		_, err := e.m.Undo(ctx, j.ID)
		assertCode(t, err, catalog.Conflict)
		if n := count(t, e.cat.DB(), "SELECT count(*) FROM jobs"); n != jobs {
			t.Errorf("refused undo left a job: %d jobs, want %d", n, jobs)
		}
		assertRows(t, e.rows(t), rows)
	})

	t.Run("OfAnUndoIsRefused", func(t *testing.T) {
		e := newEnv(t, genItems(200, 34))
		j := e.mustSubmit(t, e.m, clause)
		mustRun(t, e.m, j.ID, Succeeded)
		u, err := e.m.Undo(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.m.Undo(ctx, u.ID)
		assertCode(t, err, catalog.Conflict)
	})

	t.Run("OfARunningJobIsRefused", func(t *testing.T) {
		e := newEnv(t, genItems(600, 35))
		j := e.mustSubmit(t, e.m, clause)
		_, err := e.m.Undo(ctx, j.ID)
		assertCode(t, err, catalog.Conflict) // submitted
		tried := false
		e.m.OnBatch = func(r *Job) error {
			if !tried {
				tried = true
				_, err := e.m.Undo(ctx, r.ID)
				if catalog.ErrorCode(err) != catalog.Conflict {
					t.Errorf("undo of a running job: %v, want a Conflict", err)
				}
			}
			return nil
		}
		mustRun(t, e.m, j.ID, Succeeded)
		if !tried {
			t.Fatal("no batch ran")
		}
	})

	t.Run("OfAnInterruptedJobIsRefused", func(t *testing.T) {
		e := newEnv(t, genItems(600, 36))
		j := e.mustSubmit(t, e.m, clause)
		e.m.OnBatch = func(*Job) error { return errors.New("stop") }
		e.m.Run(ctx, j.ID)
		_, err := e.m.Undo(ctx, j.ID)
		assertCode(t, err, catalog.Conflict)
	})
}

// TestBoundary proves that the boundary follows the remaining primary
// items, unless the job is told not to update it.
func TestBoundary(t *testing.T) {
	items := genItems(400, 40)
	// The extreme corners are held by items the clause removes.
	items[0] = fixItem{Raster: "/edge/sw.tif", CloudCover: cc(90), XMin: -500, YMin: -400, XMax: -499, YMax: -399}
	items[1] = fixItem{Raster: "/edge/ne.tif", CloudCover: cc(80), XMin: 2000, YMin: 2100, XMax: 2001, YMax: 2101}
	items[2] = fixItem{Raster: "/edge/overview.tif", Category: catalog.CategoryOverview, XMin: -9000, YMin: -9000, XMax: 9000, YMax: 9000}

	t.Run("RecomputedFromRemainingPrimaryItems", func(t *testing.T) {
		e := newEnv(t, items)
		original := e.collection(t).Boundary
		if want := extentOf(items, func(int64) bool { return true }); !reflect.DeepEqual(original, want) {
			t.Fatalf("boundary after load %+v, want %+v", original, want)
		}
		j := e.mustSubmit(t, e.m, clause)
		mustRun(t, e.m, j.ID, Succeeded)
		gone := map[int64]bool{}
		for _, id := range e.matching() {
			gone[id] = true
		}
		want := extentOf(items, func(id int64) bool { return !gone[id] })
		if got := e.collection(t).Boundary; !reflect.DeepEqual(got, want) {
			t.Errorf("boundary after delete %+v, want %+v", got, want)
		}
		if _, err := e.m.Undo(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if got := e.collection(t).Boundary; !reflect.DeepEqual(got, original) {
			t.Errorf("boundary after undo %+v, want %+v", got, original)
		}
	})

	t.Run("LeftAloneWithNoUpdateBoundary", func(t *testing.T) {
		e := newEnv(t, items)
		original := e.collection(t)
		j, err := e.m.SubmitDeleteImage(ctx, DeleteImageParams{ImageCollection: "scenes", Where: clause, NoUpdateBoundary: true})
		if err != nil {
			t.Fatal(err)
		}
		if string(j.Inputs["updateBoundary"]) != "false" {
			t.Errorf("input updateBoundary %s", j.Inputs["updateBoundary"])
		}
		mustRun(t, e.m, j.ID, Succeeded)
		got := e.collection(t)
		if !reflect.DeepEqual(got.Boundary, original.Boundary) {
			t.Errorf("boundary changed to %+v, want %+v", got.Boundary, original.Boundary)
		}
	})

	// The time extent comes from the same edge items; a removal that takes
	// every item kept for its earliest time must find the new earliest,
	// whether or not it updates the boundary, and an undo bring it back.
	for _, noUpdate := range []bool{false, true} {
		t.Run(fmt.Sprintf("TimeExtentFollowsWithNoUpdateBoundary=%v", noUpdate), func(t *testing.T) {
			e := newEnv(t, items)
			timeExtent := func() string {
				t.Helper()
				info, err := e.cat.ServiceInfo(ctx, e.collection(t))
				if err != nil || info.TimeExtent == nil {
					t.Fatalf("service info: %+v %v", info, err)
				}
				return info.TimeExtent[0].Format(catalog.DateLayout) + " " + info.TimeExtent[1].Format(catalog.DateLayout)
			}
			scan := func() string {
				var lo, hi string
				if err := e.cat.DB().QueryRow("SELECT min(AcquisitionDate), max(AcquisitionDate) FROM items_1 WHERE Category = 1").Scan(&lo, &hi); err != nil {
					t.Fatal(err)
				}
				return lo + " " + hi
			}
			original := timeExtent()
			if original != scan() || original != "2024-01-01 00:00:00 2024-12-28 00:00:00" {
				t.Fatalf("time extent after load %s, the items' %s", original, scan())
			}
			// About 100 items: more than the 64 kept for the earliest time.
			j, err := e.m.SubmitDeleteImage(ctx, DeleteImageParams{ImageCollection: "scenes", Where: "AcquisitionDate < date '2024-04-01'", NoUpdateBoundary: noUpdate})
			if err != nil {
				t.Fatal(err)
			}
			mustRun(t, e.m, j.ID, Succeeded)
			if got, want := timeExtent(), scan(); got != want || got[:10] < "2024-04-01" {
				t.Errorf("time extent after the delete %s, the items' %s", got, want)
			}
			// Kept, not found by a scan at each request: check says which.
			if problems, err := e.m.Check(ctx); err != nil || len(problems) > 0 {
				t.Errorf("check after the delete: %v %v", problems, err)
			}
			if _, err := e.m.Undo(ctx, j.ID); err != nil {
				t.Fatal(err)
			}
			if got := timeExtent(); got != original {
				t.Errorf("time extent after undo %s, want %s", got, original)
			}
		})
	}

	t.Run("NoneWhenNoPrimaryItemIsLeft", func(t *testing.T) {
		e := newEnv(t, items)
		j := e.mustSubmit(t, e.m, "Category = 1")
		mustRun(t, e.m, j.ID, Succeeded)
		if got := e.collection(t).Boundary; got != nil {
			t.Errorf("boundary %+v, want none (only an overview is left)", got)
		}
	})
}

// overviewItems is a collection of primary items in two regions, each under
// an overview (Category 2), and one overview over nothing removed.
func overviewItems() []fixItem {
	var items []fixItem
	add := func(it fixItem) { items = append(items, it) }
	add(fixItem{Raster: "/ovr/west.ovr", Category: catalog.CategoryOverview, XMin: 0, YMin: 0, XMax: 100, YMax: 100})    // 1
	add(fixItem{Raster: "/ovr/east.ovr", Category: catalog.CategoryOverview, XMin: 500, YMin: 0, XMax: 600, YMax: 100})  // 2
	add(fixItem{Raster: "/ovr/far.ovr", Category: catalog.CategoryOverview, XMin: 900, YMin: 900, XMax: 950, YMax: 950}) // 3
	for i := 0; i < 10; i++ {
		x := float64(i * 10)
		add(fixItem{Raster: fmt.Sprintf("/west/%d.tif", i), CloudCover: cc(float64(10 * i)), Sensor: "S1", XMin: x, YMin: 10, XMax: x + 10, YMax: 20}) // 4–13
		add(fixItem{Raster: fmt.Sprintf("/east/%d.tif", i), CloudCover: cc(5), Sensor: "S2", XMin: 500 + x, YMin: 10, XMax: 510 + x, YMax: 20})        // 14, 16 …
	}
	// The overviews' CloudCover is NULL: no clause below removes them.
	return items
}

// TestOverviews proves that overviews over removed primary items are
// marked stale, and unmarked by undo.
func TestOverviews(t *testing.T) {
	stale := func(t *testing.T, e *env) []int64 {
		t.Helper()
		var out []int64
		for _, id := range ids(e.rows(t)) {
			var s int64
			if err := e.cat.DB().QueryRow(`SELECT Stale FROM "`+e.coll.Table()+`" WHERE OBJECTID = ?`, id).Scan(&s); err != nil {
				t.Fatal(err)
			}
			if s != 0 {
				out = append(out, id)
			}
		}
		return out
	}

	t.Run("MarkedStaleAndUnmarkedByUndo", func(t *testing.T) {
		e := newEnv(t, overviewItems())
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, "SensorName = 'S1' AND CloudCover > 50")
		done := mustRun(t, e.m, j.ID, Succeeded)
		if got := stale(t, e); !reflect.DeepEqual(got, []int64{1}) {
			t.Errorf("stale overviews %v, want [1] (the west one)", got)
		}
		if !hasMessage(done, Informative, "Marked 1 overview(s) stale: [1]") {
			t.Errorf("messages %q", messageTexts(done))
		}
		if _, err := e.m.Undo(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if got := stale(t, e); len(got) != 0 {
			t.Errorf("stale overviews after undo %v, want none", got)
		}
		assertRows(t, e.rows(t), before)
	})

	t.Run("AlreadyStaleOverviewStaysStaleAfterUndo", func(t *testing.T) {
		e := newEnv(t, overviewItems())
		exec1(t, e.cat, `UPDATE "`+e.coll.Table()+`" SET Stale = 1 WHERE OBJECTID = 1`)
		j := e.mustSubmit(t, e.m, "SensorName = 'S1' AND CloudCover > 50")
		mustRun(t, e.m, j.ID, Succeeded)
		if _, err := e.m.Undo(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if got := stale(t, e); !reflect.DeepEqual(got, []int64{1}) {
			t.Errorf("stale overviews after undo %v, want [1]: it was stale before the job", got)
		}
	})

	t.Run("LeftAloneWithNoMarkOverviews", func(t *testing.T) {
		e := newEnv(t, overviewItems())
		j, err := e.m.SubmitDeleteImage(ctx, DeleteImageParams{ImageCollection: "scenes", Where: "SensorName = 'S1'", NoMarkOverviews: true})
		if err != nil {
			t.Fatal(err)
		}
		mustRun(t, e.m, j.ID, Succeeded)
		if got := stale(t, e); len(got) != 0 {
			t.Errorf("stale overviews %v, want none", got)
		}
	})

	t.Run("MarkedWithNoUpdateBoundary", func(t *testing.T) {
		e := newEnv(t, overviewItems())
		j, err := e.m.SubmitDeleteImage(ctx, DeleteImageParams{ImageCollection: "scenes", Where: "SensorName = 'S2'", NoUpdateBoundary: true})
		if err != nil {
			t.Fatal(err)
		}
		mustRun(t, e.m, j.ID, Succeeded)
		if got := stale(t, e); !reflect.DeepEqual(got, []int64{2}) {
			t.Errorf("stale overviews %v, want [2] (the east one)", got)
		}
	})

	t.Run("CancelledJobMarksOverviewsOverWhatItRemoved", func(t *testing.T) {
		e := newEnv(t, overviewItems())
		j := e.mustSubmit(t, e.m, "CloudCover >= 0")
		e.m.BatchSize = 8 // the first batch looks at OBJECTIDs 1–8
		e.m.OnBatch = func(r *Job) error {
			_, err := e.m.Cancel(ctx, r.ID)
			return err
		}
		c := mustRun(t, e.m, j.ID, Cancelled)
		if c.Done != 5 {
			t.Fatalf("cancelled after %d items, want 5", c.Done)
		}
		// OBJECTIDs 4–8 are removed: west 4, 6, 8 and east 5, 7.
		if got := stale(t, e); !reflect.DeepEqual(got, []int64{1, 2}) {
			t.Errorf("stale overviews %v, want [1 2]", got)
		}
	})

	t.Run("UndoOfOneJobKeepsOverviewStaleForAnother", func(t *testing.T) {
		e := newEnv(t, overviewItems())
		a := e.mustSubmit(t, e.m, "SensorName = 'S1' AND CloudCover < 30")
		mustRun(t, e.m, a.ID, Succeeded)
		b := e.mustSubmit(t, e.m, "SensorName = 'S1' AND CloudCover > 60")
		mustRun(t, e.m, b.ID, Succeeded)
		if _, err := e.m.Undo(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		// Job b still removed items under overview 1.
		if got := stale(t, e); !reflect.DeepEqual(got, []int64{1}) {
			t.Errorf("after undoing job a, stale overviews are %v; want [1], since job b (not undone) removed items under it", got)
		}
	})
}

// TestDeleteImageCollection proves that deleting a collection is a job that
// undo reverses whole, and that it waits for the collection's jobs.
func TestDeleteImageCollection(t *testing.T) {
	t.Run("UndoRestoresItemIDFieldsAndItems", func(t *testing.T) {
		e := newEnv(t, genItems(710, 50))
		top := e.mustSubmit(t, e.m, "OBJECTID > 700")
		mustRun(t, e.m, top.ID, Succeeded)
		e.items = e.items[:700]
		before := e.rows(t)
		coll := e.collection(t)
		j, err := e.m.DeleteImageCollection(ctx, "scenes")
		if err != nil {
			t.Fatalf("delete collection: %v", err)
		}
		if j.Status != Succeeded || j.Task != TaskDeleteImageCollection || j.Done != 700 || j.Total != 700 {
			t.Errorf("job: %s %s done %d total %d", j.Task, j.Status, j.Done, j.Total)
		}
		if string(j.Result) != `{"paramName":"result","dataType":"GPBoolean","value":true}` {
			t.Errorf("result %s", j.Result)
		}
		if want := "Deleted image collection scenes and its 700 items; the source files are untouched"; !reflect.DeepEqual(messageTexts(j), []string{want}) {
			t.Errorf("messages %q", messageTexts(j))
		}
		if _, err := e.cat.Collection(ctx, "scenes"); catalog.ErrorCode(err) != catalog.NotFound {
			t.Errorf("deleted collection: %v, want NotFound", err)
		}
		if _, err := e.cat.Collection(ctx, `{"itemId":"`+coll.ItemID+`"}`); catalog.ErrorCode(err) != catalog.NotFound {
			t.Errorf("deleted collection by itemId: %v, want NotFound", err)
		}
		u, err := e.m.Undo(ctx, j.ID)
		if err != nil {
			t.Fatalf("undo: %v", err)
		}
		if u.Done != 700 || u.Status != Succeeded {
			t.Errorf("undo job: %s done %d", u.Status, u.Done)
		}
		got, err := e.cat.Collection(ctx, `{"itemId":"`+coll.ItemID+`"}`)
		if err != nil {
			t.Fatalf("restored collection by itemId: %v", err)
		}
		if got.ID != coll.ID || got.Name != coll.Name || got.SRS != coll.SRS || !reflect.DeepEqual(got.Fields, coll.Fields) ||
			!reflect.DeepEqual(got.Boundary, coll.Boundary) || !got.Created.Equal(coll.Created) {
			t.Errorf("restored collection %+v, want %+v", got, coll)
		}
		assertRows(t, e.rows(t), before)
		_, err = e.m.Undo(ctx, j.ID)
		assertCode(t, err, catalog.Conflict)
		// The restored collection works as before, and its OBJECTIDs are
		// still never reused.
		e.load(t, genItems(1, 54))
		if _, ok := e.rows(t)[711]; !ok {
			t.Errorf("the item added after the undo is not OBJECTID 711 (701–710 were deleted before)")
		}
		e.items = append(e.items[:700], make([]fixItem, 10)...)
		e.items = append(e.items, genItems(1, 54)...)
		before = e.rows(t)
		k := e.mustSubmit(t, e.m, clause)
		mustRun(t, e.m, k.ID, Succeeded)
		assertRows(t, e.rows(t), without(before, e.matching()))
	})

	t.Run("EmptyCollectionRoundTrips", func(t *testing.T) {
		e := newEnv(t, nil)
		j, err := e.m.DeleteImageCollection(ctx, "scenes")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.Undo(ctx, j.ID); err != nil {
			t.Errorf("undo of the deletion of an empty collection is refused, so its definition (itemId, fields) is lost: %v", err)
			return
		}
		if _, err := e.cat.Collection(ctx, "scenes"); err != nil {
			t.Errorf("collection not restored: %v", err)
		}
	})

	t.Run("RefusedWhileAJobIsPending", func(t *testing.T) {
		e := newEnv(t, genItems(300, 51))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		jobs := count(t, e.cat.DB(), "SELECT count(*) FROM jobs")
		_, err := e.m.DeleteImageCollection(ctx, "scenes")
		assertCode(t, err, catalog.Conflict)
		if n := count(t, e.cat.DB(), "SELECT count(*) FROM jobs"); n != jobs {
			t.Errorf("refused deletion left a job: %d jobs, want %d", n, jobs)
		}
		// Still refused while the job is interrupted mid-way (resumable).
		e.m.OnBatch = func(*Job) error { return errors.New("stop") }
		e.m.Run(ctx, j.ID)
		_, err = e.m.DeleteImageCollection(ctx, "scenes")
		assertCode(t, err, catalog.Conflict)
		assertRows(t, e.rows(t), without(before, e.matchingUpTo(100)))
		// Once the job is cancelled, the collection may go.
		if _, err := e.manager().Cancel(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.DeleteImageCollection(ctx, "scenes"); err != nil {
			t.Errorf("delete after cancel: %v", err)
		}
	})

	t.Run("UndoOfDeleteImageWaitsForTheCollection", func(t *testing.T) {
		e := newEnv(t, genItems(300, 52))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		mustRun(t, e.m, j.ID, Succeeded)
		k, err := e.m.DeleteImageCollection(ctx, "scenes")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.m.Undo(ctx, j.ID)
		assertCode(t, err, catalog.Conflict)
		if _, err := e.m.Undo(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.Undo(ctx, j.ID); err != nil {
			t.Fatalf("undo after the collection is back: %v", err)
		}
		assertRows(t, e.rows(t), before)
	})

	t.Run("UndoRefusedWhenTheNameIsTaken", func(t *testing.T) {
		e := newEnv(t, genItems(50, 53))
		j, err := e.m.DeleteImageCollection(ctx, "scenes")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.cat.CreateCollection(ctx, catalog.NewCollection{Name: "SCENES"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.m.Undo(ctx, j.ID)
		assertCode(t, err, catalog.Conflict)
		if n := count(t, e.cat.DB(), "SELECT count(*) FROM jobs WHERE task = ?", TaskUndo); n != 0 {
			t.Errorf("refused undo left %d undo jobs", n)
		}
		if ok := count(t, e.cat.DB(), "SELECT count(*) FROM sqlite_schema WHERE name = ?", j.UndoTable); ok != 1 {
			t.Errorf("the deleted collection's items are gone after a refused undo")
		}
	})

	t.Run("UnknownCollectionIsNotFoundAndCreatesNoJob", func(t *testing.T) {
		e := newEnv(t, nil)
		_, err := e.m.DeleteImageCollection(ctx, "nope")
		assertCode(t, err, catalog.NotFound)
		if n := count(t, e.cat.DB(), "SELECT count(*) FROM jobs"); n != 0 {
			t.Errorf("%d jobs, want 0", n)
		}
	})
}
