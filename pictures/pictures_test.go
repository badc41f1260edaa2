package pictures

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"mosaic/catalog"
	"mosaic/geometry"
	"mosaic/internal/testutil"
)

// TestListingSpatial: a listing of a spatial selection counts the items
// selected, outlines the query geometry placed in the collection's
// reference, and leaves the outline out for a point.
func TestListingSpatial(t *testing.T) {
	ctx := context.Background()
	cat := testutil.OpenCatalog(t, catalog.Options{Now: testutil.FixedNow})
	coll := testutil.Scenes(t, cat, "scenes", 12) // item i covers x 10i…10i+10, y 0…10 in EPSG:32632
	for _, c := range []struct {
		name    string
		spatial *catalog.Spatial
		items   int
		outline bool
	}{
		{"none", nil, 12, false},
		{"envelope", &catalog.Spatial{Geometry: geometry.Envelope{XMin: 25, YMin: 0, XMax: 45, YMax: 10}}, 3, true},
		// The same envelope in degrees: UTM 32N's x of 500000 m is 9°E.
		{"envelope in 4326", &catalog.Spatial{Geometry: geometry.Envelope{XMin: 4.5112, YMin: 0, XMax: 4.5114, YMax: 0.00009}, SRS: "EPSG:4326"}, -1, true},
		{"point", &catalog.Spatial{Geometry: geometry.Point{X: 55, Y: 5}, Rel: geometry.RelWithin}, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var svg bytes.Buffer
			if err := Listing(ctx, cat, coll, catalog.Query{Spatial: c.spatial}, &svg, Options{}); err != nil {
				t.Fatal(err)
			}
			out := svg.String()
			if c.items >= 0 && !strings.Contains(out, "Footprints: "+itemsText(c.items)) {
				t.Errorf("legend does not count %d items:\n%s", c.items, legend(out))
			}
			if got := strings.Contains(out, "Query geometry"); got != c.outline {
				t.Errorf("query outline drawn: %v, want %v", got, c.outline)
			}
		})
	}
	_, err := coll.PlaceGeometry(&catalog.Spatial{Geometry: geometry.Point{X: 1, Y: 1}, SRS: "EPSG:31467"})
	if err == nil || catalog.ErrorParam(err) != "inSR" {
		t.Errorf("a geometry in an unsupported reference: %v, want an inSR error", err)
	}
}

func itemsText(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

func legend(svg string) string {
	return strings.Join(regexp.MustCompile(`<text[^>]*>[^<]*</text>`).FindAllString(svg, -1), "\n")
}
