package jobs

import (
	"embed"
	"html/template"
	"io"
	"sort"
)

//go:embed templates/*.html
var templateFiles embed.FS

var jobTemplate = template.Must(template.ParseFS(templateFiles, "templates/job.html"))

// ServicePath is the path of the Raster Analysis GP service.
const ServicePath = "/arcgis/rest/services/System/RasterAnalysisTools/GPServer"

type namedURL struct{ Name, URL string }

// WriteHTML renders the job as a page in the style of the ArcGIS REST
// services directory. base is the server's base URL (links point there);
// picture, when not empty, is an inline SVG of what the job did (see
// package pictures), shown under the progress.
func (j *Job) WriteHTML(w io.Writer, base string, picture []byte) error {
	d := j.Document()
	task := j.Task
	service := base + ServicePath
	data := struct {
		Doc                 Document
		Task, Base, Service string
		JobURL              string
		Results, Inputs     []namedURL
		Picture             template.HTML
	}{Doc: d, Task: task, Base: base, Service: service, JobURL: service + "/" + task + "/jobs/" + d.JobID,
		Picture: template.HTML(picture)} // svgmap escapes every text it writes
	for name, p := range d.Results {
		data.Results = append(data.Results, namedURL{name, p.ParamURL})
	}
	for name, p := range d.Inputs {
		data.Inputs = append(data.Inputs, namedURL{name, p.ParamURL})
	}
	sort.Slice(data.Results, func(a, b int) bool { return data.Results[a].Name > data.Results[b].Name }) // result first
	sort.Slice(data.Inputs, func(a, b int) bool { return data.Inputs[a].Name < data.Inputs[b].Name })
	return jobTemplate.Execute(w, data)
}
