package where

import (
	"errors"
	"strings"
	"testing"
)

// compileErr compiles text and returns its error as an *Error, failing the
// test if Compile accepts text.
func compileErr(t *testing.T, text string) *Error {
	t.Helper()
	c, err := Compile(text, itemSchema())
	if err == nil {
		t.Fatalf("Compile(%.60q…) = %.60s…, want an error", text, c.SQL)
	}
	var werr *Error
	if !errors.As(err, &werr) {
		t.Fatalf("Compile error %T is not a *where.Error", err)
	}
	return werr
}

func mustCompile(t *testing.T, text string) *Clause {
	t.Helper()
	c, err := Compile(text, itemSchema())
	if err != nil {
		t.Fatalf("Compile(%.60q…): %v", text, err)
	}
	return c
}

func TestLimits(t *testing.T) {
	orChain := func(n int) string {
		terms := make([]string, n)
		for i := range terms {
			terms[i] = "Category = 1"
		}
		return strings.Join(terms, " OR ")
	}
	inList := func(n int) string {
		return "Category IN (" + strings.TrimSuffix(strings.Repeat("1,", n), ",") + ")"
	}
	t.Run("OK/16 KiB", func(t *testing.T) {
		text := orChain(1000)
		text += strings.Repeat(" ", maxBytes-len(text))
		mustCompile(t, text)
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		text := "Name = '" + strings.Repeat("x", maxBytes) + "'"
		if err := compileErr(t, text); err.Error() != "where: where clause is longer than 16384 bytes" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("OK/64 parentheses", func(t *testing.T) {
		mustCompile(t, strings.Repeat("(", 64)+"Category = 1"+strings.Repeat(")", 64))
	})
	t.Run("ErrTooDeep/parentheses", func(t *testing.T) {
		err := compileErr(t, strings.Repeat("(", 65)+"Category = 1"+strings.Repeat(")", 65))
		if err.Error() != "where: nesting deeper than 64 at 1:65" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("ErrTooDeep/functions", func(t *testing.T) {
		err := compileErr(t, strings.Repeat("UPPER(", 65)+"Name"+strings.Repeat(")", 65)+" = 'X'")
		if err.Error() != "where: nesting deeper than 64 at 1:390" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("ErrTooDeep/NOT", func(t *testing.T) {
		err := compileErr(t, strings.Repeat("NOT ", 100)+"Category = 1")
		if !strings.HasPrefix(err.Error(), "where: nesting deeper than 64 at ") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("ErrTooDeep/minus", func(t *testing.T) {
		err := compileErr(t, "Category = "+strings.Repeat("- ", 100)+"Width")
		if !strings.HasPrefix(err.Error(), "where: nesting deeper than 64 at ") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("ErrTooDeep/arithmetic", func(t *testing.T) {
		err := compileErr(t, "Category = 1"+strings.Repeat(" + 1", 100))
		if !strings.HasPrefix(err.Error(), "where: nesting deeper than 64 at ") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("OK/long OR chain renders balanced", func(t *testing.T) {
		c := mustCompile(t, orChain(1000))
		depth, max := 0, 0
		for _, r := range c.SQL {
			switch r {
			case '(':
				depth++
				max = maxInt(max, depth)
			case ')':
				depth--
			}
		}
		if max > 12 {
			t.Errorf("1000 ORs render %d parentheses deep", max)
		}
		if len(c.Args) != 1000 {
			t.Errorf("got %d args", len(c.Args))
		}
	})
	t.Run("OK/1000 IN values", func(t *testing.T) {
		if c := mustCompile(t, inList(1000)); len(c.Args) != 1000 {
			t.Errorf("got %d args", len(c.Args))
		}
	})
	t.Run("ErrTooManyInValues", func(t *testing.T) {
		err := compileErr(t, inList(1001))
		if err.Error() != "where: more than 1000 values in an IN list at 1:2014" {
			t.Errorf("got %v", err)
		}
	})
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func TestClauseFieldsInFirstUseOrder(t *testing.T) {
	c := mustCompile(t, `cloudcover < 5 AND ([Name] LIKE 'a%' OR "NAME" = 'b') AND EXTRACT(YEAR FROM AcquisitionDate) = [Year] AND 1=1`)
	want := []string{"CloudCover", "Name", "AcquisitionDate", "Year"}
	if strings.Join(c.Fields, ",") != strings.Join(want, ",") {
		t.Errorf("Fields = %q, want %q", c.Fields, want)
	}
	if c := mustCompile(t, "1=1"); len(c.Fields) != 0 {
		t.Errorf("constant clause Fields = %q", c.Fields)
	}
}

func TestErrorPositionAndFormat(t *testing.T) {
	err := compileErr(t, "Name = 'a'\n  AND CloudCover = 'abc'")
	if err.Line != 2 || err.Col != 20 || err.Msg != "CloudCover is REAL, cannot compare with 'abc'" {
		t.Errorf("got %+v", *err)
	}
	if got := (&Error{Msg: "empty where clause"}).Error(); got != "where: empty where clause" {
		t.Errorf("Error without position = %q", got)
	}
	if got := (&Error{Line: 3, Col: 7, Msg: "m"}).Error(); got != "where: m at 3:7" {
		t.Errorf("Error with position = %q", got)
	}
}

func TestTypeString(t *testing.T) {
	for typ, want := range map[Type]string{Integer: "INTEGER", Real: "REAL", Text: "TEXT", Date: "DATE", Type(9): "Type(9)"} {
		if got := typ.String(); got != want {
			t.Errorf("Type(%d).String() = %q, want %q", int(typ), got, want)
		}
	}
}

func TestSchemaErrors(t *testing.T) {
	t.Run("ErrFieldWithoutType", func(t *testing.T) {
		_, err := Compile("Broken = 1", Schema{{Name: "Broken"}})
		if err == nil || err.Error() != "where: field Broken has no valid type at 1:1" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("ErrEmptySchema", func(t *testing.T) {
		_, err := Compile("Name = 'x'", nil)
		if err == nil || err.Error() != `where: unknown field "Name" at 1:1 (fields: )` {
			t.Errorf("got %v", err)
		}
	})
	t.Run("OK/constant clause needs no schema", func(t *testing.T) {
		if _, err := Compile("1=1", nil); err != nil {
			t.Error(err)
		}
	})
}

// TestSQLiteFunctionsListsEveryFunctionRendered keeps the authorizer's
// whitelist in step with the renderer.
func TestSQLiteFunctionsListsEveryFunctionRendered(t *testing.T) {
	allowed := map[string]bool{}
	for _, f := range SQLiteFunctions {
		allowed[f] = true
	}
	used := map[string]bool{"like": true}
	for _, tt := range acceptTests {
		c := mustCompile(t, tt.in)
		sql := c.SQL
		for i := strings.IndexByte(sql, '('); i >= 0; i = strings.IndexByte(sql, '(') {
			j := i
			for j > 0 && (sql[j-1] >= 'a' && sql[j-1] <= 'z' || sql[j-1] >= 'A' && sql[j-1] <= 'Z' || sql[j-1] == '_') {
				j--
			}
			if name := sql[j:i]; name != "" && name != "IN" && name != "CAST" {
				used[name] = true
			}
			sql = sql[i+1:]
		}
	}
	for f := range used {
		if !allowed[f] {
			t.Errorf("rendered SQL calls %s, missing from SQLiteFunctions", f)
		}
	}
	for f := range allowed {
		if !used[f] {
			t.Errorf("SQLiteFunctions lists %s, which no accepted test renders", f)
		}
	}
}

// TestErrorsCutLongTokens: an error names the token it is about, but never
// echoes more than a short excerpt of it (issue 11, item 13).
func TestErrorsCutLongTokens(t *testing.T) {
	long := strings.Repeat("x", 10000)
	digits := strings.Repeat("9", 10000)
	for _, tc := range []struct{ name, text string }{
		{"ErrUnknownField", long + " = 1"},
		{"ErrUnknownQuotedField", `"` + long + `" = 1`},
		{"ErrUnknownFunction", long + "(Name) = 1"},
		{"ErrIntegerOutOfRange", "OBJECTID > " + digits},
		{"ErrRealOutOfRange", "CloudCover > " + digits + ".5e999"},
		{"ErrMalformedNumber", "OBJECTID > 1" + long},
		{"ErrInvalidDate", "AcquisitionDate > date '" + long + "'"},
		{"ErrUnexpected", "Name = 'x' " + long},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := compileErr(t, tc.text).Error()
			if len(msg) > 600 || strings.Contains(msg, strings.Repeat("x", 100)) || strings.Contains(msg, strings.Repeat("9", 100)) {
				t.Errorf("error of %d bytes echoes the token: %.200s…", len(msg), msg)
			}
		})
	}
}
