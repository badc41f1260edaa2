package catalog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"mosaic/geotiff"
)

// RasterError names a source that could not be added and why.
type RasterError struct {
	Path string
	Err  error
}

func (e *RasterError) Error() string {
	if msg := e.Err.Error(); strings.HasPrefix(msg, e.Path) {
		return msg // the cause names the path already
	}
	return e.Path + ": " + e.Err.Error()
}

// Reason is the error without the path.
func (e *RasterError) Reason() string {
	return strings.TrimPrefix(strings.TrimPrefix(e.Err.Error(), e.Path), ": ")
}
func (e *RasterError) Unwrap() error { return e.Err }

// ErrNoRasters means a folder or pattern given to add-image holds no
// .tif/.tiff file.
var ErrNoRasters = errors.New("no .tif or .tiff rasters found")

// ExpandRasterPaths turns add-image arguments (files, folders searched
// recursively for .tif/.tiff, glob patterns) into absolute file paths,
// without duplicates, in a stable order. Arguments that name nothing usable
// come back as problems; the others are still expanded.
func ExpandRasterPaths(args []string) (files []string, problems []error) {
	seen := map[string]bool{}
	addFile := func(p string) {
		abs, err := filepath.Abs(p)
		if err != nil {
			problems = append(problems, &RasterError{Path: p, Err: err})
			return
		}
		if !seen[abs] {
			seen[abs] = true
			files = append(files, abs)
		}
	}
	for _, arg := range args {
		info, err := os.Stat(arg)
		switch {
		case err == nil && info.IsDir():
			var found []string
			walkErr := filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					problems = append(problems, &RasterError{Path: p, Err: err})
					return nil
				}
				if !d.IsDir() && isRasterName(p) {
					found = append(found, p)
				}
				return nil
			})
			if walkErr != nil {
				problems = append(problems, &RasterError{Path: arg, Err: walkErr})
			}
			if len(found) == 0 {
				problems = append(problems, &RasterError{Path: arg, Err: fmt.Errorf("folder: %w", ErrNoRasters)})
			}
			for _, p := range found {
				addFile(p)
			}
		case err == nil:
			addFile(arg)
		case strings.ContainsAny(arg, "*?["):
			matches, gerr := filepath.Glob(arg)
			if gerr != nil {
				problems = append(problems, &RasterError{Path: arg, Err: fmt.Errorf("bad pattern: %w", gerr)})
				continue
			}
			sort.Strings(matches)
			n := 0
			for _, m := range matches {
				if mi, err := os.Stat(m); err == nil && !mi.IsDir() {
					addFile(m)
					n++
				}
			}
			if n == 0 {
				problems = append(problems, &RasterError{Path: arg, Err: fmt.Errorf("pattern matches no file: %w", ErrNoRasters)})
			}
		default:
			problems = append(problems, &RasterError{Path: arg, Err: err})
		}
	}
	return files, problems
}

func isRasterName(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".tif" || ext == ".tiff"
}

// AddResult reports what AddRasters did.
type AddResult struct {
	Added    int
	Problems []error // one *RasterError per source that was not added
}

// AddRasters reads the GeoTIFF header of each file (read-only, headers
// only), and adds the readable ones to coll in one transaction, with attrs
// applied to each. Files that cannot be read, or whose spatial reference
// differs from the collection's, are reported in the result's Problems and
// skipped. progress, if not nil, is called after each file is read.
func (c *Catalog) AddRasters(ctx context.Context, coll *Collection, files []string, attrs map[string]any, progress func(done, total int)) (AddResult, error) {
	var res AddResult
	for k, v := range attrs {
		f, ok := coll.Field(k)
		if !ok || f.Name == "OBJECTID" {
			return res, Errorf(Invalid, "unknown attribute %q for %s (fields: %s)", k, coll.Name, strings.Join(coll.writableFieldNames(), ", "))
		}
		if _, err := convertValue(f, v); err != nil {
			return res, Errorf(Invalid, "attribute %v", err)
		}
	}
	srs := coll.SRS
	items := make([]Item, 0, len(files))
	for i, path := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		it, err := rasterItem(path, srs)
		if err != nil {
			res.Problems = append(res.Problems, &RasterError{Path: path, Err: err})
		} else {
			if srs == "" {
				srs = it.SRS
			}
			it.Attributes = attrs
			items = append(items, it)
		}
		if progress != nil {
			progress(i+1, len(files))
		}
	}
	if len(items) == 0 {
		return res, nil
	}
	if srs != coll.SRS {
		// The first raster added to a collection without a spatial reference gives it one.
		if err := c.Update(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE collections SET srs = ? WHERE id = ? AND srs = ''", srs, coll.ID)
			return err
		}); err != nil {
			return res, fmt.Errorf("set spatial reference of %s: %w", coll.Name, err)
		}
		coll.SRS = srs
	}
	n, err := c.AddItems(ctx, coll, items)
	res.Added = n
	return res, err
}

// rasterItem describes a GeoTIFF as an item. A collection with a spatial
// reference only takes rasters in that reference: footprints are stored as
// they are, never reprojected.
func rasterItem(path, srs string) (Item, error) {
	info, err := geotiff.ReadFile(path)
	if err != nil {
		return Item{}, err
	}
	itemSRS := ""
	if info.EPSG != 0 {
		itemSRS = "EPSG:" + strconv.Itoa(info.EPSG)
	}
	if srs != "" && itemSRS != srs {
		got := itemSRS
		if got == "" {
			got = "a spatial reference without an EPSG code"
		}
		return Item{}, fmt.Errorf("raster is in %s, the collection in %s (mosaic does not reproject footprints)", got, srs)
	}
	corners := info.Corners()
	cx, cy := info.CellSize()
	return Item{
		Raster:    path,
		Footprint: corners[:],
		CellSize:  (cx + cy) / 2,
		Width:     info.Width,
		Height:    info.Height,
		BandCount: info.BandCount,
		PixelType: info.PixelType,
		SRS:       itemSRS,
	}, nil
}
