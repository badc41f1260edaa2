// Package server answers the ArcGIS REST paths of the Raster Analysis
// geoprocessing service (…/System/RasterAnalysisTools/GPServer/<Task>/…) and
// of the image services that collections stand for
// (…/Hosted/<name>/ImageServer), over one catalog, so that scripts, apps and
// test suites written for an ArcGIS server run offline.
//
// It is a thin layer: it parses and bounds requests, maps errors to ArcGIS
// error JSON, renders JSON and small HTML pages, and runs jobs in workers,
// one per collection, in submission order. The work itself is done by
// packages jobs and catalog. It never builds SQL, never hands a user's text
// to SQLite except through them, and never writes, moves or deletes a source
// raster.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mosaic/catalog"
	"mosaic/internal/textutil"
	"mosaic/jobs"
)

// Options configure a Server. The zero value serves without a token and
// logs to stderr.
type Options struct {
	// Token, when not empty, is the shared secret every request must
	// present, as the token parameter or an "Authorization: Bearer" (or
	// "X-Esri-Authorization: Bearer") header. Serve refuses a listener that
	// is not on a loopback address unless a token is set.
	Token string
	// CORSOrigins are the web origins (scheme://host[:port]) whose pages
	// may read the answers and, being trusted so, submit and cancel jobs;
	// "*" allows every origin and needs a Token. None by default.
	CORSOrigins []string
	// Log receives the access log (one line per request) and the reports of
	// faults and job runs. Nil means os.Stderr.
	Log io.Writer
	// ShutdownGrace bounds how long Serve waits, once its context ends, for
	// the running jobs to reach a safe point (a DeleteImage batch commits)
	// and for requests in flight to finish. After it, running work is
	// interrupted (its transaction rolls back; the job stays resumable).
	// Zero means 10 seconds.
	ShutdownGrace time.Duration
	// RescanEvery is how often Serve looks for jobs submitted by other
	// processes (mosaic delete-image --no-wait) or orphaned while it runs.
	// Zero means 5 seconds.
	RescanEvery time.Duration
	// MaxReads bounds the requests that read many items at once (image
	// service queries and descriptions, the Hosted folder, job results)
	// running together; MaxQueued bounds those waiting for one of them to
	// finish, and QueueWait how long each waits. A request beyond the
	// queue, or waiting longer, is answered 503 (busy, retry). Zero means
	// the number of CPUs (at least 2), 128 and 10 seconds.
	MaxReads, MaxQueued int
	QueueWait           time.Duration
}

// Server serves one catalog through its job manager.
type Server struct {
	m     *jobs.Manager
	cat   *catalog.Catalog
	opts  Options
	log   *log.Logger
	reqID struct {
		prefix string
		n      atomic.Uint64
	}
	reads *limiter // bounds the requests that read many items (see Options.MaxReads)

	// Job workers: one goroutine per queue key (a collection), running its
	// jobs one at a time in submission order.
	mu       sync.Mutex
	queues   map[string]*queue
	queued   map[string]bool // ids of the jobs this server has queued, so a rescan does not queue them twice
	stopping atomic.Bool     // no new jobs; running deletes stop after their batch
	work     context.Context
	stopWork context.CancelFunc
	workers  sync.WaitGroup
}

// New returns a server over m's catalog. The server works on its own copy
// of m, whose OnBatch hook also stops a running delete between batches
// when the server shuts down; m itself is not changed. Call Serve to serve
// on a listener, or Handler to mount the API elsewhere (then Stop ends the
// workers).
func New(m *jobs.Manager, opts Options) *Server {
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 10 * time.Second
	}
	if opts.MaxReads <= 0 {
		opts.MaxReads = defaultMaxReads
	}
	if opts.MaxQueued <= 0 {
		opts.MaxQueued = defaultMaxQueued
	}
	if opts.QueueWait <= 0 {
		opts.QueueWait = defaultQueueWait
	}
	s := &Server{cat: m.Catalog(), opts: opts, log: log.New(opts.Log, "", 0), queues: map[string]*queue{},
		reads: newLimiter(opts.MaxReads, opts.MaxQueued, opts.QueueWait)}
	own := *m
	prev := m.OnBatch
	own.OnBatch = func(j *jobs.Job) error {
		if prev != nil {
			if err := prev(j); err != nil {
				return err
			}
		}
		if s.stopping.Load() {
			return errors.New("the server is shutting down")
		}
		return nil
	}
	own.Notify = func(msg string) { s.logf("%s", msg) }
	s.m = &own
	s.work, s.stopWork = context.WithCancel(context.Background())
	var b [3]byte
	rand.Read(b[:])
	s.reqID.prefix = hex.EncodeToString(b[:])
	return s
}

// Handler returns the HTTP handler of the REST API.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// logf writes one line to the server's log. Text that comes from outside
// (paths and queries, parameters, names, error messages that quote them)
// has its control characters escaped, so that no client can forge a log
// line or drive the terminal of whoever reads the log; a []byte argument
// (a stack trace) is written as it is.
func (s *Server) logf(format string, args ...any) {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = textutil.Escape(v)
		case error:
			args[i] = textutil.Escape(v.Error())
		case fmt.Stringer:
			args[i] = textutil.Escape(v.String())
		}
	}
	s.log.Printf("%s "+format, append([]any{time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}, args...)...)
}

// escapingWriter escapes the control characters of each line written to
// it but its final newline: net/http's own messages quote what clients
// sent.
type escapingWriter struct{ w io.Writer }

func (e escapingWriter) Write(p []byte) (int, error) {
	line := strings.TrimSuffix(string(p), "\n")
	if _, err := io.WriteString(e.w, textutil.Escape(line)+"\n"); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Resume queues the jobs that no live process runs (submitted or waiting
// jobs nobody picked up, and jobs whose process died or was stopped), oldest
// first, and returns how many it queued.
func (s *Server) Resume(ctx context.Context) (int, error) {
	orphans, err := s.m.Orphans(ctx)
	if err != nil {
		return 0, fmt.Errorf("find jobs to resume: %w", err)
	}
	n := 0
	for _, j := range orphans {
		if !runnable(j.Task) {
			continue
		}
		if err := s.enqueue(ctx, j); errors.Is(err, errAlreadyQueued) {
			continue
		} else if err != nil {
			return n, fmt.Errorf("resume job %s: %w", j.ID, err)
		}
		s.logf("resume job %s (%s on %s, %s, %d of %d items done)", j.ID, j.Task, queueKey(j), j.Status, j.Done, j.Total)
		n++
	}
	return n, nil
}

// rescan queues, every Options.RescanEvery until ctx ends, the jobs no live
// process runs.
func (s *Server) rescan(ctx context.Context) {
	every := s.opts.RescanEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.stopping.Load() {
				return
			}
			if _, err := s.Resume(ctx); err != nil && ctx.Err() == nil && !errors.Is(err, errShuttingDown) {
				s.logf("rescan: %v", err)
			}
		}
	}
}

// IsLoopback reports whether a listener address accepts connections from
// this machine only.
func IsLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return false
	}
	return tcp.IP != nil && tcp.IP.IsLoopback()
}

// Serve resumes the orphaned jobs, then serves HTTP on ln until ctx ends.
// Then it stops taking jobs, lets each running delete commit its batch and
// stop (the job stays resumable), waits for requests in flight, and
// returns nil. It refuses a non-loopback listener without a token.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.opts.Token == "" && !IsLoopback(ln.Addr()) {
		ln.Close()
		return fmt.Errorf("refusing to serve on %s without a token: anyone who can reach it could delete items; give a token file, or bind a loopback address such as 127.0.0.1", ln.Addr())
	}
	if err := CheckCORSOrigins(s.opts.CORSOrigins, s.opts.Token); err != nil {
		ln.Close()
		return err
	}
	if _, err := s.Resume(ctx); err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(escapingWriter{s.opts.Log}, "http: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	go s.rescan(ctx)
	go s.retain(ctx)
	select {
	case err := <-served:
		s.Close()
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	s.logf("shutting down: no new jobs; running jobs stop after their current batch")
	grace, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownGrace)
	defer cancel()
	s.beginStop()
	shut := make(chan error, 1)
	go func() { shut <- hs.Shutdown(grace) }()
	s.Stop(grace)
	if err := <-shut; err != nil {
		hs.Close()
	}
	s.logf("stopped")
	return nil
}

// Stop stops taking jobs and waits for the workers: a running delete stops
// after its current batch commits, queued jobs stay queued in the catalog
// (Resume picks them up at the next start). When ctx ends first, running
// work is interrupted.
func (s *Server) Stop(ctx context.Context) {
	s.beginStop()
	done := make(chan struct{})
	go func() {
		s.workers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.logf("grace period over: interrupting running jobs (they stay resumable)")
		s.stopWork()
		<-done
	}
	s.stopWork()
}

// Close stops at once: running work is interrupted (its transaction rolls
// back and the job stays resumable) and Close waits for the workers.
func (s *Server) Close() {
	s.beginStop()
	s.stopWork()
	s.workers.Wait()
}
