package geometry_test

import (
	"errors"
	"fmt"

	"mosaic/geometry"
)

// A spatial selection as the ImageServer query runs it: parse the
// geometry, geometryType and spatialRel parameters, give SQL the
// prefilter on the stored bounds, test the candidates' footprints exactly.
func Example() {
	g, sr, err := geometry.ParseEsri("", `{"xmin":0,"ymin":0,"xmax":10,"ymax":10,"spatialReference":{"wkid":32632}}`)
	if err != nil {
		panic(err) // a *geometry.ParseError: HTTP 400
	}
	rel, err := geometry.ParseSpatialRel("esriSpatialRelIntersects")
	if err != nil {
		panic(err)
	}
	f, err := geometry.NewFilter(g, rel)
	if err != nil {
		panic(err)
	}
	pf := f.Prefilter()
	fmt.Printf("in EPSG:%d: XMin <= %v AND YMin <= %v AND XMax >= %v AND YMax >= %v\n",
		sr.WKID, pf.XMin.Hi, pf.YMin.Hi, pf.XMax.Lo, pf.YMax.Lo)

	// Two candidates the SQL returned: their bounds overlap the query's.
	touching := geometry.Polygon{{{10, 5}, {15, 10}, {20, 5}, {15, 0}}} // a diamond whose left corner touches
	apart := geometry.Polygon{{{11, 5}, {16, 10}, {21, 5}, {16, 0}}}
	fmt.Println(f.Match(touching), f.Match(apart))
	// Output:
	// in EPSG:32632: XMin <= 10 AND YMin <= 10 AND XMax >= 0 AND YMax >= 0
	// true false
}

func ExampleParseEsri_error() {
	_, _, err := geometry.ParseEsri("esriGeometryPolygon", `{"rings":[[[0,0],[0,1],[1,1],[0,0]]],"rings":[]}`)
	var pe *geometry.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Path == "", pe.Offset)
		fmt.Println(err)
	}
	// Output:
	// true 37
	// geometry: duplicate key "rings" (at byte 37)
}

func ExampleAppendGeoJSON() {
	// A footprint as the catalog keeps it: four corners, clockwise (ArcGIS).
	fp := geometry.Polygon{{{0, 20}, {10, 20}, {10, 0}, {0, 0}}}
	fmt.Println(string(geometry.AppendGeoJSON(nil, fp)))
	fmt.Println(string(geometry.AppendEsri(nil, fp, geometry.SpatialReference{WKID: 32632})))
	fmt.Println(fp.Area(), fp.Perimeter(), fp.Bounds().Center())
	// Output:
	// {"type":"Polygon","coordinates":[[[0,20],[0,0],[10,0],[10,20],[0,20]]]}
	// {"rings":[[[0,20],[10,20],[10,0],[0,0],[0,20]]],"spatialReference":{"wkid":32632}}
	// 200 60 {5 10}
}
