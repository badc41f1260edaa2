package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"mosaic/geometry"
	"mosaic/internal/textutil"
	"mosaic/where"
)

// Query selects items of a collection. Every part that comes from a user
// reaches SQL through package where (Where, MoreWhere) or as bound
// arguments of fields resolved against the collection's schema (the
// others): nothing of it is ever written into SQL text.
type Query struct {
	Where string // ArcGIS SQL where clause; "" selects every item
	// MoreWhere are further where clauses (a mosaic rule's), each compiled
	// on its own and ANDed with Where.
	MoreWhere []string
	// ObjectIDs, when not nil, keeps only the items with these OBJECTIDs.
	ObjectIDs []int64
	// Time, when not nil, keeps the items whose time field (TimeField)
	// falls in it.
	Time *TimeRange
	// PixelSize, when positive, keeps the items whose pixel size range
	// (MinPS to MaxPS) contains it, as an ArcGIS image query filter does;
	// an unknown bound does not exclude.
	PixelSize float64
	Fields    []string // fields to return, case-insensitively; nil or ["*"] returns all
	Geometry  bool     // also return each item's footprint polygon
	// Spatial, when not nil, keeps the items whose footprints are in its
	// relation with its geometry.
	Spatial *Spatial
	// OutSRS gives footprints (and the feature set's spatial reference) in
	// this spatial reference instead of the collection's.
	OutSRS string
	// OrderBy orders the items; nil means OBJECTID ascending. OBJECTID
	// always ends the order, so that pages are stable.
	OrderBy []Order
	// Distinct returns each distinct combination of Fields once (ArcGIS
	// returnDistinctValues), without geometry.
	Distinct bool
	Offset   int64
	Limit    int64 // 0: no limit
}

// Order is one key of an order: a field and its direction.
type Order struct {
	Field string
	Desc  bool
}

// TimeRange is a time instant (Start equals End) or extent; a nil end is
// open.
type TimeRange struct {
	Start, End *time.Time
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
// its where clauses compiled, its fields and order resolved.
type Selection struct {
	Collection *Collection
	Fields     []Field // the fields each row carries, in order
	Geometry   bool    // rows carry their footprint
	Distinct   bool
	order      []Order // resolved to canonical names, OBJECTID last
	conds      []string
	args       []any
	constants  []*where.Clause // clauses on no field, evaluated when the selection runs
	clause     *where.Clause   // the where clause, which SQLite errors while running come from
	spatial    *spatialFilter  // nil without a spatial selection
	out        *outProjection  // nil: footprints in the collection's reference
	offset     int64
	limit      int64
	from       string // the table read, when not the collection's (SelectRemoved)
}

// table is the table the selection reads.
func (sel *Selection) table() string {
	if sel.from != "" {
		return sel.from
	}
	return sel.Collection.Table()
}

// SelectRemoved selects what undo log l keeps of the items a job removed
// from coll (fields as Query.Fields, every one when nil; footprints when
// geometry): the rows as they were, read from the undo table.
func (coll *Collection) SelectRemoved(l *UndoLog, fields []string, geometry bool) (*Selection, error) {
	sel, err := coll.Select(Query{Fields: fields, Geometry: geometry})
	if err != nil {
		return nil, err
	}
	cond, args := l.removed()
	sel.from = l.Table
	sel.conds = append(sel.conds, cond)
	sel.args = append(sel.args, args...)
	if l.Kind == UndoSwap {
		sel.clause = l.Clause
	}
	return sel, nil
}

// Select validates q against coll's fields. Nothing reads the catalog
// until the selection runs (Catalog.Each, Catalog.Count). Errors name the
// parameter of an ArcGIS query they are about.
func (coll *Collection) Select(q Query) (*Selection, error) {
	fields, err := coll.ResolveFields(q.Fields)
	if err != nil {
		return nil, WithParam(err, "outFields")
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, Errorf(Invalid, "limit and offset must not be negative")
	}
	sel := &Selection{Collection: coll, Fields: fields, Geometry: q.Geometry && !q.Distinct, Distinct: q.Distinct,
		offset: q.Offset, limit: q.Limit}
	for i, text := range append([]string{q.Where}, q.MoreWhere...) {
		if strings.TrimSpace(text) == "" {
			continue
		}
		c, err := coll.Compile(text)
		if err != nil {
			if i > 0 {
				return nil, WithParam(Errorf(Invalid, "mosaicRule where: %v", err), "mosaicRule")
			}
			return nil, err
		}
		if len(c.Fields) == 0 {
			// A clause on no field (1=1, as ArcGIS clients select every
			// item) holds for every item or none: it is evaluated once
			// when the selection runs, and is no filter.
			sel.constants = append(sel.constants, c)
			continue
		}
		sel.conds = append(sel.conds, c.SQL)
		sel.args = append(sel.args, c.Args...)
		if i == 0 {
			sel.clause = c
		}
	}
	if q.ObjectIDs != nil {
		if len(q.ObjectIDs) == 0 {
			sel.conds = append(sel.conds, "0")
		} else {
			sel.conds = append(sel.conds, "OBJECTID IN ("+strings.TrimSuffix(strings.Repeat("?,", len(q.ObjectIDs)), ",")+")")
			for _, id := range q.ObjectIDs {
				sel.args = append(sel.args, id)
			}
		}
	}
	if q.Time != nil {
		f, ok := coll.TimeField()
		if !ok {
			return nil, ParamErrorf("time", "time: collection %s has no DATE field, so its items have no time", coll.Name)
		}
		col := quoteIdent(f.Name)
		if s := q.Time.Start; s != nil {
			v, err := dateValue(s.Add(time.Second - 1).Truncate(time.Second)) // stored to the second: round the start up
			if err != nil {
				return nil, ParamErrorf("time", "time: %v", err)
			}
			sel.conds = append(sel.conds, col+" >= ?")
			sel.args = append(sel.args, v)
		}
		if e := q.Time.End; e != nil {
			v, err := dateValue(e.Truncate(time.Second))
			if err != nil {
				return nil, ParamErrorf("time", "time: %v", err)
			}
			sel.conds = append(sel.conds, col+" <= ?")
			sel.args = append(sel.args, v)
		}
	}
	if q.Spatial != nil {
		if sel.spatial, err = coll.prepareSpatial(q.Spatial); err != nil {
			return nil, err
		}
		cond, args := sel.spatial.condition()
		sel.conds = append(sel.conds, cond)
		sel.args = append(sel.args, args...)
	}
	if q.OutSRS != "" {
		if sel.out, err = coll.outProjection(q.OutSRS); err != nil {
			return nil, err
		}
	}
	if q.PixelSize > 0 && !math.IsInf(q.PixelSize, 0) {
		sel.conds = append(sel.conds, "(MinPS IS NULL OR MinPS <= ?) AND (MaxPS IS NULL OR MaxPS >= ?)")
		sel.args = append(sel.args, q.PixelSize, q.PixelSize)
	}
	seen := map[string]bool{}
	for _, o := range q.OrderBy {
		f, ok := coll.Field(strings.TrimSpace(o.Field))
		if !ok {
			return nil, ParamErrorf("orderByFields", "orderByFields: unknown field %s (fields: %s)", textutil.Quote(o.Field), strings.Join(fieldNames(coll.Schema()), ", "))
		}
		if seen[f.Name] {
			return nil, ParamErrorf("orderByFields", "orderByFields: %s is given twice", f.Name)
		}
		seen[f.Name] = true
		if q.Distinct && !containsField(fields, f.Name) {
			return nil, ParamErrorf("orderByFields", "orderByFields: %s is not among the outFields of a returnDistinctValues query", f.Name)
		}
		sel.order = append(sel.order, Order{Field: f.Name, Desc: o.Desc})
	}
	if !seen["OBJECTID"] && !q.Distinct {
		sel.order = append(sel.order, Order{Field: "OBJECTID"})
	}
	return sel, nil
}

func containsField(fs []Field, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
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

// hold makes what the selection's SQL refers to findable while its
// statements run (a spatial filter, for mosaic_relate), and returns the
// function that lets it go.
func (sel *Selection) hold() func() {
	if sel.spatial == nil {
		return func() {}
	}
	return holdFilter(sel.spatial)
}

// Filtered reports whether the selection keeps only some items of its
// collection (a selection of removed items is never the collection whole).
func (sel *Selection) Filtered() bool { return len(sel.conds) > 0 || sel.from != "" }

// filter is the selection's WHERE condition ("" for every item) and its
// arguments. extra conditions (with their arguments after the selection's)
// are ANDed.
func (sel *Selection) filter(extra ...string) (string, []any) {
	conds := append(append([]string(nil), sel.conds...), extra...)
	if len(conds) == 0 {
		return "", sel.args
	}
	return " WHERE (" + strings.Join(conds, ") AND (") + ")", sel.args
}

// orderSQL renders the selection's order.
func (sel *Selection) orderSQL() string {
	if len(sel.order) == 0 {
		return ""
	}
	parts := make([]string, len(sel.order))
	for i, o := range sel.order {
		parts[i] = quoteIdent(o.Field)
		if o.Desc {
			parts[i] += " DESC"
		}
	}
	return " ORDER BY " + strings.Join(parts, ", ")
}

// keyset reports whether pages of the selection can start from a
// remembered OBJECTID: it is ordered by OBJECTID alone, the order of the
// table itself. desc tells the direction.
func (sel *Selection) keyset() (ok, desc bool) {
	if sel.Distinct || len(sel.order) != 1 || sel.order[0].Field != "OBJECTID" {
		return false, false
	}
	return true, sel.order[0].Desc
}

// Each runs the selection and calls fn for each item in the selection's
// order, in one read transaction: fn sees a consistent snapshot and nothing
// is held in memory beyond the current row, which is reused between calls.
//
// A page of a selection ordered by OBJECTID starts from the OBJECTID that
// ended the page before it, when the catalog has not changed since (see
// pages.go): paging costs what the page returns, however deep it is.
func (c *Catalog) Each(ctx context.Context, sel *Selection, fn func(*ItemRow) error) error {
	coll := sel.Collection
	cols := fieldNames(sel.Fields)
	if sel.Geometry {
		cols = append(cols, ShapeColumn, "XMin", "YMin", "XMax", "YMax", "LowPS")
	}
	ks, desc := sel.keyset()
	if ks {
		cols = append(cols, "OBJECTID") // where the page ends, for the next page
	}
	if hold, err := c.constantsHold(ctx, sel); err != nil || !hold {
		return err
	}
	defer sel.hold()()
	var pg *pager
	if ks {
		pg = c.pages.pager(c, sel, desc)
		if pg.pastEnd(ctx) {
			return nil
		}
	}
	return c.View(ctx, func(tx *Tx) error {
		if _, err := tx.CollectionByID(ctx, coll.ID); err != nil {
			return err
		}
		var q string
		var args []any
		if pg != nil {
			var err error
			if q, args, err = pg.plan(ctx, tx, cols); err != nil {
				return err
			}
		} else {
			q, args = sel.plainSQL(cols)
		}
		// Prepared apart from running, so that an error while running is
		// known to come from evaluating the clause (see clauseError). The
		// statement outlives its rows.
		var stmt *sql.Stmt
		var rows *sql.Rows
		err := tx.Guard(ctx, []string{sel.table()}, "", func() error {
			var err error
			if stmt, err = tx.PrepareContext(ctx, q); err != nil {
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
		var oid int64
		if pg != nil {
			dest[len(cols)-1] = &oid
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
			if pg != nil {
				pg.row(oid)
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read items of %s: %w", coll.Name, clauseError(err, sel.clause))
		}
		if pg != nil {
			pg.done()
		}
		return nil
	})
}

// plainSQL is the statement of a selection that is not paged by keyset:
// LIMIT and OFFSET over its order.
func (sel *Selection) plainSQL(cols []string) (string, []any) {
	var b strings.Builder
	b.WriteString("SELECT ")
	if sel.Distinct {
		b.WriteString("DISTINCT ")
	}
	fmt.Fprintf(&b, "%s FROM %s", columnList(cols), quoteIdent(sel.table()))
	cond, args := sel.filter()
	b.WriteString(cond)
	if sel.Distinct && len(sel.order) == 0 {
		// Distinct rows in a stable order: by their values.
		parts := make([]string, len(sel.Fields))
		for i, f := range sel.Fields {
			parts[i] = quoteIdent(f.Name)
		}
		b.WriteString(" ORDER BY " + strings.Join(parts, ", "))
	} else {
		b.WriteString(sel.orderSQL())
	}
	writeLimit(&b, sel.limit, sel.offset)
	return b.String(), args
}

func writeLimit(b *strings.Builder, limit, offset int64) {
	if limit > 0 || offset > 0 {
		if limit == 0 {
			limit = -1
		}
		fmt.Fprintf(b, " LIMIT %d OFFSET %d", limit, offset)
	}
}

// Count returns how many items the selection's filter selects (its fields,
// order, offset and limit do not count), or how many distinct rows a
// Distinct selection has. The count of every item is the collection's
// (Tx.CountItems). A count is remembered until the catalog changes.
func (c *Catalog) Count(ctx context.Context, sel *Selection) (int64, error) {
	if hold, err := c.constantsHold(ctx, sel); err != nil || !hold {
		return 0, err
	}
	defer sel.hold()()
	return c.pages.count(ctx, c, sel)
}

// constantsHold evaluates the selection's clauses on no field: false means
// the selection is empty.
func (c *Catalog) constantsHold(ctx context.Context, sel *Selection) (bool, error) {
	if len(sel.constants) == 0 {
		return true, nil
	}
	hold := true
	err := c.View(ctx, func(tx *Tx) error {
		for _, k := range sel.constants {
			var v sql.NullInt64
			err := tx.Guard(ctx, nil, "", func() error {
				return tx.QueryRowContext(ctx, "SELECT CASE WHEN "+k.SQL+" THEN 1 ELSE 0 END", k.Args...).Scan(&v)
			})
			if err != nil {
				return fmt.Errorf("evaluate where clause: %w", err)
			}
			if v.Int64 != 1 {
				hold = false
			}
		}
		return nil
	})
	return hold, err
}

// countSQL is the statement that counts the selection.
func (sel *Selection) countSQL() (string, []any) {
	cond, args := sel.filter()
	table := quoteIdent(sel.table())
	if sel.Distinct {
		return "SELECT count(*) FROM (SELECT DISTINCT " + columnList(fieldNames(sel.Fields)) + " FROM " + table + cond + ")", args
	}
	return "SELECT count(*) FROM " + table + cond, args
}

// Extent returns the extent of the footprints of the items the selection
// selects, in the selection's spatial reference (SRS), and how many items
// it counted; nil when none has a footprint. In another reference than the
// collection's, it is the extent of the projected rectangle of the items'
// bounds, densified, which contains every projected footprint.
func (c *Catalog) Extent(ctx context.Context, sel *Selection) (*Extent, int64, error) {
	if hold, err := c.constantsHold(ctx, sel); err != nil || !hold {
		return nil, 0, err
	}
	defer sel.hold()()
	coll := sel.Collection
	cond, args := sel.filter()
	var xmin, ymin, xmax, ymax sql.NullFloat64
	var n int64
	err := c.View(ctx, func(tx *Tx) error {
		return tx.Guard(ctx, []string{sel.table()}, "", func() error {
			stmt, err := tx.PrepareContext(ctx, `SELECT min("XMin"), min("YMin"), max("XMax"), max("YMax"), count(*) FROM `+quoteIdent(sel.table())+cond)
			if err != nil {
				return err
			}
			defer stmt.Close()
			return clauseError(stmt.QueryRowContext(ctx, args...).Scan(&xmin, &ymin, &xmax, &ymax, &n), sel.clause)
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("extent of %s: %w", coll.Name, err)
	}
	if !xmin.Valid || !ymin.Valid || !xmax.Valid || !ymax.Valid {
		return nil, n, nil
	}
	e := &Extent{xmin.Float64, ymin.Float64, xmax.Float64, ymax.Float64}
	if sel.out != nil {
		p, err := geometry.ProjectPolygon(geometry.Envelope{XMin: e.XMin, YMin: e.YMin, XMax: e.XMax, YMax: e.YMax}.Polygon(),
			sel.out.t.Forward, math.Max(e.XMax-e.XMin, e.YMax-e.YMin)/1000*sel.out.scale+1e-12)
		if err != nil {
			return nil, 0, WithParam(Errorf(Invalid, "the extent in %s: %w", sel.out.srs, err), "outSR")
		}
		b := p.Bounds()
		e = &Extent{b.XMin, b.YMin, b.XMax, b.YMax}
	}
	return e, n, nil
}
