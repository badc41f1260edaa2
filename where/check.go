package where

import (
	"fmt"
	"math"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// The checker walks the parser's tree with a whitelist: the node types,
// operators and functions of the language are turned into typed nodes;
// anything else (subqueries, EXISTS, CASE, COLLATE, INTERVAL, bit
// operators, MATCH …) is refused. Placeholders lead back to the user's
// fields, values and calls, and to their positions for errors.

// op says what a node is, and how it renders.
type op uint8

const (
	opField   op = iota // "name"
	opLit               // ?
	opRaw               // sql, a fragment of our own
	opCall              // sql(kids…)
	opCast              // CAST(kid AS sql)
	opArith             // (kid sql kid)
	opNeg               // (-kid)
	opCompare           // (kid sql kid)
	opLike              // (kid [NOT] LIKE kid [ESCAPE kid])
	opIn                // (kid [NOT] IN (kids…))
	opBetween           // (kid [NOT] BETWEEN kid AND kid)
	opIsNull            // (kid IS [NOT] NULL)
	opNot               // (NOT kid)
	opAnd               // (kid AND kid …)
	opOr                // (kid OR kid …)
)

// node is a checked expression.
type node struct {
	op       op
	typ      Type // the value's type, or boolean for a condition
	sql      string
	not      bool
	val      any // opLit: int64, float64 or string
	kids     []*node
	pos, end int // span in the user's text
}

type checker struct {
	r *rewriter
}

// check validates the parsed clause and returns it as a typed tree.
func check(r *rewriter, e sqlparser.Expr) (*node, *Error) {
	c := &checker{r: r}
	return c.cond(e, 0)
}

// cond checks e as a condition.
func (c *checker) cond(e sqlparser.Expr, depth int) (*node, *Error) {
	n, err := c.expr(e, depth)
	if err != nil {
		return nil, err
	}
	if n.typ != boolean {
		return nil, c.errorf(n.pos, "%s is a value, not a condition", c.describe(n))
	}
	return n, nil
}

// value checks e as a value.
func (c *checker) value(e sqlparser.Expr, depth int) (*node, *Error) {
	n, err := c.expr(e, depth)
	if err != nil {
		return nil, err
	}
	if n.typ == boolean {
		return nil, c.errorf(n.pos, "%s is a condition, not a value", c.describe(n))
	}
	return n, nil
}

func (c *checker) expr(e sqlparser.Expr, depth int) (*node, *Error) {
	if depth > maxDepth {
		return nil, c.errorf(c.first(e), "nesting deeper than %d", maxDepth)
	}
	switch e := e.(type) {
	case *sqlparser.ParenExpr:
		return c.expr(e.Expr, depth)
	case *sqlparser.AndExpr:
		return c.chain(e, opAnd, depth)
	case *sqlparser.OrExpr:
		return c.chain(e, opOr, depth)
	case *sqlparser.NotExpr:
		x, err := c.cond(e.Expr, depth+1)
		if err != nil {
			return nil, err
		}
		return &node{op: opNot, typ: boolean, kids: []*node{x}, pos: x.pos, end: x.end}, nil
	case *sqlparser.ComparisonExpr:
		switch e.Operator {
		case sqlparser.EqualStr, sqlparser.LessThanStr, sqlparser.GreaterThanStr,
			sqlparser.LessEqualStr, sqlparser.GreaterEqualStr, sqlparser.NotEqualStr:
			return c.compare(e, depth)
		case sqlparser.InStr, sqlparser.NotInStr:
			return c.in(e, depth)
		case sqlparser.LikeStr, sqlparser.NotLikeStr:
			return c.like(e, depth)
		}
	case *sqlparser.RangeCond:
		if e.Operator == sqlparser.BetweenStr || e.Operator == sqlparser.NotBetweenStr {
			return c.between(e, depth)
		}
	case *sqlparser.IsExpr:
		if e.Operator == sqlparser.IsNullStr || e.Operator == sqlparser.IsNotNullStr {
			x, err := c.value(e.Expr, depth+1)
			if err != nil {
				return nil, err
			}
			return &node{op: opIsNull, typ: boolean, not: e.Operator == sqlparser.IsNotNullStr,
				kids: []*node{x}, pos: x.pos, end: x.end}, nil
		}
	case *sqlparser.ColName:
		if e.Qualifier.IsEmpty() {
			if k, ok := index(e.Name.String(), "c", len(c.r.fields)); ok {
				f := c.r.fields[k]
				return &node{op: opField, typ: f.typ, sql: f.name, pos: f.pos, end: f.end}, nil
			}
		}
	case *sqlparser.SQLVal:
		return c.literal(e, false)
	case *sqlparser.BinaryExpr:
		switch e.Operator {
		case sqlparser.PlusStr, sqlparser.MinusStr, sqlparser.MultStr, sqlparser.DivStr:
			return c.arith(e, depth)
		}
	case *sqlparser.UnaryExpr:
		switch e.Operator {
		case sqlparser.UMinusStr, sqlparser.UPlusStr:
			return c.unary(e, depth)
		}
	case *sqlparser.FuncExpr:
		return c.call(e, depth)
	case sqlparser.ValTuple:
		return nil, c.errorf(c.first(e), "a list of values is only allowed after IN")
	}
	return nil, c.errorf(c.first(e), "unsupported expression")
}

// chain checks a run of ANDs (or ORs) as one node, so that a long list of
// alternatives is neither deep to check nor deep to render.
func (c *checker) chain(e sqlparser.Expr, o op, depth int) (*node, *Error) {
	// The parser builds a AND b AND c as ((a AND b) AND c): walk down the left.
	var terms []sqlparser.Expr
	for {
		var l, r sqlparser.Expr
		switch x := e.(type) {
		case *sqlparser.AndExpr:
			if o == opAnd {
				l, r = x.Left, x.Right
			}
		case *sqlparser.OrExpr:
			if o == opOr {
				l, r = x.Left, x.Right
			}
		}
		if l == nil {
			terms = append(terms, e)
			break
		}
		terms = append(terms, r)
		e = l
	}
	n := &node{op: o, typ: boolean, kids: make([]*node, len(terms))}
	for i := range terms {
		k, err := c.cond(terms[len(terms)-1-i], depth+1)
		if err != nil {
			return nil, err
		}
		n.kids[i] = k
	}
	n.pos, n.end = n.kids[0].pos, n.kids[len(n.kids)-1].end
	return n, nil
}

func (c *checker) compare(e *sqlparser.ComparisonExpr, depth int) (*node, *Error) {
	l, r, err := c.pair(e.Left, e.Right, depth)
	if err != nil {
		return nil, err
	}
	if err := c.comparable(l, r); err != nil {
		return nil, err
	}
	sql := e.Operator
	if sql == sqlparser.NotEqualStr {
		sql = "<>"
	}
	return &node{op: opCompare, typ: boolean, sql: sql, kids: []*node{l, r}, pos: l.pos, end: r.end}, nil
}

func (c *checker) in(e *sqlparser.ComparisonExpr, depth int) (*node, *Error) {
	list, ok := e.Right.(sqlparser.ValTuple)
	if !ok {
		return nil, c.errorf(c.first(e.Right), "IN needs a list of values in parentheses")
	}
	if len(list) > maxInItems {
		return nil, c.errorf(c.first(list[maxInItems]), "more than %d values in an IN list", maxInItems)
	}
	l, err := c.value(e.Left, depth+1)
	if err != nil {
		return nil, err
	}
	n := &node{op: opIn, typ: boolean, not: e.Operator == sqlparser.NotInStr,
		kids: make([]*node, 1, 1+len(list)), pos: l.pos}
	n.kids[0] = l
	for _, x := range list {
		v, err := c.value(x, depth+1)
		if err != nil {
			return nil, err
		}
		if err := c.comparable(l, v); err != nil {
			return nil, err
		}
		n.kids = append(n.kids, v)
		n.end = v.end
	}
	return n, nil
}

func (c *checker) like(e *sqlparser.ComparisonExpr, depth int) (*node, *Error) {
	l, p, err := c.pair(e.Left, e.Right, depth)
	if err != nil {
		return nil, err
	}
	for _, x := range []*node{l, p} {
		if x.typ != Text {
			return nil, c.errorf(x.pos, "%s is %s, LIKE needs TEXT", c.describe(x), x.typ)
		}
	}
	n := &node{op: opLike, typ: boolean, not: e.Operator == sqlparser.NotLikeStr,
		kids: []*node{l, p}, pos: l.pos, end: p.end}
	if e.Escape != nil {
		x, err := c.value(e.Escape, depth+1)
		if err != nil {
			return nil, err
		}
		if !isChar(x) {
			return nil, c.errorf(x.pos, "ESCAPE needs a single character in quotes")
		}
		n.kids = append(n.kids, x)
		n.end = x.end
	}
	return n, nil
}

func (c *checker) between(e *sqlparser.RangeCond, depth int) (*node, *Error) {
	l, err := c.value(e.Left, depth+1)
	if err != nil {
		return nil, err
	}
	from, to, err := c.pair(e.From, e.To, depth)
	if err != nil {
		return nil, err
	}
	if err := c.comparable(l, from); err != nil {
		return nil, err
	}
	if err := c.comparable(l, to); err != nil {
		return nil, err
	}
	return &node{op: opBetween, typ: boolean, not: e.Operator == sqlparser.NotBetweenStr,
		kids: []*node{l, from, to}, pos: l.pos, end: to.end}, nil
}

func (c *checker) arith(e *sqlparser.BinaryExpr, depth int) (*node, *Error) {
	l, r, err := c.pair(e.Left, e.Right, depth)
	if err != nil {
		return nil, err
	}
	for _, x := range []*node{l, r} {
		if !x.typ.numeric() {
			return nil, c.errorf(x.pos, "%s is %s, %s needs numbers", c.describe(x), x.typ, e.Operator)
		}
	}
	typ := Real
	if l.typ == Integer && r.typ == Integer {
		typ = Integer
	}
	if e.Operator == sqlparser.DivStr {
		// SQLite divides integers as C does (7 / 2 = 3); a user of
		// ArcGIS expects 3.5.
		if typ == Integer {
			l = &node{op: opCast, typ: Real, sql: "REAL", kids: []*node{l}, pos: l.pos, end: l.end}
		}
		typ = Real
	}
	return &node{op: opArith, typ: typ, sql: e.Operator, kids: []*node{l, r}, pos: l.pos, end: r.end}, nil
}

func (c *checker) unary(e *sqlparser.UnaryExpr, depth int) (*node, *Error) {
	var x *node
	var err *Error
	v, direct := e.Expr.(*sqlparser.SQLVal)
	if direct && e.Operator == sqlparser.UMinusStr {
		x, err = c.literal(v, true)
	} else {
		x, err = c.value(e.Expr, depth+1)
	}
	if err != nil {
		return nil, err
	}
	if !x.typ.numeric() {
		return nil, c.errorf(x.pos, "%s is %s, %s needs a number", c.describe(x), x.typ, e.Operator)
	}
	if e.Operator == sqlparser.UPlusStr {
		return x, nil
	}
	// The minus sign is the token just before the value it negates.
	pos := strings.LastIndexByte(c.r.text[:x.pos], '-')
	if x.op == opLit {
		switch v := x.val.(type) {
		case int64:
			switch {
			case direct && v == math.MinInt64:
				// 9223372036854775808, stored as its negation
			case v == math.MinInt64:
				return nil, c.errorf(pos, "integer %s is out of range", excerpt(c.r.text[pos:x.end]))
			default:
				x.val = -v
			}
		case float64:
			x.val = -v
		}
		x.pos = pos
		return x, nil
	}
	return &node{op: opNeg, typ: x.typ, kids: []*node{x}, pos: pos, end: x.end}, nil
}

// literal checks the placeholder of a value the user wrote. Only a unary
// minus may take 9223372036854775808.
func (c *checker) literal(e *sqlparser.SQLVal, negated bool) (*node, *Error) {
	if e.Type != sqlparser.ValArg {
		return nil, c.errorf(-1, "unsupported expression")
	}
	k, ok := index(string(e.Val), ":v", len(c.r.lits))
	if !ok {
		return nil, c.errorf(-1, "unsupported expression")
	}
	l := c.r.lits[k]
	if l.big && !negated {
		return nil, c.errorf(l.pos, "integer %s is out of range", excerpt(c.r.text[l.pos:l.end]))
	}
	return &node{op: opLit, typ: l.typ, val: l.val, pos: l.pos, end: l.end}, nil
}

// pair checks two operands as values.
func (c *checker) pair(a, b sqlparser.Expr, depth int) (*node, *node, *Error) {
	x, err := c.value(a, depth+1)
	if err != nil {
		return nil, nil, err
	}
	y, err := c.value(b, depth+1)
	if err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// comparable reports whether l and r can be compared, turning a string
// compared with a date into a date.
func (c *checker) comparable(l, r *node) *Error {
	switch {
	case l.typ == r.typ, l.typ.numeric() && r.typ.numeric():
		return nil
	case l.typ == Date && toDate(r), r.typ == Date && toDate(l):
		return nil
	}
	subj, obj := l, r
	if l.op == opLit && r.op != opLit {
		subj, obj = r, l
	}
	what := c.describe(obj)
	if obj.op != opLit {
		what += " (" + obj.typ.String() + ")"
	}
	return c.errorf(obj.pos, "%s is %s, cannot compare with %s", c.describe(subj), subj.typ, what)
}

// toDate turns a string literal holding a valid date into a date.
func toDate(n *node) bool {
	if n.op != opLit || n.typ != Text {
		return false
	}
	d, ok := ParseDate(n.val.(string))
	if ok {
		n.typ, n.val = Date, d
	}
	return ok
}

// isChar reports whether n is a string literal of one character.
func isChar(n *node) bool {
	s, ok := n.val.(string)
	return n.op == opLit && n.typ == Text && ok && len([]rune(s)) == 1
}

// describe names n in a message: a field by its canonical name, anything
// else by what the user wrote.
func (c *checker) describe(n *node) string {
	if n.op == opField {
		return n.sql
	}
	return excerpt(c.r.text[n.pos:n.end])
}

// first returns the position of the first placeholder in e, or -1.
func (c *checker) first(e sqlparser.SQLNode) int {
	pos := -1
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if pos >= 0 {
			return false, nil
		}
		switch n := n.(type) {
		case *sqlparser.ColName:
			if k, ok := index(n.Name.String(), "c", len(c.r.fields)); ok {
				pos = c.r.fields[k].pos
			}
		case *sqlparser.SQLVal:
			if k, ok := index(string(n.Val), ":v", len(c.r.lits)); ok {
				pos = c.r.lits[k].pos
			}
		case *sqlparser.FuncExpr:
			if k, ok := index(n.Name.String(), "fn", len(c.r.calls)); ok {
				pos = c.r.calls[k].pos
			}
		}
		return pos < 0, nil
	}, e)
	return pos
}

// errorf returns an Error at byte offset pos of the user's text, or
// without a position if pos < 0.
func (c *checker) errorf(pos int, format string, args ...any) *Error {
	if pos < 0 {
		return &Error{Msg: fmt.Sprintf(format, args...)}
	}
	return errorAt(c.r.text, pos, format, args...)
}

// index parses a placeholder name, prefix followed by a number below n.
func index(name, prefix string, n int) (int, bool) {
	if !strings.HasPrefix(name, prefix) || len(name) == len(prefix) {
		return 0, false
	}
	k := 0
	for _, d := range []byte(name[len(prefix):]) {
		if d < '0' || d > '9' || k > n {
			return 0, false
		}
		k = k*10 + int(d-'0')
	}
	return k, k < n
}
