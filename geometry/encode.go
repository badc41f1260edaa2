package geometry

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// appendNumber appends v as a JSON number that reads back as the same
// float64: the shortest representation, in plain notation within [1e-6,
// 1e21) as encoding/json writes it, else exponent notation.
func appendNumber(dst []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(dst, "null"...) // never produced from parsed input
	}
	abs := math.Abs(v)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(dst, v, 'e', -1, 64)
	}
	return strconv.AppendFloat(dst, v, 'f', -1, 64)
}

// appendPosition appends [x,y].
func appendPosition(dst []byte, p [2]float64) []byte {
	dst = append(dst, '[')
	dst = appendNumber(dst, p[0])
	dst = append(dst, ',')
	dst = appendNumber(dst, p[1])
	return append(dst, ']')
}

// appendRing appends ring r as a JSON array of positions, closed, running
// as want says (-1 clockwise, +1 counter-clockwise): reversed in place of
// writing when it runs the other way, so that no copy is made.
func appendRing(dst []byte, r [][2]float64, want int) []byte {
	n := ringLen(r)
	if n == 0 {
		return append(dst, "[]"...)
	}
	rev := ringOrientation(r) == -want
	dst = append(dst, '[')
	for i := 0; i <= n; i++ {
		k := i % n
		if rev && k != 0 {
			k = n - k
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendPosition(dst, r[k])
	}
	return append(dst, ']')
}

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
