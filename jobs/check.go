package jobs

import (
	"context"
	"fmt"

	"mosaic/catalog"
)

// Check verifies the catalog file and its invariants (catalog.Check: the
// file's integrity, each collection's item table, counter and boundary, no
// orphan table) and those of the jobs: each undo log has its job and each
// job the undo log it needs, a purged job keeps the list of what it
// removed, statuses agree with the other columns, undo jobs and undone
// jobs name each other. It returns every problem found, none when the
// catalog is sound.
func (m *Manager) Check(ctx context.Context) ([]catalog.Problem, error) {
	var jobs []*Job
	var out []catalog.Problem
	add := func(check string, j *Job, format string, args ...any) {
		out = append(out, catalog.Problem{Check: check, Subject: "job " + j.ID, Message: fmt.Sprintf(format, args...)})
	}
	opts := catalog.CheckOptions{UndoTables: map[string]bool{}, LooseBoundary: map[int64]bool{}}
	problems, err := m.cat.CheckFile(ctx)
	if err != nil || len(problems) > 0 {
		return problems, err // the rest would read damaged data
	}
	err = m.cat.View(ctx, func(tx *catalog.Tx) error {
		var err error
		if jobs, err = list(ctx, tx, ListOptions{}); err != nil {
			return err
		}
		byID := map[string]*Job{}
		for _, j := range jobs {
			byID[j.ID] = j
		}
		for _, j := range jobs {
			if err := checkJob(ctx, tx, j, byID, opts, add); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if problems, err = m.cat.CheckInvariants(ctx, opts); err != nil {
		return nil, err
	}
	return append(problems, out...), nil
}

var knownStatuses = map[Status]bool{New: true, Submitted: true, Waiting: true, Executing: true, Succeeded: true,
	Failed: true, TimedOut: true, Cancelling: true, Cancelled: true}

// checkJob checks one job, and notes in opts the undo table it keeps and
// whether its collection's boundary may be loose.
func checkJob(ctx context.Context, tx *catalog.Tx, j *Job, byID map[string]*Job, opts catalog.CheckOptions,
	add func(check string, j *Job, format string, args ...any)) error {
	if !knownStatuses[j.Status] {
		add("job", j, "unknown status %q", j.Status)
	}
	if j.Status.Finished() && j.Owner != "" {
		add("job", j, "it is %s but still has an owner (%s)", j.Status, j.Owner)
	}
	if j.Status.Finished() && j.Finished.IsZero() {
		add("job", j, "it is %s but has no finishing time", j.Status)
	}
	if j.Done < 0 || j.Total < 0 {
		add("job", j, "negative counts: %d done of %d", j.Done, j.Total)
	}
	if j.Task == TaskDeleteImage && j.Status == Succeeded && (j.Done != j.Total || j.Cursor < j.HighOID) {
		add("job", j, "it succeeded but removed %d of %d items, up to OBJECTID %d of %d", j.Done, j.Total, j.Cursor, j.HighOID)
	}
	if j.UndoneBy != "" {
		u, ok := byID[j.UndoneBy]
		if !ok || u.Task != TaskUndo || u.Input("jobId") != j.ID {
			add("job", j, "it says it was undone by job %s, which is not an undo of it", j.UndoneBy)
		}
	}
	if j.Task == TaskUndo {
		target, ok := byID[j.Input("jobId")]
		if !ok || target.UndoneBy != j.ID {
			add("job", j, "it undoes job %s, which does not say it was undone by it", j.Input("jobId"))
		}
	}
	if !j.Status.Finished() && j.Status != Failed && (j.Task == TaskDeleteImage || j.Task == TaskAddImage) {
		if _, err := tx.CollectionByID(ctx, j.CollectionID); catalog.ErrorCode(err) == catalog.NotFound {
			add("job", j, "it is %s on image collection %s, which no longer exists", j.Status, j.CollectionName)
		} else if err != nil {
			return err
		}
	}
	if j.Task == TaskDeleteImage && j.UndoneBy == "" && j.Done > 0 && (!j.inputBool("updateBoundary", true) || !j.Status.Finished() || j.Status == Failed) {
		// Run without updating the boundary, or not finished yet: the
		// boundary shrinks when a job finishes.
		opts.LooseBoundary[j.CollectionID] = true
	}
	if j.UndoTable == "" {
		return nil
	}
	if (j.Task == TaskDeleteImage || j.Task == TaskDeleteImageCollection) && j.Done > 0 && !j.Purged.IsZero() ||
		j.Task == TaskDeleteImageCollection && j.UndoneBy != "" {
		listed, err := tx.HasRemovedList(ctx, j.Seq)
		if err != nil {
			return err
		}
		if !listed {
			add("undo-log", j, "the list of the %d items it removed is missing (removedItems cannot answer)", j.Done)
		}
	}
	needed := j.Purged.IsZero() && !(j.Task == TaskDeleteImageCollection && j.UndoneBy != "") &&
		(j.Strategy == catalog.UndoRows || j.Strategy == catalog.UndoCollection || j.Strategy == catalog.UndoSwap && j.Cursor >= j.HighOID && j.Done > 0)
	if !needed {
		return nil
	}
	opts.UndoTables[j.UndoTable] = true
	ok, err := tx.TableExists(ctx, j.UndoTable)
	if err != nil {
		return err
	}
	if !ok {
		add("undo-log", j, "its undo table %s is missing: what it removed cannot be restored", j.UndoTable)
	}
	return nil
}
