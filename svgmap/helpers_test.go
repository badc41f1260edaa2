package svgmap

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// render writes m and checks that the result is an SVG safe to inline.
func render(tb testing.TB, m *Map) []byte {
	tb.Helper()
	var b bytes.Buffer
	n, err := m.WriteTo(&b)
	if err != nil {
		tb.Fatal(err)
	}
	if n != int64(b.Len()) {
		tb.Fatalf("WriteTo returned %d, wrote %d bytes", n, b.Len())
	}
	mustBeSafe(tb, b.Bytes(), m.prefix)
	return b.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./svgmap -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./svgmap -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

// mustBeSafe parses the whole document as XML and checks what a strict
// CSP and an HTML page need: one svg root, no script, no event handler,
// no style, no reference but to its own ids, ids unique and prefixed.
func mustBeSafe(tb testing.TB, svg []byte, prefix string) {
	tb.Helper()
	for _, bad := range []string{"<script", "javascript:", "href", "<style", "style=", "<foreignObject", "@import", "data:"} {
		if bytes.Contains(bytes.ToLower(svg), []byte(strings.ToLower(bad))) {
			tb.Errorf("the SVG contains %q", bad)
		}
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	ids := map[string]bool{}
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("not XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					tb.Errorf("root element %v", tok.Name)
				}
			}
			depth++
			for _, a := range tok.Attr {
				name := strings.ToLower(a.Name.Local)
				if strings.Contains(a.Value, "NaN") || strings.Contains(a.Value, "Inf") {
					tb.Errorf("%s=%q", a.Name.Local, a.Value)
				}
				switch {
				case strings.HasPrefix(name, "on"):
					tb.Errorf("event attribute %s", a.Name.Local)
				case name == "id":
					if !strings.HasPrefix(a.Value, prefix) || ids[a.Value] {
						tb.Errorf("id %q: not prefixed with %q, or repeated", a.Value, prefix)
					}
					ids[a.Value] = true
				case strings.Contains(a.Value, "url("):
					if a.Value != "url(#"+prefix+"hatch)" {
						tb.Errorf("reference %s=%q", a.Name.Local, a.Value)
					}
				}
			}
		case xml.EndElement:
			depth--
		case xml.ProcInst:
			if depth != 0 || tok.Target != "xml" {
				tb.Errorf("processing instruction %s", tok.Target)
			}
		case xml.Directive:
			tb.Errorf("directive <!%s>", tok)
		}
	}
	if roots != 1 {
		tb.Errorf("%d root elements", roots)
	}
}

// square returns a ring around (x, y) of side s, turned by a radians,
// counter-clockwise in y-up coordinates when ccw.
func square(x, y, s, a float64, ccw bool) [][2]float64 {
	r := make([][2]float64, 0, 5)
	for i := range 5 {
		k := i % 4
		if !ccw {
			k = (4 - k) % 4
		}
		t := a + math.Pi/4 + float64(k)*math.Pi/2
		r = append(r, [2]float64{x + s/math.Sqrt2*math.Cos(t), y + s/math.Sqrt2*math.Sin(t)})
	}
	return r
}

func rect(x0, y0, x1, y1 float64) [][2]float64 {
	return [][2]float64{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}}
}

// tiles feeds a map n synthetic footprints: a square grid of 1 km tiles,
// slightly turned and shifted, starting at (x0, y0) in metres; three
// diagonal bands of them (and one in twenty of the others) removed. It reuses one ring, as a caller
// scanning rows does. A nil m only makes them up.
type tiles struct {
	n, side int
	x0, y0  float64
	rng     *rand.Rand
	ring    [][2]float64
	rings   [][][2]float64
}

func newTiles(n int) *tiles {
	side := int(math.Ceil(math.Sqrt(float64(n))))
	return &tiles{n: n, side: side, x0: 300000, y0: 4000000,
		rng: rand.New(rand.NewPCG(1, 2)), ring: make([][2]float64, 5), rings: make([][][2]float64, 1)}
}

// extent is the envelope of all the tiles.
func (t *tiles) extent() Envelope {
	return Envelope{t.x0 - 1000, t.y0 - 1000, t.x0 + float64(t.side)*1000 + 1000, t.y0 + float64(t.side)*1000 + 1000}
}

func (t *tiles) feed(m *Map) {
	for i := range t.n {
		col, row := i%t.side, i/t.side
		cx := t.x0 + float64(col)*1000 + 500 + t.rng.Float64()*300
		cy := t.y0 + float64(row)*1000 + 500 + t.rng.Float64()*300
		a := t.rng.Float64() * 0.2
		c, s := math.Cos(a)*600, math.Sin(a)*600
		t.ring[0] = [2]float64{cx - c + s, cy - s - c}
		t.ring[1] = [2]float64{cx + c + s, cy + s - c}
		t.ring[2] = [2]float64{cx + c - s, cy + s + c}
		t.ring[3] = [2]float64{cx - c - s, cy - s + c}
		t.ring[4] = t.ring[0]
		t.rings[0] = t.ring
		class := Kept
		if (col+row)*9/(2*t.side)%3 == 1 || t.rng.IntN(20) == 0 {
			class = Removed
		}
		if m != nil {
			m.Add(class, t.rings)
		}
	}
}
