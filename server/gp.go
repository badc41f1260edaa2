package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"mosaic/internal/textutil"
	"mosaic/jobs"
	"mosaic/pictures"
)

// gpService answers …/GPServer: the service and its tasks.
func (s *Server) gpService(req *request) {
	names := make([]string, len(tasks))
	for i, t := range tasks {
		names[i] = t.Name
	}
	v := struct {
		CurrentVersion      float64  `json:"currentVersion"`
		ServiceDescription  string   `json:"serviceDescription"`
		Tasks               []string `json:"tasks"`
		ExecutionType       string   `json:"executionType"`
		ResultMapServerName string   `json:"resultMapServerName"`
		MaximumRecords      int      `json:"maximumRecords"`
	}{currentVersion, "Raster Analysis tasks over the image collections of a mosaic catalog, run offline by mosaic.",
		names, async, "", maxRecordCount}
	if req.format == "html" {
		s.writeHTML(req, http.StatusOK, "gpservice.html", page{Title: "RasterAnalysisTools (GPServer)", Data: v})
		return
	}
	s.writeJSON(req, v)
}

// task answers …/GPServer/<Task>: the task and its parameters.
func (s *Server) task(req *request, name string) {
	t, err := findTask(name)
	if err != nil {
		s.fail(req, err)
		return
	}
	if req.format == "html" {
		s.writeHTML(req, http.StatusOK, "task.html", page{Title: t.Name + " (RasterAnalysisTools)", Data: t})
		return
	}
	s.writeJSON(req, t)
}

// submitJob answers …/<Task>/submitJob: it validates the parameters,
// records the job and queues it behind the other jobs of its collection.
func (s *Server) submitJob(req *request, name string) {
	t, err := findTask(name)
	if err != nil {
		s.fail(req, err)
		return
	}
	if err := checkSameOrigin(req); err != nil {
		s.fail(req, err)
		return
	}
	if s.stopping.Load() {
		s.fail(req, errShuttingDown)
		return
	}
	j, err := t.submit(s, req)
	if err != nil {
		s.fail(req, err)
		return
	}
	status := j.Status
	if runnable(j.Task) {
		if err := s.enqueue(req.Context(), j); err != nil {
			// Recorded but not queued (the server began to stop): the next
			// start resumes it.
			s.logf("request %s: job %s not queued: %v", req.id, j.ID, err)
		}
	}
	if req.format == "html" {
		s.jobPage(req, j.ID)
		return
	}
	s.writeJSON(req, struct {
		JobID     string      `json:"jobId"`
		JobStatus jobs.Status `json:"jobStatus"`
	}{j.ID, status})
}

// job loads job id for a request under task: a job of another task is not
// found there, as ArcGIS has it.
func (s *Server) job(req *request, task, id string) (*jobs.Job, error) {
	t, err := findTask(task)
	if err != nil {
		return nil, err
	}
	if !jobs.ValidJobID(id) {
		return nil, errorf(codeNotFound, "job %s not found (a job id is j followed by 32 hexadecimal digits)", textutil.Quote(id))
	}
	j, err := s.m.Get(req.Context(), id)
	if err != nil {
		return nil, err
	}
	if j.Task != t.Name {
		return nil, errorf(codeNotFound, "job %s not found in task %s (it is a %s job)", id, t.Name, j.Task)
	}
	return j, nil
}

// jobStatus answers …/<Task>/jobs/<jobId>: the job document, without its
// messages when returnMessages=false.
func (s *Server) jobStatus(req *request, task, id string) {
	withMessages, err := boolParam(req, "returnMessages", true)
	if err != nil {
		s.fail(req, err)
		return
	}
	j, err := s.job(req, task, id)
	if err != nil {
		s.fail(req, err)
		return
	}
	if !withMessages {
		j.Messages = nil
	}
	s.writeJob(req, j)
}

func (s *Server) writeJob(req *request, j *jobs.Job) {
	if req.format == "html" {
		picture, err := pictures.Job(req.Context(), s.m, j, pictures.Options{Width: 720, IDPrefix: "job-"})
		if err != nil {
			s.fail(req, err)
			return
		}
		var buf bytes.Buffer
		if err := j.WriteHTML(&buf, "", picture); err != nil {
			s.fail(req, err)
			return
		}
		req.w.Header().Set("Content-Type", "text/html; charset=utf-8")
		req.w.Write(buf.Bytes())
		return
	}
	s.writeJSON(req, j.Document())
}

// jobPage answers with the page of job id, as it is now.
func (s *Server) jobPage(req *request, id string) {
	j, err := s.m.Get(req.Context(), id)
	if err != nil {
		s.fail(req, err)
		return
	}
	s.writeJob(req, j)
}

// cancelJob answers …/<Task>/jobs/<jobId>/cancel.
func (s *Server) cancelJob(req *request, task, id string) {
	if err := checkSameOrigin(req); err != nil {
		s.fail(req, err)
		return
	}
	if _, err := s.job(req, task, id); err != nil {
		s.fail(req, err)
		return
	}
	j, err := s.m.Cancel(req.Context(), id)
	if err != nil {
		s.fail(req, err)
		return
	}
	s.writeJob(req, j)
}

// maxHTMLValue bounds the JSON a parameter page shows.
const maxHTMLValue = 256 << 10

// paramPage is a result or input parameter as its HTML page shows it.
type paramPage struct {
	JobURL    string
	ParamName string
	DataType  string
	URL       string // value.url, when the value points at a collection
	Value     string // indented JSON
	Truncated bool
}

// jobResult answers …/<Task>/jobs/<jobId>/results/<param>.
func (s *Server) jobResult(req *request, task, id, param string) {
	if _, err := s.job(req, task, id); err != nil {
		s.fail(req, err)
		return
	}
	write := func(w io.Writer) error { return s.m.WriteResult(req.Context(), id, param, w) }
	if req.format != "html" {
		s.stream(req, write)
		return
	}
	var buf bytes.Buffer
	err := write(&limitWriter{w: &buf, n: maxHTMLValue})
	truncated := errors.Is(err, errTruncated)
	if err != nil && !truncated {
		s.fail(req, err)
		return
	}
	s.paramPage(req, task, id, buf.Bytes(), truncated)
}

// jobInput answers …/<Task>/jobs/<jobId>/inputs/<param>.
func (s *Server) jobInput(req *request, task, id, param string) {
	j, err := s.job(req, task, id)
	if err != nil {
		s.fail(req, err)
		return
	}
	v, err := j.InputValue(param)
	if err != nil {
		s.fail(req, err)
		return
	}
	if req.format == "html" {
		s.paramPage(req, task, id, v, false)
		return
	}
	s.writeRawJSON(req, append(v, '\n'))
}

func (s *Server) paramPage(req *request, task, id string, raw []byte, truncated bool) {
	p := paramPage{JobURL: jobs.ServicePath + "/" + task + "/jobs/" + id, Truncated: truncated}
	var head struct {
		ParamName string          `json:"paramName"`
		DataType  string          `json:"dataType"`
		Value     json.RawMessage `json:"value"`
	}
	if !truncated && json.Unmarshal(raw, &head) == nil {
		p.ParamName, p.DataType = head.ParamName, head.DataType
		var v struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(head.Value, &v) == nil && strings.HasPrefix(v.URL, "http") {
			p.URL = v.URL
		}
		var buf bytes.Buffer
		if json.Indent(&buf, head.Value, "", "  ") == nil {
			raw = buf.Bytes()
		}
	}
	p.Value = string(raw)
	title := p.ParamName
	if title == "" {
		title = "Parameter"
	}
	s.writeHTML(req, http.StatusOK, "param.html", page{Title: title + " (job " + id + ")", Data: p})
}

var errTruncated = errors.New("truncated")

// limitWriter takes at most n bytes, then fails with errTruncated.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(b []byte) (int, error) {
	if len(b) > l.n {
		l.w.Write(b[:l.n])
		l.n = 0
		return 0, errTruncated
	}
	l.n -= len(b)
	return l.w.Write(b)
}
