package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"mosaic/internal/textutil"
	"mosaic/where"
)

// Query selects items of a collection.
type Query struct {
	Where    string   // ArcGIS SQL where clause; "" selects every item
	Fields   []string // fields to return, case-insensitively; nil or ["*"] returns all
	Geometry bool     // also return each item's footprint polygon
	// Spatial, when not nil, keeps the items whose footprints are in its
	// relation with its geometry.
	Spatial *Spatial
	// OutSRS gives footprints (and the feature set's spatial reference) in
	// this spatial reference instead of the collection's.
	OutSRS string
	Offset int64
	Limit  int64 // 0: no limit
}

// ItemRow is one item of a selection's answer. Values follow the
// selection's Fields.
type ItemRow struct {
	Values []any  // int64, float64, string or nil
	Shape  string // ArcGIS JSON rings, when the query asked for geometry
	// Rectangle reports that the footprint is the rectangle of the item's
	// XMin…YMax, stored as its bounds alone (Shape is then drawn from them).
	Rectangle bool
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
			return nil, Errorf(Invalid, "unknown field %s (fields: %s)", textutil.Quote(n), strings.Join(fieldNames(coll.Schema()), ", "))
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

// TimeField returns the field that gives an item its time: the first DATE
// field of the collection, as the image service's timeInfo names it.
func (coll *Collection) TimeField() (Field, bool) {
	for _, f := range coll.Fields {
		if f.Type == where.Date {
			return f, true
		}
	}
	return Field{}, false
}

func fieldNames(fs []Field) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return names
}

// Selection is a validated query of a collection's items, ready to run:
// its where clause compiled and its fields resolved.
type Selection struct {
	Collection *Collection
	Fields     []Field // the fields each row carries, in order
	Geometry   bool    // rows carry their footprint
	clause     *where.Clause
	spatial    *spatialFilter
	out        *outProjection // nil: footprints in the collection's reference
	offset     int64
	limit      int64
}

// Select validates q against coll's fields. Nothing reads the catalog
// until the selection runs (Catalog.Each, Catalog.Count).
func (coll *Collection) Select(q Query) (*Selection, error) {
	fields, err := coll.ResolveFields(q.Fields)
	if err != nil {
		return nil, err
	}
	sel := &Selection{Collection: coll, Fields: fields, Geometry: q.Geometry, offset: q.Offset, limit: q.Limit}
	if strings.TrimSpace(q.Where) != "" {
		if sel.clause, err = coll.Compile(q.Where); err != nil {
			return nil, err
		}
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, Errorf(Invalid, "limit and offset must not be negative")
	}
	if q.Spatial != nil {
		if sel.spatial, err = coll.prepareSpatial(q.Spatial); err != nil {
			return nil, err
		}
	}
	if q.OutSRS != "" {
		if sel.out, err = coll.outProjection(q.OutSRS); err != nil {
			return nil, err
		}
	}
	return sel, nil
}

// FeatureSet is the head of the feature set the selection's rows make.
func (sel *Selection) FeatureSet() FeatureSet {
	return FeatureSet{Fields: sel.Fields, Geometry: sel.Geometry, SRS: sel.SRS()}
}

// SRS is the spatial reference the selection's footprints come in.
func (sel *Selection) SRS() string {
	if sel.out != nil {
		return sel.out.srs
	}
	return sel.Collection.SRS
}

// filter is the selection's WHERE condition ("" for every item) and its
// arguments, and the function that releases what they hold once the
// statement has run (a spatial filter's registration).
func (sel *Selection) filter() (string, []any, func()) {
	var conds []string
	var args []any
	release := func() {}
	if sel.clause != nil {
		conds = append(conds, sel.clause.SQL)
		args = append(args, sel.clause.Args...)
	}
	if sel.spatial != nil {
		key, done := holdFilter(sel.spatial)
		cond, a := sel.spatial.condition(key)
		conds = append(conds, cond)
		args = append(args, a...)
		release = done
	}
	if len(conds) == 0 {
		return "", nil, release
	}
	return " WHERE " + strings.Join(conds, " AND "), args, release
}

// Each runs the selection and calls fn for each item in OBJECTID order, in
// one read transaction: fn sees a consistent snapshot and nothing is held in
// memory beyond the current row, which is reused between calls.
func (c *Catalog) Each(ctx context.Context, sel *Selection, fn func(*ItemRow) error) error {
	coll := sel.Collection
	cols := fieldNames(sel.Fields)
	if sel.Geometry {
		cols = append(cols, ShapeColumn, "XMin", "YMin", "XMax", "YMax", "LowPS")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s", columnList(cols), quoteIdent(coll.Table()))
	cond, args, release := sel.filter()
	defer release()
	b.WriteString(cond)
	b.WriteString(" ORDER BY OBJECTID")
	if sel.limit > 0 || sel.offset > 0 {
		limit := sel.limit
		if limit == 0 {
			limit = -1
		}
		fmt.Fprintf(&b, " LIMIT %d OFFSET %d", limit, sel.offset)
	}
	return c.View(ctx, func(tx *Tx) error {
		if _, err := tx.CollectionByID(ctx, coll.ID); err != nil {
			return err
		}
		// Prepared apart from running, so that an error while running is
		// known to come from evaluating the clause (see clauseError). The
		// statement outlives its rows.
		var stmt *sql.Stmt
		var rows *sql.Rows
		err := tx.Guard(ctx, []string{coll.Table()}, "", func() error {
			var err error
			if stmt, err = tx.PrepareContext(ctx, b.String()); err != nil {
				return err
			}
			rows, err = stmt.QueryContext(ctx, args...)
			return clauseError(err, sel.clause)
		})
		if stmt != nil {
			defer stmt.Close()
		}
		if err != nil {
			return fmt.Errorf("query %s: %w", coll.Name, err)
		}
		defer rows.Close()
		row := &ItemRow{Values: make([]any, len(sel.Fields))}
		dest := make([]any, len(cols))
		for i := range sel.Fields {
			dest[i] = &row.Values[i]
		}
		var shape sql.NullString
		var xmin, ymin, xmax, ymax, lowPS sql.NullFloat64
		if sel.Geometry {
			copy(dest[len(sel.Fields):], []any{&shape, &xmin, &ymin, &xmax, &ymax, &lowPS})
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
			row.Shape, row.Rectangle = shape.String, false
			if sel.Geometry && !shape.Valid && xmin.Valid && ymin.Valid && xmax.Valid && ymax.Valid {
				row.Shape = rectangleRings(xmin.Float64, ymin.Float64, xmax.Float64, ymax.Float64)
				row.Rectangle = true
			}
			if sel.out != nil && row.Shape != "" {
				if err := sel.out.project(row, lowPS.Float64); err != nil {
					return fmt.Errorf("item %v: %w", row.Values[0], err)
				}
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read items of %s: %w", coll.Name, clauseError(err, sel.clause))
		}
		return nil
	})
}

// Count returns how many items the selection's filter selects (its fields,
// offset and limit do not count).
func (c *Catalog) Count(ctx context.Context, sel *Selection) (int64, error) {
	coll := sel.Collection
	cond, args, release := sel.filter()
	defer release()
	var n int64
	err := c.View(ctx, func(tx *Tx) error {
		return tx.Guard(ctx, []string{coll.Table()}, "", func() error {
			stmt, err := tx.PrepareContext(ctx, "SELECT count(*) FROM "+quoteIdent(coll.Table())+cond)
			if err != nil {
				return err
			}
			defer stmt.Close()
			return clauseError(stmt.QueryRowContext(ctx, args...).Scan(&n), sel.clause)
		})
	})
	if err != nil {
		return 0, fmt.Errorf("count items of %s: %w", coll.Name, err)
	}
	return n, nil
}
