package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The boundary of a collection is the extent of its primary items, and
// its time extent (in the image service's timeInfo) the earliest and latest
// time of their time field. Computing either again after a removal reads
// the whole collection when a removed item held an edge (at a million
// items, a third of a 1% delete; at 3M, 0.8 s of the first service info
// after each change). So each collection keeps, for each edge — the four of
// its boundary and, with a time field, the two of its times — its most
// extreme primary items: the table edge_items holds, per edge, a prefix of
// the items ordered from the most extreme (the smallest XMin, YMin or time,
// the largest XMax, YMax or time; ties by OBJECTID) — if an item is there,
// every item before it in that order is too. A removal takes its removed
// items out of the prefixes (a prefix stays a prefix); an addition or a
// restore puts in those that come before a prefix's last item; the
// boundary and the time extent are then the first item of each prefix. A
// prefix that removals emptied is marked so (collections.edges_emptied)
// and filled again from the items when the removal finishes
// (FillEmptiedEdges), the only time they are read; until then additions
// leave it alone. An empty prefix not so marked has no item to hold: no
// primary item has a value for its edge.
// Prefixes hold at most edgeKeep items. Times are kept as seconds since
// 1970 (SQLite's unixepoch), exact for the catalog's DATE values.

// edgeKeep is how many items a prefix holds. A removal empties one only if
// it removes all of them.
const edgeKeep = 64

// The edges, as numbered in edge_items.
const (
	edgeXMin = iota
	edgeYMin
	edgeXMax
	edgeYMax
	edgeEarliest // of the time field
	edgeLatest
	edgeCount
)

// edgeMin tells, per edge, whether the smallest value (true) or the largest
// is the most extreme.
var edgeMin = [edgeCount]bool{true, true, false, false, true, false}

// edgeSpec is how an edge's value is read from an item table.
type edgeSpec struct {
	edge   int
	label  string // for messages: "XMin", "earliest AcquisitionDate"
	column string // quoted
	time   bool   // a DATE column, whose values are text
}

// expr is the SQL of the edge's value on an item table.
func (sp edgeSpec) expr() string {
	if sp.time {
		return "unixepoch(" + sp.column + ")"
	}
	return sp.column
}

// boundEdges are the edges of the boundary.
var boundEdges = []edgeSpec{
	{edgeXMin, "XMin", `"XMin"`, false}, {edgeYMin, "YMin", `"YMin"`, false},
	{edgeXMax, "XMax", `"XMax"`, false}, {edgeYMax, "YMax", `"YMax"`, false},
}

// edges returns the edges coll keeps: the boundary's, and its time
// field's when it has one.
func (coll *Collection) edges() []edgeSpec {
	specs := append([]edgeSpec(nil), boundEdges...)
	if tf, ok := coll.TimeField(); ok {
		c := quoteIdent(tf.Name)
		specs = append(specs, edgeSpec{edgeEarliest, "earliest " + tf.Name, c, true}, edgeSpec{edgeLatest, "latest " + tf.Name, c, true})
	}
	return specs
}

// dateSeconds returns the seconds since 1970 of a DATE value as the
// catalog stores it (YYYY-MM-DD HH:MM:SS), as SQLite's unixepoch does.
func dateSeconds(v any) (float64, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return 0, false
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return 0, false
	}
	return float64(t.Unix()), true
}

// edgeItem is an item of a prefix.
type edgeItem struct {
	value float64
	oid   int64
}

// before reports whether a comes before b in the order of edge e.
func before(e int, a, b edgeItem) bool {
	if a.value != b.value {
		return (a.value < b.value) == edgeMin[e]
	}
	return a.oid < b.oid
}

// edgePrefixes are the prefixes of a collection, each ordered, by edge.
type edgePrefixes [edgeCount][]edgeItem

// readEdges reads coll's prefixes.
func (tx *Tx) readEdges(ctx context.Context, coll *Collection) (edgePrefixes, error) {
	var p edgePrefixes
	rows, err := tx.QueryContext(ctx, "SELECT edge, value, objectid FROM edge_items WHERE collection_id = ?", coll.ID)
	if err != nil {
		return p, fmt.Errorf("read the edge items of %s: %w", coll.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e int
		var it edgeItem
		if err := rows.Scan(&e, &it.value, &it.oid); err != nil {
			return p, err
		}
		if e >= 0 && e < edgeCount {
			p[e] = append(p[e], it)
		}
	}
	for e := range p {
		sort.Slice(p[e], func(i, j int) bool { return before(e, p[e][i], p[e][j]) })
	}
	return p, rows.Err()
}

// fillEdge fills the prefix of edge sp of coll again from its items: the
// edgeKeep most extreme, in one pass; it is no longer marked as emptied.
func (tx *Tx) fillEdge(ctx context.Context, coll *Collection, sp edgeSpec) error {
	if err := tx.fillEdgeItems(ctx, coll, sp); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE collections SET edges_emptied = edges_emptied & ~(1 << ?) WHERE id = ?", sp.edge, coll.ID); err != nil {
		return fmt.Errorf("find the edge items of %s: %w", coll.Name, err)
	}
	return nil
}

// fillEdgeItems is fillEdge without the mark, which schema 4 lacks
// (migration 4 fills the prefixes with it).
func (tx *Tx) fillEdgeItems(ctx context.Context, coll *Collection, sp edgeSpec) error {
	dir := "DESC"
	if edgeMin[sp.edge] {
		dir = "ASC"
	}
	for _, q := range []string{
		"DELETE FROM edge_items WHERE collection_id = ?1 AND edge = ?2",
		fmt.Sprintf(`INSERT INTO edge_items (collection_id, edge, value, objectid) SELECT ?1, ?2, %[1]s, OBJECTID FROM %[2]s
			WHERE Category = %[3]d AND %[1]s IS NOT NULL ORDER BY %[1]s %[4]s, OBJECTID LIMIT %[5]d`,
			sp.expr(), quoteIdent(coll.Table()), CategoryPrimary, dir, edgeKeep),
	} {
		if _, err := tx.ExecContext(ctx, q, coll.ID, sp.edge); err != nil {
			return fmt.Errorf("find the edge items of %s: %w", coll.Name, err)
		}
	}
	return nil
}

// FillEdges fills all of coll's prefixes from its items (migrations, and
// `mosaic check` finds nothing else to do).
func (tx *Tx) FillEdges(ctx context.Context, coll *Collection) error {
	for _, sp := range coll.edges() {
		if err := tx.fillEdge(ctx, coll, sp); err != nil {
			return err
		}
	}
	return nil
}

// FillEmptiedEdges fills again those of coll's prefixes that removals
// emptied: a removal calls it when it finishes (UpdateBoundary does too).
func (tx *Tx) FillEmptiedEdges(ctx context.Context, coll *Collection) error {
	_, err := tx.fillEmptiedEdges(ctx, coll)
	return err
}

// fillEmptiedEdges is FillEmptiedEdges, returning the prefixes. A prefix
// that is still empty has no item to hold.
func (tx *Tx) fillEmptiedEdges(ctx context.Context, coll *Collection) (edgePrefixes, error) {
	p, err := tx.readEdges(ctx, coll)
	if err != nil {
		return p, err
	}
	emptied, err := tx.emptiedEdges(ctx, coll)
	if err != nil {
		return p, err
	}
	filled := false
	for _, sp := range coll.edges() {
		if emptied&(1<<sp.edge) != 0 {
			if err := tx.fillEdge(ctx, coll, sp); err != nil {
				return p, err
			}
			filled = true
		}
	}
	if filled {
		return tx.readEdges(ctx, coll)
	}
	return p, nil
}

// dropGoneEdges takes out of coll's prefixes the items that are no longer
// in its item table (a removal's), probing the table for each: a few
// hundred look-ups whatever the number of items removed. It marks the
// prefixes it empties.
func (tx *Tx) dropGoneEdges(ctx context.Context, coll *Collection) error {
	before, err := tx.keptEdges(ctx, coll)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM edge_items WHERE collection_id = ? AND NOT EXISTS (SELECT 1 FROM "+quoteIdent(coll.Table())+" AS i WHERE i.OBJECTID = edge_items.objectid)", coll.ID); err != nil {
		return fmt.Errorf("update the edge items of %s: %w", coll.Name, err)
	}
	after, err := tx.keptEdges(ctx, coll)
	if err != nil {
		return err
	}
	if emptied := before &^ after; emptied != 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE collections SET edges_emptied = edges_emptied | ? WHERE id = ?", emptied, coll.ID); err != nil {
			return fmt.Errorf("update the edge items of %s: %w", coll.Name, err)
		}
	}
	return nil
}

// keptEdges returns the edges whose prefix holds items, as bits.
func (tx *Tx) keptEdges(ctx context.Context, coll *Collection) (int64, error) {
	var bits int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(sum(1 << edge), 0) FROM (SELECT DISTINCT edge FROM edge_items WHERE collection_id = ?)", coll.ID).Scan(&bits); err != nil {
		return 0, fmt.Errorf("read the edge items of %s: %w", coll.Name, err)
	}
	return bits, nil
}

// emptiedEdges returns the edges whose prefix a removal emptied, as bits.
func (tx *Tx) emptiedEdges(ctx context.Context, coll *Collection) (int64, error) {
	var bits int64
	if err := tx.QueryRowContext(ctx, "SELECT edges_emptied FROM collections WHERE id = ?", coll.ID).Scan(&bits); err != nil {
		return 0, fmt.Errorf("read the edge items of %s: %w", coll.Name, err)
	}
	return bits, nil
}

// edgeCandidates collects, while items are added, those that must enter
// coll's prefixes: the ones that come before a prefix's last item, or, in a
// collection that was empty, the most extreme of all.
type edgeCandidates struct {
	last  [edgeCount]*edgeItem // the last item of each prefix; nil: take the most extreme
	skip  [edgeCount]bool      // prefix emptied by removals, or not kept: left alone
	found [edgeCount][]edgeItem
}

// newEdgeCandidates prepares to collect the candidates of items added to
// coll.
func (tx *Tx) newEdgeCandidates(ctx context.Context, coll *Collection) (*edgeCandidates, error) {
	p, err := tx.readEdges(ctx, coll)
	if err != nil {
		return nil, err
	}
	emptied, err := tx.emptiedEdges(ctx, coll)
	if err != nil {
		return nil, err
	}
	c := &edgeCandidates{}
	for e := range c.skip {
		c.skip[e] = true
	}
	for _, sp := range coll.edges() {
		e := sp.edge
		switch {
		case len(p[e]) > 0:
			last := p[e][len(p[e])-1]
			c.last[e] = &last
			c.skip[e] = false
		case emptied&(1<<e) == 0:
			// No item has a value for it: the added ones are the first.
			c.skip[e] = false
		}
	}
	return c, nil
}

// offerBounds considers an added primary item's bounds.
func (c *edgeCandidates) offerBounds(oid int64, bounds [4]float64) {
	for e, v := range bounds {
		c.offer(oid, e, v)
	}
}

// offerTime considers an added primary item's time, in seconds since 1970.
func (c *edgeCandidates) offerTime(oid int64, seconds float64) {
	c.offer(oid, edgeEarliest, seconds)
	c.offer(oid, edgeLatest, seconds)
}

// offer considers value v of an added primary item for edge e.
func (c *edgeCandidates) offer(oid int64, e int, v float64) {
	it := edgeItem{v, oid}
	if c.skip[e] || c.last[e] != nil && !before(e, it, *c.last[e]) {
		return
	}
	f := c.found[e]
	if len(f) == edgeKeep && !before(e, it, f[len(f)-1]) {
		return
	}
	i := sort.Search(len(f), func(i int) bool { return before(e, it, f[i]) })
	f = append(f, edgeItem{})
	copy(f[i+1:], f[i:])
	f[i] = it
	if len(f) > edgeKeep {
		f = f[:edgeKeep]
	}
	c.found[e] = f
}

// save puts the candidates into coll's prefixes and trims them to
// edgeKeep items.
func (tx *Tx) saveEdgeCandidates(ctx context.Context, coll *Collection, c *edgeCandidates) error {
	for e, f := range c.found {
		if len(f) == 0 {
			continue
		}
		for _, it := range f {
			if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO edge_items (collection_id, edge, value, objectid) VALUES (?, ?, ?, ?)", coll.ID, e, it.value, it.oid); err != nil {
				return fmt.Errorf("update the edge items of %s: %w", coll.Name, err)
			}
		}
		if err := tx.trimEdge(ctx, coll, e); err != nil {
			return err
		}
	}
	return nil
}

// trimEdge keeps the edgeKeep most extreme items of prefix e.
func (tx *Tx) trimEdge(ctx context.Context, coll *Collection, e int) error {
	dir := "DESC"
	if edgeMin[e] {
		dir = "ASC"
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM edge_items WHERE collection_id = ?1 AND edge = ?2 AND objectid NOT IN (
		SELECT objectid FROM edge_items WHERE collection_id = ?1 AND edge = ?2 ORDER BY value %s, objectid LIMIT %d)`, dir, edgeKeep), coll.ID, e)
	if err != nil {
		return fmt.Errorf("update the edge items of %s: %w", coll.Name, err)
	}
	return nil
}

// restoreEdges puts into coll's prefixes the items of the undo log, being
// restored, that come before a prefix's last item (or all, when coll was
// empty): one pass over the undo log, which sends only those items here.
func (tx *Tx) restoreEdges(ctx context.Context, coll *Collection, l *UndoLog) error {
	c, err := tx.newEdgeCandidates(ctx, coll)
	if err != nil {
		return err
	}
	cond, args := l.removed()
	specs := coll.edges()
	// Raw columns, with DATE values compared as the text they are (in
	// order, as the catalog writes them): the undo log is read under the
	// authorizer, which allows no function a where clause may not use.
	var conds []string
	for _, sp := range specs {
		e := sp.edge
		var last any
		if l := c.last[e]; l != nil {
			last = l.value
			if sp.time {
				last = time.Unix(int64(l.value), 0).UTC().Format(DateLayout)
			}
		}
		switch {
		case c.skip[e]:
		case last == nil:
			conds = append(conds, sp.column+" IS NOT NULL")
		case edgeMin[e]:
			conds = append(conds, sp.column+" <= ?")
			args = append(args, last)
		default:
			conds = append(conds, sp.column+" >= ?")
			args = append(args, last)
		}
	}
	if len(conds) == 0 {
		return nil
	}
	cols := make([]string, len(specs))
	for i, sp := range specs {
		cols[i] = sp.column
	}
	q := fmt.Sprintf("SELECT OBJECTID, %s FROM %s WHERE %s AND Category = %d AND (%s)",
		strings.Join(cols, ", "), quoteIdent(l.Table), cond, CategoryPrimary, strings.Join(conds, " OR "))
	var rows *sql.Rows
	err = tx.guardLog(ctx, l, nil, "", func() error {
		var err error
		rows, err = tx.QueryContext(ctx, q, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("read restored items: %w", err)
	}
	values := make([]any, len(specs))
	dest := make([]any, 1+len(specs))
	var oid int64
	dest[0] = &oid
	for i := range values {
		dest[1+i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return err
		}
		var b [4]float64
		known := 0
		for i := range b {
			if v, ok := values[i].(float64); ok {
				b[i] = v
				known++
			}
		}
		if known == 4 { // as an addition: bounds only when all four are known
			c.offerBounds(oid, b)
		}
		if len(specs) > 4 {
			if v, ok := dateSeconds(values[4]); ok {
				c.offerTime(oid, v)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return tx.saveEdgeCandidates(ctx, coll, c)
}

// UpdateBoundary sets coll's boundary to the extent of its primary items:
// the first item of each prefix, after filling again those that removals
// emptied (the only case where the items are read).
func (tx *Tx) UpdateBoundary(ctx context.Context, coll *Collection) error {
	if err := tx.dropGoneEdges(ctx, coll); err != nil {
		return err
	}
	p, err := tx.fillEmptiedEdges(ctx, coll)
	if err != nil {
		return err
	}
	for _, sp := range boundEdges {
		if len(p[sp.edge]) == 0 {
			return tx.storeBoundary(ctx, coll, nil) // no primary item
		}
	}
	return tx.storeBoundary(ctx, coll, &Extent{p[edgeXMin][0].value, p[edgeYMin][0].value, p[edgeXMax][0].value, p[edgeYMax][0].value})
}

// timeExtent returns the earliest and latest time of coll's primary
// items, from the first item of its time prefixes; nil when it has no time
// field or no item has a time.
func (tx *Tx) timeExtent(ctx context.Context, coll *Collection) (*[2]time.Time, error) {
	if _, ok := coll.TimeField(); !ok {
		return nil, nil
	}
	var lo, hi sql.NullFloat64
	if err := tx.QueryRowContext(ctx, "SELECT (SELECT min(value) FROM edge_items WHERE collection_id = ?1 AND edge = ?2), (SELECT max(value) FROM edge_items WHERE collection_id = ?1 AND edge = ?3)",
		coll.ID, edgeEarliest, edgeLatest).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("read the time extent of %s: %w", coll.Name, err)
	}
	emptied, err := tx.emptiedEdges(ctx, coll)
	if err != nil {
		return nil, err
	}
	if emptied&(1<<edgeEarliest|1<<edgeLatest) != 0 {
		// A removal still running emptied one: read the items.
		var expr string
		for _, sp := range coll.edges() {
			if sp.edge == edgeEarliest {
				expr = sp.expr()
			}
		}
		if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT min(%[1]s), max(%[1]s) FROM %[2]s WHERE Category = %[3]d", expr, quoteIdent(coll.Table()), CategoryPrimary)).Scan(&lo, &hi); err != nil {
			return nil, fmt.Errorf("read the time extent of %s: %w", coll.Name, err)
		}
	}
	if !lo.Valid || !hi.Valid {
		return nil, nil
	}
	return &[2]time.Time{time.Unix(int64(lo.Float64), 0).UTC(), time.Unix(int64(hi.Float64), 0).UTC()}, nil
}

// checkEdges verifies coll's prefixes: each item is in the collection with
// the value recorded, and no item that belongs before a prefix's last item
// is missing from it (one pass per edge).
func (tx *Tx) checkEdges(ctx context.Context, coll *Collection, add func(check, subject, format string, args ...any)) error {
	p, err := tx.readEdges(ctx, coll)
	if err != nil {
		return err
	}
	items := quoteIdent(coll.Table())
	specs := coll.edges()
	emptied, err := tx.emptiedEdges(ctx, coll)
	if err != nil {
		return err
	}
	kept := map[int]bool{}
	for _, sp := range specs {
		e := sp.edge
		kept[e] = true
		var wrong int64
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM edge_items AS x WHERE x.collection_id = ? AND x.edge = ? AND NOT EXISTS (
			SELECT 1 FROM %s AS i WHERE i.OBJECTID = x.objectid AND i.Category = %d AND %s = x.value)`, items, CategoryPrimary, sp.expr()), coll.ID, e).Scan(&wrong); err != nil {
			return err
		}
		if wrong > 0 {
			add("edges", coll.Name, "%d of the items kept for its %s edge are not in the collection as recorded", wrong, sp.label)
		}
		marked := emptied&(1<<e) != 0
		if marked && len(p[e]) > 0 {
			add("edges", coll.Name, "its %s edge is marked as emptied by a removal, but keeps %d items", sp.label, len(p[e]))
		}
		if len(p[e]) == 0 {
			if marked {
				continue // the removal fills it again as it finishes
			}
			var valued int64
			if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s WHERE Category = %d AND %s IS NOT NULL LIMIT 1)", items, CategoryPrimary, sp.expr())).Scan(&valued); err != nil {
				return err
			}
			if valued > 0 {
				add("edges", coll.Name, "no item is kept for its %s edge, but the collection has items with one", sp.label)
			}
			continue
		}
		last := p[e][len(p[e])-1]
		op := ">"
		if edgeMin[e] {
			op = "<"
		}
		var missing int64
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %[1]s AS i WHERE i.Category = %[2]d AND (%[3]s %[4]s ?1 OR %[3]s = ?1 AND i.OBJECTID < ?2)
			AND NOT EXISTS (SELECT 1 FROM edge_items AS x WHERE x.collection_id = ?3 AND x.edge = ?4 AND x.objectid = i.OBJECTID)`,
			items, CategoryPrimary, sp.expr(), op), last.value, last.oid, coll.ID, e).Scan(&missing); err != nil {
			return err
		}
		if missing > 0 {
			add("edges", coll.Name, "%d items that belong among those kept for its %s edge are missing from them", missing, sp.label)
		}
	}
	for e := range p {
		if !kept[e] && len(p[e]) > 0 {
			add("edges", coll.Name, "%d items are kept for edge %d, which it does not have", len(p[e]), e)
		}
	}
	return nil
}
