package geometry

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonReader reads one JSON text (RFC 8259) strictly and in place, so that
// the Esri and GeoJSON parsers can decode straight into geometries and say
// where each problem is. encoding/json cannot serve: it keeps the last of
// duplicate keys (the hardening issue requires refusing them, since two
// readers of {"xmin":1,"xmin":2} may disagree), and its errors do not name
// the offending key.
type jsonReader struct {
	input string // what the text is, for errors ("geometry", "GeoJSON")
	s     string
	i     int
	depth int
	path  []pathElem
	// vertices and ringCount count the positions and rings read so far
	// against MaxVertices and MaxRings.
	vertices, ringCount int
}

type pathElem struct {
	key   string
	index int // -1 for a key
}

func newJSONReader(input, s string) *jsonReader {
	return &jsonReader{input: input, s: s}
}

// errAt returns a ParseError at byte off, located at the current path.
func (r *jsonReader) errAt(off int, format string, args ...any) *ParseError {
	return &ParseError{Input: r.input, Path: r.pathString(), Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (r *jsonReader) pathString() string {
	var b strings.Builder
	for _, e := range r.path {
		if e.index >= 0 {
			fmt.Fprintf(&b, "[%d]", e.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.key)
	}
	return b.String()
}

func (r *jsonReader) ws() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next significant byte, 0 at the end.
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

// end checks that nothing but blanks follows the value just read.
func (r *jsonReader) end() error {
	if r.peek() != 0 {
		return r.errAt(r.i, "unexpected %s after the JSON value", r.describe())
	}
	return nil
}

// describe names the next token for error messages.
func (r *jsonReader) describe() string {
	if r.i >= len(r.s) {
		return "end of input"
	}
	c := r.s[r.i]
	switch {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == '-' || c >= '0' && c <= '9':
		return "number"
	case strings.HasPrefix(r.s[r.i:], "true"), strings.HasPrefix(r.s[r.i:], "false"):
		return "boolean"
	case strings.HasPrefix(r.s[r.i:], "null"):
		return "null"
	case c < 0x20 || c >= 0x7f:
		return fmt.Sprintf("byte %#02x", c)
	}
	return fmt.Sprintf("%q", c)
}

func (r *jsonReader) enter() error {
	r.depth++
	if r.depth > MaxDepth {
		return r.errAt(r.i, "nested deeper than %d levels", MaxDepth)
	}
	return nil
}

// object reads an object, calling fn for each member with the reader
// positioned at its value; fn must read (or skip) the value. Duplicate keys
// are refused: compared exactly, after unescaping, so that "xmin" and
// "\u0078min" are the same key and "xmin" and "XMin" are not.
func (r *jsonReader) object(fn func(key string, keyOff int) error) error {
	if r.peek() != '{' {
		return r.errAt(r.i, "expected an object, found %s", r.describe())
	}
	if err := r.enter(); err != nil {
		return err
	}
	r.i++
	var seen []string
	var seenSet map[string]bool
	if r.peek() == '}' {
		r.i++
		r.depth--
		return nil
	}
	for {
		if r.peek() != '"' {
			return r.errAt(r.i, "expected a member name, found %s", r.describe())
		}
		keyOff := r.i
		key, err := r.str()
		if err != nil {
			return err
		}
		dup := false
		if seenSet != nil {
			dup = seenSet[key]
			seenSet[key] = true
		} else {
			for _, k := range seen {
				dup = dup || k == key
			}
			seen = append(seen, key)
			if len(seen) > 16 {
				seenSet = make(map[string]bool, 2*len(seen))
				for _, k := range seen {
					seenSet[k] = true
				}
			}
		}
		if dup {
			return r.errAt(keyOff, "duplicate key %q", key)
		}
		if r.peek() != ':' {
			return r.errAt(r.i, "expected ':' after member name %q, found %s", key, r.describe())
		}
		r.i++
		r.path = append(r.path, pathElem{key: key, index: -1})
		if r.peek() == 0 {
			return r.errAt(r.i, "unexpected end of input")
		}
		if err := fn(key, keyOff); err != nil {
			return err
		}
		r.path = r.path[:len(r.path)-1]
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			r.depth--
			return nil
		default:
			return r.errAt(r.i, "expected ',' or '}' after object member, found %s", r.describe())
		}
	}
}

// array reads an array, calling fn for each element with the reader
// positioned at it; fn must read (or skip) the element.
func (r *jsonReader) array(fn func(i int) error) error {
	if r.peek() != '[' {
		return r.errAt(r.i, "expected an array, found %s", r.describe())
	}
	if err := r.enter(); err != nil {
		return err
	}
	r.i++
	if r.peek() == ']' {
		r.i++
		r.depth--
		return nil
	}
	for n := 0; ; n++ {
		r.path = append(r.path, pathElem{index: n})
		if r.peek() == 0 {
			return r.errAt(r.i, "unexpected end of input")
		}
		if err := fn(n); err != nil {
			return err
		}
		r.path = r.path[:len(r.path)-1]
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			r.depth--
			return nil
		default:
			return r.errAt(r.i, "expected ',' or ']' after array element, found %s", r.describe())
		}
	}
}

// number reads a JSON number that is finite, and within ±MaxCoordinate when
// coord is set.
func (r *jsonReader) number(coord bool) (float64, error) {
	r.ws()
	start := r.i
	end := scanNumber(r.s, start)
	if end < 0 {
		return 0, r.errAt(start, "expected a number, found %s", r.describe())
	}
	v, err := strconv.ParseFloat(r.s[start:end], 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, r.errAt(start, "number %s is out of range", r.s[start:end])
	}
	if coord && math.Abs(v) > MaxCoordinate {
		return 0, r.errAt(start, "coordinate %s is beyond ±%g", r.s[start:end], MaxCoordinate)
	}
	r.i = end
	return v, nil
}

// integer reads a JSON number that is a whole number in int32 range (a
// spatial reference id).
func (r *jsonReader) integer() (int, error) {
	r.ws()
	start := r.i
	v, err := r.number(false)
	if err != nil {
		return 0, err
	}
	if v != math.Trunc(v) || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, r.errAt(start, "expected a whole number, found %s", r.s[start:r.i])
	}
	return int(v), nil
}

// scanNumber returns the end of the JSON number starting at s[i], or -1 if
// none starts there.
func scanNumber(s string, i int) int {
	digits := func(i int) int {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return j
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(i)
	default:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

// str reads a string and returns it unescaped.
func (r *jsonReader) str() (string, error) {
	if r.peek() != '"' {
		return "", r.errAt(r.i, "expected a string, found %s", r.describe())
	}
	start := r.i
	r.i++
	// Fast path: no escapes.
	j := r.i
	for j < len(r.s) && r.s[j] != '"' && r.s[j] != '\\' && r.s[j] >= 0x20 && r.s[j] < utf8.RuneSelf {
		j++
	}
	if j < len(r.s) && r.s[j] == '"' {
		v := r.s[r.i:j]
		r.i = j + 1
		return v, nil
	}
	var b strings.Builder
	b.WriteString(r.s[r.i:j])
	r.i = j
	for {
		if r.i >= len(r.s) {
			return "", r.errAt(start, "unterminated string")
		}
		c := r.s[r.i]
		switch {
		case c == '"':
			r.i++
			return b.String(), nil
		case c < 0x20:
			return "", r.errAt(r.i, "control character %#02x in string", c)
		case c == '\\':
			if r.i+1 >= len(r.s) {
				return "", r.errAt(start, "unterminated string")
			}
			e := r.s[r.i+1]
			r.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				u, ok := hex4(r.s, r.i)
				if !ok {
					return "", r.errAt(r.i-2, `invalid \u escape`)
				}
				r.i += 4
				ru := rune(u)
				if utf16.IsSurrogate(ru) {
					if lo, ok := hex4(r.s, r.i+2); ok && strings.HasPrefix(r.s[r.i:], `\u`) {
						if dec := utf16.DecodeRune(ru, rune(lo)); dec != utf8.RuneError {
							r.i += 6
							ru = dec
						} else {
							ru = utf8.RuneError
						}
					} else {
						ru = utf8.RuneError
					}
				}
				b.WriteRune(ru)
			default:
				return "", r.errAt(r.i-2, "invalid escape \\%c in string", e)
			}
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			r.i++
		default:
			ru, size := utf8.DecodeRuneInString(r.s[r.i:])
			if ru == utf8.RuneError && size == 1 {
				return "", r.errAt(r.i, "invalid UTF-8 in string")
			}
			b.WriteString(r.s[r.i : r.i+size])
			r.i += size
		}
	}
}

func hex4(s string, i int) (uint16, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i:i+4], 16, 16)
	return uint16(v), err == nil
}

// literal reads true, false or null.
func (r *jsonReader) literal(word string) bool {
	r.ws()
	if strings.HasPrefix(r.s[r.i:], word) {
		r.i += len(word)
		return true
	}
	return false
}

// boolean reads true or false.
func (r *jsonReader) boolean() (bool, error) {
	switch {
	case r.literal("true"):
		return true, nil
	case r.literal("false"):
		return false, nil
	}
	return false, r.errAt(r.i, "expected true or false, found %s", r.describe())
}

// skip reads any value and drops it, still refusing what the rest of the
// reader refuses (duplicate keys, bad syntax, excessive nesting).
func (r *jsonReader) skip() error {
	switch c := r.peek(); {
	case c == '{':
		return r.object(func(string, int) error { return r.skip() })
	case c == '[':
		return r.array(func(int) error { return r.skip() })
	case c == '"':
		_, err := r.str()
		return err
	case c == '-' || c >= '0' && c <= '9':
		_, err := r.number(false)
		return err
	case r.literal("true"), r.literal("false"), r.literal("null"):
		return nil
	}
	return r.errAt(r.i, "expected a JSON value, found %s", r.describe())
}

// position reads [x, y], [x, y, z] or [x, y, z, m], keeping x and y, and
// counts it against MaxVertices.
func (r *jsonReader) position() ([2]float64, error) {
	var p [2]float64
	start := r.i
	n := 0
	err := r.array(func(i int) error {
		if i >= 4 {
			return r.errAt(r.i, "a position has at most 4 numbers (x, y, z, m)")
		}
		v, err := r.number(i < 2)
		if i < 2 {
			p[i] = v
		}
		n++
		return err
	})
	if err != nil {
		return p, err
	}
	if n < 2 {
		return p, r.errAt(start, "a position needs at least 2 numbers (x, y), found %d", n)
	}
	r.vertices++
	if r.vertices > MaxVertices {
		return p, r.errAt(start, "more than %d vertices", MaxVertices)
	}
	return p, nil
}

// positions reads an array of positions.
func (r *jsonReader) positions() ([][2]float64, error) {
	var ps [][2]float64
	err := r.array(func(int) error {
		p, err := r.position()
		ps = append(ps, p)
		return err
	})
	return ps, err
}
