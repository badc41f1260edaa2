package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"mosaic/catalog"
	"mosaic/formats"
	"mosaic/internal/textutil"
)

// AddImageParams are the inputs of AddImage.
type AddImageParams struct {
	// ImageCollection is the collection as the user gave it (see
	// DeleteImageParams).
	ImageCollection string
	// Rasters are GeoTIFF files, folders (searched recursively for
	// .tif/.tiff) and glob patterns on this machine.
	Rasters []string
	// Manifest is the path of a CSV manifest (see catalog.LoadManifest), or
	// "-" for the Manager's Stdin.
	Manifest string
	// Attributes sets fields on every item read from Rasters: field name
	// (case-insensitive) to value, converted as catalog.ConvertValue does.
	Attributes map[string]any
	// From is the path of a GDAL tile index (GeoPackage), a GeoJSON
	// FeatureCollection or a STAC ItemCollection whose items are added
	// with their footprints and attributes, no raster opened.
	From string
}

// addImageInputs are the inputs an AddImage job records.
type addImageInputs struct {
	Rasters    []string       `json:"inputRasters"`
	Manifest   string         `json:"manifest"`
	Attributes map[string]any `json:"attributes"`
	From       string         `json:"from"`
}

// SubmitAddImage validates p and records an AddImage job
// (esriJobSubmitted); Run does the work. Every parameter is checked here:
// the collection, the attributes against its fields, the manifest (a
// regular file whose first line names fields of the collection). The
// rasters and the manifest's lines are read when the job runs.
func (m *Manager) SubmitAddImage(ctx context.Context, p AddImageParams) (*Job, error) {
	var rasters []string
	for _, r := range p.Rasters {
		if strings.TrimSpace(r) == "" {
			return nil, catalog.ParamErrorf("inputRasters", "inputRasters: empty path")
		}
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, catalog.ParamErrorf("inputRasters", "inputRasters: %s: %v", r, err)
		}
		rasters = append(rasters, abs)
	}
	manifest := strings.TrimSpace(p.Manifest)
	from := ""
	if strings.TrimSpace(p.From) != "" {
		abs, err := filepath.Abs(p.From)
		if err != nil {
			return nil, catalog.ParamErrorf("from", "from %s: %v", p.From, err)
		}
		if info, err := os.Stat(abs); err != nil || !info.Mode().IsRegular() {
			return nil, catalog.ParamErrorf("from", "from %s: not a file", p.From)
		}
		if _, err := formats.Sniff(abs); err != nil {
			return nil, catalog.ParamErrorf("from", "from %s: %v", p.From, err)
		}
		from = abs
	}
	switch {
	case len(rasters) == 0 && manifest == "" && from == "":
		return nil, catalog.ParamErrorf("inputRasters", "AddImage needs rasters (files, folders or globs), a manifest, or a file to import")
	case manifest != "" && len(p.Attributes) > 0 && len(rasters) == 0:
		return nil, catalog.ParamErrorf("attributes", "attributes apply to rasters read from files; a manifest sets fields in its own columns")
	case manifest == "-":
		if m.Stdin == nil {
			return nil, catalog.ParamErrorf("manifest", "manifest -: there is no standard input to read")
		}
	case manifest != "":
		real, err := ResolveManifest(manifest)
		if err != nil {
			return nil, err
		}
		manifest = real
	}
	var j *Job
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		coll, err := tx.Collection(ctx, p.ImageCollection)
		if err != nil {
			return err
		}
		attrs, err := fieldValues(coll, p.Attributes)
		if err != nil {
			return err
		}
		if manifest != "" && manifest != "-" {
			if err := checkManifestHeader(coll, manifest); err != nil {
				return err
			}
		}
		j = &Job{Task: TaskAddImage, Status: Submitted, CollectionID: coll.ID, CollectionName: coll.Name,
			Inputs: map[string]json.RawMessage{
				"imageCollection":  catalog.JSON(p.ImageCollection),
				"collectionItemId": catalog.JSON(coll.ItemID),
			}}
		if len(rasters) > 0 {
			j.Inputs["inputRasters"] = catalog.JSON(rasters)
		}
		if manifest != "" {
			j.Inputs["manifest"] = catalog.JSON(manifest)
		}
		if from != "" {
			j.Inputs["from"] = catalog.JSON(from)
		}
		if len(attrs) > 0 {
			j.Inputs["attributes"] = catalog.JSON(attrs)
		}
		return insert(ctx, tx, j)
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// fieldValues resolves attributes to coll's fields and converts their
// values, refusing unknown fields, OBJECTID and values of the wrong type.
func fieldValues(coll *catalog.Collection, attrs map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(attrs))
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same input gets the same error
	for _, k := range keys {
		f, cv, err := coll.FieldValue(k, attrs[k])
		if err != nil {
			return nil, catalog.ParamErrorf("attributes", "attribute %s: %v", textutil.Excerpt(k), err)
		}
		if _, dup := out[f.Name]; dup {
			return nil, catalog.ParamErrorf("attributes", "attribute %s is given twice (field names are case-insensitive)", f.Name)
		}
		out[f.Name] = cv
	}
	return out, nil
}

// ResolveManifest returns the real path of the manifest at path, its
// symbolic links resolved, and refuses anything but a regular file: a FIFO
// would hang the job and a device would never end. The job records the real
// path, so that what a rule about the name checked (the server's .csv) is
// what is read.
func ResolveManifest(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", catalog.ParamErrorf("manifest", "manifest %s: %v", textutil.Escape(path), err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", catalog.ParamErrorf("manifest", "manifest %s: %v", textutil.Escape(path), pathErrorReason(err))
	}
	info, err := os.Lstat(real)
	if err != nil {
		return "", catalog.ParamErrorf("manifest", "manifest %s: %v", textutil.Escape(path), pathErrorReason(err))
	}
	if !info.Mode().IsRegular() {
		return "", catalog.ParamErrorf("manifest", "manifest %s is not a regular file", textutil.Escape(path))
	}
	return real, nil
}

// openManifest opens the manifest a job recorded (see ResolveManifest),
// refusing it if it has become a link or anything but a regular file since.
func openManifest(path string) (*os.File, error) {
	real, err := ResolveManifest(path)
	if err != nil {
		return nil, err
	}
	if real != path {
		return nil, catalog.ParamErrorf("manifest", "manifest %s is now a link to %s: submit the job again", textutil.Escape(path), textutil.Escape(real))
	}
	before, err := os.Lstat(path)
	if err != nil {
		return nil, catalog.ParamErrorf("manifest", "manifest %s: %v", textutil.Escape(path), pathErrorReason(err))
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, catalog.ParamErrorf("manifest", "manifest %s: %v", textutil.Escape(path), pathErrorReason(err))
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() || !os.SameFile(info, before) {
		f.Close()
		return nil, catalog.ParamErrorf("manifest", "manifest %s changed while it was opened: submit the job again", textutil.Escape(path))
	}
	return f, nil
}

// checkManifestHeader checks the first line of the manifest at path against
// coll (see catalog.Collection.CheckManifestHeader).
func checkManifestHeader(coll *catalog.Collection, path string) error {
	f, err := openManifest(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return catalog.WithParam(coll.CheckManifestHeader(f, path), "manifest")
}

// pathErrorReason is the reason of a file error without the path, which
// messages name themselves.
func pathErrorReason(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// maxSkipMessages bounds the messages naming skipped rasters.
const maxSkipMessages = 100

// progressEvery is how often a running AddImage records its progress in the
// catalog (for REST clients polling it) and looks for a cancel request.
const progressEvery = 250 * time.Millisecond

// runAddImage reads the headers of the job's rasters, one at a time, then
// adds them and the manifest's items in one transaction that also finishes
// the job: an AddImage adds everything or nothing, so a crash at any
// instant leaves it to be run again from the start.
func (m *Manager) runAddImage(ctx context.Context, j *Job) error {
	var in addImageInputs
	dec := json.NewDecoder(strings.NewReader(string(catalog.JSON(j.Inputs))))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return fmt.Errorf("job %s inputs: %w", j.ID, err)
	}
	var coll *catalog.Collection
	if err := m.cat.View(ctx, func(tx *catalog.Tx) error {
		var err error
		coll, err = tx.CollectionByID(ctx, j.CollectionID)
		return err
	}); err != nil {
		return err
	}
	attrs, err := fieldValues(coll, in.Attributes)
	if err != nil {
		return err
	}
	var manifest io.Reader
	switch in.Manifest {
	case "":
	case "-":
		if m.Stdin == nil {
			return catalog.Errorf(catalog.Invalid, "its manifest was the standard input of the process that submitted it, which is gone: submit it again")
		}
		manifest = m.Stdin
	default:
		f, err := openManifest(in.Manifest)
		if err != nil {
			return err
		}
		defer f.Close()
		manifest = f
	}

	files, problems := catalog.ExpandRasterPaths(in.Rasters)
	j.Total, j.Done = int64(len(files)), 0
	srs := coll.SRS
	items := make([]catalog.Item, 0, len(files))
	lastSaved := time.Now()
	for i, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		it, err := catalog.ReadRaster(path, srs)
		if err != nil {
			problems = append(problems, &catalog.RasterError{Path: path, Err: err})
		} else {
			if srs == "" {
				srs = it.SRS
			}
			it.Attributes = attrs
			items = append(items, it)
		}
		j.Done = int64(i + 1)
		if m.Progress != nil {
			m.Progress(j)
		}
		if m.OnBatch != nil {
			if err := m.OnBatch(j); err != nil {
				return fmt.Errorf("%w: %v", errStop, err)
			}
		}
		if time.Since(lastSaved) >= progressEvery && i+1 < len(files) {
			lastSaved = time.Now()
			cancelled, err := m.saveProgress(ctx, j)
			if err != nil {
				return err
			}
			if cancelled {
				break
			}
		}
	}
	sort.SliceStable(problems, func(a, b int) bool { return problems[a].Error() < problems[b].Error() })
	for _, p := range problems {
		if m.Skipped != nil {
			path, reason := "", p.Error()
			var re *catalog.RasterError
			if errors.As(p, &re) {
				path, reason = re.Path, re.Reason()
			}
			m.Skipped(path, reason)
		}
	}
	read := j.Done
	return m.cat.Update(ctx, func(tx *catalog.Tx) error {
		cancel, err := reload(ctx, tx, j)
		if err != nil {
			return err
		}
		if cancel {
			return finish(ctx, tx, j, Cancelled, nil, Info(fmt.Sprintf("Cancelled after reading %d of %d rasters: nothing was added to %s", read, len(files), coll.Name)))
		}
		coll, err := tx.CollectionByID(ctx, j.CollectionID)
		if err != nil {
			return err
		}
		var msgs []Message
		added := 0
		if manifest != nil {
			n, err := tx.LoadManifest(ctx, coll, manifest, manifestName(in.Manifest))
			if err != nil {
				return err
			}
			added += n
			msgs = append(msgs, Info(fmt.Sprintf("Added %d items to %s from manifest %s", n, coll.Name, manifestName(in.Manifest))))
		}
		if in.From != "" {
			im, err := tx.Importer(ctx, coll)
			if err != nil {
				return err
			}
			f, err := formats.Import(ctx, in.From, im.Add)
			if catalog.ErrorCode(err) == catalog.Internal {
				err = catalog.Errorf(catalog.Invalid, "%w", err) // the file is not what it should be
			}
			if err != nil {
				return fmt.Errorf("import %s: %w", in.From, err)
			}
			n, ignored, err := im.Finish()
			if err != nil {
				return err
			}
			added += n
			msgs = append(msgs, Info(fmt.Sprintf("Added %d items to %s from %s (%s)", n, coll.Name, in.From, f)))
			if len(ignored) > 0 {
				msgs = append(msgs, Warn(fmt.Sprintf("Not imported, as %s has no such fields: %s", coll.Name, strings.Join(ignored, ", "))))
			}
		}
		for i, p := range problems {
			if i == maxSkipMessages {
				msgs = append(msgs, Warn(fmt.Sprintf("… and %d more skipped", len(problems)-i)))
				break
			}
			msgs = append(msgs, Warn("Skipped "+p.Error()))
		}
		if len(in.Rasters) > 0 {
			if err := tx.SetSRS(ctx, coll, srs); err != nil {
				return err
			}
			n, err := tx.AddItems(ctx, coll, items)
			if err != nil {
				return err
			}
			added += n
			msgs = append(msgs, Info(fmt.Sprintf("Added %d rasters to %s; skipped %d", n, coll.Name, len(problems))))
		}
		j.Done, j.Total = int64(added), int64(added)
		if added == 0 && len(problems) > 0 {
			msgs = append(msgs, Message{Type: ErrorType, Description: fmt.Sprintf("Nothing was added to %s: every raster was skipped", coll.Name)})
			return finish(ctx, tx, j, Failed, nil, msgs...)
		}
		return finish(ctx, tx, j, Succeeded, resultURL(coll.URL), msgs...)
	})
}

// saveProgress records a running job's progress and heartbeat, and
// reports whether a cancel was asked for meanwhile.
func (m *Manager) saveProgress(ctx context.Context, j *Job) (cancel bool, err error) {
	done, total := j.Done, j.Total
	err = m.cat.Update(ctx, func(tx *catalog.Tx) error {
		if cancel, err = reload(ctx, tx, j); err != nil || cancel {
			return err
		}
		j.Done, j.Total, j.Heartbeat = done, total, tx.Now
		return update(ctx, tx, j)
	})
	j.Done, j.Total = done, total
	return cancel, err
}

// manifestName names a manifest in messages.
func manifestName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}
