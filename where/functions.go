package where

import (
	"fmt"
	"math"

	"github.com/xwb1989/sqlparser"
)

// SQL fragments of our own, for dates. Dates are stored as
// 'YYYY-MM-DD HH:MM:SS' text, which strftime reads and writes.
const (
	sqlCurrentDate      = "strftime('%Y-%m-%d 00:00:00','now')"
	sqlCurrentTimestamp = "strftime('%Y-%m-%d %H:%M:%S','now')"
	fmtDate             = "'%Y-%m-%d 00:00:00'"
	fmtTimestamp        = "'%Y-%m-%d %H:%M:%S'"
)

var extractFormats = map[string]string{
	"YEAR": "'%Y'", "MONTH": "'%m'", "DAY": "'%d'", "HOUR": "'%H'", "MINUTE": "'%M'", "SECOND": "'%S'",
}

// call checks a function call and maps it to SQLite.
func (c *checker) call(e *sqlparser.FuncExpr, depth int) (*node, *Error) {
	k, ok := index(e.Name.String(), "fn", len(c.r.calls))
	if !ok || !e.Qualifier.IsEmpty() || e.Distinct {
		return nil, c.errorf(c.first(e), "unsupported expression")
	}
	fn := c.r.calls[k]
	args := make([]*node, len(e.Exprs))
	for i, se := range e.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return nil, c.errorf(fn.pos, "unexpected * in %s", fn.name)
		}
		if !ae.As.IsEmpty() {
			// f(a b) parses as f(a AS b): b is a second value where a
			// comma or an operator is missing.
			pos := fn.pos
			if j, ok := index(ae.As.String(), "c", len(c.r.fields)); ok {
				pos = c.r.fields[j].pos
			}
			return nil, c.errorf(pos, "unexpected %s", excerpt(c.r.text[pos:c.spanEnd(pos)]))
		}
		a, err := c.value(ae.Expr, depth+1)
		if err != nil {
			return nil, err
		}
		args[i] = a
	}
	n, err := c.function(fn, args)
	if err != nil {
		return nil, err
	}
	n.pos, n.end = fn.pos, fn.end
	return n, nil
}

// spanEnd returns the end of the field reference at pos, for messages.
func (c *checker) spanEnd(pos int) int {
	for _, f := range c.r.fields {
		if f.pos == pos {
			return f.end
		}
	}
	return pos
}

// function types the arguments of fn and returns its SQLite form.
func (c *checker) function(fn call, args []*node) (*node, *Error) {
	arity := func(min, max int) *Error {
		if len(args) >= min && len(args) <= max {
			return nil
		}
		want := fmt.Sprint(min)
		if max > min {
			want += " or " + fmt.Sprint(max)
		}
		noun := " arguments"
		if max == 1 {
			noun = " argument"
		}
		return c.errorf(fn.pos, "%s takes %s%s, got %d", fn.name, want, noun, len(args))
	}
	need := func(a *node, ok bool, what string) *Error {
		if ok {
			return nil
		}
		return c.errorf(a.pos, "%s is %s, %s needs %s", c.describe(a), a.typ, fn.name, what)
	}
	call := func(sql string, typ Type, kids ...*node) *node {
		return &node{op: opCall, sql: sql, typ: typ, kids: kids}
	}
	raw := func(sql string) *node { return &node{op: opRaw, sql: sql} }

	switch fn.name {
	case "CURRENT_DATE", "CURRENT_TIMESTAMP":
		if err := arity(0, 0); err != nil {
			return nil, err
		}
		if fn.name == "CURRENT_DATE" {
			return &node{op: opRaw, typ: Date, sql: sqlCurrentDate}, nil
		}
		return &node{op: opRaw, typ: Date, sql: sqlCurrentTimestamp}, nil
	}
	if err := c.arityOf(fn, arity); err != nil {
		return nil, err
	}
	a := args[0]
	switch fn.name {
	case "UPPER", "LOWER", "CHAR_LENGTH":
		if err := need(a, a.typ == Text, "TEXT"); err != nil {
			return nil, err
		}
		switch fn.name {
		case "UPPER":
			return call("upper", Text, a), nil
		case "LOWER":
			return call("lower", Text, a), nil
		}
		return call("length", Integer, a), nil
	case "ABS", "FLOOR", "CEILING":
		if err := need(a, a.typ.numeric(), "a number"); err != nil {
			return nil, err
		}
		if v, ok := a.val.(int64); ok && a.op == opLit && fn.name == "ABS" && v == math.MinInt64 {
			// SQLite's abs fails on it: 2^63 is no INTEGER.
			return nil, c.errorf(fn.pos, "ABS(%s) has no INTEGER result: the absolute value of the smallest INTEGER does not fit in 64 bits", c.describe(a))
		}
		sql := map[string]string{"ABS": "abs", "FLOOR": "floor", "CEILING": "ceil"}[fn.name]
		return call(sql, a.typ, a), nil
	case "ROUND":
		if err := need(a, a.typ.numeric(), "a number"); err != nil {
			return nil, err
		}
		if len(args) == 2 {
			d := args[1]
			if err := need(d, d.typ == Integer, "INTEGER decimals"); err != nil {
				return nil, err
			}
			// SQLite takes negative decimals as 0, where SQL rounds to
			// tens, hundreds …: refuse rather than surprise.
			if v, ok := d.val.(int64); ok && d.op == opLit && v < 0 {
				return nil, c.errorf(d.pos, "ROUND needs 0 or more decimals, got %s", c.describe(d))
			}
		}
		return call("round", Real, args...), nil
	case "MOD":
		b := args[1]
		for _, x := range args {
			if err := need(x, x.typ.numeric(), "numbers"); err != nil {
				return nil, err
			}
		}
		if a.typ == Integer && b.typ == Integer {
			return &node{op: opArith, typ: Integer, sql: "%", kids: args}, nil
		}
		// % truncates reals to integers; mod is fmod.
		return call("mod", Real, a, b), nil
	case "EXTRACT":
		if err := need(a, a.typ == Date || toDate(a), "DATE"); err != nil {
			return nil, err
		}
		part := call("strftime", Text, raw(extractFormats[fn.unit]), a)
		return &node{op: opCast, typ: Integer, sql: "INTEGER", kids: []*node{part}}, nil
	case "TRIM":
		s := a
		if fn.trimChar {
			if !isChar(a) {
				return nil, c.errorf(a.pos, "TRIM needs a single character in quotes before FROM")
			}
			s = args[1]
		}
		if err := need(s, s.typ == Text, "TEXT"); err != nil {
			return nil, err
		}
		sql := map[string]string{"": "trim", "BOTH": "trim", "LEADING": "ltrim", "TRAILING": "rtrim"}[fn.trim]
		if fn.trimChar {
			return call(sql, Text, s, a), nil
		}
		return call(sql, Text, s), nil
	case "SUBSTRING":
		if err := need(a, a.typ == Text, "TEXT"); err != nil {
			return nil, err
		}
		for _, x := range args[1:] {
			if err := need(x, x.typ == Integer, "INTEGER positions"); err != nil {
				return nil, err
			}
		}
		return call("substr", Text, args...), nil
	case "POSITION":
		for _, x := range args {
			if err := need(x, x.typ == Text, "TEXT"); err != nil {
				return nil, err
			}
		}
		return call("instr", Integer, args[1], a), nil
	case "CAST":
		return c.cast(fn, a)
	}
	return nil, c.errorf(fn.pos, "unknown function %q", fn.name)
}

// arityOf checks the number of arguments of every function but the
// CURRENT_ ones.
func (c *checker) arityOf(fn call, arity func(min, max int) *Error) *Error {
	switch fn.name {
	case "MOD", "POSITION":
		return arity(2, 2)
	case "ROUND":
		return arity(1, 2)
	case "SUBSTRING":
		return arity(2, 3)
	case "TRIM":
		if fn.trimChar {
			return arity(2, 2)
		}
	}
	return arity(1, 1)
}

// cast maps CAST(a AS type) to SQLite. Dates are text in SQLite, so a
// cast to DATE or TIMESTAMP goes through strftime, or, for a literal, is
// checked now.
func (c *checker) cast(fn call, a *node) (*node, *Error) {
	cannot := func() (*node, *Error) {
		return nil, c.errorf(a.pos, "%s is %s, cannot CAST to %s", c.describe(a), a.typ, fn.cast)
	}
	to := func(sql string, typ Type) *node {
		return &node{op: opCast, typ: typ, sql: sql, kids: []*node{a}}
	}
	switch fn.cast {
	case "INTEGER", "SMALLINT":
		if a.typ == Date {
			return cannot()
		}
		return to("INTEGER", Integer), nil
	case "FLOAT", "REAL", "DOUBLE":
		if a.typ == Date {
			return cannot()
		}
		return to("REAL", Real), nil
	case "CHAR", "VARCHAR":
		text := to("TEXT", Text)
		if fn.castLen == nil {
			return text, nil
		}
		n := fn.castLen
		length := &node{op: opLit, typ: Integer, val: n.val, pos: n.pos, end: n.end}
		return &node{op: opCall, typ: Text, sql: "substr",
			kids: []*node{text, {op: opRaw, sql: "1"}, length}}, nil
	case "DATE", "TIMESTAMP":
		if a.op == opLit && a.typ == Text {
			if !toDate(a) {
				return nil, c.errorf(a.pos, "invalid date %s", c.describe(a))
			}
			if fn.cast == "DATE" {
				a.val = a.val.(string)[:10] + " 00:00:00"
			}
			return a, nil
		}
		if a.typ == Date && fn.cast == "TIMESTAMP" {
			return a, nil
		}
		if a.typ != Date && a.typ != Text {
			return cannot()
		}
		format := fmtTimestamp
		if fn.cast == "DATE" {
			format = fmtDate
		}
		return &node{op: opCall, typ: Date, sql: "strftime",
			kids: []*node{{op: opRaw, sql: format}, a}}, nil
	}
	return cannot()
}
