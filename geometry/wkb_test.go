package geometry

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"math"
	"reflect"
	"testing"
)

// wkb builds WKB by hand for the tests, independently of AppendWKB.
type wkb struct {
	bytes.Buffer
	order binary.ByteOrder
}

func newWKB(order binary.ByteOrder) *wkb { return &wkb{order: order} }

func (w *wkb) header(typ uint32) *wkb {
	if w.order == binary.LittleEndian {
		w.WriteByte(1)
	} else {
		w.WriteByte(0)
	}
	return w.u32(typ)
}

func (w *wkb) u32(v uint32) *wkb {
	binary.Write(w, w.order, v)
	return w
}

func (w *wkb) f64(vs ...float64) *wkb {
	for _, v := range vs {
		binary.Write(w, w.order, math.Float64bits(v))
	}
	return w
}

func TestAppendWKB(t *testing.T) {
	// The square clockwise in, counter-clockwise out (Simple Features).
	got := AppendWKB(nil, Polygon{square})
	want := newWKB(binary.LittleEndian).header(3).u32(1).u32(5).
		f64(0, 10, 0, 0, 10, 0, 10, 10, 0, 10).Bytes()
	if !bytes.Equal(got, want) {
		t.Errorf("AppendWKB(square)\n = %s\nwant %s", hex.EncodeToString(got), hex.EncodeToString(want))
	}
	// Two outer rings: a MultiPolygon of two Polygons.
	far := [][2]float64{{20, 10}, {30, 10}, {30, 0}, {20, 0}, {20, 10}}
	got = AppendWKB(nil, Polygon{square, hole, far})
	w := newWKB(binary.LittleEndian).header(6).u32(2)
	w.header(3).u32(2).u32(5).f64(0, 10, 0, 0, 10, 0, 10, 10, 0, 10).u32(5).f64(2, 2, 2, 4, 4, 4, 4, 2, 2, 2)
	w.header(3).u32(1).u32(5).f64(20, 10, 20, 0, 30, 0, 30, 10, 20, 10)
	if !bytes.Equal(got, w.Bytes()) {
		t.Errorf("AppendWKB(multipolygon)\n = %s\nwant %s", hex.EncodeToString(got), hex.EncodeToString(w.Bytes()))
	}
	if got := AppendWKB(nil, Point{1, 2}); !bytes.Equal(got, newWKB(binary.LittleEndian).header(1).f64(1, 2).Bytes()) {
		t.Errorf("AppendWKB(point) = %x", got)
	}
}

func TestAppendGeoPackage(t *testing.T) {
	got := AppendGeoPackage(nil, Polygon{square}, 32632)
	want := append([]byte{'G', 'P', 0, 0b0000_0011}, newWKB(binary.LittleEndian).u32(32632).f64(0, 10, 0, 10).Bytes()...)
	want = append(want, AppendWKB(nil, Polygon{square})...)
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendGeoPackage\n = %x\nwant %x", got, want)
	}
	p, srs, err := DecodeGeoPackage(got)
	if err != nil || srs != 32632 || !polygonsEqual(p, Polygon{square}) {
		t.Errorf("DecodeGeoPackage = %v, %d, %v", p, srs, err)
	}
	// Appending reuses the caller's buffer: no allocation per feature.
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() { buf = AppendGeoPackage(buf[:0], Polygon{square, hole}, 4326) }); n != 0 {
		t.Errorf("AppendGeoPackage allocates %v times per call", n)
	}
}

func TestDecodeWKB(t *testing.T) {
	sq := []float64{0, 10, 10, 10, 10, 0, 0, 0, 0, 10}
	for _, tt := range []struct {
		name string
		in   []byte
		want Polygon
	}{
		{"little endian", newWKB(binary.LittleEndian).header(3).u32(1).u32(5).f64(sq...).Bytes(), Polygon{square}},
		{"big endian", newWKB(binary.BigEndian).header(3).u32(1).u32(5).f64(sq...).Bytes(), Polygon{square}},
		{"ISO Z", newWKB(binary.LittleEndian).header(1003).u32(1).u32(5).f64(0, 10, 1, 10, 10, 1, 10, 0, 1, 0, 0, 1, 0, 10, 1).Bytes(), Polygon{square}},
		{"ISO ZM", newWKB(binary.LittleEndian).header(3003).u32(1).u32(5).f64(0, 10, 1, 2, 10, 10, 1, 2, 10, 0, 1, 2, 0, 0, 1, 2, 0, 10, 1, 2).Bytes(), Polygon{square}},
		{"2.5D high bit", newWKB(binary.BigEndian).header(0x80000003).u32(1).u32(5).f64(0, 10, 1, 10, 10, 1, 10, 0, 1, 0, 0, 1, 0, 10, 1).Bytes(), Polygon{square}},
		{"multipolygon mixing byte orders", func() []byte {
			w := newWKB(binary.BigEndian).header(6).u32(1)
			w.Write(newWKB(binary.LittleEndian).header(3).u32(2).u32(5).f64(sq...).u32(5).f64(2, 2, 2, 4, 4, 4, 4, 2, 2, 2).Bytes())
			return w.Bytes()
		}(), Polygon{square, hole}},
	} {
		t.Run("OK/"+tt.name, func(t *testing.T) {
			got, err := DecodeWKB(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !polygonsEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	le := func() *wkb { return newWKB(binary.LittleEndian) }
	for _, tt := range []struct {
		name   string
		in     []byte
		offset int
	}{
		{"ErrEmptyInput", nil, 0},
		{"ErrByteOrder", []byte{2, 3, 0, 0, 0}, 0},
		{"ErrPoint", le().header(1).f64(1, 2).Bytes(), 1},
		{"ErrLineString", le().header(2).u32(0).Bytes(), 1},
		{"ErrNestedMulti", le().header(6).u32(1).header(6).u32(0).Bytes(), 10},
		{"ErrUnknownDimension", le().header(4003).Bytes(), 1},
		{"ErrTruncatedRing", le().header(3).u32(1).u32(5).f64(sq[:6]...).Bytes(), 9},
		{"ErrHugeCount", le().header(3).u32(1).u32(0xffffffff).Bytes(), 9},
		{"ErrEmptyPolygon", le().header(3).u32(0).Bytes(), 5},
		{"ErrRingNotClosed", le().header(3).u32(1).u32(4).f64(0, 0, 1, 0, 1, 1, 0, 1).Bytes(), 9},
		{"ErrRingTooShort", le().header(3).u32(1).u32(3).f64(0, 0, 1, 0, 0, 0).Bytes(), 9},
		{"ErrNaN", le().header(3).u32(1).u32(4).f64(0, 0, math.NaN(), 0, 1, 1, 0, 0).Bytes(), 29},
		{"ErrTrailingBytes", append(le().header(3).u32(1).u32(5).f64(sq...).Bytes(), 0), 93},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g, err := DecodeWKB(tt.in)
			checkParseError(t, g, err, "WKB", "", tt.offset)
		})
	}
}

func TestDecodeGeoPackage(t *testing.T) {
	body := AppendWKB(nil, Polygon{square})
	gp := func(flags byte, env ...float64) []byte {
		b := []byte{'G', 'P', 0, flags}
		var order binary.ByteOrder = binary.BigEndian
		if flags&1 != 0 {
			order = binary.LittleEndian
		}
		b = append(b, newWKB(order).u32(4326).f64(env...).Bytes()...)
		return append(b, body...)
	}
	for _, tt := range []struct {
		name string
		in   []byte
	}{
		{"no envelope", gp(0b0000_0001)},
		{"big-endian header", gp(0b0000_0010, 0, 10, 0, 10)},
		{"xyz envelope", gp(0b0000_0101, 0, 10, 0, 10, 0, 0)},
		{"xyzm envelope", gp(0b0000_1001, 0, 10, 0, 10, 0, 0, 0, 0)},
	} {
		t.Run("OK/"+tt.name, func(t *testing.T) {
			p, srs, err := DecodeGeoPackage(tt.in)
			if err != nil || srs != 4326 || !polygonsEqual(p, Polygon{square}) {
				t.Errorf("got %v, %d, %v", p, srs, err)
			}
		})
	}
	for _, tt := range []struct {
		name   string
		in     []byte
		offset int
	}{
		{"ErrMagic", []byte("GX\x00\x01\x00\x00\x00\x00"), 0},
		{"ErrVersion", []byte("GP\x01\x01\x00\x00\x00\x00"), 2},
		{"ErrEmptyGeometry", gp(0b0001_0001), 3},
		{"ErrExtended", gp(0b0010_0001), 3},
		{"ErrEnvelopeIndicator", gp(0b0000_1011), 3},
		{"ErrTruncatedEnvelope", []byte("GP\x00\x03\x00\x00\x00\x00\x00"), 9},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, _, err := DecodeGeoPackage(tt.in)
			checkParseError(t, p, err, "GeoPackage geometry", "", tt.offset)
		})
	}
}

// TestAppendGeoPackageMulti: a one-part polygon written as a MultiPolygon
// decodes back to itself.
func TestAppendGeoPackageMulti(t *testing.T) {
	p := Normalize(Polygon{{{0, 10}, {10, 10}, {10, 0}, {0, 0}, {0, 10}}, {{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}})
	b := AppendGeoPackageMulti(nil, p, 4326)
	if b[8+32+1] != 6 { // the WKB type after the header, the envelope and the byte order
		t.Fatalf("WKB type %d, want 6 (MultiPolygon)", b[8+32+1])
	}
	got, srs, err := DecodeGeoPackage(b)
	if err != nil || srs != 4326 || !reflect.DeepEqual(got, p) || p.Parts() != 1 {
		t.Errorf("decoded %v %d %v, want %v", got, srs, err, p)
	}
}
