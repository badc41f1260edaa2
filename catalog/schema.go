package catalog

import (
	"fmt"
	"regexp"
	"strings"

	"mosaic/internal/textutil"
	"mosaic/where"
)

// Field is a column of an item table: a standard ArcGIS mosaic dataset field
// or a user field declared when the collection was created.
type Field = where.Field

// standardFields are the columns every item table has, named as in an
// ArcGIS mosaic dataset's attribute table, in output order. The footprint
// polygon (Shape) is not an attribute: it is the feature's geometry.
var standardFields = []struct {
	Field
	ddl string // column constraint after the type
}{
	{Field{Name: "OBJECTID", Type: where.Integer}, "PRIMARY KEY AUTOINCREMENT"},
	{Field{Name: "Name", Type: where.Text}, "NOT NULL DEFAULT ''"},
	{Field{Name: "Raster", Type: where.Text}, "NOT NULL"},
	{Field{Name: "MinPS", Type: where.Real}, ""},
	{Field{Name: "MaxPS", Type: where.Real}, ""},
	{Field{Name: "LowPS", Type: where.Real}, ""},
	{Field{Name: "HighPS", Type: where.Real}, ""},
	{Field{Name: "Category", Type: where.Integer}, "NOT NULL DEFAULT 1"},
	{Field{Name: "Tag", Type: where.Text}, ""},
	{Field{Name: "GroupName", Type: where.Text}, ""},
	{Field{Name: "ProductName", Type: where.Text}, ""},
	{Field{Name: "CenterX", Type: where.Real}, ""},
	{Field{Name: "CenterY", Type: where.Real}, ""},
	{Field{Name: "ZOrder", Type: where.Integer}, ""},
	{Field{Name: "Shape_Length", Type: where.Real}, ""},
	{Field{Name: "Shape_Area", Type: where.Real}, ""},
	{Field{Name: "XMin", Type: where.Real}, ""},
	{Field{Name: "YMin", Type: where.Real}, ""},
	{Field{Name: "XMax", Type: where.Real}, ""},
	{Field{Name: "YMax", Type: where.Real}, ""},
	{Field{Name: "Width", Type: where.Integer}, ""},
	{Field{Name: "Height", Type: where.Integer}, ""},
	{Field{Name: "BandCount", Type: where.Integer}, ""},
	{Field{Name: "PixelType", Type: where.Text}, ""},
	{Field{Name: "SRS", Type: where.Text}, ""},
	{Field{Name: "Stale", Type: where.Integer}, "NOT NULL DEFAULT 0"},
}

// ShapeColumn holds the footprint polygon as ArcGIS JSON rings
// ([[[x,y],…]]); it is the geometry of an item, not an attribute.
const ShapeColumn = "Shape"

// Category values of the Category field.
const (
	CategoryPrimary  = 1
	CategoryOverview = 2
)

// StandardFields returns the standard item fields, in order.
func StandardFields() []Field {
	fs := make([]Field, len(standardFields))
	for i, f := range standardFields {
		fs[i] = f.Field
	}
	return fs
}

func isStandardField(name string) bool {
	for _, f := range standardFields {
		if textutil.EqualFold(f.Name, name) {
			return true
		}
	}
	return textutil.EqualFold(name, ShapeColumn)
}

var (
	fieldNameRE      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
	collectionNameRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,120}$`)
)

// ParseFieldSpec parses a user field declaration NAME:TYPE, where TYPE is
// INTEGER, REAL, TEXT or DATE (case-insensitive; INT, DOUBLE, FLOAT, STRING
// are accepted as their obvious equivalents).
func ParseFieldSpec(spec string) (Field, error) {
	name, typ, ok := strings.Cut(spec, ":")
	if !ok {
		return Field{}, Errorf(Invalid, "field %s: expected NAME:TYPE with TYPE one of INTEGER, REAL, TEXT, DATE", textutil.Quote(spec))
	}
	t, err := ParseType(typ)
	if err != nil {
		return Field{}, Errorf(Invalid, "field %s: %v", textutil.Quote(spec), err)
	}
	return Field{Name: strings.TrimSpace(name), Type: t}, nil
}

// ParseType parses a field type name.
func ParseType(s string) (where.Type, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "INTEGER", "INT", "LONG", "SHORT":
		return where.Integer, nil
	case "REAL", "DOUBLE", "FLOAT":
		return where.Real, nil
	case "TEXT", "STRING":
		return where.Text, nil
	case "DATE":
		return where.Date, nil
	}
	return 0, fmt.Errorf("unknown type %s (expected INTEGER, REAL, TEXT or DATE)", textutil.Quote(s))
}

// validateFields checks user field declarations: names are identifiers of at
// most 64 characters, unique (case-insensitively) and not standard fields.
func validateFields(fields []Field) error {
	seen := map[string]bool{}
	for _, f := range fields {
		if !fieldNameRE.MatchString(f.Name) {
			return Errorf(Invalid, "field %s: a name starts with a letter and has only letters, digits and _ (at most 64)", textutil.Quote(f.Name))
		}
		if isStandardField(f.Name) {
			return Errorf(Invalid, "field %s: %s is a standard field of every collection", textutil.Quote(f.Name), f.Name)
		}
		k := textutil.ToLower(f.Name)
		if seen[k] {
			return Errorf(Invalid, "field %s is declared twice", textutil.Quote(f.Name))
		}
		seen[k] = true
		switch f.Type {
		case where.Integer, where.Real, where.Text, where.Date:
		default:
			return Errorf(Invalid, "field %s: unknown type", textutil.Quote(f.Name))
		}
	}
	return nil
}

// validateCollectionName applies ArcGIS's rule for service names.
func validateCollectionName(name string) error {
	if !collectionNameRE.MatchString(name) {
		return Errorf(Invalid, "image collection name %s: use only letters, digits and _ (at most 120), as ArcGIS service names", textutil.Quote(name))
	}
	return nil
}

// quoteIdent quotes an SQL identifier. Identifiers in mosaic's SQL come
// only from the schema, never from user text, but quoting is kept anyway.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func sqlType(t where.Type) string {
	switch t {
	case where.Integer:
		return "INTEGER"
	case where.Real:
		return "REAL"
	}
	return "TEXT" // TEXT and DATE ('YYYY-MM-DD HH:MM:SS')
}

// columns returns the item table's columns in table order: the standard
// fields, Shape, then the user fields.
func (coll *Collection) columns() []string {
	cols := make([]string, 0, len(standardFields)+1+len(coll.Fields))
	for _, f := range standardFields {
		cols = append(cols, f.Name)
	}
	cols = append(cols, ShapeColumn)
	for _, f := range coll.Fields {
		cols = append(cols, f.Name)
	}
	return cols
}

// columnList renders cols as a quoted, comma separated list.
func columnList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteIdent(c)
	}
	return strings.Join(q, ", ")
}

// itemTableDDL is the CREATE TABLE statement of an item table. With undo
// set, it is the DDL of an undo table with the same columns: OBJECTIDs are
// copied, not allocated, and no defaults apply.
func itemTableDDL(table string, fields []Field, undo bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", quoteIdent(table))
	for _, f := range standardFields {
		ddl := f.ddl
		if undo {
			ddl = ""
			if f.Name == "OBJECTID" {
				ddl = "PRIMARY KEY"
			}
		}
		fmt.Fprintf(&b, "  %s %s %s,\n", quoteIdent(f.Name), sqlType(f.Type), ddl)
	}
	fmt.Fprintf(&b, "  %s TEXT", quoteIdent(ShapeColumn))
	for _, f := range fields {
		fmt.Fprintf(&b, ",\n  %s %s", quoteIdent(f.Name), sqlType(f.Type))
	}
	b.WriteString("\n) STRICT")
	return b.String()
}

// overviewIndexDDL creates the partial index of an item table's overviews
// (Category 2). Overviews are few, so the index is small and primary items
// never enter it: deleting them costs one test of Category each, and
// finding the overviews over removed items does not read the whole table.
func overviewIndexDDL(table string) string {
	return fmt.Sprintf("CREATE INDEX %s ON %s (OBJECTID) WHERE Category = %d", quoteIdent(table+"_overviews"), quoteIdent(table), CategoryOverview)
}
