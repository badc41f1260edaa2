package catalog

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
)

// A removed list keeps the OBJECTID and Name of every item a job removed
// once its undo log is gone (purged, or renamed back by the undo of a
// DeleteImageCollection): what the job's removedItems result lists. It is
// stored in chunks of up to listChunk items, each a deflate stream of
// (OBJECTID delta, Name length, Name) varint records: at a million items
// with names like the bench's, 500,000 names take some 1.5 MB instead of 8.5
// MB as rows, which keeps a purged catalog close to the size of a fresh one.

const listChunk = 8192

// SaveRemovedList stores the removed list of job seq from the undo log,
// replacing any stored before, and returns how many items it lists.
func (tx *Tx) SaveRemovedList(ctx context.Context, seq int64, l *UndoLog) (int64, error) {
	if _, err := tx.ExecContext(ctx, "DELETE FROM removed_lists WHERE job_seq = ?", seq); err != nil {
		return 0, fmt.Errorf("clear removed list: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, "INSERT INTO removed_lists (job_seq, first, n, data) VALUES (?, ?, ?, ?)")
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	var (
		raw         bytes.Buffer
		comp        bytes.Buffer
		first, prev int64
		n, total    int64
		tmp         [binary.MaxVarintLen64]byte
	)
	zw, _ := flate.NewWriter(&comp, flate.BestSpeed)
	flush := func() error {
		if n == 0 {
			return nil
		}
		comp.Reset()
		zw.Reset(&comp)
		if _, err := zw.Write(raw.Bytes()); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if _, err := ins.ExecContext(ctx, seq, first, n, comp.Bytes()); err != nil {
			return fmt.Errorf("store removed list: %w", err)
		}
		total += n
		raw.Reset()
		n = 0
		return nil
	}
	cond, args := l.removed()
	var rows *sql.Rows
	err = tx.guardLog(ctx, l, nil, "", func() error {
		var err error
		rows, err = tx.QueryContext(ctx, "SELECT OBJECTID, Name FROM "+quoteIdent(l.Table)+" WHERE "+cond+" ORDER BY OBJECTID", args...)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read removed items: %w", err)
	}
	defer rows.Close()
	var id int64
	var name sql.RawBytes // no string per item: there may be millions
	for rows.Next() {
		if err := rows.Scan(&id, &name); err != nil {
			return 0, fmt.Errorf("read removed items: %w", err)
		}
		if n == 0 {
			first, prev = id, id
		}
		raw.Write(tmp[:binary.PutUvarint(tmp[:], uint64(id-prev))])
		raw.Write(tmp[:binary.PutUvarint(tmp[:], uint64(len(name)))])
		raw.Write(name)
		prev = id
		if n++; n == listChunk {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read removed items: %w", err)
	}
	if err := flush(); err != nil {
		return 0, err
	}
	return total, nil
}

// HasRemovedList reports whether job seq has a stored removed list.
func (tx *Tx) HasRemovedList(ctx context.Context, seq int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM removed_lists WHERE job_seq = ?)", seq).Scan(&n)
	return n == 1, err
}

// EachListed calls fn for each item of the removed list of job seq, in
// OBJECTID order.
func (tx *Tx) EachListed(ctx context.Context, seq int64, fn func(ItemRef) error) error {
	rows, err := tx.QueryContext(ctx, "SELECT first, n, data FROM removed_lists WHERE job_seq = ? ORDER BY first", seq)
	if err != nil {
		return fmt.Errorf("read removed list: %w", err)
	}
	defer rows.Close()
	var raw bytes.Buffer
	for rows.Next() {
		var first, n int64
		var data []byte
		if err := rows.Scan(&first, &n, &data); err != nil {
			return fmt.Errorf("read removed list: %w", err)
		}
		raw.Reset()
		if _, err := io.Copy(&raw, flate.NewReader(bytes.NewReader(data))); err != nil {
			return Errorf(Unavailable, "removed list of job %d, chunk at OBJECTID %d is damaged: %v", seq, first, err)
		}
		b := raw.Bytes()
		id := first
		for i := int64(0); i < n; i++ {
			d, k := binary.Uvarint(b)
			if k <= 0 {
				return Errorf(Unavailable, "removed list of job %d, chunk at OBJECTID %d is damaged", seq, first)
			}
			b = b[k:]
			l, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < l {
				return Errorf(Unavailable, "removed list of job %d, chunk at OBJECTID %d is damaged", seq, first)
			}
			id += int64(d)
			name := string(b[k : k+int(l)])
			b = b[k+int(l):]
			if err := fn(ItemRef{OBJECTID: id, Name: name}); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}
