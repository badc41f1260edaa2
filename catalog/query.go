package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"mosaic/where"
)

// Query selects items of a collection.
type Query struct {
	Where    string   // ArcGIS SQL where clause; "" selects every item
	Fields   []string // fields to return, case-insensitively; nil or ["*"] returns all
	Geometry bool     // also return each item's footprint polygon
	Offset   int64
	Limit    int64 // 0: no limit
}

// ItemRow is one item of a query's answer. Values follow the query's
// Fields; the row is reused between calls of the callback.
type ItemRow struct {
	Values []any  // int64, float64, string or nil
	Shape  string // ArcGIS JSON rings, when the query asked for geometry
}

// Compile validates a where clause against coll's fields.
func (coll *Collection) Compile(text string) (*where.Clause, error) {
	return where.Compile(text, coll.Schema())
}

// ResolveFields maps the names a user asked for to coll's fields, in the
// order asked, without duplicates; nil, empty or "*" means all fields.
func (coll *Collection) ResolveFields(names []string) ([]Field, error) {
	if len(names) == 0 || (len(names) == 1 && strings.TrimSpace(names[0]) == "*") {
		return coll.Schema(), nil
	}
	var fields []Field
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		f, ok := coll.Field(n)
		if !ok {
			return nil, Errorf(Invalid, "unknown field %q (fields: %s)", n, strings.Join(fieldNames(coll.Schema()), ", "))
		}
		if !seen[f.Name] {
			seen[f.Name] = true
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		return nil, Errorf(Invalid, "no fields asked for")
	}
	return fields, nil
}

func fieldNames(fs []Field) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return names
}

// Items runs q on coll and calls fn for each item in OBJECTID order, in one
// read transaction: fn sees a consistent snapshot and nothing is held in
// memory beyond the current row. The fields returned are reported first
// through fieldsFn, if not nil.
func (c *Catalog) Items(ctx context.Context, coll *Collection, q Query, fieldsFn func([]Field) error, fn func(*ItemRow) error) error {
	fields, err := coll.ResolveFields(q.Fields)
	if err != nil {
		return err
	}
	var clause *where.Clause
	if strings.TrimSpace(q.Where) != "" {
		if clause, err = coll.Compile(q.Where); err != nil {
			return err
		}
	}
	if q.Limit < 0 || q.Offset < 0 {
		return Errorf(Invalid, "limit and offset must not be negative")
	}
	if fieldsFn != nil {
		if err := fieldsFn(fields); err != nil {
			return err
		}
	}
	cols := fieldNames(fields)
	if q.Geometry {
		cols = append(cols, ShapeColumn, "XMin", "YMin", "XMax", "YMax")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s", columnList(cols), quoteIdent(coll.Table()))
	var args []any
	if clause != nil {
		b.WriteString(" WHERE " + clause.SQL)
		args = clause.Args
	}
	b.WriteString(" ORDER BY OBJECTID")
	if q.Limit > 0 || q.Offset > 0 {
		limit := q.Limit
		if limit == 0 {
			limit = -1
		}
		fmt.Fprintf(&b, " LIMIT %d OFFSET %d", limit, q.Offset)
	}
	return c.View(ctx, func(tx *Tx) error {
		if _, err := tx.CollectionByID(ctx, coll.ID); err != nil {
			return err
		}
		var rows *sql.Rows
		err := tx.Guard(ctx, []string{coll.Table()}, "", func() error {
			var err error
			rows, err = tx.QueryContext(ctx, b.String(), args...)
			return err
		})
		if err != nil {
			return fmt.Errorf("query %s: %w", coll.Name, err)
		}
		defer rows.Close()
		row := &ItemRow{Values: make([]any, len(fields))}
		dest := make([]any, len(cols))
		for i := range fields {
			dest[i] = &row.Values[i]
		}
		var shape sql.NullString
		var xmin, ymin, xmax, ymax sql.NullFloat64
		if q.Geometry {
			copy(dest[len(fields):], []any{&shape, &xmin, &ymin, &xmax, &ymax})
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return fmt.Errorf("read items of %s: %w", coll.Name, err)
			}
			for i, v := range row.Values {
				if b, ok := v.([]byte); ok {
					row.Values[i] = string(b)
				}
			}
			row.Shape = shape.String
			if q.Geometry && !shape.Valid && xmin.Valid && ymin.Valid && xmax.Valid && ymax.Valid {
				row.Shape = rectangleRings(xmin.Float64, ymin.Float64, xmax.Float64, ymax.Float64)
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read items of %s: %w", coll.Name, err)
		}
		return nil
	})
}

// Count returns how many items of coll the where clause selects ("" counts
// them all).
func (c *Catalog) Count(ctx context.Context, coll *Collection, whereText string) (int64, error) {
	var clause *where.Clause
	if strings.TrimSpace(whereText) != "" {
		var err error
		if clause, err = coll.Compile(whereText); err != nil {
			return 0, err
		}
	}
	var n int64
	err := c.View(ctx, func(tx *Tx) error {
		q := "SELECT count(*) FROM " + quoteIdent(coll.Table())
		var args []any
		if clause != nil {
			q += " WHERE " + clause.SQL
			args = clause.Args
		}
		return tx.Guard(ctx, []string{coll.Table()}, "", func() error {
			return tx.QueryRowContext(ctx, q, args...).Scan(&n)
		})
	})
	if err != nil {
		return 0, fmt.Errorf("count items of %s: %w", coll.Name, err)
	}
	return n, nil
}
