package catalog_test

import (
	"fmt"
	"reflect"
	"testing"

	"mosaic/catalog"
)

// TestDeepPages pins pages far from any page asked before (the marks a
// deep page starts from), in both OBJECTID orders, with and without gaps
// in the OBJECTIDs, with a filter, and past the end.
func TestDeepPages(t *testing.T) {
	const n = 12000
	cat := mustOpen(t)
	coll := mustScenes(t, cat, n)
	page := func(where string, desc bool, offset, limit int64) []int64 {
		t.Helper()
		q := catalog.Query{Where: where, Fields: []string{"OBJECTID"}, Offset: offset, Limit: limit}
		if desc {
			q.OrderBy = []catalog.Order{{Field: "OBJECTID", Desc: true}}
		}
		var ids []int64
		if err := each(cat, coll, q, func(r *catalog.ItemRow) error { ids = append(ids, r.Values[0].(int64)); return nil }); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	expect := func(label string, all []int64, where string, desc bool) {
		t.Helper()
		want := all
		if desc {
			want = make([]int64, len(all))
			for i, v := range all {
				want[len(all)-1-i] = v
			}
		}
		for _, off := range []int64{9000, 11990, 5000, 11999, int64(len(want)), int64(len(want)) + 5000, 0, 7000, 7003} {
			got := page(where, desc, off, 5)
			var w []int64
			if off < int64(len(want)) {
				w = want[off:min(off+5, int64(len(want)))]
			}
			if !reflect.DeepEqual(got, w) {
				t.Fatalf("%s offset %d: %v, want %v", label, off, got, w)
			}
		}
	}
	var all []int64
	for i := int64(1); i <= n; i++ {
		all = append(all, i)
	}
	expect("dense", all, "", false)
	expect("dense desc", all, "", true)
	// Gaps: remove every third item (as a DeleteImage would).
	err := cat.Update(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE OBJECTID %% 3 = 0", coll.Table()))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var kept []int64
	for _, id := range all {
		if id%3 != 0 {
			kept = append(kept, id)
		}
	}
	expect("gaps", kept, "", false)
	expect("gaps desc", kept, "", true)
	var filtered []int64
	for _, id := range kept {
		if id > 100 {
			filtered = append(filtered, id)
		}
	}
	expect("filtered", filtered, "OBJECTID > 100", false)
}
