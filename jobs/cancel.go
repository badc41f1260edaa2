package jobs

import (
	"context"
	"errors"

	"mosaic/catalog"
)

// Cancel cancels job id. A job that has not started is cancelled at once
// (unlike ArcGIS, which runs it anyway). A running job is asked to stop: it
// goes esriJobCancelling and its process stops at the next safe point
// (between the batches of a delete, between the rasters an AddImage
// reads). A job whose process died, or that failed, is finished as
// cancelled here. Whatever a delete removed before the cancel stays
// removed, and undoable; an AddImage adds nothing once cancelled.
//
// A job that this process runs (the server's workers, a test) is
// interrupted at once, even in the middle of a batch or of a swap, whose
// transaction rolls back: the cancel neither waits for the batch nor loses
// the race to the job's last batch.
func (m *Manager) Cancel(ctx context.Context, id string) (*Job, error) {
	var j *Job
	var finishHere bool
	interrupted := interruptLocal(m.cat, id)
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		var err error
		if j, err = load(ctx, tx, id); err != nil {
			return err
		}
		if interrupted && j.Status.Finished() {
			return nil // the run ended (cancelled, or finished just before)
		}
		switch j.Status {
		case New, Submitted, Waiting:
			j.CancelRequested = true
			return finish(ctx, tx, j, Cancelled, nil, Info(cancelledBeforeRun(j.Task)))
		case Executing, Cancelling, Failed:
			j.CancelRequested = true
			ownerGone := j.Owner == "" || !ownerAlive(j.Owner, j.Heartbeat, tx.Now)
			if j.Task != TaskDeleteImage && (j.Status == Failed || ownerGone) {
				// Its work commits with its end: a failed or orphaned task
				// did nothing, and there is nothing to finish.
				return finish(ctx, tx, j, Cancelled, nil, Info(cancelledBeforeRun(j.Task)))
			}
			failed := j.Status == Failed
			j.Status = Cancelling
			if ownerGone || failed {
				j.Owner = ""
				finishHere = true
			}
			return update(ctx, tx, j)
		}
		return catalog.Errorf(catalog.Conflict, "job %s is already finished (%s); `jobs undo %s` puts back what it removed", j.ID, j.Status, j.ID)
	})
	if err != nil || !finishHere {
		return j, err
	}
	j, err = m.Run(ctx, j.ID)
	if errors.Is(err, ErrOwned) {
		// Someone resumed it meanwhile; they will see the cancel request.
		return m.Get(ctx, id)
	}
	return j, err
}

// cancelledBeforeRun is the message of a job cancelled before it changed
// anything.
func cancelledBeforeRun(task string) string {
	switch task {
	case TaskDeleteImage:
		return "Cancelled before it ran: nothing was deleted"
	case TaskAddImage:
		return "Cancelled before it added anything"
	case TaskCreateImageCollection:
		return "Cancelled before the collection was created"
	}
	return "Cancelled before it ran"
}
