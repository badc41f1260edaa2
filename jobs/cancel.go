package jobs

import (
	"context"
	"errors"

	"mosaic/catalog"
)

// Cancel cancels job id. A job that has not started is cancelled at once
// (unlike ArcGIS, which runs it anyway). A running job is asked to stop: it
// goes esriJobCancelling and its process stops between batches. A job whose
// process died, or that failed, is finished as cancelled here. Whatever was
// removed before the cancel stays removed, and undoable.
func (m *Manager) Cancel(ctx context.Context, id string) (*Job, error) {
	var j *Job
	var finishHere bool
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		var err error
		if j, err = load(ctx, tx, id); err != nil {
			return err
		}
		switch j.Status {
		case New, Submitted, Waiting:
			j.Status, j.CancelRequested, j.Finished, j.Owner = Cancelled, true, tx.Now, ""
			if err := addMessage(ctx, tx, j, Informative, "Cancelled before it ran: nothing was deleted"); err != nil {
				return err
			}
		case Executing, Cancelling, Failed:
			if j.Task != TaskDeleteImage {
				// A task's work is one transaction: it cannot stop halfway.
				if j.Status == Failed || j.Owner == "" || !ownerAlive(j.Owner, j.Heartbeat, tx.Now) {
					j.Status, j.CancelRequested, j.Finished, j.Owner = Cancelled, true, tx.Now, ""
					if err := addMessage(ctx, tx, j, Informative, "Cancelled"); err != nil {
						return err
					}
					return update(ctx, tx, j)
				}
				return catalog.Errorf(catalog.Conflict, "job %s (%s) is running and cannot stop halfway; it will finish shortly", j.ID, j.Task)
			}
			j.CancelRequested = true
			j.Status = Cancelling
			if j.Owner == "" || !ownerAlive(j.Owner, j.Heartbeat, tx.Now) {
				j.Owner = ""
				finishHere = true
			}
		default:
			return catalog.Errorf(catalog.Conflict, "job %s is already finished (%s); `jobs undo %s` puts back what it removed", j.ID, j.Status, j.ID)
		}
		return update(ctx, tx, j)
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
