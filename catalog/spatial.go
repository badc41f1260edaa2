package catalog

import (
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"modernc.org/sqlite"

	"mosaic/geometry"
	"mosaic/proj"
	"mosaic/where"
)

// Spatial selects items by how their footprints relate to a geometry, as
// the ArcGIS query's geometry, inSR and spatialRel parameters do.
type Spatial struct {
	Geometry geometry.Geometry
	// SRS is the geometry's spatial reference ("EPSG:N"); "" means the
	// collection's.
	SRS string
	Rel geometry.SpatialRel
}

// spatialFilter is a Spatial prepared for one collection: its geometry in
// the collection's spatial reference, a prefilter on XMin…YMax, and the
// exact test for the candidates.
type spatialFilter struct {
	// key names the filter to mosaic_relate. It is made of what the filter
	// is, so that the SQL of equal selections is equal (pages and counts
	// are remembered by it).
	key    string
	placed geometry.Geometry // in the collection's reference
	rel    geometry.SpatialRel
	filter *geometry.Filter
	pre    geometry.Prefilter
	// rectanglesExact: a rectangle footprint (stored as its bounds) that
	// passes the prefilter matches, with no exact test.
	rectanglesExact bool
}

// prepareSpatial projects s's geometry into coll's spatial reference and
// prepares it.
func (coll *Collection) prepareSpatial(s *Spatial) (*spatialFilter, error) {
	g, err := coll.PlaceGeometry(s)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(geometry.AppendWKB([]byte{byte(s.Rel)}, g))
	return newSpatialFilter("f"+hex.EncodeToString(sum[:12]), g, s.Rel)
}

// newSpatialFilter prepares placed (a geometry in the collection's
// reference) for rel, under key.
func newSpatialFilter(key string, placed geometry.Geometry, rel geometry.SpatialRel) (*spatialFilter, error) {
	f, err := geometry.NewFilter(placed, rel)
	if err != nil {
		return nil, ParamErrorf("geometry", "%v", err)
	}
	_, isEnvelope := placed.(geometry.Envelope)
	return &spatialFilter{key: key, placed: placed, rel: rel, filter: f, pre: f.Prefilter(),
		rectanglesExact: isEnvelope && (rel == geometry.RelIntersects || rel == geometry.RelEnvelopeIntersects)}, nil
}

// SpatialClause returns clause (nil: every item) narrowed to the items
// whose footprints relate to s, as one clause: what a DeleteImage job
// stores and runs, in this process or another, now or after a restart.
// The filter stays findable by mosaic_relate for as long as the process
// lives (it is pinned: a job's clause may run at any time), and
// EncodeClause stores its geometry with the clause, so that DecodeClause
// pins it again wherever the clause is read.
func (coll *Collection) SpatialClause(clause *where.Clause, s *Spatial) (*where.Clause, error) {
	sf, err := coll.prepareSpatial(s)
	if err != nil {
		return nil, err
	}
	pinFilter(sf)
	cond, args := sf.condition()
	if clause == nil {
		return &where.Clause{SQL: cond, Args: args}, nil
	}
	c := *clause
	c.SQL = "(" + clause.SQL + " AND " + cond + ")"
	c.Args = append(append([]any{}, clause.Args...), args...)
	return &c, nil
}

// PlaceGeometry returns s's geometry in coll's spatial reference: what a
// selection tests the footprints against (and what a picture of it draws).
func (coll *Collection) PlaceGeometry(s *Spatial) (geometry.Geometry, error) {
	g := s.Geometry
	if g == nil {
		return nil, ParamErrorf("geometry", "geometry: none given")
	}
	from, err := ParseSRS(s.SRS)
	if err != nil {
		return nil, WithParam(err, "inSR")
	}
	if from != "" && coll.SRS == "" {
		return nil, ParamErrorf("inSR", "image collection %s has no spatial reference yet: a geometry in %s cannot be placed in it", coll.Name, from)
	}
	if from != "" && from != coll.SRS {
		if g, err = projectGeometry(g, from, coll.SRS); err != nil {
			return nil, WithParam(Errorf(Invalid, "inSR %s: the geometry cannot be placed in %s's %s: %w", from, coll.Name, coll.SRS, err), "inSR")
		}
	}
	return g, nil
}

// projectGeometry projects a query geometry: points one by one, envelopes
// and polygons as polygons densified to a thousandth of their size.
func projectGeometry(g geometry.Geometry, from, to string) (geometry.Geometry, error) {
	t, err := Transformation(from, to)
	if err != nil {
		return nil, err
	}
	switch g := g.(type) {
	case geometry.Point:
		x, y, err := t.Forward(g.X, g.Y)
		return geometry.Point{X: x, Y: y}, err
	case geometry.MultiPoint:
		out := make(geometry.MultiPoint, len(g))
		for i, p := range g {
			x, y, err := t.Forward(p.X, p.Y)
			if err != nil {
				return nil, err
			}
			out[i] = geometry.Point{X: x, Y: y}
		}
		return out, nil
	case geometry.Envelope:
		return projectGeometry(g.Polygon(), from, to)
	case geometry.Polygon:
		b := g.Bounds()
		src := make([][2]float64, 0, 5)
		src = append(src, [2]float64{b.XMin, b.YMin}, [2]float64{b.XMax, b.YMax})
		if err := t.ForwardPoints(src); err != nil {
			return nil, err
		}
		tol := math.Max(math.Abs(src[1][0]-src[0][0]), math.Abs(src[1][1]-src[0][1])) / 1000
		if !(tol > 0) {
			tol = 1e-9
		}
		return geometry.ProjectPolygon(g, t.Forward, tol)
	}
	return nil, fmt.Errorf("geometry %T cannot be projected", g)
}

// condition renders the filter as SQL on an item table, with its
// arguments: the prefilter on the bounds columns, then the exact test
// (mosaic_relate) for the candidates, which finds the filter by its key
// while a statement holds it (see holdFilter).
func (sf *spatialFilter) condition() (string, []any) {
	if sf.pre.Empty() {
		return "0", nil
	}
	var conds []string
	var args []any
	for _, c := range []struct {
		col string
		r   geometry.Range
	}{{"XMin", sf.pre.XMin}, {"YMin", sf.pre.YMin}, {"XMax", sf.pre.XMax}, {"YMax", sf.pre.YMax}} {
		if !math.IsInf(c.r.Lo, -1) {
			conds = append(conds, quoteIdent(c.col)+" >= ?")
			args = append(args, c.r.Lo)
		}
		if !math.IsInf(c.r.Hi, 1) {
			conds = append(conds, quoteIdent(c.col)+" <= ?")
			args = append(args, c.r.Hi)
		}
	}
	if !sf.pre.Exact {
		exact := `mosaic_relate(?, "Shape", "XMin", "YMin", "XMax", "YMax")`
		if sf.rectanglesExact {
			exact = `("Shape" IS NULL OR ` + exact + `)`
		}
		conds = append(conds, exact)
		args = append(args, sf.key)
	}
	if len(conds) == 0 {
		return "1", nil
	}
	sql := "(" + conds[0]
	for _, c := range conds[1:] {
		sql += " AND " + c
	}
	return sql + ")", args
}

// filters are the spatial filters of the statements running now, by the
// key their SQL passes to mosaic_relate: a statement holds its filter while
// it runs (holdFilter), so that the function finds it however many queries
// run at once. Equal filters share a key, and an entry lives while one of
// them is held.
var filters struct {
	sync.RWMutex
	m      map[string]*heldFilter
	pinned map[string]bool // the keys pinFilter holds for good
}

type heldFilter struct {
	sf   *spatialFilter
	refs int
}

// holdFilter makes sf findable by its key and returns the function that
// lets it go.
func holdFilter(sf *spatialFilter) (release func()) {
	filters.Lock()
	defer filters.Unlock()
	h := holdLocked(sf)
	return func() {
		filters.Lock()
		defer filters.Unlock()
		if h.refs--; h.refs == 0 {
			delete(filters.m, sf.key)
		}
	}
}

// holdLocked takes one more hold on sf's key, with filters locked.
func holdLocked(sf *spatialFilter) *heldFilter {
	if filters.m == nil {
		filters.m = map[string]*heldFilter{}
	}
	h := filters.m[sf.key]
	if h == nil {
		h = &heldFilter{sf: sf}
		filters.m[sf.key] = h
	}
	h.refs++
	return h
}

// pinFilter holds sf for the life of the process (once per key).
func pinFilter(sf *spatialFilter) {
	filters.Lock()
	defer filters.Unlock()
	if filters.pinned == nil {
		filters.pinned = map[string]bool{}
	}
	if !filters.pinned[sf.key] {
		filters.pinned[sf.key] = true
		holdLocked(sf)
	}
}

// pinnedFilter returns the filter pinned under key.
func pinnedFilter(key string) (*spatialFilter, bool) {
	filters.RLock()
	pinned := filters.pinned[key]
	filters.RUnlock()
	if !pinned {
		return nil, false
	}
	return heldSpatialFilter(key)
}

// heldSpatialFilter returns the filter held under key.
func heldSpatialFilter(key string) (*spatialFilter, bool) {
	filters.RLock()
	defer filters.RUnlock()
	h, ok := filters.m[key]
	if !ok {
		return nil, false
	}
	return h.sf, true
}

func init() {
	// mosaic_relate(key, Shape, XMin, YMin, XMax, YMax): whether the item's
	// footprint (its rings, or the rectangle of its bounds when Shape is
	// NULL) is in the relation of the held filter key.
	sqlite.MustRegisterScalarFunction("mosaic_relate", 6, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		key, _ := args[0].(string)
		sf, ok := heldSpatialFilter(key)
		if !ok {
			return nil, fmt.Errorf("mosaic_relate: no spatial filter %q is held", key)
		}
		var b [4]float64
		for i := range b {
			switch x := args[2+i].(type) {
			case float64:
				b[i] = x
			case int64:
				b[i] = float64(x)
			default:
				return int64(0), nil // no bounds: no footprint
			}
		}
		var shape string
		switch s := args[1].(type) {
		case string:
			shape = s
		case []byte:
			shape = string(s)
		}
		if shape == "" {
			if sf.filter.MatchEnvelope(geometry.Envelope{XMin: b[0], YMin: b[1], XMax: b[2], YMax: b[3]}) {
				return int64(1), nil
			}
			return int64(0), nil
		}
		buf := ringBuffers.Get().(*ringBuffer)
		defer ringBuffers.Put(buf)
		p, err := buf.parse(shape)
		if err != nil {
			return nil, fmt.Errorf("mosaic_relate: footprint %.60q: %w", shape, err)
		}
		if sf.filter.Match(p) {
			return int64(1), nil
		}
		return int64(0), nil
	})
}

// ringBuffer parses the footprints the catalog stores ([[[x,y],…],…], as
// ringsJSON and geometry.AppendEsriRings write them) into reused slices:
// the exact test of a candidate allocates nothing.
type ringBuffer struct {
	points [][2]float64
	rings  geometry.Polygon
}

var ringBuffers = sync.Pool{New: func() any { return &ringBuffer{} }}

func (rb *ringBuffer) parse(s string) (geometry.Polygon, error) {
	rb.points, rb.rings = rb.points[:0], rb.rings[:0]
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
			i++
		}
	}
	expect := func(c byte) error {
		skip()
		if i >= len(s) || s[i] != c {
			return fmt.Errorf("expected %q at %d", c, i)
		}
		i++
		return nil
	}
	number := func() (float64, error) {
		skip()
		j := i
		for i < len(s) && (s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || (s[i] >= '0' && s[i] <= '9')) {
			i++
		}
		return strconv.ParseFloat(s[j:i], 64)
	}
	if err := expect('['); err != nil {
		return nil, err
	}
	var starts []int
	for {
		if err := expect('['); err != nil {
			return nil, err
		}
		starts = append(starts, len(rb.points))
		for {
			if err := expect('['); err != nil {
				return nil, err
			}
			x, err := number()
			if err != nil {
				return nil, err
			}
			if err := expect(','); err != nil {
				return nil, err
			}
			y, err := number()
			if err != nil {
				return nil, err
			}
			if err := expect(']'); err != nil {
				return nil, err
			}
			rb.points = append(rb.points, [2]float64{x, y})
			skip()
			if i < len(s) && s[i] == ',' {
				i++
				continue
			}
			break
		}
		if err := expect(']'); err != nil {
			return nil, err
		}
		skip()
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		break
	}
	if err := expect(']'); err != nil {
		return nil, err
	}
	for k, start := range starts {
		end := len(rb.points)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		rb.rings = append(rb.rings, rb.points[start:end])
	}
	return rb.rings, nil
}

// ParseSpatial reads a spatial selection as the ArcGIS parameters give it:
// geometry (see ParseGeometry), geometryType, inSR (else the geometry's own
// reference, else the collection's; see ParseSRSParam) and spatialRel. It
// returns nil when geometry is empty; whether the others may then be given
// is for the caller to say. Errors name the parameter.
func ParseSpatial(geometryText, geometryType, inSR, spatialRel string) (*Spatial, error) {
	if strings.TrimSpace(geometryText) == "" {
		return nil, nil
	}
	g, srs, err := ParseGeometry(geometryText, strings.TrimSpace(geometryType))
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(inSR) != "" {
		if srs, err = ParseSRSParam("inSR", inSR); err != nil {
			return nil, err
		}
	}
	rel, err := geometry.ParseSpatialRel(strings.TrimSpace(spatialRel))
	if err != nil {
		return nil, ParamErrorf("spatialRel", "%v", err)
	}
	return &Spatial{Geometry: g, SRS: srs, Rel: rel}, nil
}

// ParseSRSParam reads a spatial reference parameter: a wkid, EPSG:N, or
// {"wkid": N} (latestWkid preferred), as ArcGIS clients send them.
func ParseSRSParam(name, v string) (string, error) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "{") {
		if err := CheckJSONKeys([]byte(v), false); err != nil {
			return "", ParamErrorf(name, "%s: %v", name, err)
		}
		var sr struct {
			WKID       int    `json:"wkid"`
			LatestWKID int    `json:"latestWkid"`
			WKT        string `json:"wkt"`
		}
		if err := json.Unmarshal([]byte(v), &sr); err != nil {
			return "", ParamErrorf(name, "%s: not a spatial reference: %v", name, err)
		}
		switch {
		case sr.WKT != "":
			return "", ParamErrorf(name, "%s: a spatial reference given as WKT is not supported; give its wkid", name)
		case sr.LatestWKID != 0:
			v = strconv.Itoa(sr.LatestWKID)
		default:
			v = strconv.Itoa(sr.WKID)
		}
	}
	srs, err := ParseSRS(v)
	if err != nil {
		return "", ParamErrorf(name, "%s: %v", name, err)
	}
	return srs, nil
}

// ParseGeometry reads a query geometry as a user gives it: the ArcGIS REST
// forms of geometryType (xmin,ymin,xmax,ymax for an envelope, x,y for a
// point, or Esri JSON; geometryType "" means esriGeometryEnvelope, or the
// type the JSON's keys show) or a GeoJSON geometry. It returns the
// geometry's spatial reference when the text gives one (a GeoJSON geometry
// is EPSG:4326, as RFC 7946 says), else "". Errors name the parameter
// geometry.
func ParseGeometry(text, geometryType string) (geometry.Geometry, string, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "{") && geojsonRE.MatchString(text) {
		if geometryType != "" {
			return nil, "", ParamErrorf("geometryType", "geometryType %s goes with ArcGIS geometries; a GeoJSON geometry says its own type", geometryType)
		}
		g, err := geometry.ParseGeoJSON(text)
		if err != nil {
			return nil, "", ParamErrorf("geometry", "%v", err)
		}
		return g, "EPSG:4326", nil
	}
	if geometryType == "" && strings.HasPrefix(text, "{") {
		geometryType = esriTypeOf(text)
	}
	g, sr, err := geometry.ParseEsri(geometryType, text)
	var pe *geometry.ParseError
	if errors.As(err, &pe) && pe.Input == "geometryType" {
		return nil, "", ParamErrorf("geometryType", "%v", err)
	}
	if err != nil {
		return nil, "", ParamErrorf("geometry", "%v", err)
	}
	switch {
	case sr.WKT != "":
		return nil, "", ParamErrorf("geometry", "geometry: a spatialReference given as WKT is not supported; give its wkid")
	case sr.LatestWKID != 0:
		return g, "EPSG:" + strconv.Itoa(sr.LatestWKID), nil
	case sr.WKID != 0:
		return g, "EPSG:" + strconv.Itoa(sr.WKID), nil
	}
	return g, "", nil
}

// geojsonRE spots a GeoJSON geometry or feature: a "type" member naming
// one.
var geojsonRE = regexp.MustCompile(`"type"\s*:\s*"(Point|MultiPoint|Polygon|MultiPolygon|Feature|LineString|MultiLineString|GeometryCollection)"`)

// esriTypeOf guesses the geometryType of Esri JSON from its keys, as
// ArcGIS clients often leave geometryType out with JSON geometries.
func esriTypeOf(text string) string {
	switch {
	case strings.Contains(text, `"rings"`):
		return "esriGeometryPolygon"
	case strings.Contains(text, `"points"`):
		return "esriGeometryMultipoint"
	case strings.Contains(text, `"x"`) && !strings.Contains(text, `"xmin"`):
		return "esriGeometryPoint"
	}
	return "esriGeometryEnvelope"
}

// outProjection gives a selection's footprints in another spatial
// reference than the collection's.
type outProjection struct {
	srs   string
	t     *proj.Transform
	scale float64 // output units per collection unit, roughly: for the densifying tolerance
	buf   ringBuffer
	out   []byte
}

// outProjection prepares footprints of coll for spatial reference srs.
func (coll *Collection) outProjection(srs string) (*outProjection, error) {
	out, err := ParseSRS(srs)
	if err != nil {
		return nil, WithParam(err, "outSR")
	}
	if out == coll.SRS || coll.SRS == "" {
		return nil, nil
	}
	t, err := Transformation(coll.SRS, out)
	if err != nil {
		return nil, WithParam(Errorf(Invalid, "outSR %s: %w", out, err), "outSR")
	}
	o := &outProjection{srs: out, t: t, scale: 1}
	switch from, to := t.From().IsGeographic(), t.To().IsGeographic(); {
	case from && !to:
		o.scale = 111_320
	case !from && to:
		o.scale = 1.0 / 111_320
	}
	return o, nil
}

// project replaces row's footprint by its projection, densified to half a
// pixel (lowPS, in the collection's units; a thousandth of the footprint's
// size when unknown).
func (o *outProjection) project(row *ItemRow, lowPS float64) error {
	p, err := o.buf.parse(row.Shape)
	if err != nil {
		return err
	}
	tol := lowPS / 2 * o.scale
	if !(tol > 0) {
		b := p.Bounds()
		tol = math.Max(b.XMax-b.XMin, b.YMax-b.YMin) / 1000 * o.scale
	}
	if !(tol > 0) {
		tol = 1e-9
	}
	q, err := geometry.ProjectPolygon(p, o.t.Forward, tol)
	if err != nil {
		return fmt.Errorf("footprint into %s: %w", o.srs, err)
	}
	o.out = geometry.AppendEsriRings(o.out[:0], q)
	row.Shape, row.Rectangle = string(o.out), false
	return nil
}
