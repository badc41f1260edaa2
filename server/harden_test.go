package server

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"mosaic/catalog"
	"mosaic/jobs"
)

// controlChars matches what must never reach the log raw: C0 controls but
// the newline that ends each line, DEL, C1 controls and bidi overrides.
var controlChars = regexp.MustCompile("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]")

// TestAccessLogEscapesControlCharacters: a client cannot forge log lines
// or drive the terminal of whoever reads the log (issue 11, item 11).
func TestAccessLogEscapesControlCharacters(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1)
	s, logs := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	r := httptest.NewRequest("GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query?f=json", nil)
	r.Host = "localhost:8080"
	r.URL.RawQuery = "f=json&where=1=1\n2026-01-01T00:00:00.000Z fake-1 127.0.0.1:1 GET /admin 200\x1b]0;pwned\x07&outFields=\u202eName"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	form := url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"Name = 'x\x1b[2J'"}}
	call(t, h, http.MethodPost, gpPath+"/DeleteImage/submitJob", form)
	call(t, h, http.MethodGet, "/arcgis/rest/services/Hosted/sc%1Benes/ImageServer", url.Values{"f": {"json"}})
	s.Close()
	log := logs.String()
	if m := controlChars.FindString(log); m != "" {
		t.Errorf("the log holds the control character %q:\n%s", m, log)
	}
	if n := strings.Count(log, "fake-1"); n != 1 || strings.Contains(log, "\nfake-1") || strings.Contains(log, "\n2026-01-01T00:00:00.000Z fake-1") {
		t.Errorf("a client forged a log line:\n%s", log)
	}
	if !strings.Contains(log, `\n2026-01-01T00:00:00.000Z fake-1`) || !strings.Contains(log, `\x1b]0;pwned\a`) {
		t.Errorf("the log does not show the escaped query:\n%s", log)
	}
}

// TestRepeatedParameters: a parameter given twice is refused, never
// resolved by taking one of them (issue 11, item 3).
func TestRepeatedParameters(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 5)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	submit := gpPath + "/DeleteImage/submitJob"
	t.Run("ErrTwiceInQuery", func(t *testing.T) {
		e := wantError(t, call(t, h, "GET", submit, url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"OBJECTID=1", "1=1"}}), 400)
		if e.Message != `parameter "where" is given 2 times: give it once` || len(e.Details) != 1 || e.Details[0] != "parameter where" {
			t.Errorf("error %+v", e)
		}
	})
	t.Run("ErrQueryAndBody", func(t *testing.T) {
		r := httptest.NewRequest("POST", submit+"?where=OBJECTID%3D1", strings.NewReader("f=json&imageCollection=scenes&where=1%3D1"))
		r.Host = "localhost:8080"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		wantError(t, w, 400)
	})
	t.Run("ErrCaseVariants", func(t *testing.T) {
		e := wantError(t, call(t, h, "POST", submit, url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"OBJECTID=1"}, "WHERE": {"1=1"}}), 400)
		if !strings.Contains(e.Message, "differ only in case") {
			t.Errorf("error %+v", e)
		}
	})
	t.Run("ErrCollectionTwice", func(t *testing.T) {
		wantError(t, call(t, h, "POST", submit, url.Values{"f": {"json"}, "imageCollection": {"a", "scenes"}, "where": {"1=1"}}), 400)
	})
	t.Run("ErrQueryParameter", func(t *testing.T) {
		wantError(t, call(t, h, "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"f": {"json"}, "where": {"1=1", "OBJECTID=1"}}), 400)
	})
	if n := count(t, cat, "scenes"); n != 5 {
		t.Fatalf("a refused request deleted items: %d left", n)
	}
}

// TestDuplicateJSONKeys: a JSON parameter that names a key twice is refused
// (case-insensitively where names are), never resolved by taking one
// (issue 11, item 5).
func TestDuplicateJSONKeys(t *testing.T) {
	cat := mustOpen(t, "", nil)
	coll := mustScenes(t, cat, "scenes", 2)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	dir := t.TempDir()
	post := func(task string, form url.Values) apiErr {
		t.Helper()
		form.Set("f", "json")
		return wantError(t, call(t, h, "POST", gpPath+"/"+task+"/submitJob", form), 400)
	}
	cases := []struct {
		name, task string
		form       url.Values
		param      string
	}{
		{"ErrAttributesExact", "AddImage", url.Values{"imageCollection": {"scenes"}, "inputRasters": {dir}, "attributes": {`{"CloudCover":1,"CloudCover":2}`}}, "attributes"},
		{"ErrAttributesCase", "AddImage", url.Values{"imageCollection": {"scenes"}, "inputRasters": {dir}, "attributes": {`{"Cc":1,"cc":2,"CC":3}`}}, "attributes"},
		{"ErrAttributesTrailing", "AddImage", url.Values{"imageCollection": {"scenes"}, "inputRasters": {dir}, "attributes": {`{"CloudCover":1}{"CloudCover":2}`}}, "attributes"},
		{"ErrCollectionRef", "DeleteImage", url.Values{"imageCollection": {`{"itemId":"00000000000000000000000000000000","itemId":"` + coll.ItemID + `"}`}, "where": {"1=1"}}, "imageCollection"},
		{"ErrNewName", "CreateImageCollection", url.Values{"imageCollection": {`{"name":"a","Name":"b"}`}}, "imageCollection"},
		{"ErrSRS", "CreateImageCollection", url.Values{"imageCollection": {"x"}, "srs": {`{"wkid":4326,"WKID":32632}`}}, "srs"},
		{"ErrFields", "CreateImageCollection", url.Values{"imageCollection": {"x"}, "fields": {`[{"name":"a","type":"TEXT","name":"b"}]`}}, "fields"},
		{"ErrRasters", "AddImage", url.Values{"imageCollection": {"scenes"}, "inputRasters": {`[{"uri":"/a.tif","URI":"/b.tif"}]`}}, "inputRasters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := post(c.task, c.form)
			if len(e.Details) != 1 || e.Details[0] != "parameter "+c.param {
				t.Errorf("error %+v, want one about parameter %s", e, c.param)
			}
		})
	}
	if n := count(t, cat, "scenes"); n != 2 {
		t.Fatalf("a refused request deleted items: %d left", n)
	}
	list, err := jobs.NewManager(cat).List(ctx, jobs.ListOptions{})
	if err != nil || len(list) != 0 {
		t.Fatalf("refused requests made %d jobs (%v)", len(list), err)
	}
}

// TestAttributesCannotSetComputedFields: attributes sets the user fields and
// Name, Tag, GroupName, ProductName and ZOrder; the fields mosaic reads or
// computes are refused with code 400 naming the field (issue 11, item 4).
func TestAttributesCannotSetComputedFields(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	dir := t.TempDir()
	for _, attrs := range []string{`{"Raster":"/etc/passwd"}`, `{"XMin":-1e9}`, `{"SRS":"EPSG:4326"}`, `{"Width":-1}`,
		`{"Category":2}`, `{"Stale":1}`, `{"Shape_Area":0}`, `{"centerx":1}`, `{"OBJECTID":1}`} {
		t.Run(attrs, func(t *testing.T) {
			form := url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "inputRasters": {dir}, "attributes": {attrs}}
			e := wantError(t, call(t, h, "POST", gpPath+"/AddImage/submitJob", form), 400)
			if len(e.Details) != 1 || e.Details[0] != "parameter attributes" || !strings.Contains(e.Message, "cannot be set") {
				t.Errorf("error %+v", e)
			}
		})
	}
	form := url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "inputRasters": {dir},
		"attributes": {`{"Name":"n","Tag":"MS","GroupName":"g","ProductName":"p","ZOrder":3,"CloudCover":1}`}}
	var v struct{ JobID string }
	decode(t, call(t, h, "POST", gpPath+"/AddImage/submitJob", form).Body.Bytes(), &v)
	if v.JobID == "" {
		t.Errorf("the settable fields were refused")
	}
}

// TestManifestLinksAndSpecialFiles: the .csv rule holds for the real path,
// and only regular files are read (issue 11, item 7).
func TestManifestLinksAndSpecialFiles(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("root:$6$hash:19000:0:99999:7:::\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("Raster\n/data/x.tif\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustLink := func(target, name string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	shadow := mustLink(secret, "shadow.csv")
	etc := mustLink("/etc/passwd", "passwd.csv")
	linkToGood := mustLink(good, "link.csv")
	folder := filepath.Join(dir, "folder.csv")
	os.Mkdir(folder, 0o755)
	submit := func(manifest string) *httptest.ResponseRecorder {
		return call(t, h, "POST", gpPath+"/AddImage/submitJob", url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "manifest": {manifest}})
	}
	for name, m := range map[string]string{"ErrLinkToSecret": shadow, "ErrLinkToEtc": etc, "ErrFolder": folder} {
		t.Run(name, func(t *testing.T) {
			e := wantError(t, submit(m), 400)
			if strings.Contains(e.Message, "root:") || len(e.Details) != 1 || e.Details[0] != "parameter manifest" {
				t.Errorf("error %+v", e)
			}
		})
	}
	t.Run("OKLinkToCSV", func(t *testing.T) {
		var v struct{ JobID string }
		decode(t, submit(linkToGood).Body.Bytes(), &v)
		j, err := jobs.NewManager(cat).Get(ctx, v.JobID)
		if err != nil {
			t.Fatal(err)
		}
		if got := j.Input("manifest"); got != good {
			t.Errorf("the job records manifest %s, want the real path %s", got, good)
		}
	})
}

// TestTokenFileLimits: the token file is a regular file of at most 4 KiB
// holding a token of at least 16 characters; a FIFO or a device is refused
// at once, never waited on or read to the end (issue 11, item 8).
func TestTokenFileLimits(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"ErrFIFO", fifo, "is not a regular file (a FIFO)"},
		{"ErrDevZero", "/dev/zero", "is not a regular file (a character device)"},
		{"ErrFolder", dir, "is not a regular file (a folder)"},
		{"ErrTooLong", write("long", strings.Repeat("a", 5000)), "is 5000 bytes: a token file holds one token, at most 4096 bytes"},
		{"ErrShort", write("short", "x\n"), "has 1 characters: use at least 16"},
		{"ErrFifteen", write("fifteen", strings.Repeat("k", 15)), "has 15 characters: use at least 16"},
		{"ErrControl", write("control", "abcdefgh\x00ijklmnopq"), "control characters"},
		{"ErrMissing", filepath.Join(dir, "missing"), "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := ReadTokenFile(tc.path)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("ReadTokenFile(%s): %v, want an error saying %q", tc.path, err, tc.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("ReadTokenFile(%s) hangs", tc.path)
			}
		})
	}
	if tok, err := ReadTokenFile(write("ok", strings.Repeat("k", 16)+"\n")); err != nil || tok != strings.Repeat("k", 16) {
		t.Errorf("a 16-character token: %q, %v", tok, err)
	}
	if w := TokenFileWarning(write("private", "0123456789abcdef")); w != "" {
		t.Errorf("a 0600 token file: warning %q", w)
	}
	open := write("shared", "0123456789abcdef")
	os.Chmod(open, 0o644)
	if w := TokenFileWarning(open); !strings.Contains(w, "can be read by other users (mode 0644)") {
		t.Errorf("a 0644 token file: warning %q", w)
	}
}

// TestClauseFailuresAre400: a clause that fails in SQLite on some item's
// values is answered 400 about where, naming the function, never 500
// (issue 11, item 9).
func TestClauseFailuresAre400(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 3)
	s, logs := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	for _, w := range []string{"ABS(-9223372036854775808) > 0", "ABS(CAST(OBJECTID * -1e30 AS INTEGER)) > 0"} {
		t.Run(w, func(t *testing.T) {
			for _, r := range []*httptest.ResponseRecorder{
				call(t, h, "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"f": {"json"}, "where": {w}}),
				call(t, h, "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"f": {"json"}, "where": {w}, "returnCountOnly": {"true"}}),
				call(t, h, "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"f": {"json"}, "where": {w}, "returnIdsOnly": {"true"}}),
				call(t, h, "POST", gpPath+"/DeleteImage/submitJob", url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {w}}),
			} {
				e := wantError(t, r, 400)
				if !strings.Contains(e.Message, "ABS(") || len(e.Details) != 1 || e.Details[0] != "parameter where" {
					t.Errorf("error %+v", e)
				}
			}
		})
	}
	if strings.Contains(logs.String(), "internal error") {
		t.Errorf("the log reports a fault:\n%s", logs)
	}
	if n := count(t, cat, "scenes"); n != 3 {
		t.Errorf("%d items left, want 3", n)
	}
}

// TestCrossSiteRequestsCannotChangeAnything: submitJob and cancel are
// refused (403) when a browser sends them for a page of another site, by
// GET as well as POST, whichever of Referer and the Fetch Metadata headers
// says so (issue 11, item 1).
func TestCrossSiteRequestsCannotChangeAnything(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 3)
	m := jobs.NewManager(cat)
	s, _ := newServer(t, m, Options{})
	h := s.Handler()
	send := func(method, path string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		r.Host = "localhost:8080"
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	submit := gpPath + "/DeleteImage/submitJob?f=json&imageCollection=scenes&where=1%3D1"
	for _, tc := range []struct {
		name   string
		header []string
	}{
		{"ErrReferer", []string{"Referer", "http://evil.example/x"}},
		{"ErrRefererOtherPort", []string{"Referer", "http://localhost:3000/"}},
		{"ErrRefererOtherLoopbackName", []string{"Referer", "http://127.0.0.1:8080/"}},
		{"ErrCrossSite", []string{"Sec-Fetch-Site", "cross-site"}},
		{"ErrSameSite", []string{"Sec-Fetch-Site", "same-site"}},
		{"ErrImage", []string{"Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "image"}},
		{"ErrNoCors", []string{"Sec-Fetch-Mode", "no-cors"}},
		{"ErrScriptDest", []string{"Sec-Fetch-Dest", "script"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, send("GET", submit, tc.header...), 403)
		})
	}
	if n := count(t, cat, "scenes"); n != 3 {
		t.Fatalf("a cross-site request deleted items: %d left", n)
	}
	// The same site, the user's address bar, and clients that are not
	// browsers may submit.
	j, err := m.SubmitDeleteImage(ctx, jobs.DeleteImageParams{ImageCollection: "scenes", Where: "OBJECTID = 1"})
	if err != nil {
		t.Fatal(err)
	}
	cancel := gpPath + "/DeleteImage/jobs/" + j.ID + "/cancel?f=json"
	t.Run("ErrCancelReferer", func(t *testing.T) { wantError(t, send("GET", cancel, "Referer", "https://evil.example/"), 403) })
	t.Run("ErrCancelNoCors", func(t *testing.T) { wantError(t, send("POST", cancel, "Sec-Fetch-Mode", "no-cors"), 403) })
	t.Run("OKSameOriginReferer", func(t *testing.T) {
		w := send("GET", cancel, "Referer", "http://localhost:8080/arcgis/rest/services/System/RasterAnalysisTools/GPServer/DeleteImage", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")
		if e, isErr := errorOf(t, w.Body.Bytes()); isErr {
			t.Errorf("a same-origin cancel was refused: %+v", e)
		}
	})
	for _, tc := range []struct {
		name   string
		header []string
	}{
		{"OKAddressBar", []string{"Sec-Fetch-Site", "none", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"}},
		{"OKCurl", nil},
		// @esri/arcgis-rest-request under Node names itself in Referer: not
		// a page, so not another site's.
		{"OKArcGISRestJS", []string{"Referer", "@esri/arcgis-rest-js"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := send("GET", gpPath+"/DeleteImage/submitJob?f=json&imageCollection=scenes&where=OBJECTID%3D2", tc.header...)
			if e, isErr := errorOf(t, w.Body.Bytes()); isErr {
				t.Errorf("refused: %+v", e)
			}
		})
	}
}

// TestConcurrentReadsAreBounded: at most MaxReads catalog reads run, at
// most MaxQueued wait, each at most QueueWait; the others are answered 503
// (busy, Retry-After) at once, and the queue drains as reads finish
// (issue 11, item 2).
func TestConcurrentReadsAreBounded(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 3)
	s, _ := newServer(t, jobs.NewManager(cat), Options{MaxReads: 1, MaxQueued: 1, QueueWait: 300 * time.Millisecond})
	h := s.Handler()
	query := func() *httptest.ResponseRecorder {
		return call(t, h, "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query",
			url.Values{"f": {"json"}, "where": {"1=1"}, "returnCountOnly": {"true"}})
	}
	// Hold the one slot, as a long read would.
	release, err := s.reads.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrWaitedTooLong", func(t *testing.T) {
		start := time.Now()
		w := query()
		e := wantError(t, w, 503)
		if took := time.Since(start); took < 250*time.Millisecond {
			t.Errorf("refused after %s, before waiting its turn", took)
		}
		if w.Header().Get("Retry-After") == "" || !strings.Contains(e.Message, "busy") {
			t.Errorf("answer %+v, Retry-After %q", e, w.Header().Get("Retry-After"))
		}
	})
	t.Run("ErrQueueFull", func(t *testing.T) {
		waiting := make(chan *httptest.ResponseRecorder)
		go func() { waiting <- query() }() // takes the one place in the queue
		deadline := time.Now().Add(5 * time.Second)
		for s.reads.waiting.Load() < 1 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		start := time.Now()
		wantError(t, query(), 503)
		if took := time.Since(start); took > 200*time.Millisecond {
			t.Errorf("a request beyond the queue waited %s", took)
		}
		wantError(t, <-waiting, 503)
	})
	t.Run("OKAfterRelease", func(t *testing.T) {
		done := make(chan *httptest.ResponseRecorder)
		go func() { done <- query() }()
		time.Sleep(50 * time.Millisecond)
		release()
		var v struct{ Count int }
		decode(t, (<-done).Body.Bytes(), &v)
		if v.Count != 3 {
			t.Errorf("count %d", v.Count)
		}
	})
	t.Run("OKStatusNotBounded", func(t *testing.T) {
		release, err := s.reads.acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		w := call(t, h, "GET", "/arcgis/rest/info", url.Values{"f": {"json"}})
		if _, isErr := errorOf(t, w.Body.Bytes()); isErr {
			t.Errorf("a request that reads no items waited for a read slot: %s", w.Body)
		}
	})
}

// TestEveryParameterIsCheckedAtSubmit: what would make a job fail when it
// runs is refused when it is submitted, with code 400 about the parameter,
// and no job is made (issue 11, item 10).
func TestEveryParameterIsCheckedAtSubmit(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1)
	m := jobs.NewManager(cat)
	s, _ := newServer(t, m, Options{})
	h := s.Handler()
	dir := t.TempDir()
	manifest := filepath.Join(dir, "bad.csv")
	os.WriteFile(manifest, []byte("Raster,Bogus\n/a.tif,1\n"), 0o600)
	noRaster := filepath.Join(dir, "noraster.csv")
	os.WriteFile(noRaster, []byte("Name\nx\n"), 0o600)
	// A create that has not run yet holds its name.
	pending, err := m.SubmitCreateImageCollection(ctx, catalog.NewCollection{Name: "pending"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, task string
		form       url.Values
		param      string
	}{
		{"ErrCreateFieldName", "CreateImageCollection", url.Values{"imageCollection": {"x"}, "fields": {`[{"name":"bad name","type":"esriFieldTypeString"}]`}}, "fields"},
		{"ErrCreateFieldColon", "CreateImageCollection", url.Values{"imageCollection": {"x"}, "fields": {`[{"name":"A:B","type":"TEXT"}]`}}, "fields"},
		{"ErrCreatePendingName", "CreateImageCollection", url.Values{"imageCollection": {"PENDING"}}, "imageCollection"},
		{"ErrAddDateOutOfRange", "AddImage", url.Values{"imageCollection": {"scenes"}, "inputRasters": {dir}, "attributes": {`{"AcquisitionDate":-100000000000000000}`}}, "attributes"},
		{"ErrAddDateNotInteger", "AddImage", url.Values{"imageCollection": {"scenes"}, "inputRasters": {dir}, "attributes": {`{"AcquisitionDate":-1e17}`}}, "attributes"},
		{"ErrAddManifestField", "AddImage", url.Values{"imageCollection": {"scenes"}, "manifest": {manifest}}, "manifest"},
		{"ErrAddManifestNoRaster", "AddImage", url.Values{"imageCollection": {"scenes"}, "manifest": {noRaster}}, "manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("f", "json")
			e := wantError(t, call(t, h, "POST", gpPath+"/"+tc.task+"/submitJob", tc.form), 400)
			if len(e.Details) != 1 || e.Details[0] != "parameter "+tc.param || strings.HasPrefix(e.Message, "400") {
				t.Errorf("error %+v, want one about parameter %s", e, tc.param)
			}
		})
	}
	list, err := m.List(ctx, jobs.ListOptions{})
	if err != nil || len(list) != 1 || list[0].ID != pending.ID {
		t.Fatalf("refused submissions made jobs: %d jobs (%v)", len(list), err)
	}
}

// TestErrorsCutLongTokens: errors name what they refuse but quote at most
// a short excerpt of it (issue 11, item 13).
func TestErrorsCutLongTokens(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	long := strings.Repeat("x", 10000)
	svc := "/arcgis/rest/services/Hosted/scenes/ImageServer"
	for _, tc := range []struct {
		name, method, path string
		form               url.Values
	}{
		{"ErrPath", "GET", "/arcgis/rest/" + long, nil},
		{"ErrTask", "GET", gpPath + "/" + long, nil},
		{"ErrJob", "GET", gpPath + "/DeleteImage/jobs/" + long, nil},
		{"ErrBoolean", "GET", svc + "/query", url.Values{"returnGeometry": {long}}},
		{"ErrOffset", "GET", svc + "/query", url.Values{"resultOffset": {long}}},
		{"ErrObjectIDs", "GET", svc + "/query", url.Values{"objectIds": {"1," + long}}},
		{"ErrOutFields", "GET", svc + "/query", url.Values{"outFields": {long}}},
		{"ErrWhere", "GET", svc + "/query", url.Values{"where": {long + " = 1"}}},
		{"ErrCollectionRef", "POST", gpPath + "/DeleteImage/submitJob", url.Values{"imageCollection": {`{"itemId":"` + long + `"}`}, "where": {"1=1"}}},
		{"ErrNewName", "POST", gpPath + "/CreateImageCollection/submitJob", url.Values{"imageCollection": {long + "!"}}},
		{"ErrFields", "POST", gpPath + "/CreateImageCollection/submitJob", url.Values{"imageCollection": {"x"}, "fields": {`[[` + strings.Repeat(`"x",`, 2000) + `"x"]]`}}},
		{"ErrRaster", "POST", gpPath + "/AddImage/submitJob", url.Values{"imageCollection": {"scenes"}, "inputRasters": {"https://" + long}}},
		{"ErrAttribute", "POST", gpPath + "/AddImage/submitJob", url.Values{"imageCollection": {"scenes"}, "inputRasters": {"/x.tif"}, "attributes": {`{"` + long + `":1}`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"f": {"json"}}
			for k, v := range tc.form {
				form[k] = v
			}
			w := call(t, h, tc.method, tc.path, form)
			e, ok := errorOf(t, w.Body.Bytes())
			if !ok {
				t.Fatalf("not an error: %.200s", w.Body)
			}
			if len(e.Message) > 2000 || strings.Contains(e.Message, strings.Repeat("x", 200)) {
				t.Errorf("error of %d bytes echoes the token: %.300s…", len(e.Message), e.Message)
			}
		})
	}
	t.Run("ErrHost", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/arcgis/rest/services?f=json", nil)
		r.Host = long + ".example"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		e := wantError(t, w, 403)
		if strings.Contains(e.Message, strings.Repeat("x", 200)) {
			t.Errorf("error echoes the Host: %.300s", e.Message)
		}
	})
}

// TestWriteDeadlineDoesNotOutliveItsRequest: the write deadline of a
// bounded read ends with it (net/http clears it), so that later requests on
// the same keep-alive connection are not cut (the client would redial).
func TestWriteDeadlineDoesNotOutliveItsRequest(t *testing.T) {
	old := readWriteTimeout
	readWriteTimeout = 200 * time.Millisecond
	defer func() { readWriteTimeout = old }()
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1)
	sv := startServing(t, jobs.NewManager(cat), listen(t), Options{})
	defer sv.shutdown(t)
	var dials atomic.Int32
	c := sv.client(t)
	c.http.Transport = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	var n struct{ Count int }
	c.get("/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"where": {"1=1"}, "returnCountOnly": {"true"}}, &n)
	time.Sleep(400 * time.Millisecond)
	var info struct{ CurrentVersion float64 }
	c.get("/arcgis/rest/info", nil, &info)
	c.get("/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"where": {"1=1"}, "returnCountOnly": {"true"}}, &n)
	if n.Count != 1 || info.CurrentVersion == 0 {
		t.Errorf("count %d, info %+v", n.Count, info)
	}
	if d := dials.Load(); d != 1 {
		t.Errorf("the client dialed %d connections: the deadline of the first request cut the next ones", d)
	}
}
