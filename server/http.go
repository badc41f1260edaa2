package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"mosaic/catalog"
	"mosaic/internal/textutil"
)

// Limits on what a request may carry. A request over a limit is refused
// with code 400 before anything else looks at it.
const (
	maxBodyBytes   = 1 << 20  // a POST body
	maxWhereBytes  = 16 << 10 // the where parameter (package where refuses more anyway)
	maxParamBytes  = 64 << 10 // any other parameter
	maxHeaderBytes = 128 << 10
	maxParams      = 100 // distinct parameter names
)

// maxRecordCount is the most items one query answers, as an image service's
// maxRecordCount: clients page with resultOffset.
const maxRecordCount = 1000

// currentVersion is the ArcGIS Server version whose REST API the server
// follows.
const currentVersion = 11.3

// request is one request being served.
type request struct {
	*http.Request
	id     string
	form   url.Values
	format string // html, json or pjson
	w      *responseWriter
	// crossOrigin is set when the request's Origin is one the server
	// allows (Options.CORSOrigins): a trusted app, which may submit jobs.
	crossOrigin bool
}

// param returns a parameter's value (the first, if repeated).
func (r *request) param(name string) string { return r.form.Get(name) }

// responseWriter records what was answered, for the access log.
type responseWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	code   int // the ArcGIS error code answered, if any
}

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) newRequestID() string {
	return s.reqID.prefix + "-" + strconv.FormatUint(s.reqID.n.Add(1), 10)
}

// serveHTTP is the server's handler: it bounds and parses the request,
// checks the token, routes it and logs it.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &responseWriter{ResponseWriter: w}
	req := &request{Request: r, id: s.newRequestID(), w: rw, format: "html"}
	h := rw.Header()
	h.Set("X-Request-Id", req.id)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	defer func() {
		p := recover()
		if p != nil && p != http.ErrAbortHandler {
			s.logf("request %s: panic: %v\n%s", req.id, p, debug.Stack())
			if rw.status == 0 {
				s.fail(req, &apiError{Code: codeInternal, Details: []string{}})
			}
			p = nil
		}
		s.access(req, start)
		if p != nil {
			panic(p)
		}
	}()
	if s.cors(req) {
		return
	}
	req.crossOrigin = s.corsOrigin(r.Header.Get("Origin")) != ""
	if err := s.prepare(req); err != nil {
		s.fail(req, err)
		return
	}
	s.route(req)
}

// access writes the request's line of the access log. The token never
// appears in it.
func (s *Server) access(req *request, start time.Time) {
	target := req.URL.EscapedPath()
	if q := redactQuery(req.URL.RawQuery); q != "" {
		target += "?" + q
	}
	code := ""
	if req.w.code != 0 {
		code = " error=" + strconv.Itoa(req.w.code)
	}
	status := req.w.status
	if status == 0 {
		status = http.StatusOK
	}
	s.logf("%s %s %s %s %d%s %dB %.1fms", req.id, req.RemoteAddr, req.Method, target, status, code, req.w.bytes,
		float64(time.Since(start).Microseconds())/1000)
}

// redactQuery hides the value of the token parameter.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		if key, err := url.QueryUnescape(k); err == nil && strings.EqualFold(key, "token") {
			parts[i] = k + "=REDACTED"
		}
	}
	q := strings.Join(parts, "&")
	if len(q) > 2048 {
		q = q[:2048] + "…"
	}
	return q
}

// prepare checks the method and the Host, reads the parameters within
// their limits, picks the response format and checks the token.
func (s *Server) prepare(req *request) error {
	// Until the parameters are read, errors are answered in the format the
	// query string asks for, else as JSON to what is not a browser's GET.
	switch f := strings.ToLower(req.URL.Query().Get("f")); {
	case f == "json" || f == "pjson" || f == "html":
		req.format = f
	case req.Method != http.MethodGet && req.Method != http.MethodHead:
		req.format = "json"
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		req.w.Header().Set("Allow", "GET, HEAD, POST")
		return errorf(codeMethod, "method %s is not supported: use GET or POST", textutil.Quote(req.Method))
	}
	if err := s.parseForm(req); err != nil {
		return err
	}
	switch f := strings.ToLower(req.param("f")); f {
	case "", "html":
		req.format = "html"
	case "json", "pjson":
		req.format = f
	default:
		req.format = "json"
		return catalog.ParamErrorf("f", "f=%s is not supported: use json, pjson or html", textutil.Excerpt(f))
	}
	if s.opts.Token == "" && !s.allowedHost(req.Host) {
		// Without a token the server trusts whoever reaches it, which must
		// then be this machine: a Host that is not a loopback name means a
		// browser was pointed here through another name (DNS rebinding).
		return errorf(codeForbidden, "host %s is not this server: without a token, requests must name it localhost or a loopback address", textutil.Quote(req.Host))
	}
	if len(req.form) > maxParams {
		return errorf(codeInvalid, "too many parameters (%d; at most %d)", len(req.form), maxParams)
	}
	if err := checkRepeated(req.form); err != nil {
		return err
	}
	for name, values := range req.form {
		limit := maxParamBytes
		if strings.EqualFold(name, "where") {
			limit = maxWhereBytes
		}
		for _, v := range values {
			if len(v) > limit {
				return catalog.ParamErrorf(name, "parameter %s is longer than %d bytes", textutil.Excerpt(name), limit)
			}
		}
	}
	if !isPublic(req.URL.Path) {
		return s.checkToken(req)
	}
	return nil
}

// checkRepeated refuses a parameter given more than once (in the query,
// the body or both), or under two names that differ only in case: which one
// counts would be a guess, and for DeleteImage's where a guess deletes.
func checkRepeated(form url.Values) error {
	names := make([]string, 0, len(form))
	for name := range form {
		names = append(names, name)
	}
	sort.Strings(names)
	byFold := map[string]string{}
	for _, name := range names {
		if n := len(form[name]); n > 1 {
			return catalog.ParamErrorf(name, "parameter %s is given %d times: give it once", textutil.Quote(name), n)
		}
		k := textutil.ToLower(name)
		if other, dup := byFold[k]; dup {
			return catalog.ParamErrorf(name, "parameters %s and %s differ only in case: give one", textutil.Quote(other), textutil.Quote(name))
		}
		byFold[k] = name
	}
	return nil
}

// parseForm reads the query string and, for POST, a form-encoded or
// multipart body of at most maxBodyBytes.
func (s *Server) parseForm(req *request) error {
	r := req.Request
	r.Body = http.MaxBytesReader(req.w, r.Body, maxBodyBytes)
	var err error
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method == http.MethodPost && ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxBodyBytes)
		if r.MultipartForm != nil {
			r.MultipartForm.RemoveAll()
		}
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errorf(codeInvalid, "the request body is larger than %d bytes", maxBodyBytes)
		}
		return errorf(codeInvalid, "cannot read the request parameters: %v", err)
	}
	req.form = r.Form
	return nil
}

// allowedHost reports whether host (the request's Host header) names this
// machine: localhost, a loopback address, or the host of the catalog's
// base URL.
func (s *Server) allowedHost(host string) bool {
	if host == "" {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.Trim(name, "[]"))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
		return true
	}
	if u, err := url.Parse(s.cat.BaseURL()); err == nil && strings.EqualFold(u.Hostname(), name) {
		return true
	}
	return false
}

// checkSameOrigin refuses a request that changes something (submitJob,
// cancel) when a browser sent it for a page of another site: a page
// elsewhere, or an <img> on it, could otherwise submit DeleteImage to a
// server on this machine. A browser says so in its Fetch Metadata headers
// (any Sec-Fetch-Site but same-origin and none, which is the user's own
// address bar; a no-cors request, which is what an <img>, <script> or
// <link> makes; a subresource destination), in Origin, or, in browsers
// that send neither, in Referer. A request with none of them (curl, a
// script, an ArcGIS client) is not a browser's and passes.
func checkSameOrigin(req *request) error {
	if req.crossOrigin {
		return nil // an origin the operator listed (serve --cors-origin) is trusted
	}
	switch site := req.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return errorf(codeForbidden, "%s requests cannot submit or cancel jobs", textutil.Escape(site))
	}
	if req.Header.Get("Sec-Fetch-Mode") == "no-cors" {
		return errorf(codeForbidden, "requests a page makes without CORS (an <img>, a <script>, a <link>) cannot submit or cancel jobs")
	}
	switch dest := req.Header.Get("Sec-Fetch-Dest"); dest {
	case "", "document", "empty", "iframe", "frame":
	default:
		return errorf(codeForbidden, "requests for a page's %s cannot submit or cancel jobs", textutil.Escape(dest))
	}
	if origin := req.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if origin == "null" || err != nil || !strings.EqualFold(u.Host, req.Host) {
			return errorf(codeForbidden, "requests from origin %s cannot submit or cancel jobs", textutil.Quote(origin))
		}
	}
	if referer := req.Header.Get("Referer"); referer != "" {
		// A browser's Referer is the absolute http(s) URL of a page. Other
		// values are not a browser's: @esri/arcgis-rest-request under Node
		// sends "@esri/arcgis-rest-js".
		u, err := url.Parse(referer)
		page := err == nil && (strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https")) && u.Host != ""
		if page && !strings.EqualFold(u.Host, req.Host) {
			return errorf(codeForbidden, "requests from a page of another site (Referer %s) cannot submit or cancel jobs", textutil.Quote(referer))
		}
	}
	return nil
}

// isPublic reports whether a path answers without a token: the server
// info, which tells clients that a token is needed.
func isPublic(path string) bool {
	return strings.EqualFold(strings.Trim(path, "/"), "arcgis/rest/info")
}

// checkToken checks the shared secret, given as the token parameter or a
// Bearer header, as ArcGIS Server does: 499 when missing, 498 when wrong.
func (s *Server) checkToken(req *request) error {
	if s.opts.Token == "" {
		return nil
	}
	got := req.param("token")
	if got == "" {
		for _, h := range []string{"X-Esri-Authorization", "Authorization"} {
			if scheme, tok, ok := strings.Cut(strings.TrimSpace(req.Header.Get(h)), " "); ok && strings.EqualFold(scheme, "Bearer") {
				got = strings.TrimSpace(tok)
				break
			}
		}
	}
	if got == "" {
		return errorf(codeTokenRequired, "Token Required")
	}
	if !equalToken(got, s.opts.Token) {
		return errorf(codeInvalidToken, "Invalid Token")
	}
	return nil
}

// equalToken compares tokens in constant time, lengths included.
func equalToken(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// fail answers err as ArcGIS does. Faults of mosaic are logged with the
// request id, which is all the client sees of them.
func (s *Server) fail(req *request, err error) {
	if req.Context().Err() != nil && errors.Is(err, req.Context().Err()) {
		// The client went away: there is no one to answer, and no fault.
		req.w.code = codeUnavailable
		s.logf("request %s: client gone: %v", req.id, err)
		return
	}
	ae := toAPIError(err)
	switch {
	case ae.Code == codeInternal:
		cause := ae.cause
		if cause == nil {
			cause = errors.New(ae.Message)
		}
		s.logf("request %s: internal error: %v", req.id, cause)
		ae = &apiError{Code: codeInternal, Message: fmt.Sprintf("Internal server error (request id %s)", req.id), Details: []string{}}
	case ae.Code == codeUnavailable && ae.cause != nil:
		s.logf("request %s: catalog unavailable: %v", req.id, ae.cause)
	}
	req.w.code = ae.Code
	if req.format == "html" {
		s.writeHTML(req, httpStatus(ae.Code), "error.html", page{Title: fmt.Sprintf("Error %d", ae.Code), Data: ae})
		return
	}
	s.writeJSON(req, struct {
		Error *apiError `json:"error"`
	}{ae})
}
