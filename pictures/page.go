package pictures

import (
	"bytes"
	"html/template"
	"io"

	"mosaic/catalog"
)

// DryRunPage is what the HTML page of a dry run shows.
type DryRunPage struct {
	Collection string
	Where      string
	Geometry   string // the --geometry given, if any
	SpatialRel string
	Matches    int64
	Total      int64
	First      []catalog.ItemRef // the first matches, listed under the map
	SVG        []byte            // the map, drawn with Options.Inline
}

var dryRunPage = template.Must(template.New("dryrun").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Dry run: delete-image -i {{.Collection}}{{if .Where}} --where {{.Where}}{{end}}{{if .Geometry}} --geometry {{.Geometry}}{{end}}</title>
<style>body{font-family:sans-serif;margin:1.5em;color:#222} svg{max-width:100%;height:auto} td,th{padding:0 1em 0 0;text-align:left} .n{text-align:right}</style>
</head><body>
<h1>Dry run of DeleteImage on {{.Collection}}</h1>
<p><b>{{.Matches}}</b> of the {{.Total}} items of {{.Collection}} {{if .Where}}match <code>{{.Where}}</code>{{end}}{{if and .Where .Geometry}} and {{end}}{{if .Geometry}}relate to the geometry <code>{{.Geometry}}</code> by {{if .SpatialRel}}{{.SpatialRel}}{{else}}esriSpatialRelIntersects{{end}}{{end}}: a submission now would remove them. Nothing was deleted.</p>
{{.SVGHTML}}
{{if .First}}<h2>{{if lt (len .First) .Matches}}The first {{len .First}} of them{{else}}They are{{end}}</h2>
<table><tr><th class="n">OBJECTID</th><th>Name</th></tr>
{{range .First}}<tr><td class="n">{{.OBJECTID}}</td><td>{{.Name}}</td></tr>
{{end}}</table>{{end}}
</body></html>
`))

// WriteDryRunPage writes p as a standalone HTML page.
func WriteDryRunPage(w io.Writer, p DryRunPage) error {
	var buf bytes.Buffer
	err := dryRunPage.Execute(&buf, struct {
		DryRunPage
		SVGHTML template.HTML
	}{p, template.HTML(p.SVG)}) // svgmap escapes every text it writes
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}
