package jobs

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mosaic/catalog"
)

// TestJobsOfVersion1 opens a catalog written by the mosaic before this
// design (schema version 1), whose DeleteImage jobs copied their snapshot
// at submission: a finished one stays undoable, and one that a crash
// interrupted half-way resumes and finishes by its clause, then undoes
// exactly.
func TestJobsOfVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	items := genItems(500, 77)
	// Job 1 (succeeded) removed CloudCover > 90; job 2 (killed) claimed
	// CloudCover > 50 AND CloudCover <= 90 and removed it up to OBJECTID 200.
	var done1, claimed2 []int64
	for i, it := range items {
		id := int64(i + 1)
		switch c := it.CloudCover; {
		case c == nil:
		case *c > 90:
			done1 = append(done1, id)
		case *c > 50:
			claimed2 = append(claimed2, id)
		}
	}
	writeVersion1(t, path, items, done1, claimed2, 200)

	cat, err := catalog.Open(ctx, path, catalog.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	e := &env{path: path, cat: cat, items: items}
	if e.coll, err = cat.Collection(ctx, "scenes"); err != nil {
		t.Fatal(err)
	}
	e.m = e.manager()
	list, err := e.m.List(ctx, ListOptions{})
	if err != nil || len(list) != 2 {
		t.Fatalf("jobs: %v %v", list, err)
	}
	j1, j2 := list[1], list[0]
	if j1.Strategy != catalog.UndoRows || j2.Strategy != catalog.UndoRows || j2.Clause == "" || j2.HighOID != claimed2[len(claimed2)-1] {
		t.Fatalf("migrated jobs: %+v\n%+v", j1, j2)
	}
	if got := e.removedIDs(t, j1); fmt.Sprint(got) != fmt.Sprint(done1) {
		t.Errorf("removedItems of the finished job: %d items, want %d", len(got), len(done1))
	}
	// What job 2 removed before the crash is what its undo table holds now.
	var upTo []int64
	for _, id := range claimed2 {
		if id <= 200 {
			upTo = append(upTo, id)
		}
	}
	if got := e.removedIDs(t, j2); fmt.Sprint(got) != fmt.Sprint(upTo) {
		t.Errorf("removedItems of the interrupted job: %d items, want the %d it removed", len(got), len(upTo))
	}
	setOwner(t, cat, j2.ID, Executing, deadOwner(t), fixedNow())
	r := mustRun(t, e.m, j2.ID, Succeeded)
	if r.Done != int64(len(claimed2)) {
		t.Errorf("the resumed job removed %d items in all, want %d", r.Done, len(claimed2))
	}
	if got := e.removedIDs(t, r); fmt.Sprint(got) != fmt.Sprint(claimed2) {
		t.Errorf("removedItems of the resumed job: %d items, want %d", len(got), len(claimed2))
	}
	problems, err := e.m.Check(ctx)
	if err != nil || len(problems) != 0 {
		t.Errorf("check: %v %v", problems, err)
	}
	for _, j := range []*Job{j2, j1} {
		if _, err := e.m.Undo(ctx, j.ID); err != nil {
			t.Fatalf("undo %s: %v", j.ID, err)
		}
	}
	if n := len(e.rows(t)); n != len(items) {
		t.Errorf("%d items after both undos, want %d", n, len(items))
	}
}

// writeVersion1 writes at path a catalog of schema version 1 whose
// collection scenes was loaded with items, and two DeleteImage jobs as a
// version 1 mosaic left them: job 1 succeeded after removing done1 (its
// undo table holds them); job 2 was killed after removing the items of its
// snapshot claimed2 up to OBJECTID cursor (its undo table holds the whole
// snapshot).
func writeVersion1(t *testing.T, path string, items []fixItem, done1, claimed2 []int64, cursor int64) {
	t.Helper()
	// Load the items with today's mosaic, then take the file back to
	// version 1: the item tables are made the same way.
	cat, err := catalog.Open(ctx, path, catalog.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", SRS: "EPSG:32632", Fields: sceneFields})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{cat: cat, coll: coll}
	e.load(t, items)
	cat.Close()
	db, err := sql.Open("sqlite", fileURI(path, "_pragma=busy_timeout(20000)"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var undoDDL string
	if err := db.QueryRow("SELECT sql FROM sqlite_schema WHERE name = 'items_1'").Scan(&undoDDL); err != nil {
		t.Fatal(err)
	}
	init, err := os.ReadFile(filepath.Join("..", "catalog", "migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	in := func(ids []int64) string { return fmt.Sprint(ids)[1 : len(fmt.Sprint(ids))-1] }
	comma := func(s string) string {
		out := []byte(s)
		for i := range out {
			if out[i] == ' ' {
				out[i] = ','
			}
		}
		return string(out)
	}
	var upTo []int64
	for _, id := range claimed2 {
		if id <= cursor {
			upTo = append(upTo, id)
		}
	}
	for _, q := range []string{
		// Back to version 1: the tables and columns of later migrations go.
		"DROP TABLE settings", "DROP TABLE removed_lists", "DROP TABLE edge_items", "DROP TABLE jobs", "DROP TABLE job_messages",
		"ALTER TABLE collections DROP COLUMN item_count", "ALTER TABLE collections DROP COLUMN edges_emptied",
		"PRAGMA auto_vacuum = NONE", "VACUUM",
		// The jobs tables of version 1.
		string(init[indexOf(init, "CREATE TABLE jobs"):]),
		strings.Replace(strings.Replace(undoDDL, "items_1", "undo_1", 1), "AUTOINCREMENT", "", 1),
		strings.Replace(strings.Replace(undoDDL, "items_1", "undo_2", 1), "AUTOINCREMENT", "", 1),
		`INSERT INTO undo_1 SELECT * FROM items_1 WHERE OBJECTID IN (` + comma(in(done1)) + `)`,
		`DELETE FROM items_1 WHERE OBJECTID IN (` + comma(in(done1)) + `)`,
		`INSERT INTO undo_2 SELECT * FROM items_1 WHERE OBJECTID IN (` + comma(in(claimed2)) + `)`,
		`DELETE FROM items_1 WHERE OBJECTID IN (` + comma(in(upTo)) + `)`,
		fmt.Sprintf(`INSERT INTO jobs (id, task, status, collection_id, collection_name, inputs, undo_table, total, done, cursor, result, submitted, started, finished)
			VALUES ('j00000000000000000000000000000001', 'DeleteImage', 'esriJobSucceeded', 1, 'scenes', '{"where":"CloudCover > 90","imageCollection":"scenes","updateBoundary":false,"markOverviews":true}',
			'undo_1', %[1]d, %[1]d, %[2]d, '{}', '2025-01-01 00:00:00', '2025-01-01 00:00:00', '2025-01-01 00:00:01')`, len(done1), done1[len(done1)-1]),
		fmt.Sprintf(`INSERT INTO jobs (id, task, status, collection_id, collection_name, inputs, undo_table, total, done, cursor, owner, submitted, started)
			VALUES ('j00000000000000000000000000000002', 'DeleteImage', 'esriJobExecuting', 1, 'scenes', '{"where":"CloudCover > 50 AND CloudCover <= 90","imageCollection":"scenes","updateBoundary":false,"markOverviews":true}',
			'undo_2', %d, %d, %d, 'elsewhere/x/1/1', '2025-01-01 00:00:02', '2025-01-01 00:00:02')`, len(claimed2), len(upTo), cursor),
		"PRAGMA user_version = 1",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
}

func indexOf(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return i
		}
	}
	panic("no " + s)
}
