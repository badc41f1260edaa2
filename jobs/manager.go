package jobs

import (
	"context"
	"io"
	"strings"
	"time"

	"mosaic/catalog"
)

// Manager submits, runs and inspects jobs of one catalog.
type Manager struct {
	cat *catalog.Catalog
	// BatchSize is the first batch of a delete that removes row by row, in
	// OBJECTIDs: the batch looks at the items in the next BatchSize
	// OBJECTIDs. It then adapts so that a batch takes about BatchTarget. A
	// negative BatchTarget keeps the size fixed (tests use it to get many
	// batches). Zero means the defaults.
	BatchSize   int
	BatchTarget time.Duration
	// Strategy forces how a DeleteImage removes: catalog.UndoRows (in
	// batches) or catalog.UndoSwap (at once). "" chooses by the share of
	// items that match (see chooseStrategy).
	Strategy catalog.UndoKind
	// Notify, if not nil, is told what the retention setting purged, and
	// when it could not (see ApplyRetention).
	Notify func(msg string)
	// Progress, if not nil, is called as a running job advances: after each
	// batch of a delete (a swap is one batch), after each raster an
	// AddImage reads.
	Progress func(j *Job)
	// OnBatch, if not nil, is called after each committed batch of a
	// delete and after each raster an AddImage reads; an error stops the
	// job there, resumable (the server stops jobs this way at shutdown;
	// tests, at chosen points).
	OnBatch func(j *Job) error
	// Skipped, if not nil, is told of each source an AddImage skips, with
	// the reason (the command line lists them).
	Skipped func(path, reason string)
	// Stdin is the manifest of an AddImage whose manifest input is "-".
	// Only the process that submitted such a job can run it.
	Stdin io.Reader
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
		var err error
		jobs, err = list(ctx, tx, opts)
		return err
	})
	return jobs, err
}

// Orphans returns the unfinished jobs that no live process runs: submitted
// or waiting jobs nobody picked up, and executing or cancelling jobs whose
// owner died, oldest first. `mosaic serve` resumes them at start.
func (m *Manager) Orphans(ctx context.Context) ([]*Job, error) {
	jobs, err := m.List(ctx, ListOptions{Statuses: orphanStatuses})
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

// MarkWaiting sets a submitted job to esriJobWaiting: queued behind another
// job on its collection.
func (m *Manager) MarkWaiting(ctx context.Context, id string) error {
	return m.cat.Update(ctx, func(tx *catalog.Tx) error { return markWaiting(ctx, tx, id) })
}
