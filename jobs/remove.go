package jobs

import (
	"context"
	"fmt"
	"time"

	"mosaic/catalog"
	"mosaic/where"
)

// How a DeleteImage removes (see ARCHITECTURE.md, "Storage", for the
// measurements): when it starts, it counts (small collections) or
// estimates by sampling (large ones) the share of items its clause selects.
//   - Below swapAbove, it removes row by row (catalog.UndoRows): batches of
//     OBJECTID ranges, each one transaction that copies the range's
//     matching items to the undo table, deletes them and records the job's
//     cursor. It reports progress and honours cancel between batches.
//   - From swapAbove on, it swaps (catalog.UndoSwap): one transaction
//     copies the items that stay into a new item table, and the old one
//     becomes the undo table. Copying the rows that stay is cheaper than
//     deleting the others one by one and copying them as well, and leaves
//     a compact table; but it is one step, without progress, which holds
//     the write lock throughout, and a cancel from another process waits
//     for it (one from this process interrupts it).
//
// Measured at a million items, the two cost the same near 17%.
const swapAbove = 0.20

// Batches of a row-by-row removal: the first looks at defaultBatch
// OBJECTIDs, and the size then adapts so that a batch takes about
// defaultBatchTarget, between minBatch and maxBatch OBJECTIDs.
const (
	defaultBatch       = 10_000
	defaultBatchTarget = 200 * time.Millisecond
	minBatch           = 256
	maxBatch           = 1_000_000
)

// A long removal leaves the write lock free for yieldFor every yieldEvery,
// so that other processes' writes (a `jobs cancel`, an add-image) get in:
// they wait on SQLite's busy handler, which looks again only every 100 ms,
// and would otherwise miss the short gaps between batches. Writers in this
// process need no such gap: they queue (catalog.Catalog.Update).
const (
	yieldEvery = 2 * time.Second
	yieldFor   = 120 * time.Millisecond
)

// chooseStrategy picks how to remove, from the estimate.
func (m *Manager) chooseStrategy(est catalog.Estimate) catalog.UndoKind {
	switch {
	case m.Strategy != "":
		return m.Strategy
	case est.Matches > 0 && est.Fraction() >= swapAbove:
		return catalog.UndoSwap
	}
	return catalog.UndoRows
}

// runDeleteImage removes the job's items from its cursor on, then
// finishes it.
func (m *Manager) runDeleteImage(ctx context.Context, j *Job) error {
	if j.Strategy == "" {
		cancelled, err := m.startDeleteImage(ctx, j)
		if err != nil {
			return err
		}
		if cancelled {
			return m.finishDeleteImage(ctx, j, true)
		}
	}
	clause, err := catalog.DecodeClause(j.Clause)
	if err != nil {
		return err
	}
	var cancelled bool
	if j.Strategy == catalog.UndoSwap {
		cancelled, err = m.swap(ctx, j, clause)
	} else {
		cancelled, err = m.removeRows(ctx, j, clause)
	}
	if err != nil {
		return err
	}
	return m.finishDeleteImage(ctx, j, cancelled)
}

// startDeleteImage estimates how many items the job removes, chooses how,
// and records both, in one transaction. It reports whether the job was
// cancelled before.
func (m *Manager) startDeleteImage(ctx context.Context, j *Job) (cancelled bool, err error) {
	err = m.cat.Update(ctx, func(tx *catalog.Tx) error {
		if cancelled, err = reload(ctx, tx, j); err != nil || cancelled {
			return err
		}
		coll, err := tx.CollectionByID(ctx, j.CollectionID)
		if err != nil {
			return err
		}
		clause, err := catalog.DecodeClause(j.Clause)
		if err != nil {
			return err
		}
		est, err := tx.EstimateMatches(ctx, coll, clause, j.HighOID, uint64(j.Seq))
		if err != nil {
			return err
		}
		j.Strategy = m.chooseStrategy(est)
		if j.HighOID == 0 {
			j.Strategy = catalog.UndoRows
		}
		j.UndoTable = undoTableName(j.Seq)
		if j.Strategy == catalog.UndoRows {
			if err := tx.CreateUndoTable(ctx, coll, j.UndoTable); err != nil {
				return err
			}
		}
		j.Total, j.Estimated = est.Matches, !est.Exact
		about, how := "", "in batches"
		if j.Estimated {
			about = "about "
		}
		if j.Strategy == catalog.UndoSwap {
			how = "at once: the items that stay are copied into a new table"
		}
		pct := 0.0
		if est.Items > 0 {
			pct = 100 * est.Fraction()
		}
		if err := addMessage(ctx, tx, j, Informative, "Started: removing %s%d of the %d items (%.0f%%), %s", about, est.Matches, est.Items, pct, how); err != nil {
			return err
		}
		j.Heartbeat = tx.Now
		return update(ctx, tx, j)
	})
	return cancelled, err
}

// removeRows removes the job's items in batches of OBJECTID ranges, from
// its cursor to its highest OBJECTID, and reports whether a cancel stopped
// it.
func (m *Manager) removeRows(ctx context.Context, j *Job, clause *where.Clause) (cancelled bool, err error) {
	size := m.BatchSize
	if size <= 0 {
		size = defaultBatch
	}
	target := m.BatchTarget
	if target == 0 {
		target = defaultBatchTarget
	}
	lastYield := time.Now()
	var coll *catalog.Collection // the same throughout: it cannot be deleted while a job runs on it
	for j.Cursor < j.HighOID {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		start := time.Now()
		err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
			var err error
			if cancelled, err = poll(ctx, tx, j); err != nil || cancelled {
				return err
			}
			if coll == nil {
				if coll, err = tx.CollectionByID(ctx, j.CollectionID); err != nil {
					return err
				}
			}
			upTo := min(j.Cursor+int64(size), j.HighOID)
			n, err := tx.RemoveRange(ctx, coll, clause, j.UndoTable, j.Cursor, upTo)
			if err != nil {
				return err
			}
			j.Cursor, j.Done, j.Heartbeat = upTo, j.Done+n, tx.Now
			if j.Estimated {
				// The share removed so far, over the rest of the OBJECTIDs.
				j.Total = max(j.Done, j.Done*j.HighOID/j.Cursor)
			}
			return saveBatch(ctx, tx, j)
		})
		if err != nil || cancelled {
			return cancelled, err
		}
		if m.Progress != nil {
			m.Progress(j)
		}
		if m.OnBatch != nil {
			if err := m.OnBatch(j); err != nil {
				return false, fmt.Errorf("%w: %v", errStop, err)
			}
		}
		if target > 0 {
			size = nextBatchSize(size, time.Since(start), target)
		}
		if time.Since(lastYield) >= yieldEvery {
			select {
			case <-time.After(yieldFor):
			case <-ctx.Done():
			}
			lastYield = time.Now()
		}
	}
	return false, nil
}

// nextBatchSize adapts the batch size so that a batch takes about target:
// big enough to be fast, small enough to honour cancel promptly and let
// other writers in.
func nextBatchSize(size int, took, target time.Duration) int {
	switch {
	case took < target/2:
		size *= 2
	case took > target*2:
		size /= 2
	}
	return max(minBatch, min(maxBatch, size))
}

// swap removes the job's items in one transaction (catalog.SwapOut) and
// reports whether a cancel came first.
func (m *Manager) swap(ctx context.Context, j *Job, clause *where.Clause) (cancelled bool, err error) {
	if j.Cursor >= j.HighOID {
		return false, nil // swapped before an interruption
	}
	err = m.cat.Update(ctx, func(tx *catalog.Tx) error {
		var err error
		if cancelled, err = reload(ctx, tx, j); err != nil || cancelled {
			return err
		}
		coll, err := tx.CollectionByID(ctx, j.CollectionID)
		if err != nil {
			return err
		}
		n, err := tx.SwapOut(ctx, coll, clause, j.HighOID, j.UndoTable)
		if err != nil {
			return err
		}
		j.Cursor, j.Done, j.Total, j.Estimated, j.Heartbeat = j.HighOID, n, n, false, tx.Now
		return update(ctx, tx, j)
	})
	if err != nil || cancelled {
		return cancelled, err
	}
	// The swap is the job's one batch.
	if m.Progress != nil {
		m.Progress(j)
	}
	if m.OnBatch != nil {
		if err := m.OnBatch(j); err != nil {
			return false, fmt.Errorf("%w: %v", errStop, err)
		}
	}
	return false, nil
}

// finishDeleteImage shrinks the boundary, marks overviews stale and stores
// the result, in one transaction: esriJobSucceeded, or esriJobCancelled
// when cancelled before it looked at every item.
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
		log, err := j.undoLog()
		if err != nil {
			return err
		}
		var stale []int64
		if j.Done > 0 && log != nil {
			if j.inputBool("updateBoundary", true) {
				// The edge items say it without reading the collection.
				if err := tx.UpdateBoundary(ctx, coll); err != nil {
					return err
				}
			} else if err := tx.FillEmptiedEdges(ctx, coll); err != nil {
				// The boundary stays, the time extent must not.
				return err
			}
			if j.inputBool("markOverviews", true) {
				if stale, err = tx.MarkOverviewsStale(ctx, coll, log); err != nil {
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
		if cancelled {
			j.CancelRequested = true
		}
		if cancelled && j.Cursor < j.HighOID {
			about := ""
			if j.Estimated {
				about = "about "
			}
			msg := fmt.Sprintf("Cancelled after deleting %d of %s%d items from %s", j.Done, about, j.Total, coll.Name)
			if j.Done == 0 {
				msg = "Cancelled before it deleted anything from " + coll.Name
			}
			msgs = append([]Message{Info(msg)}, msgs...)
			return finish(ctx, tx, j, Cancelled, nil, msgs...)
		}
		j.Total, j.Estimated = j.Done, false
		msgs = append([]Message{Info(fmt.Sprintf("Deleted %d of %d items from %s", j.Done, j.Total, coll.Name))}, msgs...)
		return finish(ctx, tx, j, Succeeded, resultURL(coll.URL), msgs...)
	})
}
