package geometry

import (
	"math"
	"testing"
)

func TestMeasures(t *testing.T) {
	lShape := Polygon{{{0, 0}, {0, 2}, {1, 2}, {1, 1}, {2, 1}, {2, 0}, {0, 0}}} // clockwise
	for _, tt := range []struct {
		name            string
		p               Polygon
		area, perimeter float64
		centroid        Point
	}{
		{"square", Polygon{square}, 100, 40, Point{5, 5}},
		{"square with hole", Polygon{square, hole}, 96, 48, Point{(100*5 - 4*3) / 96.0, (100*5 - 4*3) / 96.0}},
		{"open counter-clockwise ring", Polygon{{{0, 0}, {10, 0}, {10, 20}, {0, 20}}}, 200, 60, Point{5, 10}},
		{"L shape", lShape, 3, 8, Point{5.0 / 6, 5.0 / 6}},
		{"two parts", Polygon{square, rect(20, 0, 30, 10)}, 200, 80, Point{15, 5}},
		{"projected coordinates", Polygon{rect(500000, 4e6, 500010, 4e6+20)}, 200, 60, Point{500005, 4e6 + 10}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Area(); math.Abs(got-tt.area) > 1e-9 {
				t.Errorf("Area = %v, want %v", got, tt.area)
			}
			if got := tt.p.Perimeter(); math.Abs(got-tt.perimeter) > 1e-9 {
				t.Errorf("Perimeter = %v, want %v", got, tt.perimeter)
			}
			if got := tt.p.Centroid(); math.Abs(got.X-tt.centroid.X) > 1e-9 || math.Abs(got.Y-tt.centroid.Y) > 1e-9 {
				t.Errorf("Centroid = %v, want %v", got, tt.centroid)
			}
		})
	}
	// The extent's center differs from the centroid for an L shape.
	if got := lShape.Bounds().Center(); got != (Point{1, 1}) {
		t.Errorf("Bounds().Center() = %v", got)
	}
	if got := (Polygon{{{1, 1}, {2, 2}, {3, 3}}}).Centroid(); got != (Point{2, 2}) {
		t.Errorf("the centroid of a polygon of no area is %v, want the mean of its vertices", got)
	}
}
