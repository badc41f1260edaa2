package where

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// parse hands the rewriter's text to xwb1989/sqlparser and returns the
// expression of its WHERE clause. A syntax error is reported at the user's
// token the parser stopped on.
func parse(r *rewriter) (sqlparser.Expr, *Error) {
	sql := r.out.String()
	stmt, err := safeParse(sql)
	if err != nil {
		return nil, r.syntaxError(sql, err)
	}
	sel, ok := stmt.(*sqlparser.Select)
	// The rewriter wrote everything but the clause, and gives the user no
	// way to write a keyword: anything but this shape is a bug, refused.
	if !ok || sel.Where == nil || sel.Where.Type != sqlparser.WhereStr ||
		sel.Distinct != "" || len(sel.SelectExprs) != 1 || len(sel.From) != 1 ||
		sel.GroupBy != nil || sel.Having != nil || sel.OrderBy != nil ||
		sel.Limit != nil || sel.Lock != "" {
		return nil, &Error{Msg: "only a where clause is allowed"}
	}
	return sel.Where.Expr, nil
}

// safeParse is sqlparser.Parse, with any panic turned into an error.
func safeParse(sql string) (stmt sqlparser.Statement, err error) {
	defer func() {
		if p := recover(); p != nil {
			stmt, err = nil, fmt.Errorf("parser panic: %v", p)
		}
	}()
	return sqlparser.Parse(sql)
}

// syntaxError turns the parser's error, which ends "at position N" (one
// past the end of the token it stopped on, counted from 1), into an Error
// at the user's token.
func (r *rewriter) syntaxError(sql string, err error) *Error {
	msg := err.Error()
	i := strings.LastIndex(msg, "at position ")
	if i < 0 {
		return &Error{Msg: "cannot parse the where clause"}
	}
	digits := msg[i+len("at position "):]
	if j := strings.IndexByte(digits, ' '); j >= 0 {
		digits = digits[:j]
	}
	n, convErr := strconv.Atoi(digits)
	if convErr != nil || len(r.pieces) == 0 {
		return &Error{Msg: "cannot parse the where clause"}
	}
	off := n - 1
	last := r.pieces[len(r.pieces)-1]
	if off > last.end {
		return errorAt(r.text, last.tend, "unexpected end of where clause")
	}
	p := r.pieces[0]
	for _, q := range r.pieces {
		if q.start >= off {
			break
		}
		p = q
	}
	return errorAt(r.text, p.pos, "unexpected %s", excerpt(r.text[p.pos:p.tend]))
}
