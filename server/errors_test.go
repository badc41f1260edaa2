package server

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"mosaic/jobs"
)

// TestErrors checks the ArcGIS error code of each kind of bad request, in
// JSON (HTTP 200) and in HTML (the matching HTTP status).
func TestErrors(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 5)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	submit := gpPath + "/DeleteImage/submitJob"
	cases := []struct {
		name   string
		method string
		path   string
		form   url.Values
		code   int
	}{
		{"ErrUnknownPath", "GET", "/arcgis/rest/services/Nope/MapServer", nil, 404},
		{"ErrUnknownTask", "GET", gpPath + "/Buffer", nil, 404},
		{"ErrUnknownTaskSubmit", "POST", gpPath + "/Buffer/submitJob", nil, 404},
		{"ErrUnknownJob", "GET", gpPath + "/DeleteImage/jobs/j0123456789abcdef0123456789abcdef", nil, 404},
		{"ErrMalformedJobID", "GET", gpPath + "/DeleteImage/jobs/1234", nil, 404},
		{"ErrUnknownResult", "GET", gpPath + "/DeleteImage/jobs/j0123456789abcdef0123456789abcdef/results/result", nil, 404},
		{"ErrUnknownCollectionService", "GET", "/arcgis/rest/services/Hosted/nope/ImageServer", nil, 404},
		{"ErrBadCollectionName", "GET", "/arcgis/rest/services/Hosted/no%20pe/ImageServer/query", nil, 404},
		{"ErrUnknownCollectionSubmit", "POST", submit, url.Values{"imageCollection": {"nope"}, "where": {"1=1"}}, 404},
		{"ErrMissingCollection", "POST", submit, url.Values{"where": {"1=1"}}, 400},
		{"ErrBadCollectionRef", "POST", submit, url.Values{"imageCollection": {`{"itemID":"x"}`}, "where": {"1=1"}}, 400},
		{"ErrMissingWhere", "POST", submit, url.Values{"imageCollection": {"scenes"}}, 400},
		{"ErrWhereUnknownField", "POST", submit, url.Values{"imageCollection": {"scenes"}, "where": {"Cloud > 1"}}, 400},
		{"ErrWhereInjection", "POST", submit, url.Values{"imageCollection": {"scenes"}, "where": {"1=1 UNION SELECT * FROM jobs"}}, 400},
		{"ErrBadBoolean", "POST", submit, url.Values{"imageCollection": {"scenes"}, "where": {"1=1"}, "updateBoundary": {"maybe"}}, 400},
		{"ErrQueryWhere", "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"where": {"x' OR '1'='1"}}, 400},
		{"ErrQueryOffset", "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"resultOffset": {"-1"}}, 400},
		{"ErrQueryCount", "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"resultRecordCount": {"ten"}}, 400},
		{"ErrQueryOutFields", "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"where": {"1=1"}, "outFields": {"Nope"}}, 400},
		{"ErrQueryObjectIDs", "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"objectIds": {"1,x"}}, 400},
		{"ErrCreateExists", "POST", gpPath + "/CreateImageCollection/submitJob", url.Values{"imageCollection": {"SCENES"}}, 400},
		{"ErrCreateBadName", "POST", gpPath + "/CreateImageCollection/submitJob", url.Values{"imageCollection": {"a b"}}, 400},
		{"ErrCreateBadSRS", "POST", gpPath + "/CreateImageCollection/submitJob", url.Values{"imageCollection": {"x"}, "srs": {"WGS84"}}, 400},
		{"ErrCreateStandardField", "POST", gpPath + "/CreateImageCollection/submitJob", url.Values{"imageCollection": {"x"}, "fields": {`["Name:TEXT"]`}}, 400},
		{"ErrCreateBadFieldType", "POST", gpPath + "/CreateImageCollection/submitJob", url.Values{"imageCollection": {"x"}, "fields": {"Cloud:BLOB"}}, 400},
		{"ErrAddNothing", "POST", gpPath + "/AddImage/submitJob", url.Values{"imageCollection": {"scenes"}}, 400},
		{"ErrAddURL", "POST", gpPath + "/AddImage/submitJob", url.Values{"imageCollection": {"scenes"}, "inputRasters": {`["https://example.com/a.tif"]`}}, 400},
		{"ErrAddManifestNotCSV", "POST", gpPath + "/AddImage/submitJob", url.Values{"imageCollection": {"scenes"}, "manifest": {"/etc/passwd"}}, 400},
		{"ErrAddManifestMissing", "POST", gpPath + "/AddImage/submitJob", url.Values{"imageCollection": {"scenes"}, "manifest": {"/nonexistent/m.csv"}}, 400},
		{"ErrAddUnknownAttribute", "POST", gpPath + "/AddImage/submitJob", url.Values{"imageCollection": {"scenes"}, "inputRasters": {"/x.tif"}, "attributes": {`{"Nope":1}`}}, 400},
		{"ErrAddBadAttribute", "POST", gpPath + "/AddImage/submitJob", url.Values{"imageCollection": {"scenes"}, "inputRasters": {"/x.tif"}, "attributes": {`{"CloudCover":"cloudy"}`}}, 400},
		{"ErrDeleteCollectionMissing", "POST", gpPath + "/DeleteImageCollection/submitJob", url.Values{"imageCollection": {"nope"}}, 404},
		{"ErrFormat", "GET", gpPath, url.Values{"f": {"xml"}}, 400},
		{"ErrMethod", "PUT", gpPath, nil, 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := url.Values{"f": {"json"}}
			for k, v := range c.form {
				form[k] = v
			}
			if c.name == "ErrFormat" {
				form = c.form
			}
			wantError(t, call(t, h, c.method, c.path, form), c.code)

			if c.name == "ErrFormat" {
				return
			}
			form.Set("f", "html")
			w := call(t, h, c.method, c.path, form)
			if w.Code != httpStatus(c.code) || !strings.Contains(w.Body.String(), "Error "+itoa(c.code)) {
				t.Errorf("f=html: HTTP %d, want %d with the error page; got %.300s", w.Code, httpStatus(c.code), w.Body)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestInternalError checks that a fault of mosaic is answered with code
// 500 and a request id only, and logged with its cause.
func TestInternalError(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1)
	s, logs := newServer(t, jobs.NewManager(cat), Options{})
	cat.Close() // every catalog call now fails with "sql: database is closed"
	w := call(t, s.Handler(), "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer", url.Values{"f": {"json"}})
	e := wantError(t, w, 500)
	id := w.Header().Get("X-Request-Id")
	if e.Message != "Internal server error (request id "+id+")" {
		t.Errorf("message %q, want only the request id %s", e.Message, id)
	}
	if strings.Contains(w.Body.String(), "database is closed") || strings.Contains(w.Body.String(), "goroutine") {
		t.Errorf("the answer shows the cause: %s", w.Body)
	}
	if !strings.Contains(logs.String(), "request "+id+": internal error:") || !strings.Contains(logs.String(), "database is closed") {
		t.Errorf("the log does not name the request and the cause:\n%s", logs)
	}
}

// TestLimits checks that oversized requests are refused before anything
// reads their parameters.
func TestLimits(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	submit := gpPath + "/DeleteImage/submitJob"

	t.Run("ErrBody", func(t *testing.T) {
		form := url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"1=1"}}
		for i := 0; i < 20; i++ {
			form.Set("pad"+itoa(i), strings.Repeat("x", 60<<10))
		}
		e := wantError(t, call(t, h, "POST", submit, form), 400)
		if !strings.Contains(e.Message, "body is larger") {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("ErrWhere", func(t *testing.T) {
		long := "CloudCover = 1" + strings.Repeat(" OR CloudCover = 1", 1000)
		e := wantError(t, call(t, h, "POST", submit, url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {long}}), 400)
		if !strings.Contains(e.Message, "parameter where is longer than 16384 bytes") {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("ErrParam", func(t *testing.T) {
		e := wantError(t, call(t, h, "POST", submit, url.Values{"f": {"json"}, "imageCollection": {strings.Repeat("a", 65<<10)}, "where": {"1=1"}}), 400)
		if !strings.Contains(e.Message, "longer than 65536 bytes") {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("ErrManyParams", func(t *testing.T) {
		form := url.Values{"f": {"json"}}
		for i := 0; i < 150; i++ {
			form.Set("p"+itoa(i), "1")
		}
		wantError(t, call(t, h, "POST", submit, form), 400)
	})
	t.Run("OKWhereAtLimit", func(t *testing.T) {
		w := "CloudCover = 1" + strings.Repeat(" ", maxWhereBytes-len("CloudCover = 1"))
		var v struct{ Count int }
		decode(t, call(t, h, "GET", "/arcgis/rest/services/Hosted/scenes/ImageServer/query", url.Values{"f": {"json"}, "where": {w}, "returnCountOnly": {"true"}}).Body.Bytes(), &v)
	})
}

// TestToken checks the shared secret: required everywhere but the server
// info, taken as a parameter or a Bearer header, and kept out of the log.
func TestToken(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 1)
	s, logs := newServer(t, jobs.NewManager(cat), Options{Token: "s3cret-token"})
	h := s.Handler()
	svc := "/arcgis/rest/services/Hosted/scenes/ImageServer"
	get := func(form url.Values, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", svc+"?"+form.Encode(), nil)
		r.Host = "mosaic.example.org:8080" // with a token, any Host is served
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	t.Run("ErrTokenRequired", func(t *testing.T) { wantError(t, get(url.Values{"f": {"json"}}), 499) })
	t.Run("ErrInvalidToken", func(t *testing.T) { wantError(t, get(url.Values{"f": {"json"}, "token": {"s3cret"}}), 498) })
	t.Run("ErrInvalidBearer", func(t *testing.T) {
		wantError(t, get(url.Values{"f": {"json"}}, "Authorization", "Bearer nope"), 498)
	})
	t.Run("ErrHTML", func(t *testing.T) {
		if w := get(url.Values{}); w.Code != http.StatusUnauthorized {
			t.Errorf("f=html without token: HTTP %d, want 401", w.Code)
		}
	})
	ok := func(t *testing.T, w *httptest.ResponseRecorder) {
		t.Helper()
		var v struct{ Name string }
		decode(t, w.Body.Bytes(), &v)
		if v.Name != "scenes" {
			t.Errorf("name %q", v.Name)
		}
	}
	t.Run("OKParam", func(t *testing.T) { ok(t, get(url.Values{"f": {"json"}, "token": {"s3cret-token"}})) })
	t.Run("OKBearer", func(t *testing.T) { ok(t, get(url.Values{"f": {"json"}}, "Authorization", "Bearer s3cret-token")) })
	t.Run("OKEsriHeader", func(t *testing.T) {
		ok(t, get(url.Values{"f": {"json"}}, "X-Esri-Authorization", "bearer s3cret-token"))
	})
	t.Run("OKPost", func(t *testing.T) {
		ok(t, call(t, h, "POST", svc, url.Values{"f": {"json"}, "token": {"s3cret-token"}}))
	})
	t.Run("OKInfoWithoutToken", func(t *testing.T) {
		w := call(t, h, "GET", "/arcgis/rest/info", url.Values{"f": {"json"}})
		if !strings.Contains(w.Body.String(), `"isTokenBasedSecurity":true`) {
			t.Errorf("info: %s", w.Body)
		}
	})
	if strings.Contains(logs.String(), "s3cret") {
		t.Errorf("the access log shows the token:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "token=REDACTED") {
		t.Errorf("the access log does not show the redacted token parameter:\n%s", logs)
	}
}

// TestOrigin checks what protects a server without a token from browsers:
// the Host must name this machine, and other sites cannot submit or cancel.
func TestOrigin(t *testing.T) {
	cat := mustOpen(t, "", nil)
	mustScenes(t, cat, "scenes", 3)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	h := s.Handler()
	req := func(host string, header ...string) *httptest.ResponseRecorder {
		form := url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"1=1"}}
		r := httptest.NewRequest("POST", gpPath+"/DeleteImage/submitJob", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Host = host
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	t.Run("ErrRebindHost", func(t *testing.T) { wantError(t, req("attacker.example:8080"), 403) })
	t.Run("ErrCrossOrigin", func(t *testing.T) { wantError(t, req("localhost:8080", "Origin", "http://attacker.example"), 403) })
	t.Run("ErrNullOrigin", func(t *testing.T) { wantError(t, req("localhost:8080", "Origin", "null"), 403) })
	t.Run("ErrCrossSite", func(t *testing.T) { wantError(t, req("127.0.0.1:8080", "Sec-Fetch-Site", "cross-site"), 403) })
	if n := count(t, cat, "scenes"); n != 3 {
		t.Fatalf("a refused request deleted items: %d left", n)
	}
	t.Run("OKSameOrigin", func(t *testing.T) {
		var v struct{ JobID string }
		decode(t, req("localhost:8080", "Origin", "http://localhost:8080", "Sec-Fetch-Site", "same-origin").Body.Bytes(), &v)
	})
	t.Run("OKIPv6Loopback", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/arcgis/rest/services?f=json", nil)
		r.Host = "[::1]:8080"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if _, isErr := errorOf(t, w.Body.Bytes()); isErr {
			t.Errorf("[::1] refused: %s", w.Body)
		}
	})
}

// TestServeRefusesOpenAddress checks that a non-loopback listener needs a
// token.
func TestServeRefusesOpenAddress(t *testing.T) {
	cat := mustOpen(t, "", nil)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip("cannot listen on all interfaces here:", err)
	}
	err = s.Serve(ctx, ln)
	if err == nil || !strings.Contains(err.Error(), "without a token") {
		t.Fatalf("Serve on %s without a token: %v, want a refusal", ln.Addr(), err)
	}
	if !IsLoopback(&net.TCPAddr{IP: net.IPv6loopback}) || IsLoopback(&net.TCPAddr{IP: net.IPv4zero}) {
		t.Errorf("IsLoopback is wrong")
	}
}

func TestReadTokenFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if tok, err := ReadTokenFile(write("ok", "  abc123abc123abc123\n")); err != nil || tok != "abc123abc123abc123" {
		t.Errorf("OK: %q, %v", tok, err)
	}
	if _, err := ReadTokenFile(write("empty", " \n\t")); err == nil {
		t.Errorf("ErrEmpty: an empty token file was taken")
	}
	if _, err := ReadTokenFile(write("two", "a\nb\n")); err == nil {
		t.Errorf("ErrTwoLines: a two-line token file was taken")
	}
	if _, err := ReadTokenFile(filepath.Join(dir, "missing")); err == nil {
		t.Errorf("ErrMissing: no error")
	}
}
