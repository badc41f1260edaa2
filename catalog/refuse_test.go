package catalog_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"mosaic/catalog"
)

// snapshot is the name and SHA-256 of every file in dir.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		lines = append(lines, e.Name()+" "+hex.EncodeToString(sum[:]))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// sqlite runs statements on a plain SQLite connection (no mosaic pragmas).
func sqlite(t *testing.T, path string, dsn string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path+dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestOpenRefusesWithoutChanging: a file Open refuses stays byte-identical,
// with no file added next to it, and each refusal is Unavailable with a
// message saying what is wrong (issue 11, item 6).
func TestOpenRefusesWithoutChanging(t *testing.T) {
	catalogWith := func(stmt string) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			cat, err := catalog.Open(ctx, path, catalog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			mustScenes(t, cat, 2)
			cat.Close()
			sqlite(t, path, "", stmt)
		}
	}
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
		want string
	}{
		{"ErrPlainSQLite", func(t *testing.T, path string) {
			sqlite(t, path, "", "CREATE TABLE customers (id INTEGER)", "INSERT INTO customers VALUES (1)")
		}, "is an SQLite database but not a mosaic catalog"},
		{"ErrSQLiteInWAL", func(t *testing.T, path string) {
			sqlite(t, path, "", "PRAGMA journal_mode=WAL", "CREATE TABLE customers (id INTEGER)")
		}, "is an SQLite database but not a mosaic catalog"},
		{"ErrOtherApplicationID", func(t *testing.T, path string) {
			sqlite(t, path, "", "PRAGMA application_id = 1196444487") // GeoPackage
		}, "is an SQLite database but not a mosaic catalog"},
		{"ErrNegativeVersion", catalogWith("PRAGMA user_version = -1"), "is damaged: its schema version is -1"},
		{"ErrVersionZeroWithTables", catalogWith("PRAGMA user_version = 0"), "is damaged: it has tables but schema version 0"},
		{"ErrNewer", catalogWith("PRAGMA user_version = 99"), "was written by a newer mosaic (schema version 99"},
		{"ErrText", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("name,raster\nx,y\n"), 0o644)
		}, "is not a mosaic catalog (not an SQLite database)"},
		{"ErrTruncated", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("SQLite format 3\x00\x10\x00"), 0o644)
		}, "is damaged: it is too short for an SQLite database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "c.db")
			tc.make(t, path)
			before := snapshot(t, dir)
			_, err := catalog.Open(ctx, path, catalog.Options{})
			wantCode(t, err, catalog.Unavailable)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("message %q, want it to say %q", err, tc.want)
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("a refused file changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestOpenReadsTheLogOfACrashedCatalog: a catalog whose process died before
// its write-ahead log was copied into the file is judged by what the log
// holds, and opens.
func TestOpenReadsTheLogOfACrashedCatalog(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	cat, err := catalog.Open(ctx, live, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cat.Close()
	// The file's own header says schema version 0 with tables, which alone
	// would be refused; the log, which a kill -9 leaves before the next
	// checkpoint, holds the page that says the current version.
	sqlite(t, live, "", "PRAGMA user_version = 0")
	db, err := sql.Open("sqlite", live+"?_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range []string{"PRAGMA journal_mode=WAL", fmt.Sprintf("PRAGMA user_version = %d", catalog.SchemaVersion())} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	crashed := filepath.Join(dir, "crashed.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		copyFile(t, live+suffix, crashed+suffix)
	}
	if fi, err := os.Stat(crashed + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the copy has no log to read: %v", err)
	}
	copyFile(t, live, filepath.Join(dir, "header-only.db"))
	if _, err := catalog.Open(ctx, filepath.Join(dir, "header-only.db"), catalog.Options{}); catalog.ErrorCode(err) != catalog.Unavailable {
		t.Fatalf("the file without its log: %v, want it refused (version 0 with tables)", err)
	}
	cat, err = catalog.Open(ctx, crashed, catalog.Options{})
	if err != nil {
		t.Fatalf("a crashed catalog is refused: %v", err)
	}
	cat.Close()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPoolIsBounded: the catalog's pooled connections, each with its own
// page cache, are bounded, so that concurrent requests cannot grow memory
// without end (issue 11, item 2); readers beyond the bound wait, and get a
// connection as others finish.
func TestPoolIsBounded(t *testing.T) {
	cat := mustOpen(t)
	coll := mustScenes(t, cat, 50)
	if got := cat.DB().Stats().MaxOpenConnections; got < 2 || got > 16 {
		t.Fatalf("MaxOpenConnections = %d, want a small bound", got)
	}
	bound := cat.DB().Stats().MaxOpenConnections
	errs := make(chan error, 4*bound)
	for i := 0; i < 4*bound; i++ {
		go func() {
			sel, err := coll.Select(catalog.Query{Where: "CloudCover >= 0"})
			if err == nil {
				_, err = cat.Count(ctx, sel)
			}
			errs <- err
		}()
	}
	for i := 0; i < 4*bound; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if st := cat.DB().Stats(); st.OpenConnections > bound {
		t.Errorf("%d connections open, bound %d", st.OpenConnections, bound)
	}
}
