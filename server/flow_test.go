package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mosaic/catalog"
	"mosaic/jobs"
)

// serving is a server serving on a real loopback listener.
type serving struct {
	s    *Server
	logs *syncBuffer
	base string
	stop context.CancelFunc
	done chan error

	once   sync.Once
	result error
}

// startServing serves m on 127.0.0.1:0 until the test ends (or stop).
// ln may be nil; cat's base URL must be the listener's when results are
// followed.
func startServing(tb testing.TB, m *jobs.Manager, ln net.Listener, opts Options) *serving {
	tb.Helper()
	if ln == nil {
		ln = listen(tb)
	}
	s, logs := newServer(tb, m, opts)
	sctx, stop := context.WithCancel(ctx)
	sv := &serving{s: s, logs: logs, base: "http://" + ln.Addr().String(), stop: stop, done: make(chan error, 1)}
	go func() { sv.done <- s.Serve(sctx, ln) }()
	tb.Cleanup(func() { sv.shutdown(tb) })
	return sv
}

// shutdown stops the server as SIGTERM does and waits for Serve to return.
func (sv *serving) shutdown(tb testing.TB) {
	tb.Helper()
	sv.stop()
	if err := sv.wait(); err != nil {
		tb.Errorf("Serve: %v", err)
	}
}

// wait waits for Serve to return and returns its error.
func (sv *serving) wait() error {
	sv.once.Do(func() {
		select {
		case sv.result = <-sv.done:
		case <-time.After(20 * time.Second):
			sv.result = fmt.Errorf("Serve did not return 20s after shutdown began")
		}
	})
	return sv.result
}

func listen(tb testing.TB) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return ln
}

func (sv *serving) client(tb testing.TB) *client {
	return &client{tb: tb, base: sv.base, http: &http.Client{Timeout: 20 * time.Second}}
}

// resultValue is a result whose value points at a collection.
type resultValue struct {
	ParamName string `json:"paramName"`
	DataType  string `json:"dataType"`
	Value     struct {
		URL    string `json:"url"`
		ItemID string `json:"itemId"`
	} `json:"value"`
}

// featureSet is the part of a query answer tests look at.
type featureSet struct {
	Features []struct {
		Attributes map[string]any `json:"attributes"`
		Geometry   *struct {
			Rings [][][2]float64 `json:"rings"`
		} `json:"geometry"`
	} `json:"features"`
	Exceeded bool `json:"exceededTransferLimit"`
}

// TestClientFlow drives the tasks over HTTP as an ArcGIS client does:
// submit, poll until done, read the result, follow its URL, query.
func TestClientFlow(t *testing.T) {
	ln := listen(t)
	base := "http://" + ln.Addr().String()
	cat := mustOpen(t, base, nil)
	sv := startServing(t, jobs.NewManager(cat), ln, Options{})
	c := sv.client(t)

	// CreateImageCollection, with the name and fields as ArcGIS clients give them.
	id := c.submit("CreateImageCollection", url.Values{
		"imageCollection": {`{"serviceProperties":{"name":"scenes"}}`},
		"srs":             {`{"wkid":32632}`},
		"fields":          {`[{"name":"CloudCover","type":"esriFieldTypeDouble"},"AcquisitionDate:DATE","SensorName:TEXT"]`},
		"context":         {`{"outSR":{"wkid":3857}}`},
	})
	if d := c.wait("CreateImageCollection", id); d.JobStatus != jobs.Succeeded {
		t.Fatalf("CreateImageCollection %s: %+v", d.JobStatus, d.Messages)
	}
	var created resultValue
	c.get(gpPath+"/CreateImageCollection/jobs/"+id+"/results/result", nil, &created)
	svc := base + "/arcgis/rest/services/Hosted/scenes/ImageServer"
	if created.Value.URL != svc || len(created.Value.ItemID) != 32 {
		t.Fatalf("CreateImageCollection result %+v, want url %s and an item id", created, svc)
	}

	// AddImage from a manifest, naming the collection by URL.
	manifest := filepath.Join(t.TempDir(), "scenes.csv")
	if err := os.WriteFile(manifest, []byte(sceneManifest(500)), 0o644); err != nil {
		t.Fatal(err)
	}
	id = c.submit("AddImage", url.Values{"imageCollection": {`{"url":"` + svc + `"}`}, "manifest": {manifest}})
	if d := c.wait("AddImage", id); d.JobStatus != jobs.Succeeded {
		t.Fatalf("AddImage %s: %+v", d.JobStatus, d.Messages)
	}

	// AddImage from GeoTIFF files, one of which is not one.
	id = c.submit("CreateImageCollection", url.Values{"imageCollection": {"tiffs"}, "fields": {"AcquisitionDate:DATE"}})
	c.wait("CreateImageCollection", id)
	tiffs, _ := filepath.Abs("../testdata/geotiff")
	id = c.submit("AddImage", url.Values{"imageCollection": {"tiffs"},
		"inputRasters": {fmt.Sprintf(`[%q, {"uri": %q}, %q]`, tiffs+"/4band-u8-32632.tif", tiffs+"/le-strips-u8-32632.tif", tiffs+"/not-a-tiff.tif")},
		"attributes":   {`{"acquisitiondate": 1700000000000}`}})
	d := c.wait("AddImage", id)
	if d.JobStatus != jobs.Succeeded || !hasMessage(d, "Skipped "+tiffs+"/not-a-tiff.tif") || !hasMessage(d, "Added 2 rasters to tiffs; skipped 1") {
		t.Fatalf("AddImage of GeoTIFFs %s: %+v", d.JobStatus, d.Messages)
	}
	var fs featureSet
	c.get("/arcgis/rest/services/Hosted/tiffs/ImageServer/query", url.Values{"where": {"1=1"}, "outFields": {"AcquisitionDate,BandCount"}}, &fs)
	if len(fs.Features) != 2 || fs.Features[0].Attributes["AcquisitionDate"] != float64(1700000000000) || fs.Features[0].Geometry == nil {
		t.Fatalf("tiffs query: %+v", fs)
	}

	// DeleteImage, naming the collection by item id as ArcGIS clients do.
	var info imageServiceInfo
	c.get(created.Value.URL, nil, &info)
	if info.ItemCount != 500 || info.ServiceItemID != created.Value.ItemID {
		t.Fatalf("service info before delete: %d items, item id %s", info.ItemCount, info.ServiceItemID)
	}
	id = c.submit("DeleteImage", url.Values{"imageCollection": {`{"itemId":"` + info.ServiceItemID + `"}`}, "where": {"CloudCover >= 50"}})
	d = c.wait("DeleteImage", id)
	if d.JobStatus != jobs.Succeeded || d.Results["result"].ParamURL == "" || d.Results["removedItems"].ParamURL == "" {
		t.Fatalf("DeleteImage %s: %+v", d.JobStatus, d)
	}
	var result resultValue
	c.get(gpPath+"/DeleteImage/jobs/"+id+"/"+d.Results["result"].ParamURL, nil, &result)
	if result.ParamName != "result" || result.Value.URL != svc {
		t.Fatalf("DeleteImage result %+v, want url %s", result, svc)
	}
	c.get(result.Value.URL, nil, &info) // the URL answers
	if info.ItemCount != 250 {
		t.Errorf("after delete: %d items, want 250", info.ItemCount)
	}
	var n struct{ Count int }
	c.get(result.Value.URL+"/query", url.Values{"where": {"CloudCover >= 50"}, "returnCountOnly": {"true"}}, &n)
	if n.Count != 0 {
		t.Errorf("%d items with CloudCover >= 50 remain", n.Count)
	}
	// Page through what remains.
	seen := 0
	for offset := 0; ; offset += 100 {
		var page featureSet
		c.post(result.Value.URL+"/query", url.Values{"where": {"1=1"}, "outFields": {"OBJECTID,CloudCover"}, "returnGeometry": {"false"},
			"resultOffset": {fmt.Sprint(offset)}, "resultRecordCount": {"100"}}, &page)
		for _, f := range page.Features {
			if f.Attributes["CloudCover"].(float64) >= 50 || f.Geometry != nil {
				t.Fatalf("page at %d: %+v", offset, f)
			}
		}
		seen += len(page.Features)
		if !page.Exceeded {
			break
		}
	}
	if seen != 250 {
		t.Errorf("paged through %d items, want 250", seen)
	}
	var removed struct {
		Value featureSet `json:"value"`
	}
	c.get(gpPath+"/DeleteImage/jobs/"+id+"/"+d.Results["removedItems"].ParamURL, nil, &removed)
	if len(removed.Value.Features) != 250 {
		t.Errorf("removedItems lists %d items, want 250", len(removed.Value.Features))
	}

	// A finished job cannot be cancelled; the answer says why.
	if _, err := c.raw(http.MethodPost, gpPath+"/DeleteImage/jobs/"+id+"/cancel", nil); err != nil {
		t.Fatal(err)
	}

	// DeleteImageCollection: finished when submitted; the service is gone.
	id = c.submit("DeleteImageCollection", url.Values{"imageCollection": {"tiffs"}})
	if d := c.wait("DeleteImageCollection", id); d.JobStatus != jobs.Succeeded {
		t.Fatalf("DeleteImageCollection %s: %+v", d.JobStatus, d.Messages)
	}
	body, err := c.raw(http.MethodGet, "/arcgis/rest/services/Hosted/tiffs/ImageServer", nil)
	if e, ok := errorOf(t, body); err != nil || !ok || e.Code != 404 {
		t.Errorf("deleted collection's service: %s %v", body, err)
	}

	// One access log line per request.
	lines := regexp.MustCompile(`(?m)^\S+ [0-9a-f]{6}-[0-9]+ 127\.0\.0\.1:[0-9]+ (GET|POST) /arcgis/`).FindAllString(sv.logs.String(), -1)
	if int64(len(lines)) != c.n.Load() {
		t.Errorf("%d access log lines for %d requests:\n%s", len(lines), c.n.Load(), sv.logs)
	}
}

func hasMessage(d jobDoc, prefix string) bool {
	for _, m := range d.Messages {
		if strings.HasPrefix(m.Description, prefix) {
			return true
		}
	}
	return false
}

// TestJobsRunInSubmissionOrder checks that the jobs of one collection run
// one at a time, in the order they were submitted, and wait
// (esriJobWaiting) meanwhile.
func TestJobsRunInSubmissionOrder(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 3000)
	m := jobs.NewManager(cat)
	m.BatchSize, m.Strategy = 100, catalog.UndoRows
	var mu sync.Mutex
	var batches []string // the job of each batch, in order
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	m.OnBatch = func(j *jobs.Job) error {
		mu.Lock()
		batches = append(batches, j.ID)
		mu.Unlock()
		once.Do(func() {
			close(entered)
			<-release
		})
		return nil
	}
	s, _ := newServer(t, m, Options{})
	h := s.Handler()
	submit := func(where string) string {
		var v struct{ JobID string }
		decode(t, call(t, h, "POST", gpPath+"/DeleteImage/submitJob", url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {where}}).Body.Bytes(), &v)
		return v.JobID
	}
	status := func(id string) jobDoc {
		var d jobDoc
		decode(t, call(t, h, "GET", gpPath+"/DeleteImage/jobs/"+id, url.Values{"f": {"json"}}).Body.Bytes(), &d)
		return d
	}
	j1 := submit("CloudCover < 30")
	<-entered // j1 ran its first batch and is held there
	j2 := submit("CloudCover >= 30 AND CloudCover < 60")
	j3 := submit("CloudCover >= 60")
	if got := status(j1).JobStatus; got != jobs.Executing {
		t.Errorf("first job %s, want esriJobExecuting", got)
	}
	for _, id := range []string{j2, j3} {
		if got := status(id).JobStatus; got != jobs.Waiting {
			t.Errorf("queued job %s, want esriJobWaiting", got)
		}
	}
	close(release)
	for _, id := range []string{j1, j2, j3} {
		deadline := time.Now().Add(20 * time.Second)
		for d := status(id); !d.JobStatus.Finished(); d = status(id) {
			if time.Now().After(deadline) {
				t.Fatalf("job %s still %s", id, d.JobStatus)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if d := status(id); d.JobStatus != jobs.Succeeded {
			t.Fatalf("job %s: %+v", d.JobStatus, d.Messages)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	rank := map[string]int{j1: 1, j2: 2, j3: 3}
	for i := 1; i < len(batches); i++ {
		if rank[batches[i]] < rank[batches[i-1]] {
			t.Fatalf("batches ran out of submission order: %v", batches)
		}
	}
	if n := count(t, cat, "scenes"); n != 0 {
		t.Errorf("%d items left, want 0", n)
	}
}

// TestConcurrentSubmissions submits many jobs at once on two collections
// through real connections: each job removes exactly its own items.
func TestConcurrentSubmissions(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1000)
	mustScenes(t, cat, "others", 1000)
	sv := startServing(t, jobs.NewManager(cat), nil, Options{})
	const clients = 16
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := sv.client(t)
			coll := []string{"scenes", "others"}[i%2]
			id, err := c.trySubmit("DeleteImage", url.Values{"imageCollection": {coll}, "where": {fmt.Sprintf("CloudCover = %d", i/2*10)}})
			if err != nil {
				errs <- err
				return
			}
			d, err := c.tryWait("DeleteImage", id)
			if err == nil && (d.JobStatus != jobs.Succeeded || !hasMessage(d, "Deleted 100 of 100 items")) {
				err = fmt.Errorf("job %s on %s: %s %+v", id, coll, d.JobStatus, d.Messages)
			}
			if err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, name := range []string{"scenes", "others"} {
		if n := count(t, cat, name); n != 200 {
			t.Errorf("%s: %d items left, want 200", name, n)
		}
	}
}

// TestShutdownAndResume stops the server in the middle of a delete, with a
// second job queued behind it, and starts it again: the first job resumes
// where its last batch committed, the second runs after it, and together
// they remove exactly what they matched.
func TestShutdownAndResume(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 3000)

	m := jobs.NewManager(cat)
	m.BatchSize, m.Strategy = 100, catalog.UndoRows
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var sv *serving
	m.OnBatch = func(j *jobs.Job) error {
		once.Do(func() {
			close(entered)
			<-release
			// SIGTERM while the first batch is committed: the job must stop here.
			sv.stop()
			for !sv.s.stopping.Load() {
				time.Sleep(time.Millisecond)
			}
		})
		return nil
	}
	sv = startServing(t, m, nil, Options{})
	c := sv.client(t)
	j1 := c.submit("DeleteImage", url.Values{"imageCollection": {"scenes"}, "where": {"CloudCover < 50"}}) // 1500 items
	<-entered
	j2 := c.submit("DeleteImage", url.Values{"imageCollection": {"scenes"}, "where": {"CloudCover >= 90"}}) // 300 items
	close(release)
	if err := sv.wait(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if !strings.Contains(sv.logs.String(), "job "+j1+": stopped by shutdown at 50 of 1500 items") {
		t.Errorf("the log does not report the stopped job:\n%s", sv.logs)
	}

	// Stopped: the first job is resumable, owned by nobody, at its first
	// batch; the second still waits.
	m2 := jobs.NewManager(cat)
	got1, err := m2.Get(ctx, j1)
	if err != nil {
		t.Fatal(err)
	}
	if got1.Status != jobs.Executing || got1.Owner != "" || got1.Done != 50 || got1.Total != 1500 {
		t.Fatalf("after shutdown: %s owner %q, %d of %d done; want esriJobExecuting, no owner, 50 of 1500", got1.Status, got1.Owner, got1.Done, got1.Total)
	}
	if got2, _ := m2.Get(ctx, j2); got2.Status != jobs.Waiting || got2.Done != 0 {
		t.Fatalf("queued job after shutdown: %s, %d done", got2.Status, got2.Done)
	}
	if n := count(t, cat, "scenes"); n != 2950 {
		t.Fatalf("after shutdown: %d items, want 2950", n)
	}

	// Start again: both resume, in order, and finish exactly.
	sv2 := startServing(t, m2, nil, Options{})
	c2 := sv2.client(t)
	d1, d2 := c2.wait("DeleteImage", j1), c2.wait("DeleteImage", j2)
	if d1.JobStatus != jobs.Succeeded || !hasMessage(d1, "Deleted 1500 of 1500 items") {
		t.Errorf("resumed job: %s %+v", d1.JobStatus, d1.Messages)
	}
	if d2.JobStatus != jobs.Succeeded || !hasMessage(d2, "Deleted 300 of 300 items") {
		t.Errorf("queued job: %s %+v", d2.JobStatus, d2.Messages)
	}
	g1, _ := m2.Get(ctx, j1)
	g2, _ := m2.Get(ctx, j2)
	if g2.Started.Before(g1.Finished) {
		t.Errorf("the queued job started (%s) before the first finished (%s)", g2.Started, g1.Finished)
	}
	if !strings.Contains(sv2.logs.String(), "resume job "+j1) || !strings.Contains(sv2.logs.String(), "resume job "+j2) {
		t.Errorf("the second server does not log the resumed jobs:\n%s", sv2.logs)
	}
	coll, err := cat.Collection(ctx, "scenes")
	if err != nil {
		t.Fatal(err)
	}
	for clause, want := range map[string]int64{"": 1200, "CloudCover < 50": 0, "CloudCover >= 90": 0, "CloudCover >= 50 AND CloudCover < 90": 1200} {
		sel, err := coll.Select(catalog.Query{Where: clause})
		if err != nil {
			t.Fatal(err)
		}
		n, err := cat.Count(ctx, sel)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("items where %q: %d, want %d", clause, n, want)
		}
	}
	var removed struct {
		Value featureSet `json:"value"`
	}
	c2.get(gpPath+"/DeleteImage/jobs/"+j1+"/results/removedItems", nil, &removed)
	if len(removed.Value.Features) != 1500 {
		t.Errorf("removedItems of the resumed job: %d, want 1500", len(removed.Value.Features))
	}
}

// TestSubmitWhileStopping checks that a stopping server takes no new jobs.
func TestSubmitWhileStopping(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 10)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	s.beginStop()
	w := call(t, s.Handler(), "POST", gpPath+"/DeleteImage/submitJob", url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"1=1"}})
	wantError(t, w, 503)
	if n := count(t, cat, "scenes"); n != 10 {
		t.Errorf("%d items left, want 10", n)
	}
	list, err := jobs.NewManager(cat).List(ctx, jobs.ListOptions{})
	if err != nil || len(list) != 0 {
		t.Errorf("a job was recorded: %v %v", list, err)
	}
}

// TestCancel cancels a queued job (it never runs) and a running one (it
// stops after its batch), through …/jobs/<jobId>/cancel, in HTML and JSON.
func TestCancel(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 2000)
	m := jobs.NewManager(cat)
	m.BatchSize, m.Strategy = 100, catalog.UndoRows
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	m.OnBatch = func(j *jobs.Job) error {
		once.Do(func() {
			close(entered)
			<-release
		})
		return nil
	}
	s, _ := newServer(t, m, Options{})
	h := s.Handler()
	w := call(t, h, "POST", gpPath+"/DeleteImage/submitJob", url.Values{"f": {"html"}, "imageCollection": {"scenes"}, "where": {"CloudCover < 50"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<b>Job Status:</b>") {
		t.Fatalf("submitJob f=html: HTTP %d %.300s", w.Code, w.Body)
	}
	running := jobIDRE.FindString(w.Body.String())
	<-entered
	var v struct{ JobID string }
	decode(t, call(t, h, "POST", gpPath+"/DeleteImage/submitJob", url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"CloudCover >= 50"}}).Body.Bytes(), &v)
	queued := v.JobID

	var d jobDoc
	decode(t, call(t, h, "POST", gpPath+"/DeleteImage/jobs/"+queued+"/cancel", url.Values{"f": {"json"}}).Body.Bytes(), &d)
	if d.JobStatus != jobs.Cancelled {
		t.Errorf("cancelled queued job: %s, want esriJobCancelled", d.JobStatus)
	}
	w = call(t, h, "GET", gpPath+"/DeleteImage/jobs/"+running+"/cancel", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "esriJobCancelling") {
		t.Errorf("cancel f=html of the running job: HTTP %d %.300s", w.Code, w.Body)
	}
	close(release)
	deadline := time.Now().Add(20 * time.Second)
	for {
		decode(t, call(t, h, "GET", gpPath+"/DeleteImage/jobs/"+running, url.Values{"f": {"json"}}).Body.Bytes(), &d)
		if d.JobStatus.Finished() || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if d.JobStatus != jobs.Cancelled || !hasMessage(d, "Cancelled after deleting 50 of 1000 items") {
		t.Errorf("cancelled running job: %s %+v", d.JobStatus, d.Messages)
	}
	if n := count(t, cat, "scenes"); n != 1950 {
		t.Errorf("%d items left, want 1950", n)
	}
}

// TestErrorMapping checks how catalog error codes become ArcGIS codes.
func TestErrorMapping(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
	}{
		{catalog.Errorf(catalog.Invalid, "bad"), 400},
		{catalog.Errorf(catalog.Conflict, "busy"), 400},
		{fmt.Errorf("wrapped: %w", catalog.Errorf(catalog.NotFound, "gone")), 404},
		{catalog.Errorf(catalog.Unavailable, "locked"), 503},
		{catalog.Errorf(catalog.Internal, "bug"), 500},
		{fmt.Errorf("anything else"), 500},
	} {
		if got := toAPIError(c.err).Code; got != c.code {
			t.Errorf("%v: code %d, want %d", c.err, got, c.code)
		}
	}
}

// TestRescanRunsJobsSubmittedElsewhere: a job submitted by another process
// (mosaic delete-image --no-wait) while the server runs is picked up.
func TestRescanRunsJobsSubmittedElsewhere(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 20)
	sv := startServing(t, jobs.NewManager(cat), nil, Options{RescanEvery: 20 * time.Millisecond})
	other := jobs.NewManager(cat)
	j, err := other.SubmitDeleteImage(ctx, jobs.DeleteImageParams{ImageCollection: "scenes", Where: "CloudCover >= 50"})
	if err != nil {
		t.Fatal(err)
	}
	d := sv.client(t).wait("DeleteImage", j.ID)
	if d.JobStatus != jobs.Succeeded || count(t, cat, "scenes") != 10 {
		t.Errorf("job %s, %d items left; want succeeded, 10", d.JobStatus, count(t, cat, "scenes"))
	}
}

// TestDeleteImageByGeometry: DeleteImage over REST takes geometry,
// geometryType, inSR and spatialRel (mosaic's extension), with or without
// where; the job records them in its inputs; alone, geometryType, inSR or
// spatialRel is refused with 400 naming it.
func TestDeleteImageByGeometry(t *testing.T) {
	ln := listen(t)
	cat := mustOpen(t, "http://"+ln.Addr().String(), nil)
	mustScenes(t, cat, "scenes", 20) // item i: x 10i…10i+10, CloudCover 10i % 100
	m := jobs.NewManager(cat)
	sv := startServing(t, m, ln, Options{})
	c := sv.client(t)
	for _, param := range []string{"geometryType", "inSR", "spatialRel"} {
		_, err := c.trySubmit("DeleteImage", url.Values{"imageCollection": {"scenes"}, "where": {"1=1"}, param: {"4326"}})
		if err == nil || !strings.Contains(err.Error(), param) {
			t.Errorf("%s without geometry: %v, want a refusal naming it", param, err)
		}
	}
	// Items 2, 3 and 4 meet the envelope; 3 and 4 have CloudCover >= 30.
	id := c.submit("DeleteImage", url.Values{"imageCollection": {"scenes"}, "where": {"CloudCover >= 30"},
		"geometry": {`{"xmin":25,"ymin":0,"xmax":45,"ymax":10,"spatialReference":{"wkid":32632}}`}, "spatialRel": {"esriSpatialRelIntersects"}})
	if d := c.wait("DeleteImage", id); d.JobStatus != jobs.Succeeded {
		t.Fatalf("DeleteImage %s: %+v", d.JobStatus, d.Messages)
	}
	var removed struct {
		Value struct {
			Features []struct{ Attributes map[string]any } `json:"features"`
		} `json:"value"`
	}
	c.get(gpPath+"/DeleteImage/jobs/"+id+"/results/removedItems", nil, &removed)
	var ids []float64
	for _, f := range removed.Value.Features {
		ids = append(ids, f.Attributes["OBJECTID"].(float64))
	}
	if fmt.Sprint(ids) != "[3 4]" {
		t.Errorf("removed %v, want [3 4]", ids)
	}
	var in struct{ Value string }
	c.get(gpPath+"/DeleteImage/jobs/"+id+"/inputs/geometry", nil, &in)
	if !strings.Contains(in.Value, `"xmin":25`) {
		t.Errorf("inputs/geometry: %q", in.Value)
	}
	var n struct{ Count int }
	c.get("/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"where": {"1=1"}, "returnCountOnly": {"true"}}, &n)
	if n.Count != 18 {
		t.Errorf("%d items left, want 18", n.Count)
	}
	// The job's page draws what it removed, until an undo brings it back.
	page, err := c.raw("GET", gpPath+"/DeleteImage/jobs/"+id, url.Values{"f": {"html"}})
	if err != nil || !strings.Contains(string(page), "Footprint map of 20 items (18 kept, 2 removed)") {
		t.Errorf("job page (%v) has no map of the 2 removed items", err)
	}
	if _, err := m.Undo(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if page, _ = c.raw("GET", gpPath+"/DeleteImage/jobs/"+id, url.Values{"f": {"html"}}); strings.Contains(string(page), "<svg") {
		t.Errorf("the page of an undone job still draws removed items")
	}
}
