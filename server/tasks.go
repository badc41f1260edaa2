package server

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"mosaic/catalog"
	"mosaic/internal/textutil"
	"mosaic/jobs"
)

// paramDef describes a task parameter as ArcGIS's GP task resource does.
type paramDef struct {
	Name          string   `json:"name"`
	DataType      string   `json:"dataType"`
	DisplayName   string   `json:"displayName"`
	Description   string   `json:"description"`
	Direction     string   `json:"direction"`
	DefaultValue  any      `json:"defaultValue"`
	ParameterType string   `json:"parameterType"`
	Category      string   `json:"category"`
	ChoiceList    []string `json:"choiceList"`
}

// taskDef is a task of the service: its description and how a submission
// becomes a job.
type taskDef struct {
	Name        string     `json:"name"`
	DisplayName string     `json:"displayName"`
	Description string     `json:"description"`
	Category    string     `json:"category"`
	HelpURL     string     `json:"helpUrl"`
	Execution   string     `json:"executionType"`
	Parameters  []paramDef `json:"parameters"`
	submit      func(s *Server, req *request) (*jobs.Job, error)
}

const (
	required = "esriGPParameterTypeRequired"
	optional = "esriGPParameterTypeOptional"
	derived  = "esriGPParameterTypeDerived"
	input    = "esriGPParameterDirectionInput"
	output   = "esriGPParameterDirectionOutput"
	async    = "esriExecutionTypeAsynchronous"
)

func in(name, dataType, display, typ string, def any, desc string) paramDef {
	return paramDef{Name: name, DataType: dataType, DisplayName: display, Description: desc, Direction: input,
		DefaultValue: def, ParameterType: typ, ChoiceList: []string{}}
}

func out(name, dataType, display, desc string) paramDef {
	return paramDef{Name: name, DataType: dataType, DisplayName: display, Description: desc, Direction: output,
		ParameterType: derived, ChoiceList: []string{}}
}

const collectionDesc = "The image collection (mosaic dataset): its name, its URL (…/arcgis/rest/services/Hosted/<name>/ImageServer), JSON with exactly one of the keys itemId, url, uri, or {\"serviceProperties\": {\"name\": …}}."

const inputRastersDesc = "Rasters on this machine: a JSON list of paths (files, folders searched for .tif/.tiff, glob patterns; objects with uri or url are taken as paths), {\"uris\": [paths]}, {\"uri\": path}, or one path. Also accepted as rasters (AddImage). URLs are not supported."

const rasterTypeDesc = "The raster type: \"Raster Dataset\" (GeoTIFF files, headers only), the only one supported, as a name or {\"rasterTypeName\": \"Raster Dataset\"}."

// tasks are the tasks of the service, by name.
var tasks = []*taskDef{
	{
		Name: jobs.TaskAddImage, DisplayName: "Add Image", Execution: async,
		Description: "Adds rasters to an image collection: GeoTIFF files on this machine (headers only are read), or the items listed in a CSV manifest. Source files are never changed.",
		Parameters: []paramDef{
			in("imageCollection", "GPString", "Image Collection", required, "", collectionDesc),
			in("inputRasters", "GPString", "Input Rasters", optional, "", inputRastersDesc),
			in("rasterType", "GPString", "Raster Type", optional, "Raster Dataset", rasterTypeDesc),
			in("manifest", "GPString", "Manifest", optional, "", "Path of a CSV manifest (.csv) on this machine whose header names item fields, Raster required; no raster is opened."),
			in("attributes", "GPString", "Attributes", optional, "", "A JSON object of field values set on every item added from inputRasters, such as {\"CloudCover\": 12.5}. DATE values are milliseconds since 1970 or 'YYYY-MM-DD[ HH:MM:SS]'."),
			out("result", "GPString", "Result", "The image collection's URL, as {\"url\": …}."),
		},
		submit: (*Server).submitAddImage,
	},
	{
		Name: jobs.TaskCreateImageCollection, DisplayName: "Create Image Collection", Execution: async,
		Description: "Creates an image collection (mosaic dataset) with optional user fields, and adds its input rasters to it.",
		Parameters: []paramDef{
			in("imageCollection", "GPString", "Image Collection Name", required, "", "The new collection's name (letters, digits and _), or JSON {\"name\": …} or {\"serviceProperties\": {\"name\": …}}."),
			in("inputRasters", "GPString", "Input Rasters", optional, "", inputRastersDesc+" The collection and its rasters are created together, or not at all."),
			in("rasterType", "GPString", "Raster Type", optional, "Raster Dataset", rasterTypeDesc),
			in("srs", "GPString", "Spatial Reference", optional, "", "The spatial reference of the footprints: EPSG:<code>, <code>, or {\"wkid\": <code>}. Default: the first raster's. (mosaic's extension)"),
			in("fields", "GPString", "Fields", optional, "", "User fields: a JSON list of \"NAME:TYPE\" (TYPE one of INTEGER, REAL, TEXT, DATE) or of {\"name\": …, \"type\": …} with ArcGIS field types. (mosaic's extension)"),
			out("result", "GPString", "Result", "The new collection's URL and item id, as {\"itemId\": …, \"url\": …}."),
		},
		submit: (*Server).submitCreateImageCollection,
	},
	{
		Name: jobs.TaskDeleteImage, DisplayName: "Delete Image", Execution: async,
		Description: "Removes the items a where clause, a geometry or both select from an image collection; a restart resumes the job exactly. Source files are never touched; `mosaic jobs undo` puts the items back.",
		Parameters: []paramDef{
			in("imageCollection", "GPString", "Image Collection", required, "", collectionDesc),
			in("where", "GPString", "Where", optional, "", "An ArcGIS SQL where clause selecting the items to remove, such as CloudCover > 50. 1=1 removes every item; the collection stays. Required unless geometry is given."),
			in("geometry", "GPString", "Geometry", optional, "", "Remove the items whose footprints relate to this geometry (with where: the items both select), in the forms of the image service query's geometry: xmin,ymin,xmax,ymax, x,y, Esri JSON or a GeoJSON geometry. (mosaic's extension)"),
			in("geometryType", "GPString", "Geometry Type", optional, "esriGeometryEnvelope", "esriGeometryEnvelope, esriGeometryPoint, esriGeometryMultipoint or esriGeometryPolygon. (mosaic's extension)"),
			in("inSR", "GPString", "Input Spatial Reference", optional, "", "The spatial reference of geometry: a wkid, EPSG:<code> or {\"wkid\": <code>}; default: the geometry's own, else the collection's. (mosaic's extension)"),
			in("spatialRel", "GPString", "Spatial Relationship", optional, "esriSpatialRelIntersects", "esriSpatialRelIntersects, esriSpatialRelEnvelopeIntersects, esriSpatialRelContains (the geometry contains the footprint) or esriSpatialRelWithin (the geometry lies within the footprint). (mosaic's extension)"),
			in("updateBoundary", "GPBoolean", "Update Boundary", optional, true, "Recompute the collection's boundary afterwards. (mosaic's extension)"),
			in("markOverviews", "GPBoolean", "Mark Overviews", optional, true, "Mark overviews over removed items stale. (mosaic's extension)"),
			out("result", "GPString", "Result", "The image collection's URL, as {\"url\": …}."),
			out("removedItems", "GPRecordSet", "Removed Items", "The OBJECTID and Name of each removed item. (mosaic's extension)"),
		},
		submit: (*Server).submitDeleteImage,
	},
	{
		Name: jobs.TaskDeleteImageCollection, DisplayName: "Delete Image Collection", Execution: async,
		Description: "Deletes an image collection and its items from the catalog; the source files stay. It runs when submitted: the job is finished by the time its id is returned.",
		Parameters: []paramDef{
			in("imageCollection", "GPString", "Image Collection", required, "", collectionDesc),
			out("result", "GPBoolean", "Result", "true once the collection is deleted."),
		},
		submit: (*Server).submitDeleteImageCollection,
	},
}

// findTask returns the task named name, case-insensitively.
func findTask(name string) (*taskDef, error) {
	for _, t := range tasks {
		if strings.EqualFold(t.Name, name) {
			return t, nil
		}
	}
	names := make([]string, len(tasks))
	for i, t := range tasks {
		names[i] = t.Name
	}
	return nil, errorf(codeNotFound, "task %s not found (tasks: %s)", textutil.Quote(name), strings.Join(names, ", "))
}

// collectionParam returns the imageCollection parameter, checked for form
// (a name, a URL or a JSON reference) before anything looks it up.
func collectionParam(req *request) (string, error) {
	v := strings.TrimSpace(req.param("imageCollection"))
	if strings.HasPrefix(v, `"`) {
		// A JSON string, as clients that encode every parameter send it.
		var s string
		if err := json.Unmarshal([]byte(v), &s); err != nil {
			return "", catalog.ParamErrorf("imageCollection", "imageCollection: %v", err)
		}
		v = strings.TrimSpace(s)
	}
	if strings.HasPrefix(v, "{") {
		// {"serviceProperties": {"name": …, "serviceUrl": …}}, as ArcGIS
		// clients name a collection they made.
		var sp struct {
			ServiceProperties *struct {
				Name       string `json:"name"`
				ServiceURL string `json:"serviceUrl"`
			} `json:"serviceProperties"`
		}
		if json.Unmarshal([]byte(v), &sp) == nil && sp.ServiceProperties != nil {
			switch p := sp.ServiceProperties; {
			case strings.TrimSpace(p.Name) != "":
				v = strings.TrimSpace(p.Name)
			case strings.TrimSpace(p.ServiceURL) != "":
				v = strings.TrimSpace(p.ServiceURL)
			default:
				return "", catalog.ParamErrorf("imageCollection", "imageCollection: serviceProperties has neither name nor serviceUrl")
			}
		}
	}
	if v == "" {
		return "", catalog.ParamErrorf("imageCollection", "imageCollection is required: the collection's name, its URL, or {\"itemId\": …}")
	}
	if _, err := catalog.ParseRef(v); err != nil {
		return "", catalog.ParamErrorf("imageCollection", "%v", err)
	}
	return v, nil
}

// boolParam parses an optional GPBoolean.
func boolParam(req *request, name string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(req.param(name))) {
	case "":
		return def, nil
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, catalog.ParamErrorf(name, "%s must be true or false, not %s", name, textutil.Quote(req.param(name)))
}

func (s *Server) submitDeleteImage(req *request) (*jobs.Job, error) {
	ref, err := collectionParam(req)
	if err != nil {
		return nil, err
	}
	updateBoundary, err := boolParam(req, "updateBoundary", true)
	if err != nil {
		return nil, err
	}
	markOverviews, err := boolParam(req, "markOverviews", true)
	if err != nil {
		return nil, err
	}
	return s.m.SubmitDeleteImage(req.Context(), jobs.DeleteImageParams{ImageCollection: ref, Where: req.param("where"),
		Geometry: req.param("geometry"), GeometryType: req.param("geometryType"), InSR: req.param("inSR"), SpatialRel: req.param("spatialRel"),
		NoUpdateBoundary: !updateBoundary, NoMarkOverviews: !markOverviews})
}

func (s *Server) submitDeleteImageCollection(req *request) (*jobs.Job, error) {
	ref, err := collectionParam(req)
	if err != nil {
		return nil, err
	}
	return s.m.DeleteImageCollection(req.Context(), ref)
}

func (s *Server) submitCreateImageCollection(req *request) (*jobs.Job, error) {
	name, err := newCollectionName(req.param("imageCollection"))
	if err != nil {
		return nil, err
	}
	srs, err := srsParam(req.param("srs"))
	if err != nil {
		return nil, err
	}
	fields, err := fieldsParam(req.param("fields"))
	if err != nil {
		return nil, err
	}
	if err := rasterTypeParam(req.param("rasterType")); err != nil {
		return nil, err
	}
	paths, err := rasterPaths("inputRasters", req.param("inputRasters"))
	if err != nil {
		return nil, err
	}
	return s.m.SubmitCreateImageCollection(req.Context(), catalog.NewCollection{Name: name, SRS: srs, Fields: fields}, paths...)
}

// newCollectionName reads the name of a collection to create: a name, or
// JSON {"name": …} or {"serviceProperties": {"name": …}} as ArcGIS clients
// send output names.
func newCollectionName(v string) (string, error) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "{") || strings.HasPrefix(v, `"`) {
		var obj struct {
			Name              string `json:"name"`
			ServiceProperties struct {
				Name string `json:"name"`
			} `json:"serviceProperties"`
		}
		if err := catalog.CheckJSONKeys([]byte(v), true); err != nil {
			return "", catalog.ParamErrorf("imageCollection", "imageCollection: %v", err)
		}
		var str string
		if err := json.Unmarshal([]byte(v), &str); err == nil {
			v = str
		} else if err := json.Unmarshal([]byte(v), &obj); err == nil {
			v = obj.Name
			if v == "" {
				v = obj.ServiceProperties.Name
			}
		} else {
			return "", catalog.ParamErrorf("imageCollection", "imageCollection: not a name nor JSON with a name: %v", err)
		}
		v = strings.TrimSpace(v)
	}
	if v == "" {
		return "", catalog.ParamErrorf("imageCollection", "imageCollection is required: the name of the collection to create")
	}
	ref, err := catalog.ParseRef(v)
	if err != nil || ref.Name == "" || ref.Name != v {
		return "", catalog.ParamErrorf("imageCollection", "image collection name %s: use only letters, digits and _ (at most 120), as ArcGIS service names", textutil.Quote(v))
	}
	return v, nil
}

// srsParam reads a spatial reference: EPSG:N, N or {"wkid": N}.
func srsParam(v string) (string, error) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "{") {
		var sr struct {
			WKID       int `json:"wkid"`
			LatestWKID int `json:"latestWkid"`
		}
		if err := json.Unmarshal([]byte(v), &sr); err != nil {
			return "", catalog.ParamErrorf("srs", "srs: %v", err)
		}
		if err := catalog.CheckJSONKeys([]byte(v), true); err != nil {
			return "", catalog.ParamErrorf("srs", "srs: %v", err)
		}
		if sr.LatestWKID != 0 {
			sr.WKID = sr.LatestWKID
		}
		v = strconv.Itoa(sr.WKID)
	}
	srs, err := catalog.ParseSRS(v)
	if err != nil {
		return "", catalog.ParamErrorf("srs", "%v", err)
	}
	return srs, nil
}

// esriTypes maps ArcGIS field types to catalog types.
var esriTypes = map[string]string{
	"esrifieldtypeinteger": "INTEGER", "esrifieldtypesmallinteger": "INTEGER", "esrifieldtypebiginteger": "INTEGER",
	"esrifieldtypedouble": "REAL", "esrifieldtypesingle": "REAL",
	"esrifieldtypestring": "TEXT", "esrifieldtypedate": "DATE",
}

// fieldsParam reads user field declarations: a JSON list of "NAME:TYPE"
// or of {"name": …, "type": …} with ArcGIS field types, or NAME:TYPE,…
// Whether they make a valid set (names, duplicates, standard fields) is
// for the catalog to say.
func fieldsParam(v string) ([]catalog.Field, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	var specs []string
	if strings.HasPrefix(v, "[") {
		var list []json.RawMessage
		if err := json.Unmarshal([]byte(v), &list); err != nil {
			return nil, catalog.ParamErrorf("fields", "fields: %v", err)
		}
		if err := catalog.CheckJSONKeys([]byte(v), true); err != nil {
			return nil, catalog.ParamErrorf("fields", "fields: %v", err)
		}
		for _, raw := range list {
			var spec string
			var obj struct{ Name, Type string }
			if json.Unmarshal(raw, &spec) == nil {
				specs = append(specs, spec)
			} else if json.Unmarshal(raw, &obj) == nil {
				typ := obj.Type
				if t, ok := esriTypes[strings.ToLower(typ)]; ok {
					typ = t
				}
				specs = append(specs, obj.Name+":"+typ)
			} else {
				return nil, catalog.ParamErrorf("fields", "fields: each field is \"NAME:TYPE\" or {\"name\": …, \"type\": …}, not %s", textutil.Excerpt(string(raw)))
			}
		}
	} else {
		specs = strings.Split(v, ",")
	}
	var out []catalog.Field
	for _, spec := range specs {
		f, err := catalog.ParseFieldSpec(strings.TrimSpace(spec))
		if err != nil {
			return nil, catalog.WithParam(err, "fields")
		}
		out = append(out, f)
	}
	return out, nil
}

// maxRasterPaths bounds the paths one AddImage names.
const maxRasterPaths = 10000

func (s *Server) submitAddImage(req *request) (*jobs.Job, error) {
	ref, err := collectionParam(req)
	if err != nil {
		return nil, err
	}
	rastersName, rastersText := "inputRasters", req.param("inputRasters")
	if other := req.param("rasters"); other != "" {
		if rastersText != "" {
			return nil, catalog.ParamErrorf("rasters", "give inputRasters or rasters, not both")
		}
		rastersName, rastersText = "rasters", other
	}
	if err := rasterTypeParam(req.param("rasterType")); err != nil {
		return nil, err
	}
	paths, err := rasterPaths(rastersName, rastersText)
	if err != nil {
		return nil, err
	}
	manifest, err := manifestParam(req.param("manifest"))
	if err != nil {
		return nil, err
	}
	attrs, err := attributesParam(req.param("attributes"))
	if err != nil {
		return nil, err
	}
	return s.m.SubmitAddImage(req.Context(), jobs.AddImageParams{ImageCollection: ref, Rasters: paths, Manifest: manifest, Attributes: attrs})
}

// rasterPaths reads a list of raster paths, in the forms the ArcGIS
// AddImage doc gives (inputRasters): a JSON list of paths (or of objects
// with uri or url), {"uris": [paths]}, {"uri": path} or {"url": path}, one
// JSON path, or one plain path. Paths are made absolute against the
// server's working folder.
func rasterPaths(name, v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	var raw []json.RawMessage
	switch v[0] {
	case '[':
		if err := json.Unmarshal([]byte(v), &raw); err != nil {
			return nil, catalog.ParamErrorf(name, "%s: %v", name, err)
		}
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(v), &obj); err != nil {
			return nil, catalog.ParamErrorf(name, "%s: %v", name, err)
		}
		if uris, ok := obj["uris"]; ok {
			if len(obj) != 1 {
				return nil, catalog.ParamErrorf(name, "%s: {\"uris\": […]} takes no other key", name)
			}
			if err := json.Unmarshal(uris, &raw); err != nil {
				return nil, catalog.ParamErrorf(name, "%s: uris must be a list of paths: %v", name, err)
			}
			if len(raw) == 0 {
				return nil, catalog.ParamErrorf(name, "%s: uris is empty", name)
			}
			break
		}
		raw = []json.RawMessage{json.RawMessage(v)}
	case '"':
		raw = []json.RawMessage{json.RawMessage(v)}
	default:
		raw = []json.RawMessage{jsonString(v)}
	}
	if err := catalog.CheckJSONKeys([]byte(v), true); err != nil {
		return nil, catalog.ParamErrorf(name, "%s: %v", name, err)
	}
	if len(raw) > maxRasterPaths {
		return nil, catalog.ParamErrorf(name, "%s names %d rasters; at most %d per job (give folders or globs)", name, len(raw), maxRasterPaths)
	}
	paths := make([]string, 0, len(raw))
	for _, r := range raw {
		var p string
		var obj struct{ URL, URI string }
		if json.Unmarshal(r, &p) != nil {
			if err := json.Unmarshal(r, &obj); err != nil || (obj.URL == "" && obj.URI == "") {
				return nil, catalog.ParamErrorf(name, "%s: each raster is a path or {\"uri\": …}, not %s", name, textutil.Excerpt(string(r)))
			}
			p = obj.URI
			if p == "" {
				p = obj.URL
			}
		}
		p = strings.TrimSpace(p)
		low := strings.ToLower(p)
		switch {
		case p == "":
			return nil, catalog.ParamErrorf(name, "%s: empty path", name)
		case strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") || strings.Contains(low, "://"):
			return nil, catalog.ParamErrorf(name, "%s: %s is a URL; only files on this machine can be added", name, textutil.Quote(p))
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, catalog.ParamErrorf(name, "%s: %s: %v", name, textutil.Quote(p), err)
		}
		paths = append(paths, abs)
	}
	return paths, nil
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// manifestParam checks a manifest path: a regular .csv file on this
// machine. The extension is required so that the server reads no other
// kind of file (an excerpt of its first line would show in an error
// message), and it is checked on the real path, symbolic links resolved: a
// shadow.csv that points at /etc/shadow is refused.
func manifestParam(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if !strings.EqualFold(filepath.Ext(v), ".csv") {
		return "", catalog.ParamErrorf("manifest", "manifest %s: a manifest is a .csv file", textutil.Quote(v))
	}
	real, err := jobs.ResolveManifest(v)
	if err != nil {
		return "", err
	}
	if !strings.EqualFold(filepath.Ext(real), ".csv") {
		return "", catalog.ParamErrorf("manifest", "manifest %s is a link to %s, which is not a .csv file", textutil.Quote(v), textutil.Quote(real))
	}
	return real, nil
}

// attributesParam reads a JSON object of field values. Numbers stay
// json.Number, so that a DATE given as milliseconds since 1970 (as ArcGIS
// gives dates) and a large INTEGER convert exactly; the fields and values
// are checked against the collection when the job is submitted.
func attributesParam(text string) (map[string]any, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.Decode(new(any)) != io.EOF {
		return nil, catalog.ParamErrorf("attributes", "attributes must be a JSON object of field values, such as {\"CloudCover\": 12.5}")
	}
	// Field names are case-insensitive: {"Cc": 1, "cc": 2} names one field twice.
	if err := catalog.CheckJSONKeys([]byte(text), true); err != nil {
		return nil, catalog.ParamErrorf("attributes", "attributes: %v", err)
	}
	return obj, nil
}

// rasterTypeParam checks rasterType: mosaic reads GeoTIFF headers, the
// "Raster Dataset" raster type of ArcGIS; any other type (Landsat,
// Sentinel-2 products …) would need readers mosaic does not have, and is
// refused rather than read as plain rasters.
func rasterTypeParam(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	name := v
	if strings.HasPrefix(v, "{") || strings.HasPrefix(v, `"`) {
		var s string
		var obj struct {
			Name   string          `json:"rasterTypeName"`
			Params json.RawMessage `json:"rasterTypeParameters"`
		}
		switch {
		case json.Unmarshal([]byte(v), &s) == nil:
			name = s
		case json.Unmarshal([]byte(v), &obj) == nil:
			name = obj.Name
			if p := strings.TrimSpace(string(obj.Params)); p != "" && p != "null" && p != "{}" {
				return catalog.ParamErrorf("rasterType", "rasterType: rasterTypeParameters are not supported (the Raster Dataset type reads GeoTIFF headers as they are)")
			}
		default:
			return catalog.ParamErrorf("rasterType", "rasterType must be a raster type name or {\"rasterTypeName\": …}")
		}
	}
	switch strings.ToLower(strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '_' }), " ")) {
	case "raster dataset":
		return nil
	}
	return catalog.ParamErrorf("rasterType", "rasterType %s is not supported: mosaic adds GeoTIFF files as the \"Raster Dataset\" raster type only", textutil.Quote(name))
}
