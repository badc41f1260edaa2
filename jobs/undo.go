package jobs

import (
	"context"
	"encoding/json"

	"mosaic/catalog"
)

// Undo puts back what job id removed, in one transaction, and records the
// undo as a job of its own (task UndoJob, which is returned). DeleteImage
// rows come back with their own OBJECTIDs and values, the boundary is
// recomputed and the overviews the job marked stale are unmarked; a deleted
// collection comes back whole. A job is undone at most once, and only when
// it has finished.
func (m *Manager) Undo(ctx context.Context, id string) (*Job, error) {
	var u *Job
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		j, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case j.Task == TaskUndo:
			return catalog.Errorf(catalog.Conflict, "job %s is an undo; it cannot be undone (run the delete again)", j.ID)
		case j.UndoneBy != "":
			return catalog.Errorf(catalog.Conflict, "job %s was already undone by job %s", j.ID, j.UndoneBy)
		case j.Status == Failed && j.Task == TaskDeleteImage:
			return catalog.Errorf(catalog.Conflict, "job %s failed and can still be resumed; `mosaic jobs cancel %s` first, then undo it", j.ID, j.ID)
		case !j.Status.Finished():
			return catalog.Errorf(catalog.Conflict, "job %s is %s; cancel it (or let it finish) before undoing it", j.ID, j.Status)
		case j.UndoTable == "" || j.Done == 0 && j.Task != TaskDeleteImageCollection:
			return catalog.Errorf(catalog.Conflict, "job %s removed nothing; there is nothing to undo", j.ID)
		}
		u = &Job{Task: TaskUndo, Status: Executing, CollectionID: j.CollectionID, CollectionName: j.CollectionName,
			Inputs: map[string]json.RawMessage{"jobId": catalog.JSON(j.ID)}}
		if err := insert(ctx, tx, u); err != nil {
			return err
		}
		var coll *catalog.Collection
		switch j.Task {
		case TaskDeleteImage:
			if coll, err = tx.CollectionByID(ctx, j.CollectionID); err != nil {
				return catalog.Errorf(catalog.Conflict, "cannot undo job %s: image collection %s no longer exists (undo the job that deleted it first; see jobs list)", j.ID, j.CollectionName)
			}
			if u.Done, err = tx.Restore(ctx, coll, j.UndoTable, j.Cursor); err != nil {
				return err
			}
			var info struct {
				StaleMarked []int64 `json:"staleMarked"`
			}
			if j.UndoInfo != nil {
				json.Unmarshal(j.UndoInfo, &info)
			}
			clear, err := overviewsToClear(ctx, tx, j, coll, info.StaleMarked)
			if err != nil {
				return err
			}
			if err := tx.ClearStale(ctx, coll, clear); err != nil {
				return err
			}
			if err := tx.RecomputeBoundary(ctx, coll); err != nil {
				return err
			}
			err = addMessage(ctx, tx, u, Informative, "Restored %d items to %s (undoing job %s)", u.Done, coll.Name, j.ID)
		case TaskDeleteImageCollection:
			if coll, err = tx.ReattachCollection(ctx, j.UndoInfo, j.UndoTable); err != nil {
				return err
			}
			u.Done = j.Done
			err = addMessage(ctx, tx, u, Informative, "Restored image collection %s with its %d items (undoing job %s)", coll.Name, j.Done, j.ID)
		default:
			return catalog.Errorf(catalog.Conflict, "job %s (%s) cannot be undone", j.ID, j.Task)
		}
		if err != nil {
			return err
		}
		u.Total = u.Done
		u.Status, u.Started, u.Finished = Succeeded, tx.Now, tx.Now
		u.Result = resultURL(coll.URL)
		if err := update(ctx, tx, u); err != nil {
			return err
		}
		j.UndoneBy = u.ID
		return update(ctx, tx, j)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// overviewsToClear returns those of the overviews job j marked stale that
// no other job's standing removals keep stale: an overview over items that
// another (not undone) DeleteImage removed stays stale.
func overviewsToClear(ctx context.Context, tx *catalog.Tx, j *Job, coll *catalog.Collection, marked []int64) ([]int64, error) {
	if len(marked) == 0 {
		return nil, nil
	}
	others, err := standingDeletes(ctx, tx, j.CollectionID, j.Seq)
	if err != nil {
		return nil, err
	}
	var clear []int64
	for _, id := range marked {
		still := false
		for _, o := range others {
			if still, err = tx.OverviewCovers(ctx, coll, id, o.UndoTable, o.Cursor); err != nil {
				return nil, err
			}
			if still {
				break
			}
		}
		if !still {
			clear = append(clear, id)
		}
	}
	return clear, nil
}
