package server

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"mosaic/catalog"
	"mosaic/geometry"
	"mosaic/internal/textutil"
)

// The parameters of an image service query, as the ArcGIS REST API's
// "Query (Image Service)" documents them
// (developers.arcgis.com/rest/services-reference/enterprise/query-image-service-.htm):
// each is implemented, accepted because it cannot change a
// catalog answer, or refused with error 400 naming it. None is ignored.
// Parameters outside that document are ignored, as ArcGIS Server ignores
// them.

// queryParams are the parameters of an image service query.
type queryParams struct {
	Where          string
	ObjectIDs      []int64 // nil when not given
	objectIDsText  string
	OutFields      string
	ReturnGeometry bool
	Offset, Count  int64
	CountOnly      bool
	IDsOnly        bool
	OrderBy        []catalog.Order
	orderByText    string
	Distinct       bool
	Stats          []catalog.Statistic
	GroupBy        []string
	Time           *catalog.TimeRange
	PixelSize      float64
	MosaicWhere    string
	MosaicIDs      []int64 // a mosaic rule's lockRasterIds or fids; nil when none
	Spatial        *catalog.Spatial
	OutSR          string // "EPSG:N", "" for the collection's
	ExtentOnly     bool

	countGiven, offsetGiven, returnGeomGiven bool
}

// maxListed bounds the ids, fields and statistics one query lists.
const maxListed = maxRecordCount

func parseQuery(req *request, coll *catalog.Collection) (queryParams, error) {
	q := queryParams{Where: strings.TrimSpace(req.param("where")), OutFields: strings.TrimSpace(req.param("outFields")),
		objectIDsText: strings.TrimSpace(req.param("objectIds")), Count: maxRecordCount}
	if q.OutFields == "" {
		q.OutFields = "*"
	}
	if err := q.parseSpatial(req); err != nil {
		return q, err
	}
	if err := refuseUnsupported(req); err != nil {
		return q, err
	}
	var err error
	if q.ReturnGeometry, err = boolParam(req, "returnGeometry", true); err != nil {
		return q, err
	}
	if q.CountOnly, err = boolParam(req, "returnCountOnly", false); err != nil {
		return q, err
	}
	if q.IDsOnly, err = boolParam(req, "returnIdsOnly", false); err != nil {
		return q, err
	}
	if q.Distinct, err = boolParam(req, "returnDistinctValues", false); err != nil {
		return q, err
	}
	if _, err = boolParam(req, "returnTrueCurves", false); err != nil {
		return q, err // footprints have no curves: true and false answer alike
	}
	q.returnGeomGiven = req.param("returnGeometry") != ""
	intParam := func(name string, min int64) (int64, bool, error) {
		v := strings.TrimSpace(req.param(name))
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min {
			return 0, false, catalog.ParamErrorf(name, "%s must be an integer of at least %d, not %s", name, min, textutil.Quote(v))
		}
		return n, true, nil
	}
	if q.Offset, q.offsetGiven, err = intParam("resultOffset", 0); err != nil {
		return q, err
	}
	n, given, err := intParam("resultRecordCount", 1)
	if err != nil {
		return q, err
	}
	if given {
		q.Count, q.countGiven = min(n, maxRecordCount), true
	}
	if q.objectIDsText != "" {
		if q.ObjectIDs, err = idList("objectIds", q.objectIDsText); err != nil {
			return q, err
		}
		if q.IDsOnly && !q.CountOnly {
			// "When this parameter is specified, setting returnIdsOnly=true
			// is invalid" (Query (Image Service)).
			return q, catalog.ParamErrorf("returnIdsOnly", "returnIdsOnly=true cannot be combined with objectIds: the ids are those given")
		}
	}
	q.orderByText = strings.TrimSpace(req.param("orderByFields"))
	if q.OrderBy, err = parseOrderBy(q.orderByText); err != nil {
		return q, err
	}
	if q.Stats, err = parseOutStatistics(req.param("outStatistics")); err != nil {
		return q, err
	}
	if g := strings.TrimSpace(req.param("groupByFieldsForStatistics")); g != "" {
		if q.Stats == nil {
			return q, catalog.ParamErrorf("groupByFieldsForStatistics", "groupByFieldsForStatistics needs outStatistics")
		}
		q.GroupBy = strings.Split(g, ",")
		if len(q.GroupBy) > maxListed {
			return q, catalog.ParamErrorf("groupByFieldsForStatistics", "groupByFieldsForStatistics lists too many fields")
		}
	}
	if q.Stats != nil && (q.CountOnly || q.IDsOnly || q.Distinct) {
		return q, catalog.ParamErrorf("outStatistics", "outStatistics cannot be combined with returnCountOnly, returnIdsOnly or returnDistinctValues")
	}
	if q.Distinct {
		if q.IDsOnly && !q.CountOnly {
			return q, catalog.ParamErrorf("returnDistinctValues", "returnDistinctValues cannot be combined with returnIdsOnly: distinct values have no ids")
		}
		if q.OutFields == "*" {
			return q, catalog.ParamErrorf("outFields", "returnDistinctValues needs the fields to compare in outFields, not *")
		}
		if q.returnGeomGiven && q.ReturnGeometry {
			return q, catalog.ParamErrorf("returnGeometry", "returnDistinctValues returns values only: set returnGeometry=false")
		}
		q.ReturnGeometry = false
	}
	if q.Time, err = parseTime(req.param("time")); err != nil {
		return q, err
	}
	if q.PixelSize, err = parsePixelSize(req.param("pixelSize")); err != nil {
		return q, err
	}
	if err := q.parseMosaicRule(req.param("mosaicRule")); err != nil {
		return q, err
	}
	if err := checkRenderingRule(req.param("renderingRule")); err != nil {
		return q, err
	}
	return q, nil
}

// parseSpatial reads the spatial parameters of the ArcGIS query: geometry
// with geometryType, inSR (else the geometry's own spatialReference, else
// the collection's) and spatialRel; outSR; returnExtentOnly. Whether the
// references can be projected is for the catalog to say when it selects.
// maxAllowableOffset and geometryPrecision, which would generalize or round
// the footprints, are refused: answers carry them whole.
func (q *queryParams) parseSpatial(req *request) error {
	if text := strings.TrimSpace(req.param("geometry")); text != "" {
		var err error
		if q.Spatial, err = catalog.ParseSpatial(text, req.param("geometryType"), req.param("inSR"), req.param("spatialRel")); err != nil {
			return err
		}
	} else if v := strings.TrimSpace(req.param("spatialRel")); v != "" {
		// Clients (the ArcGIS Maps SDK) send spatialRel with every query;
		// without a geometry it selects nothing, but it must be one.
		if _, err := geometry.ParseSpatialRel(v); err != nil {
			return catalog.ParamErrorf("spatialRel", "%v", err)
		}
	}
	if out := strings.TrimSpace(req.param("outSR")); out != "" {
		var err error
		if q.OutSR, err = catalog.ParseSRSParam("outSR", out); err != nil {
			return err
		}
	}
	var err error
	if q.ExtentOnly, err = boolParam(req, "returnExtentOnly", false); err != nil {
		return err
	}
	for _, name := range []string{"maxAllowableOffset", "geometryPrecision"} {
		if v := strings.TrimSpace(req.param(name)); v != "" {
			return catalog.ParamErrorf(name, "%s is not supported: mosaic answers footprints whole, as stored", name)
		}
	}
	return nil
}

// refuseUnsupported refuses the query parameters of the document that
// mosaic does not implement and that would change the answer.
func refuseUnsupported(req *request) error {
	if v := strings.TrimSpace(req.param("multidimensionalDefinition")); v != "" && v != "[]" && v != "null" {
		return catalog.ParamErrorf("multidimensionalDefinition", "multidimensionalDefinition: the collection has no multidimensional information (hasMultidimensions is false)")
	}
	if v := strings.TrimSpace(req.param("rasterQuery")); v != "" {
		return catalog.ParamErrorf("rasterQuery", "rasterQuery is not supported: mosaic never reads pixels")
	}
	return nil
}

// idList parses comma separated OBJECTIDs.
func idList(name, text string) ([]int64, error) {
	parts := strings.Split(text, ",")
	if len(parts) > maxListed {
		return nil, catalog.ParamErrorf(name, "%s lists %d ids; at most %d", name, len(parts), maxListed)
	}
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			return nil, catalog.ParamErrorf(name, "%s must be integers separated by commas, not %s", name, textutil.Quote(p))
		}
		ids = append(ids, n)
	}
	return ids, nil
}

// parseOrderBy parses orderByFields: "Field [ASC|DESC], …". The fields are
// resolved against the collection's schema by catalog.Select.
func parseOrderBy(text string) ([]catalog.Order, error) {
	if text == "" {
		return nil, nil
	}
	parts := strings.Split(text, ",")
	if len(parts) > maxListed {
		return nil, catalog.ParamErrorf("orderByFields", "orderByFields lists too many fields")
	}
	var out []catalog.Order
	for _, p := range parts {
		words := strings.Fields(p)
		if len(words) == 0 || len(words) > 2 {
			return nil, catalog.ParamErrorf("orderByFields", "orderByFields: expected \"Field [ASC|DESC]\" separated by commas, not %s", textutil.Quote(strings.TrimSpace(p)))
		}
		o := catalog.Order{Field: words[0]}
		if len(words) == 2 {
			switch strings.ToUpper(words[1]) {
			case "ASC":
			case "DESC":
				o.Desc = true
			default:
				return nil, catalog.ParamErrorf("orderByFields", "orderByFields: %s: the direction is ASC or DESC", textutil.Quote(strings.TrimSpace(p)))
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// parseOutStatistics parses outStatistics: a JSON list of
// {"statisticType", "onStatisticField", "outStatisticFieldName"}.
func parseOutStatistics(text string) ([]catalog.Statistic, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	var list []struct {
		Type  *string `json:"statisticType"`
		Field *string `json:"onStatisticField"`
		Out   string  `json:"outStatisticFieldName"`
	}
	if err := json.Unmarshal([]byte(text), &list); err != nil {
		return nil, catalog.ParamErrorf("outStatistics", "outStatistics must be a JSON list of {\"statisticType\": …, \"onStatisticField\": …, \"outStatisticFieldName\": …}: %v", err)
	}
	if len(list) == 0 {
		return nil, catalog.ParamErrorf("outStatistics", "outStatistics is empty: give at least one statistic")
	}
	if len(list) > 100 {
		return nil, catalog.ParamErrorf("outStatistics", "outStatistics lists %d statistics; at most 100", len(list))
	}
	out := make([]catalog.Statistic, len(list))
	for i, s := range list {
		if s.Type == nil || s.Field == nil {
			return nil, catalog.ParamErrorf("outStatistics", "outStatistics[%d]: statisticType and onStatisticField are required", i)
		}
		out[i] = catalog.Statistic{Type: *s.Type, Field: *s.Field, OutName: s.Out}
	}
	return out, nil
}

// parseTime parses time: an instant, or "start, end" in milliseconds since
// 1970 where either may be null (open).
func parseTime(text string) (*catalog.TimeRange, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	parts := strings.Split(text, ",")
	if len(parts) > 2 {
		return nil, catalog.ParamErrorf("time", "time: expected an instant or \"start, end\" in milliseconds since 1970, not %s", textutil.Quote(text))
	}
	var ts [2]*time.Time
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if strings.EqualFold(p, "null") || (p == "" && len(parts) == 2) {
			continue
		}
		ms, err := strconv.ParseInt(p, 10, 64)
		if err != nil || ms < -62135596800000 || ms > 253402300799999 {
			return nil, catalog.ParamErrorf("time", "time: %s is not milliseconds since 1970 (years 1 to 9999) nor null", textutil.Quote(p))
		}
		t := time.UnixMilli(ms).UTC()
		ts[i] = &t
	}
	if len(parts) == 1 {
		if ts[0] == nil {
			return nil, catalog.ParamErrorf("time", "time: an instant cannot be null")
		}
		return &catalog.TimeRange{Start: ts[0], End: ts[0]}, nil
	}
	if ts[0] != nil && ts[1] != nil && ts[1].Before(*ts[0]) {
		return nil, catalog.ParamErrorf("time", "time: the end %d is before the start %d", ts[1].UnixMilli(), ts[0].UnixMilli())
	}
	if ts[0] == nil && ts[1] == nil {
		return nil, nil // null, null: all of time
	}
	return &catalog.TimeRange{Start: ts[0], End: ts[1]}, nil
}

// parsePixelSize parses pixelSize: a point {"x": …, "y": …} or "x,y". The
// catalog's pixel size ranges are one number (square pixels): x is used,
// and a y that differs is refused rather than ignored.
func parsePixelSize(text string) (float64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, nil
	}
	var x, y float64
	if strings.HasPrefix(text, "{") {
		var p struct {
			X, Y *float64
		}
		if err := json.Unmarshal([]byte(text), &p); err != nil || p.X == nil {
			return 0, catalog.ParamErrorf("pixelSize", "pixelSize must be {\"x\": <size>, \"y\": <size>} or x,y")
		}
		x = *p.X
		y = x
		if p.Y != nil {
			y = *p.Y
		}
	} else {
		parts := strings.Split(text, ",")
		var err1, err2 error
		x, err1 = strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
		y, err2 = x, nil
		if len(parts) == 2 {
			y, err2 = strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		}
		if err1 != nil || err2 != nil || len(parts) > 2 {
			return 0, catalog.ParamErrorf("pixelSize", "pixelSize must be {\"x\": <size>, \"y\": <size>} or x,y")
		}
	}
	if !(x > 0) || math.IsInf(x, 0) || !(y > 0) || math.IsInf(y, 0) {
		return 0, catalog.ParamErrorf("pixelSize", "pixelSize must be positive")
	}
	if x != y {
		return 0, catalog.ParamErrorf("pixelSize", "pixelSize: x %v and y %v differ; items have one pixel size range (MinPS to MaxPS)", x, y)
	}
	return x, nil
}

// mosaicMethods are the mosaic methods of a mosaic rule, and those the
// image service allows (allowedMosaicMethods).
var mosaicMethods = map[string]string{
	"esrimosaicnone": "None", "esrimosaiccenter": "Center", "esrimosaicnorthwest": "NorthWest",
	"esrimosaicnadir": "Nadir", "esrimosaicviewpoint": "Viewpoint", "esrimosaicattribute": "ByAttribute",
	"esrimosaiclockraster": "LockRaster", "esrimosaicseamline": "Seamline",
}

// parseMosaicRule reads a mosaic rule. A query answers catalog items, which
// no mosaicking changes: the method, sort and operation are checked and
// accepted; the rule's where and its raster ids (lockRasterIds with
// esriMosaicLockRaster, fids) select items and are applied; a
// multidimensional definition is refused.
func (q *queryParams) parseMosaicRule(text string) error {
	text = strings.TrimSpace(text)
	if text == "" || text == "null" {
		return nil
	}
	var r struct {
		Method     string          `json:"mosaicMethod"`
		Where      string          `json:"where"`
		Lock       []int64         `json:"lockRasterIds"`
		FIDs       []int64         `json:"fids"`
		Multi      json.RawMessage `json:"multidimensionalDefinition"`
		Operation  string          `json:"mosaicOperation"`
		SortField  string          `json:"sortField"`
		Ascending  *bool           `json:"ascending"`
		SortValue  any             `json:"sortValue"`
		Viewpoint  json.RawMessage `json:"viewpoint"`
		RenderRule json.RawMessage `json:"itemRenderingRule"`
	}
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return catalog.ParamErrorf("mosaicRule", "mosaicRule must be a JSON mosaic rule such as {\"mosaicMethod\": \"esriMosaicLockRaster\", \"lockRasterIds\": [1, 2]}: %v", err)
	}
	if r.Method != "" {
		if _, ok := mosaicMethods[strings.ToLower(r.Method)]; !ok {
			return catalog.ParamErrorf("mosaicRule", "mosaicRule: mosaicMethod %s is not one of esriMosaicNone, esriMosaicCenter, esriMosaicNorthwest, esriMosaicNadir, esriMosaicViewpoint, esriMosaicAttribute, esriMosaicLockRaster, esriMosaicSeamline", textutil.Quote(r.Method))
		}
	}
	if m := strings.TrimSpace(string(r.Multi)); m != "" && m != "null" && m != "[]" {
		return catalog.ParamErrorf("mosaicRule", "mosaicRule: multidimensionalDefinition: the collection has no multidimensional information")
	}
	if len(r.Lock)+len(r.FIDs) > maxListed {
		return catalog.ParamErrorf("mosaicRule", "mosaicRule lists too many raster ids; at most %d", maxListed)
	}
	q.MosaicWhere = r.Where
	if strings.EqualFold(r.Method, "esriMosaicLockRaster") {
		if r.Lock == nil {
			return catalog.ParamErrorf("mosaicRule", "mosaicRule: esriMosaicLockRaster needs lockRasterIds")
		}
		q.MosaicIDs = r.Lock
	}
	if r.FIDs != nil {
		q.MosaicIDs = intersect(q.MosaicIDs, r.FIDs)
	}
	return nil
}

// intersect keeps the ids of b that are in a; a nil a keeps all of b.
func intersect(a, b []int64) []int64 {
	if a == nil {
		return b
	}
	in := map[int64]bool{}
	for _, id := range a {
		in[id] = true
	}
	out := []int64{}
	for _, id := range b {
		if in[id] {
			out = append(out, id)
		}
	}
	return out
}

// checkRenderingRule accepts a rendering rule: it renders pixels, and a
// query answers catalog items, which no rendering changes. It must still be
// a JSON object, so that a mistake is not taken for one.
func checkRenderingRule(text string) error {
	text = strings.TrimSpace(text)
	if text == "" || text == "null" {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &obj); err != nil {
		return catalog.ParamErrorf("renderingRule", "renderingRule must be a JSON raster function such as {\"rasterFunction\": \"None\"}")
	}
	return nil
}

// query returns the catalog query of the parameters: everything that
// selects items, with the given fields and page.
func (q queryParams) query(fields []string, geometry bool, offset, limit int64) catalog.Query {
	cq := catalog.Query{Where: q.Where, ObjectIDs: q.ObjectIDs, Time: q.Time, PixelSize: q.PixelSize,
		Fields: fields, Geometry: geometry, OrderBy: q.OrderBy, Distinct: q.Distinct, Offset: offset, Limit: limit,
		Spatial: q.Spatial, OutSRS: q.OutSR}
	if q.MosaicWhere != "" {
		cq.MoreWhere = []string{q.MosaicWhere}
	}
	if q.MosaicIDs != nil {
		if cq.ObjectIDs == nil {
			cq.ObjectIDs = q.MosaicIDs
		} else {
			cq.ObjectIDs = intersect(cq.ObjectIDs, q.MosaicIDs)
		}
	}
	return cq
}
