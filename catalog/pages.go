package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Paging. Clients page through a query with resultOffset, as ArcGIS
// documents; SQLite's OFFSET would read and skip every row before the page,
// so a client paging a 3,000,000-item collection would pay a scan per page.
// Instead the catalog remembers, per selection (collection, filter,
// direction), marks: "the item before offset N has OBJECTID K". A page at N
// then starts with OBJECTID > K (keyset pagination) and reads only itself.
// Each page leaves the marks of where it ends, so a client paging in order
// always finds the mark it needs; a jump deep into a selection never seen
// walks its OBJECTIDs once, leaving a mark every markStep items, so that
// later jumps are cheap too. The same entry remembers where the selection
// ends and how many items it has, so that the page after the last one, and
// a count asked again, cost nothing.
//
// Marks are valid for one state of the catalog: every entry carries the
// catalog's data version (dataVersion), which changes whenever any
// connection, of this process or another, commits. An entry of another
// version is never used. A query checks that the version did not change
// between its look-up and the start of its read transaction's snapshot;
// if it did, the query runs without marks and leaves none.

const (
	markStep      = 1000    // a walk leaves a mark every markStep items
	maxMarks      = 1 << 15 // marks per selection (32k marks: 32M items at markStep)
	maxEntries    = 256     // selections remembered
	walkThreshold = 4 * markStep
)

// pageCache holds the marks of the selections recently paged, and the
// connection that reads the catalog's data version.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]*pageEntry
	fifo    []string

	vmu    sync.Mutex
	vconn  *sql.Conn
	closed bool
}

// pageEntry is what is known of one selection at one data version.
type pageEntry struct {
	version int64
	offsets []int64 // sorted; offsets[i] has the OBJECTID before it in oids[i]
	oids    []int64
	end     int64 // an offset at or past the end; -1 when unknown
	total   int64 // the number of items; -1 when unknown
}

// dataVersion returns a number that changes whenever any connection to the
// catalog file commits: SQLite's PRAGMA data_version on a connection of its
// own, which never writes. (data_version only sees other connections'
// commits; every commit is another connection's to this one.)
func (p *pageCache) dataVersion(ctx context.Context, db *sql.DB) (int64, error) {
	p.vmu.Lock()
	defer p.vmu.Unlock()
	if p.closed {
		return 0, fmt.Errorf("catalog closed")
	}
	if p.vconn == nil {
		conn, err := db.Conn(ctx)
		if err != nil {
			return 0, err
		}
		p.vconn = conn
	}
	var v int64
	if err := p.vconn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		p.vconn.Close()
		p.vconn = nil
		return 0, err
	}
	return v, nil
}

// close releases the version connection; the catalog closes.
func (p *pageCache) close() {
	p.vmu.Lock()
	defer p.vmu.Unlock()
	p.closed = true
	if p.vconn != nil {
		p.vconn.Close()
		p.vconn = nil
	}
}

// key names a selection's items in order, whatever their fields.
func selectionKey(sel *Selection, desc bool) string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(sel.Collection.ID, 10))
	if desc {
		b.WriteString(" desc")
	}
	if sel.Distinct {
		b.WriteString(" distinct " + strings.Join(fieldNames(sel.Fields), ","))
	}
	cond, args := sel.filter()
	b.WriteString(cond)
	b.Write(JSON(args))
	return b.String()
}

// get returns a copy of the entry of key at version v, or a new one.
func (p *pageCache) get(key string, v int64) pageEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok || e.version != v {
		return pageEntry{version: v, end: -1, total: -1}
	}
	return *e // the slices are replaced, never changed in place, once stored
}

// update applies fn to the entry of key at version v, creating it.
func (p *pageCache) update(key string, v int64, fn func(e *pageEntry)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries == nil {
		p.entries = map[string]*pageEntry{}
	}
	e, ok := p.entries[key]
	if !ok {
		if len(p.fifo) >= maxEntries {
			delete(p.entries, p.fifo[0])
			p.fifo = p.fifo[1:]
		}
		p.fifo = append(p.fifo, key)
	}
	if !ok || e.version != v {
		if ok && e.version > v {
			return // a newer state is remembered already
		}
		e = &pageEntry{version: v, end: -1, total: -1}
		p.entries[key] = e
	}
	fn(e)
}

// mark returns the nearest mark at or before offset: its offset and the
// OBJECTID before it (0, 0 when none).
func (e *pageEntry) mark(offset int64) (int64, int64, bool) {
	i := sort.Search(len(e.offsets), func(i int) bool { return e.offsets[i] > offset })
	if i == 0 {
		return 0, 0, false
	}
	return e.offsets[i-1], e.oids[i-1], true
}

// addMarks adds marks (offset → OBJECTID before it). The slices are
// replaced, not changed, so that copies handed out by get stay valid.
func (e *pageEntry) addMarks(offs, oids []int64) {
	type mark struct{ off, oid int64 }
	add := make([]mark, 0, len(offs))
	for i, o := range offs {
		if o > 0 {
			add = append(add, mark{o, oids[i]})
		}
	}
	if len(add) == 0 {
		return
	}
	sort.Slice(add, func(a, b int) bool { return add[a].off < add[b].off })
	no := make([]int64, 0, len(e.offsets)+len(add))
	ni := make([]int64, 0, cap(no))
	i, j := 0, 0
	for i < len(e.offsets) || j < len(add) {
		switch {
		case j == len(add) || (i < len(e.offsets) && e.offsets[i] < add[j].off):
			no, ni = append(no, e.offsets[i]), append(ni, e.oids[i])
			i++
		case i < len(e.offsets) && e.offsets[i] == add[j].off:
			i++ // the same mark, found again
		default:
			if len(e.offsets) < maxMarks {
				no, ni = append(no, add[j].off), append(ni, add[j].oid)
			}
			j++
		}
	}
	e.offsets, e.oids = no, ni
}

// pager runs one page of a selection ordered by OBJECTID.
type pager struct {
	c       *Catalog
	sel     *Selection
	desc    bool
	key     string
	v       int64 // data version at the look-up; -1 when unknown
	entry   pageEntry
	trusted bool  // the snapshot is the state of version v
	from    int64 // the page's offset
	skip    int64 // rows the statement skips before the page
	past    bool  // the page is past the end: nothing to read or learn
	n       int64 // rows read
	last    [2]int64
}

func (p *pageCache) pager(c *Catalog, sel *Selection, desc bool) *pager {
	pg := &pager{c: c, sel: sel, desc: desc, key: selectionKey(sel, desc), v: -1}
	return pg
}

// pastEnd reports whether the page asked for is known to be past the end of
// the selection: then it is empty and nothing is read.
func (pg *pager) pastEnd(ctx context.Context) bool {
	v, err := pg.c.pages.dataVersion(ctx, pg.c.db)
	if err != nil {
		return false
	}
	pg.v = v
	pg.entry = pg.c.pages.get(pg.key, v)
	return pg.entry.end >= 0 && pg.sel.offset >= pg.entry.end && (pg.sel.offset > 0 || pg.entry.end == 0)
}

// plan returns the page's statement. Inside tx, whose snapshot has begun,
// it checks that the catalog is still at the version of the marks.
func (pg *pager) plan(ctx context.Context, tx *Tx, cols []string) (string, []any, error) {
	if pg.v >= 0 {
		if v, err := pg.c.pages.dataVersion(ctx, pg.c.db); err == nil && v == pg.v {
			pg.trusted = true
		}
	}
	if !pg.trusted {
		pg.entry = pageEntry{end: -1, total: -1}
	}
	off := pg.sel.offset
	markOff, markOID, found := pg.entry.mark(off)
	if off-markOff > walkThreshold && !pg.sel.Filtered() {
		// Every item, far from any mark: the count says whether the page
		// is past the end, and when OBJECTIDs have no gaps (a collection
		// nothing was deleted from) the mark is arithmetic.
		n, lo, hi, err := pg.bounds(ctx, tx)
		if err != nil {
			return "", nil, err
		}
		switch {
		case off >= n:
			pg.entry.end = n
			pg.c.pages.update(pg.key, pg.v, func(e *pageEntry) {
				if pg.trusted {
					e.end, e.total = n, n
				}
			})
		case hi-lo+1 == n && !pg.desc:
			markOff, markOID, found = off, lo+off-1, true
		case hi-lo+1 == n:
			markOff, markOID, found = off, hi-off+1, true
		}
	}
	if pg.entry.end >= 0 && off >= pg.entry.end && off > 0 {
		pg.past = true
		return "SELECT " + columnList(cols) + " FROM " + quoteIdent(pg.sel.table()) + " WHERE 0", nil, nil
	}
	if pg.trusted && off-markOff > walkThreshold {
		var err error
		if markOff, markOID, found, err = pg.walk(ctx, tx, markOff, markOID, found); err != nil {
			return "", nil, err
		}
	}
	pg.from, pg.skip = off, off-markOff
	var extra []string
	var args []any
	if found {
		if pg.desc {
			extra = append(extra, "OBJECTID < ?")
		} else {
			extra = append(extra, "OBJECTID > ?")
		}
		args = append(args, markOID)
	}
	cond, fargs := pg.sel.filter(extra...)
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s%s%s", columnList(cols), quoteIdent(pg.sel.table()), cond, pg.sel.orderSQL())
	writeLimit(&b, pg.sel.limit, off-markOff)
	return b.String(), append(append([]any(nil), fargs...), args...), nil
}

// bounds returns the number of items and their lowest and highest
// OBJECTID: the count from Tx.CountItems, the bounds from the rowid.
func (pg *pager) bounds(ctx context.Context, tx *Tx) (n, lo, hi int64, err error) {
	n = -1
	if pg.trusted {
		// The count of every item, if a count or an info asked it already.
		n = pg.c.pages.get(selectionKey(pg.sel, false), pg.v).total
	}
	if n < 0 {
		if n, err = tx.CountItems(ctx, pg.sel.Collection); err != nil {
			return 0, 0, 0, err
		}
	}
	t := quoteIdent(pg.sel.table())
	var l, h sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT (SELECT OBJECTID FROM "+t+" ORDER BY OBJECTID LIMIT 1), (SELECT OBJECTID FROM "+t+" ORDER BY OBJECTID DESC LIMIT 1)").Scan(&l, &h); err != nil {
		return 0, 0, 0, fmt.Errorf("read the OBJECTID bounds of %s: %w", pg.sel.Collection.Name, err)
	}
	return n, l.Int64, h.Int64, nil
}

// walk reads the OBJECTIDs from a mark to the page's offset, leaving a
// mark every markStep items, and returns the nearest mark to the offset.
func (pg *pager) walk(ctx context.Context, tx *Tx, markOff, markOID int64, found bool) (int64, int64, bool, error) {
	var extra []string
	var args []any
	if found {
		extra, args = []string{"OBJECTID > ?"}, []any{markOID}
		if pg.desc {
			extra[0] = "OBJECTID < ?"
		}
	}
	cond, fargs := pg.sel.filter(extra...)
	q := fmt.Sprintf("SELECT OBJECTID FROM %s%s%s LIMIT %d", quoteIdent(pg.sel.table()), cond, pg.sel.orderSQL(), pg.sel.offset-markOff)
	var offs, oids []int64
	var n int64
	err := tx.Guard(ctx, []string{pg.sel.table()}, "", func() error {
		rows, err := tx.QueryContext(ctx, q, append(append([]any(nil), fargs...), args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var oid int64
		for rows.Next() {
			if err := rows.Scan(&oid); err != nil {
				return err
			}
			n++
			if at := markOff + n; at%markStep == 0 || at == pg.sel.offset {
				offs, oids = append(offs, at), append(oids, oid)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return 0, 0, false, fmt.Errorf("page through %s: %w", pg.sel.Collection.Name, err)
	}
	if markOff+n < pg.sel.offset {
		// The selection ends before the page: remember where.
		total := markOff + n
		pg.c.pages.update(pg.key, pg.v, func(e *pageEntry) { e.end, e.total = total, total; e.addMarks(offs, oids) })
		pg.entry.end = total
	} else {
		pg.c.pages.update(pg.key, pg.v, func(e *pageEntry) { e.addMarks(offs, oids) })
	}
	if len(offs) == 0 {
		return markOff, markOID, found, nil
	}
	return offs[len(offs)-1], oids[len(oids)-1], true, nil
}

// row notes the OBJECTID of a row of the page.
func (pg *pager) row(oid int64) {
	pg.n++
	pg.last[0], pg.last[1] = pg.last[1], oid
}

// done leaves the marks of where the page ends (both after its last row
// and after the one before: clients ask for one row more than they show)
// and, when the page came short, where the selection ends.
func (pg *pager) done() {
	if !pg.trusted || pg.past {
		return
	}
	var offs, oids []int64
	if pg.n >= 1 {
		offs, oids = append(offs, pg.from+pg.n), append(oids, pg.last[1])
	}
	if pg.n >= 2 {
		offs, oids = append(offs, pg.from+pg.n-1), append(oids, pg.last[0])
	}
	short := pg.sel.limit == 0 || pg.n < pg.sel.limit
	pg.c.pages.update(pg.key, pg.v, func(e *pageEntry) {
		e.addMarks(offs, oids)
		switch {
		case !short:
		case pg.n > 0 || pg.skip == 0:
			e.end, e.total = pg.from+pg.n, pg.from+pg.n
		case e.end < 0 || pg.from < e.end:
			e.end = pg.from // the selection ends somewhere before the page
		}
	})
}

// count counts a selection, or remembers the count from the last time at
// this data version.
func (p *pageCache) count(ctx context.Context, c *Catalog, sel *Selection) (int64, error) {
	key := selectionKey(sel, false)
	v, verr := p.dataVersion(ctx, c.db)
	if verr == nil {
		if e := p.get(key, v); e.total >= 0 {
			return e.total, nil
		}
	}
	var n int64
	trusted := false
	err := c.View(ctx, func(tx *Tx) error {
		if !sel.Filtered() && !sel.Distinct {
			var err error
			if n, err = tx.CountItems(ctx, sel.Collection); err != nil {
				return err
			}
		} else {
			q, args := sel.countSQL()
			if err := tx.Guard(ctx, []string{sel.table()}, "", func() error {
				stmt, err := tx.PrepareContext(ctx, q)
				if err != nil {
					return err
				}
				defer stmt.Close()
				return clauseError(stmt.QueryRowContext(ctx, args...).Scan(&n), sel.clause)
			}); err != nil {
				return err
			}
		}
		if verr == nil {
			v2, err := p.dataVersion(ctx, c.db)
			trusted = err == nil && v2 == v
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count items of %s: %w", sel.Collection.Name, err)
	}
	if trusted {
		p.update(key, v, func(e *pageEntry) { e.total, e.end = n, n })
	}
	return n, nil
}
