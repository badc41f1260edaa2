package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"mosaic/catalog"
)

// SubmitCreateImageCollection validates spec (its name, which must be
// free and not claimed by another CreateImageCollection job that has not
// run yet, its spatial reference and its fields) and records a
// CreateImageCollection job (esriJobSubmitted); Run creates the collection.
func (m *Manager) SubmitCreateImageCollection(ctx context.Context, spec catalog.NewCollection) (*Job, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
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
		return insert(ctx, tx, j)
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// runCreateImageCollection creates the collection and finishes the job in
// one transaction.
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
	return m.cat.Update(ctx, func(tx *catalog.Tx) error {
		if _, err := reload(ctx, tx, j); err != nil {
			return err
		}
		coll, err := tx.CreateCollection(ctx, spec)
		if err != nil {
			return err
		}
		j.CollectionID, j.CollectionName = coll.ID, coll.Name
		msg := Info(fmt.Sprintf("Created image collection %s (itemId %s)", coll.Name, coll.ItemID))
		return finish(ctx, tx, j, Succeeded, paramValue("result", "GPString", map[string]string{"url": coll.URL, "itemId": coll.ItemID}), msg)
	})
}
