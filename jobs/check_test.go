package jobs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mosaic/catalog"
)

// problems runs the check and returns its problems as "check subject: …".
func problems(t testing.TB, m *Manager) []string {
	t.Helper()
	ps, err := m.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

// wantProblem fails unless one of got starts with prefix.
func wantProblem(t testing.TB, got []string, prefix string) {
	t.Helper()
	for _, p := range got {
		if strings.HasPrefix(p, prefix) {
			return
		}
	}
	t.Errorf("problems %q, want one starting %q", got, prefix)
}

// TestCheck breaks each invariant of a catalog in turn and proves that
// mosaic check names it.
func TestCheck(t *testing.T) {
	// A catalog that went through everything: deletes of both kinds, an
	// undo, a purge, a collection deleted and restored.
	sound := func(t *testing.T) *env {
		e := newEnv(t, genItems(600, 90))
		a := e.mustSubmit(t, e.m, "CloudCover > 90")
		mustRun(t, e.m, a.ID, Succeeded)
		e.m.Strategy = catalog.UndoSwap
		b := e.mustSubmit(t, e.m, "CloudCover < 40")
		mustRun(t, e.m, b.ID, Succeeded)
		e.m.Strategy = catalog.UndoRows
		c := e.mustSubmit(t, e.m, "SensorName = 'S1'")
		mustRun(t, e.m, c.ID, Succeeded)
		if _, err := e.m.Undo(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.Purge(ctx, PurgeOptions{JobID: a.ID}); err != nil {
			t.Fatal(err)
		}
		k, err := e.m.DeleteImageCollection(ctx, "scenes")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.Undo(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		if got := problems(t, e.m); len(got) != 0 {
			t.Fatalf("a sound catalog has problems: %q", got)
		}
		return e
	}
	t.Run("Counter", func(t *testing.T) {
		e := sound(t)
		exec1(t, e.cat, "UPDATE collections SET item_count = item_count + 1")
		wantProblem(t, problems(t, e.m), "counter: scenes: the item counter says")
	})
	t.Run("Boundary", func(t *testing.T) {
		e := sound(t)
		exec1(t, e.cat, "UPDATE collections SET xmax = xmax + 1")
		wantProblem(t, problems(t, e.m), "boundary: scenes: the boundary is")
	})
	t.Run("OrphanTable", func(t *testing.T) {
		e := sound(t)
		exec1(t, e.cat, `CREATE TABLE undo_999 (OBJECTID INTEGER PRIMARY KEY)`)
		exec1(t, e.cat, `CREATE TABLE items_77 (OBJECTID INTEGER PRIMARY KEY)`)
		got := problems(t, e.m)
		wantProblem(t, got, "orphan-table: undo_999: a table that belongs to nothing")
		wantProblem(t, got, "orphan-table: items_77: an item table of no collection")
	})
	t.Run("MissingUndoLog", func(t *testing.T) {
		e := sound(t)
		list, _ := e.m.List(ctx, ListOptions{})
		var b *Job
		for _, j := range list {
			if j.Strategy == catalog.UndoSwap {
				b = j
			}
		}
		exec1(t, e.cat, `DROP TABLE "`+b.UndoTable+`"`)
		wantProblem(t, problems(t, e.m), "undo-log: job "+b.ID+": its undo table "+b.UndoTable+" is missing")
	})
	t.Run("MissingRemovedList", func(t *testing.T) {
		e := sound(t)
		exec1(t, e.cat, `DELETE FROM removed_lists`)
		wantProblem(t, problems(t, e.m), "undo-log: job ")
	})
	t.Run("JobStatuses", func(t *testing.T) {
		e := sound(t)
		exec1(t, e.cat, `UPDATE jobs SET owner = 'somebody' WHERE seq = 1`)
		exec1(t, e.cat, `UPDATE jobs SET status = 'esriJobMaybe' WHERE seq = 2`)
		exec1(t, e.cat, `UPDATE jobs SET undone_by = 'j00000000000000000000000000000000' WHERE task = 'DeleteImage' AND undone_by IS NULL`)
		got := problems(t, e.m)
		wantProblem(t, got, "job: job ")
		for _, want := range []string{"but still has an owner", `unknown status "esriJobMaybe"`, "which is not an undo of it"} {
			found := false
			for _, p := range got {
				found = found || strings.Contains(p, want)
			}
			if !found {
				t.Errorf("problems %q do not say %q", got, want)
			}
		}
	})
	t.Run("Integrity", func(t *testing.T) {
		e := sound(t)
		var root int64
		e.cat.DB().QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = ?", e.coll.Table()).Scan(&root)
		e.cat.Close()
		// Zero the item table's root page.
		f, err := os.OpenFile(e.path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt(make([]byte, 4096), (root-1)*4096)
		f.Close()
		cat, err := catalog.Open(ctx, e.path, catalog.Options{Now: fixedNow})
		if err != nil {
			t.Logf("refused at open: %v", err)
			assertCode(t, err, catalog.Unavailable) // exit status 3 too
			return
		}
		defer cat.Close()
		ps, err := NewManager(cat).Check(ctx)
		t.Logf("check of a damaged file: %v %v", ps, err)
		if err == nil && (len(ps) == 0 || ps[0].Check != "integrity") {
			t.Fatalf("a damaged file passes the check: %v", ps)
		}
		if err != nil && catalog.ErrorCode(err) != catalog.Unavailable {
			t.Errorf("check of a damaged file: %v (code %s), want problems or Unavailable", err, catalog.ErrorCode(err))
		}
	})
}

// TestBackup copies a catalog while a job runs: the copy is a consistent
// catalog of its own, and an existing file is never overwritten.
func TestBackup(t *testing.T) {
	e := newEnv(t, genItems(3000, 91))
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "copy.db")
	j := e.mustSubmit(t, e.m, clause)
	backedUp := false
	e.m.OnBatch = func(r *Job) error {
		if r.Cursor < 1500 || backedUp {
			return nil
		}
		backedUp = true
		n, err := e.cat.Backup(ctx, copyPath)
		if err != nil || n <= 0 {
			t.Errorf("backup while the job runs: %d bytes, %v", n, err)
		}
		return nil
	}
	mustRun(t, e.m, j.ID, Succeeded)
	if !backedUp {
		t.Fatal("no backup was taken")
	}
	cp, err := catalog.Open(ctx, copyPath, catalog.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	m := NewManager(cp)
	if got := problems(t, m); len(got) != 0 {
		t.Errorf("the copy has problems: %q", got)
	}
	// The copy holds the job half-way: what it removed up to its cursor.
	cj := mustGet(t, m, j.ID)
	coll, err := cp.Collection(ctx, "scenes")
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, cp.DB(), `SELECT count(*) FROM "`+coll.Table()+`"`); n != int64(3000-len(e.matchingUpTo(cj.Cursor))) || cj.Status != Executing {
		t.Errorf("the copy has %d items and the job %s at OBJECTID %d", n, cj.Status, cj.Cursor)
	}
	cp.Close()
	// Never overwritten.
	before, _ := os.ReadFile(copyPath)
	_, err = e.cat.Backup(ctx, copyPath)
	assertCode(t, err, catalog.Invalid)
	if after, _ := os.ReadFile(copyPath); string(after) != string(before) {
		t.Error("an existing backup was overwritten")
	}
	_, err = e.cat.Backup(ctx, filepath.Join(dir, "no", "such", "folder.db"))
	assertCode(t, err, catalog.Invalid)
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left next to the backup: %v", entries)
	}
}
