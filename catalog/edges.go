package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// The boundary of a collection is the extent of its primary items. Computing
// it again after a removal reads the whole collection when a removed item
// held an edge (at a million items, a third of a 1% delete). So each
// collection keeps, for each of the four edges, its most extreme primary
// items: the table edge_items holds, per edge, a prefix of the items
// ordered from the most extreme (the smallest XMin, YMin, the largest XMax,
// YMax; ties by OBJECTID) — if an item is there, every item before it in
// that order is too. A removal takes its removed items out of the prefixes
// (a prefix stays a prefix); an addition or a restore puts in those that
// come before a prefix's last item; the boundary is then the first item of
// each prefix. A prefix that removals emptied is filled again from the
// items, the only time they are read. Prefixes hold at most edgeKeep items.

// edgeKeep is how many items a prefix holds. A removal empties one only if
// it removes all of them.
const edgeKeep = 64

// edgeColumns are the columns of the four edges, and whether the smallest
// (true) or the largest value is the most extreme.
var edgeColumns = [4]struct {
	name string
	min  bool
}{{"XMin", true}, {"YMin", true}, {"XMax", false}, {"YMax", false}}

// edgeItem is an item of a prefix.
type edgeItem struct {
	value float64
	oid   int64
}

// before reports whether a comes before b in the order of edge e.
func before(e int, a, b edgeItem) bool {
	if a.value != b.value {
		return (a.value < b.value) == edgeColumns[e].min
	}
	return a.oid < b.oid
}

// edgePrefixes are the four prefixes of a collection, each ordered.
type edgePrefixes [4][]edgeItem

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
		if e >= 0 && e < 4 {
			p[e] = append(p[e], it)
		}
	}
	for e := range p {
		sort.Slice(p[e], func(i, j int) bool { return before(e, p[e][i], p[e][j]) })
	}
	return p, rows.Err()
}

// fillEdge fills prefix e of coll again from its items: the edgeKeep most
// extreme, in one pass.
func (tx *Tx) fillEdge(ctx context.Context, coll *Collection, e int) error {
	c := edgeColumns[e]
	dir := "DESC"
	if c.min {
		dir = "ASC"
	}
	for _, q := range []string{
		"DELETE FROM edge_items WHERE collection_id = ?1 AND edge = ?2",
		fmt.Sprintf(`INSERT INTO edge_items (collection_id, edge, value, objectid) SELECT ?1, ?2, %[1]s, OBJECTID FROM %[2]s
			WHERE Category = %[3]d AND %[1]s IS NOT NULL ORDER BY %[1]s %[4]s, OBJECTID LIMIT %[5]d`,
			quoteIdent(c.name), quoteIdent(coll.Table()), CategoryPrimary, dir, edgeKeep),
	} {
		if _, err := tx.ExecContext(ctx, q, coll.ID, e); err != nil {
			return fmt.Errorf("find the edge items of %s: %w", coll.Name, err)
		}
	}
	return nil
}

// FillEdges fills coll's four prefixes from its items (migration 4, and
// `mosaic check` finds nothing else to do).
func (tx *Tx) FillEdges(ctx context.Context, coll *Collection) error {
	for e := range edgeColumns {
		if err := tx.fillEdge(ctx, coll, e); err != nil {
			return err
		}
	}
	return nil
}

// dropGoneEdges takes out of coll's prefixes the items that are no longer
// in its item table (a removal's), probing the table for each: a few
// hundred look-ups whatever the number of items removed.
func (tx *Tx) dropGoneEdges(ctx context.Context, coll *Collection) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM edge_items WHERE collection_id = ? AND NOT EXISTS (SELECT 1 FROM "+quoteIdent(coll.Table())+" AS i WHERE i.OBJECTID = edge_items.objectid)", coll.ID)
	if err != nil {
		return fmt.Errorf("update the edge items of %s: %w", coll.Name, err)
	}
	return nil
}

// edgeCandidates collects, while items are added, those that must enter
// coll's prefixes: the ones that come before a prefix's last item, or, in a
// collection that was empty, the most extreme of all.
type edgeCandidates struct {
	last  [4]*edgeItem // the last item of each prefix; nil: take the most extreme
	skip  [4]bool      // prefix emptied by removals: left to be filled again
	found [4][]edgeItem
}

// newEdgeCandidates prepares to collect the candidates of items added to
// coll, which held n items before.
func (tx *Tx) newEdgeCandidates(ctx context.Context, coll *Collection, n int64) (*edgeCandidates, error) {
	p, err := tx.readEdges(ctx, coll)
	if err != nil {
		return nil, err
	}
	c := &edgeCandidates{}
	for e := range p {
		switch {
		case len(p[e]) > 0:
			last := p[e][len(p[e])-1]
			c.last[e] = &last
		case n > 0:
			c.skip[e] = true
		}
	}
	return c, nil
}

// offer considers an added primary item's bounds.
func (c *edgeCandidates) offer(oid int64, bounds [4]float64) {
	for e, v := range bounds {
		it := edgeItem{v, oid}
		if c.skip[e] || c.last[e] != nil && !before(e, it, *c.last[e]) {
			continue
		}
		f := c.found[e]
		if len(f) == edgeKeep && !before(e, it, f[len(f)-1]) {
			continue
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
	if edgeColumns[e].min {
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
func (tx *Tx) restoreEdges(ctx context.Context, coll *Collection, l *UndoLog, countBefore int64) error {
	c, err := tx.newEdgeCandidates(ctx, coll, countBefore)
	if err != nil {
		return err
	}
	cond, args := l.removed()
	var conds []string
	for e, col := range edgeColumns {
		switch {
		case c.skip[e]:
		case c.last[e] == nil:
			conds = append(conds, "1")
		case col.min:
			conds = append(conds, fmt.Sprintf("%s <= ?", quoteIdent(col.name)))
			args = append(args, c.last[e].value)
		default:
			conds = append(conds, fmt.Sprintf("%s >= ?", quoteIdent(col.name)))
			args = append(args, c.last[e].value)
		}
	}
	if len(conds) == 0 {
		return nil
	}
	q := fmt.Sprintf("SELECT OBJECTID, XMin, YMin, XMax, YMax FROM %s WHERE %s AND Category = %d AND XMin IS NOT NULL AND YMin IS NOT NULL AND XMax IS NOT NULL AND YMax IS NOT NULL AND (%s)",
		quoteIdent(l.Table), cond, CategoryPrimary, joinOr(conds))
	var rows *sql.Rows
	err = tx.guardLog(ctx, l, nil, "", func() error {
		var err error
		rows, err = tx.QueryContext(ctx, q, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("read restored items: %w", err)
	}
	for rows.Next() {
		var oid int64
		var b [4]float64
		if err := rows.Scan(&oid, &b[0], &b[1], &b[2], &b[3]); err != nil {
			rows.Close()
			return err
		}
		c.offer(oid, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return tx.saveEdgeCandidates(ctx, coll, c)
}

func joinOr(conds []string) string {
	s := conds[0]
	for _, c := range conds[1:] {
		s += " OR " + c
	}
	return s
}

// UpdateBoundary sets coll's boundary to the extent of its primary items:
// the first item of each prefix, after filling again those that removals
// emptied (the only case where the items are read).
func (tx *Tx) UpdateBoundary(ctx context.Context, coll *Collection) error {
	if err := tx.dropGoneEdges(ctx, coll); err != nil {
		return err
	}
	p, err := tx.readEdges(ctx, coll)
	if err != nil {
		return err
	}
	var e Extent
	for i := range p {
		if len(p[i]) == 0 {
			if err := tx.fillEdge(ctx, coll, i); err != nil {
				return err
			}
			if p, err = tx.readEdges(ctx, coll); err != nil {
				return err
			}
			if len(p[i]) == 0 {
				return tx.storeBoundary(ctx, coll, nil) // no primary item
			}
		}
		v := p[i][0].value
		switch i {
		case 0:
			e.XMin = v
		case 1:
			e.YMin = v
		case 2:
			e.XMax = v
		case 3:
			e.YMax = v
		}
	}
	return tx.storeBoundary(ctx, coll, &e)
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
	for e, col := range edgeColumns {
		var wrong int64
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM edge_items AS x WHERE x.collection_id = ? AND x.edge = ? AND NOT EXISTS (
			SELECT 1 FROM %s AS i WHERE i.OBJECTID = x.objectid AND i.Category = %d AND i.%s = x.value)`, items, CategoryPrimary, quoteIdent(col.name)), coll.ID, e).Scan(&wrong); err != nil {
			return err
		}
		if wrong > 0 {
			add("edges", coll.Name, "%d of the items kept for its %s edge are not in the collection as recorded", wrong, col.name)
		}
		if len(p[e]) == 0 {
			continue
		}
		last := p[e][len(p[e])-1]
		op := ">"
		if col.min {
			op = "<"
		}
		var missing int64
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %[1]s AS i WHERE i.Category = %[2]d AND (i.%[3]s %[4]s ?1 OR i.%[3]s = ?1 AND i.OBJECTID < ?2)
			AND NOT EXISTS (SELECT 1 FROM edge_items AS x WHERE x.collection_id = ?3 AND x.edge = ?4 AND x.objectid = i.OBJECTID)`,
			items, CategoryPrimary, quoteIdent(col.name), op), last.value, last.oid, coll.ID, e).Scan(&missing); err != nil {
			return err
		}
		if missing > 0 {
			add("edges", coll.Name, "%d items that belong among those kept for its %s edge are missing from them", missing, col.name)
		}
	}
	return nil
}
