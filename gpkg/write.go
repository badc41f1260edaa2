package gpkg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// applicationID is "GPKG" (GeoPackage 1.2 and later, Req 2).
const applicationID = 0x47504B47

// Options configure Create. The zero value writes a GeoPackage 1.4 file
// without an R-tree and refuses to replace an existing file.
type Options struct {
	// Overwrite lets Close replace an existing file at the path.
	Overwrite bool
	// SpatialIndex builds rtree_<table>_<geom> after the features are in,
	// registers the gpkg_rtree_index extension and creates the triggers
	// that keep it right when others edit the file. GDAL builds one by
	// default; without it GDAL (and GTI) scan the table for each request.
	SpatialIndex bool
	// Version is the GeoPackage version written; Version14 when 0.
	Version Version
	// Now is the clock for gpkg_contents.last_change and the metadata
	// timestamp; time.Now when nil. Tests fix it.
	Now func() time.Time
}

// Writer streams features into a new GeoPackage. It is not safe for
// concurrent use.
type Writer struct {
	path, tmp string
	opt       Options
	layer     Layer
	db        *sql.DB
	tx        *sql.Tx
	insert    *sql.Stmt
	args      []any
	count     int64
	extent    Envelope
	rtree     []rtEntry // the features' boxes, for the R-tree (nil when too many)
	failed    error     // an error SQLite returned: the file is lost
	done      bool
}

// Create starts a GeoPackage at path holding the one feature table l
// describes. Nothing appears at path until Close succeeds; an existing file
// there is refused with ErrExists unless opt.Overwrite. A Layer that cannot be
// written is refused with ErrLayer.
func Create(path string, l Layer, opt Options) (*Writer, error) {
	if opt.Version == 0 {
		opt.Version = Version14
	}
	if opt.Version != Version14 && opt.Version != Version12 {
		return nil, fmt.Errorf("create %s: unsupported GeoPackage version %d", path, opt.Version)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	l, err := checkLayer(l)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if err := checkTarget(abs, opt.Overwrite); err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.partial")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	w := &Writer{path: abs, tmp: tmp, opt: opt, layer: l}
	w.extent = Envelope{MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}
	if opt.SpatialIndex {
		w.rtree = make([]rtEntry, 0, 1024)
	}
	if err := w.start(); err != nil {
		w.Abort()
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return w, nil
}

// checkTarget refuses a path that is a folder, or an existing file unless
// overwrite.
func checkTarget(abs string, overwrite bool) error {
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case info.IsDir():
		return fmt.Errorf("%s is a folder", abs)
	case !overwrite:
		return ErrExists
	}
	return nil
}

// start creates the schema and prepares the INSERT, in the transaction that
// Add continues and Close commits.
func (w *Writer) start() error {
	ctx := context.Background()
	w.db = openDB(w.tmp, writeParams)
	w.db.SetMaxOpenConns(1)
	var mode string
	if err := w.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if mode != "off" {
		return fmt.Errorf("journal_mode is %q, want off", mode)
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	w.tx = tx
	l, v, now := w.layer, w.opt.Version, timestamp(w.opt.Now())
	exec := func(query string, args ...any) {
		if err == nil {
			_, err = tx.ExecContext(ctx, query, args...)
		}
	}
	exec(fmt.Sprintf("PRAGMA application_id = %d", applicationID))
	exec(fmt.Sprintf("PRAGMA user_version = %d", v))
	exec(schemaSQL)
	rows := []SRS{l.SRS}
	for _, s := range standardSRS {
		if s.ID != l.SRS.ID { // the layer's own row replaces a standard one
			rows = append(rows, s)
		}
	}
	for _, s := range rows {
		exec("INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)",
			s.Name, s.ID, s.Organization, s.OrganizationID, s.Definition, nullString(s.Description))
	}
	exec("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) VALUES (?, 'features', ?, ?, ?, ?)",
		l.Name, l.Name, l.Description, now, l.SRS.ID)
	exec("INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?, ?, ?, ?, 0, 0)",
		l.Name, l.GeometryColumn, l.GeometryType, l.SRS.ID)
	exec("INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, 0)", l.Name)
	cols := []string{fmt.Sprintf("%s INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL", mustQuote(l.FIDColumn)),
		mustQuote(l.GeometryColumn) + " " + l.GeometryType}
	names, marks := []string{mustQuote(l.GeometryColumn)}, []string{"?"}
	for _, f := range l.Fields {
		cols = append(cols, mustQuote(f.Name)+" "+f.Type.String())
		names, marks = append(names, mustQuote(f.Name)), append(marks, "?")
	}
	exec(fmt.Sprintf("CREATE TABLE %s ( %s)", mustQuote(l.Name), strings.Join(cols, ", ")))
	if len(l.Metadata) > 0 {
		exec(metadataSchemaSQL)
		def := extensionDefinition(v, "extension_metadata")
		exec("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES ('gpkg_metadata', NULL, 'gpkg_metadata', ?, 'read-write')", def)
		exec("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES ('gpkg_metadata_reference', NULL, 'gpkg_metadata', ?, 'read-write')", def)
		exec("INSERT INTO gpkg_metadata (id, md_scope, md_standard_uri, mime_type, metadata) VALUES (1, ?, ?, ?, ?)",
			gdalMDScope, gdalMDStandardURI, gdalMDMimeType, gdalMetadataXML(l.Metadata))
		exec("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, timestamp, md_file_id, md_parent_id) VALUES ('table', ?, NULL, NULL, ?, 1, NULL)",
			l.Name, now)
	}
	if err != nil {
		return err
	}
	w.insert, err = tx.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", mustQuote(l.Name), strings.Join(names, ", "), strings.Join(marks, ", ")))
	w.args = make([]any, 1+len(l.Fields))
	return err
}

// Add writes one feature: geom is its footprint as GeoPackageBinary, env its
// envelope, values its attributes in the order of Layer.Fields (nil for
// NULL). A geometry that does not fit the layer is refused with ErrGeometry,
// a value that does not fit its field with ErrValue; after those, the Writer
// can go on. Any other error is SQLite's: the file is lost, and Close says so.
//
// Values may be: for Integer, any Go integer or bool; for Real, any float or
// integer; for Text, a string; for Date, a time.Time (its date, in its own
// location) or a "YYYY-MM-DD" string; for DateTime, a time.Time or a string
// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS[.fff]" (UTC, as the catalog stores
// dates), "YYYY-MM-DDTHH:MM:SS[.fff]" (UTC) or RFC 3339, stored as
// GeoPackage's "YYYY-MM-DDTHH:MM:SS.SSSZ" in UTC.
func (w *Writer) Add(geom []byte, env Envelope, values []any) error {
	if w.done {
		return ErrClosed
	}
	if w.failed != nil {
		return w.failed
	}
	n := w.count + 1
	if err := w.checkGeometry(geom, env); err != nil {
		return fmt.Errorf("feature %d: %w", n, err)
	}
	if len(values) != len(w.layer.Fields) {
		return fmt.Errorf("feature %d: %w: %d values for %d fields", n, ErrValue, len(values), len(w.layer.Fields))
	}
	w.args[0] = geom
	for i, f := range w.layer.Fields {
		v, err := convertValue(f.Type, values[i])
		if err != nil {
			return fmt.Errorf("feature %d: field %s: %w", n, f.Name, err)
		}
		w.args[i+1] = v
	}
	res, err := w.insert.Exec(w.args...)
	var fid int64
	if err == nil {
		fid, err = res.LastInsertId()
	}
	if err != nil {
		w.failed = fmt.Errorf("write %s: feature %d: %w", w.path, n, err)
		return w.failed
	}
	if w.opt.SpatialIndex && w.rtree != nil {
		if len(w.rtree) < maxBulkRTree {
			w.rtree = append(w.rtree, newRTEntry(fid, env))
		} else {
			w.rtree = nil // too many to pack in memory: SQLite fills it at Close
		}
	}
	w.count = n
	w.extent = w.extent.extend(env)
	return nil
}

// checkGeometry checks that geom is a GeoPackageBinary of the layer's SRS
// and 2D type, not empty, whose bounds are env.
func (w *Writer) checkGeometry(geom []byte, env Envelope) error {
	g, err := ReadBlob(geom)
	if err != nil {
		return err
	}
	if g.SRSID != w.layer.SRS.ID {
		return fmt.Errorf("%w: srs_id %d, layer has %d", ErrGeometry, g.SRSID, w.layer.SRS.ID)
	}
	if g.Type != w.layer.GeometryType {
		return fmt.Errorf("%w: %s, layer has %s", ErrGeometry, g.Type, w.layer.GeometryType)
	}
	if g.HasZ || g.HasM {
		return fmt.Errorf("%w: Z or M coordinates in a 2D layer", ErrGeometry)
	}
	if !env.valid() {
		return fmt.Errorf("%w: envelope %v is not a finite box", ErrGeometry, env)
	}
	// Walk the whole WKB even when the header has an envelope: it is the
	// check that the blob is whole.
	b, ok, err := WKBBounds(g.WKB)
	if err != nil {
		return err
	}
	if !ok || g.Empty {
		return fmt.Errorf("%w: empty geometry", ErrGeometry)
	}
	for _, e := range []Envelope{b, g.Envelope} {
		if !near(e.MinX, env.MinX) || !near(e.MinY, env.MinY) || !near(e.MaxX, env.MaxX) || !near(e.MaxY, env.MaxY) {
			return fmt.Errorf("%w: geometry bounds %v differ from envelope %v", ErrGeometry, e, env)
		}
		if !g.HasEnvelope {
			break
		}
	}
	return nil
}

// near reports whether a and b are equal to 1e-9 relative (the envelope may
// have been computed apart from the blob's).
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// Count returns the number of features added so far.
func (w *Writer) Count() int64 { return w.count }

// Close finishes the file: it writes the extent and feature count, builds
// the R-tree when asked, commits, switches the file to the rollback journal
// (DELETE mode), syncs it and moves it to the path given to Create. If that
// fails, or an Add failed in SQLite, the partial file is removed and the error
// returned. Closing again does nothing.
func (w *Writer) Close() error {
	if w.done {
		return nil
	}
	if w.failed != nil {
		err := w.failed
		w.Abort()
		return err
	}
	if err := w.finish(); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	w.done = true
	return nil
}

func (w *Writer) finish() error {
	ctx := context.Background()
	l := w.layer
	var err error
	exec := func(query string, args ...any) {
		if err == nil {
			_, err = w.tx.ExecContext(ctx, query, args...)
		}
	}
	if w.count > 0 {
		e := w.extent
		exec("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, last_change = ? WHERE table_name = ?",
			e.MinX, e.MinY, e.MaxX, e.MaxY, timestamp(w.opt.Now()), l.Name)
	}
	exec("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE table_name = ?", w.count, l.Name)
	exec(featureCountTriggersSQL(l.Name))
	if w.opt.SpatialIndex {
		exec(rtreeCreateSQL(l.Name, l.GeometryColumn))
		if err == nil {
			if w.rtree != nil {
				err = bulkLoadRTree(ctx, w.tx, rtreeName(l.Name, l.GeometryColumn), w.rtree)
				w.rtree = nil
			} else {
				exec(rtreeFillSQL(l.Name, l.GeometryColumn, l.FIDColumn))
			}
		}
		for _, s := range rtreeTriggersSQL(w.opt.Version, l.Name, l.GeometryColumn, l.FIDColumn) {
			exec(s)
		}
		exec("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES (?, ?, 'gpkg_rtree_index', ?, 'write-only')",
			l.Name, l.GeometryColumn, extensionDefinition(w.opt.Version, "extension_rtree"))
	}
	if err != nil {
		return err
	}
	if err := w.insert.Close(); err != nil {
		return err
	}
	w.insert = nil
	if err := w.tx.Commit(); err != nil {
		return err
	}
	w.tx = nil
	var mode string
	if err := w.db.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil {
		return err
	}
	if mode != "delete" {
		return fmt.Errorf("journal_mode is %q, want delete", mode)
	}
	if err := w.db.Close(); err != nil {
		return err
	}
	w.db = nil
	if err := syncFile(w.tmp); err != nil {
		return err
	}
	if err := w.publish(); err != nil {
		return err
	}
	return syncFile(filepath.Dir(w.path))
}

// publish moves the finished file to its path. Without Overwrite it links
// rather than renames, so that a file that appeared there meanwhile is not
// replaced.
func (w *Writer) publish() error {
	if w.opt.Overwrite {
		return os.Rename(w.tmp, w.path)
	}
	err := os.Link(w.tmp, w.path)
	switch {
	case err == nil:
		return os.Remove(w.tmp)
	case errors.Is(err, fs.ErrExist):
		return ErrExists
	}
	// No hard links on this file system: check, then rename.
	if _, serr := os.Lstat(w.path); !errors.Is(serr, fs.ErrNotExist) {
		return ErrExists
	}
	return os.Rename(w.tmp, w.path)
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Abort stops writing and removes the partial file; nothing appears at the
// path. After Close it does nothing.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	if w.insert != nil {
		w.insert.Close()
	}
	if w.tx != nil {
		w.tx.Rollback()
	}
	if w.db != nil {
		w.db.Close()
	}
	os.Remove(w.tmp)
}

// timestamp formats t as GeoPackage DATETIME.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// convertValue turns a Go value into what SQLite stores for a column of
// type t. Errors wrap ErrValue.
func convertValue(t FieldType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func() (any, error) { return nil, fmt.Errorf("%w: %T %v for a %s field", ErrValue, v, v, t) }
	switch t {
	case Integer:
		if b, ok := v.(bool); ok {
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		}
		i, ok := asInt(v)
		if !ok {
			return bad()
		}
		return i, nil
	case Real:
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) {
				return nil, fmt.Errorf("%w: NaN", ErrValue)
			}
			return x, nil
		case float32:
			return convertValue(t, float64(x))
		}
		if i, ok := asInt(v); ok {
			return float64(i), nil
		}
		return bad()
	case Text:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return nil, fmt.Errorf("%w: %q is not UTF-8 text without NUL", ErrValue, s)
		}
		return s, nil
	case Date:
		switch x := v.(type) {
		case time.Time:
			if x.Year() < 0 || x.Year() > 9999 {
				return nil, fmt.Errorf("%w: year %d", ErrValue, x.Year())
			}
			return x.Format("2006-01-02"), nil
		case string:
			if _, err := time.Parse("2006-01-02", x); err != nil {
				return nil, fmt.Errorf("%w: %q is not a YYYY-MM-DD date", ErrValue, x)
			}
			return x, nil
		}
		return bad()
	case DateTime:
		switch x := v.(type) {
		case time.Time:
			if u := x.UTC(); u.Year() < 0 || u.Year() > 9999 {
				return nil, fmt.Errorf("%w: year %d", ErrValue, u.Year())
			}
			return timestamp(x), nil
		case string:
			tm, err := ParseDateTime(x)
			if err != nil {
				return nil, err
			}
			return convertValue(t, tm)
		}
		return bad()
	}
	return nil, fmt.Errorf("%w: field type %v", ErrValue, t)
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		if uint64(x) <= math.MaxInt64 {
			return int64(x), true
		}
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

// dateTimeLayouts are the forms ParseDateTime accepts, all UTC unless the
// string says otherwise.
var dateTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02",
}

// ParseDateTime reads a date or date-time the way GeoPackage files and the
// catalog write them: "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS[.fff]",
// "YYYY-MM-DDTHH:MM:SS[.fff]" (both UTC) or RFC 3339 with a zone. Errors wrap
// ErrValue.
func ParseDateTime(s string) (time.Time, error) {
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q is not a date or date-time", ErrValue, s)
}

// checkLayer fills l's defaults and refuses what cannot be written, with
// errors wrapping ErrLayer.
func checkLayer(l Layer) (Layer, error) {
	if _, err := quoteIdent(l.Name); err != nil {
		return l, fmt.Errorf("%w: table name: %w", ErrLayer, err)
	}
	for _, p := range []string{"gpkg_", "rtree_", "sqlite_"} {
		if strings.HasPrefix(strings.ToLower(l.Name), p) {
			return l, fmt.Errorf("%w: table name %q starts with %q", ErrLayer, l.Name, p)
		}
	}
	l.GeometryType = strings.ToUpper(l.GeometryType)
	if l.GeometryType != "POLYGON" && l.GeometryType != "MULTIPOLYGON" {
		return l, fmt.Errorf("%w: geometry type %q: want POLYGON or MULTIPOLYGON", ErrLayer, l.GeometryType)
	}
	if l.GeometryColumn == "" {
		l.GeometryColumn = "geom"
	}
	if l.FIDColumn == "" {
		l.FIDColumn = "fid"
	}
	seen := map[string]bool{}
	for _, name := range []string{l.FIDColumn, l.GeometryColumn} {
		if _, err := quoteIdent(name); err != nil {
			return l, fmt.Errorf("%w: %w", ErrLayer, err)
		}
		if seen[strings.ToLower(name)] {
			return l, fmt.Errorf("%w: column %q twice", ErrLayer, name)
		}
		seen[strings.ToLower(name)] = true
	}
	l.Fields = append([]Field(nil), l.Fields...)
	for _, f := range l.Fields {
		if _, err := quoteIdent(f.Name); err != nil {
			return l, fmt.Errorf("%w: field: %w", ErrLayer, err)
		}
		if seen[strings.ToLower(f.Name)] {
			return l, fmt.Errorf("%w: column %q twice (names are case-insensitive)", ErrLayer, f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		if f.Type < Integer || f.Type > DateTime {
			return l, fmt.Errorf("%w: field %s: unknown type %d", ErrLayer, f.Name, int(f.Type))
		}
	}
	var err error
	if l.SRS, err = checkSRS(l.SRS); err != nil {
		return l, err
	}
	md := make(map[string]string, len(l.Metadata))
	for k, v := range l.Metadata {
		if err := checkMetadataItem(k, v); err != nil {
			return l, err
		}
		for k2 := range md {
			if strings.EqualFold(k, k2) {
				return l, fmt.Errorf("%w: metadata keys %q and %q differ only in case", ErrLayer, k, k2)
			}
		}
		md[k] = v
	}
	l.Metadata = md
	if err := checkGTI(l); err != nil {
		return l, err
	}
	return l, nil
}

// checkSRS fills an SRS's defaults. For -1 and 0 the standard undefined rows
// are used.
func checkSRS(s SRS) (SRS, error) {
	if s.ID == -1 || s.ID == 0 {
		if s.Definition != "" && s.Definition != "undefined" {
			return s, fmt.Errorf("%w: srs_id %d is GeoPackage's undefined SRS; it takes no definition", ErrLayer, s.ID)
		}
		for _, std := range standardSRS {
			if std.ID == s.ID {
				return std, nil
			}
		}
	}
	if strings.TrimSpace(s.Definition) == "" {
		return s, fmt.Errorf("%w: srs_id %d has no definition", ErrLayer, s.ID)
	}
	if s.Organization == "" {
		s.Organization = "EPSG"
	}
	if s.OrganizationID == 0 {
		s.OrganizationID = s.ID
	}
	if s.Name == "" {
		s.Name = srsName(s.Definition)
	}
	if s.Name == "" {
		s.Name = s.Organization + ":" + strconv.Itoa(int(s.OrganizationID))
	}
	return s, nil
}

// gtiDataTypes are the DATA_TYPE values the GTI driver documents.
var gtiDataTypes = []string{"Byte", "Int8", "UInt16", "Int16", "UInt32", "Int32", "UInt64", "Int64",
	"Float32", "Float64", "CInt16", "CInt32", "CFloat32", "CFloat64"}

// checkGTI checks the metadata items the GTI driver reads, with the rules
// it applies when it opens the index (GDAL's gdaltileindexdataset.cpp), so
// that a file this package writes does not fail there. Keys are matched
// case-insensitively, as GDAL does.
func checkGTI(l Layer) error {
	get := func(key string) (string, bool) {
		for k, v := range l.Metadata {
			if strings.EqualFold(k, key) {
				return v, true
			}
		}
		return "", false
	}
	field := func(name string) (Field, bool) {
		for _, f := range l.Fields {
			if strings.EqualFold(f.Name, name) {
				return f, true
			}
		}
		return Field{}, false
	}
	bad := func(key, v, want string) error {
		return fmt.Errorf("%w: metadata item %s=%q: %s", ErrLayer, key, v, want)
	}
	number := func(s string) (float64, bool) {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	positiveInt := func(key string) error {
		if v, ok := get(key); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n <= 0 {
				return bad(key, v, "want an integer > 0")
			}
		}
		return nil
	}
	boolean := func(key string) error {
		if v, ok := get(key); ok {
			switch strings.ToUpper(strings.TrimSpace(v)) {
			case "YES", "NO", "TRUE", "FALSE", "ON", "OFF", "1", "0":
			default:
				return bad(key, v, "want YES or NO")
			}
		}
		return nil
	}
	allOrNone := func(keys ...string) (int, error) {
		n := 0
		for _, k := range keys {
			if _, ok := get(k); ok {
				n++
			}
		}
		if n != 0 && n != len(keys) {
			return n, fmt.Errorf("%w: metadata items %s: none or all of them", ErrLayer, strings.Join(keys, ", "))
		}
		return n, nil
	}

	loc, ok := get("LOCATION_FIELD")
	if !ok {
		loc = "location"
	}
	if f, ok := field(loc); !ok || f.Type != Text {
		return fmt.Errorf("%w: no TEXT field %q for the raster paths (GTI's location field)", ErrLayer, loc)
	}
	if v, ok := get("SORT_FIELD"); ok {
		if _, ok := field(v); !ok {
			return bad("SORT_FIELD", v, "no such field")
		}
	}
	for _, k := range []string{"SORT_FIELD_ASC", "MASK_BAND"} {
		if err := boolean(k); err != nil {
			return err
		}
	}
	for _, k := range []string{"BAND_COUNT", "XSIZE", "YSIZE", "BLOCKXSIZE", "BLOCKYSIZE"} {
		if err := positiveInt(k); err != nil {
			return err
		}
	}
	if _, err := allOrNone("RESX", "RESY"); err != nil {
		return err
	}
	for _, k := range []string{"RESX", "RESY"} {
		if v, ok := get(k); ok {
			if f, ok := number(v); !ok || f <= 0 {
				return bad(k, v, "want a number > 0")
			}
		}
	}
	if n, err := allOrNone("MINX", "MINY", "MAXX", "MAXY"); err != nil {
		return err
	} else if n == 4 {
		var b [4]float64
		for i, k := range []string{"MINX", "MINY", "MAXX", "MAXY"} {
			v, _ := get(k)
			var ok bool
			if b[i], ok = number(v); !ok {
				return bad(k, v, "want a number")
			}
		}
		if !(b[2] > b[0] && b[3] > b[1]) {
			return fmt.Errorf("%w: metadata items MAXX and MAXY must exceed MINX and MINY", ErrLayer)
		}
	}
	if n, err := allOrNone("XSIZE", "YSIZE", "GEOTRANSFORM"); err != nil {
		return err
	} else if n == 3 {
		v, _ := get("GEOTRANSFORM")
		parts := strings.Split(v, ",")
		var gt [6]float64
		ok := len(parts) == 6
		for i := 0; ok && i < 6; i++ {
			gt[i], ok = number(parts[i])
		}
		if !ok || gt[2] != 0 || gt[4] != 0 || !(gt[5] < 0) {
			return bad("GEOTRANSFORM", v, "want 6 comma-separated numbers, the 3rd and 5th 0, the 6th < 0")
		}
	}
	if v, ok := get("DATA_TYPE"); ok {
		for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			known := false
			for _, d := range gtiDataTypes {
				known = known || strings.EqualFold(t, d)
			}
			if !known {
				return bad("DATA_TYPE", v, "want one of "+strings.Join(gtiDataTypes, ", "))
			}
		}
	}
	if v, ok := get("NODATA"); ok {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if _, err := strconv.ParseFloat(t, 64); err != nil && !strings.EqualFold(t, "nan") {
				return bad("NODATA", v, "want numbers separated by commas")
			}
		}
	}
	if v, ok := get("RESAMPLING"); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "nearest", "cubic", "cubicspline", "lanczos", "average", "rms", "gauss":
		default:
			return bad("RESAMPLING", v, "want nearest, cubic, cubicspline, lanczos, average, rms or gauss")
		}
	}
	return nil
}
