// Package textutil holds the few text rules that several rooms share and
// that must not drift apart: ASCII case folding for names (ArcGIS field,
// keyword and service names are ASCII, and Unicode folding would let ſ stand
// for s and K for k), and the escaping of text a user or a file supplied
// before it reaches a terminal or a log.
//
// It depends on nothing of mosaic's.
package textutil

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EqualFold reports whether a and b are equal under ASCII case folding:
// A–Z match a–z and every other byte matches only itself. Unlike
// strings.EqualFold, "ſelect" is not "select" and "K" (the Kelvin sign) is
// not "k".
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// ToLower maps A–Z to a–z and leaves every other byte as it is.
func ToLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

// ToUpper maps a–z to A–Z and leaves every other byte as it is.
func ToUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'a' <= b[j] && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Escape makes s safe to print on a terminal or in a one-line log entry:
// control characters (C0, DEL and C1, which include newline, tab, ESC and
// the 8-bit CSI and OSC), the Unicode characters that reorder or hide text
// (bidirectional overrides and isolates, zero-width joiners, line and
// paragraph separators) and bytes that are not UTF-8 are written as Go
// escapes (\n, \x1b, \u202e, \xff). Everything else, letters of every
// script and backslashes included, is kept: a path or a where clause reads
// as written. Text without such characters is returned unchanged.
func Escape(s string) string {
	return escape(s, false)
}

func escape(s string, quoted bool) string {
	if !needsEscape(s, quoted) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(s[i])&0xf, 16))
		case quoted && (r == '\\' || r == '"'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case unsafeRune(r):
			q := strconv.QuoteRuneToASCII(r) // '\n', '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string, quoted bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || quoted && (c == '\\' || c == '"') {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune reports whether r controls a terminal or changes how the text
// around it reads.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, 0x80 <= r && r < 0xa0: // C0, DEL, C1
		return true
	case 0x200b <= r && r <= 0x200f, // zero-width space, joiners, LRM, RLM
		0x2028 <= r && r <= 0x202e, // line and paragraph separators, bidi embeddings and overrides
		0x2066 <= r && r <= 0x2069, // bidi isolates
		r == 0xfeff:                // zero-width no-break space
		return true
	}
	return unicode.Is(unicode.Cc, r)
}

// maxQuoted is how many characters of a user's token an error quotes.
const maxQuoted = 100

// Quote returns s in double quotes, escaped as Escape does and with
// backslashes and double quotes escaped as %q writes them, and cut to its
// first 100 characters followed by "…" and its length when it is longer:
// what an error message shows of a name or value the user gave, or of a
// file's content.
func Quote(s string) string {
	cut, more := cutRunes(s, maxQuoted)
	if !more {
		return `"` + escape(s, true) + `"`
	}
	return `"` + escape(cut, true) + `…" (` + strconv.Itoa(len(s)) + " bytes)"
}

// Excerpt is s escaped as Escape does and cut to its first 100 characters
// followed by "…": what a message shows, unquoted, of a number or word it
// did not expect.
func Excerpt(s string) string {
	cut, more := cutRunes(s, maxQuoted)
	if !more {
		return Escape(s)
	}
	return Escape(cut) + "…"
}

// cutRunes returns the first max-1 characters of s and true when s has
// more than max characters, else s and false.
func cutRunes(s string, max int) (string, bool) {
	if utf8.RuneCountInString(s) <= max {
		return s, false
	}
	i := 0
	for k := 0; k < max-1; k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i], true
}
