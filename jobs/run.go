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

// errCancelRequested is the cause with which Cancel interrupts a job that
// this process runs (see local).
var errCancelRequested = errors.New("cancel requested")

// local holds the jobs this process runs, so that Cancel can interrupt one
// at once, even in the middle of a transaction (which then rolls back),
// instead of waiting for its next batch. It is keyed by catalog, since
// several Managers (the server's and the caller's) may share one.
var local = struct {
	sync.Mutex
	runs map[localKey]context.CancelCauseFunc
}{runs: map[localKey]context.CancelCauseFunc{}}

type localKey struct {
	cat *catalog.Catalog
	id  string
}

// interruptLocal interrupts job id if this process runs it, and reports
// whether it did.
func interruptLocal(cat *catalog.Catalog, id string) bool {
	local.Lock()
	defer local.Unlock()
	cancel, ok := local.runs[localKey{cat, id}]
	if ok {
		cancel(errCancelRequested)
	}
	return ok
}

// Run runs job id, of any task, to its end: a submitted job starts, a job
// whose owner died (kill -9, power loss) or that failed resumes where its
// last batch committed (an AddImage or CreateImageCollection, whose work
// commits with its end, runs again from the start), a job being cancelled
// finishes cancelling. A job that a live process runs is refused (ErrOwned,
// code Conflict); a finished job is returned as it is. Cancelling ctx stops
// the job between batches, leaving it resumable. When it ends, the
// catalog's retention setting is applied (see ApplyRetention).
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
	runCtx, interrupt := context.WithCancelCause(ctx)
	key := localKey{m.cat, j.ID}
	local.Lock()
	local.runs[key] = interrupt
	local.Unlock()
	defer func() {
		local.Lock()
		delete(local.runs, key)
		local.Unlock()
		interrupt(nil)
	}()

	var runErr error
	switch j.Task {
	case TaskDeleteImage:
		runErr = m.runDeleteImage(runCtx, j)
	case TaskAddImage:
		runErr = m.runAddImage(runCtx, j)
	case TaskCreateImageCollection:
		runErr = m.runCreateImageCollection(runCtx, j)
	default:
		runErr = catalog.Errorf(catalog.Internal, "job %s: task %s cannot be run", j.ID, j.Task)
	}
	if runErr != nil && errors.Is(context.Cause(runCtx), errCancelRequested) && ctx.Err() == nil {
		// Cancel interrupted it: what committed stays; finish it cancelled.
		runErr = m.finishCancelled(context.Background(), j)
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
	}
	m.retain(ctx)
	return j, nil
}

// finishCancelled finishes job j, which Cancel interrupted in this
// process, as cancelled: a DeleteImage with what it removed so far.
func (m *Manager) finishCancelled(ctx context.Context, j *Job) error {
	switch j.Task {
	case TaskDeleteImage:
		return m.finishDeleteImage(ctx, j, true)
	case TaskAddImage:
		return m.cat.Update(ctx, func(tx *catalog.Tx) error {
			read, total := j.Done, j.Total
			if _, err := reload(ctx, tx, j); err != nil {
				return err
			}
			j.CancelRequested = true
			return finish(ctx, tx, j, Cancelled, nil, Info(fmt.Sprintf("Cancelled after reading %d of %d rasters: nothing was added to %s", read, total, j.CollectionName)))
		})
	}
	return m.cat.Update(ctx, func(tx *catalog.Tx) error {
		if _, err := reload(ctx, tx, j); err != nil {
			return err
		}
		j.CancelRequested = true
		return finish(ctx, tx, j, Cancelled, nil, Info(cancelledBeforeRun(j.Task)))
	})
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
				err = addMessage(ctx, tx, j, Warning, "Resumed after the process running it (%s) stopped, at %s", j.Owner, j.at())
			} else {
				err = addMessage(ctx, tx, j, Informative, "Resumed after an interruption, at %s", j.at())
			}
			if err != nil {
				return err
			}
		case Failed:
			if j.Task != TaskDeleteImage {
				return nil // its work commits with its end: nothing to finish
			}
			if err := addMessage(ctx, tx, j, Informative, "Retrying after failure, at %s", j.at()); err != nil {
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

// at says how far a job got, for the messages of a resumed job.
func (j *Job) at() string {
	if j.Task == TaskDeleteImage {
		return fmt.Sprintf("%d items removed, OBJECTID %d of %d", j.Done, j.Cursor, j.HighOID)
	}
	return fmt.Sprintf("%d of %d items", j.Done, j.Total)
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
			err = addMessage(ctx, tx, j, ErrorType, "Failed after removing %d items: %v", j.Done, cause)
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

// Info makes an informative job message.
func Info(description string) Message { return Message{Type: Informative, Description: description} }

// Warn makes a warning job message.
func Warn(description string) Message { return Message{Type: Warning, Description: description} }
