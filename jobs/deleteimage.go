package jobs

import (
	"context"
	"encoding/json"
	"strings"

	"mosaic/catalog"
	"mosaic/where"
)

// DeleteImageParams are the inputs of DeleteImage.
type DeleteImageParams struct {
	// ImageCollection is the collection as the user gave it: name, URL, or
	// JSON with itemId, url or uri.
	ImageCollection string
	// Where selects the items to remove (ArcGIS SQL). Required: "1=1"
	// selects every item.
	Where string
	// NoUpdateBoundary and NoMarkOverviews turn off the two finishing steps
	// of ArcPy's RemoveRastersFromMosaicDataset, both on by default.
	NoUpdateBoundary bool
	NoMarkOverviews  bool
}

// validate resolves the collection and compiles the clause: a bad one never
// becomes a job.
func (p DeleteImageParams) validate(ctx context.Context, tx *catalog.Tx) (*catalog.Collection, *where.Clause, error) {
	coll, err := tx.Collection(ctx, p.ImageCollection)
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(p.Where) == "" {
		return nil, nil, catalog.ParamErrorf("where", "where is required: it selects the items to delete (use 1=1 to delete every item)")
	}
	clause, err := coll.Compile(p.Where)
	if err != nil {
		return nil, nil, err
	}
	return coll, clause, nil
}

// DryRun reports the items DeleteImage would remove if it ran now, calling
// fn for each in OBJECTID order, and changes nothing.
func (m *Manager) DryRun(ctx context.Context, p DeleteImageParams, fn func(catalog.ItemRef) error) (*catalog.Collection, error) {
	var coll *catalog.Collection
	err := m.cat.View(ctx, func(tx *catalog.Tx) error {
		var clause *where.Clause
		var err error
		if coll, clause, err = p.validate(ctx, tx); err != nil {
			return err
		}
		return tx.MatchingItems(ctx, coll, clause, fn)
	})
	if err != nil {
		return nil, err
	}
	return coll, nil
}

// SubmitDeleteImage validates p and records a DeleteImage job
// (esriJobSubmitted); Run removes the items. The submission reads no item,
// so it takes the same time whether 10 or 10 million items match, yet it
// fixes what the job removes: the items up to the highest OBJECTID now
// that the clause selects, with CURRENT_DATE and CURRENT_TIMESTAMP bound
// to now. Items added later are never touched.
func (m *Manager) SubmitDeleteImage(ctx context.Context, p DeleteImageParams) (*Job, error) {
	var j *Job
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		coll, clause, err := p.validate(ctx, tx)
		if err != nil {
			return err
		}
		high, err := tx.MaxObjectID(ctx, coll)
		if err != nil {
			return err
		}
		if len(clause.Hazards) > 0 {
			// A clause that can fail on an item's value is tried on the
			// items now: bad input is refused, not a job that fails later.
			if err := tx.CheckClause(ctx, coll, clause, high); err != nil {
				return err
			}
		}
		frozen, err := catalog.EncodeClause(catalog.BindNow(clause, tx.Now))
		if err != nil {
			return err
		}
		j = &Job{Task: TaskDeleteImage, Status: Submitted, CollectionID: coll.ID, CollectionName: coll.Name,
			HighOID: high, Clause: frozen,
			Inputs: map[string]json.RawMessage{
				"imageCollection":  catalog.JSON(p.ImageCollection),
				"where":            catalog.JSON(p.Where),
				"updateBoundary":   catalog.JSON(!p.NoUpdateBoundary),
				"markOverviews":    catalog.JSON(!p.NoMarkOverviews),
				"collectionItemId": catalog.JSON(coll.ItemID),
			}}
		if err := insert(ctx, tx, j); err != nil {
			return err
		}
		if err := addMessage(ctx, tx, j, Informative, "Submitted: removes the items of %s up to OBJECTID %d that match %s", coll.Name, high, p.Where); err != nil {
			return err
		}
		return update(ctx, tx, j)
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}
