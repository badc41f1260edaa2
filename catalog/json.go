package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"mosaic/internal/textutil"
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

// CheckJSONKeys reports a key that appears twice in an object of the JSON
// text data, at any depth: encoding/json keeps the last, so that
// {"itemId": A, "itemId": B} would silently mean B. With foldCase, keys that
// differ only in the case of ASCII letters count as the same key, as they
// do for field names and for encoding/json's matching of struct fields.
// Text that is not JSON passes: decoding it reports that.
func CheckJSONKeys(data []byte, foldCase bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type object struct {
		keys   map[string]string
		wasKey bool // the last token was a key: the next is its value
	}
	var stack []*object
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or not JSON: the caller's decoding says which
		}
		var top *object
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		expectKey := top != nil && !top.wasKey
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &object{keys: map[string]string{}})
			case '[':
				stack = append(stack, nil)
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
			if t == '{' || t == '[' {
				if top != nil {
					top.wasKey = false
				}
				continue
			}
			if len(stack) > 0 && stack[len(stack)-1] != nil {
				stack[len(stack)-1].wasKey = false
			}
			continue
		case string:
			if expectKey {
				k := t
				if foldCase {
					k = textutil.ToLower(t)
				}
				if first, dup := top.keys[k]; dup {
					if first == t {
						return fmt.Errorf("key %s appears twice", textutil.Quote(t))
					}
					return fmt.Errorf("keys %s and %s differ only in case", textutil.Quote(first), textutil.Quote(t))
				}
				top.keys[k] = t
				top.wasKey = true
				continue
			}
		}
		if top != nil {
			top.wasKey = false
		}
	}
}
