package gpkg

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Reader is a GeoPackage open read-only. It is safe for concurrent use.
type Reader struct {
	path        string
	db          *sql.DB
	appID       uint32
	userVersion uint32
}

// Column is an attribute column of a feature table.
type Column struct {
	Name string
	// DeclaredType is the type in CREATE TABLE, as written ("TEXT(80)").
	DeclaredType string
	// Type is what ParseFieldType makes of it; 0 for other types.
	Type FieldType
}

// Table is a feature table (a layer) of a GeoPackage.
type Table struct {
	Name        string
	Identifier  string
	Description string
	// FIDColumn is the integer primary key ("" for a view without an
	// INTEGER first column).
	FIDColumn string
	// GeometryColumn, GeometryType ("POLYGON", …), Z and M (0 prohibited,
	// 1 mandatory, 2 optional) come from gpkg_geometry_columns.
	GeometryColumn string
	GeometryType   string
	Z, M           int
	// SRS is the layer's gpkg_spatial_ref_sys row.
	SRS SRS
	// Extent is gpkg_contents' bounding box when HasExtent.
	Extent    Envelope
	HasExtent bool
	// Columns are the other columns, in table order.
	Columns []Column
	// Metadata are GDAL's layer metadata items (for a GTI: RESX, RESY,
	// BAND_COUNT, …), from the GDALMultiDomainMetadata documents that GDAL
	// links to the table; documents that do not parse are skipped, as GDAL
	// does. Never nil.
	Metadata map[string]string
}

// Feature is one row of a feature table.
type Feature struct {
	// FID is the primary key; for a view without one, the row's position
	// from 1.
	FID int64
	// Geometry is the GeoPackageBinary blob (nil for NULL, or a value that
	// is not a blob); ReadBlob parses it.
	Geometry []byte
	// Values are the Table's Columns in order, as SQLite stores them: nil,
	// int64, float64, string or []byte. DATE and DATETIME values are the
	// stored strings; ParseDateTime reads them.
	Values []any
}

// Open opens the GeoPackage at path read-only. The file is never written,
// locked or journaled, and neither is its folder. A file that is not a
// GeoPackage (not SQLite, or another application's SQLite database) is
// refused with ErrNotGeoPackage before SQLite opens it.
func Open(path string) (*Reader, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	appID, userVersion, err := checkHeader(abs)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r := &Reader{path: path, db: openDB(abs, readParams), appID: appID, userVersion: userVersion}
	var n int
	err = r.db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('gpkg_contents', 'gpkg_spatial_ref_sys', 'gpkg_geometry_columns')").Scan(&n)
	if err == nil && n != 3 {
		err = errors.New("no gpkg_contents, gpkg_spatial_ref_sys or gpkg_geometry_columns table")
	}
	if err != nil {
		r.db.Close()
		return nil, fmt.Errorf("open %s: %w: %w", path, ErrNotGeoPackage, err)
	}
	return r, nil
}

// checkHeader reads the SQLite header of a file and refuses anything but a
// GeoPackage: not a regular file, not SQLite, an application_id other than
// GPKG, GP10 or GP11, or a write-ahead log that immutable mode would
// silently ignore.
func checkHeader(abs string) (appID, userVersion uint32, err error) {
	f, err := os.Open(abs)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	if !info.Mode().IsRegular() {
		return 0, 0, fmt.Errorf("%w: not a regular file", ErrNotGeoPackage)
	}
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil || !bytes.Equal(h[:16], []byte("SQLite format 3\x00")) {
		return 0, 0, fmt.Errorf("%w: not an SQLite database", ErrNotGeoPackage)
	}
	userVersion = binary.BigEndian.Uint32(h[60:64])
	appID = binary.BigEndian.Uint32(h[68:72])
	switch string(h[68:72]) {
	case "GPKG", "GP10", "GP11":
	default:
		return 0, 0, fmt.Errorf("%w: an SQLite database with application_id %#08x, not GPKG", ErrNotGeoPackage, appID)
	}
	if h[18] == 2 || h[19] == 2 {
		if info, err := os.Stat(abs + "-wal"); err == nil && info.Size() > 0 {
			return 0, 0, fmt.Errorf("%w: it has a write-ahead log (%s-wal) with changes not yet in the file; open and close it once with GDAL or sqlite3 first", ErrNotGeoPackage, filepath.Base(abs))
		}
	}
	return appID, userVersion, nil
}

// Close closes the Reader.
func (r *Reader) Close() error { return r.db.Close() }

// UserVersion returns the file's user_version: 10200 for GeoPackage 1.2,
// 10400 for 1.4 (0 for 1.0 and 1.1, which used application_id instead).
func (r *Reader) UserVersion() int { return int(r.userVersion) }

// Layers returns the feature tables listed in gpkg_contents, by name.
func (r *Reader) Layers(ctx context.Context) ([]Table, error) {
	rows, err := r.db.QueryContext(ctx, `
SELECT c.table_name, coalesce(c.identifier, ''), coalesce(c.description, ''),
       c.min_x, c.min_y, c.max_x, c.max_y,
       g.column_name, g.geometry_type_name, g.z, g.m, g.srs_id,
       coalesce(s.srs_name, ''), coalesce(s.organization, ''), coalesce(s.organization_coordsys_id, 0),
       coalesce(s.definition, ''), coalesce(s.description, '')
FROM gpkg_contents c
JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id
WHERE c.data_type = 'features'
ORDER BY c.table_name`)
	if err != nil {
		return nil, fmt.Errorf("read %s: layers: %w", r.path, err)
	}
	var tables []Table
	for rows.Next() {
		var t Table
		var minX, minY, maxX, maxY sql.NullFloat64
		err := rows.Scan(&t.Name, &t.Identifier, &t.Description, &minX, &minY, &maxX, &maxY,
			&t.GeometryColumn, &t.GeometryType, &t.Z, &t.M, &t.SRS.ID,
			&t.SRS.Name, &t.SRS.Organization, &t.SRS.OrganizationID, &t.SRS.Definition, &t.SRS.Description)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read %s: layers: %w", r.path, err)
		}
		if minX.Valid && minY.Valid && maxX.Valid && maxY.Valid {
			t.Extent, t.HasExtent = Envelope{MinX: minX.Float64, MinY: minY.Float64, MaxX: maxX.Float64, MaxY: maxY.Float64}, true
		}
		tables = append(tables, t)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read %s: layers: %w", r.path, err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: layers: %w", r.path, err)
	}
	for i := range tables {
		if err := r.describe(ctx, &tables[i]); err != nil {
			return nil, fmt.Errorf("read %s: layer %s: %w", r.path, tables[i].Name, err)
		}
	}
	return tables, nil
}

// Layer returns the feature table called name (matched exactly, else
// case-insensitively as SQLite does), or ErrNoLayer.
func (r *Reader) Layer(ctx context.Context, name string) (Table, error) {
	tables, err := r.Layers(ctx)
	if err != nil {
		return Table{}, err
	}
	for _, t := range tables {
		if t.Name == name {
			return t, nil
		}
	}
	for _, t := range tables {
		if strings.EqualFold(t.Name, name) {
			return t, nil
		}
	}
	return Table{}, fmt.Errorf("read %s: %w: %q", r.path, ErrNoLayer, name)
}

// describe reads a table's columns and GDAL metadata.
func (r *Reader) describe(ctx context.Context, t *Table) error {
	if _, err := quoteIdent(t.Name); err != nil {
		return err
	}
	if _, err := quoteIdent(t.GeometryColumn); err != nil {
		return err
	}
	rows, err := r.db.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", t.Name)
	if err != nil {
		return err
	}
	type col struct {
		name, typ string
		pk        int
	}
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.name, &c.typ, &c.pk); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(cols) == 0 {
		return fmt.Errorf("%w: table missing", ErrNotGeoPackage)
	}
	pk := -1
	for i, c := range cols {
		if c.pk == 1 && strings.EqualFold(c.typ, "INTEGER") {
			pk = i
		}
	}
	if pk < 0 && strings.EqualFold(cols[0].typ, "INTEGER") && !strings.EqualFold(cols[0].name, t.GeometryColumn) {
		pk = 0 // a view's first INTEGER column (GeoPackage Req 150)
	}
	foundGeom := false
	for i, c := range cols {
		switch {
		case i == pk:
			t.FIDColumn = c.name
		case c.name == t.GeometryColumn || (!foundGeom && strings.EqualFold(c.name, t.GeometryColumn)):
			t.GeometryColumn, foundGeom = c.name, true
		default:
			if _, err := quoteIdent(c.name); err != nil {
				return err
			}
			ft, _ := ParseFieldType(c.typ)
			t.Columns = append(t.Columns, Column{Name: c.name, DeclaredType: c.typ, Type: ft})
		}
	}
	if !foundGeom {
		return fmt.Errorf("%w: geometry column %q missing", ErrNotGeoPackage, t.GeometryColumn)
	}
	t.Metadata, err = r.gdalMetadata(ctx, t.Name)
	return err
}

// gdalMetadata reads the layer metadata GDAL keeps for a table: its
// GDALMultiDomainMetadata documents, as GDAL's GeoPackage driver selects
// them.
func (r *Reader) gdalMetadata(ctx context.Context, table string) (map[string]string, error) {
	md := map[string]string{}
	var n int
	if err := r.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name IN ('gpkg_metadata', 'gpkg_metadata_reference')").Scan(&n); err != nil || n != 2 {
		return md, err
	}
	rows, err := r.db.QueryContext(ctx, `
SELECT md.metadata FROM gpkg_metadata md
JOIN gpkg_metadata_reference mdr ON md.id = mdr.md_file_id
WHERE md.md_scope = ? AND md.md_standard_uri = ? AND md.mime_type = ?
  AND mdr.reference_scope = 'table' AND mdr.table_name = ? COLLATE NOCASE
ORDER BY md.id`, gdalMDScope, gdalMDStandardURI, gdalMDMimeType, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var doc sql.NullString
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		parseGDALMetadata(doc.String, md) // a document that does not parse adds nothing
	}
	return md, rows.Err()
}

// Features calls fn with each feature of the layer called name, in the
// table's order, until fn returns an error, which Features returns.
func (r *Reader) Features(ctx context.Context, name string, fn func(Feature) error) error {
	t, err := r.Layer(ctx, name)
	if err != nil {
		return err
	}
	var sel []string
	if t.FIDColumn != "" {
		sel = append(sel, "+"+mustQuote(t.FIDColumn))
	}
	sel = append(sel, "+"+mustQuote(t.GeometryColumn))
	for _, c := range t.Columns {
		// Unary + keeps the value as stored but drops the declared type, so
		// that the driver hands over DATE and DATETIME text untouched.
		sel = append(sel, "+"+mustQuote(c.Name))
	}
	rows, err := r.db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s", strings.Join(sel, ", "), mustQuote(t.Name)))
	if err != nil {
		return fmt.Errorf("read %s: layer %s: %w", r.path, t.Name, err)
	}
	defer rows.Close()
	dest := make([]any, len(sel))
	ptrs := make([]any, len(sel))
	for i := range dest {
		ptrs[i] = &dest[i]
	}
	var n int64
	for rows.Next() {
		n++
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: layer %s: row %d: %w", r.path, t.Name, n, err)
		}
		f := Feature{FID: n}
		vals := dest
		if t.FIDColumn != "" {
			if id, ok := vals[0].(int64); ok {
				f.FID = id
			}
			vals = vals[1:]
		}
		f.Geometry, _ = vals[0].([]byte)
		f.Values = append([]any(nil), vals[1:]...)
		if err := fn(f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: layer %s: %w", r.path, t.Name, err)
	}
	return nil
}
