package geometry

import (
	"errors"
	"testing"
)

// fuzzFootprint is a footprint every accepted query geometry is matched
// against, so that the fuzzers also drive Filter on hostile geometries.
var fuzzFootprint = Polygon{{{2, 1}, {9, 3}, {8, 9}, {1, 7}}}

// exercise prepares g for every relation and matches it once: none may
// panic or refuse a geometry the parsers accepted.
func exercise(t *testing.T, g Geometry) {
	t.Helper()
	for rel := RelIntersects; rel <= RelWithin; rel++ {
		f, err := NewFilter(g, rel)
		if err != nil {
			t.Fatalf("NewFilter refused the parsed %v: %v", g, err)
		}
		f.Match(fuzzFootprint)
	}
}

func esriTypeOf(g Geometry) string {
	switch g.(type) {
	case Point:
		return typePoint
	case MultiPoint:
		return typeMultipoint
	case Envelope:
		return typeEnvelope
	}
	return typePolygon
}

// FuzzParseEsri checks that ParseEsri never panics, that it refuses only
// with a *ParseError, and that what it accepts writes back as Esri JSON
// that reads back to the same geometry and spatial reference.
func FuzzParseEsri(f *testing.F) {
	for _, tt := range esriAcceptTests {
		f.Add(tt.typ, tt.in)
	}
	for _, tt := range esriRejectTests {
		f.Add(tt.typ, tt.in)
	}
	f.Fuzz(func(t *testing.T, typ, text string) {
		g, sr, err := ParseEsri(typ, text)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseEsri(%q, %q): %v is not a *ParseError", typ, text, err)
			}
			if pe.Offset > len(text) {
				t.Fatalf("error offset %d beyond the input's %d bytes", pe.Offset, len(text))
			}
			return
		}
		out := AppendEsri(nil, g, sr)
		back, sr2, err := ParseEsri(esriTypeOf(g), string(out))
		if err != nil {
			t.Fatalf("ParseEsri(%q, %q) = %v; its encoding %s does not parse: %v", typ, text, g, out, err)
		}
		if !geometriesEqual(g, back) || sr != sr2 {
			t.Fatalf("ParseEsri(%q, %q) = %v %+v; encoded %s; read back %v %+v", typ, text, g, sr, out, back, sr2)
		}
		exercise(t, g)
	})
}

// FuzzParseGeoJSON checks that ParseGeoJSON never panics, that it refuses
// only with a *ParseError, and that what it accepts writes back as GeoJSON
// that reads back to the same geometry.
func FuzzParseGeoJSON(f *testing.F) {
	for _, tt := range geojsonAcceptTests {
		f.Add(tt.in)
	}
	for _, tt := range geojsonRejectTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, text string) {
		g, err := ParseGeoJSON(text)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseGeoJSON(%q): %v is not a *ParseError", text, err)
			}
			if pe.Offset > len(text) {
				t.Fatalf("error offset %d beyond the input's %d bytes", pe.Offset, len(text))
			}
			return
		}
		out := AppendGeoJSON(nil, g)
		back, err := ParseGeoJSON(string(out))
		if err != nil {
			t.Fatalf("ParseGeoJSON(%q) = %v; its encoding %s does not parse: %v", text, g, out, err)
		}
		if !geometriesEqual(g, back) {
			t.Fatalf("ParseGeoJSON(%q) = %v; encoded %s; read back %v", text, g, out, back)
		}
		exercise(t, g)
	})
}

// FuzzDecodeGeoPackage checks that DecodeGeoPackage never panics, that it
// refuses only with a *ParseError, and that what it accepts writes back as
// a blob that decodes to the same polygon and srs_id.
func FuzzDecodeGeoPackage(f *testing.F) {
	f.Add(AppendGeoPackage(nil, Polygon{square, hole}, 4326))
	f.Add(AppendGeoPackage(nil, Polygon{square, hole, rect(20, 0, 30, 10)}, 32632))
	f.Add(AppendGeoPackage(nil, Point{1, 2}, 0))
	f.Add([]byte("GP\x00\x01\xe6\x10\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, srs, err := DecodeGeoPackage(b)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("DecodeGeoPackage(%x): %v is not a *ParseError", b, err)
			}
			return
		}
		out := AppendGeoPackage(nil, p, srs)
		back, srs2, err := DecodeGeoPackage(out)
		if err != nil || srs != srs2 || !polygonsEqual(p, back) {
			t.Fatalf("DecodeGeoPackage(%x) = %v, %d; encoded %x; read back %v, %d, %v", b, p, srs, out, back, srs2, err)
		}
		exercise(t, p)
	})
}
