package server

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"mosaic/jobs"
)

// queue holds the jobs of one collection that wait for its worker, in
// submission order.
type queue struct {
	pending []queued
	running bool // a worker goroutine drains the queue
}

type queued struct{ id, task string }

// runnable reports whether the server runs jobs of task in a worker.
// DeleteImageCollection runs when it is submitted, and undo only from the
// command line.
func runnable(task string) bool {
	switch task {
	case jobs.TaskDeleteImage, jobs.TaskAddImage, jobs.TaskCreateImageCollection:
		return true
	}
	return false
}

// queueKey names the queue of a job: its collection, case-insensitively,
// as collection names are. A CreateImageCollection job has no collection
// yet; the name it creates is its input.
func queueKey(j *jobs.Job) string {
	name := j.CollectionName
	if name == "" {
		name = j.Input("imageCollection")
	}
	if name == "" {
		return "job " + j.ID
	}
	return strings.ToLower(name)
}

// enqueue queues job j behind the other jobs of its collection, starting
// the collection's worker if none runs. A job that has to wait is marked
// esriJobWaiting.
func (s *Server) enqueue(ctx context.Context, j *jobs.Job) error {
	key := queueKey(j)
	s.mu.Lock()
	if s.stopping.Load() {
		s.mu.Unlock()
		return errShuttingDown
	}
	if s.queued == nil {
		s.queued = map[string]bool{}
	}
	if s.queued[j.ID] {
		s.mu.Unlock()
		return errAlreadyQueued
	}
	s.queued[j.ID] = true
	q := s.queues[key]
	if q == nil {
		q = &queue{}
		s.queues[key] = q
	}
	busy := q.running || len(q.pending) > 0
	q.pending = append(q.pending, queued{j.ID, j.Task})
	if !q.running {
		q.running = true
		s.workers.Add(1)
		go s.drain(key, q)
	}
	s.mu.Unlock()
	if busy && j.Status == jobs.Submitted {
		// The worker may have started the job meanwhile: MarkWaiting only
		// changes a job that is still submitted.
		if err := s.m.MarkWaiting(ctx, j.ID); err != nil {
			s.logf("job %s: mark waiting: %v", j.ID, err)
		}
	}
	return nil
}

// errAlreadyQueued means enqueue was given a job this server queued before.
var errAlreadyQueued = errors.New("job already queued")

// beginStop makes enqueue refuse new jobs. Taking the lock orders it with
// enqueue, so that no worker starts after Stop began to wait.
func (s *Server) beginStop() {
	s.mu.Lock()
	s.stopping.Store(true)
	s.mu.Unlock()
}

// drain runs the jobs of queue q one at a time until it is empty or the
// server stops; jobs left in it stay queued in the catalog.
func (s *Server) drain(key string, q *queue) {
	defer s.workers.Done()
	for {
		s.mu.Lock()
		if len(q.pending) == 0 || s.stopping.Load() {
			q.running = false
			if len(q.pending) == 0 {
				delete(s.queues, key)
			}
			s.mu.Unlock()
			return
		}
		next := q.pending[0]
		q.pending = q.pending[1:]
		s.mu.Unlock()
		s.runJob(next)
	}
}

// runJob runs one job to its end, or until the server stops it, and logs
// the outcome.
func (s *Server) runJob(next queued) {
	defer func() {
		if p := recover(); p != nil {
			s.logf("job %s: internal error: %v\n%s", next.id, p, debug.Stack())
		}
	}()
	var j *jobs.Job
	var err error
	if runnable(next.task) {
		j, err = s.m.Run(s.work, next.id)
	} else {
		err = fmt.Errorf("task %s is not run by the server", next.task)
	}
	switch {
	case errors.Is(err, jobs.ErrOwned):
		s.logf("job %s: another process runs it", next.id)
	case err != nil && (s.stopping.Load() || s.work.Err() != nil):
		done, total := int64(0), int64(0)
		if j != nil {
			done, total = j.Done, j.Total
		}
		s.logf("job %s: stopped by shutdown at %d of %d items; it resumes at the next start", next.id, done, total)
	case err != nil:
		s.logf("job %s: %v", next.id, err)
	case j != nil:
		s.logf("job %s %s: %s (%d of %d items)", j.ID, j.Task, j.Status, j.Done, j.Total)
	}
}

// retainEvery is how often the server applies the catalog's retention
// setting (jobs.Manager.ApplyRetention); each job's end applies it too.
var retainEvery = time.Hour

// retain applies the retention setting now and every retainEvery until ctx
// ends, and logs what it purged.
func (s *Server) retain(ctx context.Context) {
	t := time.NewTicker(retainEvery)
	defer t.Stop()
	for {
		r, err := s.m.ApplyRetention(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.logf("retention: %v", err)
		case r != nil && len(r.Purged) > 0:
			s.logf("retention: purged the undo logs of %d job(s), %s freed", len(r.Purged), jobs.FormatBytes(r.FreedBytes))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
