package where

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// seedClauses adds every clause of the table tests to a fuzz corpus.
func seedClauses(f *testing.F) {
	for _, tt := range acceptTests {
		f.Add(tt.in)
	}
	for _, tt := range rejectTests {
		f.Add(tt.in)
	}
}

// FuzzLex checks that the lexer never panics, that its tokens cover the
// input in order with only blanks between them, and that its errors point
// into the input.
func FuzzLex(f *testing.F) {
	seedClauses(f)
	f.Fuzz(func(t *testing.T, text string) {
		toks, err := lex(text)
		if err != nil {
			checkPosition(t, text, err)
			return
		}
		if len(toks) == 0 || toks[len(toks)-1].typ != tokEOF {
			t.Fatalf("lex(%q) does not end with EOF: %v", text, toks)
		}
		prev := 0
		for _, tok := range toks {
			if tok.pos < prev || tok.end < tok.pos || tok.end > len(text) {
				t.Fatalf("lex(%q): token %+v out of order (previous ended at %d)", text, tok, prev)
			}
			if gap := text[prev:tok.pos]; strings.Trim(gap, " \t\r\n") != "" {
				t.Fatalf("lex(%q): %q skipped between tokens", text, gap)
			}
			switch tok.typ {
			case tokString:
				if raw := text[tok.pos+1 : tok.end-1]; strings.ReplaceAll(raw, "''", "'") != tok.val {
					t.Fatalf("lex(%q): string %q read as %q", text, raw, tok.val)
				}
			case tokWord, tokInt, tokReal, tokOp:
				if text[tok.pos:tok.end] != tok.val {
					t.Fatalf("lex(%q): %q read as %q", text, text[tok.pos:tok.end], tok.val)
				}
			}
			prev = tok.end
		}
	})
}

// checkPosition checks that an error is an *Error whose position, if any,
// lies within text.
func checkPosition(t *testing.T, text string, err error) {
	t.Helper()
	var werr *Error
	if !errors.As(err, &werr) {
		t.Fatalf("error %T %v is not a *where.Error", err, err)
	}
	if werr.Msg == "" {
		t.Fatalf("error without a message for %q", text)
	}
	if werr.Line == 0 && werr.Col == 0 {
		return
	}
	lines := strings.Split(text, "\n")
	if werr.Line < 1 || werr.Line > len(lines) || werr.Col < 1 || werr.Col > utf8.RuneCountInString(lines[werr.Line-1])+1 {
		t.Fatalf("%v: position outside %q", err, text)
	}
}

var (
	fuzzDBOnce sync.Once
	fuzzDB     *sql.DB
)

// FuzzCompile checks the whole pipeline: Compile never panics, every
// rejection is an *Error at a position inside the text, and every accepted
// clause renders SQL that SQLite prepares and runs against an item table,
// with one argument per placeholder and no text of the user's in it.
func FuzzCompile(f *testing.F) {
	seedClauses(f)
	schema := itemSchema()
	fuzzDBOnce.Do(func() { fuzzDB = openItems(f, schema, 20) })
	db := fuzzDB
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Compile(text, schema)
		if err != nil {
			checkPosition(t, text, err)
			return
		}
		if n := strings.Count(c.SQL, "?"); n != len(c.Args) {
			t.Fatalf("Compile(%q) = %s with %d args", text, c.SQL, len(c.Args))
		}
		for _, a := range c.Args {
			switch a.(type) {
			case int64, float64, string:
			default:
				t.Fatalf("Compile(%q): argument %#v of type %T", text, a, a)
			}
		}
		if s := stripOwnSQL(c.SQL, schema); strings.ContainsAny(s, `'"`+"`;") {
			t.Fatalf("Compile(%q) = %s: rendered SQL holds quoted text: %s", text, c.SQL, s)
		}
		stmt, err := db.Prepare("SELECT OBJECTID FROM items WHERE " + c.SQL)
		if err != nil {
			t.Fatalf("Compile(%q) = %s: SQLite cannot prepare it: %v", text, c.SQL, err)
		}
		defer stmt.Close()
		rows, err := stmt.Query(c.Args...)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		// abs() of the smallest integer overflows, a run-time error that
		// fails the statement (nothing is selected, nothing deleted).
		if err != nil && !strings.Contains(c.SQL, "abs(") {
			t.Fatalf("Compile(%q) = %s %v: SQLite fails: %v", text, c.SQL, c.Args, err)
		}
	})
}

// stripOwnSQL removes from sql the field names of schema and the SQL
// fragments the renderer writes itself, leaving what could have come from
// the user.
func stripOwnSQL(sql string, schema Schema) string {
	names := make([]string, len(schema))
	for i, f := range schema {
		names[i] = quoteIdent(f.Name)
	}
	// Longest first: "Name" is inside "Odd""Name".
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	for _, n := range names {
		sql = strings.ReplaceAll(sql, n, "F")
	}
	for _, s := range []string{sqlCurrentDate, sqlCurrentTimestamp, fmtDate, fmtTimestamp} {
		sql = strings.ReplaceAll(sql, s, "S")
	}
	for _, s := range extractFormats {
		sql = strings.ReplaceAll(sql, s, "S")
	}
	return sql
}
