package catalog_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"mosaic/catalog"
	"mosaic/where"
)

// A test suite elsewhere builds a fixture catalog in a few lines: open a
// catalog file, create a collection with its fields, add items.
func Example() {
	dir, err := os.MkdirTemp("", "fixture")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	cat, err := catalog.Open(ctx, filepath.Join(dir, "fixture.db"), catalog.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer cat.Close()
	scenes, err := cat.CreateCollection(ctx, catalog.NewCollection{
		Name:   "scenes",
		SRS:    "EPSG:32632",
		Fields: []catalog.Field{{Name: "CloudCover", Type: where.Real}, {Name: "AcquisitionDate", Type: where.Date}},
	})
	if err != nil {
		log.Fatal(err)
	}
	square := func(x float64) [][2]float64 { return [][2]float64{{x, 10}, {x + 10, 10}, {x + 10, 0}, {x, 0}} }
	_, err = cat.AddItems(ctx, scenes, []catalog.Item{
		{Raster: "/data/T32TMK_20200115.tif", Footprint: square(0), CellSize: 10, Attributes: map[string]any{"CloudCover": 12.5, "AcquisitionDate": "2020-01-15"}},
		{Raster: "/data/T32TMK_20200120.tif", Footprint: square(10), CellSize: 10, Attributes: map[string]any{"CloudCover": 80.0, "AcquisitionDate": "2020-01-20"}},
	})
	if err != nil {
		log.Fatal(err)
	}

	clear, err := scenes.Select(catalog.Query{Where: "CloudCover < 50 AND AcquisitionDate >= date '2020-01-01'"})
	if err != nil {
		log.Fatal(err)
	}
	n, err := cat.Count(ctx, clear)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "clear scene")
	// Output: 1 clear scene
}
