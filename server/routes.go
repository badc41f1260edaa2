package server

import (
	"net/http"
	"sort"
	"strings"

	"mosaic/catalog"
	"mosaic/internal/textutil"
)

// route dispatches a request by its path. Fixed segments match
// case-insensitively, as ArcGIS Server matches them.
func (s *Server) route(req *request) {
	segs := splitPath(req.URL.Path)
	gp := []string{"arcgis", "rest", "services", "System", "RasterAnalysisTools", "GPServer"}
	hosted := []string{"arcgis", "rest", "services", "Hosted", "*", "ImageServer"}
	if len(segs) == 0 || matchOnly(segs, "arcgis", "rest") {
		http.Redirect(req.w, req.Request, "/arcgis/rest/services", http.StatusFound)
		return
	}
	if matchOnly(segs, "arcgis", "rest", "info") {
		s.info(req)
		return
	}
	if matchOnly(segs, "arcgis", "rest", "services") {
		s.directory(req)
		return
	}
	if matchOnly(segs, "arcgis", "rest", "services", "System") {
		s.folder(req, "System")
		return
	}
	if matchOnly(segs, "arcgis", "rest", "services", "Hosted") {
		s.limited(req, func() { s.folder(req, "Hosted") }) // counts every collection's items
		return
	}
	if _, ok := match(segs, gp...); ok {
		s.gpService(req)
		return
	}
	if v, ok := match(segs, append(gp, "*")...); ok {
		s.task(req, v[0])
		return
	}
	if v, ok := match(segs, append(gp, "*", "submitJob")...); ok {
		s.submitJob(req, v[0])
		return
	}
	if v, ok := match(segs, append(gp, "*", "jobs", "*")...); ok {
		s.jobStatus(req, v[0], v[1])
		return
	}
	if v, ok := match(segs, append(gp, "*", "jobs", "*", "cancel")...); ok {
		s.cancelJob(req, v[0], v[1])
		return
	}
	if v, ok := match(segs, append(gp, "*", "jobs", "*", "results", "*")...); ok {
		s.limited(req, func() { s.jobResult(req, v[0], v[1], v[2]) }) // removedItems streams every removed item
		return
	}
	if v, ok := match(segs, append(gp, "*", "jobs", "*", "inputs", "*")...); ok {
		s.jobInput(req, v[0], v[1], v[2])
		return
	}
	if v, ok := match(segs, hosted...); ok {
		s.limited(req, func() { s.imageService(req, v[0]) }) // counts the items
		return
	}
	if v, ok := match(segs, append(hosted, "query")...); ok {
		s.limited(req, func() { s.query(req, v[0]) })
		return
	}
	if v, ok := match(segs, append(hosted, "keyProperties")...); ok {
		s.keyProperties(req, v[0])
		return
	}
	if v, ok := match(segs, append(hosted, "statistics")...); ok {
		s.statistics(req, v[0])
		return
	}
	s.fail(req, errorf(codeNotFound, "%s: no such resource", textutil.Quote(req.URL.Path)))
}

// splitPath splits a path into its segments; trailing slashes do not count.
func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match matches segs against pattern: "*" takes any non-empty segment and
// is returned, other segments match case-insensitively.
func match(segs []string, pattern ...string) ([]string, bool) {
	if len(segs) != len(pattern) {
		return nil, false
	}
	var vars []string
	for i, p := range pattern {
		switch {
		case p == "*" && segs[i] != "":
			vars = append(vars, segs[i])
		case !strings.EqualFold(p, segs[i]):
			return nil, false
		}
	}
	return vars, true
}

func matchOnly(segs []string, pattern ...string) bool {
	_, ok := match(segs, pattern...)
	return ok
}

// info answers /arcgis/rest/info, which clients read to learn whether they
// need a token. It is the one resource served without one.
func (s *Server) info(req *request) {
	v := map[string]any{
		"currentVersion": currentVersion,
		"fullVersion":    "11.3.0",
		"authInfo":       map[string]any{"isTokenBasedSecurity": s.opts.Token != ""},
	}
	if req.format == "html" {
		req.format = "pjson"
	}
	s.writeJSON(req, v)
}

// serviceRef is a service as a folder lists it.
type serviceRef struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type folderJSON struct {
	CurrentVersion float64      `json:"currentVersion"`
	Folders        []string     `json:"folders"`
	Services       []serviceRef `json:"services"`
}

// directory answers /arcgis/rest/services: the folders.
func (s *Server) directory(req *request) {
	v := folderJSON{CurrentVersion: currentVersion, Folders: []string{"Hosted", "System"}, Services: []serviceRef{}}
	if req.format == "html" {
		s.writeHTML(req, http.StatusOK, "folder.html", page{Title: "Home", Data: v})
		return
	}
	s.writeJSON(req, v)
}

// folder answers /arcgis/rest/services/System (the GP service) and
// /arcgis/rest/services/Hosted (an image service per collection).
func (s *Server) folder(req *request, name string) {
	v := folderJSON{CurrentVersion: currentVersion, Folders: []string{}, Services: []serviceRef{}}
	if name == "System" {
		v.Services = append(v.Services, serviceRef{"System/RasterAnalysisTools", "GPServer"})
	} else {
		colls, err := s.cat.Collections(req.Context())
		if err != nil {
			s.fail(req, err)
			return
		}
		for _, c := range colls {
			v.Services = append(v.Services, serviceRef{"Hosted/" + c.Name, "ImageServer"})
		}
		sort.Slice(v.Services, func(a, b int) bool { return v.Services[a].Name < v.Services[b].Name })
	}
	if req.format == "html" {
		s.writeHTML(req, http.StatusOK, "folder.html", page{Title: name, Data: v})
		return
	}
	s.writeJSON(req, v)
}

// serviceURL is the path of a listed service.
func serviceURL(ref serviceRef) string {
	if ref.Type == "ImageServer" {
		return catalog.ServicePath(strings.TrimPrefix(ref.Name, "Hosted/"))
	}
	return "/arcgis/rest/services/" + ref.Name + "/" + ref.Type
}
