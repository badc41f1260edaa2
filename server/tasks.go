package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"mosaic/catalog"
	"mosaic/jobs"
	"mosaic/where"
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

const collectionDesc = "The image collection (mosaic dataset): its name, its URL (…/arcgis/rest/services/Hosted/<name>/ImageServer), or JSON with exactly one of the keys itemId, url, uri."

// tasks are the tasks of the service, by name.
var tasks = []*taskDef{
	{
		Name: jobs.TaskAddImage, DisplayName: "Add Image", Execution: async,
		Description: "Adds rasters to an image collection: GeoTIFF files on this machine (headers only are read), or the items listed in a CSV manifest. Source files are never changed.",
		Parameters: []paramDef{
			in("imageCollection", "GPString", "Image Collection", required, "", collectionDesc),
			in("inputRasters", "GPString", "Input Rasters", optional, "", "Rasters on this machine: a JSON list of paths (files, folders searched for .tif/.tiff, glob patterns; objects with url or uri are taken as paths), or one path. Also accepted as rasters. URLs are not supported."),
			in("manifest", "GPString", "Manifest", optional, "", "Path of a CSV manifest (.csv) on this machine whose header names item fields, Raster required; no raster is opened."),
			in("attributes", "GPString", "Attributes", optional, "", "A JSON object of field values set on every item added from inputRasters, such as {\"CloudCover\": 12.5}. DATE values are milliseconds since 1970 or 'YYYY-MM-DD[ HH:MM:SS]'."),
			out("result", "GPString", "Result", "The image collection's URL, as {\"url\": …}."),
		},
		submit: (*Server).submitAddImage,
	},
	{
		Name: jobs.TaskCreateImageCollection, DisplayName: "Create Image Collection", Execution: async,
		Description: "Creates an empty image collection (mosaic dataset) with optional user fields.",
		Parameters: []paramDef{
			in("imageCollection", "GPString", "Image Collection Name", required, "", "The new collection's name (letters, digits and _), or JSON {\"name\": …} or {\"serviceProperties\": {\"name\": …}}."),
			in("srs", "GPString", "Spatial Reference", optional, "", "The spatial reference of the footprints: EPSG:<code>, <code>, or {\"wkid\": <code>}. Default: the first raster's. (mosaic's extension)"),
			in("fields", "GPString", "Fields", optional, "", "User fields: a JSON list of \"NAME:TYPE\" (TYPE one of INTEGER, REAL, TEXT, DATE) or of {\"name\": …, \"type\": …} with ArcGIS field types. (mosaic's extension)"),
			out("result", "GPString", "Result", "The new collection's URL and item id, as {\"itemId\": …, \"url\": …}."),
		},
		submit: (*Server).submitCreateImageCollection,
	},
	{
		Name: jobs.TaskDeleteImage, DisplayName: "Delete Image", Execution: async,
		Description: "Removes the items a where clause selects from an image collection, in batches that a restart resumes exactly. Source files are never touched; `mosaic jobs undo` puts the items back.",
		Parameters: []paramDef{
			in("imageCollection", "GPString", "Image Collection", required, "", collectionDesc),
			in("where", "GPString", "Where", required, "", "An ArcGIS SQL where clause selecting the items to remove, such as CloudCover > 50. 1=1 removes every item; the collection stays."),
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
	return nil, errorf(codeNotFound, "task %q not found (tasks: %s)", name, strings.Join(names, ", "))
}

// collectionParam returns the imageCollection parameter, checked for form
// (a name, a URL or a JSON reference) before anything looks it up.
func collectionParam(req *request) (string, error) {
	v := strings.TrimSpace(req.param("imageCollection"))
	if strings.HasPrefix(v, `"`) {
		// A JSON string, as clients that encode every parameter send it.
		var s string
		if err := json.Unmarshal([]byte(v), &s); err != nil {
			return "", badParam("imageCollection", "imageCollection: %v", err)
		}
		v = strings.TrimSpace(s)
	}
	if v == "" {
		return "", badParam("imageCollection", "imageCollection is required: the collection's name, its URL, or {\"itemId\": …}")
	}
	if _, err := catalog.ParseRef(v); err != nil {
		return "", badParam("imageCollection", "%v", err)
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
	return false, badParam(name, "%s must be true or false, not %q", name, req.param(name))
}

func (s *Server) submitDeleteImage(req *request) (*jobs.Job, error) {
	ref, err := collectionParam(req)
	if err != nil {
		return nil, err
	}
	whereText := req.param("where")
	if strings.TrimSpace(whereText) == "" {
		return nil, badParam("where", "where is required: it selects the items to delete (1=1 deletes every item)")
	}
	updateBoundary, err := boolParam(req, "updateBoundary", true)
	if err != nil {
		return nil, err
	}
	markOverviews, err := boolParam(req, "markOverviews", true)
	if err != nil {
		return nil, err
	}
	coll, err := s.cat.Collection(req.Context(), ref)
	if err != nil {
		return nil, err
	}
	// Compiling here refuses a bad clause before any write transaction;
	// SubmitDeleteImage compiles it again inside its own.
	if _, err := coll.Compile(whereText); err != nil {
		return nil, whereError(err)
	}
	return s.m.SubmitDeleteImage(req.Context(), jobs.DeleteImageParams{ImageCollection: ref, Where: whereText,
		NoUpdateBoundary: !updateBoundary, NoMarkOverviews: !markOverviews})
}

// whereError is a rejected where clause as a parameter error.
func whereError(err error) error {
	var we *where.Error
	if errors.As(err, &we) {
		return badParam("where", "%v", err)
	}
	return err
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
	if existing, err := s.cat.Collection(req.Context(), name); err == nil {
		return nil, badParam("imageCollection", "image collection %q already exists", existing.Name)
	} else if catalog.ErrorCode(err) != catalog.NotFound {
		return nil, err
	}
	inputs := map[string]any{"imageCollection": name}
	if srs != "" {
		inputs["srs"] = srs
	}
	if len(fields) > 0 {
		inputs["fields"] = fields
	}
	return s.m.SubmitTask(req.Context(), jobs.TaskCreateImageCollection, nil, inputs)
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
		var str string
		if err := json.Unmarshal([]byte(v), &str); err == nil {
			v = str
		} else if err := json.Unmarshal([]byte(v), &obj); err == nil {
			v = obj.Name
			if v == "" {
				v = obj.ServiceProperties.Name
			}
		} else {
			return "", badParam("imageCollection", "imageCollection: not a name nor JSON with a name: %v", err)
		}
		v = strings.TrimSpace(v)
	}
	if v == "" {
		return "", badParam("imageCollection", "imageCollection is required: the name of the collection to create")
	}
	ref, err := catalog.ParseRef(v)
	if err != nil || ref.Name == "" || ref.Name != v {
		return "", badParam("imageCollection", "image collection name %q: use only letters, digits and _ (at most 120), as ArcGIS service names", v)
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
			return "", badParam("srs", "srs: %v", err)
		}
		if sr.LatestWKID != 0 {
			sr.WKID = sr.LatestWKID
		}
		v = strconv.Itoa(sr.WKID)
	}
	srs, err := catalog.ParseSRS(v)
	if err != nil {
		return "", badParam("srs", "%v", err)
	}
	return srs, nil
}

// esriTypes maps ArcGIS field types to catalog types.
var esriTypes = map[string]string{
	"esrifieldtypeinteger": "INTEGER", "esrifieldtypesmallinteger": "INTEGER", "esrifieldtypebiginteger": "INTEGER",
	"esrifieldtypedouble": "REAL", "esrifieldtypesingle": "REAL",
	"esrifieldtypestring": "TEXT", "esrifieldtypedate": "DATE",
}

// fieldsParam reads user field declarations and returns them as NAME:TYPE.
func fieldsParam(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	var specs []string
	if strings.HasPrefix(v, "[") {
		var list []json.RawMessage
		if err := json.Unmarshal([]byte(v), &list); err != nil {
			return nil, badParam("fields", "fields: %v", err)
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
				return nil, badParam("fields", "fields: each field is \"NAME:TYPE\" or {\"name\": …, \"type\": …}, not %s", raw)
			}
		}
	} else {
		specs = strings.Split(v, ",")
	}
	seen := map[string]bool{}
	var out []string
	for _, spec := range specs {
		f, err := catalog.ParseFieldSpec(strings.TrimSpace(spec))
		if err != nil {
			return nil, badParam("fields", "%v", err)
		}
		for _, std := range append(catalog.StandardFields(), catalog.Field{Name: catalog.ShapeColumn}) {
			if strings.EqualFold(std.Name, f.Name) {
				return nil, badParam("fields", "field %q: %s is a standard field of every collection", spec, std.Name)
			}
		}
		if seen[strings.ToLower(f.Name)] {
			return nil, badParam("fields", "field %q is declared twice", f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		out = append(out, f.Name+":"+f.Type.String())
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
			return nil, badParam("rasters", "give inputRasters or rasters, not both")
		}
		rastersName, rastersText = "rasters", other
	}
	paths, err := rasterPaths(rastersName, rastersText)
	if err != nil {
		return nil, err
	}
	manifest, err := manifestParam(req.param("manifest"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 && manifest == "" {
		return nil, badParam("inputRasters", "AddImage needs inputRasters (files, folders or globs on this machine) or a manifest")
	}
	coll, err := s.cat.Collection(req.Context(), ref)
	if err != nil {
		return nil, err
	}
	inputs := map[string]any{"imageCollection": ref}
	if text := strings.TrimSpace(req.param("attributes")); text != "" {
		if len(paths) == 0 {
			return nil, badParam("attributes", "attributes apply to rasters read from files; a manifest sets fields in its own columns")
		}
		attrs, err := attributes(coll, text)
		if err != nil {
			return nil, err
		}
		inputs["attributes"] = attrs
	}
	if len(paths) > 0 {
		inputs["inputRasters"] = paths
	}
	if manifest != "" {
		inputs["manifest"] = manifest
	}
	return s.m.SubmitTask(req.Context(), jobs.TaskAddImage, coll, inputs)
}

// rasterPaths reads a list of raster paths: a JSON list of paths (or of
// objects with url or uri), one JSON path, or one plain path. Paths are made
// absolute against the server's working folder.
func rasterPaths(name, v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	var raw []json.RawMessage
	switch v[0] {
	case '[':
		if err := json.Unmarshal([]byte(v), &raw); err != nil {
			return nil, badParam(name, "%s: %v", name, err)
		}
	case '{', '"':
		raw = []json.RawMessage{json.RawMessage(v)}
	default:
		raw = []json.RawMessage{jsonString(v)}
	}
	if len(raw) > maxRasterPaths {
		return nil, badParam(name, "%s names %d rasters; at most %d per job (give folders or globs)", name, len(raw), maxRasterPaths)
	}
	paths := make([]string, 0, len(raw))
	for _, r := range raw {
		var p string
		var obj struct{ URL, URI string }
		if json.Unmarshal(r, &p) != nil {
			if err := json.Unmarshal(r, &obj); err != nil {
				return nil, badParam(name, "%s: each raster is a path or {\"uri\": …}, not %s", name, r)
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
			return nil, badParam(name, "%s: empty path", name)
		case strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") || strings.Contains(low, "://"):
			return nil, badParam(name, "%s: %s is a URL; only files on this machine can be added", name, p)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, badParam(name, "%s: %s: %v", name, p, err)
		}
		paths = append(paths, abs)
	}
	return paths, nil
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// manifestParam checks a manifest path: a .csv file on this machine. The
// extension is required so that the server reads no other kind of file
// (its first line would show in the error message).
func manifestParam(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if !strings.EqualFold(filepath.Ext(v), ".csv") {
		return "", badParam("manifest", "manifest %s: a manifest is a .csv file", v)
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		return "", badParam("manifest", "manifest %s: %v", v, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", badParam("manifest", "manifest %s: no such file on the server", v)
	}
	if !info.Mode().IsRegular() {
		return "", badParam("manifest", "manifest %s is not a file", v)
	}
	return abs, nil
}

// attributes reads a JSON object of field values for coll and returns it
// with canonical field names and values the catalog takes: DATE values
// given as milliseconds since 1970 (as ArcGIS gives dates) become text.
func attributes(coll *catalog.Collection, text string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, badParam("attributes", "attributes must be a JSON object of field values, such as {\"CloudCover\": 12.5}")
	}
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		f, ok := coll.Field(k)
		if !ok || f.Name == "OBJECTID" {
			return nil, badParam("attributes", "attributes: %s has no field %q", coll.Name, k)
		}
		cv, err := attributeValue(f, v)
		if err != nil {
			return nil, badParam("attributes", "attributes: %v", err)
		}
		out[f.Name] = cv
	}
	return out, nil
}

func attributeValue(f catalog.Field, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case json.Number:
		switch f.Type {
		case where.Date:
			ms, err := x.Int64()
			if err != nil {
				return nil, fmt.Errorf("%s is DATE: %s is not milliseconds since 1970", f.Name, x)
			}
			return time.UnixMilli(ms).UTC().Format(catalog.DateLayout), nil
		case where.Integer:
			n, err := x.Int64()
			if err != nil {
				return nil, fmt.Errorf("%s is INTEGER, %s is not an integer", f.Name, x)
			}
			return n, nil
		case where.Real:
			return catalog.ConvertText(f, x.String())
		}
		return x.String(), nil
	case string:
		return catalog.ConvertText(f, x)
	case bool:
		if f.Type == where.Integer {
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	}
	return nil, fmt.Errorf("%s is %s: %v is not a value of it", f.Name, f.Type, v)
}

// createImageCollection is the work of a CreateImageCollection job.
func (s *Server) createImageCollection(ctx context.Context, j *jobs.Job) (json.RawMessage, []jobs.Message, error) {
	spec := catalog.NewCollection{Name: j.Input("imageCollection"), SRS: j.Input("srs")}
	var specs []string
	if raw, ok := j.Inputs["fields"]; ok {
		if err := json.Unmarshal(raw, &specs); err != nil {
			return nil, nil, fmt.Errorf("job %s: fields input: %w", j.ID, err)
		}
	}
	for _, spec1 := range specs {
		f, err := catalog.ParseFieldSpec(spec1)
		if err != nil {
			return nil, nil, err
		}
		spec.Fields = append(spec.Fields, f)
	}
	coll, err := s.cat.CreateCollection(ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	msg := fmt.Sprintf("Created image collection %s (itemId %s)", coll.Name, coll.ItemID)
	return jobs.ParamValue("result", "GPString", map[string]string{"url": coll.URL, "itemId": coll.ItemID}), []jobs.Message{jobs.Info(msg)}, nil
}

// maxSkipMessages bounds the messages naming skipped rasters.
const maxSkipMessages = 100

// addImage is the work of an AddImage job.
func (s *Server) addImage(ctx context.Context, j *jobs.Job) (json.RawMessage, []jobs.Message, error) {
	coll, err := s.collectionOf(ctx, j)
	if err != nil {
		return nil, nil, err
	}
	var msgs []jobs.Message
	added := 0
	if manifest := j.Input("manifest"); manifest != "" {
		f, err := os.Open(manifest)
		if err != nil {
			return nil, nil, catalog.Errorf(catalog.Invalid, "manifest: %v", err)
		}
		n, err := s.cat.LoadManifest(ctx, coll, f, manifest)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		added += n
		msgs = append(msgs, jobs.Info(fmt.Sprintf("Added %d items to %s from manifest %s", n, coll.Name, manifest)))
	}
	var paths []string
	if raw, ok := j.Inputs["inputRasters"]; ok {
		if err := json.Unmarshal(raw, &paths); err != nil {
			return nil, nil, fmt.Errorf("job %s: inputRasters input: %w", j.ID, err)
		}
	}
	skipped := 0
	if len(paths) > 0 {
		var attrs map[string]any
		if raw, ok := j.Inputs["attributes"]; ok {
			if attrs, err = attributes(coll, string(raw)); err != nil {
				return nil, nil, err
			}
		}
		files, problems := catalog.ExpandRasterPaths(paths)
		res, err := s.cat.AddRasters(ctx, coll, files, attrs, nil)
		if err != nil {
			return nil, msgs, err
		}
		added += res.Added
		problems = append(problems, res.Problems...)
		sort.SliceStable(problems, func(a, b int) bool { return problems[a].Error() < problems[b].Error() })
		for i, p := range problems {
			if i == maxSkipMessages {
				msgs = append(msgs, jobs.Warn(fmt.Sprintf("… and %d more skipped", len(problems)-i)))
				break
			}
			msgs = append(msgs, jobs.Warn("Skipped "+p.Error()))
		}
		skipped = len(problems)
		msgs = append(msgs, jobs.Info(fmt.Sprintf("Added %d rasters to %s; skipped %d", res.Added, coll.Name, skipped)))
	}
	if added == 0 && skipped > 0 {
		return nil, msgs, catalog.Errorf(catalog.Invalid, "nothing was added to %s: every raster was skipped", coll.Name)
	}
	return jobs.ParamValue("result", "GPString", map[string]string{"url": coll.URL}), msgs, nil
}
