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
	// Where selects the items to remove (ArcGIS SQL). Required unless a
	// geometry is given: "1=1" selects every item.
	Where string
	// Geometry, GeometryType, InSR and SpatialRel select the items by
	// place, as the ArcGIS query's parameters of those names do (see
	// catalog.ParseSpatial): with Where, the items both select. mosaic's
	// extension of DeleteImage.
	Geometry, GeometryType, InSR, SpatialRel string
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
	spatial, err := catalog.ParseSpatial(p.Geometry, p.GeometryType, p.InSR, p.SpatialRel)
	if err != nil {
		return nil, nil, err
	}
	if spatial == nil {
		for _, v := range []struct{ name, value string }{{"geometryType", p.GeometryType}, {"inSR", p.InSR}, {"spatialRel", p.SpatialRel}} {
			if strings.TrimSpace(v.value) != "" {
				return nil, nil, catalog.ParamErrorf(v.name, "%s goes with geometry, which is not given", v.name)
			}
		}
	}
	var clause *where.Clause
	switch {
	case strings.TrimSpace(p.Where) != "":
		if clause, err = coll.Compile(p.Where); err != nil {
			return nil, nil, err
		}
	case spatial == nil:
		return nil, nil, catalog.ParamErrorf("where", "where is required: it selects the items to delete (use 1=1 to delete every item), unless a geometry does")
	}
	if spatial != nil {
		if clause, err = coll.SpatialClause(clause, spatial); err != nil {
			return nil, nil, err
		}
	}
	return coll, clause, nil
}

// Describe says what p selects, as in "match CloudCover > 50 and relate
// to the geometry by esriSpatialRelIntersects": for messages.
func (p DeleteImageParams) Describe() string {
	var parts []string
	if strings.TrimSpace(p.Where) != "" {
		parts = append(parts, "match "+p.Where)
	}
	if strings.TrimSpace(p.Geometry) != "" {
		rel := strings.TrimSpace(p.SpatialRel)
		if rel == "" {
			rel = "esriSpatialRelIntersects"
		}
		parts = append(parts, "relate to the geometry by "+rel)
	}
	return strings.Join(parts, " and ")
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
		for name, v := range map[string]string{"geometry": p.Geometry, "geometryType": p.GeometryType, "inSR": p.InSR, "spatialRel": p.SpatialRel} {
			if strings.TrimSpace(v) != "" {
				j.Inputs[name] = catalog.JSON(v)
			}
		}
		if err := insert(ctx, tx, j); err != nil {
			return err
		}
		if err := addMessage(ctx, tx, j, Informative, "Submitted: removes the items of %s up to OBJECTID %d that %s", coll.Name, high, p.Describe()); err != nil {
			return err
		}
		return update(ctx, tx, j)
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}
