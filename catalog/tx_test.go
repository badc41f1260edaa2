package catalog_test

import (
	"testing"
	"time"

	"mosaic/catalog"
)

// TestWritersOfOneProcessTakeTurns: a writer of this process gets the next
// turn behind a job's back-to-back transactions, instead of polling
// SQLite's lock (busy handler sleeps of up to 100 ms) and missing every gap
// between them until the job ends.
func TestWritersOfOneProcessTakeTurns(t *testing.T) {
	cat := mustOpen(t)
	mustScenes(t, cat, 10)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			default:
			}
			cat.Update(ctx, func(tx *catalog.Tx) error {
				time.Sleep(20 * time.Millisecond) // a batch
				_, err := tx.ExecContext(ctx, "UPDATE collections SET updated = updated")
				return err
			})
		}
	}()
	defer func() { close(stop); <-stopped }()
	time.Sleep(50 * time.Millisecond)
	for i := 0; i < 5; i++ {
		start := time.Now()
		err := cat.Update(ctx, func(tx *catalog.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE collections SET srs = srs")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 500*time.Millisecond {
			t.Errorf("a writer waited %v behind transactions of 20 ms", took)
		}
	}
}
