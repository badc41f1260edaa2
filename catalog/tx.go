package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Tx is a catalog transaction. It carries the time it started, so that every
// row it writes has the same timestamp.
type Tx struct {
	*sql.Tx
	c    *Catalog
	conn *sql.Conn // the connection the transaction runs on
	pol  *policy   // its authorizer, once Guard installed one
	Now  time.Time
}

// Catalog returns the catalog the transaction belongs to.
func (tx *Tx) Catalog() *Catalog { return tx.c }

// maxBusyRetries bounds how often Update retries a transaction that found
// the catalog locked after waiting the busy timeout.
const maxBusyRetries = 5

// Update runs fn in a write transaction (BEGIN IMMEDIATE), commits if fn
// returns nil and rolls back otherwise. If SQLite reports the catalog busy,
// the whole transaction is retried a few times before giving up with an
// Unavailable error, so "database is locked" never reaches the user.
func (c *Catalog) Update(ctx context.Context, fn func(*Tx) error) error {
	return c.run(ctx, nil, fn)
}

// View runs fn in a read transaction: a consistent snapshot that never
// blocks writers.
func (c *Catalog) View(ctx context.Context, fn func(*Tx) error) error {
	return c.run(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

func (c *Catalog) run(ctx context.Context, opts *sql.TxOptions, fn func(*Tx) error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = c.runOnce(ctx, opts, fn)
		if err == nil || !busy(err) || attempt >= maxBusyRetries || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	return explain(c.path, err)
}

func (c *Catalog) runOnce(ctx context.Context, opts *sql.TxOptions, fn func(*Tx) error) (err error) {
	if opts == nil {
		release, err := c.queueWriter(ctx)
		if err != nil {
			return err
		}
		defer release()
	}
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{Tx: sqlTx, c: c, conn: conn, Now: c.Now()}
	defer tx.unguard()
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				err = fmt.Errorf("%w (and rollback failed: %v)", err, rbErr)
			}
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if opts == nil {
		c.lastWrite.Store(time.Now().UnixNano())
	}
	return nil
}

// queueWriter waits for this process's turn to write (see
// Catalog.writers) and returns the function that gives the turn on.
func (c *Catalog) queueWriter(ctx context.Context) (release func(), err error) {
	select {
	case c.writers <- struct{}{}:
		return func() { <-c.writers }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// timestamp formats t as the catalog stores times: 'YYYY-MM-DD HH:MM:SS' UTC.
func timestamp(t time.Time) string { return t.UTC().Format(DateLayout) }

// DateLayout is how the catalog stores DATE values and timestamps (UTC).
const DateLayout = "2006-01-02 15:04:05"
