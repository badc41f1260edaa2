package where

import (
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// openItems creates an item table for schema in a new catalog file under
// tb.TempDir(), opened as the catalog is: LIKE case-sensitive, double
// quotes only for identifiers. It fills the table with rows.
func openItems(tb testing.TB, schema Schema, rows int) *sql.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "catalog.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=case_sensitive_like(1)&_dqs=0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })

	var cols []string
	for _, f := range schema {
		col := quoteIdent(f.Name) + " " + f.Type.String()
		if f.Name == "OBJECTID" {
			col += " PRIMARY KEY AUTOINCREMENT"
		}
		cols = append(cols, col)
	}
	if _, err := db.Exec("CREATE TABLE items (" + strings.Join(cols, ", ") + ")"); err != nil {
		tb.Fatal(err)
	}

	var names, marks []string
	for _, f := range schema {
		if f.Name != "OBJECTID" {
			names = append(names, quoteIdent(f.Name))
			marks = append(marks, "?")
		}
	}
	insert := "INSERT INTO items (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	rnd := rand.New(rand.NewPCG(1, 2))
	for range rows {
		var vals []any
		for _, f := range schema {
			if f.Name != "OBJECTID" {
				vals = append(vals, sampleValue(rnd, f.Type))
			}
		}
		if _, err := db.Exec(insert, vals...); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Values the rows are made of: edge cases of case, quoting, wildcards,
// signs, zero, and dates on and off midnight.
var (
	sampleTexts = []string{
		"T32ABC_2020", "t32abc_2020", "T32ABC", "T33XYZ_2021", "T3_2", "T3%2", "it's", "100%",
		"a_b", "A_B", "Zürich", "ZÜRICH", "", " padded ", "x\\y", "T32", "t", "T", "%", "_",
	}
	sampleInts  = []int64{0, 1, 2, 3, -1, 7, 10, 20, 100, 2020, -5, 1 << 40}
	sampleReals = []float64{0, 0.5, 2.5, 5.5, 10, 19.99, 20, 20.0001, 50, 100, -0.5, -12.25, 1e10}
	sampleDates = []string{
		"2019-12-31 23:59:59", "2020-01-01 00:00:00", "2020-01-01 12:30:00", "2020-02-29 00:00:00",
		"2020-06-01 00:00:00", "2020-06-01 10:00:00", "2020-12-31 23:59:59", "2021-01-01 00:00:00",
		"2021-03-04 05:06:07", "2021-07-15 00:00:00",
	}
)

func sampleValue(rnd *rand.Rand, t Type) any {
	if rnd.IntN(8) == 0 {
		return nil
	}
	switch t {
	case Integer:
		return sampleInts[rnd.IntN(len(sampleInts))]
	case Real:
		return sampleReals[rnd.IntN(len(sampleReals))]
	case Date:
		return sampleDates[rnd.IntN(len(sampleDates))]
	}
	return sampleTexts[rnd.IntN(len(sampleTexts))]
}

// selectIDs returns the OBJECTIDs of the rows where cond holds.
func selectIDs(db *sql.DB, cond string, args ...any) (string, error) {
	rows, err := db.Query("SELECT OBJECTID FROM items WHERE "+cond+" ORDER BY OBJECTID", args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%d ", id)
	}
	return b.String(), rows.Err()
}

func TestCatalogConnectionIsCaseSensitive(t *testing.T) {
	db := openItems(t, itemSchema(), 0)
	var like, dqs int
	if err := db.QueryRow(`SELECT 'a' LIKE 'A'`).Scan(&like); err != nil || like != 0 {
		t.Errorf("'a' LIKE 'A' = %d, %v; the test catalog must run with case_sensitive_like", like, err)
	}
	if err := db.QueryRow(`SELECT "nosuchcolumn" = 1`).Scan(&dqs); err == nil {
		t.Errorf("a double-quoted unknown name was taken as a string")
	}
}

// TestDeepClausesRunInSQLite builds clauses as deep as the limits allow,
// nesting runs of ANDs where they make SQLite's tree deepest: each is
// refused with an *Error or runs in SQLite.
func TestDeepClausesRunInSQLite(t *testing.T) {
	db := openItems(t, itemSchema(), 5)
	nested := func(levels, terms int, op string) string {
		s := "Category = 1"
		for range levels {
			s = "(" + s + ")" + strings.Repeat(" "+op+" Category = 1", terms)
		}
		return s
	}
	for _, text := range []string{
		nested(63, 15, "AND"),
		nested(63, 7, "OR"),
		nested(40, 16, "AND"),
		nested(30, 33, "OR"),
		strings.Repeat("NOT ", 64) + "Category = 1",
		"Category = 1" + strings.Repeat(" + 1", 62),
		strings.Repeat("(", 63) + "Category = 1" + strings.Repeat(")", 63),
		strings.Repeat("UPPER(", 61) + "Name" + strings.Repeat(")", 61) + " = 'X'",
		strings.Repeat("EXTRACT(YEAR FROM CAST(CAST(", 20) + "AcquisitionDate" + strings.Repeat(" AS CHAR) AS DATE))", 20) + " = 1",
	} {
		c, err := Compile(text, itemSchema())
		if err != nil {
			var werr *Error
			if !errors.As(err, &werr) {
				t.Errorf("Compile(%.40q…): %T %v", text, err, err)
			}
			t.Logf("refused %.40q…: %v", text, err)
			continue
		}
		if _, err := selectIDs(db, c.SQL, c.Args...); err != nil {
			t.Errorf("Compile(%.40q…) renders SQL that SQLite refuses: %v", text, err)
		}
	}
}
