package catalog

import (
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

// ReadRaster reads the GeoTIFF header of path (read-only, header only) and
// describes the raster as an item of a collection in spatial reference srs
// ("" for a collection that has none yet, which the raster then gives it).
// A raster in another spatial reference has its footprint projected into
// srs, densified along its edges to within half a pixel, and its pixel size
// given in srs's units; the item's SRS stays the raster's own.
func ReadRaster(path, srs string) (Item, error) {
	info, err := geotiff.ReadFile(path)
	if err != nil {
		return Item{}, err
	}
	itemSRS := ""
	if info.EPSG != 0 {
		if itemSRS, err = ParseSRS(strconv.Itoa(info.EPSG)); err != nil {
			return Item{}, err
		}
	}
	corners := info.Corners()
	cx, cy := info.CellSize()
	it := Item{
		Raster:    path,
		Footprint: corners[:],
		CellSize:  (cx + cy) / 2,
		Width:     info.Width,
		Height:    info.Height,
		BandCount: info.BandCount,
		PixelType: info.PixelType,
		SRS:       itemSRS,
	}
	if srs == "" || itemSRS == srs {
		return it, nil
	}
	if itemSRS == "" {
		return Item{}, fmt.Errorf("raster has a spatial reference without an EPSG code, which cannot be projected into the collection's %s", srs)
	}
	t, err := Transformation(itemSRS, srs)
	if err != nil {
		return Item{}, fmt.Errorf("raster is in %s, the collection in %s: %w", itemSRS, srs, err)
	}
	if it.Footprint, it.CellSize, err = projectFootprint(t, corners[:], info.Width, info.Height); err != nil {
		return Item{}, fmt.Errorf("raster is in %s: %w", itemSRS, err)
	}
	return it, nil
}
