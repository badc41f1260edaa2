package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"mosaic/internal/textutil"
	"mosaic/jobs"
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
			&ucli.StringFlag{Name: "from", Usage: "import the items of a GDAL tile index (GeoPackage, as gdaltindex makes), a GeoJSON FeatureCollection or a STAC ItemCollection; no raster is opened"},
		},
		Action: addImage,
	}
}

// addResult is what add-image prints.
type addResult struct {
	ImageCollection string    `json:"imageCollection"`
	Added           int64     `json:"added"`
	Skipped         []skipped `json:"skipped"`
}

type skipped struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// addImage submits an AddImage job and runs it here, with a progress bar
// while it reads raster headers; it lists the sources it skipped.
func addImage(c *ucli.Context) error {
	p := jobs.AddImageParams{ImageCollection: c.String("image-collection"), Rasters: c.Args().Slice(), Manifest: c.String("manifest"), From: c.String("from")}
	if len(p.Rasters) == 0 && p.Manifest == "" && p.From == "" {
		return invalid("add-image needs rasters (files, folders or globs), --manifest FILE or --from FILE")
	}
	for _, kv := range c.StringSlice("attr") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return invalid("--attr %s: expected KEY=VALUE", textutil.Quote(kv))
		}
		if p.Attributes == nil {
			p.Attributes = map[string]any{}
		}
		if _, dup := p.Attributes[k]; dup {
			return invalid("--attr %s is given twice", textutil.Quote(k))
		}
		p.Attributes[k] = v
	}
	return withManager(c, func(m *jobs.Manager) error {
		j, err := m.SubmitAddImage(c.Context, p)
		if err != nil {
			return err
		}
		res := addResult{Skipped: []skipped{}}
		m.Skipped = func(path, reason string) {
			res.Skipped = append(res.Skipped, skipped{Path: path, Error: reason})
			fmt.Fprintf(c.App.ErrWriter, "mosaic: skipped %s: %s\n", textutil.Escape(path), textutil.Escape(reason))
		}
		bar := newProgressBar(c.App.ErrWriter, "reading headers", "files")
		m.Progress = func(j *jobs.Job) { bar.update(j.Done, j.Total) }
		id := j.ID
		j, err = m.Run(c.Context, id)
		bar.finish()
		if errors.Is(err, context.Canceled) {
			return &exitError{code: ExitFailed, err: fmt.Errorf("interrupted: nothing was added; `mosaic jobs resume %s` runs the job again", id)}
		}
		if err != nil {
			return err
		}
		if j.Status == jobs.Failed && j.Cause != nil {
			return j.Cause // bad input (a manifest line) says so with exit status 2
		}
		res.ImageCollection, res.Added = j.CollectionName, j.Done
		if j.Status != jobs.Succeeded && j.Status != jobs.Failed {
			return jobExit(j, false)
		}
		if err := writeJSON(stdout(c), res); err != nil {
			return err
		}
		switch {
		case j.Status == jobs.Failed && len(res.Skipped) > 0 && res.Added == 0:
			return &exitError{code: ExitInvalid, err: fmt.Errorf("nothing was added to %s", j.CollectionName)}
		case j.Status == jobs.Failed:
			return jobExit(j, false)
		case len(res.Skipped) > 0:
			return &exitError{code: ExitFailed, err: fmt.Errorf("added %d items to %s; skipped %d sources (named above)", res.Added, j.CollectionName, len(res.Skipped))}
		}
		return nil
	})
}
