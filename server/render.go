package server

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the HTML pages, each the layout with its own "content".
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{"join": strings.Join, "serviceURL": serviceURL,
		// The choices of the query form's select lists, ArcGIS's order.
		"geometryTypes": func() []string {
			return []string{"esriGeometryEnvelope", "esriGeometryPoint", "esriGeometryMultipoint", "esriGeometryPolygon"}
		},
		"spatialRels": func() []string {
			return []string{"esriSpatialRelIntersects", "esriSpatialRelEnvelopeIntersects", "esriSpatialRelContains", "esriSpatialRelWithin"}
		},
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html"))
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	m := map[string]*template.Template{}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" {
			continue
		}
		m[base] = template.Must(template.Must(layout.Clone()).ParseFS(templateFiles, name))
	}
	return m
}()

// page is what every HTML page gets: its title, the breadcrumbs to it, a
// link to its JSON, and its own data.
type page struct {
	Title   string
	Crumbs  []crumb
	JSONURL string
	Data    any
}

type crumb struct{ Name, URL string }

// writeJSON answers v as JSON, indented for f=pjson.
func (s *Server) writeJSON(req *request, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if req.format == "pjson" {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		s.fail(req, err)
		return
	}
	req.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	req.w.Write(buf.Bytes())
}

// writeRawJSON answers a JSON document that is already encoded, indented
// for f=pjson.
func (s *Server) writeRawJSON(req *request, b []byte) {
	if req.format == "pjson" {
		var buf bytes.Buffer
		if err := json.Indent(&buf, b, "", "  "); err == nil {
			b = buf.Bytes()
		}
	}
	req.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	req.w.Write(b)
}

// writeHTML renders page name. Crumbs and the JSON link default to the
// request's path.
func (s *Server) writeHTML(req *request, status int, name string, p page) {
	if p.Crumbs == nil {
		p.Crumbs = crumbsFor(req.URL.Path)
	}
	if p.JSONURL == "" {
		p.JSONURL = req.URL.Path + "?f=pjson"
	}
	var buf bytes.Buffer
	if err := pages[name].Execute(&buf, p); err != nil {
		s.logf("request %s: render %s: %v", req.id, name, err)
		http.Error(req.w, "Internal server error (request id "+req.id+")", http.StatusInternalServerError)
		return
	}
	req.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	req.w.WriteHeader(status)
	req.w.Write(buf.Bytes())
}

// crumbsFor returns the breadcrumbs of a path under /arcgis/rest/services,
// as the services directory shows them: Home > System >
// RasterAnalysisTools (GPServer) > DeleteImage > …
func crumbsFor(p string) []crumb {
	const root = "/arcgis/rest/services"
	crumbs := []crumb{{"Home", root}}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if len(segs) < 3 {
		return crumbs
	}
	at := root
	for i := 3; i < len(segs); i++ {
		name := segs[i]
		at += "/" + url.PathEscape(name)
		if i+1 < len(segs) && (strings.EqualFold(segs[i+1], "GPServer") || strings.EqualFold(segs[i+1], "ImageServer")) {
			i++
			at += "/" + segs[i]
			name += " (" + segs[i] + ")"
		}
		link := at
		if strings.EqualFold(name, "jobs") || strings.EqualFold(name, "results") || strings.EqualFold(name, "inputs") {
			link = "" // not resources of their own
		}
		crumbs = append(crumbs, crumb{name, link})
	}
	return crumbs
}

// lazyWriter lets a streaming answer fail cleanly: headers go out with the
// first byte, so an error before it can still be answered as an error.
type lazyWriter struct {
	req     *request
	ctype   string
	started bool
}

func (lw *lazyWriter) Write(b []byte) (int, error) {
	if !lw.started {
		lw.started = true
		lw.req.w.Header().Set("Content-Type", lw.ctype)
	}
	return lw.req.w.Write(b)
}

// stream answers with what write writes, as JSON. With f=pjson the answer
// is buffered and indented. An error before anything was written is
// answered as an error; after, the connection is cut so that the client
// cannot take a truncated answer for a whole one.
func (s *Server) stream(req *request, write func(io.Writer) error) {
	if req.format == "pjson" {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			s.fail(req, err)
			return
		}
		s.writeRawJSON(req, buf.Bytes())
		return
	}
	lw := &lazyWriter{req: req, ctype: "application/json; charset=utf-8"}
	if err := write(lw); err != nil {
		if !lw.started {
			s.fail(req, err)
			return
		}
		s.logf("request %s: answer cut short: %v", req.id, err)
		panic(http.ErrAbortHandler)
	}
}
