package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"mosaic/catalog"
)

// Manager submits, runs and inspects jobs of one catalog.
type Manager struct {
	cat *catalog.Catalog
	// BatchSize is the first batch size of a delete; it then adapts so that
	// a batch takes about BatchTarget. Zero means the defaults.
	BatchSize   int
	BatchTarget time.Duration
	// Progress, if not nil, is called after each batch of a running job.
	Progress func(j *Job)
	// OnBatch, if not nil, is called after each committed batch; tests use
	// it to stop a job at a chosen point.
	OnBatch func(j *Job) error
}

// NewManager returns a Manager for cat.
func NewManager(cat *catalog.Catalog) *Manager { return &Manager{cat: cat} }

// Catalog returns the manager's catalog.
func (m *Manager) Catalog() *catalog.Catalog { return m.cat }

// Get returns job id.
func (m *Manager) Get(ctx context.Context, id string) (*Job, error) {
	var j *Job
	err := m.cat.View(ctx, func(tx *catalog.Tx) error {
		var err error
		j, err = load(ctx, tx, strings.TrimSpace(id))
		return err
	})
	return j, err
}

// ListOptions filter List.
type ListOptions struct {
	Collection string   // collection name, case-insensitive; "" for all
	Statuses   []Status // nil for all
	Limit      int      // 0 for all
}

// List returns jobs, newest first.
func (m *Manager) List(ctx context.Context, opts ListOptions) ([]*Job, error) {
	var jobs []*Job
	err := m.cat.View(ctx, func(tx *catalog.Tx) error {
		cond := "WHERE 1"
		var args []any
		if opts.Collection != "" {
			cond += " AND collection_name = ? COLLATE NOCASE"
			args = append(args, opts.Collection)
		}
		if len(opts.Statuses) > 0 {
			cond += " AND status IN (" + strings.TrimSuffix(strings.Repeat("?,", len(opts.Statuses)), ",") + ")"
			for _, s := range opts.Statuses {
				args = append(args, string(s))
			}
		}
		cond += " ORDER BY seq DESC"
		if opts.Limit > 0 {
			cond += fmt.Sprintf(" LIMIT %d", opts.Limit)
		}
		var err error
		jobs, err = scan(ctx, tx, cond, args...)
		return err
	})
	return jobs, err
}

// Orphans returns the unfinished jobs that no live process runs: submitted
// or waiting jobs nobody picked up, and executing or cancelling jobs whose
// owner died. `mosaic serve` resumes them at start.
func (m *Manager) Orphans(ctx context.Context) ([]*Job, error) {
	jobs, err := m.List(ctx, ListOptions{Statuses: []Status{Submitted, Waiting, Executing, Cancelling}})
	if err != nil {
		return nil, err
	}
	now := m.cat.Now()
	var out []*Job
	for i := len(jobs) - 1; i >= 0; i-- { // oldest first
		j := jobs[i]
		if j.Owner == "" || !ownerAlive(j.Owner, j.Heartbeat, now) {
			out = append(out, j)
		}
	}
	return out, nil
}

// pendingUndoTables returns the undo tables of unfinished jobs on the
// collection, whose claimed items a new job must not claim again.
func pendingUndoTables(ctx context.Context, tx *catalog.Tx, collID int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT undo_table FROM jobs WHERE collection_id = ? AND undo_table IS NOT NULL
		AND status IN (?, ?, ?, ?, ?, ?) AND undone_by IS NULL AND task = ?`, collID, New, Submitted, Waiting, Executing, Cancelling, Failed, TaskDeleteImage)
	if err != nil {
		return nil, fmt.Errorf("read pending jobs: %w", err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	return tables, rows.Err()
}

// resultURL is the value of a result that points at a collection.
func resultURL(url string) json.RawMessage {
	return paramValue("result", "GPString", map[string]string{"url": url})
}

// paramValue is a parameter value as ArcGIS gives it:
// {"paramName":…,"dataType":…,"value":…}, in that order.
func paramValue(name, dataType string, value any) json.RawMessage {
	return jsonValue(struct {
		ParamName string `json:"paramName"`
		DataType  string `json:"dataType"`
		Value     any    `json:"value"`
	}{name, dataType, value})
}
