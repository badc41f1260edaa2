package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"mosaic/catalog"
)

// TestManifestIsReadFromItsRealPath: an AddImage records the real path of
// its manifest, refuses a FIFO or a folder at submit, and refuses to read a
// manifest that became a link after it was submitted (issue 11, item 7).
func TestManifestIsReadFromItsRealPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("LinkResolved", func(t *testing.T) {
		e := newEnv(t, nil)
		real := write("real.csv", "Raster\n/data/a.tif\n")
		link := filepath.Join(dir, "link.csv")
		if err := os.Symlink(real, link); err != nil {
			t.Fatal(err)
		}
		j := mustSubmitAdd(t, e.m, AddImageParams{ImageCollection: "scenes", Manifest: link})
		if got := j.Input("manifest"); got != real {
			t.Errorf("the job records %s, want the real path %s", got, real)
		}
		mustRun(t, e.m, j.ID, Succeeded)
	})
	t.Run("ErrFIFO", func(t *testing.T) {
		e := newEnv(t, nil)
		fifo := filepath.Join(dir, "fifo.csv")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		_, err := e.m.SubmitAddImage(ctx, AddImageParams{ImageCollection: "scenes", Manifest: fifo})
		if catalog.ErrorCode(err) != catalog.Invalid || catalog.ErrorParam(err) != "manifest" {
			t.Errorf("FIFO manifest: %v", err)
		}
	})
	t.Run("ErrFolder", func(t *testing.T) {
		e := newEnv(t, nil)
		_, err := e.m.SubmitAddImage(ctx, AddImageParams{ImageCollection: "scenes", Manifest: dir})
		if catalog.ErrorCode(err) != catalog.Invalid {
			t.Errorf("folder manifest: %v", err)
		}
	})
	t.Run("ErrBecameALink", func(t *testing.T) {
		e := newEnv(t, nil)
		before := e.rows(t)
		m := write("swapped.csv", "Raster\n/data/a.tif\n")
		j := mustSubmitAdd(t, e.m, AddImageParams{ImageCollection: "scenes", Manifest: m})
		secret := write("secret", "root:x:0:0\n")
		os.Remove(m)
		if err := os.Symlink(secret, m); err != nil {
			t.Fatal(err)
		}
		j = mustRun(t, e.m, j.ID, Failed)
		if catalog.ErrorCode(j.Cause) != catalog.Invalid || !hasMessagePrefix(j, ErrorType, "Failed: manifest "+m+" is now a link to "+secret) {
			t.Errorf("cause %v, messages %q", j.Cause, messageTexts(j))
		}
		assertRows(t, e.rows(t), before)
	})
}

// TestCancelAfterTheWorkIsDone: whichever way a cancel arrives once every
// item of the snapshot is deleted (while the job runs, or after its process
// died between the last batch and the finish), the job ends Succeeded with
// a warning and its result, never Cancelled at 100% (issue 11, item 13).
func TestCancelAfterTheWorkIsDone(t *testing.T) {
	e := newEnv(t, genItems(500, 11))
	j := e.mustSubmit(t, e.m, clause)
	e.m.OnBatch = func(r *Job) error {
		if r.Done == r.Total {
			return errors.New("crash after the last batch")
		}
		return nil
	}
	if _, err := e.m.Run(ctx, j.ID); !errors.Is(err, errStop) {
		t.Fatalf("run stopped by OnBatch: %v", err)
	}
	setOwner(t, e.cat, j.ID, Executing, deadOwner(t), fixedNow())
	c, err := e.manager().Cancel(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Document()
	if c.Status != Succeeded || c.Result == nil || d.Progress == nil || d.Progress.Percent != 100 ||
		!hasMessagePrefix(c, Warning, "The cancel request came after the work was done") {
		t.Errorf("job %s, result %s, progress %+v, messages %q", c.Status, c.Result, d.Progress, messageTexts(c))
	}
}
