package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"mosaic/catalog"
)

// ErrOwned means a job is being run by another live process.
var ErrOwned = errors.New("job is running in another process")

// Run runs job id, of any task, to its end: a submitted job starts, a job
// whose owner died (kill -9, power loss) or that failed resumes where its
// last batch committed (an AddImage or CreateImageCollection, whose work
// commits with its end, runs again from the start), a job being cancelled finishes cancelling. A job that a live
// process runs is refused (ErrOwned, code Conflict); a finished job is
// returned as it is. Cancelling ctx stops the job between batches, leaving
// it resumable.
func (m *Manager) Run(ctx context.Context, id string) (*Job, error) {
	j, err := m.acquire(ctx, id)
	if err != nil || j.Status.Finished() {
		return j, err
	}
	hbCtx, stopHeartbeat := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	seq := j.Seq // the runner rewrites *j; the heartbeat must not read it
	go func() {
		defer wg.Done()
		m.heartbeat(hbCtx, seq)
	}()
	defer func() {
		stopHeartbeat()
		wg.Wait()
	}()

	var runErr error
	switch j.Task {
	case TaskDeleteImage:
		runErr = m.runDeleteImage(ctx, j)
	case TaskAddImage:
		runErr = m.runAddImage(ctx, j)
	case TaskCreateImageCollection:
		runErr = m.runCreateImageCollection(ctx, j)
	default:
		runErr = catalog.Errorf(catalog.Internal, "job %s: task %s cannot be run", j.ID, j.Task)
	}
	if runErr != nil {
		if ctx.Err() != nil || errors.Is(runErr, errStop) {
			// Interrupted, not failed: leave it resumable, owned by nobody.
			m.release(context.Background(), j)
			return j, runErr
		}
		if ferr := m.fail(context.Background(), j, runErr); ferr != nil {
			return j, fmt.Errorf("%w (and recording the failure failed: %v)", runErr, ferr)
		}
		j.Cause = runErr
		return j, nil
	}
	return j, nil
}

// acquire makes this process the owner of job id, in one transaction, if
// the job can run: submitted or waiting, failed, or executing/cancelling
// with a dead owner. It returns the job.
func (m *Manager) acquire(ctx context.Context, id string) (*Job, error) {
	var j *Job
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		var err error
		if j, err = load(ctx, tx, id); err != nil {
			return err
		}
		if j.UndoneBy != "" && !j.Status.Finished() || j.UndoneBy != "" && j.Status == Failed {
			return catalog.Errorf(catalog.Conflict, "job %s was undone by job %s; it cannot run again", j.ID, j.UndoneBy)
		}
		switch j.Status {
		case Succeeded, Cancelled, TimedOut:
			return nil
		case Executing, Cancelling:
			if j.Owner != "" && ownerAlive(j.Owner, j.Heartbeat, tx.Now) {
				return &catalog.Error{Code: catalog.Conflict, Message: fmt.Sprintf("job %s is running in another process (%s); wait for it or cancel it", j.ID, j.Owner), Err: ErrOwned}
			}
			if j.Owner != "" {
				err = addMessage(ctx, tx, j, Warning, "Resumed after the process running it (%s) stopped, at %d of %d items", j.Owner, j.Done, j.Total)
			} else {
				err = addMessage(ctx, tx, j, Informative, "Resumed after an interruption, at %d of %d items", j.Done, j.Total)
			}
			if err != nil {
				return err
			}
		case Failed:
			if j.Task != TaskDeleteImage {
				return nil // its work commits with its end: nothing to finish
			}
			if err := addMessage(ctx, tx, j, Informative, "Retrying after failure, at %d of %d items", j.Done, j.Total); err != nil {
				return err
			}
		case New, Submitted, Waiting:
		default:
			return catalog.Errorf(catalog.Internal, "job %s has unknown status %s", j.ID, j.Status)
		}
		if j.Status != Cancelling {
			j.Status = Executing
		}
		j.Owner = self.String()
		j.Heartbeat = tx.Now
		if j.Started.IsZero() {
			j.Started = tx.Now
		}
		j.Finished = time.Time{}
		return update(ctx, tx, j)
	})
	return j, err
}

// release gives up ownership of an interrupted job, so that the next
// `jobs resume` needs not wait for the heartbeat to go stale.
func (m *Manager) release(ctx context.Context, j *Job) {
	m.cat.Update(ctx, func(tx *catalog.Tx) error { return disown(ctx, tx, j.Seq, self.String()) })
}

// heartbeat records every HeartbeatEvery that this process still runs the job.
func (m *Manager) heartbeat(ctx context.Context, seq int64) {
	t := time.NewTicker(HeartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.cat.Update(ctx, func(tx *catalog.Tx) error { return beat(ctx, tx, seq, self.String()) })
		}
	}
}

// fail records that job j failed with err. What a DeleteImage removed
// stays removed and undoable; `jobs resume` retries it.
func (m *Manager) fail(ctx context.Context, j *Job, cause error) error {
	return m.cat.Update(ctx, func(tx *catalog.Tx) error {
		cur, err := load(ctx, tx, j.ID)
		if err != nil {
			return err
		}
		*j = *cur
		j.Status = Failed
		j.Owner = ""
		j.Finished = tx.Now
		if j.Task == TaskDeleteImage {
			err = addMessage(ctx, tx, j, ErrorType, "Failed after removing %d of %d items: %v", j.Done, j.Total, cause)
		} else {
			err = addMessage(ctx, tx, j, ErrorType, "Failed: %v", cause)
		}
		if err != nil {
			return err
		}
		return update(ctx, tx, j)
	})
}

// reload reads job j again inside tx, checking that this process still
// owns it, and reports whether a cancel was asked for.
func reload(ctx context.Context, tx *catalog.Tx, j *Job) (cancel bool, err error) {
	cur, err := load(ctx, tx, j.ID)
	if err != nil {
		return false, err
	}
	if cur.Owner != self.String() {
		return false, catalog.Errorf(catalog.Conflict, "job %s was taken over by %s", j.ID, cur.Owner)
	}
	*j = *cur
	return j.CancelRequested || j.Status == Cancelling, nil
}

// finish records the end of job j inside tx: its status, result and
// messages. A cancel asked for once the work was done does not undo it:
// the job succeeds, with a warning saying the cancel came too late.
func finish(ctx context.Context, tx *catalog.Tx, j *Job, status Status, result json.RawMessage, msgs ...Message) error {
	if status == Succeeded && (j.CancelRequested || j.Status == Cancelling) {
		msgs = append(msgs, Message{Type: Warning, Description: "The cancel request came after the work was done: the job finished"})
		j.CancelRequested = false
	}
	j.Status, j.Result, j.Owner, j.Finished = status, result, "", tx.Now
	for _, msg := range msgs {
		if err := addMessage(ctx, tx, j, msg.Type, "%s", msg.Description); err != nil {
			return err
		}
	}
	return update(ctx, tx, j)
}

// nextBatchSize adapts the batch size so that a batch takes about target:
// big enough to be fast, small enough to honour cancel promptly.
func nextBatchSize(size int, took, target time.Duration) int {
	const minBatch, maxBatch = 256, 200_000
	switch {
	case took < target/2:
		size *= 2
	case took > target*2:
		size /= 2
	}
	return max(minBatch, min(maxBatch, size))
}

// runDeleteImage deletes the job's snapshot in batches from its cursor on,
// then finishes it.
func (m *Manager) runDeleteImage(ctx context.Context, j *Job) error {
	size := m.BatchSize
	if size <= 0 {
		size = 5000
	}
	target := m.BatchTarget
	if target <= 0 {
		target = 500 * time.Millisecond
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		var exhausted, cancel bool
		err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
			var err error
			if cancel, err = reload(ctx, tx, j); err != nil || cancel {
				return err
			}
			coll, err := tx.CollectionByID(ctx, j.CollectionID)
			if err != nil {
				return err
			}
			last, removed, err := tx.RemoveBatch(ctx, coll, j.UndoTable, j.Cursor, size)
			if err != nil {
				return err
			}
			if last == j.Cursor {
				exhausted = true
				return nil
			}
			j.Cursor, j.Done, j.Heartbeat = last, j.Done+removed, tx.Now
			return update(ctx, tx, j)
		})
		if err != nil {
			return err
		}
		if cancel || exhausted {
			return m.finishDeleteImage(ctx, j, cancel)
		}
		if m.Progress != nil {
			m.Progress(j)
		}
		if m.OnBatch != nil {
			if err := m.OnBatch(j); err != nil {
				return fmt.Errorf("%w: %v", errStop, err)
			}
		}
		if m.BatchTarget >= 0 {
			size = nextBatchSize(size, time.Since(start), target)
		}
	}
}

// finishDeleteImage recomputes the boundary, marks overviews stale and
// stores the result, in one transaction: esriJobSucceeded, or
// esriJobCancelled when cancelled before its last batch.
func (m *Manager) finishDeleteImage(ctx context.Context, j *Job, cancelled bool) error {
	return m.cat.Update(ctx, func(tx *catalog.Tx) error {
		cur, err := load(ctx, tx, j.ID)
		if err != nil {
			return err
		}
		*j = *cur
		coll, err := tx.CollectionByID(ctx, j.CollectionID)
		if err != nil {
			return err
		}
		var stale []int64
		if j.Done > 0 {
			if j.inputBool("updateBoundary", true) {
				if err := tx.UpdateBoundary(ctx, coll); err != nil {
					return err
				}
			}
			// Through the partial index on overviews: free when there are none.
			if j.inputBool("markOverviews", true) {
				if stale, err = tx.MarkOverviewsStale(ctx, coll, j.UndoTable, j.Cursor); err != nil {
					return err
				}
			}
		}
		if len(stale) > 0 {
			j.UndoInfo = catalog.JSON(map[string]any{"staleMarked": stale})
		}
		var msgs []Message
		if len(stale) > 0 {
			msgs = append(msgs, Info(fmt.Sprintf("Marked %d overview(s) stale: %v", len(stale), stale)))
		}
		if cancelled && j.Done < j.Total {
			msgs = append([]Message{Info(fmt.Sprintf("Cancelled after deleting %d of %d items from %s", j.Done, j.Total, coll.Name))}, msgs...)
			return finish(ctx, tx, j, Cancelled, nil, msgs...)
		}
		msgs = append([]Message{Info(fmt.Sprintf("Deleted %d of %d items from %s", j.Done, j.Total, coll.Name))}, msgs...)
		return finish(ctx, tx, j, Succeeded, resultURL(coll.URL), msgs...)
	})
}

// Info makes an informative job message.
func Info(description string) Message { return Message{Type: Informative, Description: description} }

// Warn makes a warning job message.
func Warn(description string) Message { return Message{Type: Warning, Description: description} }
