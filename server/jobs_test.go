package server

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mosaic/catalog"
	"mosaic/jobs"
)

// TestConcurrentSubmits: 200 clients submit a DeleteImage on one collection
// at once. Each is answered within a second (a submission reads no item
// and waits its turn in the catalog's writer queue, not on SQLite's busy
// handler), and each job runs exactly once.
func TestConcurrentSubmits(t *testing.T) {
	const n = 200
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", n)
	m := jobs.NewManager(cat)
	var mu sync.Mutex
	runs := map[string]int{}
	m.OnBatch = func(j *jobs.Job) error {
		mu.Lock()
		runs[j.ID]++
		mu.Unlock()
		return nil
	}
	s, _ := newServer(t, m, Options{})
	h := s.Handler()
	ids := make([]string, n)
	took := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			w := call(t, h, "POST", gpPath+"/DeleteImage/submitJob", url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {fmt.Sprintf("OBJECTID = %d", i+1)}})
			took[i] = time.Since(start)
			ids[i] = jobIDRE.FindString(w.Body.String())
		}()
	}
	wg.Wait()
	var slowest time.Duration
	for i, d := range took {
		slowest = max(slowest, d)
		if ids[i] == "" {
			t.Fatalf("submission %d got no job id", i)
		}
	}
	t.Logf("%d concurrent submissions: the slowest answered in %v", n, slowest.Round(time.Millisecond))
	if slowest > time.Second && !raceDetector {
		t.Errorf("the slowest of %d concurrent submissions took %v, want ≤ 1s", n, slowest)
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, id := range ids {
		for {
			j, err := m.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if j.Status.Finished() {
				var texts []string
				for _, msg := range j.Messages {
					texts = append(texts, msg.Description)
				}
				if j.Status != jobs.Succeeded || j.Done != 1 || len(texts) != 3 || !strings.HasPrefix(texts[1], "Started: ") {
					t.Errorf("job %s: %s, %d removed, messages %q; want one run that removed its item", id, j.Status, j.Done, texts)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s still %s after a minute", id, j.Status)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		if runs[id] != 1 {
			t.Errorf("job %s ran %d batches, want 1: every job runs once", id, runs[id])
		}
	}
	if c := count(t, cat, "scenes"); c != 0 {
		t.Errorf("%d items left, want 0", c)
	}
}

// TestCancelRunningDelete cancels, through …/jobs/<jobId>/cancel, a delete
// that the server runs in many short batches back to back: the cancel is
// answered at once and the job stops between batches, as `mosaic jobs
// cancel` stops it. (It used to wait for SQLite's lock until the job had
// finished, then answer "already finished".) A delete that swaps is
// interrupted in the middle of its one transaction, which rolls back.
func TestCancelRunningDelete(t *testing.T) {
	for _, strategy := range []catalog.UndoKind{catalog.UndoRows, catalog.UndoSwap} {
		t.Run(string(strategy), func(t *testing.T) {
			items := 20000
			if strategy == catalog.UndoSwap {
				items = 100000 // a swap long enough to cancel in the middle
			}
			cat := mustOpen(t, "", nil)
			mustScenes(t, cat, "scenes", items)
			m := jobs.NewManager(cat)
			m.Strategy = strategy
			m.BatchSize, m.BatchTarget = 20, -1
			s, _ := newServer(t, m, Options{})
			h := s.Handler()
			var v struct{ JobID string }
			decode(t, call(t, h, "POST", gpPath+"/DeleteImage/submitJob", url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"CloudCover >= 50"}}).Body.Bytes(), &v)
			// Wait until it runs: a batch committed, or the swap began.
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
				j, err := m.Get(ctx, v.JobID)
				if err != nil {
					t.Fatal(err)
				}
				if strategy == catalog.UndoRows && j.Done > 0 || strategy == catalog.UndoSwap && j.Strategy != "" {
					break
				}
				if j.Status.Finished() || time.Now().After(deadline) {
					t.Fatalf("job %s before it could be cancelled: %+v", j.Status, j.Messages)
				}
			}
			start := time.Now()
			w := call(t, h, "POST", gpPath+"/DeleteImage/jobs/"+v.JobID+"/cancel", url.Values{"f": {"json"}})
			took := time.Since(start)
			var d jobDoc
			decode(t, w.Body.Bytes(), &d)
			if d.JobStatus != jobs.Cancelling && d.JobStatus != jobs.Cancelled {
				t.Fatalf("cancel answered %s %+v", d.JobStatus, d.Messages)
			}
			if took > time.Second && !raceDetector {
				t.Errorf("cancel took %v, want ≤ 1s", took)
			}
			var j *jobs.Job
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				var err error
				if j, err = m.Get(ctx, v.JobID); err != nil {
					t.Fatal(err)
				}
				if j.Status.Finished() || time.Now().After(deadline) {
					break
				}
			}
			t.Logf("cancel answered %s in %v; the job ended %s after removing %d items, at OBJECTID %d of %d", d.JobStatus, took.Round(time.Millisecond), j.Status, j.Done, j.Cursor, j.HighOID)
			if j.Status != jobs.Cancelled || j.Cursor >= j.HighOID {
				t.Errorf("job %s at OBJECTID %d of %d, want cancelled half-way", j.Status, j.Cursor, j.HighOID)
			}
			if strategy == catalog.UndoSwap && j.Done != 0 {
				t.Errorf("an interrupted swap removed %d items, want 0 (its transaction rolls back)", j.Done)
			}
			if c := count(t, cat, "scenes"); c != int64(items)-j.Done {
				t.Errorf("%d items left, want %d", c, int64(items)-j.Done)
			}
		})
	}
}

// TestServeAppliesRetention: mosaic serve purges, on its own and
// periodically, the undo logs that the catalog's retention setting says are
// too old, and logs it.
func TestServeAppliesRetention(t *testing.T) {
	old := retainEvery
	retainEvery = 20 * time.Millisecond
	defer func() { retainEvery = old }()
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 100)
	m := jobs.NewManager(cat)
	j, err := m.SubmitDeleteImage(ctx, jobs.DeleteImageParams{ImageCollection: "scenes", Where: "CloudCover < 50"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	sv := startServing(t, m, nil, Options{})
	time.Sleep(100 * time.Millisecond) // a few rounds: nothing is old enough, nothing is set
	if got, _ := m.Get(ctx, j.ID); !got.Purged.IsZero() {
		t.Fatal("purged without a retention setting")
	}
	if err := m.SetSetting(ctx, jobs.SettingRetention, "30d"); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.DB().Exec("UPDATE jobs SET finished = datetime('now', '-40 days') WHERE id = ?", j.ID); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, err := m.Get(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Purged.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not purge a job finished 40 days ago under retention 30d")
		}
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(sv.logs.String(), "retention: purged the undo logs of 1 job(s)"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the log does not say what was purged:\n%s", sv.logs)
		}
	}
}
