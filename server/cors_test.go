package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mosaic/jobs"
)

// TestCORS: no origin is allowed by default; a listed origin gets the
// CORS headers, its preflights are answered without a token, and it may
// submit jobs; other origins stay refused as before.
func TestCORS(t *testing.T) {
	const app = "http://127.0.0.1:5173"
	do := func(h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		if method == http.MethodPost {
			form := url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"OBJECTID = 1"}}
			r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r.Host = "127.0.0.1:8080"
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	info := scenesPath + "?f=json"
	preflight := []string{"Origin", app, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-esri-authorization"}

	t.Run("NoneByDefault", func(t *testing.T) {
		cat := mustOpen(t, "", nil)
		mustScenes(t, cat, "scenes", 1)
		s, _ := newServer(t, jobs.NewManager(cat), Options{})
		h := s.Handler()
		if w := do(h, "GET", info, "Origin", app); w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("an origin is allowed by default")
		}
		if w := do(h, "OPTIONS", info, preflight...); w.Code != http.StatusForbidden || w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight: %d %v", w.Code, w.Header())
		}
	})

	t.Run("Listed", func(t *testing.T) {
		cat := mustOpen(t, "", nil)
		mustScenes(t, cat, "scenes", 3)
		s, _ := newServer(t, jobs.NewManager(cat), Options{CORSOrigins: []string{app}, Token: "s3cret"})
		h := s.Handler()
		w := do(h, "OPTIONS", info, preflight...)
		if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != app ||
			!strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "X-Esri-Authorization") {
			t.Fatalf("preflight: %d %v", w.Code, w.Header())
		}
		w = do(h, "GET", info+"&token=s3cret", "Origin", app)
		if w.Header().Get("Access-Control-Allow-Origin") != app || !strings.Contains(w.Header().Get("Vary"), "Origin") {
			t.Errorf("GET: headers %v", w.Header())
		}
		if _, isErr := errorOf(t, w.Body.Bytes()); isErr {
			t.Errorf("GET: %s", w.Body)
		}
		// Without the token, still refused: CORS opens reading, not the door.
		wantError(t, do(h, "GET", info, "Origin", app), 499)
		// Another origin: no headers, and it cannot submit.
		if w := do(h, "GET", info+"&token=s3cret", "Origin", "http://attacker.example"); w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("another origin allowed")
		}
		wantError(t, do(h, "POST", gpPath+"/DeleteImage/submitJob?token=s3cret", "Origin", "http://attacker.example", "Sec-Fetch-Site", "cross-site"), 403)
		// The listed origin may submit.
		var v struct{ JobID string }
		decode(t, do(h, "POST", gpPath+"/DeleteImage/submitJob?token=s3cret", "Origin", app, "Sec-Fetch-Site", "cross-site").Body.Bytes(), &v)
		if v.JobID == "" {
			t.Errorf("listed origin could not submit")
		}
	})

	t.Run("ErrStarWithoutToken", func(t *testing.T) {
		if err := CheckCORSOrigins([]string{"*"}, ""); err == nil {
			t.Errorf("* without a token accepted")
		}
		if err := CheckCORSOrigins([]string{"*"}, "tok"); err != nil {
			t.Errorf("* with a token: %v", err)
		}
		for _, bad := range []string{"localhost:3000", "ftp://x", "http://x/path", "http://"} {
			if err := CheckCORSOrigins([]string{bad}, ""); err == nil {
				t.Errorf("%q accepted", bad)
			}
		}
	})
}
