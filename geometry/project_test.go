package geometry

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

const earthRadius = 6378137.0

// polar is a north polar stereographic projection on a sphere, written
// out here so that the test needs no projection library: parallels become
// circles around the pole, so the edges of a longitude/latitude footprint
// become arcs.
func polar(lon, lat float64) (float64, float64, error) {
	if lat <= -90 || lat > 90 {
		return 0, 0, errors.New("latitude out of range")
	}
	r := 2 * earthRadius * math.Tan((90-lat)*math.Pi/360)
	l := lon * math.Pi / 180
	return r * math.Sin(l), -r * math.Cos(l), nil
}

// mercator is the spherical Mercator projection: meridians and parallels
// stay straight, but a diagonal edge becomes a curve.
func mercator(lon, lat float64) (float64, float64, error) {
	if math.Abs(lat) >= 90 {
		return 0, 0, errors.New("latitude out of range")
	}
	return earthRadius * lon * math.Pi / 180, earthRadius * math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)), nil
}

// deviation returns the largest distance from the exact image of ring's
// edges (sampled at 1001 points each) to polyline out.
func deviation(t *testing.T, ring [][2]float64, f Transform, out [][2]float64) float64 {
	t.Helper()
	n := ringLen(ring)
	m := ringLen(out)
	worst := 0.0
	for i := 0; i < n; i++ {
		p, q := ring[i], ring[(i+1)%n]
		for k := 0; k <= 1000; k++ {
			s := float64(k) / 1000
			x, y, err := f(p[0]+s*(q[0]-p[0]), p[1]+s*(q[1]-p[1]))
			if err != nil {
				t.Fatal(err)
			}
			best := math.Inf(1)
			for j := 0; j < m; j++ {
				best = min(best, distToSegment([2]float64{x, y}, out[j], out[(j+1)%m]))
			}
			worst = max(worst, best)
		}
	}
	return worst
}

func TestProjectRing(t *testing.T) {
	for _, tt := range []struct {
		name string
		ring [][2]float64
		f    Transform
		tol  float64
	}{
		{"polar, open ring, 30 m pixels", [][2]float64{{-10, 60}, {10, 60}, {10, 70}, {-10, 70}}, polar, 15},
		{"polar, closed ring, 10 m pixels", [][2]float64{{-30, 50}, {-30, 75}, {40, 75}, {40, 50}, {-30, 50}}, polar, 5},
		{"polar, small tile, 0.5 m pixels", [][2]float64{{5, 65}, {5.5, 65}, {5.5, 65.5}, {5, 65.5}}, polar, 0.25},
		{"mercator, diagonal edges", [][2]float64{{0, 0}, {20, 60}, {40, 0}}, mercator, 50},
		{"mercator, rotated quadrilateral", [][2]float64{{-3, 50}, {2, 53}, {5, 48}, {0, 45}, {-3, 50}}, mercator, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ProjectRing(tt.ring, tt.f, tt.tol)
			if err != nil {
				t.Fatal(err)
			}
			if d := deviation(t, tt.ring, tt.f, out); d >= tt.tol {
				t.Errorf("the projected ring strays %g from the projected edges, tolerance %g", d, tt.tol)
			}
			if closedIn, closedOut := tt.ring[0] == tt.ring[len(tt.ring)-1], out[0] == out[len(out)-1]; closedIn != closedOut {
				t.Errorf("input closed %v, output closed %v", closedIn, closedOut)
			}
			if x, y, _ := tt.f(tt.ring[0][0], tt.ring[0][1]); out[0] != [2]float64{x, y} {
				t.Errorf("the ring starts at %v, not at the projected first vertex (%v, %v)", out[0], x, y)
			}
			if len(out) <= len(tt.ring) {
				t.Errorf("no vertex was added: %d in, %d out", len(tt.ring), len(out))
			}
			t.Logf("%d vertices in, %d out", len(tt.ring), len(out))
		})
	}
}

func TestProjectRingAffineAddsNothing(t *testing.T) {
	affine := func(x, y float64) (float64, float64, error) { return 2*x + y + 5, x - 3*y, nil }
	ring := [][2]float64{{0, 0}, {10, 0}, {10, 10}, {0, 10}}
	out, err := ProjectRing(ring, affine, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 4 {
		t.Errorf("an affine transform gained vertices: %v", out)
	}
}

func TestProjectRingErrors(t *testing.T) {
	ring := [][2]float64{{-1, 0}, {1, 0}, {1, 1}, {-1, 1}}
	errOut := errors.New("outside the projection's domain")
	for _, tt := range []struct {
		name string
		ring [][2]float64
		f    Transform
		tol  float64
		is   error
	}{
		{"ErrTolerance", ring, polar, 0, nil},
		{"ErrToleranceNaN", ring, polar, math.NaN(), nil},
		{"ErrTransform", ring, func(x, y float64) (float64, float64, error) {
			if x > 0.5 {
				return 0, 0, errOut
			}
			return x, y, nil
		}, 1, errOut},
		{"ErrNotFinite", ring, func(x, y float64) (float64, float64, error) { return 1 / x, y, nil }, 1, nil},
		{"ErrCliff", ring, func(x, y float64) (float64, float64, error) {
			if x > 0 {
				y += 1000
			}
			return x, y, nil
		}, 1, ErrDensify},
		{"ErrAntimeridian", [][2]float64{{179, 0}, {181, 0}, {181, 1}, {179, 1}}, func(x, y float64) (float64, float64, error) {
			return math.Mod(x+180, 360) - 180, y, nil // to longitudes in [-180, 180)
		}, 0.01, ErrDensify},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ProjectRing(tt.ring, tt.f, tt.tol)
			if err == nil {
				t.Fatalf("got %v, want an error", out)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
		})
	}
}

func TestProjectEnvelope(t *testing.T) {
	e := Envelope{-40, 55, 40, 80}
	got, err := ProjectEnvelope(e, polar, 10)
	if err != nil {
		t.Fatal(err)
	}
	// The exact extent, sampled densely along the boundary: the parallel
	// at 55° bulges south of its corners.
	want := emptyEnvelope()
	ring := [][2]float64{{e.XMin, e.YMin}, {e.XMin, e.YMax}, {e.XMax, e.YMax}, {e.XMax, e.YMin}}
	for i := range ring {
		p, q := ring[i], ring[(i+1)%4]
		for k := 0; k <= 100000; k++ {
			s := float64(k) / 100000
			x, y, _ := polar(p[0]+s*(q[0]-p[0]), p[1]+s*(q[1]-p[1]))
			want = want.extend(x, y)
		}
	}
	for _, d := range [...]float64{got.XMin - want.XMin, got.YMin - want.YMin, got.XMax - want.XMax, got.YMax - want.YMax} {
		if math.Abs(d) >= 10 {
			t.Fatalf("ProjectEnvelope = %+v, exact extent %+v", got, want)
		}
	}
	corners, _ := ProjectRing(ring, func(x, y float64) (float64, float64, error) { return polar(x, y) }, 1e12)
	if b := ringBounds(corners); want.YMin > b.YMin-1000 {
		t.Fatalf("the corners alone (%+v) were expected to miss the bulge (%+v): the test lost its point", b, want)
	}
}

func TestProjectPolygonNormalizes(t *testing.T) {
	flipY := func(x, y float64) (float64, float64, error) { return x, -y, nil } // a y-down grid
	got, err := ProjectPolygon(Polygon{square, hole}, flipY, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ringOrientation(got[0]) != -1 || ringOrientation(got[1]) != 1 {
		t.Errorf("mirrored polygon not normalized: %v", got)
	}
	if got.Area() != 96 {
		t.Errorf("Area = %v, want 96", got.Area())
	}
}

// TestDensifyProjectedIsProjectRing: given the vertices' images, the
// result is ProjectRing's, with none of them projected again.
func TestDensifyProjectedIsProjectRing(t *testing.T) {
	ring := [][2]float64{{-40, 70}, {40, 70}, {40, 20}, {-40, 20}, {-40, 70}}
	calls := 0
	f := func(x, y float64) (float64, float64, error) {
		calls++
		return mercator(x, y)
	}
	want, err := ProjectRing(ring, mercator, 1000)
	if err != nil {
		t.Fatal(err)
	}
	projected := make([][2]float64, len(ring))
	for i, p := range ring {
		projected[i][0], projected[i][1], _ = mercator(p[0], p[1])
	}
	got, err := DensifyProjected(ring, projected, f, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DensifyProjected differs from ProjectRing:\n%v\n%v", got, want)
	}
	if calls >= len(got)*3 || calls == 0 {
		t.Errorf("%d projections for %d vertices", calls, len(got))
	}
	if _, err := DensifyProjected(ring, projected[:2], f, 1000); err == nil {
		t.Errorf("a short projected slice was accepted")
	}
}
