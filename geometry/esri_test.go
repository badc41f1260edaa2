package geometry

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var esriAcceptTests = []struct {
	name, typ, in string
	want          Geometry
	sr            SpatialReference
}{
	{"envelope simple", "", "-104,35.6,-94.32,41", Envelope{-104, 35.6, -94.32, 41}, SpatialReference{}},
	{"envelope simple with blanks", "esriGeometryEnvelope", " 1, 2 ,3,4 ", Envelope{1, 2, 3, 4}, SpatialReference{}},
	{"envelope degenerate", "", "1,2,1,2", Envelope{1, 2, 1, 2}, SpatialReference{}},
	{"point simple", "esriGeometryPoint", "-104.5,35.6", Point{-104.5, 35.6}, SpatialReference{}},
	{"type any case", "ESRIGEOMETRYPOINT", "1,2", Point{1, 2}, SpatialReference{}},
	{"envelope JSON", "", `{"xmin":1,"ymin":2,"xmax":3,"ymax":4,"spatialReference":{"wkid":102100,"latestWkid":3857}}`,
		Envelope{1, 2, 3, 4}, SpatialReference{WKID: 102100, LatestWKID: 3857}},
	{"envelope JSON with z and m", "", `{"xmin":1,"ymin":2,"xmax":3,"ymax":4,"zmin":0,"zmax":9,"hasZ":true}`, Envelope{1, 2, 3, 4}, SpatialReference{}},
	{"point JSON", "esriGeometryPoint", `{"x":-118.15,"y":33.8,"z":10,"spatialReference":{"wkid":4326}}`, Point{-118.15, 33.8}, SpatialReference{WKID: 4326}},
	{"point with WKT spatial reference", "esriGeometryPoint", `{"x":1,"y":2,"spatialReference":{"wkt":"PROJCS[\"x\"]"}}`, Point{1, 2}, SpatialReference{WKT: `PROJCS["x"]`}},
	{"spatial reference with ArcGIS extras", "esriGeometryPoint", `{"x":1,"y":2,"spatialReference":{"wkid":28356,"xyTolerance":0.001,"falseX":-5120900,"vcsWkid":null}}`, Point{1, 2}, SpatialReference{WKID: 28356}},
	{"null spatial reference", "esriGeometryPoint", `{"x":1,"y":2,"spatialReference":null}`, Point{1, 2}, SpatialReference{}},
	{"escaped key", "esriGeometryPoint", `{"\u0078":1,"y":2}`, Point{1, 2}, SpatialReference{}},
	{"multipoint", "esriGeometryMultipoint", `{"points":[[1,2],[3,4,5]]}`, MultiPoint{{1, 2}, {3, 4}}, SpatialReference{}},
	{"polygon clockwise", "esriGeometryPolygon", `{"rings":[[[0,10],[10,10],[10,0],[0,0],[0,10]]]}`,
		Polygon{{{0, 10}, {10, 10}, {10, 0}, {0, 0}, {0, 10}}}, SpatialReference{}},
	{"polygon counter-clockwise is turned", "esriGeometryPolygon", `{"rings":[[[0,10],[0,0],[10,0],[10,10],[0,10]]]}`,
		Polygon{{{0, 10}, {10, 10}, {10, 0}, {0, 0}, {0, 10}}}, SpatialReference{}},
	{"polygon ring closed for the user", "esriGeometryPolygon", `{"rings":[[[0,10],[10,10],[10,0],[0,0]]]}`,
		Polygon{{{0, 10}, {10, 10}, {10, 0}, {0, 0}, {0, 10}}}, SpatialReference{}},
	{"polygon with hole and xyz", "esriGeometryPolygon", `{"hasZ":true,"rings":[[[0,10,1],[10,10,1],[10,0,1],[0,0,1],[0,10,1]],[[2,2],[4,2],[4,4],[2,4],[2,2]]]}`,
		Polygon{{{0, 10}, {10, 10}, {10, 0}, {0, 0}, {0, 10}}, {{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}}, SpatialReference{}},
	{"unknown members ignored", "esriGeometryPolygon", `{"type":"polygon","rings":[[[0,1],[1,1],[1,0],[0,1]]],"extra":{"a":[1,{"b":null}]}}`,
		Polygon{{{0, 1}, {1, 1}, {1, 0}, {0, 1}}}, SpatialReference{}},
}

var esriRejectTests = []struct {
	name, typ, in string
	input, path   string
	offset        int // -2: do not check
}{
	{"ErrUnknownType", "esriGeometryCircle", "1,2", "geometryType", "", -1},
	{"ErrPolylineUnsupported", "esriGeometryPolyline", `{"paths":[]}`, "geometryType", "", -1},
	{"ErrEmpty", "", "  ", "geometry", "", -1},
	{"ErrSimpleTooFew", "", "1,2,3", "geometry", "", -1},
	{"ErrSimpleTooMany", "", "1,2,3,4,5", "geometry", "", 7},
	{"ErrSimpleNotANumber", "", "1,2,x,4", "geometry", "", 4},
	{"ErrSimpleNaN", "", "1,2,NaN,4", "geometry", "", 4},
	{"ErrSimpleInf", "esriGeometryPoint", "Inf,4", "geometry", "", 0},
	{"ErrSimpleHex", "esriGeometryPoint", "0x10,4", "geometry", "", 0},
	{"ErrSimpleHuge", "esriGeometryPoint", "1e300,4", "geometry", "", 0},
	{"ErrSimpleXMinGreater", "", "5,0,1,1", "geometry", "", -1},
	{"ErrSimpleYMinGreater", "", "0,5,1,1", "geometry", "", -1},
	{"ErrSimplePolygon", "esriGeometryPolygon", "1,2,3,4", "geometry", "", -1},
	{"ErrDuplicateKey", "", `{"xmin":1,"xmin":2,"ymin":0,"xmax":3,"ymax":4}`, "geometry", "", 10},
	{"ErrDuplicateKeyEscaped", "", `{"xmin":1,"\u0078min":2,"ymin":0,"xmax":3,"ymax":4}`, "geometry", "", 10},
	{"ErrDuplicateKeyInSpatialReference", "", `{"xmin":1,"ymin":0,"xmax":3,"ymax":4,"spatialReference":{"wkid":4326,"wkid":3857}}`, "geometry", "spatialReference", 69},
	{"ErrDuplicateKeyInIgnoredMember", "", `{"xmin":1,"ymin":0,"xmax":3,"ymax":4,"x-extra":{"a":1,"a":1}}`, "geometry", "x-extra", 54},
	{"ErrXMinGreater", "", `{"xmin":5,"ymin":0,"xmax":3,"ymax":4}`, "geometry", "", 0},
	{"ErrMissingYMax", "", `{"xmin":1,"ymin":0,"xmax":3}`, "geometry", "", 0},
	{"ErrNullEnvelope", "", `{"xmin":null,"ymin":0,"xmax":3,"ymax":4}`, "geometry", "", 0},
	{"ErrNaNPoint", "esriGeometryPoint", `{"x":"NaN","y":"NaN"}`, "geometry", "", 0},
	{"ErrStringCoordinate", "esriGeometryPoint", `{"x":"1","y":2}`, "geometry", "x", 1},
	{"ErrNumberOverflow", "", `{"xmin":1e999,"ymin":0,"xmax":3,"ymax":4}`, "geometry", "xmin", 8},
	{"ErrCoordinateTooLarge", "esriGeometryPoint", `{"x":1e16,"y":2}`, "geometry", "x", 5},
	{"ErrWrongTypeRings", "", `{"rings":[[[0,0],[1,0],[1,1],[0,0]]]}`, "geometry", "rings", 1},
	{"ErrWrongTypeXY", "", `{"x":1,"y":2}`, "geometry", "x", 1},
	{"ErrCurves", "esriGeometryPolygon", `{"curveRings":[]}`, "geometry", "curveRings", 1},
	{"ErrNoRings", "esriGeometryPolygon", `{"rings":[]}`, "geometry", "", 0},
	{"ErrMissingRings", "esriGeometryPolygon", `{"spatialReference":{"wkid":4326}}`, "geometry", "", 0},
	{"ErrShortRing", "esriGeometryPolygon", `{"rings":[[[0,0],[1,0],[0,0]]]}`, "geometry", "rings[0]", 10},
	{"ErrCollinearRing", "esriGeometryPolygon", `{"rings":[[[0,0],[1,1],[2,2],[0,0]]]}`, "geometry", "rings[0]", 10},
	{"ErrPositionTooShort", "esriGeometryPolygon", `{"rings":[[[0,0],[1],[2,2],[0,0]]]}`, "geometry", "rings[0][1]", 17},
	{"ErrPositionTooLong", "esriGeometryPolygon", `{"rings":[[[0,0,0,0,0],[1,0],[2,2],[0,0]]]}`, "geometry", "rings[0][0][4]", 20},
	{"ErrPositionNotNumber", "esriGeometryPolygon", `{"rings":[[[0,0],[1,true],[2,2],[0,0]]]}`, "geometry", "rings[0][1][1]", 20},
	{"ErrEmptyMultipoint", "esriGeometryMultipoint", `{"points":[]}`, "geometry", "", 0},
	{"ErrTrailing", "esriGeometryPoint", `{"x":1,"y":2} {}`, "geometry", "", 14},
	{"ErrTrailingComma", "esriGeometryPoint", `{"x":1,"y":2,}`, "geometry", "", 13},
	{"ErrUnterminated", "esriGeometryPoint", `{"x":1,"y":2`, "geometry", "", 12},
	{"ErrBadWKID", "esriGeometryPoint", `{"x":1,"y":2,"spatialReference":{"wkid":4326.5}}`, "geometry", "spatialReference.wkid", 40},
	{"ErrNegativeWKID", "esriGeometryPoint", `{"x":1,"y":2,"spatialReference":{"wkid":-1}}`, "geometry", "spatialReference.wkid", 40},
	{"ErrControlCharInString", "esriGeometryPoint", "{\"x\":1,\"y\":2,\"a\":\"\x01\"}", "geometry", "a", 18},
	{"ErrLeadingZero", "esriGeometryPoint", `{"x":01,"y":2}`, "geometry", "", 6},
	{"ErrDeepNesting", "esriGeometryPoint", `{"x":1,"y":2,"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, "geometry", "a" + strings.Repeat("[0]", 63), 80},
}

func TestParseEsri(t *testing.T) {
	for _, tt := range esriAcceptTests {
		t.Run("OK/"+tt.name, func(t *testing.T) {
			g, sr, err := ParseEsri(tt.typ, tt.in)
			if err != nil {
				t.Fatalf("ParseEsri(%q, %q): %v", tt.typ, tt.in, err)
			}
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("geometry = %#v, want %#v", g, tt.want)
			}
			if sr != tt.sr {
				t.Errorf("spatial reference = %+v, want %+v", sr, tt.sr)
			}
		})
	}
	for _, tt := range esriRejectTests {
		t.Run(tt.name, func(t *testing.T) {
			g, _, err := ParseEsri(tt.typ, tt.in)
			checkParseError(t, g, err, tt.input, tt.path, tt.offset)
		})
	}
}

// checkParseError checks that err is a *ParseError located as given
// (offset -2: any offset).
func checkParseError(t *testing.T, g any, err error, input, path string, offset int) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, %v; want a *ParseError", g, err)
	}
	if pe.Input != input || pe.Path != path || (offset != -2 && pe.Offset != offset) {
		t.Errorf("error %q: input %q, path %q, offset %d; want %q, %q, %d", err, pe.Input, pe.Path, pe.Offset, input, path, offset)
	}
}

func TestParseEsriLimits(t *testing.T) {
	t.Run("ErrTooLong", func(t *testing.T) {
		_, _, err := ParseEsri("", strings.Repeat(" ", MaxInputBytes+1))
		checkParseError(t, nil, err, "geometry", "", -1)
	})
	t.Run("ErrTooManyVertices", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"points":[`)
		for i := 0; i <= MaxVertices; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("[1,2]")
		}
		b.WriteString("]}")
		_, _, err := ParseEsri("esriGeometryMultipoint", b.String())
		checkParseError(t, nil, err, "geometry", "points["+strconv.Itoa(MaxVertices)+"]", -2)
	})
	t.Run("ErrTooManyRings", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"rings":[`)
		for i := 0; i <= MaxRings; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("[[0,0],[0,1],[1,1],[0,0]]")
		}
		b.WriteString("]}")
		_, _, err := ParseEsri("esriGeometryPolygon", b.String())
		checkParseError(t, nil, err, "geometry", "rings["+strconv.Itoa(MaxRings)+"]", -2)
	})
}

func TestAppendEsri(t *testing.T) {
	for _, tt := range []struct {
		name string
		g    Geometry
		sr   SpatialReference
		want string
	}{
		{"point", Point{1.5, -2}, SpatialReference{}, `{"x":1.5,"y":-2}`},
		{"envelope with wkid", Envelope{0, 1, 2, 3}, SpatialReference{WKID: 102100, LatestWKID: 3857},
			`{"xmin":0,"ymin":1,"xmax":2,"ymax":3,"spatialReference":{"wkid":102100,"latestWkid":3857}}`},
		{"multipoint", MultiPoint{{1, 2}, {3, 4}}, SpatialReference{}, `{"points":[[1,2],[3,4]]}`},
		{"catalog footprint, open counter-clockwise ring", Polygon{{{0, 0}, {10, 0}, {10, 20}, {0, 20}}}, SpatialReference{},
			`{"rings":[[[0,0],[0,20],[10,20],[10,0],[0,0]]]}`},
		{"polygon with hole", Polygon{{{0, 10}, {10, 10}, {10, 0}, {0, 0}, {0, 10}}, {{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}}, SpatialReference{WKT: "a\"b"},
			`{"rings":[[[0,10],[10,10],[10,0],[0,0],[0,10]],[[2,2],[4,2],[4,4],[2,4],[2,2]]],"spatialReference":{"wkt":"a\"b"}}`},
		{"large and small numbers", Point{1e14, -1e-7}, SpatialReference{}, `{"x":100000000000000,"y":-1e-07}`},
		{"projected coordinates in plain notation", Point{500000.25, 4649776.224}, SpatialReference{}, `{"x":500000.25,"y":4649776.224}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendEsri(nil, tt.g, tt.sr))
			if got != tt.want {
				t.Errorf("AppendEsri = %s\nwant %s", got, tt.want)
			}
			typ := map[string]string{"Point": typePoint, "Envelope": typeEnvelope, "MultiPoint": typeMultipoint, "Polygon": typePolygon}[reflect.TypeOf(tt.g).Name()]
			back, sr, err := ParseEsri(typ, got)
			if err != nil {
				t.Fatalf("ParseEsri(%s): %v", got, err)
			}
			if sr != tt.sr {
				t.Errorf("spatial reference read back as %+v", sr)
			}
			if !geometriesEqual(back, tt.g) && !geometriesEqual(back, normalizeGeometry(tt.g)) {
				t.Errorf("read back as %v", back)
			}
		})
	}
}

func normalizeGeometry(g Geometry) Geometry {
	if p, ok := g.(Polygon); ok {
		return Normalize(p)
	}
	return g
}

func geometriesEqual(a, b Geometry) bool {
	if pa, ok := a.(Polygon); ok {
		pb, ok := b.(Polygon)
		return ok && polygonsEqual(pa, pb)
	}
	return reflect.DeepEqual(a, b)
}
