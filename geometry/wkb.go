package geometry

import (
	"encoding/binary"
	"math"
)

// Well-known binary (OGC Simple Features 1.2.1 §8.2, ISO 13249-3 type
// codes) and the GeoPackage geometry blob that wraps it (OGC GeoPackage
// 1.4 §2.1.3 "GeoPackageBinary"): what exports write into GeoPackage
// feature tables and what GDAL tile indexes (gdaltindex -f GPKG) hold.

const (
	wkbPoint        = 1
	wkbPolygon      = 3
	wkbMultiPoint   = 4
	wkbMultiPolygon = 6
)

// AppendWKB appends g to dst as little-endian ISO WKB: a Point, a
// MultiPoint, or for an Envelope or Polygon a Polygon (a MultiPolygon if
// it has several outer rings) with outer rings counter-clockwise and holes
// clockwise, as Simple Features orients them, rings closed.
func AppendWKB(dst []byte, g Geometry) []byte {
	switch g := g.(type) {
	case Point:
		dst = appendWKBHeader(dst, wkbPoint)
		return appendWKBPoint(dst, [2]float64{g.X, g.Y})
	case MultiPoint:
		dst = appendWKBHeader(dst, wkbMultiPoint)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(g)))
		for _, p := range g {
			dst = appendWKBHeader(dst, wkbPoint)
			dst = appendWKBPoint(dst, [2]float64{p.X, p.Y})
		}
		return dst
	case Envelope:
		return AppendWKB(dst, g.Polygon())
	case Polygon:
		outers := 0
		for i := range g {
			if i == 0 || isOuter(g, i) {
				outers++
			}
		}
		if outers <= 1 {
			return appendWKBPolygon(dst, g)
		}
		dst = appendWKBHeader(dst, wkbMultiPolygon)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(outers))
		start := 0
		for i := 1; i <= len(g); i++ {
			if i == len(g) || isOuter(g, i) {
				dst = appendWKBPolygon(dst, g[start:i])
				start = i
			}
		}
		return dst
	}
	return dst
}

func appendWKBHeader(dst []byte, typ uint32) []byte {
	dst = append(dst, 1) // little endian
	return binary.LittleEndian.AppendUint32(dst, typ)
}

func appendWKBPoint(dst []byte, p [2]float64) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[0]))
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[1]))
}

// appendWKBPolygon appends one polygon: its first ring outer, the rest
// holes.
func appendWKBPolygon(dst []byte, p Polygon) []byte {
	dst = appendWKBHeader(dst, wkbPolygon)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p)))
	for i, r := range p {
		want := -1
		if i == 0 {
			want = 1
		}
		n := ringLen(r)
		if n == 0 {
			dst = binary.LittleEndian.AppendUint32(dst, 0)
			continue
		}
		rev := ringOrientation(r) == -want
		dst = binary.LittleEndian.AppendUint32(dst, uint32(n+1))
		for j := 0; j <= n; j++ {
			k := j % n
			if rev && k != 0 {
				k = n - k
			}
			dst = appendWKBPoint(dst, r[k])
		}
	}
	return dst
}

// AppendGeoPackage appends g to dst as a GeoPackage geometry blob
// (StandardGeoPackageBinary): magic "GP", version 0, flags 0b00000011
// (little endian, envelope [minx, maxx, miny, maxy]), the srs_id of the
// table's gpkg_spatial_ref_sys row, the envelope, then AppendWKB's WKB.
func AppendGeoPackage(dst []byte, g Geometry, srsID int32) []byte {
	const flags = 1<<1 | 1 // envelope contents indicator 1 (xy), little endian
	dst = append(dst, 'G', 'P', 0, flags)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(srsID))
	e := boundsOf(g)
	for _, v := range [...]float64{e.XMin, e.XMax, e.YMin, e.YMax} {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
	}
	return AppendWKB(dst, g)
}

// AppendGeoPackageMulti appends p as AppendGeoPackage does, but always as
// a MultiPolygon, even of one part: for a table whose declared geometry
// type is MULTIPOLYGON.
func AppendGeoPackageMulti(dst []byte, p Polygon, srsID int32) []byte {
	const flags = 1<<1 | 1
	dst = append(dst, 'G', 'P', 0, flags)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(srsID))
	e := p.Bounds()
	for _, v := range [...]float64{e.XMin, e.XMax, e.YMin, e.YMax} {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
	}
	var parts [][2]int // [start, end) of each part's rings
	start := 0
	for i := 1; i <= len(p); i++ {
		if i == len(p) || isOuter(p, i) {
			parts = append(parts, [2]int{start, i})
			start = i
		}
	}
	dst = appendWKBHeader(dst, wkbMultiPolygon)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(parts)))
	for _, part := range parts {
		dst = appendWKBPolygon(dst, p[part[0]:part[1]])
	}
	return dst
}

// Parts reports how many outer rings (polygons) p has.
func (p Polygon) Parts() int {
	n := 0
	for i := range p {
		if i == 0 || isOuter(p, i) {
			n++
		}
	}
	return n
}

// boundsOf is g.Bounds() without the dynamic call, through which g would
// escape to the heap and cost an allocation per feature.
func boundsOf(g Geometry) Envelope {
	switch g := g.(type) {
	case Point:
		return g.Bounds()
	case MultiPoint:
		return g.Bounds()
	case Envelope:
		return g
	case Polygon:
		return g.Bounds()
	}
	return emptyEnvelope()
}

// DecodeGeoPackage reads a GeoPackage geometry blob holding a Polygon or
// MultiPolygon and returns it normalized, with the blob's srs_id. Every
// refusal is a *ParseError; empty geometries and ExtendedGeoPackageBinary
// blobs are refused.
func DecodeGeoPackage(b []byte) (Polygon, int32, error) {
	const input = "GeoPackage geometry"
	if len(b) > MaxInputBytes {
		return nil, 0, parseErrorf(input, -1, "longer than %d bytes", MaxInputBytes)
	}
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return nil, 0, parseErrorf(input, 0, `not a GeoPackage geometry blob (no "GP" magic)`)
	}
	if b[2] != 0 {
		return nil, 0, parseErrorf(input, 2, "unsupported GeoPackageBinary version %d", b[2])
	}
	flags := b[3]
	if flags&(1<<5) != 0 {
		return nil, 0, parseErrorf(input, 3, "ExtendedGeoPackageBinary geometries are not supported")
	}
	if flags&(1<<4) != 0 {
		return nil, 0, parseErrorf(input, 3, "the geometry is empty")
	}
	var order binary.ByteOrder = binary.BigEndian
	if flags&1 != 0 {
		order = binary.LittleEndian
	}
	envLen := 0
	switch ind := flags >> 1 & 7; ind {
	case 0:
	case 1:
		envLen = 32
	case 2, 3:
		envLen = 48
	case 4:
		envLen = 64
	default:
		return nil, 0, parseErrorf(input, 3, "invalid envelope contents indicator %d", ind)
	}
	srsID := int32(order.Uint32(b[4:8]))
	if len(b) < 8+envLen {
		return nil, 0, parseErrorf(input, len(b), "truncated envelope")
	}
	w := wkbReader{b: b, i: 8 + envLen, input: input}
	p, err := w.read()
	return p, srsID, err
}

// DecodeWKB reads WKB (ISO, or with the Z and M high-bit flags older
// writers use, either byte order) holding a Polygon or MultiPolygon and
// returns it normalized. Every refusal is a *ParseError.
func DecodeWKB(b []byte) (Polygon, error) {
	if len(b) > MaxInputBytes {
		return nil, parseErrorf("WKB", -1, "longer than %d bytes", MaxInputBytes)
	}
	w := wkbReader{b: b, input: "WKB"}
	return w.read()
}

type wkbReader struct {
	b               []byte
	i               int
	input           string
	vertices, rings int
}

func (w *wkbReader) read() (Polygon, error) {
	parts, err := w.geometry(false)
	if err != nil {
		return nil, err
	}
	if w.i != len(w.b) {
		return nil, parseErrorf(w.input, w.i, "%d bytes after the geometry", len(w.b)-w.i)
	}
	return normalizeParts(parts), nil
}

func (w *wkbReader) errAt(off int, format string, args ...any) *ParseError {
	return parseErrorf(w.input, off, format, args...)
}

func (w *wkbReader) need(n int) error {
	if n < 0 || len(w.b)-w.i < n {
		return w.errAt(len(w.b), "truncated")
	}
	return nil
}

// geometry reads a Polygon, or a MultiPolygon unless inMulti.
func (w *wkbReader) geometry(inMulti bool) ([]Polygon, error) {
	start := w.i
	if err := w.need(5); err != nil {
		return nil, err
	}
	var order binary.ByteOrder
	switch w.b[w.i] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return nil, w.errAt(w.i, "invalid byte order %d", w.b[w.i])
	}
	t := order.Uint32(w.b[w.i+1:])
	w.i += 5
	dims := 2
	if t&0x20000000 != 0 { // EWKB: an SRID follows
		if err := w.need(4); err != nil {
			return nil, err
		}
		w.i += 4
	}
	if t&0x80000000 != 0 {
		dims++
	}
	if t&0x40000000 != 0 {
		dims++
	}
	t &^= 0xe0000000
	base := t % 1000
	switch t / 1000 {
	case 0:
	case 1, 2:
		dims++
	case 3:
		dims += 2
	default:
		return nil, w.errAt(start+1, "unknown WKB geometry type %d", t)
	}
	if dims > 4 {
		return nil, w.errAt(start+1, "unknown WKB geometry type %d", t)
	}
	switch {
	case base == wkbPolygon:
		p, err := w.polygon(order, dims)
		return []Polygon{p}, err
	case base == wkbMultiPolygon && !inMulti:
		n, err := w.count(order, 9)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, w.errAt(start, "the MultiPolygon is empty")
		}
		var parts []Polygon
		for range n {
			ps, err := w.geometry(true)
			if err != nil {
				return nil, err
			}
			parts = append(parts, ps...)
		}
		return parts, nil
	case base == wkbMultiPolygon:
		return nil, w.errAt(start+1, "a MultiPolygon holds Polygons, found a MultiPolygon")
	}
	return nil, w.errAt(start+1, "WKB geometry type %d is not supported; supported types: Polygon (3), MultiPolygon (6)", t)
}

// count reads an element count and checks that many elements of at least
// minSize bytes each can follow.
func (w *wkbReader) count(order binary.ByteOrder, minSize int) (int, error) {
	if err := w.need(4); err != nil {
		return 0, err
	}
	n := int(order.Uint32(w.b[w.i:]))
	if len(w.b)-w.i-4 < n*minSize || n < 0 {
		return 0, w.errAt(w.i, "count %d is more than the remaining bytes hold", n)
	}
	w.i += 4
	return n, nil
}

func (w *wkbReader) polygon(order binary.ByteOrder, dims int) (Polygon, error) {
	start := w.i
	n, err := w.count(order, 4)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, w.errAt(start, "the polygon is empty")
	}
	w.rings += n
	if w.rings > MaxRings {
		return nil, w.errAt(start, "more than %d rings", MaxRings)
	}
	p := make(Polygon, 0, n)
	for range n {
		ringOff := w.i
		m, err := w.count(order, 8*dims)
		if err != nil {
			return nil, err
		}
		w.vertices += m
		if w.vertices > MaxVertices {
			return nil, w.errAt(ringOff, "more than %d vertices", MaxVertices)
		}
		ring := make([][2]float64, m)
		for k := range ring {
			for d := 0; d < dims; d++ {
				v := math.Float64frombits(order.Uint64(w.b[w.i:]))
				if d < 2 {
					if math.IsNaN(v) || math.Abs(v) > MaxCoordinate {
						return nil, w.errAt(w.i, "coordinate %v is not a number within ±%g", v, MaxCoordinate)
					}
					ring[k][d] = v
				}
				w.i += 8
			}
		}
		switch {
		case m < 4:
			return nil, w.errAt(ringOff, "a ring needs at least 4 points (3 distinct, then the first again), found %d", m)
		case ring[0] != ring[m-1]:
			return nil, w.errAt(ringOff, "the ring is not closed: its last point must equal its first")
		case ringOrientation(ring) == 0:
			return nil, w.errAt(ringOff, "the ring encloses no area (its points are collinear)")
		}
		p = append(p, ring)
	}
	return p, nil
}
