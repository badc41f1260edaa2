package jobs

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"mosaic/catalog"
)

// backdate makes job id look finished d ago.
func backdate(t testing.TB, cat *catalog.Catalog, id string, d time.Duration) {
	t.Helper()
	exec1(t, cat, "UPDATE jobs SET finished = '"+catalog.Timestamp(fixedNow().Add(-d))+"' WHERE id = '"+id+"'")
}

// assertSound fails unless mosaic check finds nothing wrong.
func assertSound(t testing.TB, m *Manager) {
	t.Helper()
	problems, err := m.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("check: %s", p)
	}
}

// TestPurge proves that a purge drops undo logs for good, keeps the list of
// what was removed, refuses what it must not drop, and gives the space
// back.
func TestPurge(t *testing.T) {
	for _, strategy := range []catalog.UndoKind{catalog.UndoRows, catalog.UndoSwap} {
		t.Run("OneJob/"+string(strategy), func(t *testing.T) {
			e := newEnv(t, genItems(2000, 80))
			e.m.Strategy = strategy
			before := e.rows(t)
			j := e.mustSubmit(t, e.m, clause)
			done := mustRun(t, e.m, j.ID, Succeeded)
			listed := e.removedIDs(t, done)
			r, err := e.m.Purge(ctx, PurgeOptions{JobID: j.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Purged) != 1 || r.Purged[0].JobID != j.ID || r.Purged[0].Items != done.Done || r.FreedBytes <= 0 {
				t.Errorf("purge report %+v", r)
			}
			if n := count(t, e.cat.DB(), "SELECT count(*) FROM sqlite_schema WHERE name = ?", done.UndoTable); n != 0 {
				t.Errorf("undo table %s is still there", done.UndoTable)
			}
			if n := count(t, e.cat.DB(), "PRAGMA freelist_count"); n != 0 {
				t.Errorf("%d free pages left in the file after the purge", n)
			}
			// Gone for good: undo is refused and says why; removedItems
			// still lists everything, marked as purged.
			_, err = e.m.Undo(ctx, j.ID)
			assertCode(t, err, catalog.Conflict)
			if !strings.Contains(err.Error(), "purged") {
				t.Errorf("undo refusal does not say the log was purged: %v", err)
			}
			if got := e.removedIDs(t, done); !reflect.DeepEqual(got, listed) {
				t.Errorf("removedItems after the purge lists %d items, want %d", len(got), len(listed))
			}
			var buf bytes.Buffer
			e.m.WriteResult(ctx, j.ID, "removedItems", &buf)
			if !strings.HasSuffix(buf.String(), `]},"purged":true}`+"\n") {
				t.Errorf("removedItems does not say it was purged: …%s", buf.String()[max(0, buf.Len()-40):])
			}
			got := mustGet(t, e.m, j.ID)
			if got.Purged.IsZero() || !strings.HasPrefix(got.Messages[len(got.Messages)-1].Description, "Undo log purged (") || got.Summary().Purged == "" {
				t.Errorf("purged job: purged %v, messages %q", got.Purged, messageTexts(got))
			}
			assertRows(t, e.rows(t), without(before, e.matching()))
			assertSound(t, e.m)
			_, err = e.m.Purge(ctx, PurgeOptions{JobID: j.ID})
			assertCode(t, err, catalog.Conflict)
		})
	}

	t.Run("OlderThanPurgesOnlyOldFinishedJobs", func(t *testing.T) {
		e := newEnv(t, genItems(600, 81))
		old := e.mustSubmit(t, e.m, "CloudCover > 90")
		mustRun(t, e.m, old.ID, Succeeded)
		backdate(t, e.cat, old.ID, 40*24*time.Hour)
		undone := e.mustSubmit(t, e.m, "CloudCover < 10")
		mustRun(t, e.m, undone.ID, Succeeded)
		if _, err := e.m.Undo(ctx, undone.ID); err != nil {
			t.Fatal(err)
		}
		backdate(t, e.cat, undone.ID, 40*24*time.Hour)
		recent := e.mustSubmit(t, e.m, "CloudCover > 80 AND CloudCover <= 90")
		mustRun(t, e.m, recent.ID, Succeeded)
		waiting := e.mustSubmit(t, e.m, "SensorName = 'S1'")
		r, err := e.m.Purge(ctx, PurgeOptions{OlderThan: 30 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		var purged []string
		for _, p := range r.Purged {
			purged = append(purged, p.JobID)
		}
		if want := []string{old.ID, undone.ID}; !reflect.DeepEqual(purged, want) {
			t.Errorf("purged %v, want %v (the old ones, undone or not)", purged, want)
		}
		if _, err := e.m.Undo(ctx, recent.ID); err != nil {
			t.Errorf("a recent job can no longer be undone: %v", err)
		}
		// The undone job lists what it had removed, says it was undone and
		// that its log is gone.
		var buf bytes.Buffer
		if err := e.m.WriteResult(ctx, undone.ID, "removedItems", &buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `"undoneBy":"j`) || !strings.HasSuffix(buf.String(), `"purged":true}`+"\n") {
			t.Errorf("removedItems of an undone, purged job ends …%s", buf.String()[max(0, buf.Len()-80):])
		}
		mustRun(t, e.m, waiting.ID, Succeeded)
		assertSound(t, e.m)
	})

	t.Run("Refusals", func(t *testing.T) {
		e := newEnv(t, genItems(800, 82))
		submitted := e.mustSubmit(t, e.m, "CloudCover > 90")
		_, err := e.m.Purge(ctx, PurgeOptions{JobID: submitted.ID})
		assertCode(t, err, catalog.Conflict)
		mustRun(t, e.m, submitted.ID, Succeeded)
		failed := e.mustSubmit(t, e.m, clause)
		n := 0
		e.m.OnBatch = func(*Job) error {
			if n++; n == 1 {
				exec1(t, e.cat, `CREATE TRIGGER refuse_delete BEFORE DELETE ON "`+e.coll.Table()+`" BEGIN SELECT RAISE(ABORT, 'no'); END`)
			}
			return nil
		}
		mustRun(t, e.m, failed.ID, Failed)
		exec1(t, e.cat, `DROP TRIGGER refuse_delete`)
		e.m.OnBatch = nil
		_, err = e.m.Purge(ctx, PurgeOptions{JobID: failed.ID})
		assertCode(t, err, catalog.Conflict)
		// --older-than leaves a failed job (resumable) alone.
		r, err := e.m.Purge(ctx, PurgeOptions{})
		if err != nil || len(r.Purged) != 1 || r.Purged[0].JobID != submitted.ID {
			t.Errorf("purge of every finished job: %+v %v; want only %s", r, err, submitted.ID)
		}
		list, _ := e.m.List(ctx, ListOptions{})
		for _, j := range list {
			if j.Task == TaskAddImage || j.Task == TaskCreateImageCollection {
				t.Fatalf("fixture has a %s job", j.Task)
			}
		}
		_, err = e.m.Purge(ctx, PurgeOptions{JobID: "j00000000000000000000000000000000"})
		assertCode(t, err, catalog.NotFound)
		mustRun(t, e.m, failed.ID, Succeeded)
		assertSound(t, e.m)
	})

	t.Run("DeletedCollection", func(t *testing.T) {
		e := newEnv(t, genItems(300, 83))
		k, err := e.m.DeleteImageCollection(ctx, "scenes")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.Purge(ctx, PurgeOptions{JobID: k.ID}); err != nil {
			t.Fatal(err)
		}
		_, err = e.m.Undo(ctx, k.ID)
		assertCode(t, err, catalog.Conflict)
		if got := e.removedIDs(t, k); len(got) != 300 {
			t.Errorf("removedItems of a purged collection deletion: %d items, want 300", len(got))
		}
		if n := count(t, e.cat.DB(), "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'undo%' OR name LIKE 'items%'"); n != 0 {
			t.Errorf("%d item or undo tables left", n)
		}
		assertSound(t, e.m)
	})
}

// TestPurgeGivesTheSpaceBack: after a delete of half the items and a purge,
// the file is at most 1.1 times a fresh catalog holding the items left
// (the same target bench/delete_image.sh measures at a million items).
func TestPurgeGivesTheSpaceBack(t *testing.T) {
	items := genItems(20000, 84)
	e := newEnv(t, items)
	j := e.mustSubmit(t, e.m, clause)
	e.m.Strategy = "" // chosen by share: a swap
	done := mustRun(t, e.m, j.ID, Succeeded)
	if done.Strategy != catalog.UndoSwap {
		t.Fatalf("half the items removed by %s, want a swap", done.Strategy)
	}
	if _, err := e.m.Purge(ctx, PurgeOptions{JobID: j.ID}); err != nil {
		t.Fatal(err)
	}
	e.cat.Close()
	purged := fileSize(t, e.path)

	var kept []fixItem
	for _, it := range items {
		if !it.matches() {
			kept = append(kept, it)
		}
	}
	f := newEnv(t, kept)
	f.cat.Close()
	fresh := fileSize(t, f.path)
	t.Logf("after the purge %d bytes; a fresh catalog of the %d items left %d bytes (%.2f×)", purged, len(kept), fresh, float64(purged)/float64(fresh))
	if float64(purged) > 1.1*float64(fresh) {
		t.Errorf("after delete and purge the file is %.2f× a fresh catalog of the items left, want ≤ 1.1×", float64(purged)/float64(fresh))
	}
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatalf("%s-wal is still there: the catalog was not closed", filepath.Base(path))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// TestRetention proves the catalog's retention setting: off by default,
// checked when set, and applied when a job ends.
func TestRetention(t *testing.T) {
	e := newEnv(t, genItems(500, 85))
	var notes []string
	e.m.Notify = func(msg string) { notes = append(notes, msg) }
	old := e.mustSubmit(t, e.m, "CloudCover > 90")
	mustRun(t, e.m, old.ID, Succeeded)
	backdate(t, e.cat, old.ID, 40*24*time.Hour)

	// Off by default: nothing is purged, however old.
	if v, ok, err := e.m.Setting(ctx, SettingRetention); err != nil || ok {
		t.Fatalf("retention %q set %v (%v), want unset", v, ok, err)
	}
	if r, err := e.m.ApplyRetention(ctx); err != nil || r != nil {
		t.Fatalf("ApplyRetention without a setting: %+v %v", r, err)
	}
	for _, bad := range []string{"30x", "-1d", "d", "1e9d", "soon"} {
		assertCode(t, e.m.SetSetting(ctx, SettingRetention, bad), catalog.Invalid)
	}
	assertCode(t, e.m.SetSetting(ctx, "colour", "blue"), catalog.Invalid)
	if err := e.m.SetSetting(ctx, SettingRetention, "30d"); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := e.m.Setting(ctx, SettingRetention); v != "30d" || !ok {
		t.Errorf("retention %q %v, want 30d", v, ok)
	}

	// The next job's end applies it: the old job is purged, the new kept.
	recent := e.mustSubmit(t, e.m, "CloudCover < 5")
	mustRun(t, e.m, recent.ID, Succeeded)
	if got := mustGet(t, e.m, old.ID); got.Purged.IsZero() || !hasMessage(got, Informative, "Undo log purged (retention 30d): the "+strconv.FormatInt(got.Done, 10)+" items it removed can no longer be restored; removedItems still lists them") {
		t.Errorf("old job after a job ended under retention 30d: purged %v, %q", got.Purged, messageTexts(got))
	}
	if got := mustGet(t, e.m, recent.ID); !got.Purged.IsZero() {
		t.Errorf("a recent job was purged")
	}
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "retention: purged the undo logs of 1 job(s)") {
		t.Errorf("notes %q", notes)
	}
	if err := e.m.SetSetting(ctx, SettingRetention, "off"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := e.m.Setting(ctx, SettingRetention); ok {
		t.Errorf("retention off is still set")
	}
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "12h": 12 * time.Hour, "90m": 90 * time.Minute, "1.5d": 36 * time.Hour, "off": 0, "0": 0} {
		if d, err := ParseRetention(in); err != nil || d != want {
			t.Errorf("ParseRetention(%q) = %v, %v; want %v", in, d, err, want)
		}
	}
}
