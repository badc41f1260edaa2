package jobs

import (
	"context"
	"encoding/json"
	"strings"

	"mosaic/catalog"
)

// DeleteImageCollection removes a collection and its items from the
// catalog, as a job recorded like the others; the source rasters stay. It
// runs in one transaction and takes constant time: the item table is kept,
// renamed, as the job's undo table, so `jobs undo` brings the collection
// back whole. It is refused while unfinished jobs work on the collection.
func (m *Manager) DeleteImageCollection(ctx context.Context, ref string) (*Job, error) {
	var j *Job
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		coll, err := tx.Collection(ctx, ref)
		if err != nil {
			return err
		}
		open, err := openJobs(ctx, tx, coll.ID, "")
		if err != nil {
			return err
		}
		if len(open) > 0 {
			busy := make([]string, len(open))
			for i, o := range open {
				busy[i] = o.ID + " (" + string(o.Status) + ")"
			}
			return catalog.Errorf(catalog.Conflict, "image collection %s has unfinished jobs: %s; cancel or finish them first", coll.Name, strings.Join(busy, ", "))
		}
		n, err := tx.CountItems(ctx, coll)
		if err != nil {
			return err
		}
		maxID, err := tx.MaxObjectID(ctx, coll)
		if err != nil {
			return err
		}
		j = &Job{Task: TaskDeleteImageCollection, Status: Executing, CollectionID: coll.ID, CollectionName: coll.Name,
			Inputs: map[string]json.RawMessage{"imageCollection": catalog.JSON(ref), "collectionItemId": catalog.JSON(coll.ItemID)}}
		if err := insert(ctx, tx, j); err != nil {
			return err
		}
		j.UndoTable = undoTableName(j.Seq)
		if j.UndoInfo, err = tx.DetachCollection(ctx, coll, j.UndoTable); err != nil {
			return err
		}
		j.Total, j.Done, j.Cursor, j.HighOID, j.Strategy = n, n, maxID, maxID, catalog.UndoCollection
		j.Status, j.Started, j.Finished = Succeeded, tx.Now, tx.Now
		j.Result = paramValue("result", "GPBoolean", true)
		if err := addMessage(ctx, tx, j, Informative, "Deleted image collection %s and its %d items; the source files are untouched", coll.Name, n); err != nil {
			return err
		}
		return update(ctx, tx, j)
	})
	if err != nil {
		return nil, err
	}
	m.retain(ctx)
	return j, nil
}
