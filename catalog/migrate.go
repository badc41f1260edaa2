package catalog

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A migration brings the schema from level version-1 to version. Its SQL
// (migrations/NNNN_name.sql) runs in one transaction with the steps that
// need Go (after); what SQLite cannot do in a transaction (VACUUM) runs
// before it, and must be safe to run again if the process dies between the
// two.
type migration struct {
	version int
	name    string
	sql     string
	before  func(ctx context.Context, c *Catalog) error
	after   func(ctx context.Context, tx *Tx) error
}

// migrationSteps are the Go parts of migrations, by version.
var migrationSteps = map[int]struct {
	before func(ctx context.Context, c *Catalog) error
	after  func(ctx context.Context, tx *Tx) error
}{
	2: {after: migrateJobsAndCounts},
	3: {before: vacuumToIncremental},
	4: {after: migrateEdges},
	5: {after: migrateTimeEdges},
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		steps := migrationSteps[v]
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b), before: steps.before, after: steps.after})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema level this mosaic writes.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

// migrate brings the file to the latest schema, one migration per
// transaction, so that a crash leaves it at a whole level. A file from a
// newer mosaic is refused before anything is written.
func (c *Catalog) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return Errorf(Internal, "catalog migrations: %w", err)
	}
	version, err := c.readVersion(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms[version:] {
		if m.before != nil {
			if err := m.before(ctx, c); err != nil {
				return fmt.Errorf("migrate catalog %s: %s: %w", c.path, m.name, explain(c.path, err))
			}
		}
		err := c.Update(ctx, func(tx *Tx) error {
			// Another process may have migrated while we waited for the lock.
			var now int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&now); err != nil {
				return err
			}
			if now >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply %s: %w", m.name, err)
			}
			if m.after != nil {
				if err := m.after(ctx, tx); err != nil {
					return fmt.Errorf("apply %s: %w", m.name, err)
				}
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate catalog %s: %w", c.path, explain(c.path, err))
		}
	}
	return nil
}

// readVersion returns the schema level, refusing SQLite files that belong to
// something else (see checkVersion).
func (c *Catalog) readVersion(ctx context.Context) (int, error) {
	return readVersion(ctx, c.db, c.path)
}

const versionQuery = "SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id), (SELECT count(*) FROM sqlite_schema)"

func readVersion(ctx context.Context, db *sql.DB, path string) (int, error) {
	var version, appID, tables int
	if err := db.QueryRowContext(ctx, versionQuery).Scan(&version, &appID, &tables); err != nil {
		return 0, explain(path, fmt.Errorf("read catalog %s: %w", path, err))
	}
	if err := checkVersion(path, version, appID, tables); err != nil {
		return 0, err
	}
	return version, nil
}

// checkVersion decides from its header fields whether a file is a catalog
// this mosaic can use: an empty SQLite database (to be created), or one
// with mosaic's application id at a schema level from 1 to SchemaVersion.
// Anything else is refused, before anything is written.
func checkVersion(path string, version, appID, tables int) error {
	switch {
	case appID != applicationID && (appID != 0 || tables > 0):
		return Errorf(Unavailable, "catalog %s is an SQLite database but not a mosaic catalog", path)
	case version > SchemaVersion():
		return Errorf(Unavailable, "catalog %s was written by a newer mosaic (schema version %d; this mosaic knows up to %d): upgrade mosaic to use it", path, version, SchemaVersion())
	case version < 0:
		return Errorf(Unavailable, "catalog %s is damaged: its schema version is %d, which no mosaic writes (was PRAGMA user_version changed by hand?)", path, version)
	case version == 0 && tables > 0:
		return Errorf(Unavailable, "catalog %s is damaged: it has tables but schema version 0, so mosaic cannot tell which migrations it has (was PRAGMA user_version changed by hand?)", path)
	}
	return nil
}

// sqliteMagic begins every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// inspect refuses a file that Open would refuse, before the DSN's
// journal_mode(WAL) pragma or a migration can change a byte of it: a file
// mosaic refuses stays as it was, and so does the folder around it. A
// missing or empty file is a new catalog. Otherwise the schema level, the
// application id and whether there are tables come from the file's header
// and first page (see fileHeader); when a write-ahead log or a rollback
// journal may hold newer pages than the file, they come from a read-only
// connection without pragmas, which changes nothing.
func inspect(ctx context.Context, abs, path string) error {
	h, err := fileHeader(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return Errorf(Unavailable, "catalog %s: %v", path, err)
	case h == nil:
		return nil // empty: SQLite creates the database
	case !h.sqlite:
		return Errorf(Unavailable, "catalog %s is not a mosaic catalog (not an SQLite database)", path)
	case h.short:
		return Errorf(Unavailable, "catalog %s is damaged: it is too short for an SQLite database", path)
	}
	if !nonEmpty(abs+"-wal") && !nonEmpty(abs+"-journal") {
		return checkVersion(path, h.version, h.appID, h.tables)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	db, err := sql.Open("sqlite", u.String()+"?mode=ro&_pragma=busy_timeout("+strconv.Itoa(int(busyTimeout/time.Millisecond))+")")
	if err != nil {
		return Errorf(Unavailable, "open catalog %s: %w", path, err)
	}
	defer db.Close()
	_, err = readVersion(ctx, db, path)
	return err
}

// header is what the first page of an SQLite file says.
type header struct {
	sqlite         bool // it begins with the SQLite magic
	short          bool // but ends before its first page's header
	version, appID int  // PRAGMA user_version and application_id
	tables         int  // 0 when sqlite_schema is empty, else 1
}

// fileHeader reads the database header (https://sqlite.org/fileformat.html:
// user_version at offset 60, application_id at 68, both big-endian) and the
// b-tree header of sqlite_schema, which starts page 1 at offset 100: a leaf
// (0x0d) with no cells means no tables. It returns nil for an empty file.
func fileHeader(abs string) (*header, error) {
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, 108)
	n, err := io.ReadFull(f, b)
	if n == 0 && err == io.EOF {
		return nil, nil
	}
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	b = b[:n]
	if n < len(sqliteMagic) || string(b[:len(sqliteMagic)]) != sqliteMagic {
		return &header{}, nil
	}
	if n < 108 {
		return &header{sqlite: true, short: true}, nil
	}
	h := &header{sqlite: true, version: int(int32(binary.BigEndian.Uint32(b[60:]))), appID: int(int32(binary.BigEndian.Uint32(b[68:])))}
	if b[100] != 0x0d || binary.BigEndian.Uint16(b[103:]) > 0 {
		h.tables = 1
	}
	return h, nil
}

// nonEmpty reports whether the file at path exists and is not empty.
func nonEmpty(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Size() > 0
}

// vacuumToIncremental is migration 3: auto_vacuum=INCREMENTAL, so that
// purged undo logs give their space back. SQLite changes the auto_vacuum
// mode of a file that has tables only by rewriting it whole with VACUUM,
// which cannot run inside a transaction. VACUUM is atomic (it commits
// through the WAL like any transaction), so a crash leaves the file as it
// was or converted, and running it again is harmless. A new catalog is
// converted right after its first tables are created, in no time. (The
// setting cannot go in the DSN: PRAGMA auto_vacuum writes the file's header
// each time it runs, even when the mode does not change.)
func vacuumToIncremental(ctx context.Context, c *Catalog) error {
	release, err := c.queueWriter(ctx)
	if err != nil {
		return err
	}
	defer release()
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var mode int
	if err := conn.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&mode); err != nil {
		return err
	}
	if mode == 2 {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("rewrite the file for incremental vacuum: %w", err)
	}
	return nil
}

// migrateJobsAndCounts is the Go part of migration 2: it fills the item
// counter of each collection, and carries the DeleteImage jobs of older
// mosaics over to the design of this one (see jobs: what a job removes is
// fixed by its clause, the highest OBJECTID at submission and the time of
// submission; its undo table holds the rows it removed).
//
// Older jobs copied the matching rows to their undo table at submission
// (their snapshot) and deleted them in OBJECTID order up to their cursor.
// The rows of a snapshot above the cursor were never deleted: they are
// dropped from the undo table, so that it holds exactly what was removed.
// A job that was still to finish gets the clause it was submitted with,
// bound to its submission time, and its snapshot's highest OBJECTID as its
// limit: it then finishes by clause, like a job of this mosaic.
func migrateJobsAndCounts(ctx context.Context, tx *Tx) error {
	colls, err := tx.scanCollections(ctx, "")
	if err != nil {
		return err
	}
	for _, coll := range colls {
		if _, err := tx.ExecContext(ctx, "UPDATE collections SET item_count = (SELECT count(*) FROM "+quoteIdent(coll.Table())+") WHERE id = ?", coll.ID); err != nil {
			return fmt.Errorf("count items of %s: %w", coll.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE jobs SET strategy = 'collection' WHERE task = 'DeleteImageCollection' AND undo_table IS NOT NULL"); err != nil {
		return err
	}
	type legacy struct {
		seq, collID, cursor int64
		undo, status, where string
		submitted           string
		undone              bool
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, coalesce(collection_id, 0), cursor, undo_table, status, json_extract(inputs, '$.where'), submitted, undone_by IS NOT NULL
		FROM jobs WHERE task = 'DeleteImage' AND undo_table IS NOT NULL`)
	if err != nil {
		return err
	}
	var jobs []legacy
	for rows.Next() {
		var j legacy
		var w sql.NullString
		if err := rows.Scan(&j.seq, &j.collID, &j.cursor, &j.undo, &j.status, &w, &j.submitted, &j.undone); err != nil {
			rows.Close()
			return err
		}
		j.where = w.String
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, j := range jobs {
		undo := quoteIdent(j.undo)
		ok, err := tx.TableExists(ctx, j.undo)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		var high int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(OBJECTID), 0) FROM "+undo).Scan(&high); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+undo+" WHERE OBJECTID > ?", j.cursor); err != nil {
			return fmt.Errorf("trim undo table %s: %w", j.undo, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE jobs SET strategy = 'rows', high_oid = ? WHERE seq = ?", high, j.seq); err != nil {
			return err
		}
		switch j.status {
		case "esriJobSucceeded", "esriJobCancelled", "esriJobTimedOut":
			continue
		}
		if j.undone {
			continue
		}
		coll, err := tx.CollectionByID(ctx, j.collID)
		if err != nil {
			return fmt.Errorf("job %d: %w", j.seq, err)
		}
		clause, err := coll.Compile(j.where)
		if err != nil {
			return fmt.Errorf("job %d: where %q: %w", j.seq, j.where, err)
		}
		submitted, err := parseTimestamp(j.submitted)
		if err != nil {
			return fmt.Errorf("job %d: submitted %q: %w", j.seq, j.submitted, err)
		}
		frozen, err := EncodeClause(BindNow(clause, submitted))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE jobs SET clause = ? WHERE seq = ?", frozen, j.seq); err != nil {
			return err
		}
	}
	return nil
}

// migrateEdges is the Go part of migration 4: it finds the edge items of
// each collection (one pass per edge).
func migrateEdges(ctx context.Context, tx *Tx) error {
	colls, err := tx.scanCollections(ctx, "")
	if err != nil {
		return err
	}
	for _, coll := range colls {
		for _, sp := range boundEdges { // the time edges come with migration 5
			if err := tx.fillEdgeItems(ctx, coll, sp); err != nil {
				return err
			}
		}
	}
	return nil
}

// migrateTimeEdges is the Go part of migration 5: it finds the earliest
// and latest items of each collection with a time field (one pass each),
// and fills again the boundary's prefixes that are empty, since schema 4
// did not say whether a removal had emptied them (edges_emptied).
func migrateTimeEdges(ctx context.Context, tx *Tx) error {
	colls, err := tx.scanCollections(ctx, "")
	if err != nil {
		return err
	}
	for _, coll := range colls {
		p, err := tx.readEdges(ctx, coll)
		if err != nil {
			return err
		}
		for _, sp := range coll.edges() {
			if sp.edge == edgeEarliest || sp.edge == edgeLatest || len(p[sp.edge]) == 0 {
				if err := tx.fillEdge(ctx, coll, sp); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
