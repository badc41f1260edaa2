package catalog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Problem is one way in which a catalog is broken, as `mosaic check` names
// it.
type Problem struct {
	Check   string `json:"check"`   // integrity, counter, boundary, undo-log, orphan-table, job …
	Subject string `json:"subject"` // what it is about: a collection, a table, a job
	Message string `json:"message"`
}

func (p Problem) String() string { return p.Check + ": " + p.Subject + ": " + p.Message }

// CheckOptions tell Check what belongs to the jobs package.
type CheckOptions struct {
	// UndoTables are the tables the jobs keep as undo logs.
	UndoTables map[string]bool
	// LooseBoundary are the collections whose boundary may be larger than
	// the extent of their items: a removal that stands was run without
	// updating it (updateBoundary false).
	LooseBoundary map[int64]bool
}

// schemaTables are the tables of migrations/*.sql, and SQLite's own.
var schemaTables = map[string]bool{
	"collections": true, "collection_fields": true, "jobs": true, "job_messages": true,
	"settings": true, "removed_lists": true, "edge_items": true, "sqlite_sequence": true,
}

var itemTableRE = regexp.MustCompile(`^items_([0-9]+)$`)

// maxIntegrityLines bounds the problems integrity_check's lines make.
const maxIntegrityLines = 20

// Check verifies the file (CheckFile) and, when it is sound, the
// catalog's own invariants (CheckInvariants). It returns the problems found,
// none when all is well.
func (c *Catalog) Check(ctx context.Context, opts CheckOptions) ([]Problem, error) {
	problems, err := c.CheckFile(ctx)
	if err != nil || len(problems) > 0 {
		return problems, err // the rest would read damaged data
	}
	return c.CheckInvariants(ctx, opts)
}

// CheckFile runs SQLite's integrity_check and foreign_key_check and returns
// what they report.
func (c *Catalog) CheckFile(ctx context.Context) ([]Problem, error) {
	var out []Problem
	add := func(check, subject, format string, args ...any) {
		out = append(out, Problem{Check: check, Subject: subject, Message: fmt.Sprintf(format, args...)})
	}
	if err := c.checkIntegrity(ctx, add); err != nil {
		return nil, fmt.Errorf("check catalog %s: %w", c.path, err)
	}
	return out, nil
}

// CheckInvariants verifies the catalog's own invariants: each collection
// has its item table, its item counter is its number of items, its
// boundary is the extent of its primary items; every table is a schema
// table, an item table or one of opts.UndoTables. It reads everything in
// one read transaction.
func (c *Catalog) CheckInvariants(ctx context.Context, opts CheckOptions) ([]Problem, error) {
	var out []Problem
	add := func(check, subject, format string, args ...any) {
		out = append(out, Problem{Check: check, Subject: subject, Message: fmt.Sprintf(format, args...)})
	}
	err := c.View(ctx, func(tx *Tx) error {
		colls, err := tx.scanCollections(ctx, "ORDER BY name")
		if err != nil {
			return err
		}
		tables := map[string]bool{}
		rows, err := tx.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table'")
		if err != nil {
			return err
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return err
			}
			tables[name] = true
		}
		rows.Close()
		known := map[string]bool{}
		for _, coll := range colls {
			known[coll.Table()] = true
			if !tables[coll.Table()] {
				add("collection", coll.Name, "its item table %s is missing", coll.Table())
				continue
			}
			if err := tx.checkCollection(ctx, coll, opts.LooseBoundary[coll.ID], add); err != nil {
				return err
			}
		}
		var names []string
		for name := range tables {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			switch {
			case schemaTables[name] || known[name] || opts.UndoTables[name] || strings.HasPrefix(name, "sqlite_stat"):
			case itemTableRE.MatchString(name):
				add("orphan-table", name, "an item table of no collection")
			default:
				add("orphan-table", name, "a table that belongs to nothing in the catalog (no collection, no job)")
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check catalog %s: %w", c.path, err)
	}
	return out, nil
}

// checkIntegrity runs SQLite's integrity_check and foreign_key_check, on a
// connection of its own outside any transaction: on a damaged file the
// statement fails after reporting, and so would the commit of a transaction
// around it.
func (c *Catalog) checkIntegrity(ctx context.Context, add func(check, subject, format string, args ...any)) error {
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return explain(c.path, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return explain(c.path, err)
	}
	found := 0
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		if s == "ok" {
			continue
		}
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "***") {
				continue
			}
			if found++; found > maxIntegrityLines {
				add("integrity", "file", "… and more (PRAGMA integrity_check lists them all)")
				break
			}
			add("integrity", "file", "%s", line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil && found == 0 {
		if ErrorCode(explain(c.path, err)) != Unavailable {
			return err
		}
		add("integrity", "file", "%v", err)
		found++
	}
	if found > 0 {
		return nil
	}
	rows, err = conn.QueryContext(ctx, "SELECT \"table\", coalesce(rowid, 0), parent FROM pragma_foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid int64
		if err := rows.Scan(&table, &rowid, &parent); err != nil {
			return err
		}
		add("integrity", table, "row %d refers to a missing row of %s", rowid, parent)
	}
	return rows.Err()
}

// checkCollection checks coll's counter, boundary and edge items.
func (tx *Tx) checkCollection(ctx context.Context, coll *Collection, loose bool, add func(check, subject, format string, args ...any)) error {
	var counted, counter int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*), (SELECT item_count FROM collections WHERE id = ?) FROM "+quoteIdent(coll.Table()), coll.ID).Scan(&counted, &counter); err != nil {
		return fmt.Errorf("count items of %s: %w", coll.Name, err)
	}
	if counted != counter {
		add("counter", coll.Name, "the item counter says %d, the item table holds %d", counter, counted)
	}
	e, err := tx.extent(ctx, fmt.Sprintf("SELECT min(XMin), min(YMin), max(XMax), max(YMax) FROM %s WHERE Category = %d", quoteIdent(coll.Table()), CategoryPrimary))
	if err != nil {
		return fmt.Errorf("extent of %s: %w", coll.Name, err)
	}
	b := coll.Boundary
	switch {
	case e == nil && b == nil:
	case e == nil && !loose:
		add("boundary", coll.Name, "the boundary is %s, but there are no primary items", b)
	case e != nil && b == nil:
		add("boundary", coll.Name, "there is no boundary, but the primary items cover %s", e)
	case e != nil && loose && !(b.XMin <= e.XMin && b.YMin <= e.YMin && b.XMax >= e.XMax && b.YMax >= e.YMax):
		add("boundary", coll.Name, "the boundary %s does not contain the primary items' extent %s", b, e)
	case e != nil && !loose && *b != *e:
		add("boundary", coll.Name, "the boundary is %s, the primary items' extent %s", b, e)
	}
	return tx.checkEdges(ctx, coll, add)
}

func (e *Extent) String() string {
	return fmt.Sprintf("[%g, %g, %g, %g]", e.XMin, e.YMin, e.XMax, e.YMax)
}

// Backup writes a consistent copy of the catalog to dest (VACUUM INTO: a
// read transaction, so jobs keep running meanwhile, and the copy is
// compact). It never overwrites: a dest that exists is refused, and the
// copy is written next to it under a temporary name, then linked into
// place, so that dest is either absent or complete. It returns the size of
// the copy.
func (c *Catalog) Backup(ctx context.Context, dest string) (int64, error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return 0, ParamErrorf("file", "backup %s: %v", dest, err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return 0, ParamErrorf("file", "backup %s: the file exists; mosaic backup never overwrites a file", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, ParamErrorf("file", "backup %s: %v", dest, errors.Unwrap(err))
	}
	if info, err := os.Stat(filepath.Dir(abs)); err != nil || !info.IsDir() {
		return 0, ParamErrorf("file", "backup %s: folder %s does not exist", dest, filepath.Dir(abs))
	}
	var b [6]byte
	rand.Read(b[:])
	tmp := abs + ".tmp-" + hex.EncodeToString(b[:])
	defer os.Remove(tmp)
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return 0, explain(c.path, err)
	}
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", tmp)
	conn.Close()
	if err != nil {
		return 0, fmt.Errorf("backup %s: %w", dest, explain(c.path, err))
	}
	if err := syncFile(tmp); err != nil {
		return 0, fmt.Errorf("backup %s: %w", dest, err)
	}
	if err := os.Link(tmp, abs); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return 0, ParamErrorf("file", "backup %s: the file appeared meanwhile; mosaic backup never overwrites a file", dest)
		}
		return 0, fmt.Errorf("backup %s: %w", dest, err)
	}
	syncFile(filepath.Dir(abs))
	info, err := os.Stat(abs)
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// syncFile flushes a file or folder to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
