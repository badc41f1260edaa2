package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Cross-origin requests (CORS). A web app served from another origin (the
// ArcGIS Maps SDK in a page on another port, say) can read the server's
// answers only if the server says so. By default it says so to nobody;
// Options.CORSOrigins lists the origins it says so to. "*" allows every
// origin, and only with a token: without one, the server trusts whoever
// reaches it, and a page anywhere could then read the catalog.

// corsHeaders are the request headers a cross-origin request may send:
// what ArcGIS clients send (their token headers) and form posts.
var corsHeaders = []string{"Authorization", "X-Esri-Authorization", "Content-Type", "X-Requested-With"}

// CheckCORSOrigins checks the origins given to Options.CORSOrigins: each
// is scheme://host[:port] (http or https), or "*" when there is a token.
func CheckCORSOrigins(origins []string, token string) error {
	for _, o := range origins {
		if o == "*" {
			if token == "" {
				return fmt.Errorf("--cors-origin '*' lets every web page read the catalog: it needs --token-file, or name the origins (such as http://localhost:3000)")
			}
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return fmt.Errorf("--cors-origin %q: an origin is scheme://host[:port], such as http://localhost:3000", o)
		}
	}
	return nil
}

// corsOrigin returns the value of Access-Control-Allow-Origin for the
// request's Origin, or "" when it is not allowed.
func (s *Server) corsOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	for _, o := range s.opts.CORSOrigins {
		switch {
		case o == "*":
			return "*"
		case strings.EqualFold(strings.TrimSuffix(o, "/"), origin):
			return origin
		}
	}
	return ""
}

// cors adds the CORS headers an allowed origin gets, and answers a
// preflight (OPTIONS with Access-Control-Request-Method) entirely: it
// reports whether it did.
func (s *Server) cors(req *request) bool {
	origin := req.Header.Get("Origin")
	h := req.w.Header()
	if len(s.opts.CORSOrigins) > 0 {
		h.Add("Vary", "Origin")
	}
	allowed := s.corsOrigin(origin)
	preflight := req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != ""
	if allowed != "" {
		h.Set("Access-Control-Allow-Origin", allowed)
		h.Set("Access-Control-Expose-Headers", "X-Request-Id")
	}
	if !preflight {
		return false
	}
	if allowed == "" {
		// No CORS headers: the browser refuses the request it asked about.
		req.w.code = codeForbidden
		http.Error(req.w, "origin not allowed (see mosaic serve --cors-origin)", http.StatusForbidden)
		return true
	}
	switch strings.ToUpper(req.Header.Get("Access-Control-Request-Method")) {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		req.w.code = codeMethod
		http.Error(req.w, "method not allowed: use GET or POST", http.StatusForbidden)
		return true
	}
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST")
	h.Set("Access-Control-Allow-Headers", strings.Join(corsHeaders, ", "))
	h.Set("Access-Control-Max-Age", "600")
	req.w.WriteHeader(http.StatusNoContent)
	return true
}
