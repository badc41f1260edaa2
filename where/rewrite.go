package where

import (
	"math"
	"strconv"
	"strings"

	"mosaic/internal/textutil"
)

// The rewriter turns the tokens into text that xwb1989/sqlparser can
// parse and cannot misread. The parser sees only what the rewriter writes:
// SQL keywords and operators of its own, c<k> for the k-th field reference,
// :v<k> for the k-th literal and fn<k>(…) for the k-th function call. The
// user's words, strings and numbers never reach it; they wait here, by
// placeholder, for the checker.
//
// The rewriter also reads the SQL-standard syntax the parser does not know:
// EXTRACT(YEAR FROM d), SUBSTRING(s FROM i FOR n), POSITION(a IN b),
// TRIM(LEADING 'c' FROM s), CAST(x AS type), date '…', IS [NOT] NULL,
// CURRENT_DATE. Their keywords become commas or notes on the call.

// literal is a value the user wrote, known to the parser as :v<k>.
type literal struct {
	val      any // int64, float64 or string
	typ      Type
	pos, end int  // span in the user's text
	big      bool // 9223372036854775808, which only a unary minus makes valid
}

// fieldRef is a field the user named, known to the parser as c<k>.
type fieldRef struct {
	name     string // canonical
	typ      Type
	pos, end int
}

// call is a function call, known to the parser as fn<k>(…).
type call struct {
	name     string // as in the language, upper case: UPPER, EXTRACT …
	pos, end int    // from the name to the closing parenthesis
	unit     string // EXTRACT: YEAR, MONTH, DAY, HOUR, MINUTE or SECOND
	trim     string // TRIM: BOTH, LEADING, TRAILING or ""
	trimChar bool   // TRIM: a character comes before FROM
	cast     string // CAST: the target type
	castLen  *literal
}

// piece maps a stretch of the parser's text back to the user's.
type piece struct {
	start, end int // in the parser's text
	pos, tend  int // in the user's text
}

// frame is an open parenthesis.
type frame struct {
	call  int // index in calls, or -1 for a parenthesised expression
	state int // progress through a special form, see special
	seg   int // tokens at this level since ( or the last FROM
	open  int // offset of the ( in the user's text
}

type rewriter struct {
	text       string
	toks       []token
	schema     Schema
	out        strings.Builder
	pieces     []piece
	lits       []literal
	fields     []fieldRef
	calls      []call
	fieldNames []string
	stack      []frame
}

// parserPrefix makes the parser's text a statement; what follows is ours.
const parserPrefix = "select 1 from t where"

// functions are the functions of the language, taking parentheses.
var functions = map[string]bool{
	"UPPER": true, "LOWER": true, "CHAR_LENGTH": true, "ABS": true, "ROUND": true,
	"FLOOR": true, "CEILING": true, "MOD": true, "EXTRACT": true, "TRIM": true,
	"SUBSTRING": true, "POSITION": true, "CAST": true,
}

const functionList = "functions: UPPER, LOWER, CHAR_LENGTH, ABS, ROUND, FLOOR, CEILING, MOD, " +
	"EXTRACT, CURRENT_DATE, CURRENT_TIMESTAMP, TRIM, SUBSTRING, POSITION, CAST"

// operatorWords are keywords passed to the parser as they are.
var operatorWords = map[string]string{
	"AND": "and", "OR": "or", "NOT": "not", "LIKE": "like", "ESCAPE": "escape",
	"BETWEEN": "between", "IN": "in",
}

// sqlWords are SQL words that are not part of the language. A bare word
// among them that is not a field is reported as not allowed rather than as
// an unknown field.
var sqlWords = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "GROUP": true, "BY": true, "HAVING": true,
	"ORDER": true, "LIMIT": true, "OFFSET": true, "UNION": true, "INTERSECT": true,
	"EXCEPT": true, "ALL": true, "ANY": true, "SOME": true, "DISTINCT": true, "EXISTS": true,
	"CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true, "INTERVAL": true,
	"COLLATE": true, "MATCH": true, "AGAINST": true, "REGEXP": true, "RLIKE": true,
	"GLOB": true, "DIV": true, "XOR": true, "BINARY": true, "TRUE": true, "FALSE": true,
	"UNKNOWN": true, "INSERT": true, "UPDATE": true, "DELETE": true, "DROP": true,
	"CREATE": true, "ALTER": true, "INTO": true, "VALUES": true, "SET": true, "JOIN": true,
	"ON": true, "USING": true, "AS": true, "FOR": true, "WITH": true, "DEFAULT": true,
	"PRAGMA": true, "ATTACH": true, "DETACH": true, "REPLACE": true, "ROWID": true,
}

var extractUnits = map[string]bool{
	"YEAR": true, "MONTH": true, "DAY": true, "HOUR": true, "MINUTE": true, "SECOND": true,
}

var castTypes = map[string]bool{
	"INTEGER": true, "SMALLINT": true, "FLOAT": true, "REAL": true, "DOUBLE": true,
	"CHAR": true, "VARCHAR": true, "DATE": true, "TIMESTAMP": true,
}

// forms shows how each special form is written, for errors.
var forms = map[string]string{
	"EXTRACT":   "EXTRACT(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND FROM date)",
	"SUBSTRING": "SUBSTRING(string FROM start [FOR length])",
	"POSITION":  "POSITION(substring IN string)",
	"TRIM":      "TRIM([BOTH|LEADING|TRAILING] [character] FROM string)",
	"CAST":      "CAST(value AS INTEGER|SMALLINT|FLOAT|REAL|DOUBLE|CHAR|VARCHAR|DATE|TIMESTAMP)",
}

// rewrite writes the parser's text for toks.
func rewrite(text string, toks []token, schema Schema) (*rewriter, *Error) {
	r := &rewriter{
		text:   text,
		toks:   toks,
		schema: schema,
		pieces: make([]piece, 0, len(toks)),
	}
	r.out.Grow(len(parserPrefix) + 6*len(toks))
	r.out.WriteString(parserPrefix)
	for i := 0; i < len(toks); i++ {
		var err *Error
		if i, err = r.token(i); err != nil {
			return nil, err
		}
	}
	// A trailing blank lets a syntax error at the end be told from one at
	// the last token: see syntaxError.
	r.out.WriteByte(' ')
	return r, nil
}

// token rewrites the token at i and any that belong to it, and returns
// the index of the last token it consumed.
func (r *rewriter) token(i int) (int, *Error) {
	if f := r.top(); f != nil {
		if f.call >= 0 {
			if done, j, err := r.special(f, i); done || err != nil {
				return j, err
			}
		}
		f.seg++
	}
	t := r.toks[i]
	switch t.typ {
	case tokEOF:
		if f := r.top(); f != nil {
			return i, errorAt(r.text, f.open, "unclosed parenthesis")
		}
	case tokString:
		r.literal(literal{val: t.val, typ: Text, pos: t.pos, end: t.end})
	case tokInt:
		v, err := strconv.ParseUint(t.val, 10, 64)
		if err != nil || v > 1<<63 {
			return i, r.errorf(i, "integer %s is out of range", excerpt(t.val))
		}
		r.literal(literal{val: int64(v), typ: Integer, pos: t.pos, end: t.end, big: v == 1<<63})
	case tokReal:
		v, _ := strconv.ParseFloat(t.val, 64)
		if math.IsInf(v, 0) {
			return i, r.errorf(i, "number %s is out of range", excerpt(t.val))
		}
		r.literal(literal{val: v, typ: Real, pos: t.pos, end: t.end})
	case tokName:
		return i, r.field(i)
	case tokWord:
		return r.word(i)
	case tokOp:
		op := t.val
		if op == "<>" {
			op = "!="
		}
		r.emit(op, i)
	case tokLParen:
		return i, r.open(i, -1)
	case tokRParen:
		return i, r.close(i)
	case tokComma:
		r.emit(",", i)
	}
	return i, nil
}

// word rewrites a bare word: a keyword, a function or a field.
func (r *rewriter) word(i int) (int, *Error) {
	t := r.toks[i]
	w := textutil.ToUpper(t.val)
	next := r.toks[i+1] // a word is never the last token: tokEOF is
	if op, ok := operatorWords[w]; ok {
		r.emit(op, i)
		return i, nil
	}
	switch w {
	case "IS":
		j := i + 1
		sql := "is null"
		if r.isWord(j, "NOT") {
			j++
			sql = "is not null"
		}
		if !r.isWord(j, "NULL") {
			return j, r.errorf(j, "IS must be followed by NULL or NOT NULL")
		}
		r.emitSpan(sql, t.pos, r.toks[j].end)
		return j, nil
	case "NULL":
		return i, r.errorf(i, "NULL is only allowed in IS NULL and IS NOT NULL")
	case "DATE", "TIMESTAMP":
		if next.typ != tokString {
			return i, r.errorf(i, "%s must be followed by a date in quotes, e.g. %s '2020-12-31' (quote a field named %s: \"%s\")",
				w, textutil.ToLower(w), excerpt(t.val), excerpt(t.val))
		}
		v, ok := ParseDate(next.val)
		if !ok {
			return i, r.errorf(i, "invalid %s %s", textutil.ToLower(w), excerpt(r.text[next.pos:next.end]))
		}
		r.literal(literal{val: v, typ: Date, pos: t.pos, end: next.end})
		return i + 1, nil
	case "CURRENT_DATE", "CURRENT_TIMESTAMP":
		r.calls = append(r.calls, call{name: w, pos: t.pos, end: t.end})
		r.emit("fn"+itoa(len(r.calls)-1)+"()", i)
		return i, nil
	}
	if sqlWords[w] {
		if _, isField := r.schema.lookup(t.val); !isField {
			return i, r.errorf(i, "%s is not allowed in a where clause", w)
		}
	}
	if next.typ == tokLParen {
		if !functions[w] {
			err := r.errorf(i, "unknown function %s", textutil.Quote(t.val))
			err.detail = functionList
			return i, err
		}
		r.calls = append(r.calls, call{name: w, pos: t.pos})
		k := len(r.calls) - 1
		r.emit("fn"+itoa(k), i)
		return i + 1, r.open(i+1, k)
	}
	return i, r.field(i)
}

// special reads the keywords inside EXTRACT, SUBSTRING, POSITION, TRIM and
// CAST, and reports whether it consumed token i (up to the index it
// returns).
func (r *rewriter) special(f *frame, i int) (bool, int, *Error) {
	c := &r.calls[f.call]
	form, ok := forms[c.name]
	if !ok {
		return false, i, nil
	}
	t := r.toks[i]
	w := ""
	if t.typ == tokWord {
		w = textutil.ToUpper(t.val)
	}
	bad := func() (bool, int, *Error) {
		what := r.text[t.pos:t.end]
		if t.typ == tokEOF {
			what = "end of clause"
		}
		return true, i, r.errorf(i, "unexpected %s in %s", excerpt(what), form)
	}
	if t.typ == tokComma {
		return bad()
	}
	switch c.name {
	case "EXTRACT": // states: 0 before the unit, 1 before FROM, 2 in the date
		switch {
		case f.state == 0 && extractUnits[w]:
			c.unit = w
		case f.state == 1 && w == "FROM":
		case f.state < 2:
			return bad()
		default:
			return false, i, nil
		}
		f.state++
		return true, i, nil
	case "SUBSTRING": // states: 0 in the string, 1 in the start, 2 in the length
		switch {
		case f.state == 0 && w == "FROM", f.state == 1 && w == "FOR":
			f.state++
			r.emit(",", i)
			return true, i, nil
		case f.state == 0 && t.typ == tokRParen:
			return bad()
		}
	case "POSITION": // states: 0 in the substring, 1 in the string
		switch {
		case f.state == 0 && w == "IN":
			f.state++
			r.emit(",", i)
			return true, i, nil
		case f.state == 0 && t.typ == tokRParen:
			return bad()
		}
	case "TRIM": // states: 0 at the start, 1 after BOTH|LEADING|TRAILING, 2 after FROM
		switch {
		case f.state == 0 && f.seg == 0 && (w == "BOTH" || w == "LEADING" || w == "TRAILING"):
			c.trim = w
			f.state = 1
			return true, i, nil
		case f.state < 2 && w == "FROM":
			if f.seg > 0 {
				c.trimChar = true
				r.emit(",", i)
			}
			f.state = 2
			return true, i, nil
		case f.state == 1 && t.typ == tokRParen:
			return bad()
		}
	case "CAST": // states: 0 in the value, 1 after the type
		switch {
		case f.state == 0 && w == "AS":
			f.state = 1
			j, err := r.castType(c, i+1)
			return true, j, err
		case t.typ == tokRParen && f.state == 1:
		case t.typ == tokRParen || f.state == 1:
			return bad()
		}
	}
	return false, i, nil
}

// castType reads the type of a CAST at token i, with a length for CHAR and
// VARCHAR and PRECISION after DOUBLE.
func (r *rewriter) castType(c *call, i int) (int, *Error) {
	w := ""
	if r.toks[i].typ == tokWord {
		w = textutil.ToUpper(r.toks[i].val)
	}
	if !castTypes[w] {
		return i, r.errorf(i, "unexpected %s in %s", excerpt(r.tokenText(i)), forms["CAST"])
	}
	c.cast = w
	switch {
	case w == "DOUBLE" && r.isWord(i+1, "PRECISION"):
		return i + 1, nil
	case (w == "CHAR" || w == "VARCHAR") && r.toks[i+1].typ == tokLParen:
		n := r.toks[i+2]
		v, err := strconv.ParseInt(n.val, 10, 32)
		if n.typ != tokInt || r.toks[i+3].typ != tokRParen || err != nil || v < 1 {
			return i + 2, r.errorf(i+2, "%s needs a length such as %s(10)", w, w)
		}
		c.castLen = &literal{val: v, typ: Integer, pos: n.pos, end: n.end}
		return i + 3, nil
	}
	return i, nil
}

func (r *rewriter) isWord(i int, w string) bool {
	return r.toks[i].typ == tokWord && textutil.EqualFold(r.toks[i].val, w)
}

// field rewrites the field named by token i.
func (r *rewriter) field(i int) *Error {
	t := r.toks[i]
	f, ok := r.schema.lookup(t.val)
	if !ok {
		err := r.errorf(i, "unknown field %s", textutil.Quote(t.val))
		err.detail = r.schema.names()
		return err
	}
	if f.Type < Integer || f.Type > Date {
		return r.errorf(i, "field %s has no valid type", f.Name)
	}
	r.fields = append(r.fields, fieldRef{name: f.Name, typ: f.Type, pos: t.pos, end: t.end})
	r.emit("c"+itoa(len(r.fields)-1), i)
	for _, n := range r.fieldNames {
		if n == f.Name {
			return nil
		}
	}
	r.fieldNames = append(r.fieldNames, f.Name)
	return nil
}

func (r *rewriter) literal(l literal) {
	r.lits = append(r.lits, l)
	r.emitSpan(":v"+itoa(len(r.lits)-1), l.pos, l.end)
}

// open rewrites the ( at token i, opening call k or, if k < 0, a
// parenthesised expression.
func (r *rewriter) open(i, k int) *Error {
	if len(r.stack) >= maxDepth {
		return r.errorf(i, "nesting deeper than %d", maxDepth)
	}
	r.stack = append(r.stack, frame{call: k, open: r.toks[i].pos})
	r.emit("(", i)
	return nil
}

func (r *rewriter) close(i int) *Error {
	f := r.top()
	if f == nil {
		return r.errorf(i, "unexpected )")
	}
	if f.call >= 0 {
		r.calls[f.call].end = r.toks[i].end
	}
	r.stack = r.stack[:len(r.stack)-1]
	r.emit(")", i)
	return nil
}

func (r *rewriter) top() *frame {
	if len(r.stack) == 0 {
		return nil
	}
	return &r.stack[len(r.stack)-1]
}

// emit writes s for token i.
func (r *rewriter) emit(s string, i int) {
	r.emitSpan(s, r.toks[i].pos, r.toks[i].end)
}

// emitSpan writes s for the user's text from pos to end.
func (r *rewriter) emitSpan(s string, pos, end int) {
	r.out.WriteByte(' ')
	start := r.out.Len()
	r.out.WriteString(s)
	r.pieces = append(r.pieces, piece{start: start, end: r.out.Len(), pos: pos, tend: end})
}

func (r *rewriter) tokenText(i int) string {
	t := r.toks[i]
	if t.typ == tokEOF {
		return "end of clause"
	}
	return r.text[t.pos:t.end]
}

func (r *rewriter) errorf(i int, format string, args ...any) *Error {
	return errorAt(r.text, r.toks[i].pos, format, args...)
}
