package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"mosaic/where"
)

// The operations below are the steps the jobs package composes into
// DeleteImage, DeleteImageCollection and their undo. Each runs inside the
// caller's transaction. An undo table has the item table's columns and holds
// the rows a job claimed: it is the job's snapshot (what it deletes, fixed
// at submission) and its undo log (the rows as they were) at once.

// Claim creates undoTable and copies into it every item of coll that clause
// selects, except those already claimed by the tables in exclude (the undo
// tables of other unfinished jobs on coll), so that no item belongs to two
// pending jobs. It returns the number of items claimed. The clause runs
// under the authorizer: it may read only coll's tables.
func (tx *Tx) Claim(ctx context.Context, coll *Collection, clause *where.Clause, undoTable string, exclude []string) (int64, error) {
	if _, err := tx.ExecContext(ctx, itemTableDDL(undoTable, coll.Fields, true)); err != nil {
		return 0, fmt.Errorf("create undo table %s: %w", undoTable, err)
	}
	cols := columnList(coll.columns())
	q := fmt.Sprintf("INSERT INTO %s (%s) %s", quoteIdent(undoTable), cols, matchingSQL(coll, cols, clause, exclude))
	var n int64
	err := tx.Guard(ctx, append([]string{coll.Table()}, exclude...), undoTable, func() error {
		stmt, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer stmt.Close()
		res, err := stmt.ExecContext(ctx, clause.Args...)
		if err != nil {
			return clauseError(err, clause)
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("snapshot items of %s: %w", coll.Name, err)
	}
	return n, nil
}

// MatchingItems calls fn, in OBJECTID order, for each item that Claim
// would claim now with the same clause and exclude, and claims nothing: a
// dry run sees what a submission will take.
func (tx *Tx) MatchingItems(ctx context.Context, coll *Collection, clause *where.Clause, exclude []string, fn func(ItemRef) error) error {
	var rows *sql.Rows
	var stmt *sql.Stmt
	err := tx.Guard(ctx, append([]string{coll.Table()}, exclude...), "", func() error {
		var err error
		if stmt, err = tx.PrepareContext(ctx, matchingSQL(coll, `"OBJECTID", "Name"`, clause, exclude)); err != nil {
			return err
		}
		rows, err = stmt.QueryContext(ctx, clause.Args...)
		return clauseError(err, clause)
	})
	if stmt != nil {
		defer stmt.Close() // after the rows
	}
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

// matchingSQL selects cols of coll's items that clause selects and no
// table in exclude holds, in OBJECTID order.
func matchingSQL(coll *Collection, cols string, clause *where.Clause, exclude []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s WHERE %s", cols, quoteIdent(coll.Table()), clause.SQL)
	for _, t := range exclude {
		fmt.Fprintf(&b, " AND OBJECTID NOT IN (SELECT OBJECTID FROM %s)", quoteIdent(t))
	}
	b.WriteString(" ORDER BY OBJECTID")
	return b.String()
}

// RemoveBatch deletes from coll the next claimed items after OBJECTID
// after, at most limit of them. It returns the highest OBJECTID of the batch
// (the new cursor) and how many items were deleted; last == after means the
// snapshot is exhausted.
func (tx *Tx) RemoveBatch(ctx context.Context, coll *Collection, undoTable string, after int64, limit int) (last, removed int64, err error) {
	undo := quoteIdent(undoTable)
	var ub sql.NullInt64
	err = tx.QueryRowContext(ctx, "SELECT OBJECTID FROM "+undo+" WHERE OBJECTID > ? ORDER BY OBJECTID LIMIT 1 OFFSET ?", after, limit-1).Scan(&ub)
	if err == sql.ErrNoRows {
		err = tx.QueryRowContext(ctx, "SELECT max(OBJECTID) FROM "+undo+" WHERE OBJECTID > ?", after).Scan(&ub)
	}
	if err != nil {
		return after, 0, fmt.Errorf("next batch of %s: %w", undoTable, err)
	}
	if !ub.Valid {
		return after, 0, nil
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM "+quoteIdent(coll.Table())+" WHERE OBJECTID IN (SELECT OBJECTID FROM "+undo+" WHERE OBJECTID > ? AND OBJECTID <= ?)", after, ub.Int64)
	if err != nil {
		return after, 0, fmt.Errorf("delete items of %s: %w", coll.Name, err)
	}
	removed, err = res.RowsAffected()
	if err != nil {
		return after, 0, err
	}
	return ub.Int64, removed, nil
}

// MarkOverviewsStale marks as Stale the overview items (Category 2) of coll
// whose footprint's extent meets the extent of a primary item removed by
// the job (the rows of undoTable up to OBJECTID upTo), and returns the
// OBJECTIDs it marked, so that undo can clear them again.
func (tx *Tx) MarkOverviewsStale(ctx context.Context, coll *Collection, undoTable string, upTo int64) ([]int64, error) {
	items := quoteIdent(coll.Table())
	q := fmt.Sprintf(`UPDATE %[1]s SET Stale = 1 WHERE Category = %[3]d AND Stale = 0 AND EXISTS (
		SELECT 1 FROM %[2]s AS u WHERE u.OBJECTID <= ? AND u.Category = %[4]d
		AND u.XMin <= %[1]s.XMax AND u.XMax >= %[1]s.XMin AND u.YMin <= %[1]s.YMax AND u.YMax >= %[1]s.YMin)
		RETURNING OBJECTID`, items, quoteIdent(undoTable), CategoryOverview, CategoryPrimary)
	rows, err := tx.QueryContext(ctx, q, upTo)
	if err != nil {
		return nil, fmt.Errorf("mark overviews of %s stale: %w", coll.Name, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// OverviewCovers reports whether overview id of coll meets the extent of a
// primary item in undoTable up to OBJECTID upTo (removed by that job).
func (tx *Tx) OverviewCovers(ctx context.Context, coll *Collection, id int64, undoTable string, upTo int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %s AS o WHERE o.OBJECTID = ? AND EXISTS (
		SELECT 1 FROM %s AS u WHERE u.OBJECTID <= ? AND u.Category = %d
		AND u.XMin <= o.XMax AND u.XMax >= o.XMin AND u.YMin <= o.YMax AND u.YMax >= o.YMin)`,
		quoteIdent(coll.Table()), quoteIdent(undoTable), CategoryPrimary), id, upTo).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check overview %d: %w", id, err)
	}
	return n > 0, nil
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

// Restore puts back into coll the rows of undoTable up to OBJECTID upTo
// (those the job deleted), with their own OBJECTIDs and values. It returns
// the number of items restored.
func (tx *Tx) Restore(ctx context.Context, coll *Collection, undoTable string, upTo int64) (int64, error) {
	cols := columnList(coll.columns())
	res, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s WHERE OBJECTID <= ? ORDER BY OBJECTID",
		quoteIdent(coll.Table()), cols, cols, quoteIdent(undoTable)), upTo)
	if err != nil {
		return 0, fmt.Errorf("restore items of %s: %w", coll.Name, err)
	}
	return res.RowsAffected()
}

// ItemRef names an item: what a dry run lists and a job's audit of the
// items it removed.
type ItemRef struct {
	OBJECTID int64  `json:"OBJECTID"`
	Name     string `json:"Name"`
}

// RemovedItems calls fn for each row of undoTable up to OBJECTID upTo, in
// OBJECTID order.
func (tx *Tx) RemovedItems(ctx context.Context, undoTable string, upTo int64, fn func(ItemRef) error) error {
	rows, err := tx.QueryContext(ctx, "SELECT OBJECTID, Name FROM "+quoteIdent(undoTable)+" WHERE OBJECTID <= ? ORDER BY OBJECTID", upTo)
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

// DetachedCollection is what DeleteImageCollection keeps to undo itself:
// the collection's definition. Its items stay in the renamed item table.
type DetachedCollection struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	ItemID   string  `json:"itemId"`
	SRS      string  `json:"srs"`
	Fields   []field `json:"fields"`
	Boundary *Extent `json:"boundary,omitempty"`
	Created  string  `json:"created"`
	Updated  string  `json:"updated"`
}

type field struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// DetachCollection removes coll from the catalog: its definition is
// returned (as JSON) for undo, and its item table is renamed to undoTable,
// whole and unchanged. It takes constant time whatever the number of items.
func (tx *Tx) DetachCollection(ctx context.Context, coll *Collection, undoTable string) ([]byte, error) {
	d := DetachedCollection{ID: coll.ID, Name: coll.Name, ItemID: coll.ItemID, SRS: coll.SRS, Boundary: coll.Boundary,
		Created: timestamp(coll.Created), Updated: timestamp(coll.Updated)}
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO collections (id, name, item_id, srs, xmin, ymin, xmax, ymax, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		d.ID, d.Name, d.ItemID, d.SRS, xmin, ymin, xmax, ymax, d.Created, timestamp(tx.Now)); err != nil {
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
