package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"mosaic/catalog"
)

// SubmitCreateImageCollection validates spec (its name, which must be
// free and not claimed by another CreateImageCollection job that has not
// run yet, its spatial reference and its fields) and records a
// CreateImageCollection job (esriJobSubmitted); Run creates the collection.
// Rasters (files, folders, globs, as AddImage takes them) are added to it,
// as ArcGIS's CreateImageCollection adds its inputRasters: the collection
// and its items are created together, or not at all.
func (m *Manager) SubmitCreateImageCollection(ctx context.Context, spec catalog.NewCollection, rasters ...string) (*Job, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	var abs []string
	for _, r := range rasters {
		if strings.TrimSpace(r) == "" {
			return nil, catalog.ParamErrorf("inputRasters", "inputRasters: empty path")
		}
		a, err := filepath.Abs(r)
		if err != nil {
			return nil, catalog.ParamErrorf("inputRasters", "inputRasters: %s: %v", r, err)
		}
		abs = append(abs, a)
	}
	srs, _ := catalog.ParseSRS(spec.SRS)
	var j *Job
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		if err := tx.CheckNameFree(ctx, spec.Name); err != nil {
			return catalog.WithParam(err, "imageCollection")
		}
		// Another job may be about to take the name: this one would then
		// fail when it runs, after its submission was accepted.
		pending, err := list(ctx, tx, ListOptions{Collection: spec.Name, Statuses: openStatuses})
		if err != nil {
			return err
		}
		for _, o := range pending {
			if o.Task == TaskCreateImageCollection {
				return &catalog.Error{Code: catalog.Conflict, Param: "imageCollection",
					Message: fmt.Sprintf("image collection %q is already being created by job %s", o.CollectionName, o.ID)}
			}
		}
		j = &Job{Task: TaskCreateImageCollection, Status: Submitted, CollectionName: spec.Name,
			Inputs: map[string]json.RawMessage{"imageCollection": catalog.JSON(spec.Name)}}
		if srs != "" {
			j.Inputs["srs"] = catalog.JSON(srs)
		}
		if len(spec.Fields) > 0 {
			specs := make([]string, len(spec.Fields))
			for i, f := range spec.Fields {
				specs[i] = f.Name + ":" + f.Type.String()
			}
			j.Inputs["fields"] = catalog.JSON(specs)
		}
		if len(abs) > 0 {
			j.Inputs["inputRasters"] = catalog.JSON(abs)
		}
		return insert(ctx, tx, j)
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// runCreateImageCollection reads the headers of the job's rasters, if any,
// one at a time, then creates the collection, adds them and finishes the job
// in one transaction, as runAddImage does.
func (m *Manager) runCreateImageCollection(ctx context.Context, j *Job) error {
	spec := catalog.NewCollection{Name: j.Input("imageCollection"), SRS: j.Input("srs")}
	var specs []string
	if raw, ok := j.Inputs["fields"]; ok {
		if err := json.Unmarshal(raw, &specs); err != nil {
			return fmt.Errorf("job %s: fields input: %w", j.ID, err)
		}
	}
	for _, s := range specs {
		f, err := catalog.ParseFieldSpec(s)
		if err != nil {
			return err
		}
		spec.Fields = append(spec.Fields, f)
	}
	var rasters []string
	if raw, ok := j.Inputs["inputRasters"]; ok {
		if err := json.Unmarshal(raw, &rasters); err != nil {
			return fmt.Errorf("job %s: inputRasters input: %w", j.ID, err)
		}
	}
	files, problems := catalog.ExpandRasterPaths(rasters)
	srs, _ := catalog.ParseSRS(spec.SRS)
	var items []catalog.Item
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		it, err := catalog.ReadRaster(path, srs)
		if err != nil {
			problems = append(problems, &catalog.RasterError{Path: path, Err: err})
			continue
		}
		if srs == "" {
			srs = it.SRS
		}
		items = append(items, it)
	}
	sort.SliceStable(problems, func(a, b int) bool { return problems[a].Error() < problems[b].Error() })
	return m.cat.Update(ctx, func(tx *catalog.Tx) error {
		if _, err := reload(ctx, tx, j); err != nil {
			return err
		}
		var msgs []Message
		for i, p := range problems {
			if i == maxSkipMessages {
				msgs = append(msgs, Warn(fmt.Sprintf("… and %d more skipped", len(problems)-i)))
				break
			}
			msgs = append(msgs, Warn("Skipped "+p.Error()))
		}
		if len(rasters) > 0 && len(items) == 0 {
			msgs = append(msgs, Message{Type: ErrorType, Description: fmt.Sprintf("Image collection %s was not created: none of its input rasters could be read", spec.Name)})
			return finish(ctx, tx, j, Failed, nil, msgs...)
		}
		coll, err := tx.CreateCollection(ctx, spec)
		if err != nil {
			return err
		}
		j.CollectionID, j.CollectionName = coll.ID, coll.Name
		msgs = append([]Message{Info(fmt.Sprintf("Created image collection %s (itemId %s)", coll.Name, coll.ItemID))}, msgs...)
		if len(items) > 0 {
			if err := tx.SetSRS(ctx, coll, srs); err != nil {
				return err
			}
			n, err := tx.AddItems(ctx, coll, items)
			if err != nil {
				return err
			}
			j.Done, j.Total = int64(n), int64(n)
			msgs = append(msgs, Info(fmt.Sprintf("Added %d rasters to %s; skipped %d", n, coll.Name, len(problems))))
		}
		return finish(ctx, tx, j, Succeeded, paramValue("result", "GPString", map[string]string{"url": coll.URL, "itemId": coll.ItemID}), msgs...)
	})
}
