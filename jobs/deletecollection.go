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
		var busy []string
		rows, err := tx.QueryContext(ctx, "SELECT id || ' (' || status || ')' FROM jobs WHERE collection_id = ? AND status IN (?, ?, ?, ?, ?, ?) AND undone_by IS NULL",
			coll.ID, New, Submitted, Waiting, Executing, Cancelling, Failed)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			busy = append(busy, s)
		}
		rows.Close()
		if len(busy) > 0 {
			return catalog.Errorf(catalog.Conflict, "image collection %s has unfinished jobs: %s; cancel or finish them first", coll.Name, strings.Join(busy, ", "))
		}
		n, err := tx.CountItems(ctx, coll)
		if err != nil {
			return err
		}
		var maxID int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(OBJECTID), 0) FROM "`+coll.Table()+`"`).Scan(&maxID); err != nil {
			return err
		}
		j = &Job{Task: TaskDeleteImageCollection, Status: Executing, CollectionID: coll.ID, CollectionName: coll.Name,
			Inputs: map[string]json.RawMessage{"imageCollection": jsonValue(ref), "collectionItemId": jsonValue(coll.ItemID)}}
		if err := insert(ctx, tx, j); err != nil {
			return err
		}
		j.UndoTable = undoTableName(j.Seq)
		if j.UndoInfo, err = tx.DetachCollection(ctx, coll, j.UndoTable); err != nil {
			return err
		}
		j.Total, j.Done, j.Cursor = n, n, maxID
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
	return j, nil
}
