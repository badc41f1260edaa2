package geometry

import (
	"reflect"
	"testing"
)

// square is the 10×10 square at the origin, clockwise and closed as every
// parser here returns it; hole is a 2×2 hole in it, counter-clockwise.
var (
	square = [][2]float64{{0, 10}, {10, 10}, {10, 0}, {0, 0}, {0, 10}}
	hole   = [][2]float64{{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}
)

var geojsonAcceptTests = []struct {
	name, in string
	want     Geometry
}{
	{"point", `{"type":"Point","coordinates":[-104.5,35.6]}`, Point{-104.5, 35.6}},
	{"point with altitude", `{"type":"Point","coordinates":[1,2,3]}`, Point{1, 2}},
	{"coordinates before type", `{"coordinates":[1,2],"type":"Point"}`, Point{1, 2}},
	{"multipoint", `{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}`, MultiPoint{{1, 2}, {3, 4}}},
	{"polygon right-hand rule", `{"type":"Polygon","coordinates":[[[0,10],[0,0],[10,0],[10,10],[0,10]],[[2,2],[2,4],[4,4],[4,2],[2,2]]]}`,
		Polygon{square, hole}},
	{"polygon left-hand, accepted", `{"type":"Polygon","coordinates":[[[0,10],[10,10],[10,0],[0,0],[0,10]]]}`, Polygon{square}},
	{"multipolygon", `{"type":"MultiPolygon","coordinates":[[[[0,10],[0,0],[10,0],[10,10],[0,10]]],[[[20,10],[20,0],[30,0],[30,10],[20,10]]]]}`,
		Polygon{square, {{20, 10}, {30, 10}, {30, 0}, {20, 0}, {20, 10}}}},
	{"feature", `{"type":"Feature","properties":{"name":"x","nested":{"a":[1,2]}},"id":7,"geometry":{"type":"Point","coordinates":[1,2]}}`, Point{1, 2}},
	{"geometry before type", `{"geometry":{"type":"Point","coordinates":[1,2]},"type":"Feature"}`, Point{1, 2}},
	{"foreign members and bbox", `{"type":"Point","bbox":[1,2,1,2],"title":{"x":1},"coordinates":[1,2]}`, Point{1, 2}},
	{"null crs tolerated", `{"type":"Point","crs":null,"coordinates":[1,2]}`, Point{1, 2}},
}

var geojsonRejectTests = []struct {
	name, in string
	path     string
	offset   int
}{
	{"ErrNotObject", `[1,2]`, "", 0},
	{"ErrMissingType", `{"coordinates":[1,2]}`, "", 0},
	{"ErrLowercaseType", `{"type":"point","coordinates":[1,2]}`, "", 8},
	{"ErrLineString", `{"type":"LineString","coordinates":[[1,2],[3,4]]}`, "", 8},
	{"ErrFeatureCollection", `{"type":"FeatureCollection","features":[]}`, "", 8},
	{"ErrMissingCoordinates", `{"type":"Point"}`, "", 0},
	{"ErrDuplicateType", `{"type":"Point","type":"Polygon","coordinates":[1,2]}`, "", 16},
	{"ErrDuplicateInProperties", `{"type":"Feature","properties":{"a":1,"a":2},"geometry":{"type":"Point","coordinates":[1,2]}}`, "properties", 38},
	{"ErrCRS", `{"type":"Point","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"coordinates":[1,2]}`, "crs", 16},
	{"ErrRingNotClosed", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, "coordinates[0]", 33},
	{"ErrRingTooShort", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "coordinates[0]", 33},
	{"ErrNoRings", `{"type":"Polygon","coordinates":[]}`, "coordinates", 32},
	{"ErrEmptyMultiPolygon", `{"type":"MultiPolygon","coordinates":[]}`, "coordinates", 37},
	{"ErrEmptyMultiPoint", `{"type":"MultiPoint","coordinates":[]}`, "coordinates", 35},
	{"ErrPointNotPosition", `{"type":"Point","coordinates":[[1,2]]}`, "coordinates[0]", 31},
	{"ErrFeatureNullGeometry", `{"type":"Feature","geometry":null}`, "geometry", 29},
	{"ErrFeatureNoGeometry", `{"type":"Feature","properties":{}}`, "", 0},
	{"ErrFeatureInFeature", `{"type":"Feature","geometry":{"type":"Feature","geometry":null}}`, "geometry", 37},
	{"ErrNestedCoordinateError", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,"x"],[0,0]]]}}`, "geometry.coordinates[0][2][1]", 78},
	{"ErrNonFinite", `{"type":"Point","coordinates":[1,-1e400]}`, "coordinates[1]", 33},
	{"ErrTrailing", `{"type":"Point","coordinates":[1,2]}x`, "", 36},
	{"ErrInvalidUTF8", "{\"type\":\"Point\",\"coordinates\":[1,2],\"n\":\"\xff\"}", "n", 41},
}

func TestParseGeoJSON(t *testing.T) {
	for _, tt := range geojsonAcceptTests {
		t.Run("OK/"+tt.name, func(t *testing.T) {
			g, err := ParseGeoJSON(tt.in)
			if err != nil {
				t.Fatalf("ParseGeoJSON(%s): %v", tt.in, err)
			}
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("got %v, want %v", g, tt.want)
			}
		})
	}
	for _, tt := range geojsonRejectTests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseGeoJSON(tt.in)
			checkParseError(t, g, err, "GeoJSON", tt.path, tt.offset)
		})
	}
}

func TestAppendGeoJSON(t *testing.T) {
	far := [][2]float64{{20, 10}, {30, 10}, {30, 0}, {20, 0}, {20, 10}}
	for _, tt := range []struct {
		name string
		g    Geometry
		want string
	}{
		{"point", Point{1, 2}, `{"type":"Point","coordinates":[1,2]}`},
		{"multipoint", MultiPoint{{1, 2}, {3, 4}}, `{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}`},
		{"polygon with hole, right-hand rule", Polygon{square, hole},
			`{"type":"Polygon","coordinates":[[[0,10],[0,0],[10,0],[10,10],[0,10]],[[2,2],[2,4],[4,4],[4,2],[2,2]]]}`},
		{"two outer rings make a MultiPolygon", Polygon{square, hole, far},
			`{"type":"MultiPolygon","coordinates":[[[[0,10],[0,0],[10,0],[10,10],[0,10]],[[2,2],[2,4],[4,4],[4,2],[2,2]]],[[[20,10],[20,0],[30,0],[30,10],[20,10]]]]}`},
		{"envelope", Envelope{0, 0, 10, 10}, `{"type":"Polygon","coordinates":[[[0,10],[0,0],[10,0],[10,10],[0,10]]]}`},
		{"open counter-clockwise footprint", Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}},
			`{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendGeoJSON(nil, tt.g))
			if got != tt.want {
				t.Errorf("AppendGeoJSON = %s\nwant %s", got, tt.want)
			}
			back, err := ParseGeoJSON(got)
			if err != nil {
				t.Fatalf("ParseGeoJSON(%s): %v", got, err)
			}
			want := tt.g
			if e, ok := want.(Envelope); ok {
				want = e.Polygon()
			}
			if !geometriesEqual(back, want) && !geometriesEqual(back, normalizeGeometry(want)) {
				t.Errorf("read back as %v", back)
			}
		})
	}
}
