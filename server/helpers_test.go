package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mosaic/catalog"
	"mosaic/internal/testutil"
	"mosaic/jobs"
)

var ctx = context.Background()

const gpPath = "/arcgis/rest/services/System/RasterAnalysisTools/GPServer"

// fixedNow is the clock of the catalogs of golden tests.
var fixedNow = testutil.FixedNow

// mustOpen opens a new catalog in a temporary folder. base is the base of
// collection URLs ("" for the default).
func mustOpen(tb testing.TB, base string, now func() time.Time) *catalog.Catalog {
	return testutil.OpenCatalog(tb, catalog.Options{BaseURL: base, Now: now})
}

var sceneFields = testutil.SceneFields

// sceneManifest is testutil.SceneManifest.
var sceneManifest = testutil.SceneManifest

// mustScenes creates the collection name with n items (see
// testutil.SceneManifest).
func mustScenes(tb testing.TB, cat *catalog.Catalog, name string, n int) *catalog.Collection {
	return testutil.Scenes(tb, cat, name, n)
}

// newServer returns a server over m that logs into the returned buffer
// (unless opts.Log is set) and is closed when the test ends.
func newServer(tb testing.TB, m *jobs.Manager, opts Options) (*Server, *syncBuffer) {
	tb.Helper()
	logs := &syncBuffer{}
	if opts.Log == nil {
		opts.Log = logs
	}
	s := New(m, opts)
	tb.Cleanup(s.Close)
	return s, logs
}

// syncBuffer is a log buffer that workers and handlers may write at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// call serves one request through h: GET with the form in the query, or
// POST with it form-encoded.
func call(tb testing.TB, h http.Handler, method, target string, form url.Values) *httptest.ResponseRecorder {
	tb.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	} else if len(form) > 0 {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + form.Encode()
	}
	r := httptest.NewRequest(method, target, body)
	r.Host = "localhost:8080"
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// apiErr is the error of an ArcGIS error response.
type apiErr struct {
	Code    int      `json:"code"`
	Message string   `json:"message"`
	Details []string `json:"details"`
}

// errorOf decodes an error response; ok is false for a response that is
// not one.
func errorOf(tb testing.TB, body []byte) (apiErr, bool) {
	tb.Helper()
	var v struct {
		Error *apiErr `json:"error"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Error == nil {
		return apiErr{}, false
	}
	return *v.Error, true
}

// wantError checks that a JSON response is an ArcGIS error with code,
// answered with HTTP 200.
func wantError(tb testing.TB, w *httptest.ResponseRecorder, code int) apiErr {
	tb.Helper()
	if w.Code != http.StatusOK {
		tb.Errorf("HTTP status %d, want 200 (ArcGIS answers errors in the body)", w.Code)
	}
	e, ok := errorOf(tb, w.Body.Bytes())
	if !ok {
		tb.Fatalf("not an error response: %s", w.Body)
	}
	if e.Code != code {
		tb.Fatalf("error code %d (%s), want %d", e.Code, e.Message, code)
	}
	if e.Details == nil {
		tb.Errorf("details is null; ArcGIS gives a list")
	}
	return e
}

// decode decodes a JSON response into v, failing on error responses.
func decode(tb testing.TB, body []byte, v any) {
	tb.Helper()
	if e, ok := errorOf(tb, body); ok {
		tb.Fatalf("error response %d: %s", e.Code, e.Message)
	}
	if err := json.Unmarshal(body, v); err != nil {
		tb.Fatalf("decode %s: %v", body, err)
	}
}

var (
	jobIDRE  = regexp.MustCompile(`j[0-9a-f]{32}`)
	itemIDRE = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	reqIDRE  = regexp.MustCompile(`\b[0-9a-f]{6}-[0-9]+\b`)
)

// normalize replaces what changes from run to run: job ids, item ids,
// request ids.
func normalize(b []byte) []byte {
	b = jobIDRE.ReplaceAll(b, []byte("j<JOBID>"))
	b = itemIDRE.ReplaceAll(b, []byte("<ITEMID>"))
	return reqIDRE.ReplaceAll(b, []byte("<REQID>"))
}

// golden compares got, normalised, with testdata/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", name), normalize(got))
}

// client is an HTTP client of a server under test, as REST clients use it.
type client struct {
	tb    testing.TB
	base  string
	http  *http.Client
	token string
	n     atomic.Int64 // requests made
}

// get GETs path with the form and f=json and decodes the answer into v.
func (c *client) get(path string, form url.Values, v any) {
	c.tb.Helper()
	c.do(http.MethodGet, path, form, v)
}

// post POSTs the form with f=json to path and decodes the answer into v.
func (c *client) post(path string, form url.Values, v any) {
	c.tb.Helper()
	c.do(http.MethodPost, path, form, v)
}

func (c *client) do(method, path string, form url.Values, v any) {
	c.tb.Helper()
	if err := c.try(method, path, form, v); err != nil {
		c.tb.Fatal(err)
	}
}

// try makes a request with f=json and decodes the answer into v; an error
// response is an error. It may run on any goroutine.
func (c *client) try(method, path string, form url.Values, v any) error {
	body, err := c.raw(method, path, form)
	if err != nil {
		return err
	}
	var e struct {
		Error *apiErr `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != nil {
		return fmt.Errorf("%s %s: error %d: %s", method, path, e.Error.Code, e.Error.Message)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s %s: decode %s: %w", method, path, body, err)
	}
	return nil
}

// raw makes a request with f=json and returns the body.
func (c *client) raw(method, path string, form url.Values) ([]byte, error) {
	f := url.Values{"f": {"json"}}
	for k, v := range form {
		f[k] = v
	}
	if c.token != "" {
		f.Set("token", c.token)
	}
	c.n.Add(1)
	target := path
	if !strings.HasPrefix(path, "http") {
		target = c.base + path
	}
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.http.PostForm(target, f)
	} else {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		resp, err = c.http.Get(target + sep + f.Encode())
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, body)
	}
	return body, nil
}

// jobDoc is the part of a job document tests look at.
type jobDoc struct {
	JobID     string         `json:"jobId"`
	JobStatus jobs.Status    `json:"jobStatus"`
	Messages  []jobs.Message `json:"messages"`
	Results   map[string]struct {
		ParamURL string `json:"paramUrl"`
	} `json:"results"`
}

// submit submits a job of task and returns its id.
func (c *client) submit(task string, form url.Values) string {
	c.tb.Helper()
	id, err := c.trySubmit(task, form)
	if err != nil {
		c.tb.Fatal(err)
	}
	return id
}

func (c *client) trySubmit(task string, form url.Values) (string, error) {
	var v struct {
		JobID     string      `json:"jobId"`
		JobStatus jobs.Status `json:"jobStatus"`
	}
	if err := c.try(http.MethodPost, gpPath+"/"+task+"/submitJob", form, &v); err != nil {
		return "", err
	}
	if !jobs.ValidJobID(v.JobID) {
		return "", fmt.Errorf("submit %s: no job id in the answer", task)
	}
	return v.JobID, nil
}

// wait polls a job until it is finished, as ArcGIS clients do.
func (c *client) wait(task, id string) jobDoc {
	c.tb.Helper()
	d, err := c.tryWait(task, id)
	if err != nil {
		c.tb.Fatal(err)
	}
	return d
}

func (c *client) tryWait(task, id string) (jobDoc, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var d jobDoc
		if err := c.try(http.MethodGet, gpPath+"/"+task+"/jobs/"+id, nil, &d); err != nil {
			return d, err
		}
		if d.JobStatus.Finished() {
			return d, nil
		}
		if time.Now().After(deadline) {
			return d, fmt.Errorf("job %s still %s after 30s", id, d.JobStatus)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// newCollection describes a collection without items, fields nor SRS.
func newCollection(name string) catalog.NewCollection { return catalog.NewCollection{Name: name} }

// count returns the number of items of collection name.
func count(tb testing.TB, cat *catalog.Catalog, name string) int64 {
	tb.Helper()
	coll, err := cat.Collection(ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	sel, err := coll.Select(catalog.Query{})
	if err != nil {
		tb.Fatal(err)
	}
	n, err := cat.Count(ctx, sel)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}
