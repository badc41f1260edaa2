package geometry

import (
	"strconv"
	"strings"
)

// The ArcGIS REST query operations (Query (Image Service),
// developers.arcgis.com/rest/services-reference/enterprise/query-image-service-.htm;
// Query (Feature Service/Layer), …/query-feature-service-layer-.htm) take
// the spatial filter as two parameters:
//
//   - geometry: "The geometry to apply as the spatial filter. The
//     structure of the geometry is the same as the structure of the JSON
//     geometry objects returned by the ArcGIS REST API. In addition to the
//     JSON structures, for envelopes and points, you can specify the
//     geometry with a simpler comma-separated syntax": xmin,ymin,xmax,ymax
//     and x,y.
//   - geometryType: esriGeometryPoint | esriGeometryMultipoint |
//     esriGeometryPolyline | esriGeometryPolygon | esriGeometryEnvelope,
//     "the default geometry type is an envelope".
//
// The JSON geometry objects (ArcGIS REST "Geometry objects"; the ArcGIS
// glossary, developers.arcgis.com/documentation/glossary/polygon/): a point
// {"x","y"}, a multipoint {"points":[[x,y],…]}, an envelope
// {"xmin","ymin","xmax","ymax"}, a polygon {"rings":[[[x,y],…],…]} whose
// rings are closed ("the first and last point are the same"), exterior
// rings clockwise and holes counter-clockwise; each may carry a
// spatialReference {"wkid"} or {"wkt"}, which the caller uses when the
// inSR parameter is absent.
//
// Where the documentation is silent this parser decides, and says so:
//   - A ring whose last point differs from its first is closed, as ArcGIS
//     does with such input rather than refusing it. After that a ring needs
//     4 points (3 distinct) and some area.
//   - Rings are classed as outer rings or holes by nesting, not by
//     orientation (see Normalize), so GeoJSON-ordered rings mean the same.
//   - Members other than the geometry's own are ignored (hasZ, hasM, z, m,
//     zmin… and anything else), as ArcGIS ignores them, except those of
//     another geometry type ("rings" with geometryType
//     esriGeometryEnvelope: the usual mistake of a missing geometryType)
//     and curves (curveRings, …), which are refused.
//   - Duplicate keys are refused (project hardening issue).
//   - geometryType values are matched regardless of case.
//   - An empty geometry ({"x":null}, {"xmin":"NaN"}, {"rings":[]}) is
//     refused: it filters nothing meaningfully.

// SpatialReference is the spatialReference member of an Esri JSON
// geometry. Zero fields are absent ones.
type SpatialReference struct {
	WKID       int    // "wkid": an EPSG or Esri code
	LatestWKID int    // "latestWkid": the current EPSG code for WKID
	WKT        string // "wkt": this package does not interpret it
}

// IsZero reports whether the geometry carried no spatial reference.
func (sr SpatialReference) IsZero() bool { return sr == SpatialReference{} }

const (
	typeEnvelope   = "esriGeometryEnvelope"
	typePoint      = "esriGeometryPoint"
	typeMultipoint = "esriGeometryMultipoint"
	typePolygon    = "esriGeometryPolygon"
)

var esriTypes = []string{typeEnvelope, typePoint, typeMultipoint, typePolygon}

// parseGeometryType returns the canonical name of geometryType ("" is
// esriGeometryEnvelope, the ArcGIS default).
func parseGeometryType(s string) (string, error) {
	if s == "" {
		return typeEnvelope, nil
	}
	for _, t := range esriTypes {
		if strings.EqualFold(s, t) {
			return t, nil
		}
	}
	valid := strings.Join(esriTypes, ", ")
	if strings.EqualFold(s, "esriGeometryPolyline") {
		return "", parseErrorf("geometryType", -1, "esriGeometryPolyline is not supported; supported values: %s", valid)
	}
	return "", parseErrorf("geometryType", -1, "unknown geometry type %q; valid values: %s", s, valid)
}

// ParseEsri reads the ArcGIS REST geometry and geometryType parameters of
// a query: Esri JSON, or for envelopes and points the comma-separated
// syntax (xmin,ymin,xmax,ymax and x,y). It returns the geometry as a
// Point, MultiPoint, Envelope or normalized Polygon, with the
// spatialReference the JSON carried (zero if none; a WKT one is returned
// as is for the caller to refuse or use). Every refusal is a *ParseError.
func ParseEsri(geometryType, geometry string) (Geometry, SpatialReference, error) {
	kind, err := parseGeometryType(geometryType)
	if err != nil {
		return nil, SpatialReference{}, err
	}
	if len(geometry) > MaxInputBytes {
		return nil, SpatialReference{}, parseErrorf("geometry", -1, "longer than %d bytes", MaxInputBytes)
	}
	trimmed := strings.TrimLeft(geometry, " \t\r\n")
	if trimmed == "" {
		return nil, SpatialReference{}, parseErrorf("geometry", -1, "empty")
	}
	if trimmed[0] != '{' {
		g, err := parseSimple(kind, geometry)
		return g, SpatialReference{}, err
	}
	r := newJSONReader("geometry", geometry)
	return r.esriGeometry(kind)
}

// parseSimple reads "xmin,ymin,xmax,ymax" or "x,y".
func parseSimple(kind, s string) (Geometry, error) {
	want := 0
	switch kind {
	case typeEnvelope:
		want = 4
	case typePoint:
		want = 2
	default:
		return nil, parseErrorf("geometry", -1, "a geometry of type %s must be Esri JSON (the comma-separated syntax is for envelopes and points)", kind)
	}
	var v [4]float64
	n, off := 0, 0
	for part := range strings.SplitSeq(s, ",") {
		if n >= want {
			return nil, parseErrorf("geometry", off-1, "%s takes %d comma-separated numbers, found more", kind, want)
		}
		lead := len(part) - len(strings.TrimLeft(part, " \t"))
		num := strings.TrimSpace(part)
		if scanNumber(num, 0) != len(num) {
			return nil, parseErrorf("geometry", off+lead, "expected a number, found %q", num)
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || f > MaxCoordinate || f < -MaxCoordinate {
			return nil, parseErrorf("geometry", off+lead, "coordinate %s is beyond ±%g", num, MaxCoordinate)
		}
		v[n] = f
		n++
		off += len(part) + 1
	}
	if n != want {
		return nil, parseErrorf("geometry", -1, "%s takes %d comma-separated numbers, found %d", kind, want, n)
	}
	if kind == typePoint {
		return Point{v[0], v[1]}, nil
	}
	e := Envelope{v[0], v[1], v[2], v[3]}
	if err := checkEnvelope(e, "geometry", -1); err != nil {
		return nil, err
	}
	return e, nil
}

func checkEnvelope(e Envelope, input string, off int) error {
	if e.XMin > e.XMax {
		return parseErrorf(input, off, "xmin %g is greater than xmax %g", e.XMin, e.XMax)
	}
	if e.YMin > e.YMax {
		return parseErrorf(input, off, "ymin %g is greater than ymax %g", e.YMin, e.YMax)
	}
	return nil
}

// memberKinds maps the members that define a geometry to its type.
var memberKinds = map[string]string{
	"x": typePoint, "y": typePoint,
	"points": typeMultipoint,
	"xmin":   typeEnvelope, "ymin": typeEnvelope, "xmax": typeEnvelope, "ymax": typeEnvelope,
	"rings": typePolygon,
	"paths": "esriGeometryPolyline",
}

// esriGeometry reads an Esri JSON geometry object of type kind.
func (r *jsonReader) esriGeometry(kind string) (Geometry, SpatialReference, error) {
	var sr SpatialReference
	var nums [4]float64 // x, y or xmin, ymin, xmax, ymax
	var have [4]bool
	var null [4]bool
	numIndex := map[string]int{"x": 0, "y": 1}
	if kind == typeEnvelope {
		numIndex = map[string]int{"xmin": 0, "ymin": 1, "xmax": 2, "ymax": 3}
	}
	var rings [][][2]float64
	var points MultiPoint
	haveRings := false
	start := r.i
	err := r.object(func(key string, keyOff int) error {
		if strings.HasPrefix(key, "curve") {
			return r.errAt(keyOff, "curves (%s) are not supported", key)
		}
		if k, ok := memberKinds[key]; ok && k != kind {
			return r.errAt(keyOff, "member %q belongs to %s, but geometryType is %s", key, k, kind)
		}
		if i, ok := numIndex[key]; ok {
			have[i] = true
			if r.literal("null") {
				null[i] = true
				return nil
			}
			if r.peek() == '"' { // ArcGIS writes "NaN" for empty geometries
				s, err := r.str()
				if err == nil && s == "NaN" {
					null[i] = true
					return nil
				}
				return r.errAt(keyOff, "expected a number, found a string")
			}
			v, err := r.number(true)
			nums[i] = v
			return err
		}
		switch key {
		case "spatialReference":
			var err error
			sr, err = r.spatialReference()
			return err
		case "rings":
			haveRings = true
			return r.array(func(i int) error {
				if i >= MaxRings {
					return r.errAt(r.i, "more than %d rings", MaxRings)
				}
				ringOff := r.i
				ring, err := r.positions()
				if err != nil {
					return err
				}
				ring = closed(ring)
				if err := checkRing(ring, r, ringOff); err != nil {
					return err
				}
				rings = append(rings, ring)
				return nil
			})
		case "points":
			return r.array(func(int) error {
				p, err := r.position()
				points = append(points, Point{p[0], p[1]})
				return err
			})
		}
		return r.skip()
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return nil, sr, err
	}
	switch kind {
	case typePolygon:
		if !haveRings {
			return nil, sr, r.errAt(start, `a polygon needs "rings"`)
		}
		if len(rings) == 0 {
			return nil, sr, r.errAt(start, "the polygon is empty (no rings)")
		}
		return Normalize(rings), sr, nil
	case typeMultipoint:
		if len(points) == 0 {
			return nil, sr, r.errAt(start, `a multipoint needs a non-empty "points" array`)
		}
		return points, sr, nil
	}
	names := []string{"x", "y"}
	if kind == typeEnvelope {
		names = []string{"xmin", "ymin", "xmax", "ymax"}
	}
	for i, n := range names {
		if !have[i] {
			return nil, sr, r.errAt(start, "missing %q", n)
		}
		if null[i] {
			return nil, sr, r.errAt(start, "the %s is empty (%s is null or NaN)", strings.ToLower(strings.TrimPrefix(kind, "esriGeometry")), n)
		}
	}
	if kind == typePoint {
		return Point{nums[0], nums[1]}, sr, nil
	}
	e := Envelope{nums[0], nums[1], nums[2], nums[3]}
	if err := checkEnvelope(e, "geometry", start); err != nil {
		return nil, sr, err
	}
	return e, sr, nil
}

// checkRing refuses a closed ring with fewer than 4 points or no area.
func checkRing(ring [][2]float64, r *jsonReader, off int) error {
	if len(ring) < 4 {
		return r.errAt(off, "a ring needs at least 4 points (3 distinct, then the first again), found %d", len(ring))
	}
	if ringOrientation(ring) == 0 {
		return r.errAt(off, "the ring encloses no area (its points are collinear)")
	}
	return nil
}

// spatialReference reads {"wkid":…, "latestWkid":…} or {"wkt":…}; other
// members (vcsWkid, xyTolerance, falseX…, which ArcGIS writes) are
// ignored.
func (r *jsonReader) spatialReference() (SpatialReference, error) {
	var sr SpatialReference
	if r.literal("null") {
		return sr, nil
	}
	err := r.object(func(key string, _ int) error {
		switch key {
		case "wkid", "latestWkid":
			if r.literal("null") {
				return nil
			}
			off := r.i
			v, err := r.integer()
			if err != nil {
				return err
			}
			if v <= 0 {
				return r.errAt(off, "%s must be a positive number, found %d", key, v)
			}
			if key == "wkid" {
				sr.WKID = v
			} else {
				sr.LatestWKID = v
			}
			return nil
		case "wkt":
			if r.literal("null") {
				return nil
			}
			s, err := r.str()
			sr.WKT = s
			return err
		}
		return r.skip()
	})
	return sr, err
}

// AppendEsri appends g to dst as Esri JSON: {"x","y"}, {"points"},
// {"xmin",…} or {"rings"} with outer rings clockwise and holes
// counter-clockwise, rings closed, followed by the spatial reference unless
// sr is zero.
func AppendEsri(dst []byte, g Geometry, sr SpatialReference) []byte {
	switch g := g.(type) {
	case Point:
		dst = append(dst, `{"x":`...)
		dst = appendNumber(dst, g.X)
		dst = append(dst, `,"y":`...)
		dst = appendNumber(dst, g.Y)
	case MultiPoint:
		dst = append(dst, `{"points":[`...)
		for i, p := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPosition(dst, [2]float64{p.X, p.Y})
		}
		dst = append(dst, ']')
	case Envelope:
		dst = append(dst, `{"xmin":`...)
		dst = appendNumber(dst, g.XMin)
		dst = append(dst, `,"ymin":`...)
		dst = appendNumber(dst, g.YMin)
		dst = append(dst, `,"xmax":`...)
		dst = appendNumber(dst, g.XMax)
		dst = append(dst, `,"ymax":`...)
		dst = appendNumber(dst, g.YMax)
	case Polygon:
		dst = append(dst, `{"rings":`...)
		dst = AppendEsriRings(dst, g)
	default:
		return append(dst, "null"...)
	}
	if !sr.IsZero() {
		dst = append(dst, `,"spatialReference":`...)
		dst = appendSpatialReference(dst, sr)
	}
	return append(dst, '}')
}

// AppendEsriRings appends the rings of p as the value of an Esri JSON
// "rings" member, [[[x,y],…],…]: closed, outer rings clockwise, holes
// counter-clockwise (roles read as Area does).
func AppendEsriRings(dst []byte, p Polygon) []byte {
	dst = append(dst, '[')
	for i, r := range p {
		if i > 0 {
			dst = append(dst, ',')
		}
		want := 1
		if isOuter(p, i) {
			want = -1
		}
		dst = appendRing(dst, r, want)
	}
	return append(dst, ']')
}

func appendSpatialReference(dst []byte, sr SpatialReference) []byte {
	dst = append(dst, '{')
	sep := false
	field := func(name string) {
		if sep {
			dst = append(dst, ',')
		}
		sep = true
		dst = append(dst, '"')
		dst = append(dst, name...)
		dst = append(dst, `":`...)
	}
	if sr.WKID != 0 {
		field("wkid")
		dst = strconv.AppendInt(dst, int64(sr.WKID), 10)
	}
	if sr.LatestWKID != 0 {
		field("latestWkid")
		dst = strconv.AppendInt(dst, int64(sr.LatestWKID), 10)
	}
	if sr.WKT != "" {
		field("wkt")
		dst = appendString(dst, sr.WKT)
	}
	return append(dst, '}')
}
