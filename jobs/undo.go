package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"mosaic/catalog"
)

// Undo puts back what job id removed, in one transaction, and records the
// undo as a job of its own (task UndoJob, which is returned). DeleteImage
// rows come back with their own OBJECTIDs and values, the boundary grows
// back over them and the overviews the job marked stale are unmarked; a
// deleted collection comes back whole. A job is undone at most once, only
// when it has finished, and only while its undo log is kept (see Purge).
// It is refused while another DeleteImage is removing items from the same
// collection, so that what that job removes never depends on when the undo
// happened (see ARCHITECTURE.md, "What a job removes").
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
		case !j.Purged.IsZero():
			return catalog.Errorf(catalog.Conflict, "job %s cannot be undone: its undo log was purged on %s, so its items are gone for good (its removedItems result still lists them)", j.ID, catalog.Timestamp(j.Purged))
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
			if err := refuseWhileRemoving(ctx, tx, j); err != nil {
				return err
			}
			log, err := j.undoLog()
			if err != nil {
				return err
			}
			if log == nil {
				return catalog.Errorf(catalog.Conflict, "job %s removed nothing; there is nothing to undo", j.ID)
			}
			if u.Done, err = tx.Restore(ctx, coll, log); err != nil {
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
			err = addMessage(ctx, tx, u, Informative, "Restored %d items to %s (undoing job %s)", u.Done, coll.Name, j.ID)
		case TaskDeleteImageCollection:
			// The undo table becomes the item table again: keep the list of
			// what the job removed, as its removedItems result.
			if _, err := tx.SaveRemovedList(ctx, j.Seq, &catalog.UndoLog{Table: j.UndoTable, Kind: catalog.UndoCollection}); err != nil {
				return err
			}
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
		if err := addMessage(ctx, tx, j, Informative, "Undone by job %s: its %d items are back in %s", u.ID, u.Done, coll.Name); err != nil {
			return err
		}
		return update(ctx, tx, j)
	})
	if err != nil {
		return nil, err
	}
	m.retain(ctx)
	return u, nil
}

// refuseWhileRemoving refuses to undo job j while another DeleteImage on
// its collection has started removing and not finished: that job removes
// the items that match when it reaches them, so items brought back under
// it would go or stay depending on where it was.
func refuseWhileRemoving(ctx context.Context, tx *catalog.Tx, j *Job) error {
	open, err := openJobs(ctx, tx, j.CollectionID, TaskDeleteImage)
	if err != nil {
		return err
	}
	var busy []string
	for _, o := range open {
		if o.Seq != j.Seq && o.Strategy != "" {
			busy = append(busy, fmt.Sprintf("%s (%s, %d items removed so far)", o.ID, o.Status, o.Done))
		}
	}
	if len(busy) > 0 {
		return catalog.Errorf(catalog.Conflict, "cannot undo job %s while %s removing items from %s: wait for it to finish, or cancel it (`mosaic jobs cancel ID`), then undo",
			j.ID, strings.Join(busy, ", ")+map[bool]string{true: " is", false: " are"}[len(busy) == 1], j.CollectionName)
	}
	return nil
}

// overviewsToClear returns those of the overviews job j marked stale that
// no other job's standing removals keep stale: an overview over items that
// another (not undone) DeleteImage removed stays stale, and all stay stale
// when such a job's undo log was purged.
func overviewsToClear(ctx context.Context, tx *catalog.Tx, j *Job, coll *catalog.Collection, marked []int64) ([]int64, error) {
	if len(marked) == 0 {
		return nil, nil
	}
	others, err := standingDeletes(ctx, tx, j.CollectionID, j.Seq)
	if err != nil {
		return nil, err
	}
	still := map[int64]bool{}
	for _, o := range others {
		log, err := o.undoLog()
		if err != nil {
			return nil, err
		}
		if log == nil {
			// Purged: where its removed items were is no longer known, so
			// every overview stays stale (a stale mark too many is safe; one
			// too few is not).
			return nil, nil
		}
		covered, err := tx.OverviewsCovered(ctx, coll, marked, log)
		if err != nil {
			return nil, err
		}
		for id := range covered {
			still[id] = true
		}
	}
	var clear []int64
	for _, id := range marked {
		if !still[id] {
			clear = append(clear, id)
		}
	}
	return clear, nil
}
