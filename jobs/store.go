package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mosaic/catalog"
)

// This file holds every statement on the jobs and job_messages tables (see
// catalog/migrations): the rest of the package works on Job values.

// openStatuses are the statuses of a job that may still change its
// collection: queued or running. A failed DeleteImage is open too: `jobs
// resume` retries it (a failed task of another kind changed nothing and
// never runs again).
var openStatuses = []Status{New, Submitted, Waiting, Executing, Cancelling}

// orphanStatuses are the statuses of a job that a process may be running
// or should run: Orphans checks which of them no live process owns.
var orphanStatuses = []Status{Submitted, Waiting, Executing, Cancelling}

// statusIn renders "status IN (?, …)" with its arguments.
func statusIn(statuses []Status) (string, []any) {
	args := make([]any, len(statuses))
	for i, s := range statuses {
		args[i] = string(s)
	}
	return "status IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ") + ")", args
}

const jobColumns = `seq, id, task, status, collection_id, collection_name, inputs, undo_table, undo_info, total, done, cursor,
	result, owner, heartbeat, cancel_requested, undone_by, submitted, started, finished,
	coalesce(high_oid, 0), coalesce(clause, ''), coalesce(strategy, ''), estimated, purged`

// load reads job id inside tx.
func load(ctx context.Context, tx *catalog.Tx, id string) (*Job, error) {
	if !ValidJobID(id) {
		return nil, catalog.Errorf(catalog.Invalid, "%q is not a job id (expected j followed by 32 hexadecimal digits)", id)
	}
	jobs, err := scan(ctx, tx, "WHERE id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, catalog.Errorf(catalog.NotFound, "job %s not found", id)
	}
	return jobs[0], nil
}

// list reads the jobs that opts selects, newest first.
func list(ctx context.Context, tx *catalog.Tx, opts ListOptions) ([]*Job, error) {
	cond := "WHERE 1"
	var args []any
	if opts.Collection != "" {
		cond += " AND collection_name = ? COLLATE NOCASE"
		args = append(args, opts.Collection)
	}
	if len(opts.Statuses) > 0 {
		in, inArgs := statusIn(opts.Statuses)
		cond += " AND " + in
		args = append(args, inArgs...)
	}
	cond += " ORDER BY seq DESC"
	if opts.Limit > 0 {
		cond += " LIMIT " + strconv.Itoa(opts.Limit)
	}
	return scan(ctx, tx, cond, args...)
}

// openJobs reads the open jobs (see openStatuses) on a collection that
// were not undone, oldest first; task "" means any task.
func openJobs(ctx context.Context, tx *catalog.Tx, collID int64, task string) ([]*Job, error) {
	in, args := statusIn(openStatuses)
	cond := "WHERE collection_id = ? AND undone_by IS NULL AND (" + in + " OR (status = ? AND task = ?))"
	args = append(append([]any{collID}, args...), Failed, TaskDeleteImage)
	if task != "" {
		cond += " AND task = ?"
		args = append(args, task)
	}
	return scan(ctx, tx, cond+" ORDER BY seq", args...)
}

// standingDeletes reads the DeleteImage jobs on a collection, other than
// job seq, whose removals stand: they removed items and were not undone.
func standingDeletes(ctx context.Context, tx *catalog.Tx, collID, seq int64) ([]*Job, error) {
	return scan(ctx, tx, "WHERE collection_id = ? AND task = ? AND seq <> ? AND undone_by IS NULL AND done > 0 AND undo_table IS NOT NULL",
		collID, TaskDeleteImage, seq)
}

// undoLog returns where job j keeps the rows it removed, nil if nowhere.
func (j *Job) undoLog() (*catalog.UndoLog, error) {
	if j.UndoTable == "" || j.Strategy == "" || !j.Purged.IsZero() || j.Strategy == catalog.UndoSwap && j.Cursor < j.HighOID {
		return nil, nil // nothing removed yet: a swap removes all at once
	}
	l := &catalog.UndoLog{Table: j.UndoTable, Kind: j.Strategy, UpTo: j.Cursor}
	if j.Strategy == catalog.UndoSwap {
		clause, err := catalog.DecodeClause(j.Clause)
		if err != nil {
			return nil, err
		}
		l.Clause, l.UpTo = clause, j.HighOID
	}
	return l, nil
}

func scan(ctx context.Context, tx *catalog.Tx, cond string, args ...any) ([]*Job, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+jobColumns+" FROM jobs "+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	var jobs []*Job
	for rows.Next() {
		var j Job
		var collID sql.NullInt64
		var inputs string
		var undoTable, undoInfo, result, owner, heartbeat, undoneBy, started, finished, purged sql.NullString
		var submitted string
		if err := rows.Scan(&j.Seq, &j.ID, &j.Task, &j.Status, &collID, &j.CollectionName, &inputs, &undoTable, &undoInfo,
			&j.Total, &j.Done, &j.Cursor, &result, &owner, &heartbeat, &j.CancelRequested, &undoneBy, &submitted, &started, &finished,
			&j.HighOID, &j.Clause, &j.Strategy, &j.Estimated, &purged); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read jobs: %w", err)
		}
		j.CollectionID = collID.Int64
		if err := json.Unmarshal([]byte(inputs), &j.Inputs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("job %s inputs: %w", j.ID, err)
		}
		j.UndoTable = undoTable.String
		if undoInfo.Valid {
			j.UndoInfo = []byte(undoInfo.String)
		}
		if result.Valid {
			j.Result = json.RawMessage(result.String)
		}
		j.Owner = owner.String
		j.UndoneBy = undoneBy.String
		j.Heartbeat = parseTime(heartbeat.String)
		j.Submitted = parseTime(submitted)
		j.Started = parseTime(started.String)
		j.Finished = parseTime(finished.String)
		j.Purged = parseTime(purged.String)
		jobs = append(jobs, &j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	for _, j := range jobs {
		if j.Messages, err = messages(ctx, tx, j.Seq); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(catalog.DateLayout, s)
	return t
}

func messages(ctx context.Context, tx *catalog.Tx, seq int64) ([]Message, error) {
	rows, err := tx.QueryContext(ctx, "SELECT type, description FROM job_messages WHERE job_seq = ? ORDER BY n", seq)
	if err != nil {
		return nil, fmt.Errorf("read job messages: %w", err)
	}
	defer rows.Close()
	msgs := []Message{}
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.Type, &m.Description); err != nil {
			return nil, fmt.Errorf("read job messages: %w", err)
		}
		msgs = append(msgs, m)
	}
	return msgs, rows.Err()
}

// addMessage appends a message to job j inside tx.
func addMessage(ctx context.Context, tx *catalog.Tx, j *Job, typ, format string, args ...any) error {
	m := Message{Type: typ, Description: fmt.Sprintf(format, args...)}
	_, err := tx.ExecContext(ctx, "INSERT INTO job_messages (job_seq, n, type, description) VALUES (?, (SELECT count(*) FROM job_messages WHERE job_seq = ?), ?, ?)",
		j.Seq, j.Seq, m.Type, m.Description)
	if err != nil {
		return fmt.Errorf("add job message: %w", err)
	}
	j.Messages = append(j.Messages, m)
	return nil
}

// insert creates job j inside tx (status, task, collection and inputs set
// by the caller) and fills in its id, seq and submission time.
func insert(ctx context.Context, tx *catalog.Tx, j *Job) error {
	id, err := newJobID()
	if err != nil {
		return err
	}
	j.ID, j.Submitted = id, tx.Now
	res, err := tx.ExecContext(ctx, `INSERT INTO jobs (id, task, status, collection_id, collection_name, inputs, submitted) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.Task, j.Status, j.CollectionID, j.CollectionName, string(catalog.JSON(j.Inputs)), catalog.Timestamp(tx.Now))
	if err != nil {
		return fmt.Errorf("create job: %w", err)
	}
	if j.Seq, err = res.LastInsertId(); err != nil {
		return err
	}
	j.Messages = []Message{}
	return nil
}

// update writes a job's mutable state inside tx.
func update(ctx context.Context, tx *catalog.Tx, j *Job) error {
	var undoInfo, result any
	if j.UndoInfo != nil {
		undoInfo = string(j.UndoInfo)
	}
	if j.Result != nil {
		result = string(j.Result)
	}
	_, err := tx.ExecContext(ctx, `UPDATE jobs SET status = ?, collection_id = ?, collection_name = ?, undo_table = ?, undo_info = ?, total = ?, done = ?, cursor = ?, result = ?,
		owner = ?, heartbeat = ?, cancel_requested = ?, undone_by = ?, started = ?, finished = ?,
		high_oid = ?, clause = ?, strategy = ?, estimated = ?, purged = ? WHERE seq = ?`,
		j.Status, j.CollectionID, j.CollectionName, nullString(j.UndoTable), undoInfo, j.Total, j.Done, j.Cursor, result,
		nullString(j.Owner), nullTime(j.Heartbeat), j.CancelRequested, nullString(j.UndoneBy), nullTime(j.Started), nullTime(j.Finished),
		j.HighOID, nullString(j.Clause), nullString(string(j.Strategy)), j.Estimated, nullTime(j.Purged), j.Seq)
	if err != nil {
		return fmt.Errorf("update job %s: %w", j.ID, err)
	}
	return nil
}

// poll reads, inside tx, what others may have changed while this process
// runs job j (its status, owner and cancel request), checks that this
// process still owns it, and reports whether a cancel was asked for: the
// cheap reload of a job's batches.
func poll(ctx context.Context, tx *catalog.Tx, j *Job) (cancel bool, err error) {
	var status Status
	var owner sql.NullString
	var cancelRequested bool
	if err := tx.QueryRowContext(ctx, "SELECT status, owner, cancel_requested FROM jobs WHERE seq = ?", j.Seq).Scan(&status, &owner, &cancelRequested); err != nil {
		return false, fmt.Errorf("read job %s: %w", j.ID, err)
	}
	if owner.String != self.String() {
		return false, catalog.Errorf(catalog.Conflict, "job %s was taken over by %s", j.ID, owner.String)
	}
	j.Status, j.CancelRequested = status, cancelRequested
	return cancelRequested || status == Cancelling, nil
}

// saveBatch writes, inside tx, the progress of a running delete: what a
// batch changes.
func saveBatch(ctx context.Context, tx *catalog.Tx, j *Job) error {
	_, err := tx.ExecContext(ctx, "UPDATE jobs SET total = ?, done = ?, cursor = ?, estimated = ?, heartbeat = ? WHERE seq = ?",
		j.Total, j.Done, j.Cursor, j.Estimated, nullTime(j.Heartbeat), j.Seq)
	if err != nil {
		return fmt.Errorf("update job %s: %w", j.ID, err)
	}
	return nil
}

// markWaiting sets job id to esriJobWaiting if it is still submitted.
func markWaiting(ctx context.Context, tx *catalog.Tx, id string) error {
	_, err := tx.ExecContext(ctx, "UPDATE jobs SET status = ? WHERE id = ? AND status = ?", Waiting, id, Submitted)
	return err
}

// disown clears the owner of job seq if it is owner.
func disown(ctx context.Context, tx *catalog.Tx, seq int64, owner string) error {
	_, err := tx.ExecContext(ctx, "UPDATE jobs SET owner = NULL WHERE seq = ? AND owner = ?", seq, owner)
	return err
}

// beat records the heartbeat of job seq if owner still runs it.
func beat(ctx context.Context, tx *catalog.Tx, seq int64, owner string) error {
	_, err := tx.ExecContext(ctx, "UPDATE jobs SET heartbeat = ? WHERE seq = ? AND owner = ?", catalog.Timestamp(tx.Now), seq, owner)
	return err
}

// undoTableName is the undo table of the job with sequence number seq.
func undoTableName(seq int64) string { return "undo_" + strconv.FormatInt(seq, 10) }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return catalog.Timestamp(t)
}
