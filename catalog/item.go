package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path"
	"path/filepath"
	"strings"

	"mosaic/internal/textutil"
)

// Item is a raster item to add to a collection. Zero values mean "not
// known": they are stored as NULL (Category defaults to primary). Fields
// derived from the footprint and cell size (XMin…YMax, CenterX/Y,
// Shape_Area, Shape_Length, MinPS…HighPS) are computed unless Attributes
// sets them.
type Item struct {
	Name        string // default: Raster's file name without extension
	Raster      string // path or URI of the source; required
	Category    int    // CategoryPrimary (default) or CategoryOverview
	Tag         string
	GroupName   string
	ProductName string
	// Footprint is the outline of the raster in the collection's spatial
	// reference, as corners in clockwise order (upper-left, upper-right,
	// lower-right, lower-left); the ring is closed on storage.
	Footprint [][2]float64
	CellSize  float64 // map units per pixel: LowPS = HighPS = CellSize, MinPS = 0, MaxPS = 10 × CellSize
	Width     int
	Height    int
	BandCount int
	PixelType string // U8, S16, F32 …
	SRS       string // EPSG:N of the source
	// Attributes sets user fields, and the standard fields a user may set
	// (see Collection.WritableField), by name, case-insensitively. Values are
	// converted to the field's type: DATE takes time.Time or
	// "YYYY-MM-DD[ HH:MM:SS]".
	Attributes map[string]any
}

// itemRow builds the row of an item in table column order.
func (coll *Collection) itemRow(it *Item, cols *columnIndex) ([]any, error) {
	if strings.TrimSpace(it.Raster) == "" {
		return nil, Errorf(Invalid, "item %q: Raster (the source path) is required", it.Name)
	}
	row := make([]any, len(cols.names))
	set := func(name string, v any) { row[cols.pos[textutil.ToLower(name)]] = v }
	set("Name", it.Name)
	set("Raster", it.Raster)
	cat := it.Category
	if cat == 0 {
		cat = CategoryPrimary
	}
	set("Category", int64(cat))
	setText := func(name, v string) {
		if v != "" {
			set(name, v)
		}
	}
	setText("Tag", it.Tag)
	setText("GroupName", it.GroupName)
	setText("ProductName", it.ProductName)
	setText("PixelType", it.PixelType)
	setText("SRS", it.SRS)
	setInt := func(name string, v int) {
		if v != 0 {
			set(name, int64(v))
		}
	}
	setInt("Width", it.Width)
	setInt("Height", it.Height)
	setInt("BandCount", it.BandCount)
	set("Stale", int64(0))
	if it.CellSize > 0 {
		set("MinPS", 0.0)
		set("LowPS", it.CellSize)
		set("HighPS", it.CellSize)
		set("MaxPS", 10*it.CellSize)
	}
	if len(it.Footprint) >= 3 {
		setFootprint(row, cols, it.Footprint)
	}
	for k, v := range it.Attributes {
		f, cv, err := coll.FieldValue(k, v)
		if err != nil {
			return nil, fmt.Errorf("item %s: %w", it.Raster, err)
		}
		set(f.Name, cv)
	}
	finishRow(row)
	return row, nil
}

// finishRow fills what can be derived and was not given: the Name from the
// Raster, the footprint from the bounds, the center from the footprint.
func finishRow(row []any) {
	if n := row[col.Name]; n == nil || n == "" {
		row[col.Name] = nameFromRaster(row[col.Raster].(string))
	}
	if row[col.Category] == nil {
		row[col.Category] = int64(CategoryPrimary)
	}
	if row[col.Stale] == nil {
		row[col.Stale] = int64(0)
	}
	if row[col.Shape] == nil {
		// A footprint given by its bounds is their rectangle: it is stored as
		// NULL and drawn from XMin…YMax when read (see rectangleRings).
		xmin, ok1 := row[col.XMin].(float64)
		ymin, ok2 := row[col.YMin].(float64)
		xmax, ok3 := row[col.XMax].(float64)
		ymax, ok4 := row[col.YMax].(float64)
		if ok1 && ok2 && ok3 && ok4 {
			w, h := xmax-xmin, ymax-ymin
			orDerive := func(i int, v float64) {
				if row[i] == nil {
					row[i] = v
				}
			}
			orDerive(col.CenterX, xmin+w/2)
			orDerive(col.CenterY, ymin+h/2)
			orDerive(col.ShapeArea, w*h)
			orDerive(col.ShapeLength, 2*(w+h))
		}
	}
}

// col holds the positions of the standard columns in every item row.
var col = func() (c struct {
	Name, Raster, Category, Stale, Shape, XMin, YMin, XMax, YMax, CenterX, CenterY, ShapeArea, ShapeLength int
	Width, Height, SRS                                                                                     int
}) {
	at := func(name string) int {
		for i, f := range standardFields {
			if f.Name == name {
				return i
			}
		}
		if name == ShapeColumn {
			return len(standardFields)
		}
		panic("no standard field " + name)
	}
	c.Name, c.Raster, c.Category, c.Stale, c.Shape = at("Name"), at("Raster"), at("Category"), at("Stale"), at(ShapeColumn)
	c.XMin, c.YMin, c.XMax, c.YMax = at("XMin"), at("YMin"), at("XMax"), at("YMax")
	c.CenterX, c.CenterY, c.ShapeArea, c.ShapeLength = at("CenterX"), at("CenterY"), at("Shape_Area"), at("Shape_Length")
	c.Width, c.Height, c.SRS = at("Width"), at("Height"), at("SRS")
	return c
}()

// nameFromRaster is the file name of a path or URI without its extension.
func nameFromRaster(raster string) string {
	base := path.Base(filepath.ToSlash(raster))
	if ext := path.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

// setFootprint stores a polygon and what derives from it: bounds, center,
// area and perimeter.
func setFootprint(row []any, cols *columnIndex, ring [][2]float64) {
	set := func(name string, v any) { row[cols.pos[textutil.ToLower(name)]] = v }
	if n := len(ring); n > 1 && ring[0] == ring[n-1] {
		ring = ring[:n-1] // ringsJSON closes it
	}
	if signedArea2(ring) > 0 {
		// ArcGIS outer rings run clockwise; a south-up raster's corners do not.
		r := make([][2]float64, len(ring))
		for i, p := range ring {
			r[len(ring)-1-i] = p
		}
		ring = r
	}
	xmin, ymin := math.Inf(1), math.Inf(1)
	xmax, ymax := math.Inf(-1), math.Inf(-1)
	for _, p := range ring {
		xmin, xmax = math.Min(xmin, p[0]), math.Max(xmax, p[0])
		ymin, ymax = math.Min(ymin, p[1]), math.Max(ymax, p[1])
	}
	area, cx, cy, length := polygonMeasures(ring)
	set("XMin", xmin)
	set("YMin", ymin)
	set("XMax", xmax)
	set("YMax", ymax)
	set("CenterX", cx)
	set("CenterY", cy)
	set("Shape_Area", area)
	set("Shape_Length", length)
	if isRectangle(ring, xmin, ymin, xmax, ymax) {
		set(ShapeColumn, nil) // drawn from the bounds when read
	} else {
		set(ShapeColumn, ringsJSON(ring))
	}
}

// isRectangle reports whether ring is the axis-aligned rectangle of its
// bounds, so that storing the bounds stores it all.
func isRectangle(ring [][2]float64, xmin, ymin, xmax, ymax float64) bool {
	if n := len(ring); n == 5 && ring[0] == ring[4] {
		ring = ring[:4]
	}
	if len(ring) != 4 {
		return false
	}
	for i, p := range ring {
		q := ring[(i+1)%4]
		if (p[0] != xmin && p[0] != xmax) || (p[1] != ymin && p[1] != ymax) {
			return false
		}
		if p[0] != q[0] && p[1] != q[1] { // a diagonal edge
			return false
		}
	}
	return xmin < xmax && ymin < ymax
}

// rectangleRings renders the footprint of an item stored without a polygon.
func rectangleRings(xmin, ymin, xmax, ymax float64) string {
	return ringsJSON([][2]float64{{xmin, ymax}, {xmax, ymax}, {xmax, ymin}, {xmin, ymin}})
}

// signedArea2 is twice the signed area of a ring: positive when it runs
// counter-clockwise (y up).
func signedArea2(ring [][2]float64) float64 {
	var a2 float64
	for i, p := range ring {
		q := ring[(i+1)%len(ring)]
		a2 += p[0]*q[1] - q[0]*p[1]
	}
	return a2
}

// polygonMeasures returns the area, centroid and perimeter of a simple
// polygon (shoelace formula). A degenerate polygon's centroid is the mean of
// its vertices.
func polygonMeasures(ring [][2]float64) (area, cx, cy, length float64) {
	n := len(ring)
	var a2, sx, sy float64
	for i := 0; i < n; i++ {
		p, q := ring[i], ring[(i+1)%n]
		cross := p[0]*q[1] - q[0]*p[1]
		a2 += cross
		sx += (p[0] + q[0]) * cross
		sy += (p[1] + q[1]) * cross
		length += math.Hypot(q[0]-p[0], q[1]-p[1])
	}
	if a2 == 0 {
		for _, p := range ring {
			cx += p[0] / float64(n)
			cy += p[1] / float64(n)
		}
		return 0, cx, cy, length
	}
	return math.Abs(a2) / 2, sx / (3 * a2), sy / (3 * a2), length
}

// ringsJSON renders a ring as ArcGIS polygon rings, closed: [[[x,y],…]].
func ringsJSON(ring [][2]float64) string {
	var b strings.Builder
	b.WriteString("[[")
	for i := 0; i <= len(ring); i++ {
		p := ring[i%len(ring)]
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		b.Write(appendFloat(nil, p[0]))
		b.WriteByte(',')
		b.Write(appendFloat(nil, p[1]))
		b.WriteByte(']')
	}
	b.WriteString("]]")
	return b.String()
}

// columnIndex maps lower-cased (ASCII) column names to their positions.
type columnIndex struct {
	names []string
	pos   map[string]int
}

func (coll *Collection) columnIndex() *columnIndex {
	names := coll.columns()
	ci := &columnIndex{names: names, pos: make(map[string]int, len(names))}
	for i, n := range names {
		ci.pos[textutil.ToLower(n)] = i
	}
	return ci
}

// userSettable are the standard fields a user may set on the items that
// AddImage adds (--attr, attributes), besides the user fields. They are the
// descriptive fields ArcGIS leaves to people: Name (the raster type's
// default is the file name), Tag, GroupName and ProductName (labels a
// raster type or a person fills in), and ZOrder (which ArcGIS documents as
// the field to edit to order overlapping items). Every other standard field
// is the catalog's: OBJECTID is assigned; Raster, Width, Height, BandCount,
// PixelType, SRS, LowPS and HighPS come from the raster; XMin…YMax,
// CenterX/Y, Shape_Area, Shape_Length and MinPS/MaxPS are computed from its
// footprint and cell size; Category and Stale are kept by mosaic (primary
// or overview, overviews over removed items). Setting them by hand would
// give an item a footprint, a source or a state that is not its own.
var userSettable = map[string]bool{"Name": true, "Tag": true, "GroupName": true, "ProductName": true, "ZOrder": true}

// WritableField returns the field of coll named name (case-insensitively)
// that a user may set on the items an AddImage adds: a user field, or one
// of the standard fields Name, Tag, GroupName, ProductName and ZOrder (see
// userSettable). It is the one place that decides; a manifest, which
// registers items without opening rasters and so carries what would
// otherwise be read from them, has its own rule (manifestField). The error
// names the field and lists the ones a user may set.
func (coll *Collection) WritableField(name string) (Field, error) {
	f, ok := coll.Field(strings.TrimSpace(name))
	if !ok {
		return Field{}, Errorf(Invalid, "unknown field %s (fields of %s you can set: %s)", textutil.Quote(name), coll.Name, strings.Join(coll.writableFieldNames(), ", "))
	}
	switch {
	case f.Name == "OBJECTID":
		return Field{}, Errorf(Invalid, "OBJECTID is assigned by the catalog and cannot be set")
	case isStandardField(f.Name) && !userSettable[f.Name]:
		return Field{}, Errorf(Invalid, "%s is computed by mosaic from the raster and cannot be set (fields of %s you can set: %s)", f.Name, coll.Name, strings.Join(coll.writableFieldNames(), ", "))
	}
	return f, nil
}

// FieldValue resolves a field an item's value may set (see WritableField)
// and converts v to its type (see ConvertValue).
func (coll *Collection) FieldValue(name string, v any) (Field, any, error) {
	f, err := coll.WritableField(name)
	if err != nil {
		return Field{}, nil, err
	}
	cv, err := ConvertValue(f, v)
	if err != nil {
		return Field{}, nil, Errorf(Invalid, "%v", err)
	}
	return f, cv, nil
}

// writableFieldNames are the fields a user may set (see WritableField).
func (coll *Collection) writableFieldNames() []string {
	var names []string
	for _, f := range coll.Schema() {
		if !isStandardField(f.Name) || userSettable[f.Name] {
			names = append(names, f.Name)
		}
	}
	return names
}

// AddItems adds items to coll in one transaction and returns how many were
// added. Either all are added or none. It is the Go API's way to build a
// catalog (test fixtures); commands add items through jobs.
func (c *Catalog) AddItems(ctx context.Context, coll *Collection, items []Item) (int, error) {
	var n int
	err := c.Update(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.AddItems(ctx, coll, items)
		return err
	})
	return n, err
}

// AddItems adds items to coll inside tx and returns how many were added.
func (tx *Tx) AddItems(ctx context.Context, coll *Collection, items []Item) (int, error) {
	cols := coll.columnIndex()
	rows := make([][]any, 0, len(items))
	for i := range items {
		row, err := coll.itemRow(&items[i], cols)
		if err != nil {
			return 0, err
		}
		rows = append(rows, row)
	}
	ins, err := tx.newInserter(ctx, coll, nil)
	if err != nil {
		return 0, fmt.Errorf("add items to %s: %w", coll.Name, err)
	}
	defer ins.close()
	for _, row := range rows {
		if err := ins.add(row); err != nil {
			return 0, fmt.Errorf("add items to %s: %w", coll.Name, err)
		}
	}
	if err := ins.finish(); err != nil {
		return 0, fmt.Errorf("add items to %s: %w", coll.Name, err)
	}
	return len(rows), nil
}

// inserter adds rows to an item table with multi-row INSERT statements, and
// extends the collection's boundary with the primary items it adds.
type inserter struct {
	ctx      context.Context
	tx       *Tx
	coll     *Collection
	cols     *columnIndex
	used     []int // positions of the columns bound; the others take their defaults
	perStmt  int
	stmt     *sql.Stmt // INSERT of perStmt rows
	buf      []any
	n        int
	extent   *Extent
	inserted int
	// The OBJECTID the next row added gets (AUTOINCREMENT hands them out in
	// turn), and the candidates for the collection's edge items.
	nextOID int64
	edges   *edgeCandidates
	added   int64
	timeCol int // the position of the time field's column; -1 without one
}

// maxInsertParams stays under SQLite's default limit of bound parameters.
const maxInsertParams = 32766

// newInserter prepares to insert rows into coll's item table, binding the
// columns at positions used (all when nil).
func (tx *Tx) newInserter(ctx context.Context, coll *Collection, used []int) (*inserter, error) {
	ins := &inserter{ctx: ctx, tx: tx, coll: coll, cols: coll.columnIndex(), used: used, timeCol: -1}
	if tf, ok := coll.TimeField(); ok {
		if i, ok := ins.cols.pos[textutil.ToLower(tf.Name)]; ok {
			ins.timeCol = i
		}
	}
	if ins.used == nil {
		for i := range ins.cols.names {
			ins.used = append(ins.used, i)
		}
	}
	ncols := len(ins.used)
	ins.perStmt = min(256, maxInsertParams/ncols)
	var err error
	if ins.edges, err = tx.newEdgeCandidates(ctx, coll); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), coalesce((SELECT max(OBJECTID) FROM "+quoteIdent(coll.Table())+"), 0)) + 1",
		coll.Table()).Scan(&ins.nextOID); err != nil {
		return nil, fmt.Errorf("read the next OBJECTID of %s: %w", coll.Name, err)
	}
	stmt, err := tx.PrepareContext(ctx, ins.insertSQL(ins.perStmt))
	if err != nil {
		return nil, fmt.Errorf("prepare insert: %w", err)
	}
	ins.stmt = stmt
	ins.buf = make([]any, 0, ins.perStmt*ncols)
	return ins, nil
}

func (ins *inserter) insertSQL(rows int) string {
	names := make([]string, len(ins.used))
	for i, p := range ins.used {
		names[i] = ins.cols.names[p]
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(names)), ",") + ")"
	return "INSERT INTO " + quoteIdent(ins.coll.Table()) + " (" + columnList(names) + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

func (ins *inserter) add(row []any) error {
	if cat, _ := row[col.Category].(int64); cat == CategoryPrimary {
		xmin, ok1 := row[col.XMin].(float64)
		ymin, ok2 := row[col.YMin].(float64)
		xmax, ok3 := row[col.XMax].(float64)
		ymax, ok4 := row[col.YMax].(float64)
		if ok1 && ok2 && ok3 && ok4 {
			ins.edges.offerBounds(ins.nextOID+ins.added, [4]float64{xmin, ymin, xmax, ymax})
			if ins.extent == nil {
				ins.extent = &Extent{xmin, ymin, xmax, ymax}
			} else {
				e := ins.extent
				e.XMin, e.YMin = math.Min(e.XMin, xmin), math.Min(e.YMin, ymin)
				e.XMax, e.YMax = math.Max(e.XMax, xmax), math.Max(e.YMax, ymax)
			}
		}
	}
	if cat, _ := row[col.Category].(int64); cat == CategoryPrimary && ins.timeCol >= 0 {
		if v, ok := dateSeconds(row[ins.timeCol]); ok {
			ins.edges.offerTime(ins.nextOID+ins.added, v)
		}
	}
	for _, p := range ins.used {
		ins.buf = append(ins.buf, row[p])
	}
	ins.n++
	ins.added++
	if ins.n == ins.perStmt {
		return ins.flush()
	}
	return nil
}

func (ins *inserter) flush() error {
	if ins.n == 0 {
		return nil
	}
	stmt := ins.stmt
	if ins.n < ins.perStmt {
		var err error
		stmt, err = ins.tx.PrepareContext(ins.ctx, ins.insertSQL(ins.n))
		if err != nil {
			return fmt.Errorf("prepare insert: %w", err)
		}
		defer stmt.Close()
	}
	if _, err := stmt.ExecContext(ins.ctx, ins.buf...); err != nil {
		return fmt.Errorf("insert items: %w", err)
	}
	ins.inserted += ins.n
	ins.buf = ins.buf[:0]
	ins.n = 0
	return nil
}

// finish writes what is buffered, counts the rows added onto the
// collection's counter, records its new edge items and extends its stored
// boundary.
func (ins *inserter) finish() error {
	if err := ins.flush(); err != nil {
		return err
	}
	var last int64
	if err := ins.tx.QueryRowContext(ins.ctx, "SELECT coalesce(max(OBJECTID), 0) FROM "+quoteIdent(ins.coll.Table())).Scan(&last); err != nil {
		return err
	}
	if ins.added > 0 && last != ins.nextOID+ins.added-1 {
		// Not handed out in turn after all: find the edge items again.
		if err := ins.tx.FillEdges(ins.ctx, ins.coll); err != nil {
			return err
		}
	} else if err := ins.tx.saveEdgeCandidates(ins.ctx, ins.coll, ins.edges); err != nil {
		return err
	}
	if err := ins.tx.addToCount(ins.ctx, ins.coll, int64(ins.inserted)); err != nil {
		return err
	}
	e := ins.extent
	if e == nil {
		return nil
	}
	_, err := ins.tx.ExecContext(ins.ctx, `UPDATE collections SET
		xmin = min(coalesce(xmin, ?1), ?1), ymin = min(coalesce(ymin, ?2), ?2),
		xmax = max(coalesce(xmax, ?3), ?3), ymax = max(coalesce(ymax, ?4), ?4), updated = ?5 WHERE id = ?6`,
		e.XMin, e.YMin, e.XMax, e.YMax, timestamp(ins.tx.Now), ins.coll.ID)
	if err != nil {
		return fmt.Errorf("extend boundary of %s: %w", ins.coll.Name, err)
	}
	return nil
}

func (ins *inserter) close() { ins.stmt.Close() }
