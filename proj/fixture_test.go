package proj

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// fixture is one line of testdata/cs2cs.tsv: cs2cs took (x, y) in from to (wantX,
// wantY) in to.
type fixture struct {
	line         int
	from, to     int
	x, y         float64
	wantX, wantY float64
}

func readFixtures(tb testing.TB) []fixture {
	tb.Helper()
	f, err := os.Open("testdata/cs2cs.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []fixture
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 6 {
			tb.Fatalf("cs2cs.tsv:%d: %d columns, want 6", n, len(cols))
		}
		var v [6]float64
		for i, c := range cols {
			if v[i], err = strconv.ParseFloat(c, 64); err != nil {
				tb.Fatalf("cs2cs.tsv:%d: %v", n, err)
			}
		}
		out = append(out, fixture{n, int(v[0]), int(v[1]), v[2], v[3], v[4], v[5]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// family groups codes for the log: UTM zones of one datum and hemisphere together.
func family(code int) string {
	switch {
	case code > 32600 && code <= 32660:
		return "WGS84-UTM-N"
	case code > 32700 && code <= 32760:
		return "WGS84-UTM-S"
	case code >= 25828 && code <= 25838:
		return "ETRS89-UTM"
	case code > 26900 && code <= 26923:
		return "NAD83-UTM"
	}
	return strconv.Itoa(code)
}

// distance is how far apart two points of c are, in metres; for degrees it uses a
// local sphere, plenty for errors of millimetres.
func distance(c CRS, x1, y1, x2, y2 float64) float64 {
	if c.Code() == 3857 {
		// Longitude ±180° is x = ±πa, and PROJ writes +180° as -πa: the same point.
		return math.Hypot(math.Remainder(x1-x2, 2*math.Pi*6378137), y1-y2)
	}
	if !c.IsGeographic() {
		return math.Hypot(x1-x2, y1-y2)
	}
	const m = 6378137 * deg
	dx := math.Remainder(x1-x2, 360) * m * math.Cos(y1*deg)
	return math.Hypot(dx, (y1-y2)*m)
}

// TestFixtureCS2CS compares the package with PROJ on every line of cs2cs.tsv,
// forward (x, y → expected) and inverse (expected → x, y), and logs the largest
// error of each family. Every line is held to 1 cm, the datum-shift ones too: the
// fixtures apply the same Helmert operations as the package (see make.sh), so the
// 1 m of DatumShift is only the operation's own uncertainty.
func TestFixtureCS2CS(t *testing.T) {
	fixtures := readFixtures(t)
	groups := map[string][]fixture{}
	seen := map[int]bool{}
	for _, f := range fixtures {
		k := family(f.from) + "->" + family(f.to)
		groups[k] = append(groups[k], f)
		seen[f.from], seen[f.to] = true, true
	}
	for _, c := range Supported() {
		if !seen[c.Code()] {
			t.Errorf("cs2cs.tsv has no line for %s", c)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	const tol = 0.01
	for _, k := range keys {
		t.Run(k, func(t *testing.T) {
			var maxFwd, maxInv float64
			var worst string
			for _, f := range groups[k] {
				from, to := mustCRS(t, f.from), mustCRS(t, f.to)
				tr, err := NewTransform(from, to)
				if err != nil {
					t.Fatal(err)
				}
				gx, gy, err := tr.Forward(f.x, f.y)
				if err != nil {
					t.Errorf("cs2cs.tsv:%d: forward: %v", f.line, err)
					continue
				}
				d := distance(to, gx, gy, f.wantX, f.wantY)
				if d > maxFwd {
					maxFwd = d
					worst = fmt.Sprintf("line %d", f.line)
				}
				if d > tol {
					t.Errorf("cs2cs.tsv:%d: %s (%v, %v) -> %s = (%.9f, %.9f), PROJ (%.9f, %.9f): %.4f m",
						f.line, from, f.x, f.y, to, gx, gy, f.wantX, f.wantY, d)
				}
				ix, iy, err := tr.Inverse(f.wantX, f.wantY)
				if err != nil {
					t.Errorf("cs2cs.tsv:%d: inverse: %v", f.line, err)
					continue
				}
				d = distance(from, ix, iy, f.x, f.y)
				maxInv = max(maxInv, d)
				if d > tol {
					t.Errorf("cs2cs.tsv:%d: inverse %s (%v, %v) -> %s = (%.9f, %.9f), PROJ (%.9f, %.9f): %.4f m",
						f.line, to, f.wantX, f.wantY, from, ix, iy, f.x, f.y, d)
				}
			}
			t.Logf("%-28s %4d points, max error forward %.2e m (%s), inverse %.2e m", k, len(groups[k]), maxFwd, worst, maxInv)
		})
	}
}

func mustCRS(tb testing.TB, code int) CRS {
	tb.Helper()
	c, err := FromWKID(code)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
