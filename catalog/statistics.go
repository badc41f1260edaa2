package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"strings"

	"mosaic/where"
)

// Statistic is one statistic of an ArcGIS query's outStatistics: a type
// (count, sum, min, max, avg, stddev, var) over a field, named OutName in
// the answer.
type Statistic struct {
	Type    string
	Field   string
	OutName string
}

// StatisticTypes are the statistic types a query may ask for.
var StatisticTypes = []string{"count", "sum", "min", "max", "avg", "stddev", "var"}

var outNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// StatisticsQuery asks for statistics of the items a selection filters,
// grouped by GroupBy fields (each group one row).
type StatisticsQuery struct {
	Stats   []Statistic
	GroupBy []string
	OrderBy []Order // fields of GroupBy or OutNames; nil: by the groups
	Offset  int64
	Limit   int64 // 0: no limit
}

// StatisticsResult is the answer's head: one field per group field, then
// one per statistic.
type StatisticsResult struct {
	Fields []FieldJSON
	types  []Field // the field each value is written as
}

// resolvedStat is a statistic checked against the schema.
type resolvedStat struct {
	typ   string
	field Field
	out   string
}

// Statistics validates q against the selection's collection and calls fn
// with each row of values (group fields, then statistics), in one read
// transaction. Field names come from the schema only; the out names a user
// chose never reach SQL (the columns are positional).
func (c *Catalog) Statistics(ctx context.Context, sel *Selection, q StatisticsQuery, head func(StatisticsResult) error, fn func([]any) error) error {
	coll := sel.Collection
	if len(q.Stats) == 0 {
		return ParamErrorf("outStatistics", "outStatistics: give at least one statistic")
	}
	var groups []Field
	seen := map[string]bool{}
	for _, g := range q.GroupBy {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		f, ok := coll.Field(g)
		if !ok {
			return ParamErrorf("groupByFieldsForStatistics", "groupByFieldsForStatistics: unknown field %q (fields: %s)", g, strings.Join(fieldNames(coll.Schema()), ", "))
		}
		if seen[strings.ToLower(f.Name)] {
			return ParamErrorf("groupByFieldsForStatistics", "groupByFieldsForStatistics: %s is given twice", f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		groups = append(groups, f)
	}
	var stats []resolvedStat
	for i, s := range q.Stats {
		typ := strings.ToLower(strings.TrimSpace(s.Type))
		if !validStatType(typ) {
			return ParamErrorf("outStatistics", "outStatistics[%d]: statisticType %q is not one of %s", i, s.Type, strings.Join(StatisticTypes, ", "))
		}
		f, ok := coll.Field(strings.TrimSpace(s.Field))
		if !ok {
			return ParamErrorf("outStatistics", "outStatistics[%d]: unknown onStatisticField %q (fields: %s)", i, s.Field, strings.Join(fieldNames(coll.Schema()), ", "))
		}
		switch typ {
		case "sum", "avg", "stddev", "var":
			if f.Type != where.Integer && f.Type != where.Real {
				return ParamErrorf("outStatistics", "outStatistics[%d]: %s needs a numeric field; %s is %s", i, typ, f.Name, f.Type)
			}
		}
		out := strings.TrimSpace(s.OutName)
		if out == "" {
			out = typ + "_" + f.Name
		}
		if !outNameRE.MatchString(out) {
			return ParamErrorf("outStatistics", "outStatistics[%d]: outStatisticFieldName %q: a name starts with a letter or _ and has only letters, digits and _ (at most 64)", i, s.OutName)
		}
		if seen[strings.ToLower(out)] {
			return ParamErrorf("outStatistics", "outStatistics[%d]: the name %s is used twice", i, out)
		}
		seen[strings.ToLower(out)] = true
		stats = append(stats, resolvedStat{typ: typ, field: f, out: out})
	}

	// Columns: the groups, then per statistic what computes it.
	var cols []string
	for _, g := range groups {
		cols = append(cols, quoteIdent(g.Name))
	}
	var res StatisticsResult
	for _, g := range groups {
		fj := ServiceFieldsJSON([]Field{g})[0]
		res.Fields = append(res.Fields, fj)
		res.types = append(res.types, g)
	}
	for _, s := range stats {
		col := quoteIdent(s.field.Name)
		switch s.typ {
		case "count":
			cols = append(cols, "count("+col+")")
			res.types = append(res.types, Field{Name: s.out, Type: where.Integer})
			res.Fields = append(res.Fields, FieldJSON{Name: s.out, Type: "esriFieldTypeInteger", Alias: s.out})
		case "min", "max":
			cols = append(cols, s.typ+"("+col+")")
			t := Field{Name: s.out, Type: s.field.Type}
			res.types = append(res.types, t)
			fj := FieldJSON{Name: s.out, Type: esriFieldType(t), Alias: s.out}
			if t.Type == where.Text {
				fj.Length = textFieldLength
			}
			res.Fields = append(res.Fields, fj)
		case "sum":
			cols = append(cols, "sum("+col+")")
			res.types = append(res.types, Field{Name: s.out, Type: where.Real})
			res.Fields = append(res.Fields, FieldJSON{Name: s.out, Type: "esriFieldTypeDouble", Alias: s.out})
		case "avg":
			cols = append(cols, "avg("+col+")")
			res.types = append(res.types, Field{Name: s.out, Type: where.Real})
			res.Fields = append(res.Fields, FieldJSON{Name: s.out, Type: "esriFieldTypeDouble", Alias: s.out})
		case "stddev", "var":
			// The sample variance from count, sum and sum of squares,
			// computed in Go (SQLite has no such aggregate).
			cols = append(cols, "count("+col+")", "total("+col+")", "total(1.0*"+col+"*"+col+")")
			res.types = append(res.types, Field{Name: s.out, Type: where.Real})
			res.Fields = append(res.Fields, FieldJSON{Name: s.out, Type: "esriFieldTypeDouble", Alias: s.out})
		}
	}

	// Order: by the given group fields or statistics (by position), else
	// by the groups.
	var order []string
	for _, o := range q.OrderBy {
		pos := -1
		for i, f := range res.Fields {
			if strings.EqualFold(f.Name, strings.TrimSpace(o.Field)) {
				pos = i
			}
		}
		if pos < 0 {
			return ParamErrorf("orderByFields", "orderByFields: %q is neither a groupByFieldsForStatistics field nor an outStatisticFieldName", o.Field)
		}
		expr := fmt.Sprint(sqlPosition(pos, len(groups), stats))
		if o.Desc {
			expr += " DESC"
		}
		order = append(order, expr)
	}
	if len(order) == 0 {
		for i := range groups {
			order = append(order, fmt.Sprint(i+1))
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s", strings.Join(cols, ", "), quoteIdent(coll.Table()))
	cond, args := sel.filter()
	b.WriteString(cond)
	if len(groups) > 0 {
		parts := make([]string, len(groups))
		for i := range groups {
			parts[i] = fmt.Sprint(i + 1)
		}
		b.WriteString(" GROUP BY " + strings.Join(parts, ", "))
	}
	if len(order) > 0 {
		b.WriteString(" ORDER BY " + strings.Join(order, ", "))
	}
	writeLimit(&b, q.Limit, q.Offset)
	if err := head(res); err != nil {
		return err
	}
	if hold, err := c.constantsHold(ctx, sel); err != nil || !hold {
		if err == nil && len(groups) == 0 {
			// No item: one row of statistics over nothing, as SQL gives.
			b.Reset()
			fmt.Fprintf(&b, "SELECT %s FROM %s WHERE 0", strings.Join(cols, ", "), quoteIdent(coll.Table()))
			writeLimit(&b, q.Limit, q.Offset)
			args = nil
		} else {
			return err
		}
	}
	return c.View(ctx, func(tx *Tx) error {
		var rows *sql.Rows
		err := tx.Guard(ctx, []string{coll.Table()}, "", func() error {
			var err error
			rows, err = tx.QueryContext(ctx, b.String(), args...)
			return err
		})
		if err != nil {
			return fmt.Errorf("statistics of %s: %w", coll.Name, err)
		}
		defer rows.Close()
		raw := make([]any, len(cols))
		dest := make([]any, len(cols))
		for i := range raw {
			dest[i] = &raw[i]
		}
		out := make([]any, len(res.types))
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return fmt.Errorf("statistics of %s: %w", coll.Name, err)
			}
			k := 0
			for i := range groups {
				out[i] = text(raw[k])
				k++
			}
			for i, s := range stats {
				at := len(groups) + i
				switch s.typ {
				case "stddev", "var":
					out[at] = variance(raw[k], raw[k+1], raw[k+2], s.typ == "stddev")
					k += 3
				case "sum", "avg":
					out[at] = toFloat(raw[k])
					k++
				default:
					out[at] = text(raw[k])
					k++
				}
			}
			if err := fn(out); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// sqlPosition is the 1-based column position of answer field pos.
func sqlPosition(pos, groups int, stats []resolvedStat) int {
	if pos < groups {
		return pos + 1
	}
	col := groups
	for i, s := range stats {
		if groups+i == pos {
			return col + 1
		}
		if s.typ == "stddev" || s.typ == "var" {
			col += 3
		} else {
			col++
		}
	}
	return col + 1
}

// Append appends one statistics row to b as a feature's attributes.
func (r StatisticsResult) Append(b []byte, values []any) []byte {
	b = append(b, `{"attributes":{`...)
	for i, f := range r.types {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.Name)
		b = append(b, ':')
		b = appendValue(b, f, values[i])
	}
	return append(b, "}}"...)
}

func validStatType(t string) bool {
	for _, s := range StatisticTypes {
		if s == t {
			return true
		}
	}
	return false
}

func text(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

func toFloat(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return nil
}

// variance is the sample variance (or its root) of n values of sum s and
// sum of squares ss; null for fewer than two values.
func variance(n, s, ss any, root bool) any {
	cnt, _ := n.(int64)
	sum, _ := toFloat(s).(float64)
	sq, _ := toFloat(ss).(float64)
	if cnt < 2 {
		return nil
	}
	v := (sq - sum*sum/float64(cnt)) / float64(cnt-1)
	if v < 0 || math.IsNaN(v) {
		v = 0 // rounding of equal values
	}
	if root {
		return math.Sqrt(v)
	}
	return v
}
