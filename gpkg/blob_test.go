package gpkg

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestReadBlob(t *testing.T) {
	r := rect(1, 2, 3, 5)
	env := r.envelope()
	le := binary.LittleEndian
	for _, tc := range []struct {
		name string
		blob []byte
		want Blob // WKB not compared
		env  Envelope
	}{
		{"LittleEndian", gpbPolygon(32632, r, gpbOptions{}), Blob{SRSID: 32632, Envelope: env, HasEnvelope: true, Type: "POLYGON"}, env},
		{"BigEndian", gpbPolygon(-1, r, gpbOptions{bigEndian: true}), Blob{SRSID: -1, Envelope: env, HasEnvelope: true, Type: "POLYGON"}, env},
		{"NoEnvelope", gpbPolygon(4326, r, gpbOptions{noEnvelope: true}), Blob{SRSID: 4326, Type: "POLYGON"}, env},
		{"MultiPolygon", gpbMultiPolygon(1, r, rect(-1, -1, 0, 0)), Blob{SRSID: 1, Envelope: Envelope{-1, -1, 3, 5}, HasEnvelope: true, Type: "MULTIPOLYGON"}, Envelope{-1, -1, 3, 5}},
		{"PointZM", zmPoint(), Blob{SRSID: 7, Envelope: Envelope{1, 2, 1, 2}, HasEnvelope: true, Type: "POINT", HasZ: true, HasM: true}, Envelope{1, 2, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ReadBlob(tc.blob)
			if err != nil {
				t.Fatal(err)
			}
			g.WKB = nil
			if !reflect.DeepEqual(g, tc.want) {
				t.Errorf("got %+v, want %+v", g, tc.want)
			}
			g, _ = ReadBlob(tc.blob)
			if e, ok, err := g.Bounds(); !ok || err != nil || e != tc.env {
				t.Errorf("Bounds %v %v %v, want %v", e, ok, err, tc.env)
			}
			if e, ok, err := WKBBounds(g.WKB); !ok || err != nil || e != tc.env {
				t.Errorf("WKBBounds %v %v %v, want %v", e, ok, err, tc.env)
			}
		})
	}

	emptyPoint := append(gpbHeader(le, 0, nil), 1, 1, 0, 0, 0)
	emptyPoint = le.AppendUint64(emptyPoint, math.Float64bits(math.NaN()))
	emptyPoint = le.AppendUint64(emptyPoint, math.Float64bits(math.NaN()))
	emptyPoint[3] |= 0x10
	g, err := ReadBlob(emptyPoint)
	if err != nil || !g.Empty {
		t.Fatalf("empty point: %+v %v", g, err)
	}
	if _, ok, err := g.Bounds(); ok || err != nil {
		t.Errorf("empty point has bounds: %v %v", ok, err)
	}
	if _, ok, err := WKBBounds(g.WKB); ok || err != nil {
		t.Errorf("NaN point has WKB bounds: %v %v", ok, err)
	}
}

// zmPoint is a POINT ZM with a ZM envelope (indicator 4).
func zmPoint() []byte {
	le := binary.LittleEndian
	b := []byte{'G', 'P', 0, 1 | 4<<1}
	b = le.AppendUint32(b, 7)
	for _, v := range []float64{1, 1, 2, 2, 3, 3, 4, 4} {
		b = le.AppendUint64(b, math.Float64bits(v))
	}
	b = append(b, 1)
	b = le.AppendUint32(b, 3001)
	for _, v := range []float64{1, 2, 3, 4} {
		b = le.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func TestReadBlobRefuses(t *testing.T) {
	good := gpbPolygon(32632, rect(0, 0, 1, 1), gpbOptions{noEnvelope: true})
	set := func(i int, v byte) []byte {
		b := append([]byte(nil), good...)
		b[i] = v
		return b
	}
	le := binary.LittleEndian
	hugeRings := append(gpbHeader(le, 0, nil), 1, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff)
	nested := gpbHeader(le, 0, nil)
	for range 40 {
		nested = append(nested, 1, 7, 0, 0, 0, 1, 0, 0, 0)
	}
	nested = append(nested, 1, 7, 0, 0, 0, 0, 0, 0, 0)
	lineInMultiPolygon := append(gpbHeader(le, 0, nil), 1, 6, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0)
	for _, tc := range []struct {
		name string
		blob []byte
	}{
		{"Empty", nil},
		{"Short", []byte("GP\x00\x01")},
		{"Magic", set(0, 'X')},
		{"Version", set(2, 1)},
		{"Extended", set(3, good[3]|0x20)},
		{"Reserved", set(3, good[3]|0x80)},
		{"EnvelopeIndicator", set(3, good[3]|5<<1)},
		{"HeaderTruncated", good[:8+4][:10]},
		{"NoWKB", good[:8]},
		{"ByteOrder", set(8, 2)},
		{"WKBType", set(9, 99)},
		{"Curve", set(9, 10)},
		{"EWKBSRID", set(12, 0x20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadBlob(tc.blob); !errors.Is(err, ErrGeometry) {
				t.Errorf("ReadBlob: %v, want ErrGeometry", err)
			}
		})
	}
	for _, tc := range []struct {
		name string
		blob []byte
	}{
		{"TruncatedPoints", good[:len(good)-1]},
		{"TrailingBytes", append(append([]byte(nil), good...), 0)},
		{"HugeRingCount", hugeRings},
		{"DeepCollections", nested},
		{"LineStringInMultiPolygon", lineInMultiPolygon},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ReadBlob(tc.blob)
			if err != nil {
				t.Fatalf("ReadBlob: %v (only the walk should fail)", err)
			}
			if _, _, err := g.Bounds(); !errors.Is(err, ErrGeometry) {
				t.Errorf("Bounds: %v, want ErrGeometry", err)
			}
		})
	}
}

// FuzzReadBlob feeds ReadBlob and the WKB walk arbitrary bytes (geometry
// blobs come from files): they must not panic, must fail with ErrGeometry,
// and bounds they report must be a box.
func FuzzReadBlob(f *testing.F) {
	f.Add(gpbPolygon(32632, rect(0, 0, 1, 1), gpbOptions{}))
	f.Add(gpbPolygon(32632, rect(0, 0, 1, 1), gpbOptions{noEnvelope: true, bigEndian: true}))
	f.Add(gpbMultiPolygon(4326, rect(0, 0, 1, 1), rect(2, 2, 3, 3)))
	f.Add(zmPoint())
	r, err := Open(gdalFixture)
	if err != nil {
		f.Fatal(err)
	}
	err = r.Features(context.Background(), "tiles", func(ft Feature) error {
		f.Add(ft.Geometry)
		return nil
	})
	r.Close()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(e Envelope, ok bool, err error) {
			if err != nil && !errors.Is(err, ErrGeometry) {
				t.Fatalf("error %v does not wrap ErrGeometry", err)
			}
			if ok && !(e.MinX <= e.MaxX && e.MinY <= e.MaxY) {
				t.Fatalf("bounds %v are not a box", e)
			}
		}
		check(WKBBounds(b))
		g, err := ReadBlob(b)
		if err != nil {
			check(Envelope{}, false, err)
			return
		}
		check(g.Bounds())
		check(WKBBounds(g.WKB))
	})
}

// FuzzMetadataRoundTrip: every item the writer accepts comes back from its
// XML document unchanged, and parsing arbitrary documents (they come from
// files) never panics.
func FuzzMetadataRoundTrip(f *testing.F) {
	f.Add("RESX", "10")
	f.Add("MOSAIC_NOTE", `<made by "make.sh"> & GDAL`)
	f.Add("a'b", "line1\nline2\ttab é")
	f.Add("K", "]]> &amp; <!-- -->")
	f.Fuzz(func(t *testing.T, key, value string) {
		md := map[string]string{}
		parseGDALMetadata(value, md) // arbitrary input must not panic
		if checkMetadataItem(key, value) != nil {
			return
		}
		doc := gdalMetadataXML(map[string]string{key: value})
		got := map[string]string{}
		if err := parseGDALMetadata(doc, got); err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if !reflect.DeepEqual(got, map[string]string{key: value}) {
			t.Fatalf("%q came back as %q", map[string]string{key: value}, got)
		}
	})
}
