package catalog_test

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mosaic/catalog"

	_ "modernc.org/sqlite"
)

func TestOpen(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new.db")
		cat, err := catalog.Open(ctx, path, catalog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer cat.Close()
		var mode string
		var version, appID int
		if err := cat.DB().QueryRow("SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id)").Scan(&mode, &version, &appID); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || version != catalog.SchemaVersion() || appID != 0x4D4F5341 {
			t.Errorf("journal_mode %s, user_version %d, application_id %#x; want wal, %d, 0x4d4f5341", mode, version, appID, catalog.SchemaVersion())
		}
	})
	t.Run("ReopenKeepsData", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.db")
		cat, err := catalog.Open(ctx, path, catalog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		mustScenes(t, cat, 3)
		cat.Close()
		cat, err = catalog.Open(ctx, path, catalog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer cat.Close()
		coll, err := cat.Collection(ctx, "SCENES")
		if err != nil {
			t.Fatal(err)
		}
		if got := names(t, cat, coll, ""); len(got) != 3 {
			t.Errorf("items after reopen: %v", got)
		}
	})
	t.Run("ErrNotSQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "text.db")
		content := []byte("this is not a database, and it has to be long enough to look like a header....................................")
		os.WriteFile(path, content, 0o644)
		_, err := catalog.Open(ctx, path, catalog.Options{})
		wantCode(t, err, catalog.Unavailable)
		if !strings.Contains(err.Error(), "not a mosaic catalog") {
			t.Errorf("message %q does not say what is wrong", err)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
			t.Error("the file was changed")
		}
	})
	t.Run("ErrOtherSQLiteDatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		db.Exec("CREATE TABLE customers (id INTEGER)")
		db.Close()
		_, err = catalog.Open(ctx, path, catalog.Options{})
		wantCode(t, err, catalog.Unavailable)
	})
	t.Run("ErrNewerCatalog", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "newer.db")
		cat, err := catalog.Open(ctx, path, catalog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cat.DB().Exec("PRAGMA user_version = 99")
		cat.Close()
		before, _ := os.ReadFile(path)
		_, err = catalog.Open(ctx, path, catalog.Options{})
		wantCode(t, err, catalog.Unavailable)
		if !strings.Contains(err.Error(), "newer mosaic") {
			t.Errorf("message %q does not say the catalog is newer", err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Error("a newer catalog was modified")
		}
	})
	t.Run("ErrFolder", func(t *testing.T) {
		_, err := catalog.Open(ctx, t.TempDir(), catalog.Options{})
		wantCode(t, err, catalog.Unavailable)
	})
	t.Run("ErrMissingFolder", func(t *testing.T) {
		_, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "no", "such", "c.db"), catalog.Options{})
		wantCode(t, err, catalog.Unavailable)
	})
}

// TestPragmasOnEveryConnection proves that the pragmas are in the DSN: two
// connections held at once both have them.
func TestPragmasOnEveryConnection(t *testing.T) {
	cat := mustOpen(t)
	c1, err := cat.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := cat.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	for i, c := range []*sql.Conn{c1, c2} {
		var like, fk int
		if err := c.QueryRowContext(ctx, "SELECT 'abc' LIKE 'A%', (SELECT foreign_keys FROM pragma_foreign_keys)").Scan(&like, &fk); err != nil {
			t.Fatal(err)
		}
		if like != 0 || fk != 1 {
			t.Errorf("connection %d: 'abc' LIKE 'A%%' = %d (want 0: case-sensitive), foreign_keys = %d (want 1)", i, like, fk)
		}
		// Double-quoted strings are identifiers, never literals.
		if _, err := c.ExecContext(ctx, `SELECT "no such column"`); err == nil {
			t.Errorf("connection %d: a double-quoted word was taken as a string", i)
		}
	}
}
