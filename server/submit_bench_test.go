package server

import (
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"mosaic/catalog"
	"mosaic/jobs"
)

// BenchmarkSubmitJob measures DeleteImage submitJob on a collection of a
// million items (MOSAIC_BENCH_ITEMS sets another size), for a clause that
// selects every item and one that selects one, against a status poll of a
// job on the same server, in-process through the handler. A submission
// reads no item, so both clauses should cost the same, and little more
// than a poll: it reports the p50 and p99 of each and the ratio of the
// submissions' p99 to the polls'. The collection's worker is kept busy by
// a first job held after its first batch (holding no lock), so that the
// jobs submitted wait, as behind a long delete, and the benchmark measures
// submissions, not deletions.
//
//	go test ./server/ -run '^$' -bench SubmitJob -benchtime 3000x
func BenchmarkSubmitJob(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("MOSAIC_BENCH_ITEMS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	cat := mustOpen(b, "", nil)
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", SRS: "EPSG:32632", Fields: sceneFields})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cat.LoadManifest(ctx, coll, strings.NewReader(sceneManifest(n)), "bench.csv"); err != nil {
		b.Fatal(err)
	}
	m := jobs.NewManager(cat)
	m.Strategy, m.BatchSize, m.BatchTarget = catalog.UndoRows, 10, -1
	held, release := make(chan struct{}), make(chan struct{})
	first := true
	m.OnBatch = func(*jobs.Job) error {
		if first {
			first = false
			close(held)
			<-release
		}
		return nil
	}
	defer close(release)
	s, _ := newServer(b, m, Options{Log: io.Discard})
	h := s.Handler()
	submit := func(where string) (string, time.Duration) {
		t0 := time.Now()
		w := call(b, h, "POST", gpPath+"/DeleteImage/submitJob", url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {where}})
		d := time.Since(t0)
		id := jobIDRE.FindString(w.Body.String())
		if id == "" {
			b.Fatalf("submitJob: %s", w.Body)
		}
		return id, d
	}
	busy, _ := submit("OBJECTID <= 10")
	<-held
	poll := gpPath + "/DeleteImage/jobs/" + busy
	var all, one, polls []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		switch i % 3 {
		case 0:
			_, d := submit("CloudCover >= 0") // every item
			all = append(all, d)
		case 1:
			_, d := submit("OBJECTID = 1")
			one = append(one, d)
		case 2:
			t0 := time.Now()
			w := call(b, h, "GET", poll, url.Values{"f": {"json"}})
			polls = append(polls, time.Since(t0))
			if !strings.Contains(w.Body.String(), `"jobStatus":"esriJobExecuting"`) {
				b.Fatalf("poll: %s", w.Body)
			}
		}
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		if len(ds) == 0 {
			return 0
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(all, 0.5), "submit-all-p50-ms")
	b.ReportMetric(pct(all, 0.99), "submit-all-p99-ms")
	b.ReportMetric(pct(one, 0.5), "submit-one-p50-ms")
	b.ReportMetric(pct(one, 0.99), "submit-one-p99-ms")
	b.ReportMetric(pct(polls, 0.5), "poll-p50-ms")
	b.ReportMetric(pct(polls, 0.99), "poll-p99-ms")
	if p := pct(polls, 0.99); p > 0 {
		b.ReportMetric(max(pct(all, 0.99), pct(one, 0.99))/p, "submit/poll-p99")
	}
}
