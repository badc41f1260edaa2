package jobs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"mosaic/catalog"
)

// writeJSON renders v as the command line prints it.
func writeJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDocumentsGolden pins the job documents of each status, the results,
// the job list and the HTML page (testdata/golden; -update rewrites them).
func TestDocumentsGolden(t *testing.T) {
	e := newEnv(t, genItems(20, 60))
	e.m.BatchSize = 2

	j := e.mustSubmit(t, e.m, clause)
	golden(t, "submitted.json", writeJSON(t, mustGet(t, e.m, j.ID).Document()))

	mustRun(t, e.m, j.ID, Succeeded)
	done := mustGet(t, e.m, j.ID)
	golden(t, "succeeded.json", writeJSON(t, done.Document()))
	var html bytes.Buffer
	if err := done.WriteHTML(&html, e.cat.BaseURL(), nil); err != nil {
		t.Fatal(err)
	}
	golden(t, "succeeded.html", html.Bytes())

	var result, removed bytes.Buffer
	if err := e.m.WriteResult(ctx, j.ID, "result", &result); err != nil {
		t.Fatal(err)
	}
	golden(t, "result.json", result.Bytes())
	if err := e.m.WriteResult(ctx, j.ID, "removedItems", &removed); err != nil {
		t.Fatal(err)
	}
	golden(t, "removedItems.json", removed.Bytes())

	u, err := e.m.Undo(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "undo.json", writeJSON(t, u.Document()))
	golden(t, "undone.json", writeJSON(t, mustGet(t, e.m, j.ID).Document()))
	removed.Reset()
	if err := e.m.WriteResult(ctx, j.ID, "removedItems", &removed); err != nil {
		t.Fatal(err)
	}
	golden(t, "removedItems-undone.json", removed.Bytes())
	r, err := e.m.Purge(ctx, PurgeOptions{JobID: j.ID})
	if err != nil {
		t.Fatal(err)
	}
	r.FreedBytes = 0 // depends on SQLite's page layout
	golden(t, "purge.json", writeJSON(t, r))
	removed.Reset()
	if err := e.m.WriteResult(ctx, j.ID, "removedItems", &removed); err != nil {
		t.Fatal(err)
	}
	golden(t, "removedItems-purged.json", removed.Bytes())

	c := e.mustSubmit(t, e.m, "SensorName = 'S1'")
	if _, err := e.m.Cancel(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	golden(t, "cancelled-before-run.json", writeJSON(t, mustGet(t, e.m, c.ID).Document()))

	d := e.mustSubmit(t, e.m, "SensorName = 'S2'")
	e.m.BatchSize = 6 // its first batch removes OBJECTIDs 3 and 6
	e.m.OnBatch = func(r *Job) error {
		_, err := e.m.Cancel(ctx, r.ID)
		return err
	}
	mustRun(t, e.m, d.ID, Cancelled)
	e.m.OnBatch = nil
	golden(t, "cancelled-during-run.json", writeJSON(t, mustGet(t, e.m, d.ID).Document()))

	k, err := e.m.DeleteImageCollection(ctx, "scenes")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "delete-collection.json", writeJSON(t, mustGet(t, e.m, k.ID).Document()))

	list, err := e.m.List(ctx, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var summaries []Summary
	for _, j := range list {
		summaries = append(summaries, j.Summary())
	}
	golden(t, "list.json", writeJSON(t, map[string]any{"jobs": summaries}))
}

// featureSet is the part of a GPRecordSet the tests read.
type featureSet struct {
	ParamName string `json:"paramName"`
	DataType  string `json:"dataType"`
	Value     struct {
		ObjectIDFieldName string              `json:"objectIdFieldName"`
		Fields            []catalog.FieldJSON `json:"fields"`
		Features          []struct {
			Attributes catalog.ItemRef `json:"attributes"`
		} `json:"features"`
	} `json:"value"`
}

// TestWriteResult proves the two result parameters and their refusals.
func TestWriteResult(t *testing.T) {
	t.Run("ResultIsTheCollectionURL", func(t *testing.T) {
		e := newEnv(t, genItems(100, 61))
		j := e.mustSubmit(t, e.m, clause)
		mustRun(t, e.m, j.ID, Succeeded)
		var buf bytes.Buffer
		if err := e.m.WriteResult(ctx, j.ID, "result", &buf); err != nil {
			t.Fatal(err)
		}
		want := `{"paramName":"result","dataType":"GPString","value":{"url":"http://localhost:8080/arcgis/rest/services/Hosted/scenes/ImageServer"}}` + "\n"
		if buf.String() != want {
			t.Errorf("result\n%s\nwant\n%s", buf.String(), want)
		}
		// The URL resolves back to the collection, bare and as JSON.
		for _, ref := range []string{"http://localhost:8080/arcgis/rest/services/Hosted/scenes/ImageServer",
			`{"url": "http://localhost:8080/arcgis/rest/services/Hosted/scenes/ImageServer"}`} {
			if coll, err := e.cat.Collection(ctx, ref); err != nil || coll.ID != e.coll.ID {
				t.Errorf("collection %s: %v", ref, err)
			}
		}
		buf.Reset()
		if err := e.m.WriteResult(ctx, j.ID, "", &buf); err != nil || buf.String() != want {
			t.Errorf("default result: %q, %v", buf.String(), err)
		}
	})

	t.Run("RemovedItemsListsEveryRemovedItem", func(t *testing.T) {
		e := newEnv(t, genItems(4000, 62)) // more than the writer's 64 KiB buffer
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		mustRun(t, e.m, j.ID, Succeeded)
		var buf bytes.Buffer
		if err := e.m.WriteResult(ctx, j.ID, "removedItems", &buf); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), `{"paramName":"removedItems","dataType":"GPRecordSet","value":{"objectIdFieldName":"OBJECTID",`) || !strings.HasSuffix(buf.String(), "]}}\n") {
			t.Errorf("removedItems starts %.100q and ends %q", buf.String(), buf.String()[max(0, buf.Len()-20):])
		}
		var fs featureSet
		if err := json.Unmarshal(buf.Bytes(), &fs); err != nil {
			t.Fatalf("removedItems is not JSON: %v", err)
		}
		want := []catalog.FieldJSON{{Name: "OBJECTID", Type: "esriFieldTypeOID", Alias: "OBJECTID"}, {Name: "Name", Type: "esriFieldTypeString", Alias: "Name"}}
		if !reflect.DeepEqual(fs.Value.Fields, want) {
			t.Errorf("fields %+v", fs.Value.Fields)
		}
		var got []catalog.ItemRef
		for _, f := range fs.Value.Features {
			got = append(got, f.Attributes)
		}
		var wantItems []catalog.ItemRef
		for _, id := range e.matching() {
			wantItems = append(wantItems, catalog.ItemRef{OBJECTID: id, Name: before[id][1].(string)})
		}
		if !reflect.DeepEqual(got, wantItems) {
			t.Errorf("removedItems lists %d items, want %d", len(got), len(wantItems))
		}
	})

	t.Run("RemovedItemsOfCancelledJobListsWhatWasRemoved", func(t *testing.T) {
		e := newEnv(t, genItems(800, 63))
		j := e.mustSubmit(t, e.m, clause)
		e.m.OnBatch = func(r *Job) error {
			_, err := e.m.Cancel(ctx, r.ID)
			return err
		}
		mustRun(t, e.m, j.ID, Cancelled)
		var buf bytes.Buffer
		if err := e.m.WriteResult(ctx, j.ID, "removedItems", &buf); err != nil {
			t.Fatal(err)
		}
		var fs featureSet
		if err := json.Unmarshal(buf.Bytes(), &fs); err != nil {
			t.Fatal(err)
		}
		if want := len(e.matchingUpTo(100)); len(fs.Value.Features) != want {
			t.Errorf("%d removed items listed, want %d", len(fs.Value.Features), want)
		}
		err := e.m.WriteResult(ctx, j.ID, "result", &buf)
		assertCode(t, err, catalog.Conflict)
	})

	t.Run("ErrNoResultYet", func(t *testing.T) {
		e := newEnv(t, genItems(100, 64))
		j := e.mustSubmit(t, e.m, clause)
		var buf bytes.Buffer
		assertCode(t, e.m.WriteResult(ctx, j.ID, "result", &buf), catalog.Conflict)
		assertCode(t, e.m.WriteResult(ctx, j.ID, "removedItems", &buf), catalog.Conflict)
		assertCode(t, e.m.WriteResult(ctx, j.ID, "outputRaster", &buf), catalog.NotFound)
		if buf.Len() != 0 {
			t.Errorf("refused results wrote %q", buf.String())
		}
	})

	t.Run("RemovedItemsOfDeletedCollectionAfterUndo", func(t *testing.T) {
		// An undone DeleteImageCollection answers like an undone DeleteImage:
		// the items it had removed, and who undid it.
		e := newEnv(t, genItems(30, 65))
		k, err := e.m.DeleteImageCollection(ctx, "scenes")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := e.m.WriteResult(ctx, k.ID, "removedItems", &buf); err != nil {
			t.Fatal(err)
		}
		var fs featureSet
		if err := json.Unmarshal(buf.Bytes(), &fs); err != nil || len(fs.Value.Features) != 30 {
			t.Errorf("removedItems of a deleted collection: %d items, %v", len(fs.Value.Features), err)
		}
		u, err := e.m.Undo(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		buf.Reset()
		if err := e.m.WriteResult(ctx, k.ID, "removedItems", &buf); err != nil {
			t.Fatalf("removedItems of an undone DeleteImageCollection: %v", err)
		}
		var undone struct {
			featureSet
			UndoneBy string `json:"undoneBy"`
		}
		if err := json.Unmarshal(buf.Bytes(), &undone); err != nil || len(undone.Value.Features) != 30 || undone.UndoneBy != u.ID {
			t.Errorf("removedItems after undo: %d items, undoneBy %q (want 30, %s), %v", len(undone.Value.Features), undone.UndoneBy, u.ID, err)
		}
		// Deleted again, and purged: still listed.
		k2, err := e.m.DeleteImageCollection(ctx, "scenes")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.Purge(ctx, PurgeOptions{JobID: k2.ID}); err != nil {
			t.Fatal(err)
		}
		buf.Reset()
		if err := e.m.WriteResult(ctx, k2.ID, "removedItems", &buf); err != nil {
			t.Fatal(err)
		}
		var purged struct {
			featureSet
			Purged bool `json:"purged"`
		}
		if err := json.Unmarshal(buf.Bytes(), &purged); err != nil || len(purged.Value.Features) != 30 || !purged.Purged {
			t.Errorf("removedItems of a purged DeleteImageCollection: %d items, purged %v, %v", len(purged.Value.Features), purged.Purged, err)
		}
		_, err = e.m.Undo(ctx, k2.ID)
		assertCode(t, err, catalog.Conflict)
	})

	t.Run("RemovedItemsOfUndoneDeleteImageSaysSo", func(t *testing.T) {
		for _, strategy := range []catalog.UndoKind{catalog.UndoRows, catalog.UndoSwap} {
			e := newEnv(t, genItems(300, 67))
			e.m.Strategy = strategy
			j := e.mustSubmit(t, e.m, clause)
			mustRun(t, e.m, j.ID, Succeeded)
			u, err := e.m.Undo(ctx, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := e.m.WriteResult(ctx, j.ID, "removedItems", &buf); err != nil {
				t.Fatal(err)
			}
			var undone struct {
				featureSet
				UndoneBy string `json:"undoneBy"`
			}
			if err := json.Unmarshal(buf.Bytes(), &undone); err != nil || len(undone.Value.Features) != len(e.matching()) || undone.UndoneBy != u.ID {
				t.Errorf("%s: removedItems after undo: %d items, undoneBy %q; want %d, %s (%v)", strategy, len(undone.Value.Features), undone.UndoneBy, len(e.matching()), u.ID, err)
			}
			if d := mustGet(t, e.m, j.ID); !hasMessage(d, Informative, fmt.Sprintf("Undone by job %s: its %d items are back in scenes", u.ID, len(e.matching()))) {
				t.Errorf("%s: the undone job does not say so: %q", strategy, messageTexts(d))
			}
		}
	})
}

// TestJobIDs proves that every entry point checks the form of a job id
// before looking it up.
func TestJobIDs(t *testing.T) {
	e := newEnv(t, genItems(10, 66))
	calls := map[string]func(id string) error{
		"Get":         func(id string) error { _, err := e.m.Get(ctx, id); return err },
		"Run":         func(id string) error { _, err := e.m.Run(ctx, id); return err },
		"Cancel":      func(id string) error { _, err := e.m.Cancel(ctx, id); return err },
		"Undo":        func(id string) error { _, err := e.m.Undo(ctx, id); return err },
		"WriteResult": func(id string) error { return e.m.WriteResult(ctx, id, "result", &bytes.Buffer{}) },
	}
	bad := []string{"", "j", "j123", "J0123456789abcdef0123456789abcdef", "j0123456789ABCDEF0123456789ABCDEF",
		"x0123456789abcdef0123456789abcdef", "j0123456789abcdef0123456789abcdeg", "j0123456789abcdef0123456789abcdef0",
		"j0123456789abcdef0123456789abcde'", "'; DROP TABLE jobs; --"}
	for name, call := range calls {
		t.Run(name+"/ErrInvalid", func(t *testing.T) {
			for _, id := range bad {
				if err := call(id); catalog.ErrorCode(err) != catalog.Invalid {
					t.Errorf("%s(%q): %v, want an Invalid error", name, id, err)
				}
			}
		})
		t.Run(name+"/ErrNotFound", func(t *testing.T) {
			if err := call("j0123456789abcdef0123456789abcdef"); catalog.ErrorCode(err) != catalog.NotFound {
				t.Errorf("%s(unknown id): %v, want NotFound", name, err)
			}
		})
	}
	if n := count(t, e.cat.DB(), "SELECT count(*) FROM jobs"); n != 0 {
		t.Errorf("%d jobs, want 0", n)
	}
	for _, id := range bad[1:] {
		if ValidJobID(id) {
			t.Errorf("ValidJobID(%q) = true", id)
		}
	}
	j := e.mustSubmit(t, e.m, clause)
	if got, err := e.m.Get(ctx, " "+j.ID+"\n"); err != nil || got.ID != j.ID {
		t.Errorf("Get with spaces around the id: %v", err)
	}
}

// TestBadInputCreatesNoJob proves that a bad collection or where clause is
// refused before any job, snapshot or undo table exists.
func TestBadInputCreatesNoJob(t *testing.T) {
	e := newEnv(t, genItems(50, 67))
	tables := count(t, e.cat.DB(), "SELECT count(*) FROM sqlite_schema")
	cases := []struct {
		name, coll, where string
		code              catalog.Code
	}{
		{"ErrEmptyWhere", "scenes", "", catalog.Invalid},
		{"ErrBlankWhere", "scenes", "  \t", catalog.Invalid},
		{"ErrUnknownField", "scenes", "Cloudiness > 50", catalog.Invalid},
		{"ErrTypeMismatch", "scenes", "CloudCover > 'high'", catalog.Invalid},
		{"ErrComment", "scenes", "CloudCover > 50 -- all", catalog.Invalid},
		{"ErrSemicolon", "scenes", "1=1; DROP TABLE jobs", catalog.Invalid},
		{"ErrSubquery", "scenes", "OBJECTID IN (SELECT seq FROM jobs)", catalog.Invalid},
		{"ErrUnterminatedString", "scenes", "SensorName = 'S1", catalog.Invalid},
		{"ErrDoubleQuotedString", "scenes", `SensorName = "S1"`, catalog.Invalid},
		{"ErrBadCollectionName", "scenes!", clause, catalog.Invalid},
		{"ErrBadCollectionJSON", `{"itemid":"0123456789abcdef0123456789abcdef"}`, clause, catalog.Invalid},
		{"ErrUnknownCollection", "other", clause, catalog.NotFound},
		{"ErrUnknownItemID", `{"itemId":"0123456789abcdef0123456789abcdef"}`, clause, catalog.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.m.SubmitDeleteImage(ctx, DeleteImageParams{ImageCollection: c.coll, Where: c.where})
			assertCode(t, err, c.code)
			_, err = e.m.DryRun(ctx, DeleteImageParams{ImageCollection: c.coll, Where: c.where}, func(catalog.ItemRef) error { return nil })
			assertCode(t, err, c.code)
		})
	}
	if n := count(t, e.cat.DB(), "SELECT count(*) FROM jobs"); n != 0 {
		t.Errorf("%d jobs after bad submissions, want 0", n)
	}
	if n := count(t, e.cat.DB(), "SELECT count(*) FROM sqlite_schema"); n != tables {
		t.Errorf("%d schema objects after bad submissions, want %d", n, tables)
	}
	if n := len(e.rows(t)); n != 50 {
		t.Errorf("%d items, want 50", n)
	}
}

// TestDryRunChangesNothing proves that a dry run lists the matching items
// and creates nothing.
func TestDryRunChangesNothing(t *testing.T) {
	e := newEnv(t, genItems(300, 68))
	before := e.rows(t)
	var got []int64
	coll, err := e.m.DryRun(ctx, DeleteImageParams{ImageCollection: "scenes", Where: clause}, func(it catalog.ItemRef) error {
		got = append(got, it.OBJECTID)
		if it.Name != before[it.OBJECTID][1] {
			t.Errorf("item %d named %q, want %q", it.OBJECTID, it.Name, before[it.OBJECTID][1])
		}
		return nil
	})
	if err != nil || coll.Name != "scenes" {
		t.Fatalf("dry run: %v", err)
	}
	if !reflect.DeepEqual(got, e.matching()) {
		t.Errorf("dry run lists %d items, want %d", len(got), len(e.matching()))
	}
	if n := count(t, e.cat.DB(), "SELECT count(*) FROM jobs"); n != 0 {
		t.Errorf("%d jobs after a dry run", n)
	}
	assertRows(t, e.rows(t), before)
	stop := errors.New("enough")
	if _, err := e.m.DryRun(ctx, DeleteImageParams{ImageCollection: "scenes", Where: clause}, func(catalog.ItemRef) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("dry run stopped by its callback: %v", err)
	}
}
