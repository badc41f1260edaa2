package svgmap

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The six items of the listing fixture, in UTM zone 32N metres: three
// overlapping tiles, a turned one, one with a hole and one of 10 m (a dot).
func utmItems() [][][][2]float64 {
	return [][][][2]float64{
		{rect(400000, 4500000, 410000, 4510000)},
		{rect(408000, 4500000, 418000, 4510000)},
		{rect(416000, 4500000, 426000, 4510000)},
		{square(405000, 4516000, 9000, 0.15, false)},
		{rect(412000, 4512000, 424000, 4520000), rect(415000, 4514000, 420000, 4518000)},
		{rect(426500, 4519500, 426510, 4519510)},
	}
}

var utmBoundary = [][][2]float64{{
	{400000, 4500000}, {426000, 4500000}, {426510, 4519510}, {424000, 4520000},
	{405000, 4521500}, {399000, 4516000}, {400000, 4500000},
}}

var utmExtent = Envelope{399000, 4500000, 426510, 4521500}

func TestGoldenListing(t *testing.T) {
	m := New(Options{Extent: utmExtent, SRS: "EPSG:32632", Units: Metre, Title: "scenes: 6 items", IDPrefix: "listing-"})
	m.AddBoundary("Collection boundary", utmBoundary, After)
	for _, rings := range utmItems() {
		m.Add(Item, rings)
	}
	golden(t, "listing.svg", render(t, m))
}

func TestGoldenDryRun(t *testing.T) {
	m := New(Options{Extent: utmExtent, SRS: "EPSG:32632", Units: Metre, IDPrefix: "dryrun-",
		Title:  `Dry run: delete-image -i scenes --where "CloudCover > 50"`,
		Labels: map[Class]string{Removed: "To be removed"}, Classes: []Class{Kept, Removed}})
	m.AddBoundary("Boundary before", utmBoundary, Before)
	m.AddBoundary("Boundary after", [][][2]float64{{
		{400000, 4500000}, {410000, 4500000}, {426000, 4500000}, {426000, 4510000},
		{424000, 4520000}, {405000, 4521500}, {399000, 4516000}, {400000, 4500000},
	}}, After)
	for i, rings := range utmItems() {
		c := Kept
		if i == 1 || i == 4 || i == 5 {
			c = Removed
		}
		m.Add(c, rings)
	}
	golden(t, "dryrun.svg", render(t, m))
}

// TestGoldenDegrees draws items in lon/lat at 60° N: a degree of longitude
// is drawn half as wide as one of latitude, and the scale bar is in km.
func TestGoldenDegrees(t *testing.T) {
	m := New(Options{Extent: Envelope{4.5, 58.8, 11.5, 61.2}, SRS: "EPSG:4326", Units: Degree, Title: "scenes_wgs84", Inline: true, IDPrefix: "geo"})
	m.AddBoundary("Collection boundary", [][][2]float64{rect(5, 59, 11, 61)}, After)
	for i := range 6 {
		lon, lat := 5+float64(i%3)*2, 59+float64(i/3)
		m.Add(Item, [][][2]float64{rect(lon, lat, lon+2, lat+1)})
	}
	svg := render(t, m)
	if bytes.HasPrefix(svg, []byte("<?xml")) {
		t.Error("inline SVG starts with an XML prolog")
	}
	golden(t, "degrees.svg", svg)
}

func TestGoldenEmpty(t *testing.T) {
	m := New(Options{Extent: utmExtent, SRS: "EPSG:32632", Units: Metre, Title: "scenes: no items"})
	svg := render(t, m)
	if !bytes.Contains(svg, []byte(">No items</text>")) {
		t.Error(`an empty map does not say "No items"`)
	}
	golden(t, "empty.svg", svg)
}

// TestGoldenDensity draws 400 items of 300 m over a threshold of 100, on a
// narrow map (the scale bar under the legend): kept ones scattered, a
// cluster of removed ones, and kept ones among them.
func TestGoldenDensity(t *testing.T) {
	m := New(Options{Extent: Envelope{500000, 5000000, 560000, 5040000}, SRS: "EPSG:32633", Units: Metre,
		Title: "Dry run, density grid", MaxPolygons: 100, IDPrefix: "dense-", Width: 600})
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 400 {
		c, x, y := Kept, 500000+rng.Float64()*60000, 5000000+rng.Float64()*40000
		if i%4 != 0 {
			x, y = 540000+rng.NormFloat64()*4000, 5025000+rng.NormFloat64()*3000
			if i%8 != 1 {
				c = Removed
			}
		}
		m.Add(c, [][][2]float64{square(x, y, 300, rng.Float64(), true)})
	}
	m.AddBoundary("Boundary before", [][][2]float64{rect(500000, 5000000, 560000, 5040000)}, Before)
	if !m.Dense() {
		t.Fatal("400 items over a threshold of 100 are not a density grid")
	}
	golden(t, "density.svg", render(t, m))
}

// TestThresholdRebins checks that crossing the threshold re-bins what was
// drawn as polygons into exactly the grid that binning from the start
// gives.
func TestThresholdRebins(t *testing.T) {
	var out [2][]byte
	for i, max := range []int{150, -1} {
		ti := newTiles(400)
		m := New(Options{Extent: ti.extent(), SRS: "EPSG:32633", Units: Metre, MaxPolygons: max})
		ti.feed(m)
		out[i] = render(t, m)
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Error("the grid after crossing the threshold differs from the grid from the start")
	}
	ti := newTiles(400)
	m := New(Options{Extent: ti.extent(), MaxPolygons: 400})
	ti.feed(m)
	if m.Dense() {
		t.Error("400 items at a threshold of 400 are drawn as a grid")
	}
}

// TestNoExtent fits the map to what was added, below and above the
// threshold.
func TestNoExtent(t *testing.T) {
	m := New(Options{SRS: "EPSG:32632", Units: Metre})
	for _, rings := range utmItems() {
		m.Add(Kept, rings)
	}
	fitted := render(t, m)
	var b bounds
	for _, rings := range utmItems() {
		for _, p := range rings[0] {
			b.add(p[0], p[1])
		}
	}
	e, _ := b.envelope()
	m = New(Options{Extent: e, SRS: "EPSG:32632", Units: Metre})
	for _, rings := range utmItems() {
		m.Add(Kept, rings)
	}
	if given := render(t, m); !bytes.Equal(fitted, given) {
		t.Error("the fitted map differs from the map with the items' envelope given")
	}

	ti := newTiles(400)
	m = New(Options{MaxPolygons: 100})
	ti.feed(m)
	if !m.Dense() {
		t.Fatal("no grid past the threshold without an extent")
	}
	svg := render(t, m)
	if !bytes.Contains(svg, []byte("outside the map")) {
		t.Error("items past the extent found from the first 100 are not reported")
	}
}

func TestText(t *testing.T) {
	m := New(Options{
		Title:  "<script>alert('x')</script> & \"q\"\x00\x1b\u202e\tend\u0085",
		SRS:    "EPSG:<1>",
		Units:  "furlong & co",
		Labels: map[Class]string{Kept: "kept\r\n<b>"},
	})
	m.AddBoundary("a</text><script>", [][][2]float64{rect(0, 0, 10, 10)}, Before)
	m.Add(Kept, [][][2]float64{rect(1, 1, 2, 2)})
	svg := string(render(t, m)) // no <script>, no "javascript:"… checked there
	for _, want := range []string{
		"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; end<",
		"EPSG:&lt;1&gt;", "kept &lt;b&gt;: 1 item", "a&lt;/text&gt;&lt;script&gt;", " furlong &amp; co<",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("no %q in\n%s", want, svg)
		}
	}
	for _, r := range svg {
		if r < 0x20 && r != '\n' || r == 0x202e || r == 0x85 {
			t.Errorf("character %U in the output", r)
		}
	}
	long := New(Options{Title: strings.Repeat("long ", 100)})
	svg = string(render(t, long))
	if i := strings.Index(svg, "…</text>"); i < 0 || strings.Count(svg[strings.LastIndex(svg[:i], ">"):i], "long") > 18 {
		t.Error("a long title is not cut to fit the width")
	}
}

// TestDegenerate feeds extents and coordinates that could divide by zero
// or print NaN; render checks there is none.
func TestDegenerate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name  string
		e     Envelope
		rings [][][2]float64
	}{
		{"PointExtent", Envelope{5, 5, 5, 5}, [][][2]float64{{{5, 5}}}},
		{"ZeroWidth", Envelope{5, 0, 5, 100}, [][][2]float64{rect(5, 10, 5, 20)}},
		{"ZeroHeight", Envelope{0, 5, 100, 5}, [][][2]float64{rect(10, 5, 20, 5)}},
		{"NaNExtent", Envelope{nan, 0, 1, 1}, [][][2]float64{rect(0, 0, 1, 1)}},
		{"InfExtent", Envelope{-inf, 0, inf, 1}, [][][2]float64{rect(0, 0, 1, 1)}},
		{"HugeExtent", Envelope{-math.MaxFloat64, 0, math.MaxFloat64, 1}, [][][2]float64{rect(0, 0, 1, 1)}},
		{"Inverted", Envelope{10, 10, 0, 0}, [][][2]float64{rect(0, 0, 1, 1)}},
		{"NonFinitePoints", Envelope{0, 0, 10, 10}, [][][2]float64{{{nan, 1}, {1, inf}, {2, 2}, {8, 2}, {8, 8}, {-inf, nan}}}},
		{"OnlyNonFinite", Envelope{0, 0, 10, 10}, [][][2]float64{{{nan, nan}, {inf, 0}}}},
		{"NoRings", Envelope{0, 0, 10, 10}, nil},
		{"FarAway", Envelope{0, 0, 10, 10}, [][][2]float64{rect(-1e300, -1e300, 1e300, 1e300)}},
		{"Outside", Envelope{0, 0, 10, 10}, [][][2]float64{rect(20, 20, 30, 30)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, units := range []Units{Metre, Degree, ""} {
				for _, max := range []int{0, -1} {
					m := New(Options{Extent: tc.e, Units: units, MaxPolygons: max, Title: tc.name})
					m.AddBoundary("", tc.rings, After)
					m.Add(Removed, tc.rings)
					render(t, m)
					m = New(Options{Units: units, MaxPolygons: max})
					m.Add(Item, tc.rings)
					render(t, m)
				}
			}
		})
	}
}

// TestOrientation checks that a footprint is drawn the same whichever way
// its rings turn, outer rings clockwise on screen and holes the other way,
// so that the union of a class's footprints fills without gaps.
func TestOrientation(t *testing.T) {
	d := func(outerCCW, holeCCW bool) string {
		m := New(Options{Extent: Envelope{0, 0, 100, 100}})
		m.Add(Kept, [][][2]float64{square(50, 50, 80, 0, outerCCW), square(50, 50, 20, 0, holeCCW)})
		return string(m.paths[Kept].b)
	}
	want := d(false, true)
	for _, o := range [][2]bool{{false, false}, {true, true}, {true, false}} {
		if got := d(o[0], o[1]); got != want {
			t.Errorf("outer ccw %v, hole ccw %v: %s, want %s", o[0], o[1], got, want)
		}
	}
	m := New(Options{Extent: Envelope{0, 0, 100, 100}})
	m.project([][][2]float64{square(50, 50, 80, 0, true)})
	if a := area2(m.pts[:m.ends[0]]); a >= 0 {
		t.Fatalf("a counter-clockwise ring (y up) has area %v on screen, want < 0", a)
	}
}

func TestPathNumbers(t *testing.T) {
	for _, tc := range []struct {
		v    []int64
		want string
	}{
		{[]int64{0}, "0"}, {[]int64{5}, ".5"}, {[]int64{-5}, "-.5"}, {[]int64{10, 15}, "1 1.5"},
		{[]int64{15, -15}, "1.5-1.5"}, {[]int64{1234, 5}, "123.4 .5"}, {[]int64{-10, -1}, "-1-.1"},
	} {
		var b []byte
		for _, v := range tc.v {
			b = appendNum(b, v)
		}
		if string(b) != tc.want {
			t.Errorf("%v: %q, want %q", tc.v, b, tc.want)
		}
	}
	for _, tc := range []struct {
		mant int64
		exp  int
		want string
	}{{5, 0, "5"}, {2, 3, "2,000"}, {1, -2, "0.01"}, {5, -1, "0.5"}, {20, -1, "2"}, {25, -3, "0.025"}} {
		if got := decimal(tc.mant, tc.exp); got != tc.want {
			t.Errorf("decimal(%d, %d) = %q, want %q", tc.mant, tc.exp, got, tc.want)
		}
	}
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		top  int32
		want string
	}{
		{1, "[1]"}, {4, "[1 2]"}, {40, "[1 2 5 10 20]"}, {99, "[1 2 5 10 20 50]"}, {500, "[1 3 10 30 100 300]"}, {5000, "[1 10 100 1000]"},
		{1000000, "[1 100 10000 1000000]"}, {math.MaxInt32, "[1 100 10000 1000000 100000000]"},
	} {
		if got := fmtInts(levels(tc.top)); got != tc.want {
			t.Errorf("levels(%d) = %s, want %s", tc.top, got, tc.want)
		}
	}
}

func fmtInts(v []int64) string {
	var s []string
	for _, x := range v {
		s = append(s, itoa(x))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// TestGridAddsNothing: past the threshold, memory stays flat: adding an
// item allocates nothing.
func TestGridAddsNothing(t *testing.T) {
	ti := newTiles(1000)
	m := New(Options{Extent: ti.extent(), MaxPolygons: 10})
	ti.feed(m)
	ring := [][][2]float64{rect(300000, 4000000, 301000, 4001000)}
	if a := testing.AllocsPerRun(1000, func() { m.Add(Removed, ring); m.Add(Kept, ring) }); a != 0 {
		t.Errorf("Add in a density grid allocates %v times", a)
	}
}

// TestSizes renders 20,000 and 1,000,000 items: small, and quick.
func TestSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000,000 items")
	}
	for _, tc := range []struct {
		n     int
		limit int
		dense bool
	}{{20000, 1 << 20, false}, {1000000, 2 << 20, true}} {
		ti := newTiles(tc.n)
		m := New(Options{Extent: ti.extent(), SRS: "EPSG:32632", Units: Metre, Title: "sizes"})
		ti.feed(m)
		if m.Dense() != tc.dense {
			t.Errorf("%d items: dense %v", tc.n, m.Dense())
		}
		svg := render(t, m)
		t.Logf("%d items: %d bytes", tc.n, len(svg))
		if len(svg) > tc.limit {
			t.Errorf("%d items: %d bytes, over %d", tc.n, len(svg), tc.limit)
		}
	}
}
