package catalog

import (
	"context"
	"database/sql"
	"embed"
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
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// applicationID marks a SQLite file as a mosaic catalog ('MOSA').
const applicationID = 0x4D4F5341

// DefaultBaseURL is where collection URLs point unless Options.BaseURL says
// otherwise: the address `mosaic serve` listens on by default.
const DefaultBaseURL = "http://localhost:8080"

// busyTimeout is how long a statement waits for another process's write
// lock before SQLite reports "database is locked". Jobs commit in short
// batches, so a wait this long means something is wrong.
const busyTimeout = 20 * time.Second

// maxOpenConns bounds the catalog's pooled connections: the server's
// concurrent reads (one per CPU by default), a job's transaction and its
// heartbeat, and the checkpointer, on this project's 2-core machine and
// well beyond.
const maxOpenConns = 8

// connMaxIdleTime closes a connection idle for that long, and with it its
// page cache, so that a burst of requests does not hold memory for good.
const connMaxIdleTime = time.Minute

// Options configure Open. The zero value is the default.
type Options struct {
	// BaseURL prefixes collection URLs; DefaultBaseURL when empty.
	BaseURL string
	// Now returns the current time; time.Now when nil. Tests fix the clock.
	Now func() time.Time
}

// Catalog is an open catalog file. It is safe for concurrent use.
type Catalog struct {
	db      *sql.DB
	path    string
	baseURL string
	now     func() time.Time

	pages pageCache // marks of the selections recently paged (pages.go)

	closeOnce       sync.Once
	closeErr        error
	stopCheckpoints chan struct{}
	checkpointsDone chan struct{}
}

// Open opens the catalog at path, creating the file if it does not exist and
// migrating its schema to the level this mosaic knows. A file that is not a
// mosaic catalog, is read-only, or was written by a newer mosaic is refused
// with an *Error of code Unavailable.
func Open(ctx context.Context, path string, opts Options) (*Catalog, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, Errorf(Unavailable, "catalog %s: %v", path, err)
	}
	if err := checkWritable(abs); err != nil {
		return nil, err
	}
	if err := inspect(ctx, abs, path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, Errorf(Unavailable, "open catalog %s: %w", path, err)
	}
	// Each pooled connection keeps its own page cache (cache_size in the
	// DSN) and modernc.org/sqlite's allocations: an unbounded pool grows one
	// connection per concurrent request, and 100 concurrent queries of a
	// 300,000-item collection took the server to 5.9 GB. Past the cores,
	// more connections add no throughput (readers scan on the CPU; writers
	// queue on SQLite's lock anyway), so the pool is bounded and kept:
	// requests beyond it wait for a connection (the server bounds that wait,
	// see server.Options.MaxReads). Nothing in mosaic holds one connection
	// while asking for another, so a bounded pool cannot deadlock.
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	c := &Catalog{db: db, path: path, baseURL: strings.TrimRight(opts.BaseURL, "/"), now: opts.Now}
	if c.baseURL == "" {
		c.baseURL = DefaultBaseURL
	}
	if c.now == nil {
		c.now = time.Now
	}
	if err := c.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	c.stopCheckpoints = make(chan struct{})
	c.checkpointsDone = make(chan struct{})
	go c.checkpoints()
	return c, nil
}

// dsn builds the connection string. Pragmas go in the DSN so that every
// pooled connection gets them, not just the first:
//   - WAL lets readers (list-images, jobs status, the server) run while a job
//     deletes, and synchronous=NORMAL is durable enough in WAL mode;
//   - busy_timeout makes concurrent processes wait rather than fail;
//   - foreign_keys makes collection_fields and job_messages follow their
//     owners;
//   - case_sensitive_like matches file geodatabases, where LIKE is
//     case-sensitive;
//   - _dqs=0 turns off SQLite's double-quoted-string-literal misfeature, so
//     "x" is always an identifier;
//   - _txlock=immediate takes the write lock at BEGIN, so that two writers
//     queue on the busy timeout instead of deadlocking on lock upgrade;
//   - _defensive=1 forbids writing the schema table directly.
func dsn(abs string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	q := []string{
		"_pragma=busy_timeout(" + strconv.Itoa(int(busyTimeout/time.Millisecond)) + ")",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=foreign_keys(1)",
		"_pragma=case_sensitive_like(1)",
		"_pragma=cache_size(-32000)",
		"_pragma=temp_store(memory)",
		"_pragma=wal_autocheckpoint(0)",
		"_dqs=0",
		"_txlock=immediate",
		"_defensive=1",
	}
	return u.String() + "?" + strings.Join(q, "&")
}

// checkWritable refuses a catalog file or folder that cannot be written,
// with a plain message, before SQLite gets a chance to half-open it.
func checkWritable(abs string) error {
	f, err := os.OpenFile(abs, os.O_RDWR, 0)
	switch {
	case err == nil:
		f.Close()
		info, err := os.Stat(abs)
		if err == nil && info.IsDir() {
			return Errorf(Unavailable, "catalog %s is a folder, not a file", abs)
		}
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(abs)
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return Errorf(Unavailable, "catalog %s cannot be created: folder %s does not exist", abs, dir)
		}
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return Errorf(Unavailable, "catalog %s is read-only: mosaic needs to write it", abs)
	case errors.Is(err, syscall.EISDIR):
		return Errorf(Unavailable, "catalog %s is a folder, not a file", abs)
	default:
		return Errorf(Unavailable, "catalog %s: %v", abs, err)
	}
	return nil
}

// Close closes the catalog; closing it again does nothing.
func (c *Catalog) Close() error {
	c.closeOnce.Do(func() {
		if c.stopCheckpoints != nil {
			close(c.stopCheckpoints)
			<-c.checkpointsDone
		}
		c.pages.close()
		c.closeErr = c.db.Close()
	})
	return c.closeErr
}

// checkpointEvery is how often the catalog copies committed WAL pages
// into the database file.
const checkpointEvery = 100 * time.Millisecond

// checkpoints runs WAL checkpoints in the background, on a connection of
// its own, until Close. SQLite's automatic checkpoint (off in the DSN) would
// run them inside the committing writer, between a job's batches; here they
// overlap the writer's work on the other core. PASSIVE never blocks writers
// or readers. The last connection to close checkpoints what is left.
func (c *Catalog) checkpoints() {
	defer close(c.checkpointsDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stopCheckpoints:
			return
		case <-t.C:
			c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// Path returns the path the catalog was opened with.
func (c *Catalog) Path() string { return c.path }

// BaseURL returns the prefix of collection URLs.
func (c *Catalog) BaseURL() string { return c.baseURL }

// Now returns the catalog's clock reading, in UTC, to the second.
func (c *Catalog) Now() time.Time { return c.now().UTC().Truncate(time.Second) }

// DB returns the underlying database, for packages (jobs) that keep their own
// tables in the catalog file. They must write only inside Update.
func (c *Catalog) DB() *sql.DB { return c.db }

type migration struct {
	version int
	name    string
	sql     string
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
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
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
