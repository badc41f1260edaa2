// Command loadgen keeps C requests to one URL in flight for a while, each
// client on its own connection, and prints how they were answered: the
// ArcGIS error code of each (200 for an answer without one), and latency
// percentiles of the answers that were not refusals. bench/serve_memory.sh
// uses it to load `mosaic serve` with 100 and 1,000 concurrent queries.
//
// Usage: go run ./bench/loadgen -c 1000 -d 20s URL
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

func main() {
	concurrency := flag.Int("c", 100, "requests in flight")
	duration := flag.Duration("d", 20*time.Second, "how long to keep them in flight")
	timeout := flag.Duration("timeout", 60*time.Second, "timeout of one request")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: loadgen [-c N] [-d DURATION] URL")
		os.Exit(2)
	}
	url := flag.Arg(0)
	var mu sync.Mutex
	codes := map[string]int{}
	var latencies []time.Duration
	deadline := time.Now().Add(*duration)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < *concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One keep-alive connection per client: C clients are C
			// connections, as C browsers or scripts would be.
			client := &http.Client{Timeout: *timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}}
			<-start
			for time.Now().Before(deadline) {
				t0 := time.Now()
				code := get(client, url)
				took := time.Since(t0)
				mu.Lock()
				codes[code]++
				if code == "200" {
					latencies = append(latencies, took)
				}
				mu.Unlock()
				if code == "503" {
					time.Sleep(time.Second) // as Retry-After asks
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(p*float64(len(latencies)-1))].Round(time.Millisecond)
	}
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("concurrency %d for %s:", *concurrency, *duration)
	for _, k := range keys {
		fmt.Printf(" %s×%d", k, codes[k])
	}
	fmt.Printf("; answered in p50 %s, p99 %s, max %s\n", pct(0.5), pct(0.99), pct(1))
}

// get requests url and returns the ArcGIS error code of the answer, 200 for
// an answer without one, or "fail" when there is no answer.
func get(client *http.Client, url string) string {
	resp, err := client.Get(url)
	if err != nil {
		return "fail"
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "fail"
	}
	var v struct {
		Error *struct {
			Code int `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &v) == nil && v.Error != nil {
		return fmt.Sprint(v.Error.Code)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprint(resp.StatusCode)
	}
	return "200"
}
