package jobs

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"mosaic/catalog"
)

const clause = "CloudCover > 50"

// TestDeleteImageStatuses follows a DeleteImage job through its statuses:
// submitted, executing, succeeded.
func TestDeleteImageStatuses(t *testing.T) {
	t.Run("SubmittedRecordsWhatItRemovesAndReadsNothing", func(t *testing.T) {
		e := newEnv(t, genItems(1000, 1))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		if j.Status != Submitted || j.Total != 0 || j.Done != 0 || j.Cursor != 0 || j.Owner != "" || j.HighOID != 1000 || j.Strategy != "" {
			t.Fatalf("submitted job: status %s total %d done %d cursor %d owner %q high %d strategy %q; want %s, nothing done, high 1000", j.Status, j.Total, j.Done, j.Cursor, j.Owner, j.HighOID, j.Strategy, Submitted)
		}
		if !ValidJobID(j.ID) {
			t.Errorf("job id %q is not j + 32 hex", j.ID)
		}
		got := mustGet(t, e.m, j.ID)
		wantMsgs := []string{"Submitted: removes the items of scenes up to OBJECTID 1000 that match CloudCover > 50"}
		if !reflect.DeepEqual(messageTexts(got), wantMsgs) {
			t.Errorf("messages %q, want %q", messageTexts(got), wantMsgs)
		}
		if got.Status != Submitted || !got.Started.IsZero() || !got.Finished.IsZero() || !got.Submitted.Equal(fixedNow()) {
			t.Errorf("stored job: status %s started %v finished %v submitted %v", got.Status, got.Started, got.Finished, got.Submitted)
		}
		for name, v := range map[string]string{"imageCollection": `"scenes"`, "where": `"CloudCover \u003e 50"`, "updateBoundary": "true", "markOverviews": "true"} {
			if raw := string(got.Inputs[name]); raw != v && raw != strings.ReplaceAll(v, `\u003e`, ">") {
				t.Errorf("input %s = %s, want %s", name, raw, v)
			}
		}
		if !strings.Contains(got.Clause, `CloudCover`) {
			t.Errorf("stored clause %q", got.Clause)
		}
		assertRows(t, e.rows(t), before)
		// Nothing was copied: the submission reads no item.
		if n := count(t, e.cat.DB(), "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'undo%'"); n != 0 {
			t.Errorf("%d undo tables after submission, want 0", n)
		}
		if p := got.Document().Progress; p == nil || p.Message != "Not started" || p.Percent != 0 {
			t.Errorf("progress of a submitted job %+v", p)
		}
	})

	t.Run("SucceededDeletesExactlyTheSnapshot", func(t *testing.T) {
		e := newEnv(t, genItems(1000, 2))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		var seen []Status
		var progress []int64
		e.m.Progress = func(j *Job) { progress = append(progress, j.Done) }
		e.m.OnBatch = func(j *Job) error {
			cur := mustGet(t, e.m, j.ID)
			seen = append(seen, cur.Status)
			if cur.Owner != self.String() {
				t.Errorf("running job's owner %q, want this process %q", cur.Owner, self.String())
			}
			if cur.Started.IsZero() || cur.Heartbeat.IsZero() {
				t.Errorf("running job has no start time or heartbeat")
			}
			return nil
		}
		done := mustRun(t, e.m, j.ID, Succeeded)
		removed := e.matching()
		if len(seen) < 2 || seen[0] != Executing {
			t.Errorf("statuses seen between batches %v, want several %s", seen, Executing)
		}
		for i := 1; i < len(progress); i++ {
			if progress[i] < progress[i-1] {
				t.Errorf("progress went %v", progress)
			}
		}
		if done.Done != int64(len(removed)) || done.Total != int64(len(removed)) || done.Owner != "" || done.Finished.IsZero() || done.Cursor != 1000 {
			t.Errorf("finished job: done %d total %d owner %q finished %v cursor %d", done.Done, done.Total, done.Owner, done.Finished, done.Cursor)
		}
		wantMsgs := []string{
			"Submitted: removes the items of scenes up to OBJECTID 1000 that match CloudCover > 50",
			fmt.Sprintf("Started: removing %d of the 1000 items (%.0f%%), in batches", len(removed), float64(len(removed))/10),
			fmt.Sprintf("Deleted %d of %d items from scenes", len(removed), len(removed)),
		}
		if !reflect.DeepEqual(messageTexts(done), wantMsgs) {
			t.Errorf("messages %q, want %q", messageTexts(done), wantMsgs)
		}
		wantResult := `{"paramName":"result","dataType":"GPString","value":{"url":"http://localhost:8080/arcgis/rest/services/Hosted/scenes/ImageServer"}}`
		if string(done.Result) != wantResult {
			t.Errorf("result %s, want %s", done.Result, wantResult)
		}
		d := done.Document()
		if d.Progress == nil || d.Progress.Percent != 100 || d.Progress.Message != fmt.Sprintf("Deleted %d of %d items", len(removed), len(removed)) {
			t.Errorf("progress %+v", d.Progress)
		}
		if _, ok := d.Results["result"]; !ok {
			t.Errorf("document has no result: %+v", d.Results)
		}
		assertRows(t, e.rows(t), without(before, removed))
		// Running a finished job changes nothing.
		again := mustRun(t, e.m, j.ID, Succeeded)
		if len(again.Messages) != len(done.Messages) {
			t.Errorf("running a finished job again added messages: %q", messageTexts(again))
		}
	})

	t.Run("ConstantClauseEmptiesButKeepsCollection", func(t *testing.T) {
		e := newEnv(t, genItems(300, 3))
		j := e.mustSubmit(t, e.m, "1=1")
		mustRun(t, e.m, j.ID, Succeeded)
		if n := len(e.rows(t)); n != 0 {
			t.Errorf("%d items left, want 0", n)
		}
		if coll := e.collection(t); coll.Boundary != nil {
			t.Errorf("empty collection has boundary %+v", coll.Boundary)
		}
	})

	t.Run("NoMatchSucceedsWithNothingToUndo", func(t *testing.T) {
		e := newEnv(t, genItems(50, 4))
		j := e.mustSubmit(t, e.m, "CloudCover > 1000")
		done := mustRun(t, e.m, j.ID, Succeeded)
		if done.Total != 0 || done.Done != 0 || done.Document().Progress.Percent != 100 {
			t.Errorf("job total %d done %d progress %+v", done.Total, done.Done, done.Document().Progress)
		}
		_, err := e.m.Undo(ctx, j.ID)
		assertCode(t, err, catalog.Conflict)
	})
}

// TestCancel proves that cancel stops a job at once before it runs and
// between batches while it runs, and that what was removed is undoable.
func TestCancel(t *testing.T) {
	t.Run("BeforeRunDeletesNothing", func(t *testing.T) {
		e := newEnv(t, genItems(500, 5))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		c, err := e.m.Cancel(ctx, j.ID)
		if err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if c.Status != Cancelled || !c.CancelRequested || c.Finished.IsZero() {
			t.Fatalf("cancelled job: status %s requested %v finished %v", c.Status, c.CancelRequested, c.Finished)
		}
		if last := c.Messages[len(c.Messages)-1].Description; last != "Cancelled before it ran: nothing was deleted" {
			t.Errorf("last message %q", last)
		}
		ran := mustRun(t, e.m, j.ID, Cancelled)
		if ran.Done != 0 {
			t.Errorf("a cancelled job ran: done %d", ran.Done)
		}
		assertRows(t, e.rows(t), before)
		_, err = e.m.Cancel(ctx, j.ID)
		assertCode(t, err, catalog.Conflict)
		_, err = e.m.Undo(ctx, j.ID)
		assertCode(t, err, catalog.Conflict)
		// A new job removes every matching item.
		k := e.mustSubmit(t, e.m, clause)
		if done := mustRun(t, e.m, k.ID, Succeeded); done.Done != int64(len(e.matching())) {
			t.Errorf("new job removed %d items, want %d", done.Done, len(e.matching()))
		}
	})

	t.Run("DuringRunStopsBetweenBatchesAndUndoRestores", func(t *testing.T) {
		e := newEnv(t, genItems(1000, 6))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		batches := 0
		e.m.OnBatch = func(r *Job) error {
			batches++
			if batches > 1 {
				return nil
			}
			c, err := e.m.Cancel(ctx, r.ID)
			if err != nil {
				t.Errorf("cancel a running job: %v", err)
				return nil
			}
			if c.Status != Cancelling {
				t.Errorf("a running job is %s after cancel, want %s", c.Status, Cancelling)
			}
			return nil
		}
		c := mustRun(t, e.m, j.ID, Cancelled)
		if batches != 1 {
			t.Errorf("%d batches ran, want 1: cancel is honoured between batches", batches)
		}
		removed := e.matchingUpTo(100)
		if c.Done != int64(len(removed)) || c.Cursor != 100 || c.Owner != "" {
			t.Errorf("cancelled job: done %d cursor %d owner %q; want done %d cursor 100", c.Done, c.Cursor, c.Owner, len(removed))
		}
		if last := c.Messages[len(c.Messages)-1].Description; last != fmt.Sprintf("Cancelled after deleting %d of %d items from scenes", len(removed), c.Total) {
			t.Errorf("last message %q", last)
		}
		if c.Result != nil {
			t.Errorf("cancelled job has result %s", c.Result)
		}
		assertRows(t, e.rows(t), without(before, removed))

		// The rest is free for another job.
		k := e.mustSubmit(t, e.m, clause)
		if done := mustRun(t, e.m, k.ID, Succeeded); done.Done != int64(len(e.matching())-len(removed)) {
			t.Errorf("new job removed %d items, want %d", done.Done, len(e.matching())-len(removed))
		}
		if _, err := e.m.Undo(ctx, k.ID); err != nil {
			t.Fatal(err)
		}

		u, err := e.m.Undo(ctx, j.ID)
		if err != nil {
			t.Fatalf("undo cancelled job: %v", err)
		}
		if u.Done != int64(len(removed)) {
			t.Errorf("undo restored %d items, want %d", u.Done, len(removed))
		}
		assertRows(t, e.rows(t), before)
	})

	t.Run("JobWithDeadOwnerIsFinishedAsCancelled", func(t *testing.T) {
		e := newEnv(t, genItems(500, 7))
		j := e.mustSubmit(t, e.m, clause)
		e.m.OnBatch = func(*Job) error { return errors.New("crash") }
		if _, err := e.m.Run(ctx, j.ID); !errors.Is(err, errStop) {
			t.Fatalf("run stopped by OnBatch: %v", err)
		}
		setOwner(t, e.cat, j.ID, Executing, deadOwner(t), fixedNow())
		m := e.manager()
		c, err := m.Cancel(ctx, j.ID)
		if err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if want := int64(len(e.matchingUpTo(100))); c.Status != Cancelled || c.Done != want {
			t.Errorf("job is %s with %d done, want %s with %d", c.Status, c.Done, Cancelled, want)
		}
	})
}

// TestOwner proves that a job run by a live process is never run twice and
// that a job whose process died is resumed at once.
func TestOwner(t *testing.T) {
	t.Run("RunWhileThisProcessRunsItIsErrOwned", func(t *testing.T) {
		e := newEnv(t, genItems(600, 8))
		j := e.mustSubmit(t, e.m, clause)
		other := e.manager()
		tried := false
		e.m.OnBatch = func(r *Job) error {
			if tried {
				return nil
			}
			tried = true
			_, err := other.Run(ctx, r.ID)
			if !errors.Is(err, ErrOwned) || catalog.ErrorCode(err) != catalog.Conflict {
				t.Errorf("second run of a running job: %v (code %q), want ErrOwned and Conflict", err, catalog.ErrorCode(err))
			}
			return nil
		}
		done := mustRun(t, e.m, j.ID, Succeeded)
		if done.Done != done.Total {
			t.Errorf("done %d of %d", done.Done, done.Total)
		}
	})

	t.Run("RunOfJobOwnedByLiveProcessIsErrOwned", func(t *testing.T) {
		e := newEnv(t, genItems(300, 9))
		j := e.mustSubmit(t, e.m, clause)
		ppid := os.Getppid() // alive as long as this test
		live := owner{host: self.host, boot: self.boot, pid: ppid, start: procStart(ppid)}.String()
		old := fixedNow().Add(-time.Hour) // the process table answers, not the heartbeat
		setOwner(t, e.cat, j.ID, Executing, live, old)
		_, err := e.m.Run(ctx, j.ID)
		if !errors.Is(err, ErrOwned) {
			t.Fatalf("run: %v, want ErrOwned", err)
		}
		assertCode(t, err, catalog.Conflict)
		if got := mustGet(t, e.m, j.ID); got.Status != Executing || got.Owner != live || got.Done != 0 {
			t.Errorf("refused run changed the job: %s owner %q done %d", got.Status, got.Owner, got.Done)
		}
		// Cancel only asks a live owner to stop.
		c, err := e.m.Cancel(ctx, j.ID)
		if err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if c.Status != Cancelling {
			t.Errorf("job with live owner is %s after cancel, want %s", c.Status, Cancelling)
		}
		_, err = e.m.Undo(ctx, j.ID)
		assertCode(t, err, catalog.Conflict)
		// The owner dies: resuming finishes the cancel.
		setOwner(t, e.cat, j.ID, Cancelling, deadOwner(t), old)
		mustRun(t, e.m, j.ID, Cancelled)
	})

	t.Run("DeadOwnerIsResumedWithWarning", func(t *testing.T) {
		e := newEnv(t, genItems(300, 10))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		dead := deadOwner(t)
		setOwner(t, e.cat, j.ID, Executing, dead, fixedNow()) // heartbeat fresh: the process table answers
		done := mustRun(t, e.m, j.ID, Succeeded)
		want := fmt.Sprintf("Resumed after the process running it (%s) stopped, at 0 items removed, OBJECTID 0 of 300", dead)
		if !hasMessage(done, Warning, want) {
			t.Errorf("messages %q, want warning %q", messageTexts(done), want)
		}
		assertRows(t, e.rows(t), without(before, e.matching()))
	})

	t.Run("OtherHostOwnerIsTrustedUntilHeartbeatIsStale", func(t *testing.T) {
		e := newEnv(t, genItems(300, 11))
		j := e.mustSubmit(t, e.m, clause)
		remote := "elsewhere.example/" + "00000000-0000-0000-0000-000000000000/4242/12345"
		setOwner(t, e.cat, j.ID, Executing, remote, fixedNow().Add(-HeartbeatStaleAfter/2))
		_, err := e.m.Run(ctx, j.ID)
		if !errors.Is(err, ErrOwned) {
			t.Fatalf("run of a job with a fresh remote heartbeat: %v, want ErrOwned", err)
		}
		setOwner(t, e.cat, j.ID, Executing, remote, fixedNow().Add(-HeartbeatStaleAfter-time.Second))
		mustRun(t, e.m, j.ID, Succeeded)
	})

	t.Run("OrphansAreSubmittedAndDeadOwnedJobs", func(t *testing.T) {
		e := newEnv(t, genItems(300, 12))
		a := e.mustSubmit(t, e.m, "CloudCover > 90")
		b := e.mustSubmit(t, e.m, "CloudCover < 10")
		c := e.mustSubmit(t, e.m, "CloudCover > 40 AND CloudCover < 60")
		d := e.mustSubmit(t, e.m, "CloudCover > 20 AND CloudCover < 30")
		ppid := os.Getppid()
		setOwner(t, e.cat, b.ID, Executing, owner{host: self.host, boot: self.boot, pid: ppid, start: procStart(ppid)}.String(), fixedNow())
		setOwner(t, e.cat, c.ID, Executing, deadOwner(t), fixedNow())
		mustRun(t, e.m, d.ID, Succeeded)
		orphans, err := e.m.Orphans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range orphans {
			got = append(got, o.ID)
		}
		if want := []string{a.ID, c.ID}; !reflect.DeepEqual(got, want) {
			t.Errorf("orphans %v, want %v (oldest first)", got, want)
		}
	})
}

// TestZombieOwnerIsDead: a process killed but not yet reaped by its parent
// (a zombie) keeps its /proc entry and start time, yet it runs nothing.
func TestZombieOwnerIsDead(t *testing.T) {
	e := newEnv(t, genItems(100, 13))
	j := e.mustSubmit(t, e.m, clause)
	cmd := execSleep(t)
	zombie := owner{host: self.host, boot: self.boot, pid: cmd.Process.Pid, start: procStart(cmd.Process.Pid)}.String()
	cmd.Process.Kill()
	waitZombie(t, cmd.Process.Pid)
	setOwner(t, e.cat, j.ID, Executing, zombie, fixedNow())
	if _, err := e.m.Run(ctx, j.ID); err != nil {
		t.Errorf("a job whose owner is a zombie (killed, not yet reaped) is taken for running: %v", err)
	}
}

// TestResume proves that a job stopped after any committed batch finishes
// exactly its snapshot when resumed.
func TestResume(t *testing.T) {
	t.Run("InterruptedRunFinishesExactlyTheSnapshot", func(t *testing.T) {
		e := newEnv(t, genItems(1000, 14))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		snapshot := e.matching()
		e.m.OnBatch = func(*Job) error { return errors.New("power cut") }
		if _, err := e.m.Run(ctx, j.ID); !errors.Is(err, errStop) {
			t.Fatalf("run stopped after a batch: %v, want errStop", err)
		}
		stopped := mustGet(t, e.m, j.ID)
		first := e.matchingUpTo(100)
		if stopped.Status != Executing || stopped.Owner != "" || stopped.Done != int64(len(first)) || stopped.Cursor != 100 {
			t.Fatalf("stopped job: %s owner %q done %d cursor %d", stopped.Status, stopped.Owner, stopped.Done, stopped.Cursor)
		}
		assertRows(t, e.rows(t), without(before, first))

		// Matching items added after submission are not part of the job.
		late := genItems(200, 15)
		e.load(t, late)
		afterLoad := e.rows(t)
		lateMatching := 0
		for _, it := range late {
			if it.matches() {
				lateMatching++
			}
		}
		if lateMatching == 0 {
			t.Fatal("fixture: no late item matches")
		}

		done := mustRun(t, e.manager(), j.ID, Succeeded)
		if done.Done != int64(len(snapshot)) || done.Total != int64(len(snapshot)) {
			t.Errorf("done %d of %d, want %d", done.Done, done.Total, len(snapshot))
		}
		for _, m := range done.Messages {
			if m.Type != Informative {
				t.Errorf("unexpected %s message %q: the interrupted run released the job", m.Type, m.Description)
			}
		}
		assertRows(t, e.rows(t), without(afterLoad, snapshot))
	})

	t.Run("EveryStopPointFinishesTheSameWay", func(t *testing.T) {
		items := genItems(800, 16)
		var want map[int64]row
		for stopAfter := 1; stopAfter <= 3; stopAfter++ {
			e := newEnv(t, items)
			if want == nil {
				want = without(e.rows(t), e.matching())
			}
			j := e.mustSubmit(t, e.m, clause)
			n := 0
			e.m.OnBatch = func(*Job) error {
				if n++; n == stopAfter {
					return errors.New("stop")
				}
				return nil
			}
			e.m.Run(ctx, j.ID)
			setOwner(t, e.cat, j.ID, Executing, deadOwner(t), fixedNow()) // as after kill -9
			mustRun(t, e.manager(), j.ID, Succeeded)
			assertRows(t, e.rows(t), want)
		}
	})

	t.Run("FailedJobIsRetried", func(t *testing.T) {
		e := newEnv(t, genItems(800, 17))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		trigger := `CREATE TRIGGER refuse_delete BEFORE DELETE ON "` + e.coll.Table() + `" BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`
		n := 0
		e.m.OnBatch = func(*Job) error {
			if n++; n == 1 {
				exec1(t, e.cat, trigger)
			}
			return nil
		}
		failed := mustRun(t, e.m, j.ID, Failed)
		first := len(e.matchingUpTo(100))
		if failed.Done != int64(first) || failed.Owner != "" {
			t.Errorf("failed job: done %d owner %q", failed.Done, failed.Owner)
		}
		last := failed.Messages[len(failed.Messages)-1]
		if last.Type != ErrorType || !strings.HasPrefix(last.Description, fmt.Sprintf("Failed after removing %d items: ", first)) || !strings.Contains(last.Description, "disk on fire") {
			t.Errorf("last message %+v", last)
		}
		exec1(t, e.cat, `DROP TRIGGER refuse_delete`)
		done := mustRun(t, e.manager(), j.ID, Succeeded)
		if !hasMessage(done, Informative, fmt.Sprintf("Retrying after failure, at %d items removed, OBJECTID 100 of 800", first)) {
			t.Errorf("messages %q", messageTexts(done))
		}
		assertRows(t, e.rows(t), without(before, e.matching()))
	})
}

// TestSnapshot proves what fixes what a job removes: its clause, the
// highest OBJECTID at submission and "now" bound at submission.
func TestSnapshot(t *testing.T) {
	for _, strategy := range []catalog.UndoKind{catalog.UndoRows, catalog.UndoSwap} {
		t.Run("ItemsAddedAfterSubmissionSurvive/"+string(strategy), func(t *testing.T) {
			e := newEnv(t, genItems(500, 18))
			e.m.Strategy = strategy
			j := e.mustSubmit(t, e.m, clause)
			snapshot := e.matching()
			late := []fixItem{
				{Raster: "/late/a.tif", CloudCover: cc(99), XMin: 1, YMin: 1, XMax: 2, YMax: 2},
				{Raster: "/late/b.tif", CloudCover: cc(50.001), XMin: 1, YMin: 1, XMax: 2, YMax: 2},
			}
			e.load(t, late)
			afterLoad := e.rows(t)
			done := mustRun(t, e.m, j.ID, Succeeded)
			got := e.rows(t)
			assertRows(t, got, without(afterLoad, snapshot))
			for id := int64(501); id <= 502; id++ {
				if _, ok := got[id]; !ok {
					t.Errorf("late item %d was deleted", id)
				}
			}
			if !reflect.DeepEqual(e.removedIDs(t, done), snapshot) {
				t.Errorf("removedItems lists %d items, want the %d of the snapshot", len(e.removedIDs(t, done)), len(snapshot))
			}
			if _, err := e.m.Undo(ctx, j.ID); err != nil {
				t.Fatal(err)
			}
			assertRows(t, e.rows(t), afterLoad)
		})
	}

	t.Run("NowIsBoundAtSubmission", func(t *testing.T) {
		// CURRENT_DATE means the day of submission (the catalog's clock,
		// fixedNow), however late the job runs: the item dated the day
		// after goes only if "now" were read when the job runs.
		e := newEnv(t, nil)
		day := func(d int) string { return fixedNow().AddDate(0, 0, d).Format("2006-01-02") }
		e.load(t, []fixItem{
			{Raster: "/d/before.tif", Date: day(-1), XMin: 1, YMin: 1, XMax: 2, YMax: 2},
			{Raster: "/d/same.tif", Date: day(0), XMin: 1, YMin: 1, XMax: 2, YMax: 2},
			{Raster: "/d/after.tif", Date: day(1), XMin: 1, YMin: 1, XMax: 2, YMax: 2},
		})
		j := e.mustSubmit(t, e.m, "AcquisitionDate < CURRENT_DATE")
		stored := mustGet(t, e.m, j.ID)
		if want := "'" + catalog.Timestamp(fixedNow()) + "'"; !strings.Contains(stored.Clause, want) || strings.Contains(stored.Clause, "'now'") {
			t.Fatalf("stored clause %s: want now bound to %s", stored.Clause, want)
		}
		done := mustRun(t, e.m, j.ID, Succeeded)
		if got := e.removedIDs(t, done); !reflect.DeepEqual(got, []int64{1}) {
			t.Errorf("removed %v, want [1] (dated before the day of submission)", got)
		}
	})

	t.Run("OverlappingJobsRemoveDisjointSets", func(t *testing.T) {
		e := newEnv(t, genItems(1000, 19))
		before := e.rows(t)
		a := e.mustSubmit(t, e.m, "CloudCover > 50")
		b := e.mustSubmit(t, e.m, "CloudCover > 25")
		var wantB []int64
		for i, it := range e.items {
			if it.CloudCover != nil && *it.CloudCover > 25 {
				wantB = append(wantB, int64(i+1))
			}
		}
		// b runs first and takes every item both select; a finds none left.
		mustRun(t, e.m, b.ID, Succeeded)
		doneA := mustRun(t, e.m, a.ID, Succeeded)
		if doneA.Done != 0 {
			t.Errorf("a removed %d items that b had removed", doneA.Done)
		}
		if got := e.removedIDs(t, mustGet(t, e.m, b.ID)); !reflect.DeepEqual(got, wantB) {
			t.Errorf("b removed %d items, want %d", len(got), len(wantB))
		}
		assertRows(t, e.rows(t), without(before, wantB))
		_, err := e.m.Undo(ctx, a.ID)
		assertCode(t, err, catalog.Conflict)
		if _, err := e.m.Undo(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		assertRows(t, e.rows(t), before)
	})

	t.Run("ItemsAnUndoBringsBackWhileAJobWaitsAreRemovedIfTheyMatch", func(t *testing.T) {
		// A job removes the items up to its highest OBJECTID that match when
		// it runs: items an undo brings back before it starts were there,
		// under their OBJECTIDs, before it was submitted.
		for _, strategy := range []catalog.UndoKind{catalog.UndoRows, catalog.UndoSwap} {
			t.Run(string(strategy), func(t *testing.T) {
				e := newEnv(t, genItems(600, 31))
				e.m.Strategy = strategy
				before := e.rows(t)
				a := e.mustSubmit(t, e.m, "CloudCover > 80")
				mustRun(t, e.m, a.ID, Succeeded)
				b := e.mustSubmit(t, e.m, "SensorName = 'S1'")
				if _, err := e.m.Undo(ctx, a.ID); err != nil {
					t.Fatal(err)
				}
				doneB := mustRun(t, e.m, b.ID, Succeeded)
				var wantB []int64
				for i, it := range e.items {
					if it.Sensor == "S1" {
						wantB = append(wantB, int64(i+1))
					}
				}
				if got := e.removedIDs(t, doneB); !reflect.DeepEqual(got, wantB) {
					t.Errorf("b removed %d items, want every S1 item (%d), those a's undo brought back included", len(got), len(wantB))
				}
				assertRows(t, e.rows(t), without(before, wantB))
			})
		}
	})

	t.Run("UndoIsRefusedWhileAnotherDeleteIsRemoving", func(t *testing.T) {
		e := newEnv(t, genItems(800, 32))
		before := e.rows(t)
		a := e.mustSubmit(t, e.m, "CloudCover > 80")
		mustRun(t, e.m, a.ID, Succeeded)
		b := e.mustSubmit(t, e.m, "SensorName = 'S1'")
		e.m.OnBatch = func(*Job) error { return errors.New("stop") } // b stops after its first batch
		e.m.Run(ctx, b.ID)
		e.m.OnBatch = nil
		_, err := e.m.Undo(ctx, a.ID)
		assertCode(t, err, catalog.Conflict)
		if !strings.Contains(err.Error(), b.ID) {
			t.Errorf("the refusal does not name the running job: %v", err)
		}
		mustRun(t, e.m, b.ID, Succeeded)
		if _, err := e.m.Undo(ctx, a.ID); err != nil {
			t.Fatalf("undo once the other job finished: %v", err)
		}
		if _, err := e.m.Undo(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		assertRows(t, e.rows(t), before)
	})

	t.Run("FailedJobAndNewJobNeverRemoveTheSameItem", func(t *testing.T) {
		// A failed job is resumable; a new job may remove the items it has
		// not reached yet. Each item goes once, to one undo log.
		e := newEnv(t, genItems(800, 20))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		n := 0
		e.m.OnBatch = func(*Job) error {
			if n++; n == 1 {
				exec1(t, e.cat, `CREATE TRIGGER refuse_delete BEFORE DELETE ON "`+e.coll.Table()+`" BEGIN SELECT RAISE(ABORT, 'no'); END`)
			}
			return nil
		}
		mustRun(t, e.m, j.ID, Failed)
		exec1(t, e.cat, `DROP TRIGGER refuse_delete`)
		m := e.manager()
		k := e.mustSubmit(t, m, clause)
		doneK := mustRun(t, m, k.ID, Succeeded)
		doneJ := mustRun(t, m, j.ID, Succeeded)
		if doneJ.Done+doneK.Done != int64(len(e.matching())) {
			t.Errorf("the jobs removed %d + %d items, want %d in all", doneJ.Done, doneK.Done, len(e.matching()))
		}
		assertRows(t, e.rows(t), without(before, e.matching()))
		if _, err := m.Undo(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Undo(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		assertRows(t, e.rows(t), before)
	})
}

// TestFailedJobUndoThenResume: a failed job may be undone (it is finished)
// and also resumed (jobs resume retries failed jobs); doing both must not
// leave removed items that no undo can bring back.
func TestFailedJobUndoThenResume(t *testing.T) {
	e := newEnv(t, genItems(800, 21))
	before := e.rows(t)
	j := e.mustSubmit(t, e.m, clause)
	n := 0
	e.m.OnBatch = func(*Job) error {
		if n++; n == 1 {
			exec1(t, e.cat, `CREATE TRIGGER refuse_delete BEFORE DELETE ON "`+e.coll.Table()+`" BEGIN SELECT RAISE(ABORT, 'no'); END`)
		}
		return nil
	}
	mustRun(t, e.m, j.ID, Failed)
	exec1(t, e.cat, `DROP TRIGGER refuse_delete`)
	if _, err := e.m.Undo(ctx, j.ID); catalog.ErrorCode(err) == catalog.Conflict {
		return // refusing to undo a job that can still be resumed is a fine answer
	} else if err != nil {
		t.Fatalf("undo failed job: %v", err)
	}
	assertRows(t, e.rows(t), before)
	r, err := e.manager().Run(ctx, j.ID)
	if err != nil || r.Status != Succeeded && r.Status != Failed {
		return // refusing to resume an undone job is a fine answer
	}
	if len(e.rows(t)) == len(before) {
		return
	}
	_, err = e.m.Undo(ctx, j.ID)
	if err != nil {
		t.Errorf("an undone failed job was resumed, removed %d more items, and they cannot be undone: %v", len(before)-len(e.rows(t)), err)
	}
}

func hasMessage(j *Job, typ, text string) bool {
	for _, m := range j.Messages {
		if m.Type == typ && m.Description == text {
			return true
		}
	}
	return false
}

// exec1 runs one statement in a catalog transaction.
func exec1(t testing.TB, cat *catalog.Catalog, q string) {
	t.Helper()
	err := cat.Update(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, q)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestWaitingAndFailedTransitions covers the statuses a job reaches only
// through the server's queue (waiting) or a failure.
func TestWaitingAndFailedTransitions(t *testing.T) {
	t.Run("WaitingJobRuns", func(t *testing.T) {
		e := newEnv(t, genItems(300, 22))
		j := e.mustSubmit(t, e.m, clause)
		if err := e.m.MarkWaiting(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, e.m, j.ID); got.Status != Waiting {
			t.Fatalf("status %s, want %s", got.Status, Waiting)
		}
		mustRun(t, e.m, j.ID, Succeeded)
		// MarkWaiting applies to submitted jobs only.
		if err := e.m.MarkWaiting(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, e.m, j.ID); got.Status != Succeeded {
			t.Errorf("a finished job became %s", got.Status)
		}
	})

	t.Run("WaitingJobIsCancelledAtOnce", func(t *testing.T) {
		e := newEnv(t, genItems(300, 23))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		e.m.MarkWaiting(ctx, j.ID)
		c, err := e.m.Cancel(ctx, j.ID)
		if err != nil || c.Status != Cancelled {
			t.Fatalf("cancel waiting job: %v, %v", c, err)
		}
		assertRows(t, e.rows(t), before)
	})

	t.Run("FailedJobIsCancelled", func(t *testing.T) {
		e := newEnv(t, genItems(800, 24))
		before := e.rows(t)
		j := e.mustSubmit(t, e.m, clause)
		n := 0
		e.m.OnBatch = func(*Job) error {
			if n++; n == 1 {
				exec1(t, e.cat, `CREATE TRIGGER refuse_delete BEFORE DELETE ON "`+e.coll.Table()+`" BEGIN SELECT RAISE(ABORT, 'no'); END`)
			}
			return nil
		}
		mustRun(t, e.m, j.ID, Failed)
		exec1(t, e.cat, `DROP TRIGGER refuse_delete`)
		c, err := e.manager().Cancel(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		first := e.matchingUpTo(100)
		if c.Status != Cancelled || c.Done != int64(len(first)) {
			t.Errorf("cancelled failed job: %s done %d, want %s done %d", c.Status, c.Done, Cancelled, len(first))
		}
		assertRows(t, e.rows(t), without(before, first))
		if _, err := e.m.Undo(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		assertRows(t, e.rows(t), before)
	})
}
