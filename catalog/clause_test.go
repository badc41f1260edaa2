package catalog_test

import (
	"strings"
	"testing"

	"mosaic/catalog"
	"mosaic/where"
)

// TestClauseFailuresOnDataAreBadInput: a clause that passes the check but
// fails in SQLite on some item's values (ABS of the smallest INTEGER, a
// LIKE pattern over SQLite's 50,000 bytes) is bad input about where that
// names the function or operator and its place, never a fault (issue 11,
// item 9).
func TestClauseFailuresOnDataAreBadInput(t *testing.T) {
	cat := mustOpen(t)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes",
		Fields: []catalog.Field{{Name: "Orbit", Type: where.Integer}, {Name: "Pattern", Type: where.Text}}})
	if err != nil {
		t.Fatal(err)
	}
	manifest := "Raster,Orbit,Pattern\n/data/a.tif,-9223372036854775808,a%\n/data/b.tif,5," + strings.Repeat("%a", 30000) + "\n"
	if _, err := cat.LoadManifest(ctx, coll, strings.NewReader(manifest), "m.csv"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, clause, want string
	}{
		{"ErrAbsOfSmallestInteger", "ABS(Orbit) > 0", "where: ABS(Orbit) fails on an item's value: the absolute value of -9223372036854775808"},
		{"ErrAbsOfCast", "ABS(CAST(OBJECTID * -1e30 AS INTEGER)) > 0", "where: ABS(CAST(OBJECTID * -1e30 AS INTEGER)) fails on an item's value"},
		{"ErrAbsNested", "Orbit = 5 OR ABS(Orbit - 0) > 1", "fails on an item's value: the absolute value of -9223372036854775808 (the smallest INTEGER, also what CAST to INTEGER makes of numbers below it) does not fit in 64 bits at 1:14"},
		{"ErrLikePatternTooLong", "Name LIKE Pattern", "where: Name LIKE Pattern fails on an item's value: a LIKE pattern is limited to 50000 bytes"},
		{"ErrLikeOfFunction", "Raster NOT LIKE UPPER(Pattern)", "where: Raster NOT LIKE UPPER(Pattern) fails on an item's value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := coll.Select(catalog.Query{Where: tc.clause})
			if err != nil {
				t.Fatalf("the check refused %q: %v", tc.clause, err)
			}
			_, err = cat.Count(ctx, sel)
			check := func(what string, err error) {
				t.Helper()
				if catalog.ErrorCode(err) != catalog.Invalid || catalog.ErrorParam(err) != "where" || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: %v (code %q, param %q), want bad input about where saying %q", what, err, catalog.ErrorCode(err), catalog.ErrorParam(err), tc.want)
				}
			}
			check("Count", err)
			check("Each", cat.Each(ctx, sel, func(*catalog.ItemRow) error { return nil }))
			clause, err := coll.Compile(tc.clause)
			if err != nil {
				t.Fatal(err)
			}
			check("MatchingItems", cat.View(ctx, func(tx *catalog.Tx) error {
				return tx.MatchingItems(ctx, coll, clause, func(catalog.ItemRef) error { return nil })
			}))
			// A job stores its clause and runs it later: the stored clause
			// explains the failure as well.
			text, err := catalog.EncodeClause(clause)
			if err != nil {
				t.Fatal(err)
			}
			if clause, err = catalog.DecodeClause(text); err != nil {
				t.Fatal(err)
			}
			check("EstimateMatches", cat.View(ctx, func(tx *catalog.Tx) error {
				_, err := tx.EstimateMatches(ctx, coll, clause, 2, 1)
				return err
			}))
			check("RemoveRange", cat.Update(ctx, func(tx *catalog.Tx) error {
				if err := tx.CreateUndoTable(ctx, coll, "undo_test"); err != nil {
					return err
				}
				_, err := tx.RemoveRange(ctx, coll, clause, "undo_test", 0, 2)
				return err
			}))
			check("SwapOut", cat.Update(ctx, func(tx *catalog.Tx) error {
				_, err := tx.SwapOut(ctx, coll, clause, 2, "undo_test")
				return err
			}))
		})
	}
	if n := count(t, cat, coll, "1=1"); n != 2 {
		t.Errorf("%d items left, want 2", n)
	}
}

// TestAbsOfTheSmallestIntegerIsRefusedByTheCheck: written as a literal, the
// failure is the clause's form, and the check says so.
func TestAbsOfTheSmallestIntegerIsRefusedByTheCheck(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 1)
	_, err := coll.Compile("ABS(-9223372036854775808) > 0")
	if err == nil || err.Error() != "where: ABS(-9223372036854775808) has no INTEGER result: the absolute value of the smallest INTEGER does not fit in 64 bits at 1:1" {
		t.Errorf("ABS(-9223372036854775808): %v", err)
	}
	if n := count(t, cat, coll, "ABS(-9223372036854775807) > 0"); n != 1 {
		t.Errorf("ABS(-9223372036854775807) > 0 selects %d items", n)
	}
}

// TestManifestRefusesAbsurdBounds: a manifest's bounds are checked as a
// GeoTIFF's georeferencing is (issue 11, item 13): beyond any coordinate
// system, or a minimum above its maximum, is refused with the line named.
func TestManifestRefusesAbsurdBounds(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 1)
	for _, tc := range []struct{ name, line, want string }{
		{"ErrHuge", "/a.tif,1e308,0,1e308,10", "line 2: XMin 1e+308 is beyond the 1e+09 map units of any coordinate system"},
		{"ErrNegativeHuge", "/a.tif,0,-2e9,10,10", "line 2: YMin -2e+09 is beyond"},
		{"ErrInverted", "/a.tif,10,0,0,10", "line 2: XMin 10 is greater than XMax 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cat.LoadManifest(ctx, coll, strings.NewReader("Raster,XMin,YMin,XMax,YMax\n"+tc.line+"\n"), "m.csv")
			wantCode(t, err, catalog.Invalid)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
	if n := count(t, cat, coll, "1=1"); n != 1 {
		t.Errorf("%d items, want 1", n)
	}
}
