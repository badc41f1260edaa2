package where

import (
	"fmt"
	"strings"

	"mosaic/internal/textutil"
)

// Type is the declared type of a field of the item table.
type Type int

// The field types of an item table.
const (
	Integer Type = iota + 1
	Real
	Text
	Date // stored as TEXT 'YYYY-MM-DD HH:MM:SS' (UTC)
)

// boolean is the type of a condition. It is never the type of a field.
const boolean Type = -1

// String returns the SQL name of the type: INTEGER, REAL, TEXT or DATE.
func (t Type) String() string {
	switch t {
	case Integer:
		return "INTEGER"
	case Real:
		return "REAL"
	case Text:
		return "TEXT"
	case Date:
		return "DATE"
	case boolean:
		return "BOOLEAN"
	}
	return "Type(" + itoa(int(t)) + ")"
}

func (t Type) numeric() bool { return t == Integer || t == Real }

// Field is a column of the item table a clause is compiled against.
type Field struct {
	Name string // the canonical column name
	Type Type
}

// Schema lists the fields a clause may refer to.
type Schema []Field

// lookup finds a field by name, case-insensitively: ASCII letters only
// fold, as ArcGIS field names are ASCII.
func (s Schema) lookup(name string) (Field, bool) {
	for _, f := range s {
		if textutil.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return Field{}, false
}

func (s Schema) names() string {
	var b strings.Builder
	b.WriteString("fields: ")
	for i, f := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name)
	}
	return b.String()
}

// Clause is a validated where clause rendered for SQLite.
type Clause struct {
	// SQL is a fully parenthesised SQLite boolean expression. Fields appear
	// as double-quoted canonical names ("CloudCover") and literals as ?
	// placeholders: it never contains text the user wrote.
	SQL string
	// Args holds the values of the placeholders, in order: int64, float64
	// or string.
	Args []any
	// Fields lists the canonical names of the fields the clause refers to,
	// once each, in the order they first appear.
	Fields []string
	// Hazards are the parts of the clause that pass every check but can
	// still fail in SQLite on some items' values (see Failure).
	Hazards []Hazard
}

// Hazard is a part of a clause that SQLite may fail to evaluate for some
// items, whatever the check: ABS of an INTEGER that is -9223372036854775808
// (an item's value, or a CAST to INTEGER of a number below it), and LIKE
// whose pattern is a field or function longer than SQLite's limit of
// 50,000 bytes.
type Hazard struct {
	Op        string // ABS or LIKE
	Text      string // the part as the user wrote it, cut to 40 characters
	Line, Col int
}

// Failure explains an error SQLite raised while evaluating the clause on
// the catalog's items, given its message: as an *Error naming the function
// or operator that failed and where it is in the clause. SQLite reports
// these as SQLITE_ERROR; only its message, fixed by SQLite for each of the
// functions this package renders, tells them apart.
func (c *Clause) Failure(sqliteMessage string) *Error {
	find := func(op string) *Hazard {
		for i := range c.Hazards {
			if c.Hazards[i].Op == op {
				return &c.Hazards[i]
			}
		}
		return nil
	}
	at := func(h *Hazard, format string, args ...any) *Error {
		e := &Error{Msg: fmt.Sprintf(format, args...)}
		if h != nil {
			e.Line, e.Col = h.Line, h.Col
		}
		return e
	}
	switch {
	case strings.Contains(sqliteMessage, "integer overflow"):
		if h := find("ABS"); h != nil {
			return at(h, "%s fails on an item's value: the absolute value of -9223372036854775808 (the smallest INTEGER, also what CAST to INTEGER makes of numbers below it) does not fit in 64 bits", h.Text)
		}
	case strings.Contains(sqliteMessage, "LIKE or GLOB pattern too complex"):
		if h := find("LIKE"); h != nil {
			return at(h, "%s fails on an item's value: a LIKE pattern is limited to 50000 bytes, and the pattern an item gives is longer", h.Text)
		}
	}
	return &Error{Msg: "the clause cannot be evaluated on every item: " + sqliteMessage}
}

// Limits on what Compile accepts, so that no clause can make the parser,
// the checker or SQLite work without bound.
const (
	maxBytes   = 16 << 10 // length of the clause
	maxDepth   = 64       // parentheses, and nesting of the parsed expression
	maxInItems = 1000     // values in one IN list
)

// Compile lexes, parses, validates and renders text against schema.
// Every error it returns is an *Error.
func Compile(text string, schema Schema) (*Clause, error) {
	if len(text) > maxBytes {
		return nil, &Error{Msg: "where clause is longer than " + itoa(maxBytes) + " bytes"}
	}
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	if toks[0].typ == tokEOF {
		return nil, &Error{Msg: "empty where clause"}
	}
	rw, err := rewrite(text, toks, schema)
	if err != nil {
		return nil, err
	}
	ast, err := parse(rw)
	if err != nil {
		return nil, err
	}
	n, err := check(rw, ast)
	if err != nil {
		return nil, err
	}
	if height(n) > maxHeight {
		return nil, &Error{Msg: "where clause is nested too deeply"}
	}
	sql, args := render(n)
	return &Clause{SQL: sql, Args: args, Fields: rw.fieldNames, Hazards: hazards(rw.text, n, nil)}, nil
}

// hazards lists, in the order they appear, the parts of n that SQLite may
// fail to evaluate on some values (see Hazard).
func hazards(text string, n *node, out []Hazard) []Hazard {
	add := func(op string) {
		line, col := position(text, n.pos)
		out = append(out, Hazard{Op: op, Text: excerpt(text[n.pos:n.end]), Line: line, Col: col})
	}
	switch {
	case n.op == opCall && n.sql == "abs" && n.typ == Integer:
		add("ABS")
	case n.op == opLike && n.kids[1].op != opLit:
		add("LIKE")
	}
	for _, k := range n.kids {
		out = hazards(text, k, out)
	}
	return out
}

// SQLiteFunctions lists, in lower case, every SQLite function the rendered
// SQL may call, for the catalog's authorizer. The LIKE operator counts as
// the function like.
var SQLiteFunctions = []string{
	"abs", "ceil", "floor", "instr", "length", "like", "lower", "ltrim",
	"mod", "round", "rtrim", "strftime", "substr", "trim", "upper",
}
