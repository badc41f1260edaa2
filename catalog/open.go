package catalog

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// cacheKiB is each connection's page cache, in KiB (see dsn).
const cacheKiB = 2000

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
	abs     string // the absolute path of the file
	baseURL string
	now     func() time.Time

	pages pageCache // marks of the selections recently paged (pages.go)

	closeOnce       sync.Once
	closeErr        error
	stopCheckpoints chan struct{}
	checkpointsDone chan struct{}

	// writers queues this process's write transactions (a channel used as
	// a semaphore: its waiters are served in order). SQLite's busy handler
	// polls, sleeping up to 100 ms between tries, so a writer waiting on
	// it could miss every short gap between a running job's batches and
	// wait for the whole job; in the queue it gets the next turn.
	writers chan struct{}
	// lastWrite is when this process last committed (UnixNano), for the
	// checkpoint policy.
	lastWrite atomic.Int64
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
	c := &Catalog{db: db, path: path, baseURL: strings.TrimRight(opts.BaseURL, "/"), now: opts.Now, writers: make(chan struct{}, 1), abs: abs}
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
//   - _defensive=1 forbids writing the schema table directly;
//   - cache_size is 2 MB, not SQLite's usual larger caches: modernc.org/sqlite
//     allocates each page buffer on its own (mmap'd), so a bigger cache is
//     slower, not faster (measured: a 500k-row DELETE 1.10 s with 2 MB, about
//     1.5 s with 32 MB), and each pooled connection holds one;
//   - journal_size_limit truncates the WAL after a checkpoint, so that a big
//     job's WAL does not stay on disk.
func dsn(abs string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	q := []string{
		"_pragma=busy_timeout(" + strconv.Itoa(int(busyTimeout/time.Millisecond)) + ")",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=foreign_keys(1)",
		"_pragma=case_sensitive_like(1)",
		"_pragma=cache_size(-" + strconv.Itoa(cacheKiB) + ")",
		"_pragma=journal_size_limit(67108864)",
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

// The checkpoint policy. Every checkpoint syncs the WAL and the database
// file to disk; a job that checkpointed every few batches would spend more
// time in fsync than in SQLite. So a checkpoint runs when the WAL has grown
// past checkpointWALBytes, or when this process has not written for
// checkpointIdle and the WAL holds something; the last connection to close
// checkpoints what is left (the command line's only checkpoint, usually).
const (
	checkpointEvery    = 100 * time.Millisecond
	checkpointIdle     = time.Second
	checkpointWALBytes = 256 << 20
)

// checkpoints runs WAL checkpoints in the background, on a connection of
// its own, until Close (see the policy above). SQLite's automatic
// checkpoint (off in the DSN) would run them inside the committing writer,
// between a job's batches; here they overlap the writer's work. PASSIVE
// never blocks writers or readers.
func (c *Catalog) checkpoints() {
	defer close(c.checkpointsDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var checkpointed int64 // lastWrite at the last idle checkpoint
	for {
		select {
		case <-c.stopCheckpoints:
			return
		case <-t.C:
			info, err := os.Stat(c.abs + "-wal")
			if err != nil || info.Size() == 0 {
				continue
			}
			last := c.lastWrite.Load()
			idle := last != checkpointed && time.Since(time.Unix(0, last)) >= checkpointIdle
			if info.Size() >= checkpointWALBytes || idle {
				c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
				checkpointed = last
			}
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
