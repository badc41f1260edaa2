package where

import "strings"

// flatChain is the longest run of ANDs or ORs rendered flat; longer runs
// are split in halves, so that SQLite's expression depth (at most 1000)
// grows with the logarithm of their length.
const flatChain = 16

// render writes n as a fully parenthesised SQLite expression with ?
// placeholders, and returns it with the placeholders' values.
func render(n *node) (string, []any) {
	w := renderer{}
	w.b.Grow(64)
	w.node(n)
	return w.b.String(), w.args
}

type renderer struct {
	b    strings.Builder
	args []any
}

func (w *renderer) node(n *node) {
	b := &w.b
	switch n.op {
	case opField:
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(n.sql, `"`, `""`))
		b.WriteByte('"')
	case opLit:
		b.WriteByte('?')
		w.args = append(w.args, n.val)
	case opRaw:
		b.WriteString(n.sql)
	case opCall:
		b.WriteString(n.sql)
		b.WriteByte('(')
		w.list(n.kids)
		b.WriteByte(')')
	case opCast:
		b.WriteString("CAST(")
		w.node(n.kids[0])
		b.WriteString(" AS ")
		b.WriteString(n.sql)
		b.WriteByte(')')
	case opArith, opCompare:
		b.WriteByte('(')
		w.node(n.kids[0])
		b.WriteByte(' ')
		b.WriteString(n.sql)
		b.WriteByte(' ')
		w.node(n.kids[1])
		b.WriteByte(')')
	case opNeg:
		b.WriteString("(-")
		w.node(n.kids[0])
		b.WriteByte(')')
	case opLike:
		b.WriteByte('(')
		w.node(n.kids[0])
		w.not(n, " LIKE ")
		w.node(n.kids[1])
		if len(n.kids) == 3 {
			b.WriteString(" ESCAPE ")
			w.node(n.kids[2])
		}
		b.WriteByte(')')
	case opIn:
		b.WriteByte('(')
		w.node(n.kids[0])
		w.not(n, " IN (")
		w.list(n.kids[1:])
		b.WriteString("))")
	case opBetween:
		b.WriteByte('(')
		w.node(n.kids[0])
		w.not(n, " BETWEEN ")
		w.node(n.kids[1])
		b.WriteString(" AND ")
		w.node(n.kids[2])
		b.WriteByte(')')
	case opIsNull:
		b.WriteByte('(')
		w.node(n.kids[0])
		if n.not {
			b.WriteString(" IS NOT NULL)")
		} else {
			b.WriteString(" IS NULL)")
		}
	case opNot:
		b.WriteString("(NOT ")
		w.node(n.kids[0])
		b.WriteByte(')')
	case opAnd:
		w.chain(n.kids, " AND ")
	case opOr:
		w.chain(n.kids, " OR ")
	}
}

// not writes keyword, preceded by NOT for a negated node.
func (w *renderer) not(n *node, keyword string) {
	if n.not {
		w.b.WriteString(" NOT")
	}
	w.b.WriteString(keyword)
}

func (w *renderer) list(kids []*node) {
	for i, k := range kids {
		if i > 0 {
			w.b.WriteString(", ")
		}
		w.node(k)
	}
}

func (w *renderer) chain(kids []*node, sep string) {
	if len(kids) == 1 {
		w.node(kids[0])
		return
	}
	w.b.WriteByte('(')
	if len(kids) <= flatChain {
		for i, k := range kids {
			if i > 0 {
				w.b.WriteString(sep)
			}
			w.node(k)
		}
	} else {
		mid := len(kids) / 2
		w.chain(kids[:mid], sep)
		w.b.WriteString(sep)
		w.chain(kids[mid:], sep)
	}
	w.b.WriteByte(')')
}

// maxHeight bounds the height of the rendered expression tree, well below
// SQLite's limit of 1000, whatever the nesting and the chains of ANDs and ORs.
const maxHeight = 500

// height estimates the height of the tree SQLite builds from n's SQL: one
// level per operator, function or CAST, and a left-deep spine for a flat
// run of ANDs or ORs.
func height(n *node) int {
	switch n.op {
	case opField, opLit:
		return 1
	case opRaw:
		return 2 // strftime(…, 'now')
	case opAnd, opOr:
		return chainHeight(n.kids)
	}
	h := 0
	for _, k := range n.kids {
		h = max(h, height(k))
	}
	if n.op == opBetween {
		return h + 2
	}
	return h + 1
}

func chainHeight(kids []*node) int {
	if len(kids) == 1 {
		return height(kids[0])
	}
	if len(kids) > flatChain {
		mid := len(kids) / 2
		return 1 + max(chainHeight(kids[:mid]), chainHeight(kids[mid:]))
	}
	// ((a AND b) AND c) AND d: a is len-1 deep, b too, c len-2 …
	h := 0
	for i, k := range kids {
		h = max(h, height(k)+len(kids)-max(i, 1))
	}
	return h
}
