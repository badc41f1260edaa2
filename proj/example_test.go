package proj_test

import (
	"errors"
	"fmt"

	"mosaic/proj"
)

func ExampleNewTransform() {
	wgs84, _ := proj.Parse("EPSG:4326")
	utm32, _ := proj.Parse("epsg:32632")
	tr, err := proj.NewTransform(wgs84, utm32)
	if err != nil {
		panic(err)
	}
	// x is the longitude, y the latitude: 8.5°E 47.4°N (Zürich). cs2cs gives
	// 462271.878 5249737.397.
	e, n, err := tr.Forward(8.5, 47.4)
	fmt.Printf("%.2f %.2f %v\n", e, n, err)
	lon, lat, err := tr.Inverse(e, n)
	fmt.Printf("%.9f %.9f %v\n", lon, lat, err)

	// A footprint in one call.
	ring := [][2]float64{{8, 47}, {9, 47}, {9, 48}, {8, 48}, {8, 47}}
	if err := tr.ForwardPoints(ring); err != nil {
		panic(err)
	}
	fmt.Printf("%.2f\n", ring[1])
	// Output:
	// 462271.88 5249737.40 <nil>
	// 8.500000000 47.400000000 <nil>
	// [500000.00 5205164.11]
}

func ExampleParse_unknown() {
	_, err := proj.Parse("EPSG:31467")
	fmt.Println(errors.Is(err, proj.ErrUnknownCode))
	fmt.Println(err)
	// Output:
	// true
	// proj: unknown coordinate system code 31467 (EPSG code or ArcGIS wkid); see "Coordinate systems" in README.md for the supported codes
}

func ExampleTransform_Forward_outsideDomain() {
	wgs84, _ := proj.FromWKID(4326)
	web, _ := proj.FromWKID(102100) // ArcGIS's wkid for EPSG:3857
	tr, _ := proj.NewTransform(wgs84, web)
	_, _, err := tr.Forward(0, 90)
	fmt.Println(errors.Is(err, proj.ErrOutsideDomain))
	fmt.Println(err)
	// Output:
	// true
	// proj: point (0, 90) is outside the domain of EPSG:3857: latitude ±90° has no Web Mercator northing
}
