package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"mosaic/geometry"
	"mosaic/where"
)

// The operations below are the steps the jobs package composes into
// DeleteImage, DeleteImageCollection, their undo and the purge of their
// undo logs. Each runs inside the caller's transaction.
//
// What a DeleteImage removes is fixed when it is submitted, without reading
// a single item: its clause, compiled with "now" bound to the submission
// time (BindNow), and the highest OBJECTID at submission. It removes the
// items up to that OBJECTID that its clause selects when it reaches them,
// and keeps them, for undo, in an undo table, in one of two ways (UndoKind):
// row by row (RemoveRange: few items match) or by swapping the items it
// keeps into a new item table (SwapOut: many match).

// UndoKind says how an undo table keeps the rows a job removed.
type UndoKind string

const (
	// UndoRows: the table holds exactly the rows the job removed, those up
	// to UndoLog.UpTo (the job's cursor).
	UndoRows UndoKind = "rows"
	// UndoSwap: the table is the collection's item table as it was before
	// the job; the rows it removed are those up to UndoLog.UpTo (its highest
	// OBJECTID) that its clause selects. The table never changes after the
	// swap, so the clause selects the same rows whenever it is asked again.
	UndoSwap UndoKind = "swap"
	// UndoCollection: the table is the whole item table of a deleted
	// collection.
	UndoCollection UndoKind = "collection"
)

// UndoLog is where a job's removed rows are kept.
type UndoLog struct {
	Table  string
	Kind   UndoKind
	UpTo   int64
	Clause *where.Clause // UndoSwap: the job's clause, "now" bound
}

// removed returns the condition that selects the removed rows of the undo
// table, and its arguments.
func (l *UndoLog) removed() (string, []any) {
	switch l.Kind {
	case UndoSwap:
		return fmt.Sprintf("OBJECTID <= ? AND (%s) IS TRUE", l.Clause.SQL), append([]any{l.UpTo}, l.Clause.Args...)
	case UndoCollection:
		return "1", nil
	}
	return "OBJECTID <= ?", []any{l.UpTo}
}

// query runs a statement over the undo table's removed rows: under the
// authorizer when the condition carries a user's clause.
func (tx *Tx) guardLog(ctx context.Context, l *UndoLog, read []string, insert string, fn func() error) error {
	if l.Kind != UndoSwap {
		return fn()
	}
	return tx.Guard(ctx, append(read, l.Table), insert, fn)
}

// BindNow returns clause with CURRENT_DATE and CURRENT_TIMESTAMP bound to
// now, so that the clause selects the same items whenever it runs: package
// where renders them as strftime(…, 'now'), and 'now' is the only text
// literal it writes outside its format strings (literals the user wrote are
// arguments).
func BindNow(clause *where.Clause, now time.Time) *where.Clause {
	c := *clause
	c.SQL = strings.ReplaceAll(clause.SQL, "'now'", "'"+now.UTC().Format(DateLayout)+"'")
	return &c
}

// frozenClause is a compiled clause as a job stores it. Arguments carry
// their type, which JSON numbers alone would lose.
type frozenClause struct {
	SQL  string           `json:"sql"`
	Args []map[string]any `json:"args"`
	// Hazards let an error SQLite raises on an item's value name the
	// part of the clause it came from (where.Clause.Failure).
	Hazards []where.Hazard `json:"hazards,omitempty"`
	// Spatial are the filters the clause's mosaic_relate calls name (see
	// SpatialClause): each one's geometry in the collection's reference.
	Spatial []frozenFilter `json:"spatial,omitempty"`
}

// frozenFilter is a spatial filter as a job stores it.
type frozenFilter struct {
	Key          string          `json:"key"`
	Rel          string          `json:"spatialRel"`
	GeometryType string          `json:"geometryType"`
	Geometry     json.RawMessage `json:"geometry"`
}

// EncodeClause renders a compiled clause for storage in a job.
func EncodeClause(c *where.Clause) (string, error) {
	f := frozenClause{SQL: c.SQL, Args: []map[string]any{}, Hazards: c.Hazards}
	for _, a := range c.Args {
		if key, ok := a.(string); ok {
			if sf, ok := pinnedFilter(key); ok {
				g := geometry.AppendEsri(nil, sf.placed, geometry.SpatialReference{})
				f.Spatial = append(f.Spatial, frozenFilter{Key: key, Rel: sf.rel.String(), GeometryType: esriTypeOf(string(g)), Geometry: g})
			}
		}
		switch v := a.(type) {
		case int64:
			f.Args = append(f.Args, map[string]any{"i": v})
		case float64:
			f.Args = append(f.Args, map[string]any{"f": v})
		case string:
			f.Args = append(f.Args, map[string]any{"s": v})
		default:
			return "", Errorf(Internal, "clause argument %v of type %T", a, a)
		}
	}
	return string(JSON(f)), nil
}

// DecodeClause reads a clause stored by EncodeClause.
func DecodeClause(s string) (*where.Clause, error) {
	var f struct {
		SQL     string                       `json:"sql"`
		Args    []map[string]json.RawMessage `json:"args"`
		Hazards []where.Hazard               `json:"hazards"`
		Spatial []frozenFilter               `json:"spatial"`
	}
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		return nil, Errorf(Internal, "stored clause: %w", err)
	}
	for _, ff := range f.Spatial {
		g, _, err := geometry.ParseEsri(ff.GeometryType, string(ff.Geometry))
		if err != nil {
			return nil, Errorf(Internal, "stored clause: spatial filter %s: %w", ff.Key, err)
		}
		rel, err := geometry.ParseSpatialRel(ff.Rel)
		if err != nil {
			return nil, Errorf(Internal, "stored clause: spatial filter %s: %w", ff.Key, err)
		}
		sf, err := newSpatialFilter(ff.Key, g, rel)
		if err != nil {
			return nil, Errorf(Internal, "stored clause: spatial filter %s: %w", ff.Key, err)
		}
		pinFilter(sf)
	}
	c := &where.Clause{SQL: f.SQL, Hazards: f.Hazards}
	for _, a := range f.Args {
		var err error
		switch {
		case a["i"] != nil:
			var v int64
			err = json.Unmarshal(a["i"], &v)
			c.Args = append(c.Args, v)
		case a["f"] != nil:
			var v float64
			err = json.Unmarshal(a["f"], &v)
			c.Args = append(c.Args, v)
		case a["s"] != nil:
			var v string
			err = json.Unmarshal(a["s"], &v)
			c.Args = append(c.Args, v)
		default:
			err = fmt.Errorf("argument without a type")
		}
		if err != nil {
			return nil, Errorf(Internal, "stored clause: %w", err)
		}
	}
	return c, nil
}

// Estimate is how many items a clause selects, counted or estimated.
type Estimate struct {
	Matches int64 // items up to the highest OBJECTID that the clause selects
	Items   int64 // items in the collection
	Exact   bool  // Matches was counted, not estimated
}

// Fraction is the share of the items that match.
func (e Estimate) Fraction() float64 {
	if e.Items == 0 {
		return 0
	}
	return float64(e.Matches) / float64(e.Items)
}

// Sampling: collections of at most exactBelow items are counted; bigger
// ones are sampled in sampleWindows windows of sampleWidth OBJECTIDs, at
// places drawn from seed (~16k rows read, some 30 ms at a million items).
const (
	sampleWindows = 64
	sampleWidth   = 256
)

// exactBelow is a variable so that tests can sample small collections.
var exactBelow int64 = 50_000

// EstimateMatches counts (small collections) or estimates by sampling
// (large ones) how many items of coll up to OBJECTID high clause selects.
func (tx *Tx) EstimateMatches(ctx context.Context, coll *Collection, clause *where.Clause, high int64, seed uint64) (Estimate, error) {
	items, err := tx.CountItems(ctx, coll)
	if err != nil {
		return Estimate{}, err
	}
	est := Estimate{Items: items}
	table := quoteIdent(coll.Table())
	if items <= exactBelow || high <= sampleWindows*sampleWidth {
		err := tx.Guard(ctx, []string{coll.Table()}, "", func() error {
			err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE OBJECTID <= ? AND (%s) IS TRUE", table, clause.SQL),
				append([]any{high}, clause.Args...)...).Scan(&est.Matches)
			return clauseError(err, clause)
		})
		if err != nil {
			return Estimate{}, fmt.Errorf("count matching items of %s: %w", coll.Name, err)
		}
		est.Exact = true
		return est, nil
	}
	q := fmt.Sprintf("SELECT count(*), count(CASE WHEN (%s) IS TRUE THEN 1 END) FROM %s WHERE OBJECTID BETWEEN ? AND ?", clause.SQL, table)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var seen, matched float64
	err = tx.Guard(ctx, []string{coll.Table()}, "", func() error {
		stmt, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := 0; i < sampleWindows; i++ {
			// One window in each of sampleWindows equal slices of 1…high.
			slice := high / sampleWindows
			lo := int64(i)*slice + 1 + rng.Int64N(max(1, slice-sampleWidth))
			var n, m float64
			if err := stmt.QueryRowContext(ctx, append(append([]any{}, clause.Args...), lo, lo+sampleWidth-1)...).Scan(&n, &m); err != nil {
				return clauseError(err, clause)
			}
			seen, matched = seen+n, matched+m
		}
		return nil
	})
	if err != nil {
		return Estimate{}, fmt.Errorf("sample items of %s: %w", coll.Name, err)
	}
	if seen > 0 {
		est.Matches = int64(math.Round(matched / seen * float64(items)))
	}
	return est, nil
}

// CheckClause evaluates clause on every item of coll up to OBJECTID high,
// and returns the error SQLite raises on an item's value, explained as the
// clause's (see where.Clause.Hazards): a submission whose clause has
// hazards calls it, so that a clause that would fail when the job runs is
// refused now, as bad input, with no job made. Clauses without hazards
// cannot fail on the items and need no such pass.
func (tx *Tx) CheckClause(ctx context.Context, coll *Collection, clause *where.Clause, high int64) error {
	err := tx.Guard(ctx, []string{coll.Table()}, "", func() error {
		var n int64
		err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE OBJECTID <= ? AND (%s) IS TRUE", quoteIdent(coll.Table()), clause.SQL),
			append([]any{high}, clause.Args...)...).Scan(&n)
		return clauseError(err, clause)
	})
	if err != nil {
		return fmt.Errorf("evaluate the clause on the items of %s: %w", coll.Name, err)
	}
	return nil
}

// execClause runs a statement that evaluates clause on items. The
// statement is prepared first, so that only an error SQLite raises while
// evaluating (an item's value that the clause cannot take) is explained as
// the clause's (see clauseError).
func (tx *Tx) execClause(ctx context.Context, clause *where.Clause, query string, args ...any) (sql.Result, error) {
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	res, err := stmt.ExecContext(ctx, args...)
	return res, clauseError(err, clause)
}

// CreateUndoTable creates the undo table of a job that removes coll's items
// row by row: the item table's columns, without its defaults.
func (tx *Tx) CreateUndoTable(ctx context.Context, coll *Collection, undoTable string) error {
	if _, err := tx.ExecContext(ctx, itemTableDDL(undoTable, coll.Fields, true)); err != nil {
		return fmt.Errorf("create undo table %s: %w", undoTable, err)
	}
	return nil
}

// RemoveRange removes the items of coll with OBJECTID in (after, upTo]
// that clause selects: it copies them to undoTable (created by
// CreateUndoTable), deletes those it copied, and counts them off the
// collection's counter. It returns how many it removed.
func (tx *Tx) RemoveRange(ctx context.Context, coll *Collection, clause *where.Clause, undoTable string, after, upTo int64) (int64, error) {
	items, undo := quoteIdent(coll.Table()), quoteIdent(undoTable)
	cols := columnList(coll.columns())
	var n int64
	err := tx.Guard(ctx, []string{coll.Table()}, undoTable, func() error {
		res, err := tx.execClause(ctx, clause, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s WHERE OBJECTID > ? AND OBJECTID <= ? AND (%s) IS TRUE",
			undo, cols, cols, items, clause.SQL), append([]any{after, upTo}, clause.Args...)...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("copy items of %s to %s: %w", coll.Name, undoTable, err)
	}
	if n == 0 {
		return 0, nil
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM "+items+" WHERE OBJECTID IN (SELECT OBJECTID FROM "+undo+" WHERE OBJECTID > ? AND OBJECTID <= ?)", after, upTo)
	if err != nil {
		return 0, fmt.Errorf("delete items of %s: %w", coll.Name, err)
	}
	if d, err := res.RowsAffected(); err != nil || d != n {
		return 0, Errorf(Internal, "delete items of %s: %d deleted, %d copied to %s (%v)", coll.Name, d, n, undoTable, err)
	}
	if err := tx.dropGoneEdges(ctx, coll); err != nil {
		return 0, err
	}
	return n, tx.addToCount(ctx, coll, -n)
}

// SwapOut removes in one step the items of coll up to OBJECTID high that
// clause selects: the items it keeps are copied into a new item table,
// which takes the collection's table name, and the former table becomes
// undoTable, whole (UndoSwap). When most items go, copying those that stay
// is cheaper than deleting the others one by one and copying them as well.
// It returns how many items it removed.
func (tx *Tx) SwapOut(ctx context.Context, coll *Collection, clause *where.Clause, high int64, undoTable string) (int64, error) {
	table := coll.Table()
	kept := table + "_kept"
	before, err := tx.CountItems(ctx, coll)
	if err != nil {
		return 0, err
	}
	var seq sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT seq FROM sqlite_sequence WHERE name = ?", table).Scan(&seq); err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("read the OBJECTID sequence of %s: %w", coll.Name, err)
	}
	if _, err := tx.ExecContext(ctx, itemTableDDL(kept, coll.Fields, false)); err != nil {
		return 0, fmt.Errorf("create item table: %w", err)
	}
	cols := columnList(coll.columns())
	var n int64
	err = tx.Guard(ctx, []string{table}, kept, func() error {
		res, err := tx.execClause(ctx, clause, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s WHERE OBJECTID > ? OR (%s) IS NOT TRUE ORDER BY OBJECTID",
			quoteIdent(kept), cols, cols, quoteIdent(table), clause.SQL), append([]any{high}, clause.Args...)...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("copy the items %s keeps: %w", coll.Name, err)
	}
	for _, q := range []string{
		"DROP INDEX " + quoteIdent(table+"_overviews"),
		"ALTER TABLE " + quoteIdent(table) + " RENAME TO " + quoteIdent(undoTable),
		"ALTER TABLE " + quoteIdent(kept) + " RENAME TO " + quoteIdent(table),
		overviewIndexDDL(table),
		// OBJECTIDs are never reused: the new table goes on from where the
		// old one was.
		"DELETE FROM sqlite_sequence WHERE name = " + quoteString(table),
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("swap the item tables of %s: %w", coll.Name, err)
		}
	}
	if seq.Valid {
		if _, err := tx.ExecContext(ctx, "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", table, seq.Int64); err != nil {
			return 0, fmt.Errorf("carry the OBJECTID sequence of %s over: %w", coll.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE collections SET item_count = ? WHERE id = ?", n, coll.ID); err != nil {
		return 0, fmt.Errorf("count items of %s: %w", coll.Name, err)
	}
	if err := tx.dropGoneEdges(ctx, coll); err != nil {
		return 0, err
	}
	return before - n, nil
}

// quoteString quotes an SQL string literal; for names from the schema only.
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (tx *Tx) extent(ctx context.Context, q string, args ...any) (*Extent, error) {
	var xmin, ymin, xmax, ymax sql.NullFloat64
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&xmin, &ymin, &xmax, &ymax); err != nil {
		return nil, err
	}
	if xmin.Valid && ymin.Valid && xmax.Valid && ymax.Valid {
		return &Extent{xmin.Float64, ymin.Float64, xmax.Float64, ymax.Float64}, nil
	}
	return nil, nil
}

// overview is an overview item's OBJECTID and extent.
type overview struct {
	id                     int64
	xmin, ymin, xmax, ymax float64
}

// overviews returns the overviews of coll (Category 2) that are not stale,
// through the partial index on them: nothing is read when there are none.
func (tx *Tx) overviews(ctx context.Context, coll *Collection, cond string, args ...any) ([]overview, error) {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT OBJECTID, XMin, YMin, XMax, YMax FROM %s WHERE Category = %d AND XMin IS NOT NULL AND YMin IS NOT NULL AND XMax IS NOT NULL AND YMax IS NOT NULL AND %s",
		quoteIdent(coll.Table()), CategoryOverview, cond), args...)
	if err != nil {
		return nil, fmt.Errorf("read overviews of %s: %w", coll.Name, err)
	}
	defer rows.Close()
	var out []overview
	for rows.Next() {
		var o overview
		if err := rows.Scan(&o.id, &o.xmin, &o.ymin, &o.xmax, &o.ymax); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// coveredBy returns the overviews of os whose extent meets the extent of a
// primary item the undo log removed, reading the removed items once.
func (tx *Tx) coveredBy(ctx context.Context, os []overview, l *UndoLog) (map[int64]bool, error) {
	hit := map[int64]bool{}
	if len(os) == 0 {
		return hit, nil
	}
	cond, args := l.removed()
	var rows *sql.Rows
	err := tx.guardLog(ctx, l, nil, "", func() error {
		var err error
		rows, err = tx.QueryContext(ctx, fmt.Sprintf("SELECT XMin, YMin, XMax, YMax FROM %s WHERE Category = %d AND %s",
			quoteIdent(l.Table), CategoryPrimary, cond), args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read removed items: %w", err)
	}
	defer rows.Close()
	for rows.Next() && len(hit) < len(os) {
		var x0, y0, x1, y1 sql.NullFloat64
		if err := rows.Scan(&x0, &y0, &x1, &y1); err != nil {
			return nil, err
		}
		if !x0.Valid || !y0.Valid || !x1.Valid || !y1.Valid {
			continue
		}
		for _, o := range os {
			if !hit[o.id] && x0.Float64 <= o.xmax && x1.Float64 >= o.xmin && y0.Float64 <= o.ymax && y1.Float64 >= o.ymin {
				hit[o.id] = true
			}
		}
	}
	return hit, rows.Err()
}

// MarkOverviewsStale marks as Stale the overview items (Category 2) of coll
// whose extent meets the extent of a primary item the undo log removed, and
// returns the OBJECTIDs it marked, so that undo can clear them again.
func (tx *Tx) MarkOverviewsStale(ctx context.Context, coll *Collection, l *UndoLog) ([]int64, error) {
	os, err := tx.overviews(ctx, coll, "Stale = 0")
	if err != nil || len(os) == 0 {
		return nil, err
	}
	hit, err := tx.coveredBy(ctx, os, l)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, o := range os {
		if !hit[o.id] {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE "+quoteIdent(coll.Table())+" SET Stale = 1 WHERE OBJECTID = ?", o.id); err != nil {
			return nil, fmt.Errorf("mark overview %d stale: %w", o.id, err)
		}
		ids = append(ids, o.id)
	}
	return ids, nil
}

// OverviewsCovered returns those of the overviews ids of coll whose extent
// meets the extent of a primary item the undo log removed.
func (tx *Tx) OverviewsCovered(ctx context.Context, coll *Collection, ids []int64, l *UndoLog) (map[int64]bool, error) {
	if len(ids) == 0 {
		return map[int64]bool{}, nil
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	os, err := tx.overviews(ctx, coll, "OBJECTID IN ("+in+")", args...)
	if err != nil {
		return nil, err
	}
	return tx.coveredBy(ctx, os, l)
}

// ClearStale unmarks overviews that a job marked stale, when it is undone.
func (tx *Tx) ClearStale(ctx context.Context, coll *Collection, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, "UPDATE "+quoteIdent(coll.Table())+" SET Stale = 0 WHERE OBJECTID = ?", id); err != nil {
			return fmt.Errorf("clear stale overview %d: %w", id, err)
		}
	}
	return nil
}

// restoreWindow is how many OBJECTIDs one statement of Restore covers.
var restoreWindow int64 = 32768

// Restore puts back into coll the rows the undo log removed, with their
// own OBJECTIDs and values, counts them back onto the collection's counter
// and grows its boundary back over them. It returns the number restored.
func (tx *Tx) Restore(ctx context.Context, coll *Collection, l *UndoLog) (int64, error) {
	cols := columnList(coll.columns())
	cond, args := l.removed()
	var lo, hi sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT min(OBJECTID), max(OBJECTID) FROM "+quoteIdent(l.Table)).Scan(&lo, &hi); err != nil {
		return 0, fmt.Errorf("restore items of %s: %w", coll.Name, err)
	}
	// One statement per window of OBJECTIDs, all in the caller's
	// transaction: rows that go back between kept ones rewrite existing
	// pages, and SQLite keeps a statement's journal of every page it changes
	// (in memory: temp_store) until the statement ends. Over a whole undo
	// log that grew with the collection (1.4 GB to restore 5M of 10M items);
	// per window it stays small.
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s WHERE OBJECTID > ? AND OBJECTID <= ? AND %s ORDER BY OBJECTID",
		quoteIdent(coll.Table()), cols, cols, quoteIdent(l.Table), cond)
	var n int64
	err := tx.guardLog(ctx, l, nil, coll.Table(), func() error {
		stmt, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for from := lo.Int64 - 1; lo.Valid && from < hi.Int64; from += restoreWindow {
			res, err := stmt.ExecContext(ctx, append([]any{from, from + restoreWindow}, args...)...)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("restore items of %s: %w", coll.Name, err)
	}
	if err := tx.addToCount(ctx, coll, n); err != nil {
		return 0, err
	}
	if err := tx.restoreEdges(ctx, coll, l); err != nil {
		return 0, err
	}
	return n, tx.UpdateBoundary(ctx, coll)
}

// ItemRef names an item: what a dry run lists and a job's audit of the
// items it removed.
type ItemRef struct {
	OBJECTID int64  `json:"OBJECTID"`
	Name     string `json:"Name"`
}

// EachRemoved calls fn for each item the undo log removed, in OBJECTID
// order.
func (tx *Tx) EachRemoved(ctx context.Context, l *UndoLog, fn func(ItemRef) error) error {
	cond, args := l.removed()
	var rows *sql.Rows
	err := tx.guardLog(ctx, l, nil, "", func() error {
		var err error
		rows, err = tx.QueryContext(ctx, "SELECT OBJECTID, Name FROM "+quoteIdent(l.Table)+" WHERE "+cond+" ORDER BY OBJECTID", args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("read removed items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it ItemRef
		if err := rows.Scan(&it.OBJECTID, &it.Name); err != nil {
			return fmt.Errorf("read removed items: %w", err)
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	return rows.Err()
}

// MatchingItems calls fn, in OBJECTID order, for each item of coll that
// clause selects now: what a dry run lists.
func (tx *Tx) MatchingItems(ctx context.Context, coll *Collection, clause *where.Clause, fn func(ItemRef) error) error {
	var rows *sql.Rows
	err := tx.Guard(ctx, []string{coll.Table()}, "", func() error {
		var err error
		rows, err = tx.QueryContext(ctx, fmt.Sprintf(`SELECT "OBJECTID", "Name" FROM %s WHERE %s ORDER BY OBJECTID`, quoteIdent(coll.Table()), clause.SQL), clause.Args...)
		return clauseError(err, clause)
	})
	if err != nil {
		return fmt.Errorf("match items of %s: %w", coll.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var it ItemRef
		if err := rows.Scan(&it.OBJECTID, &it.Name); err != nil {
			return fmt.Errorf("match items of %s: %w", coll.Name, err)
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("match items of %s: %w", coll.Name, clauseError(err, clause))
	}
	return nil
}

// ForgetEdges drops the edge items of collection id, deleted for good
// (the purge of a DeleteImageCollection).
func (tx *Tx) ForgetEdges(ctx context.Context, id int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM edge_items WHERE collection_id = ? AND NOT EXISTS (SELECT 1 FROM collections WHERE id = ?)", id, id); err != nil {
		return fmt.Errorf("drop edge items: %w", err)
	}
	return nil
}

// DropUndoLog drops an undo table: its rows can no longer be restored.
func (tx *Tx) DropUndoLog(ctx context.Context, table string) error {
	if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+quoteIdent(table)); err != nil {
		return fmt.Errorf("drop undo table %s: %w", table, err)
	}
	return nil
}

// rewriteToVacuum tells ReturnFreeSpace whether to rewrite the file
// (VACUUM) rather than move pages into the holes (incremental_vacuum),
// given the free pages and the pages in use. Rewriting costs the pages in
// use; moving costs the free pages, each dearer (1M items, the purge of a
// swap's log: 31k free, 17k in use, 2.1 s moving against 1.5 s rewriting;
// of a 10% delete's log: 3.3k free, 30k in use, 0.28 s against 1.45 s),
// and past ~50,000 free pages it grows with their square.
var rewriteToVacuum = func(free, used int64) bool {
	return free > used || free > 50_000 // 200 MB of 4 KiB pages
}

// ReturnFreeSpace gives the file's free pages back to the file system and
// returns how many bytes that was. A few free pages are filled by moving the
// pages after them (PRAGMA incremental_vacuum, the file is auto_vacuum=
// INCREMENTAL). Many are not: each move looks for a free page through the
// freelist's trunk pages, one per ~1,000 free pages, so the cost grows with
// the square of what was freed (3 s for a 3M-item catalog's purged half,
// over 12 minutes at 10M); and when more is free than is in use, copying
// what is in use is cheaper anyway (rewriteToVacuum). Then the file is
// rewritten with VACUUM, whose cost is the size of what stays (1.6 s at
// 3M): atomic, like any transaction, and holding the write lock meanwhile.
// Its copy is built in a temporary file (temp_store FILE for that
// statement), not in memory.
func (c *Catalog) ReturnFreeSpace(ctx context.Context) (int64, error) {
	var free, pages, size int64
	err := c.View(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, "SELECT (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_count FROM pragma_page_count), (SELECT page_size FROM pragma_page_size)").Scan(&free, &pages, &size)
	})
	if err != nil || free == 0 {
		return 0, err
	}
	if !rewriteToVacuum(free, pages-free) {
		err := c.Update(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, "PRAGMA incremental_vacuum")
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("return free space: %w", err)
		}
		return free * size, nil
	}
	release, err := c.queueWriter(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
		return 0, err
	}
	defer conn.ExecContext(context.Background(), "PRAGMA temp_store = MEMORY")
	if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
		return 0, explain(c.path, fmt.Errorf("return free space (VACUUM): %w", err))
	}
	c.lastWrite.Store(time.Now().UnixNano())
	return free * size, nil
}

// DetachedCollection is what DeleteImageCollection keeps to undo itself:
// the collection's definition. Its items stay in the renamed item table.
type DetachedCollection struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	ItemID    string  `json:"itemId"`
	SRS       string  `json:"srs"`
	Fields    []field `json:"fields"`
	Boundary  *Extent `json:"boundary,omitempty"`
	ItemCount *int64  `json:"itemCount,omitempty"` // absent in jobs of mosaics before the counter
	// EdgesEmptied are the edges whose prefix a removal had emptied
	// (edges_emptied): absent in jobs of mosaics before schema 5.
	EdgesEmptied *int64 `json:"edgesEmptied,omitempty"`
	Created      string `json:"created"`
	Updated      string `json:"updated"`
}

type field struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// DetachCollection removes coll from the catalog: its definition is
// returned (as JSON) for undo, and its item table is renamed to undoTable,
// whole and unchanged. It takes constant time whatever the number of items.
func (tx *Tx) DetachCollection(ctx context.Context, coll *Collection, undoTable string) ([]byte, error) {
	n, err := tx.CountItems(ctx, coll)
	if err != nil {
		return nil, err
	}
	emptied, err := tx.emptiedEdges(ctx, coll)
	if err != nil {
		return nil, err
	}
	d := DetachedCollection{ID: coll.ID, Name: coll.Name, ItemID: coll.ItemID, SRS: coll.SRS, Boundary: coll.Boundary, ItemCount: &n,
		EdgesEmptied: &emptied, Created: timestamp(coll.Created), Updated: timestamp(coll.Updated)}
	for _, f := range coll.Fields {
		d.Fields = append(d.Fields, field{Name: f.Name, Type: f.Type.String()})
	}
	info, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s RENAME TO %s", quoteIdent(coll.Table()), quoteIdent(undoTable))); err != nil {
		return nil, fmt.Errorf("detach items of %s: %w", coll.Name, err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM collections WHERE id = ?", coll.ID); err != nil {
		return nil, fmt.Errorf("delete collection %s: %w", coll.Name, err)
	}
	return info, nil
}

// ReattachCollection undoes DetachCollection: the collection comes back
// with its id, itemId, fields and items. It is refused when its name or
// itemId has been taken since.
func (tx *Tx) ReattachCollection(ctx context.Context, info []byte, undoTable string) (*Collection, error) {
	var d DetachedCollection
	if err := json.Unmarshal(info, &d); err != nil {
		return nil, Errorf(Internal, "read detached collection: %w", err)
	}
	if existing, err := tx.collectionByName(ctx, d.Name); err == nil {
		return nil, Errorf(Conflict, "cannot restore image collection %q: a collection named %q exists now", d.Name, existing.Name)
	}
	var xmin, ymin, xmax, ymax any
	if b := d.Boundary; b != nil {
		xmin, ymin, xmax, ymax = b.XMin, b.YMin, b.XMax, b.YMax
	}
	if d.ItemCount == nil {
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(undoTable)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count items of %s: %w", d.Name, err)
		}
		d.ItemCount = &n
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO collections (id, name, item_id, srs, xmin, ymin, xmax, ymax, item_count, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		d.ID, d.Name, d.ItemID, d.SRS, xmin, ymin, xmax, ymax, *d.ItemCount, d.Created, timestamp(tx.Now)); err != nil {
		return nil, fmt.Errorf("restore collection %s: %w", d.Name, err)
	}
	for i, f := range d.Fields {
		if _, err := tx.ExecContext(ctx, `INSERT INTO collection_fields (collection_id, position, name, type) VALUES (?, ?, ?, ?)`, d.ID, i, f.Name, f.Type); err != nil {
			return nil, fmt.Errorf("restore field %s: %w", f.Name, err)
		}
	}
	coll, err := tx.CollectionByID(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s RENAME TO %s", quoteIdent(undoTable), quoteIdent(coll.Table()))); err != nil {
		return nil, fmt.Errorf("restore items of %s: %w", coll.Name, err)
	}
	if d.EdgesEmptied != nil {
		_, err = tx.ExecContext(ctx, "UPDATE collections SET edges_emptied = ? WHERE id = ?", *d.EdgesEmptied, coll.ID)
		return coll, err
	}
	// Set aside by a mosaic before schema 5: no time edges, and no mark on
	// the prefixes a removal emptied. Fill the empty ones from the items.
	p, err := tx.readEdges(ctx, coll)
	if err != nil {
		return nil, err
	}
	for _, sp := range coll.edges() {
		if len(p[sp.edge]) == 0 {
			if err := tx.fillEdge(ctx, coll, sp); err != nil {
				return nil, err
			}
		}
	}
	return coll, nil
}

// TableExists reports whether a table exists in the catalog.
func (tx *Tx) TableExists(ctx context.Context, name string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", name).Scan(&n)
	return n > 0, err
}

// Timestamp formats t as the catalog stores times.
func Timestamp(t time.Time) string { return timestamp(t) }

// parseTimestamp reads a time as the catalog stores it.
func parseTimestamp(s string) (time.Time, error) { return time.Parse(DateLayout, s) }
