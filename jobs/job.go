package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"mosaic/catalog"
)

// Status is an ArcGIS job status.
type Status string

// The ArcGIS job statuses.
const (
	New        Status = "esriJobNew"
	Submitted  Status = "esriJobSubmitted"
	Waiting    Status = "esriJobWaiting"
	Executing  Status = "esriJobExecuting"
	Succeeded  Status = "esriJobSucceeded"
	Failed     Status = "esriJobFailed"
	TimedOut   Status = "esriJobTimedOut"
	Cancelling Status = "esriJobCancelling"
	Cancelled  Status = "esriJobCancelled"
)

// Finished reports whether a job in status s will not change any more
// (except by undo).
func (s Status) Finished() bool {
	return s == Succeeded || s == Failed || s == TimedOut || s == Cancelled
}

// Message types, as ArcGIS names them.
const (
	Informative = "esriJobMessageTypeInformative"
	Warning     = "esriJobMessageTypeWarning"
	ErrorType   = "esriJobMessageTypeError"
)

// Tasks.
const (
	TaskDeleteImage           = "DeleteImage"
	TaskDeleteImageCollection = "DeleteImageCollection"
	TaskUndo                  = "UndoJob"
)

// Message is a job message.
type Message struct {
	Type        string `json:"type"`
	Description string `json:"description"`
}

// Job is a job as stored in the catalog.
type Job struct {
	Seq             int64
	ID              string
	Task            string
	Status          Status
	CollectionID    int64
	CollectionName  string
	Inputs          map[string]json.RawMessage
	UndoTable       string
	UndoInfo        []byte
	Total           int64 // items in the snapshot
	Done            int64 // items removed (or restored) so far
	Cursor          int64 // highest snapshot OBJECTID processed
	Result          json.RawMessage
	Owner           string
	Heartbeat       time.Time
	CancelRequested bool
	UndoneBy        string
	Submitted       time.Time
	Started         time.Time
	Finished        time.Time
	Messages        []Message
}

// Input returns the string value of an input parameter ("" if absent or not
// a string).
func (j *Job) Input(name string) string {
	var s string
	json.Unmarshal(j.Inputs[name], &s)
	return s
}

// inputBool returns a boolean input, def when absent.
func (j *Job) inputBool(name string, def bool) bool {
	raw, ok := j.Inputs[name]
	if !ok {
		return def
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		return def
	}
	return b
}

func newJobID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new job id: %w", err)
	}
	return "j" + hex.EncodeToString(b[:]), nil
}

// ValidJobID reports whether s has the form of a job id: j + 32 lowercase hex.
func ValidJobID(s string) bool {
	if len(s) != 33 || s[0] != 'j' {
		return false
	}
	for _, c := range s[1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

const jobColumns = `seq, id, task, status, collection_id, collection_name, inputs, undo_table, undo_info, total, done, cursor,
	result, owner, heartbeat, cancel_requested, undone_by, submitted, started, finished`

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
		var undoTable, undoInfo, result, owner, heartbeat, undoneBy, started, finished sql.NullString
		var submitted string
		if err := rows.Scan(&j.Seq, &j.ID, &j.Task, &j.Status, &collID, &j.CollectionName, &inputs, &undoTable, &undoInfo,
			&j.Total, &j.Done, &j.Cursor, &result, &owner, &heartbeat, &j.CancelRequested, &undoneBy, &submitted, &started, &finished); err != nil {
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
			return nil, err
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
	inputs, err := json.Marshal(j.Inputs)
	if err != nil {
		return err
	}
	j.ID, j.Submitted = id, tx.Now
	res, err := tx.ExecContext(ctx, `INSERT INTO jobs (id, task, status, collection_id, collection_name, inputs, submitted) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.Task, j.Status, j.CollectionID, j.CollectionName, string(inputs), catalog.Timestamp(tx.Now))
	if err != nil {
		return fmt.Errorf("create job: %w", err)
	}
	if j.Seq, err = res.LastInsertId(); err != nil {
		return err
	}
	j.Messages = []Message{}
	return nil
}

// undoTableName is the undo table of the job with sequence number seq.
func undoTableName(seq int64) string { return "undo_" + strconv.FormatInt(seq, 10) }

// update writes a job's mutable state inside tx.
func update(ctx context.Context, tx *catalog.Tx, j *Job) error {
	var undoInfo, result any
	if j.UndoInfo != nil {
		undoInfo = string(j.UndoInfo)
	}
	if j.Result != nil {
		result = string(j.Result)
	}
	_, err := tx.ExecContext(ctx, `UPDATE jobs SET status = ?, undo_table = ?, undo_info = ?, total = ?, done = ?, cursor = ?, result = ?,
		owner = ?, heartbeat = ?, cancel_requested = ?, undone_by = ?, started = ?, finished = ? WHERE seq = ?`,
		j.Status, nullString(j.UndoTable), undoInfo, j.Total, j.Done, j.Cursor, result,
		nullString(j.Owner), nullTime(j.Heartbeat), j.CancelRequested, nullString(j.UndoneBy), nullTime(j.Started), nullTime(j.Finished), j.Seq)
	if err != nil {
		return fmt.Errorf("update job %s: %w", j.ID, err)
	}
	return nil
}

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

var errStop = errors.New("stop")
