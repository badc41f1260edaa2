package proj

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestWKTMatchesGDAL compares WKT() of every supported code with what GDAL writes
// (testdata/wkt1.tsv, made by make.sh with gdalsrsinfo), byte for byte.
func TestWKTMatchesGDAL(t *testing.T) {
	f, err := os.Open("testdata/wkt1.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[int]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		code, wkt, ok := strings.Cut(line, "\t")
		n, err := strconv.Atoi(code)
		if !ok || err != nil {
			t.Fatalf("wkt1.tsv: bad line %q", line)
		}
		want[n] = wkt
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, c := range Supported() {
		w, ok := want[c.Code()]
		if !ok {
			t.Errorf("%s: not in wkt1.tsv", c)
			continue
		}
		delete(want, c.Code())
		if got := c.WKT(); got != w {
			t.Errorf("%s: WKT\n got %s\nwant %s", c, got, w)
		}
		// PROJCS["name", or GEOGCS["name",
		if !strings.HasPrefix(w[4:], `CS["`+c.Name()+`",`) {
			t.Errorf("%s: Name() %q is not the WKT's name", c, c.Name())
		}
	}
	for code := range want {
		t.Errorf("wkt1.tsv has EPSG:%d, which Supported() lacks", code)
	}
}

func TestWKTOfZeroCRS(t *testing.T) {
	if got := (CRS{}).WKT(); got != "" {
		t.Errorf("zero CRS WKT = %q, want empty", got)
	}
}
