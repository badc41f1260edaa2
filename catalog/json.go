package catalog

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// JSON encodes v compactly, as ArcGIS writes JSON: without encoding/json's
// HTML escaping, so that a where clause keeps its < and > and & readable.
// It is for values that cannot fail to encode (maps, structs, strings,
// numbers); one that does encodes as null.
func JSON(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return json.RawMessage("null")
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// appendJSONString appends s as a JSON string, without HTML escaping.
func appendJSONString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return append(b, JSON(s)...)
}

// appendFloat formats x as encoding/json does: plain decimals, with an
// exponent only for very small or very large magnitudes (5001000, not
// 5.001e+06), the shortest form that reads back as x.
func appendFloat(b []byte, x float64) []byte {
	if a := math.Abs(x); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	}
	return strconv.AppendFloat(b, x, 'f', -1, 64)
}
