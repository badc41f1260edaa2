package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mosaic/jobs"
)

// BenchmarkStatusPolls measures job status polls (GET …/jobs/<jobId>?f=json)
// from concurrent clients over real loopback connections, as ArcGIS clients
// poll: each client keeps its connection alive. It reports requests per
// second and latency percentiles, and fails on any error.
//
// By default it serves a catalog of its own in-process. With
// MOSAIC_LOAD_URL set to a job URL it polls that instead (see
// bench/serve_load.sh, which runs it against the mosaic binary).
//
//	go test ./server/ -run '^$' -bench StatusPolls -benchtime 20000x
func BenchmarkStatusPolls(b *testing.B) {
	target := os.Getenv("MOSAIC_LOAD_URL")
	want := []byte(`"jobStatus":"esriJobSucceeded"`)
	if target == "" {
		cat := mustOpen(b, "", nil)
		mustScenes(b, cat, "scenes", 1000)
		m := jobs.NewManager(cat)
		j, err := m.SubmitDeleteImage(ctx, jobs.DeleteImageParams{ImageCollection: "scenes", Where: "CloudCover < 50"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Run(ctx, j.ID); err != nil {
			b.Fatal(err)
		}
		sv := startServing(b, m, nil, Options{Log: io.Discard})
		target = sv.base + gpPath + "/DeleteImage/jobs/" + j.ID + "?f=json"
	} else {
		want = []byte(`"jobStatus":`)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 1024, MaxIdleConns: 1024}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  atomic.Int64
		firstErr  atomic.Value
	)
	b.SetParallelism(8) // 8 clients per GOMAXPROCS
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var lat []time.Duration
		for pb.Next() {
			t0 := time.Now()
			err := poll(client, target, want)
			lat = append(lat, time.Since(t0))
			if err != nil {
				failures.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
		}
		mu.Lock()
		latencies = append(latencies, lat...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d polls failed; first: %v", n, len(latencies), firstErr.Load())
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}

// poll GETs a job document and checks it.
func poll(client *http.Client, target string, want []byte) error {
	resp, err := client.Get(target)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, want) {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	return nil
}

// BenchmarkQueryPages measures pages of an image service query
// (where=1=1, 100 items a page, no geometry) from concurrent clients over
// loopback, each paging through the collection in order from its own
// starting page, as GDAL and queryAllFeatures page. It reports requests
// per second and latency percentiles, and fails on any error.
//
// By default it serves 20,000 items in-process. With MOSAIC_QUERY_URL set
// to an ImageServer URL it pages that one (bench/serve_load.sh).
//
//	go test ./server/ -run '^$' -bench QueryPages -benchtime 5000x
func BenchmarkQueryPages(b *testing.B) {
	service := os.Getenv("MOSAIC_QUERY_URL")
	if service == "" {
		cat := mustOpen(b, "", nil)
		mustScenes(b, cat, "scenes", 20000)
		sv := startServing(b, jobs.NewManager(cat), nil, Options{Log: io.Discard})
		service = sv.base + scenesPath
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 1024, MaxIdleConns: 1024}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	resp, err := client.Get(service + "/query?f=json&where=1%3D1&returnCountOnly=true")
	if err != nil {
		b.Fatal(err)
	}
	var cnt struct{ Count int64 }
	err = json.NewDecoder(resp.Body).Decode(&cnt)
	resp.Body.Close()
	if err != nil || cnt.Count == 0 {
		b.Fatalf("count: %v (%d items)", err, cnt.Count)
	}
	const page = 100
	pages := (cnt.Count + page - 1) / page
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  atomic.Int64
		firstErr  atomic.Value
		clients   atomic.Int64
	)
	want := []byte(`"features":[`)
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		p := (clients.Add(1) * 7919) % pages // each client starts on its own page
		var lat []time.Duration
		for pb.Next() {
			target := fmt.Sprintf("%s/query?f=json&where=1%%3D1&outFields=OBJECTID,Name,CloudCover&returnGeometry=false&resultRecordCount=%d&resultOffset=%d", service, page, p*page)
			t0 := time.Now()
			err := poll(client, target, want)
			lat = append(lat, time.Since(t0))
			if err != nil {
				failures.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
			p = (p + 1) % pages
		}
		mu.Lock()
		latencies = append(latencies, lat...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d pages failed; first: %v", n, len(latencies), firstErr.Load())
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}
