package textutil

import (
	"strings"
	"testing"
)

func TestEqualFold(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"CloudCover", "cloudcover", true},
		{"OBJECTID", "objectid", true},
		{"select", "SELECT", true},
		{"ſelect", "select", false}, // U+017F LATIN SMALL LETTER LONG S
		{"Kelvin", "\u212aelvin", false},
		{"ınt", "INT", false}, // U+0131 dotless i
		{"a", "ab", false},
		{"Zürich", "ZÜRICH", false}, // only ASCII letters fold
		{"Zürich", "zürich", true},
	}
	for _, c := range cases {
		if got := EqualFold(c.a, c.b); got != c.want {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if got := ToUpper("ſelect ınt"); got != "ſELECT ıNT" {
		t.Errorf("ToUpper: %q", got)
	}
	if got := ToLower("ÄB\u212a"); got != "Äb\u212a" {
		t.Errorf("ToLower: %q", got)
	}
}

func TestEscape(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain /data/T32.tif", "plain /data/T32.tif"},
		{"Zürich 東京", "Zürich 東京"},
		{`C:\temp`, `C:\temp`},
		{"a\nb", `a\nb`},
		{"tab\there", `tab\there`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"\x1b]8;;http://evil\x07link\x1b]8;;\x07", `\x1b]8;;http://evil\alink\x1b]8;;\a`},
		{"csi\u009b2J", `csi\u009b2J`},
		{"abc\u202eexe.tif", `abc\u202eexe.tif`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"del\x7f", `del\x7f`},
		{"cr\rover", `cr\rover`},
	}
	for _, c := range cases {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestQuote(t *testing.T) {
	if got := Quote(`a"b\c` + "\n"); got != `"a\"b\\c\n"` {
		t.Errorf("Quote: %s", got)
	}
	long := strings.Repeat("x", 10000)
	got := Quote(long)
	if want := `"` + strings.Repeat("x", 99) + `…" (10000 bytes)`; got != want {
		t.Errorf("Quote(10000 x) = %s", got)
	}
	if got := Quote(strings.Repeat("é", 100)); got != `"`+strings.Repeat("é", 100)+`"` {
		t.Errorf("Quote(100 runes) cut: %s", got)
	}
	if got := Quote(strings.Repeat("é", 101)); !strings.HasSuffix(got, `…" (202 bytes)`) {
		t.Errorf("Quote(101 runes) = %s", got)
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt("1e17\n"); got != `1e17\n` {
		t.Errorf("Excerpt: %s", got)
	}
	if got := Excerpt(strings.Repeat("9", 1000)); got != strings.Repeat("9", 99)+"…" {
		t.Errorf("Excerpt(1000 digits) = %s", got)
	}
}
