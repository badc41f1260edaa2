package catalog_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"mosaic/catalog"
	"mosaic/internal/testutil"
	"mosaic/where"
)

// counter reads coll's item counter.
func counter(tb testing.TB, cat *catalog.Catalog, coll *catalog.Collection) int64 {
	tb.Helper()
	var n int64
	err := cat.View(ctx, func(tx *catalog.Tx) error {
		var err error
		n, err = tx.CountItems(ctx, coll)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// update runs fn in a write transaction and fails the test on error.
func update(tb testing.TB, cat *catalog.Catalog, fn func(tx *catalog.Tx) error) {
	tb.Helper()
	if err := cat.Update(ctx, fn); err != nil {
		tb.Fatal(err)
	}
}

func compile(tb testing.TB, coll *catalog.Collection, text string) *where.Clause {
	tb.Helper()
	c, err := coll.Compile(text)
	if err != nil {
		tb.Fatal(err)
	}
	return catalog.BindNow(c, testutil.FixedNow())
}

// TestItemCounter follows the counter through every transaction that adds,
// removes or restores items, and shows that CountItems reads it rather
// than counting.
func TestItemCounter(t *testing.T) {
	// Restore in windows of 7 OBJECTIDs: the windows' seams are crossed
	// many times, and every row still comes back once.
	defer catalog.SetRestoreWindow(7)()
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 100) // CloudCover i*10 % 100
	if n := counter(t, cat, coll); n != 100 {
		t.Fatalf("after the manifest: %d, want 100", n)
	}
	if _, err := cat.AddItems(ctx, coll, []catalog.Item{{Raster: "/x/1.tif"}, {Raster: "/x/2.tif"}}); err != nil {
		t.Fatal(err)
	}
	check := func(want int64) {
		t.Helper()
		if n := counter(t, cat, coll); n != want {
			t.Errorf("counter %d, want %d", n, want)
		}
		if n := count(t, cat, coll, ""); n != want {
			t.Errorf("%d items, want %d", n, want)
		}
	}
	check(102)
	rows := &catalog.UndoLog{Table: "undo_a", Kind: catalog.UndoRows, UpTo: 102}
	update(t, cat, func(tx *catalog.Tx) error {
		if err := tx.CreateUndoTable(ctx, coll, rows.Table); err != nil {
			return err
		}
		_, err := tx.RemoveRange(ctx, coll, compile(t, coll, "CloudCover < 20"), rows.Table, 0, 102)
		return err
	})
	check(82)
	swap := &catalog.UndoLog{Table: "undo_b", Kind: catalog.UndoSwap, UpTo: 100, Clause: compile(t, coll, "CloudCover >= 50")}
	update(t, cat, func(tx *catalog.Tx) error {
		n, err := tx.SwapOut(ctx, coll, swap.Clause, swap.UpTo, swap.Table)
		if n != 50 {
			t.Errorf("swap removed %d, want 50", n)
		}
		return err
	})
	check(32)
	update(t, cat, func(tx *catalog.Tx) error {
		_, err := tx.Restore(ctx, coll, swap)
		return err
	})
	check(82)
	update(t, cat, func(tx *catalog.Tx) error {
		_, err := tx.Restore(ctx, coll, rows)
		return err
	})
	check(102)
	// CountItems reads the counter: a wrong counter shows (and `mosaic
	// check` finds it, see TestCheck).
	if _, err := cat.DB().Exec("UPDATE collections SET item_count = 7"); err != nil {
		t.Fatal(err)
	}
	if n := counter(t, cat, coll); n != 7 {
		t.Errorf("CountItems %d: it counted instead of reading the counter", n)
	}
	colls, err := cat.Collections(ctx)
	if err != nil || colls[0].Count != 7 {
		t.Errorf("list-collections count %d (%v), want the counter's 7", colls[0].Count, err)
	}
}

// TestSwapOut proves the swap: the kept items in a new table under the
// collection's name, with their OBJECTIDs and values, the OBJECTID sequence
// carried over, the overview index rebuilt, and the old table whole as the
// undo table, from which the clause selects exactly the removed rows.
func TestSwapOut(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 50)
	clause := compile(t, coll, "CloudCover > 40")
	want := names(t, cat, coll, "NOT (CloudCover > 40)")
	log := &catalog.UndoLog{Table: "undo_9", Kind: catalog.UndoSwap, UpTo: 45, Clause: clause}
	update(t, cat, func(tx *catalog.Tx) error {
		_, err := tx.SwapOut(ctx, coll, clause, log.UpTo, log.Table)
		return err
	})
	got := names(t, cat, coll, "")
	// Items above the highest OBJECTID (46–50) stay whatever they hold.
	want = append(want, names(t, cat, coll, "OBJECTID > 45 AND CloudCover > 40")...)
	if len(got) != len(want) {
		t.Errorf("%d items after the swap, want %d", len(got), len(want))
	}
	var removed []catalog.ItemRef
	err := cat.View(ctx, func(tx *catalog.Tx) error {
		return tx.EachRemoved(ctx, log, func(it catalog.ItemRef) error { removed = append(removed, it); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range removed {
		if it.OBJECTID > 45 {
			t.Errorf("OBJECTID %d above the highest was removed", it.OBJECTID)
		}
	}
	if len(removed)+len(got) != 50 {
		t.Errorf("%d removed + %d kept, want 50", len(removed), len(got))
	}
	// New items go on from OBJECTID 51, and the overview index exists.
	if _, err := cat.AddItems(ctx, coll, []catalog.Item{{Raster: "/x/new.tif", Category: catalog.CategoryOverview}}); err != nil {
		t.Fatal(err)
	}
	if ids := names(t, cat, coll, "OBJECTID = 51"); len(ids) != 1 {
		t.Errorf("the next OBJECTID is not 51: %v", names(t, cat, coll, "OBJECTID > 45"))
	}
	var n int
	cat.DB().QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ? AND tbl_name = ?", coll.Table()+"_overviews", coll.Table()).Scan(&n)
	if n != 1 {
		t.Errorf("the overview index is not on the new item table")
	}
}

// TestBindNow: "now" is bound to the submission time, and nothing else in
// the rendered clause changes.
func TestBindNow(t *testing.T) {
	c, err := where.Compile("AcquisitionDate < CURRENT_DATE AND AcquisitionDate <= CURRENT_TIMESTAMP AND SensorName = 'now'", testutil.SceneFields)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(c.SQL, "'now'") != 2 {
		t.Fatalf("package where no longer renders CURRENT_DATE as strftime(…, 'now'): %s (BindNow must follow)", c.SQL)
	}
	b := catalog.BindNow(c, time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	if strings.Contains(b.SQL, "'now'") || strings.Count(b.SQL, "'2030-05-06 07:08:09'") != 2 || !reflect.DeepEqual(b.Args, c.Args) {
		t.Errorf("bound clause %s %v", b.SQL, b.Args)
	}
	s, err := catalog.EncodeClause(b)
	if err != nil {
		t.Fatal(err)
	}
	back, err := catalog.DecodeClause(s)
	if err != nil || back.SQL != b.SQL || !reflect.DeepEqual(back.Args, b.Args) {
		t.Errorf("clause round trip: %+v, %v; want %+v", back, err, b)
	}
	mixed := &where.Clause{SQL: "x", Args: []any{int64(50), 50.0, "50", int64(-1) << 62}}
	s, _ = catalog.EncodeClause(mixed)
	if back, err := catalog.DecodeClause(s); err != nil || !reflect.DeepEqual(back.Args, mixed.Args) {
		t.Errorf("argument types lost: %#v, want %#v (%v)", back.Args, mixed.Args, err)
	}
}

// TestRemovedList round-trips the compressed list of removed items.
func TestRemovedList(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 20000)
	log := &catalog.UndoLog{Table: "undo_1", Kind: catalog.UndoRows, UpTo: 20000}
	var want []catalog.ItemRef
	update(t, cat, func(tx *catalog.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO jobs (id, task, status, submitted) VALUES ('j1', 'DeleteImage', 'esriJobSucceeded', '2026-01-01 00:00:00')"); err != nil {
			return err
		}
		if err := tx.CreateUndoTable(ctx, coll, log.Table); err != nil {
			return err
		}
		if _, err := tx.RemoveRange(ctx, coll, compile(t, coll, "CloudCover >= 30"), log.Table, 0, 20000); err != nil {
			return err
		}
		if err := tx.EachRemoved(ctx, log, func(it catalog.ItemRef) error { want = append(want, it); return nil }); err != nil {
			return err
		}
		n, err := tx.SaveRemovedList(ctx, 1, log)
		if n != int64(len(want)) {
			t.Errorf("saved %d, want %d", n, len(want))
		}
		return err
	})
	var got []catalog.ItemRef
	err := cat.View(ctx, func(tx *catalog.Tx) error {
		return tx.EachListed(ctx, 1, func(it catalog.ItemRef) error { got = append(got, it); return nil })
	})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("listed %d items (%v), want %d", len(got), err, len(want))
	}
	var size int64
	cat.DB().QueryRow("SELECT sum(length(data)) FROM removed_lists").Scan(&size)
	if per := float64(size) / float64(len(want)); per > 4 {
		t.Errorf("%.1f bytes per listed item: the list is not compressed", per)
	}
}

// TestMigrateFromVersion1 opens a catalog of schema version 1 (the mosaic
// before the counter and incremental vacuum): the file is rewritten for
// incremental vacuum, each collection's counter is filled, and finished
// jobs keep their undo tables as they were.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	writeVersion1(t, path, 300)
	cat, err := catalog.Open(ctx, path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	var version, autoVacuum int
	cat.DB().QueryRow("SELECT (SELECT user_version FROM pragma_user_version), (SELECT auto_vacuum FROM pragma_auto_vacuum)").Scan(&version, &autoVacuum)
	if version != catalog.SchemaVersion() || autoVacuum != 2 {
		t.Errorf("user_version %d, auto_vacuum %d; want %d, 2 (incremental)", version, autoVacuum, catalog.SchemaVersion())
	}
	coll, err := cat.Collection(ctx, "scenes")
	if err != nil {
		t.Fatal(err)
	}
	if n := counter(t, cat, coll); n != 300 {
		t.Errorf("counter %d, want 300", n)
	}
	problems, err := cat.Check(ctx, catalog.CheckOptions{})
	if err != nil || len(problems) != 0 {
		t.Errorf("check after migration: %v %v", problems, err)
	}
}

// writeVersion1 writes a catalog of schema version 1 at path, with
// collection scenes holding n items of testutil.SceneManifest: the schema
// of migrations/0001_init.sql and the item table a version 1 mosaic
// created (which this mosaic creates the same way).
func writeVersion1(tb testing.TB, path string, n int) {
	tb.Helper()
	// The item table's DDL, from a catalog of today.
	cur := mustOpen(tb)
	mustScenes(tb, cur, 0)
	var itemsDDL, indexDDL string
	cur.DB().QueryRow("SELECT sql FROM sqlite_schema WHERE name = 'items_1'").Scan(&itemsDDL)
	cur.DB().QueryRow("SELECT sql FROM sqlite_schema WHERE name = 'items_1_overviews'").Scan(&indexDDL)
	init, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{string(init), itemsDDL, indexDDL,
		`INSERT INTO collections (name, item_id, srs, created, updated) VALUES ('scenes', '0123456789abcdef0123456789abcdef', 'EPSG:32632', '2025-01-01 00:00:00', '2025-01-01 00:00:00')`,
		`INSERT INTO collection_fields VALUES (1, 0, 'CloudCover', 'REAL'), (1, 1, 'AcquisitionDate', 'DATE'), (1, 2, 'SensorName', 'TEXT')`,
		"PRAGMA user_version = 1"} {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("%.60s: %v", q, err)
		}
	}
	tx, _ := db.Begin()
	for i := 1; i <= n; i++ {
		if _, err := tx.Exec(`INSERT INTO items_1 (Name, Raster, CloudCover, AcquisitionDate, SensorName, XMin, YMin, XMax, YMax)
			VALUES (?, ?, ?, '2020-01-01 00:00:00', 'S2', ?, 0, ?, 10)`, "T"+strings.Repeat("0", 3), "/data/x.tif", i*10%100, 10*i, 10*i+10); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := tx.Exec("UPDATE collections SET xmin = 10, ymin = 0, xmax = ?, ymax = 10", 10*n+10); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// TestEstimateMatches: small collections are counted, big ones sampled,
// within a few percent, the same way each time for a given seed.
func TestEstimateMatches(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 20000) // CloudCover i*10 % 100: 0, 10, … 90
	estimate := func(text string, seed uint64) catalog.Estimate {
		var est catalog.Estimate
		err := cat.View(ctx, func(tx *catalog.Tx) error {
			var err error
			est, err = tx.EstimateMatches(ctx, coll, compile(t, coll, text), 20000, seed)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return est
	}
	if est := estimate("CloudCover >= 90", 1); !est.Exact || est.Matches != 2000 || est.Items != 20000 {
		t.Errorf("count of a small collection: %+v, want exactly 2000 of 20000", est)
	}
	defer catalog.SetExactBelow(1000)()
	for _, c := range []struct {
		where string
		want  float64
	}{{"CloudCover >= 90", 0.1}, {"CloudCover < 50", 0.5}, {"1=1", 1}, {"CloudCover > 1000", 0}} {
		est := estimate(c.where, 7)
		if est.Exact || est.Items != 20000 || est.Fraction() < c.want-0.03 || est.Fraction() > c.want+0.03 {
			t.Errorf("sample of %q: %+v (%.3f), want about %.2f", c.where, est, est.Fraction(), c.want)
		}
		if again := estimate(c.where, 7); again != est {
			t.Errorf("the same seed sampled %+v, then %+v", est, again)
		}
	}
}

// TestEdgeItems changes a collection at random — additions, removals row
// by row and by swap, restores — and checks after each that the boundary
// the edge items give is the extent of the primary items, that the edge
// items are what they must be, and that service info's time extent (read
// through the index of times, which a swap rebuilds) is the items' own. Removing a whole edge's worth of items
// empties its prefix, which is then filled again from the items.
func TestEdgeItems(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	cat := mustOpen(t)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", SRS: "EPSG:32632", Fields: sceneFields})
	if err != nil {
		t.Fatal(err)
	}
	add := func(n int) {
		items := make([]catalog.Item, n)
		for i := range items {
			x, y := float64(rng.IntN(1000)), float64(rng.IntN(1000))
			w, h := float64(1+rng.IntN(30)), float64(1+rng.IntN(30))
			cat := catalog.CategoryPrimary
			if rng.IntN(20) == 0 {
				cat = catalog.CategoryOverview
			}
			items[i] = catalog.Item{Raster: fmt.Sprintf("/r/%d.tif", rng.Int()), Category: cat,
				Footprint:  [][2]float64{{x, y + h}, {x + w, y + h}, {x + w, y}, {x, y}},
				Attributes: map[string]any{"CloudCover": float64(rng.IntN(100))}}
			if rng.IntN(10) > 0 { // some items have no time
				items[i].Attributes["AcquisitionDate"] = time.Date(2000+rng.IntN(25), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			}
		}
		if _, err := cat.AddItems(ctx, coll, items); err != nil {
			t.Fatal(err)
		}
	}
	verify := func(step string) {
		t.Helper()
		update(t, cat, func(tx *catalog.Tx) error { return tx.UpdateBoundary(ctx, coll) })
		got, err := cat.Collection(ctx, "scenes")
		if err != nil {
			t.Fatal(err)
		}
		var want *catalog.Extent
		var x0, y0, x1, y1 sql.NullFloat64
		cat.DB().QueryRow("SELECT min(XMin), min(YMin), max(XMax), max(YMax) FROM items_1 WHERE Category = 1").Scan(&x0, &y0, &x1, &y1)
		if x0.Valid {
			want = &catalog.Extent{XMin: x0.Float64, YMin: y0.Float64, XMax: x1.Float64, YMax: y1.Float64}
		}
		if !reflect.DeepEqual(got.Boundary, want) {
			t.Fatalf("after %s: boundary %v, want %v", step, got.Boundary, want)
		}
		var lo, hi sql.NullString
		cat.DB().QueryRow("SELECT min(AcquisitionDate), max(AcquisitionDate) FROM items_1 WHERE Category = 1").Scan(&lo, &hi)
		info, err := cat.ServiceInfo(ctx, got)
		if err != nil {
			t.Fatal(err)
		}
		switch te := info.TimeExtent; {
		case te == nil && lo.Valid, te != nil && !lo.Valid:
			t.Fatalf("after %s: time extent %v, the items' times go from %v to %v", step, te, lo, hi)
		case te != nil && (te[0].Format(catalog.DateLayout) != lo.String || te[1].Format(catalog.DateLayout) != hi.String):
			t.Fatalf("after %s: time extent %v, the items' times go from %s to %s", step, te, lo.String, hi.String)
		}
		problems, err := cat.Check(ctx, catalog.CheckOptions{UndoTables: map[string]bool{"undo_1": true, "undo_2": true, "undo_3": true, "undo_4": true, "undo_5": true, "undo_6": true, "undo_7": true, "undo_8": true}})
		if err != nil || len(problems) > 0 {
			t.Fatalf("after %s: %v %v", step, problems, err)
		}
	}
	add(500)
	verify("adding 500 items to an empty collection")
	var logs []*catalog.UndoLog
	for step := 0; step < 8; step++ {
		var high int64
		cat.DB().QueryRow("SELECT max(OBJECTID) FROM items_1").Scan(&high)
		table := fmt.Sprintf("undo_%d", step+1)
		switch op := rng.IntN(4); {
		case op == 0 || len(logs) == 0 && op == 3:
			add(1 + rng.IntN(200))
			verify("an addition")
			continue
		case op == 1:
			// Row by row: the items west of x, which empties the XMin edge.
			c := compile(t, coll, fmt.Sprintf("XMin < %d OR CloudCover > %d", rng.IntN(400), 50+rng.IntN(50)))
			update(t, cat, func(tx *catalog.Tx) error {
				if err := tx.CreateUndoTable(ctx, coll, table); err != nil {
					return err
				}
				_, err := tx.RemoveRange(ctx, coll, c, table, 0, high)
				return err
			})
			logs = append(logs, &catalog.UndoLog{Table: table, Kind: catalog.UndoRows, UpTo: high})
			verify("a removal row by row")
		case op == 2:
			c := compile(t, coll, fmt.Sprintf("YMax > %d", 200+rng.IntN(800)))
			update(t, cat, func(tx *catalog.Tx) error {
				_, err := tx.SwapOut(ctx, coll, c, high, table)
				return err
			})
			logs = append(logs, &catalog.UndoLog{Table: table, Kind: catalog.UndoSwap, UpTo: high, Clause: c})
			verify("a swap")
		default:
			l := logs[len(logs)-1]
			logs = logs[:len(logs)-1]
			update(t, cat, func(tx *catalog.Tx) error {
				_, err := tx.Restore(ctx, coll, l)
				return err
			})
			verify("a restore")
		}
	}
}

// TestRewriteToVacuum: the purge of a swap's log (the whole former table
// freed) rewrites the file, the purge of a small delete's log moves pages,
// and past 200 MB free it always rewrites (moving grows with the square).
func TestRewriteToVacuum(t *testing.T) {
	for _, c := range []struct {
		free, used int64
		want       bool
	}{
		{31_000, 16_700, true},    // 1M items, 50% swapped, purged
		{3_300, 30_000, false},    // 1M items, 10% row by row, purged
		{300, 33_000, false},      // 1%
		{60_000, 1_000_000, true}, // 240 MB free in a 4 GB file
		{1, 0, true},
	} {
		if got := catalog.RewriteToVacuum(c.free, c.used); got != c.want {
			t.Errorf("%d free pages, %d in use: rewrite %v, want %v", c.free, c.used, got, c.want)
		}
	}
}

// TestEdgesOfItemsWithoutValues: a prefix is empty either because no
// primary item has a value for its edge (no dates yet, only overviews) or
// because a removal emptied it; only the second waits for the removal to
// fill it again. Items with values added to the first kind enter it at once:
// the time extent appears and check finds nothing wrong.
func TestEdgesOfItemsWithoutValues(t *testing.T) {
	cat := mustOpen(t)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", SRS: "EPSG:32632", Fields: sceneFields})
	if err != nil {
		t.Fatal(err)
	}
	square := func(x float64) [][2]float64 { return [][2]float64{{x, 1}, {x + 1, 1}, {x + 1, 0}, {x, 0}} }
	add := func(items ...catalog.Item) {
		t.Helper()
		if _, err := cat.AddItems(ctx, coll, items); err != nil {
			t.Fatal(err)
		}
	}
	clean := func(step string) {
		t.Helper()
		problems, err := cat.Check(ctx, catalog.CheckOptions{})
		if err != nil || len(problems) > 0 {
			t.Errorf("after %s: %v %v", step, problems, err)
		}
	}
	add(catalog.Item{Raster: "/r/overview.tif", Category: catalog.CategoryOverview, Footprint: square(-50)})
	add(catalog.Item{Raster: "/r/a.tif", Footprint: square(0)}, catalog.Item{Raster: "/r/b.tif", Footprint: square(5)})
	clean("primary items after an overview, none with a date")
	add(catalog.Item{Raster: "/r/c.tif", Footprint: square(9), Attributes: map[string]any{"AcquisitionDate": time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)}},
		catalog.Item{Raster: "/r/d.tif", Footprint: square(7), Attributes: map[string]any{"AcquisitionDate": time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)}})
	info, err := cat.ServiceInfo(ctx, coll)
	if err != nil {
		t.Fatal(err)
	}
	if te := info.TimeExtent; te == nil || !te[0].Equal(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)) || !te[1].Equal(time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("time extent %v, want 2020-01-02 to 2021-03-04", te)
	}
	clean("the first items with a date")

	// A removal takes every dated item; before it finishes, a dated item
	// is added: it must not become the prefix's only item, since others
	// could be earlier. The removal's finish fills it again.
	c := compile(t, coll, "AcquisitionDate IS NOT NULL")
	update(t, cat, func(tx *catalog.Tx) error {
		if err := tx.CreateUndoTable(ctx, coll, "undo_t"); err != nil {
			return err
		}
		_, err := tx.RemoveRange(ctx, coll, c, "undo_t", 0, 1000)
		return err
	})
	add(catalog.Item{Raster: "/r/e.tif", Footprint: square(3), Attributes: map[string]any{"AcquisitionDate": time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}})
	if info, err := cat.ServiceInfo(ctx, coll); err != nil || info.TimeExtent == nil || info.TimeExtent[0].Year() != 2030 || info.TimeExtent[1].Year() != 2030 {
		t.Errorf("time extent while the removal runs: %+v %v, want 2030 to 2030", info.TimeExtent, err)
	}
	var kept int
	cat.DB().QueryRow("SELECT count(*) FROM edge_items WHERE edge = 4").Scan(&kept)
	if kept != 0 {
		t.Errorf("%d items kept for the earliest time while the removal that emptied it runs, want 0", kept)
	}
	undo := catalog.CheckOptions{UndoTables: map[string]bool{"undo_t": true}, LooseBoundary: map[int64]bool{coll.ID: true}}
	if problems, err := cat.Check(ctx, undo); err != nil || len(problems) > 0 {
		t.Errorf("while the removal runs: %v %v", problems, err)
	}
	update(t, cat, func(tx *catalog.Tx) error { return tx.UpdateBoundary(ctx, coll) })
	cat.DB().QueryRow("SELECT count(*) FROM edge_items WHERE edge = 4").Scan(&kept)
	if problems, err := cat.Check(ctx, undo); err != nil || len(problems) > 0 || kept != 1 {
		t.Errorf("after the removal finished: %d kept for the earliest time, %v %v", kept, problems, err)
	}
}

// TestReturnFreeSpace: a dropped undo log's pages go back to the file
// system both ways, by moving pages into the holes (few free pages) and by
// rewriting the file (many), and the catalog stays whole.
func TestReturnFreeSpace(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rewrite bool
	}{{"incremental", false}, {"vacuum", true}} {
		t.Run(tc.name, func(t *testing.T) {
			defer catalog.SetRewriteToVacuum(tc.rewrite)()
			cat := mustOpen(t)
			coll := mustScenes(t, cat, 3000)
			update(t, cat, func(tx *catalog.Tx) error {
				_, err := tx.SwapOut(ctx, coll, compile(t, coll, "CloudCover >= 20"), 3000, "undo_t")
				return err
			})
			update(t, cat, func(tx *catalog.Tx) error { return tx.DropUndoLog(ctx, "undo_t") })
			pages := func(pragma string) (n int64) {
				if err := cat.DB().QueryRow("PRAGMA " + pragma).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			free, before := pages("freelist_count"), pages("page_count")
			if free == 0 {
				t.Fatal("dropping the undo log freed no page")
			}
			freed, err := cat.ReturnFreeSpace(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if freed <= 0 || pages("freelist_count") != 0 || pages("page_count") > before-free {
				t.Errorf("freed %d bytes; %d free pages left; %d pages, want at most %d", freed, pages("freelist_count"), pages("page_count"), before-free)
			}
			var ok string
			if err := cat.DB().QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
				t.Errorf("integrity_check: %s %v", ok, err)
			}
			if n := count(t, cat, coll, ""); n != 600 {
				t.Errorf("%d items after, want 600", n)
			}
		})
	}
}
