package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"mosaic/catalog"
)

// Tasks run through SubmitTask and RunTask: short catalog operations whose
// work happens in one call (AddImage, CreateImageCollection), recorded as
// jobs so that REST clients can submit and poll them like DeleteImage.
const (
	TaskAddImage              = "AddImage"
	TaskCreateImageCollection = "CreateImageCollection"
)

// TaskFunc does the work of a job submitted with SubmitTask. It returns the
// value of the job's result parameter (as ParamValue renders it) and
// messages. An error fails the job.
type TaskFunc func(ctx context.Context, j *Job) (result json.RawMessage, messages []Message, err error)

// Info and Warn make job messages for TaskFuncs.
func Info(description string) Message { return Message{Type: Informative, Description: description} }

// Warn makes a warning message.
func Warn(description string) Message { return Message{Type: Warning, Description: description} }

// SubmitTask records a job of task with its inputs, esriJobSubmitted, for
// RunTask to run. collection names the collection it works on ("" if none
// yet, as for CreateImageCollection).
func (m *Manager) SubmitTask(ctx context.Context, task string, collection *catalog.Collection, inputs map[string]any) (*Job, error) {
	j := &Job{Task: task, Status: Submitted, Inputs: map[string]json.RawMessage{}}
	for k, v := range inputs {
		j.Inputs[k] = jsonValue(v)
	}
	if collection != nil {
		j.CollectionID, j.CollectionName = collection.ID, collection.Name
	}
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error { return insert(ctx, tx, j) })
	if err != nil {
		return nil, err
	}
	return j, nil
}

// RunTask runs a job submitted with SubmitTask: it takes ownership, calls
// fn, and records the result (esriJobSucceeded) or the error
// (esriJobFailed). A job that was cancelled before it started is not run.
// A job whose process stopped while fn ran is not run again, since its work
// may have committed: it fails with a message saying so.
func (m *Manager) RunTask(ctx context.Context, id string, fn TaskFunc) (*Job, error) {
	j, before, err := m.acquire(ctx, id)
	if err != nil || j.Status.Finished() {
		return j, err
	}
	var result json.RawMessage
	var msgs []Message
	var runErr error
	switch {
	case j.CancelRequested:
		return m.finishTask(j, Cancelled, nil, []Message{Info("Cancelled before it ran")})
	case before == Executing || before == Cancelling:
		// Taken over from a process that stopped while running it.
		runErr = fmt.Errorf("%s was interrupted while it ran; what it did before may or may not have been saved: check %s before submitting it again", j.Task, orNone(j.CollectionName))
	default:
		result, msgs, runErr = fn(ctx, j)
	}
	if runErr != nil && (ctx.Err() != nil) {
		m.release(context.Background(), j)
		return j, runErr
	}
	if runErr != nil {
		return m.finishTask(j, Failed, nil, append(msgs, Message{Type: ErrorType, Description: runErr.Error()}))
	}
	return m.finishTask(j, Succeeded, result, msgs)
}

// finishTask records the end of a task job.
func (m *Manager) finishTask(j *Job, status Status, result json.RawMessage, msgs []Message) (*Job, error) {
	ctx := context.Background()
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		cur, err := load(ctx, tx, j.ID)
		if err != nil {
			return err
		}
		*j = *cur
		j.Owner, j.Finished, j.Status, j.Result = "", tx.Now, status, result
		for _, msg := range msgs {
			if err := addMessage(ctx, tx, j, msg.Type, "%s", msg.Description); err != nil {
				return err
			}
		}
		return update(ctx, tx, j)
	})
	return j, err
}

func orNone(s string) string {
	if s == "" {
		return "the catalog"
	}
	return s
}

// ParamValue renders a parameter value as ArcGIS gives it, for TaskFuncs.
func ParamValue(name, dataType string, value any) json.RawMessage {
	return paramValue(name, dataType, value)
}

// MarkWaiting sets a submitted job to esriJobWaiting: queued behind another
// job on its collection.
func (m *Manager) MarkWaiting(ctx context.Context, id string) error {
	return m.cat.Update(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE jobs SET status = ? WHERE id = ? AND status = ?", Waiting, id, Submitted)
		return err
	})
}
