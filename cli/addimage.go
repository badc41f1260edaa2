package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"mosaic/catalog"
)

func addImageCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "add-image",
		Usage:     "add rasters to a collection: GeoTIFF files, folders (searched recursively), globs, or a CSV manifest (ArcGIS AddImage)",
		ArgsUsage: "PATH|DIR|GLOB ...",
		Flags: []ucli.Flag{
			collectionFlag(),
			&ucli.StringSliceFlag{Name: "attr", Usage: "set a field on every added item, KEY=VALUE (repeatable)"},
			&ucli.StringFlag{Name: "manifest", Usage: "a CSV file (or - for stdin) whose header names item fields, Raster required; no raster is opened"},
		},
		Action: addImage,
	}
}

// addResult is what add-image prints.
type addResult struct {
	ImageCollection string    `json:"imageCollection"`
	Added           int       `json:"added"`
	Skipped         []skipped `json:"skipped"`
}

type skipped struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

func addImage(c *ucli.Context) error {
	paths := c.Args().Slice()
	manifest := c.String("manifest")
	if len(paths) == 0 && manifest == "" {
		return invalid("add-image needs rasters (files, folders or globs) or --manifest FILE")
	}
	cat, err := openCatalog(c)
	if err != nil {
		return err
	}
	defer cat.Close()
	coll, err := cat.Collection(c.Context, c.String("image-collection"))
	if err != nil {
		return fail(err)
	}
	attrs := map[string]any{}
	for _, kv := range c.StringSlice("attr") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return invalid("--attr %q: expected KEY=VALUE", kv)
		}
		f, ok := coll.Field(strings.TrimSpace(k))
		if !ok || f.Name == "OBJECTID" {
			return fail(catalog.Errorf(catalog.Invalid, "--attr %s: %s has no field %q", kv, coll.Name, k))
		}
		cv, err := catalog.ConvertText(f, v)
		if err != nil {
			return invalid("--attr %s: %v", kv, err)
		}
		attrs[f.Name] = cv
	}
	if manifest != "" && len(attrs) > 0 {
		return invalid("--attr applies to rasters read from files; a manifest sets fields in its own columns")
	}
	res := addResult{ImageCollection: coll.Name, Skipped: []skipped{}}
	if manifest != "" {
		var r io.Reader = c.App.Reader
		source := "stdin"
		if manifest != "-" {
			f, err := os.Open(manifest)
			if err != nil {
				return invalid("manifest: %v", err)
			}
			defer f.Close()
			r, source = f, manifest
		}
		n, err := cat.LoadManifest(c.Context, coll, r, source)
		if err != nil {
			return fail(err)
		}
		res.Added += n
	}
	if len(paths) > 0 {
		files, problems := catalog.ExpandRasterPaths(paths)
		bar := newProgressBar(c.App.ErrWriter, "reading headers", "files")
		added, err := cat.AddRasters(c.Context, coll, files, attrs, func(done, total int) { bar.update(int64(done), int64(total)) })
		bar.finish()
		if err != nil {
			return fail(err)
		}
		res.Added += added.Added
		for _, p := range append(problems, added.Problems...) {
			path, msg := "", p.Error()
			var re *catalog.RasterError
			if errors.As(p, &re) {
				path, msg = re.Path, re.Reason()
			}
			res.Skipped = append(res.Skipped, skipped{Path: path, Error: msg})
			fmt.Fprintf(c.App.ErrWriter, "mosaic: skipped %s: %s\n", path, msg)
		}
	}
	if err := writeJSON(stdout(c), res); err != nil {
		return fail(err)
	}
	switch {
	case len(res.Skipped) > 0 && res.Added == 0:
		return &exitError{code: ExitInvalid, err: fmt.Errorf("nothing was added to %s", coll.Name)}
	case len(res.Skipped) > 0:
		return &exitError{code: ExitFailed, err: fmt.Errorf("added %d items to %s; skipped %d sources (named above)", res.Added, coll.Name, len(res.Skipped))}
	}
	return nil
}
