package gpkg

import (
	"encoding/binary"
	"fmt"
	"math"
)

// WKB geometry type codes (the ISO code modulo 1000).
const (
	wkbPoint              = 1
	wkbLineString         = 2
	wkbPolygon            = 3
	wkbMultiPoint         = 4
	wkbMultiLineString    = 5
	wkbMultiPolygon       = 6
	wkbGeometryCollection = 7
)

var wkbTypeNames = map[uint32]string{
	wkbPoint: "POINT", wkbLineString: "LINESTRING", wkbPolygon: "POLYGON",
	wkbMultiPoint: "MULTIPOINT", wkbMultiLineString: "MULTILINESTRING",
	wkbMultiPolygon: "MULTIPOLYGON", wkbGeometryCollection: "GEOMETRYCOLLECTION",
}

// memberType is the only type a multi geometry may hold.
var memberType = map[uint32]uint32{
	wkbMultiPoint: wkbPoint, wkbMultiLineString: wkbLineString, wkbMultiPolygon: wkbPolygon,
}

// maxWKBDepth bounds the nesting of geometry collections, so that a crafted
// blob cannot exhaust the stack.
const maxWKBDepth = 32

// Blob is a GeoPackageBinary geometry, as ReadBlob splits it.
type Blob struct {
	// SRSID is the srs_id of the header.
	SRSID int32
	// Envelope is the header's envelope when HasEnvelope.
	Envelope    Envelope
	HasEnvelope bool
	// Empty is the header's empty-geometry flag.
	Empty bool
	// Type is the WKB geometry type name ("POLYGON", "MULTIPOLYGON", …),
	// HasZ and HasM its dimensions.
	Type       string
	HasZ, HasM bool
	// WKB is the geometry after the header; it shares the input's memory.
	WKB []byte
}

// ReadBlob splits a GeoPackageBinary blob (GeoPackage 1.4 §2.1.3) into its
// header and WKB, checking the header and the WKB type code only; Bounds walks
// the rest. ExtendedGeoPackageBinary, reserved flags and WKB types other than
// the seven simple-feature ones are refused. Errors wrap ErrGeometry.
func ReadBlob(b []byte) (Blob, error) {
	var g Blob
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return g, fmt.Errorf("%w: no GeoPackageBinary magic", ErrGeometry)
	}
	if b[2] != 0 {
		return g, fmt.Errorf("%w: GeoPackageBinary version %d", ErrGeometry, b[2])
	}
	flags := b[3]
	if flags&0xC0 != 0 {
		return g, fmt.Errorf("%w: reserved GeoPackageBinary flags set (%#02x)", ErrGeometry, flags)
	}
	if flags&0x20 != 0 {
		return g, fmt.Errorf("%w: ExtendedGeoPackageBinary is not supported", ErrGeometry)
	}
	var order binary.ByteOrder = binary.BigEndian
	if flags&1 != 0 {
		order = binary.LittleEndian
	}
	g.Empty = flags&0x10 != 0
	g.SRSID = int32(order.Uint32(b[4:8]))
	var n int // envelope doubles
	switch env := (flags >> 1) & 7; env {
	case 0:
	case 1:
		n = 4
	case 2, 3:
		n = 6
	case 4:
		n = 8
	default:
		return g, fmt.Errorf("%w: envelope indicator %d", ErrGeometry, env)
	}
	head := 8 + 8*n
	if len(b) < head {
		return g, fmt.Errorf("%w: truncated GeoPackageBinary header", ErrGeometry)
	}
	if n > 0 {
		f := func(i int) float64 { return math.Float64frombits(order.Uint64(b[8+8*i:])) }
		g.Envelope = Envelope{MinX: f(0), MaxX: f(1), MinY: f(2), MaxY: f(3)}
		g.HasEnvelope = true
	}
	g.WKB = b[head:]
	typ, z, m, _, err := wkbHeader(g.WKB)
	if err != nil {
		return g, err
	}
	g.Type, g.HasZ, g.HasM = wkbTypeNames[typ], z, m
	return g, nil
}

// Bounds returns the geometry's 2D envelope: the header's when it has one,
// else computed from the WKB. ok is false for an empty geometry (no
// coordinates, or only NaN ones). A malformed WKB is an error wrapping
// ErrGeometry.
func (g Blob) Bounds() (e Envelope, ok bool, err error) {
	if g.HasEnvelope {
		return g.Envelope, g.Envelope.valid(), nil
	}
	if g.Empty {
		return Envelope{}, false, nil
	}
	return WKBBounds(g.WKB)
}

// WKBBounds walks an ISO WKB geometry (2D, Z, M or ZM, either byte order,
// nested collections up to 32 deep) and returns its 2D envelope; ok is false
// when it has no non-NaN coordinate. Trailing bytes are refused. Errors wrap
// ErrGeometry.
func WKBBounds(wkb []byte) (e Envelope, ok bool, err error) {
	w := wkbWalker{e: Envelope{MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}}
	rest, err := w.geometry(wkb, 0)
	if err != nil {
		return Envelope{}, false, err
	}
	if len(rest) != 0 {
		return Envelope{}, false, fmt.Errorf("%w: %d bytes after the WKB geometry", ErrGeometry, len(rest))
	}
	if !w.any {
		return Envelope{}, false, nil
	}
	return w.e, true, nil
}

// wkbHeader reads a WKB geometry's byte order and type. It accepts ISO codes
// (1000 Z, 2000 M, 3000 ZM) and the 0x80000000/0x40000000 Z/M flags GDAL
// also reads; base types other than 1 to 7 are refused.
func wkbHeader(b []byte) (typ uint32, z, m bool, order binary.ByteOrder, err error) {
	if len(b) < 5 {
		return 0, false, false, nil, fmt.Errorf("%w: truncated WKB", ErrGeometry)
	}
	switch b[0] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return 0, false, false, nil, fmt.Errorf("%w: WKB byte order %d", ErrGeometry, b[0])
	}
	code := order.Uint32(b[1:5])
	z, m = code&0x80000000 != 0, code&0x40000000 != 0
	if code&0x20000000 != 0 {
		return 0, false, false, nil, fmt.Errorf("%w: EWKB with SRID", ErrGeometry)
	}
	code &= 0x0FFFFFFF
	switch code / 1000 {
	case 0:
	case 1:
		z = true
	case 2:
		m = true
	case 3:
		z, m = true, true
	default:
		return 0, false, false, nil, fmt.Errorf("%w: WKB geometry type %d", ErrGeometry, code)
	}
	typ = code % 1000
	if typ < wkbPoint || typ > wkbGeometryCollection {
		return 0, false, false, nil, fmt.Errorf("%w: unsupported WKB geometry type %d", ErrGeometry, code)
	}
	return typ, z, m, order, nil
}

type wkbWalker struct {
	e   Envelope
	any bool
}

// geometry walks one WKB geometry and returns what follows it.
func (w *wkbWalker) geometry(b []byte, depth int) ([]byte, error) {
	if depth > maxWKBDepth {
		return nil, fmt.Errorf("%w: geometry collections nested more than %d deep", ErrGeometry, maxWKBDepth)
	}
	typ, z, m, order, err := wkbHeader(b)
	if err != nil {
		return nil, err
	}
	b = b[5:]
	dims := 2
	if z {
		dims++
	}
	if m {
		dims++
	}
	pointSize := 8 * dims
	count := func(min int) (int, error) {
		if len(b) < 4 {
			return 0, fmt.Errorf("%w: truncated WKB", ErrGeometry)
		}
		n := order.Uint32(b)
		b = b[4:]
		// Each item needs at least min bytes: a count larger than the
		// bytes left can hold is a lie, refused before any loop.
		if uint64(n)*uint64(min) > uint64(len(b)) {
			return 0, fmt.Errorf("%w: WKB count %d exceeds the data", ErrGeometry, n)
		}
		return int(n), nil
	}
	points := func(n int) {
		for i := 0; i < n; i++ {
			w.point(order, b[i*pointSize:])
		}
		b = b[n*pointSize:]
	}
	switch typ {
	case wkbPoint:
		if len(b) < pointSize {
			return nil, fmt.Errorf("%w: truncated WKB point", ErrGeometry)
		}
		points(1)
	case wkbLineString:
		n, err := count(pointSize)
		if err != nil {
			return nil, err
		}
		points(n)
	case wkbPolygon:
		rings, err := count(4)
		if err != nil {
			return nil, err
		}
		for range rings {
			n, err := count(pointSize)
			if err != nil {
				return nil, err
			}
			points(n)
		}
	default: // the multi types and collections: a list of WKB geometries
		n, err := count(9)
		if err != nil {
			return nil, err
		}
		for range n {
			sub, _, _, _, err := wkbHeader(b)
			if err != nil {
				return nil, err
			}
			if want := memberType[typ]; want != 0 && sub != want {
				return nil, fmt.Errorf("%w: %s inside a %s", ErrGeometry, wkbTypeNames[sub], wkbTypeNames[typ])
			}
			if b, err = w.geometry(b, depth+1); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

// point adds the x,y at the start of p, unless either is NaN (GeoPackage's
// empty point).
func (w *wkbWalker) point(order binary.ByteOrder, p []byte) {
	x := math.Float64frombits(order.Uint64(p))
	y := math.Float64frombits(order.Uint64(p[8:]))
	if math.IsNaN(x) || math.IsNaN(y) {
		return
	}
	w.any = true
	w.e.MinX, w.e.MaxX = math.Min(w.e.MinX, x), math.Max(w.e.MaxX, x)
	w.e.MinY, w.e.MaxY = math.Min(w.e.MinY, y), math.Max(w.e.MaxY, y)
}
