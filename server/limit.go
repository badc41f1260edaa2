package server

import (
	"context"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"
)

// Defaults of the bound on concurrent catalog reads (see Options). Reads
// run on the CPU, so more of them than cores add memory (a connection's
// page cache each) and no throughput.
var defaultMaxReads = max(2, runtime.GOMAXPROCS(0))

const (
	defaultMaxQueued   = 128
	defaultQueueWait   = 10 * time.Second
	busyRetryAfterSecs = "1"
)

// readWriteTimeout bounds how long a bounded read may wait on a client
// that does not read its answer (a variable for tests).
var readWriteTimeout = 2 * time.Minute

// limiter bounds the requests that read many items at once: at most cap(slots)
// run, at most maxQueued wait, each at most wait. Without it, each request
// in flight held a pooled SQLite connection and its page cache: 100
// concurrent queries of a 300,000-item collection took the server to 5.9 GB.
type limiter struct {
	slots     chan struct{}
	waiting   atomic.Int64
	maxQueued int64
	wait      time.Duration
}

func newLimiter(running, queued int, wait time.Duration) *limiter {
	return &limiter{slots: make(chan struct{}, running), maxQueued: int64(queued), wait: wait}
}

// errBusy answers a request that found the queue full or waited too long.
var errBusy = errorf(codeUnavailable, "the server is busy reading the catalog for other requests: try again in a moment")

// acquire takes a slot, waiting in the queue if none is free, and returns
// the function that gives it back. A full queue, or a wait longer than the
// limit, is errBusy; a client that goes away stops waiting.
func (l *limiter) acquire(ctx context.Context) (func(), error) {
	release := func() { <-l.slots }
	select {
	case l.slots <- struct{}{}:
		return release, nil
	default:
	}
	if l.waiting.Add(1) > l.maxQueued {
		l.waiting.Add(-1)
		return nil, errBusy
	}
	defer l.waiting.Add(-1)
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// limited runs serve as one of the bounded catalog reads (see limiter).
// While it runs, writes to a client that does not read its answer time out
// after readWriteTimeout, so that a slow reader cannot keep a slot.
func (s *Server) limited(req *request, serve func()) {
	release, err := s.reads.acquire(req.Context())
	if err != nil {
		if err == errBusy {
			req.w.Header().Set("Retry-After", busyRetryAfterSecs)
		}
		s.fail(req, err)
		return
	}
	defer release()
	// net/http clears the deadline when the request ends, so it does not
	// cut the requests that follow on a keep-alive connection.
	http.NewResponseController(req.w).SetWriteDeadline(time.Now().Add(readWriteTimeout))
	serve()
}
