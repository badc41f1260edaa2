package formats

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"mosaic/catalog"
)

// Format is an exchange format.
type Format string

// The formats Export writes and Import reads.
const (
	GTI     Format = "gti"     // GeoPackage that is a GDAL Raster Tile Index
	GeoJSON Format = "geojson" // RFC 7946 FeatureCollection, WGS 84
	STAC    Format = "stac"    // STAC 1.1 ItemCollection, WGS 84
	CSV     Format = "csv"     // the manifest add-image --manifest reads
)

// Formats lists the formats, in the order help text names them.
var Formats = []Format{GTI, GeoJSON, STAC, CSV}

// ParseFormat returns the format named name, or when name is empty the
// one path's extension implies (.gpkg: gti, .geojson and .json: geojson,
// .csv: csv; STAC has no extension of its own and must be named).
func ParseFormat(name, path string) (Format, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, f := range Formats {
		if name == string(f) {
			return f, nil
		}
	}
	if name != "" {
		return "", catalog.ParamErrorf("format", "format %q: expected one of gti, geojson, stac, csv", name)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".gpkg":
		return GTI, nil
	case ".geojson", ".json":
		return GeoJSON, nil
	case ".csv":
		return CSV, nil
	}
	return "", catalog.ParamErrorf("format", "give --format (gti, geojson, stac or csv): %q has no extension that names one", path)
}

// Options tune Export.
type Options struct {
	Format Format
	// DatetimeField is the DATE field that gives a STAC item its datetime;
	// "" means the collection's time field (its first DATE field), if any.
	DatetimeField string
	// SpatialIndex adds an R-tree to a GTI.
	SpatialIndex bool
	// Overwrite replaces an existing file; without it one is refused.
	Overwrite bool
}

// Export writes the items of coll that q selects (its fields and geometry
// are chosen here: every field, and the footprint) to path in opts.Format,
// and returns how many it wrote. Path "-" writes a text format to stdout.
// The file appears only when whole.
func Export(ctx context.Context, cat *catalog.Catalog, coll *catalog.Collection, q catalog.Query, path string, stdout io.Writer, opts Options) (int64, error) {
	q.Fields, q.Geometry = nil, true
	sel, err := coll.Select(q)
	if err != nil {
		return 0, err
	}
	if opts.Format == GTI {
		if path == "-" {
			return 0, catalog.ParamErrorf("to", "a GeoPackage cannot be written to stdout: give a file name")
		}
		return exportGTI(ctx, cat, sel, path, opts)
	}
	var write func(io.Writer) (int64, error)
	switch opts.Format {
	case GeoJSON:
		write = func(w io.Writer) (int64, error) { return WriteGeoJSON(ctx, cat, sel, w) }
	case STAC:
		field, err := datetimeField(coll, opts.DatetimeField)
		if err != nil {
			return 0, err
		}
		write = func(w io.Writer) (int64, error) { return exportSTAC(ctx, cat, sel, field, w) }
	case CSV:
		write = func(w io.Writer) (int64, error) { return exportCSV(ctx, cat, sel, w) }
	default:
		return 0, catalog.ParamErrorf("format", "format %q: expected one of gti, geojson, stac, csv", opts.Format)
	}
	if path == "-" {
		bw := bufio.NewWriterSize(stdout, 64<<10)
		n, err := write(bw)
		if err == nil {
			err = bw.Flush()
		}
		return n, err
	}
	var n int64
	err = writeFile(path, opts.Overwrite, func(w io.Writer) error {
		var err error
		n, err = write(w)
		return err
	})
	return n, err
}

// ErrExists refuses to replace a file that exists without Overwrite.
var ErrExists = errors.New("file exists")

// writeFile writes path through a temporary file beside it, renamed into
// place once fn has written it whole and it is synced.
func writeFile(path string, overwrite bool, fn func(io.Writer) error) (err error) {
	if _, err := os.Lstat(path); err == nil && !overwrite {
		return &catalog.Error{Code: catalog.Invalid, Param: "to", Message: fmt.Sprintf("%s exists: give --overwrite to replace it", path), Err: ErrExists}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".partial-*")
	if err != nil {
		return catalog.Errorf(catalog.Invalid, "export to %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 256<<10)
	if err = fn(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	return nil
}

// columns gives the positions of a selection's fields by name.
type columns map[string]int

func columnsOf(sel *catalog.Selection) columns {
	c := columns{}
	for i, f := range sel.Fields {
		c[f.Name] = i
	}
	return c
}

func (c columns) str(row *catalog.ItemRow, name string) string {
	s, _ := row.Values[c[name]].(string)
	return s
}

func (c columns) num(row *catalog.ItemRow, name string) float64 {
	switch v := row.Values[c[name]].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}

func (c columns) int(row *catalog.ItemRow, name string) int64 {
	switch v := row.Values[c[name]].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

// isoTime turns a stored DATE value into RFC 3339 UTC ("" when it is not
// one).
func isoTime(stored string) string {
	t, err := time.Parse(catalog.DateLayout, stored)
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// appendNumber formats x as encoding/json would: the shortest form that
// reads back as x, with an exponent only for extreme magnitudes.
func appendNumber(b []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, "null"...)
	}
	if a := math.Abs(x); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	}
	return strconv.AppendFloat(b, x, 'f', -1, 64)
}
