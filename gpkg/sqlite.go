package gpkg

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
)

// sqliteDriver is a modernc driver of this package's own, so that the
// GeoPackage SQL functions below reach only the connections this package
// opens, never the catalog's.
var sqliteDriver = newDriver()

// newDriver registers ST_MinX, ST_MaxX, ST_MinY, ST_MaxY and ST_IsEmpty, the
// functions the GeoPackage R-tree triggers and the bulk load call (GeoPackage
// 1.4 Annex F.3). Like GDAL's, they return NULL for NULL or unparsable blobs.
func newDriver() *sqlite.Driver {
	d := &sqlite.Driver{}
	bound := func(pick func(Envelope) float64) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			b, ok := args[0].([]byte)
			if !ok {
				return nil, nil
			}
			g, err := ReadBlob(b)
			if err != nil {
				return nil, nil
			}
			e, ok, err := g.Bounds()
			if err != nil || !ok {
				return nil, nil
			}
			return pick(e), nil
		}
	}
	d.MustRegisterDeterministicScalarFunction("ST_MinX", 1, bound(func(e Envelope) float64 { return e.MinX }))
	d.MustRegisterDeterministicScalarFunction("ST_MaxX", 1, bound(func(e Envelope) float64 { return e.MaxX }))
	d.MustRegisterDeterministicScalarFunction("ST_MinY", 1, bound(func(e Envelope) float64 { return e.MinY }))
	d.MustRegisterDeterministicScalarFunction("ST_MaxY", 1, bound(func(e Envelope) float64 { return e.MaxY }))
	d.MustRegisterDeterministicScalarFunction("ST_IsEmpty", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		b, ok := args[0].([]byte)
		if !ok {
			return nil, nil
		}
		g, err := ReadBlob(b)
		if err != nil {
			return nil, nil
		}
		if g.Empty {
			return int64(1), nil
		}
		if _, ok, err := g.Bounds(); err != nil || !ok {
			return int64(1), nil
		}
		return int64(0), nil
	})
	return d
}

// connector opens connections to one DSN through sqliteDriver.
type connector struct{ dsn string }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return sqliteDriver.Open(c.dsn)
}

func (c connector) Driver() driver.Driver { return sqliteDriver }

// openDB opens path with the given DSN query parameters. Pragmas go in the
// DSN so that every pooled connection gets them.
func openDB(path string, params []string) *sql.DB {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	return sql.OpenDB(connector{dsn: u.String() + "?" + strings.Join(params, "&")})
}

// writeParams are the writer's connection settings. The file is new and
// private until Close moves it into place, so nothing is worth a journal or
// an fsync while it fills: a failed write is thrown away whole.
//   - journal_mode OFF, synchronous OFF: no rollback journal, no fsync;
//     Close switches to DELETE mode, and syncs once;
//   - locking_mode EXCLUSIVE: one lock for the whole write;
//   - cache_size: a fixed page cache of 2 MiB, so memory stays flat
//     however many features are written (with 32 MiB a million-feature
//     export peaked at 91 MB against 34 MB, in the same time: modernc's
//     larger caches cost memory and buy no speed, as the catalog's do);
//   - _dqs=0: "x" is always an identifier, never a string.
var writeParams = []string{
	"_pragma=journal_mode(OFF)",
	"_pragma=synchronous(OFF)",
	"_pragma=locking_mode(EXCLUSIVE)",
	"_pragma=cache_size(-2048)",
	"_dqs=0",
}

// readParams open a file that must never change:
//   - mode=ro: SQLite opens the file read-only;
//   - immutable=1: no locks, no journal or WAL files, no change checks; SQLite
//     never writes next to the file either;
//   - query_only: no statement may write, even to a temporary table;
//   - trusted_schema off: views and triggers in the file cannot call
//     functions with side effects;
//   - cell_size_check: corrupt pages are detected early;
//   - _dqs=0: "x" is always an identifier.
var readParams = []string{
	"mode=ro",
	"immutable=1",
	"_pragma=query_only(1)",
	"_pragma=trusted_schema(0)",
	"_pragma=cell_size_check(1)",
	"_dqs=0",
}

// quoteIdent quotes a table or column name for SQL. Names come from the
// caller or from a file; an empty one or one holding NUL (which SQLite would
// cut short) is refused with ErrName.
func quoteIdent(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("%w: empty name", ErrName)
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("%w: %q holds a NUL character", ErrName, name)
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`, nil
}

// mustQuote quotes a name already checked by quoteIdent.
func mustQuote(name string) string {
	q, err := quoteIdent(name)
	if err != nil {
		panic(err)
	}
	return q
}

// quoteString quotes a string literal, for the few statements (trigger
// bodies) that cannot take parameters.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
