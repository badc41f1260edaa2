package svgmap

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes caller text fit for one line of the picture: invalid UTF-8
// becomes U+FFFD; control characters, bidirectional overrides and
// isolates (which could make a label read as something else) and XML's
// non-characters are dropped; runs of white space become one space; text
// longer than max runes is cut with an ellipsis.
func clean(s string, max int) string {
	var b strings.Builder
	space := false
	n := 0
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				r = '\uFFFD'
			}
		}
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r < 0x20, 0x7f <= r && r < 0xa0,
			0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069,
			0xfdd0 <= r && r <= 0xfdef, r&0xfffe == 0xfffe:
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= max {
			return cut(b.String(), max)
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// cut shortens s, of max runes or more, to max-1 runes and an ellipsis.
func cut(s string, max int) string {
	if max < 1 {
		return ""
	}
	i, n := 0, 0
	for j := range s {
		if n == max-1 {
			i = j
			break
		}
		n++
	}
	return strings.TrimRight(s[:i], " ") + "…"
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// esc escapes clean text for XML (and HTML) text and attribute values.
func esc(s string) string { return escaper.Replace(s) }

func ftoa(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
