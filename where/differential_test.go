package where

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The differential test generates clauses in two spellings, ArcGIS SQL and
// hand-written SQLite of the same meaning, and checks that the rows
// selected through Compile are the rows SQLite selects for the hand-written
// clause. The SQLite spelling is written independently of the renderer
// (EXTRACT as substr, / as 1.0 * a / b, CEILING as ceiling …), and the
// ArcGIS spelling uses as few parentheses as precedence allows, so the test
// also checks how the clause is grouped.

// Precedence levels of ArcGIS SQL, loosest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precCmp
	precAdd
	precMul
	precNeg
	precAtom
)

// gexpr is a generated expression in both spellings.
type gexpr struct {
	arc, lite string
	prec      int
	typ       Type
}

type generator struct {
	rnd    *rand.Rand
	fields map[Type][]string
}

func newGenerator(seed uint64) *generator {
	g := &generator{rnd: rand.New(rand.NewPCG(seed, 7)), fields: map[Type][]string{}}
	for _, f := range diffSchema() {
		g.fields[f.Type] = append(g.fields[f.Type], f.Name)
	}
	return g
}

func diffSchema() Schema {
	return Schema{
		{"OBJECTID", Integer}, {"Name", Text}, {"Tag", Text}, {"SensorName", Text},
		{"Category", Integer}, {"Width", Integer}, {"Height", Integer},
		{"CloudCover", Real}, {"MinPS", Real}, {"Sun Elevation", Real},
		{"AcquisitionDate", Date}, {"Date", Date},
	}
}

func (g *generator) pick(xs ...string) string { return xs[g.rnd.IntN(len(xs))] }

func (g *generator) chance(n int) bool { return g.rnd.IntN(n) == 0 }

// wrap parenthesises e in ArcGIS spelling if it binds looser than min.
func wrap(e gexpr, min int) string {
	if e.prec < min {
		return "(" + e.arc + ")"
	}
	return e.arc
}

func (g *generator) field(t Type) gexpr {
	names := g.fields[t]
	name := names[g.rnd.IntN(len(names))]
	arc := "[" + name + "]"
	switch {
	case g.chance(3):
		arc = `"` + name + `"`
	case name != "Date" && !strings.Contains(name, " ") && !g.chance(4):
		arc = g.pick(name, strings.ToLower(name), strings.ToUpper(name))
	}
	return gexpr{arc: arc, lite: quoteIdent(name), prec: precAtom, typ: t}
}

func (g *generator) intLit() gexpr {
	s := g.pick("0", "1", "2", "3", "5", "10", "20", "100", "2020", "-1", "-5")
	prec := precAtom
	if s[0] == '-' {
		prec = precNeg
	}
	return gexpr{arc: s, lite: "(" + s + ")", prec: prec, typ: Integer}
}

func (g *generator) realLit() gexpr {
	s := g.pick("0.5", "2.5", "19.99", "20.0", "1e1", ".5", "5.", "-0.5", "20.0001")
	prec := precAtom
	if s[0] == '-' {
		prec = precNeg
	}
	return gexpr{arc: s, lite: "(" + s + ")", prec: prec, typ: Real}
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (g *generator) textLit() gexpr {
	s := sampleTexts[g.rnd.IntN(len(sampleTexts))]
	return gexpr{arc: sqlString(s), lite: sqlString(s), prec: precAtom, typ: Text}
}

// dateLit is a date literal to compare with a DATE expression: with a
// keyword, or a plain string that the comparison makes a date.
func (g *generator) dateLit() gexpr {
	d := sampleDates[g.rnd.IntN(len(sampleDates))]
	if strings.HasSuffix(d, " 00:00:00") && g.chance(2) {
		day := d[:10]
		return gexpr{arc: g.pick("date ", "DATE ", "timestamp ", "") + sqlString(day), lite: sqlString(d), prec: precAtom, typ: Date}
	}
	return gexpr{arc: g.pick("timestamp ", "date ", "") + sqlString(d), lite: sqlString(d), prec: precAtom, typ: Date}
}

func (g *generator) num(depth int) gexpr {
	if depth <= 0 || g.chance(3) {
		switch g.rnd.IntN(4) {
		case 0:
			return g.field(Integer)
		case 1:
			return g.field(Real)
		case 2:
			return g.intLit()
		}
		return g.realLit()
	}
	d := depth - 1
	fn := func(name, lite string, typ Type, args ...gexpr) gexpr {
		var a, l []string
		for _, x := range args {
			a = append(a, x.arc)
			l = append(l, x.lite)
		}
		return gexpr{arc: name + "(" + strings.Join(a, ", ") + ")", lite: lite + "(" + strings.Join(l, ", ") + ")", prec: precAtom, typ: typ}
	}
	switch g.rnd.IntN(13) {
	case 0, 1: // + - *
		a, b := g.num(d), g.num(d)
		op := g.pick("+", "-", "*")
		prec := precAdd
		if op == "*" {
			prec = precMul
		}
		typ := Real
		if a.typ == Integer && b.typ == Integer {
			typ = Integer
		}
		return gexpr{arc: wrap(a, prec) + " " + op + " " + wrap(b, prec+1), lite: "(" + a.lite + " " + op + " " + b.lite + ")", prec: prec, typ: typ}
	case 2:
		a, b := g.num(d), g.num(d)
		return gexpr{arc: wrap(a, precMul) + " / " + wrap(b, precMul+1), lite: "((1.0 * " + a.lite + ") / " + b.lite + ")", prec: precMul, typ: Real}
	case 3:
		a := g.num(d)
		if a.arc[0] == '-' {
			return gexpr{arc: "- " + wrap(a, precNeg), lite: "(-" + a.lite + ")", prec: precNeg, typ: a.typ}
		}
		return gexpr{arc: "-" + wrap(a, precNeg), lite: "(-" + a.lite + ")", prec: precNeg, typ: a.typ}
	case 4:
		a := g.num(d)
		return fn("ABS", "abs", a.typ, a)
	case 5:
		a := g.num(d)
		if g.chance(2) {
			return fn("ROUND", "round", Real, a)
		}
		return fn(g.pick("ROUND", "round"), "round", Real, a, g.pick2Int())
	case 6:
		a := g.num(d)
		if g.chance(2) {
			return fn("FLOOR", "floor", a.typ, a)
		}
		return fn("CEILING", "ceiling", a.typ, a)
	case 7:
		a, b := g.num(d), g.num(d)
		if a.typ == Integer && b.typ == Integer {
			return gexpr{arc: "MOD(" + a.arc + ", " + b.arc + ")", lite: "(" + a.lite + " % " + b.lite + ")", prec: precAtom, typ: Integer}
		}
		return fn("MOD", "mod", Real, a, b)
	case 8:
		return fn("CHAR_LENGTH", "length", Integer, g.text(d))
	case 9:
		a, b := g.text(d), g.text(d)
		return gexpr{arc: "POSITION(" + a.arc + " IN " + b.arc + ")", lite: "instr(" + b.lite + ", " + a.lite + ")", prec: precAtom, typ: Integer}
	case 10:
		unit := g.pick("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")
		start := map[string]string{"YEAR": "1, 4", "MONTH": "6, 2", "DAY": "9, 2", "HOUR": "12, 2", "MINUTE": "15, 2", "SECOND": "18, 2"}[unit]
		f := g.field(Date)
		if g.chance(4) {
			unit = strings.ToLower(unit)
		}
		return gexpr{arc: "EXTRACT(" + unit + " FROM " + f.arc + ")", lite: "CAST(substr(" + f.lite + ", " + start + ") AS INTEGER)", prec: precAtom, typ: Integer}
	case 11:
		t := g.text(d)
		return gexpr{arc: "CAST(" + t.arc + " AS " + g.pick("INTEGER", "SMALLINT") + ")", lite: "CAST(" + t.lite + " AS INTEGER)", prec: precAtom, typ: Integer}
	}
	a := g.num(d)
	return gexpr{arc: "CAST(" + a.arc + " AS " + g.pick("FLOAT", "REAL", "DOUBLE", "DOUBLE PRECISION") + ")", lite: "CAST(" + a.lite + " AS REAL)", prec: precAtom, typ: Real}
}

func (g *generator) pick2Int() gexpr {
	s := g.pick("0", "1", "2")
	return gexpr{arc: s, lite: s, prec: precAtom, typ: Integer}
}

func (g *generator) text(depth int) gexpr {
	if depth <= 0 || g.chance(2) {
		if g.chance(3) {
			return g.textLit()
		}
		return g.field(Text)
	}
	d := depth - 1
	t := g.text(d)
	switch g.rnd.IntN(6) {
	case 0:
		return gexpr{arc: "UPPER(" + t.arc + ")", lite: "upper(" + t.lite + ")", prec: precAtom, typ: Text}
	case 1:
		return gexpr{arc: "lower(" + t.arc + ")", lite: "lower(" + t.lite + ")", prec: precAtom, typ: Text}
	case 2:
		switch g.rnd.IntN(4) {
		case 0:
			return gexpr{arc: "TRIM(" + t.arc + ")", lite: "trim(" + t.lite + ")", prec: precAtom, typ: Text}
		case 1:
			return gexpr{arc: "TRIM(LEADING 'T' FROM " + t.arc + ")", lite: "ltrim(" + t.lite + ", 'T')", prec: precAtom, typ: Text}
		case 2:
			return gexpr{arc: "TRIM(TRAILING '0' FROM " + t.arc + ")", lite: "rtrim(" + t.lite + ", '0')", prec: precAtom, typ: Text}
		}
		return gexpr{arc: "TRIM(BOTH ' ' FROM " + t.arc + ")", lite: "trim(" + t.lite + ", ' ')", prec: precAtom, typ: Text}
	case 3:
		i := g.pick("1", "2", "4", "0")
		if g.chance(2) {
			return gexpr{arc: "SUBSTRING(" + t.arc + " FROM " + i + ")", lite: "substr(" + t.lite + ", " + i + ")", prec: precAtom, typ: Text}
		}
		n := g.pick("1", "3", "5")
		return gexpr{arc: "SUBSTRING(" + t.arc + " FROM " + i + " FOR " + n + ")", lite: "substr(" + t.lite + ", " + i + ", " + n + ")", prec: precAtom, typ: Text}
	case 4:
		a := g.num(d)
		return gexpr{arc: "CAST(" + a.arc + " AS " + g.pick("CHAR", "VARCHAR") + ")", lite: "CAST(" + a.lite + " AS TEXT)", prec: precAtom, typ: Text}
	}
	return t
}

func (g *generator) compareOp() (string, string) {
	op := g.pick("=", "<>", "!=", "<", "<=", ">", ">=")
	if op == "!=" {
		return op, "<>"
	}
	return op, op
}

// cond generates a condition.
func (g *generator) cond(depth int) gexpr {
	mk := func(arc, lite string) gexpr {
		return gexpr{arc: arc, lite: "(" + lite + ")", prec: precCmp, typ: boolean}
	}
	if depth > 0 && g.chance(2) {
		d := depth - 1
		switch g.rnd.IntN(3) {
		case 0:
			c := g.cond(d)
			return gexpr{arc: g.pick("NOT ", "not ") + wrap(c, precNot), lite: "(NOT " + c.lite + ")", prec: precNot, typ: boolean}
		case 1:
			a, b := g.cond(d), g.cond(d)
			return gexpr{arc: wrap(a, precAnd) + g.pick(" AND ", " and ") + wrap(b, precAnd+1), lite: "(" + a.lite + " AND " + b.lite + ")", prec: precAnd, typ: boolean}
		}
		a, b := g.cond(d), g.cond(d)
		return gexpr{arc: wrap(a, precOr) + g.pick(" OR ", " or ") + wrap(b, precOr+1), lite: "(" + a.lite + " OR " + b.lite + ")", prec: precOr, typ: boolean}
	}
	not, notLite := "", ""
	if g.chance(3) {
		not, notLite = " NOT", " NOT"
	}
	switch g.rnd.IntN(11) {
	case 0, 1:
		a, b := g.num(2), g.num(2)
		op, lop := g.compareOp()
		return mk(wrap(a, precAdd)+" "+op+" "+wrap(b, precAdd), a.lite+" "+lop+" "+b.lite)
	case 2:
		a, b := g.text(2), g.text(2)
		op, lop := g.compareOp()
		return mk(a.arc+" "+op+" "+b.arc, a.lite+" "+lop+" "+b.lite)
	case 3:
		a, b := g.field(Date), g.dateLit()
		if g.chance(3) {
			b = g.field(Date)
		}
		op, lop := g.compareOp()
		if g.chance(2) {
			a, b = b, a
		}
		return mk(a.arc+" "+op+" "+b.arc, a.lite+" "+lop+" "+b.lite)
	case 4, 5:
		t := g.text(1)
		pat := g.pick("'T32%'", "'t32%'", "'%2020'", "'T3_2'", "'_'", "'%'", "'it''s'", "'Z%'", "'%ü%'", "'%\\%'", "'T%_'", "''")
		arc, lite := t.arc+not+" LIKE "+pat, t.lite+notLite+" LIKE "+pat
		if g.chance(3) {
			pat = g.pick("'%!%%'", "'%!_%'", "'T3!_2'", "'100!%'")
			arc, lite = t.arc+not+" LIKE "+pat+" ESCAPE '!'", t.lite+notLite+" LIKE "+pat+" ESCAPE '!'"
		}
		return mk(arc, lite)
	case 6:
		var x gexpr
		var items []gexpr
		switch g.rnd.IntN(3) {
		case 0:
			x = g.num(1)
			for range 1 + g.rnd.IntN(4) {
				if g.chance(2) {
					items = append(items, g.intLit())
				} else {
					items = append(items, g.realLit())
				}
			}
		case 1:
			x = g.text(1)
			for range 1 + g.rnd.IntN(4) {
				items = append(items, g.textLit())
			}
		default:
			x = g.field(Date)
			for range 1 + g.rnd.IntN(4) {
				items = append(items, g.dateLit())
			}
		}
		var a, l []string
		for _, it := range items {
			a = append(a, it.arc)
			l = append(l, it.lite)
		}
		return mk(wrap(x, precAdd)+not+" IN ("+strings.Join(a, ", ")+")", x.lite+notLite+" IN ("+strings.Join(l, ", ")+")")
	case 7:
		var x, lo, hi gexpr
		switch g.rnd.IntN(3) {
		case 0:
			x, lo, hi = g.num(1), g.num(0), g.num(0)
		case 1:
			x, lo, hi = g.text(1), g.textLit(), g.textLit()
		default:
			x, lo, hi = g.field(Date), g.dateLit(), g.dateLit()
		}
		return mk(wrap(x, precAdd)+not+" BETWEEN "+wrap(lo, precAdd)+" AND "+wrap(hi, precAdd),
			x.lite+notLite+" BETWEEN "+lo.lite+" AND "+hi.lite)
	case 8:
		var x gexpr
		switch g.rnd.IntN(3) {
		case 0:
			x = g.num(1)
		case 1:
			x = g.text(1)
		default:
			x = g.field(Date)
		}
		return mk(wrap(x, precAdd)+" IS"+not+" NULL", x.lite+" IS"+notLite+" NULL")
	case 9:
		s := g.pick("1=1", "1 = 0", "'a' = 'a'", "0 < 1")
		return mk(s, s)
	}
	a := g.field(Date)
	unit := g.pick("YEAR", "MONTH")
	start := map[string]string{"YEAR": "1, 4", "MONTH": "6, 2"}[unit]
	n := strconv.Itoa(map[string]int{"YEAR": 2020, "MONTH": 6}[unit])
	return mk("EXTRACT("+unit+" FROM "+a.arc+") >= "+n, "CAST(substr("+a.lite+", "+start+") AS INTEGER) >= "+n)
}

func TestCompileSelectsWhatSQLiteSelects(t *testing.T) {
	schema := diffSchema()
	db := openItems(t, schema, 60)
	n := 3000
	if testing.Short() {
		n = 300
	}
	g := newGenerator(1)
	for i := range n {
		c := g.cond(3)
		clause, err := Compile(c.arc, schema)
		if err != nil {
			t.Fatalf("clause %d: Compile(%s): %v", i, c.arc, err)
		}
		got, err := selectIDs(db, clause.SQL, clause.Args...)
		if err != nil {
			t.Fatalf("clause %d: %s\nrendered %s %v: %v", i, c.arc, clause.SQL, clause.Args, err)
		}
		want, err := selectIDs(db, c.lite)
		if err != nil {
			t.Fatalf("clause %d: hand-written %s: %v", i, c.lite, err)
		}
		if got != want {
			t.Errorf("clause %d: %s\n rendered %s %v\n selects %s\nSQLite selects %s for %s", i, c.arc, clause.SQL, clause.Args, got, want, c.lite)
		}
	}
}
