package proj

import "math"

// ellipsoid is a reference ellipsoid given, as EPSG gives them, by its semi-major
// axis and inverse flattening.
type ellipsoid struct {
	a  float64 // semi-major axis, metres
	f  float64 // flattening
	e2 float64 // first eccentricity squared
	e  float64 // first eccentricity
}

func newEllipsoid(a, rf float64) *ellipsoid {
	f := 1 / rf
	e2 := f * (2 - f)
	return &ellipsoid{a: a, f: f, e2: e2, e: math.Sqrt(e2)}
}

var (
	wgs84  = newEllipsoid(6378137, 298.257223563)   // EPSG:7030
	grs80  = newEllipsoid(6378137, 298.257222101)   // EPSG:7019
	bessel = newEllipsoid(6377397.155, 299.1528128) // EPSG:7004
	airy   = newEllipsoid(6377563.396, 299.3249646) // EPSG:7001
)

// toCartesian returns the geocentric coordinates of a point at height 0.
func (el *ellipsoid) toCartesian(lam, phi float64) (x, y, z float64) {
	sp, cp := math.Sincos(phi)
	sl, cl := math.Sincos(lam)
	n := el.a / math.Sqrt(1-el.e2*sp*sp)
	return n * cp * cl, n * cp * sl, n * (1 - el.e2) * sp
}

// fromCartesian returns the longitude and latitude of a geocentric point; its
// height is dropped, as PROJ drops it in a 2D transformation. Bowring's formula,
// iterated twice, is exact to far below a millimetre for points near the surface.
func (el *ellipsoid) fromCartesian(x, y, z float64) (lam, phi float64) {
	lam = math.Atan2(y, x)
	p := math.Sqrt(x*x + y*y)
	b := el.a * (1 - el.f)
	ep2 := el.e2 / (1 - el.e2)
	// Parametric latitude as the first guess.
	beta := math.Atan2(el.a*z, b*p)
	for range 2 {
		sb, cb := math.Sincos(beta)
		phi = math.Atan2(z+ep2*b*sb*sb*sb, p-el.e2*el.a*cb*cb*cb)
		beta = math.Atan2((1-el.f)*math.Sin(phi), math.Cos(phi))
	}
	return lam, phi
}

// helmert is a Helmert transformation from a datum to WGS 84 in the position-vector
// convention, with PROJ's linearised rotation matrix, so that the package computes
// what PROJ computes.
type helmert struct {
	t     [3]float64    // translation, metres
	r     [3][3]float64 // rotation
	scale float64       // 1 + ppm·1e-6
}

const arcsec = math.Pi / (180 * 3600)

// newHelmert makes a transformation from an EPSG operation's parameters "datum to
// WGS 84": translations in metres, rotations in arc-seconds, scale in ppm.
func newHelmert(tx, ty, tz, rx, ry, rz, ppm float64) *helmert {
	rx, ry, rz = rx*arcsec, ry*arcsec, rz*arcsec
	return &helmert{
		t: [3]float64{tx, ty, tz},
		r: [3][3]float64{
			{1, -rz, ry},
			{rz, 1, -rx},
			{-ry, rx, 1},
		},
		scale: 1 + ppm*1e-6,
	}
}

// forward applies the transformation to a geocentric point.
func (h *helmert) forward(x, y, z float64) (float64, float64, float64) {
	r, s := &h.r, h.scale
	return h.t[0] + s*(r[0][0]*x+r[0][1]*y+r[0][2]*z),
		h.t[1] + s*(r[1][0]*x+r[1][1]*y+r[1][2]*z),
		h.t[2] + s*(r[2][0]*x+r[2][1]*y+r[2][2]*z)
}

// inverse undoes forward as PROJ does: translation removed, then the transposed
// rotation, then the scale divided out.
func (h *helmert) inverse(x, y, z float64) (float64, float64, float64) {
	x, y, z = x-h.t[0], y-h.t[1], z-h.t[2]
	r, s := &h.r, h.scale
	return (r[0][0]*x + r[1][0]*y + r[2][0]*z) / s,
		(r[0][1]*x + r[1][1]*y + r[2][1]*z) / s,
		(r[0][2]*x + r[1][2]*y + r[2][2]*z) / s
}

// operation is one of PROJ's candidate operations from a datum to WGS 84, with the
// box of its EPSG area of use in degrees (west > east when it crosses 180°).
type operation struct {
	west, south, east, north float64
	h                        *helmert // nil: a null transformation
}

func (o *operation) contains(lam, phi float64) bool {
	lon, lat := math.Remainder(lam/deg, 360), phi/deg
	if lat < o.south || lat > o.north {
		return false
	}
	if o.west <= o.east {
		return lon >= o.west && lon <= o.east
	}
	return lon >= o.west || lon <= o.east
}

// shift is how a system's datum goes to WGS 84: what PROJ's default operation does
// when no grid file is installed. Systems whose datum PROJ takes as equal to WGS 84
// everywhere (WGS 84 itself, ETRS89, RGF93 v1) have none: nil.
type shift struct {
	el *ellipsoid
	// ops are the candidates in PROJ's order of preference (best EPSG accuracy,
	// then the smaller area): the first whose area holds the point applies.
	ops []*operation
	// always applies where no candidate holds the point; nil for PROJ's
	// "ballpark" fallback, which is a null transformation.
	always    *helmert
	class     Accuracy // agreement with PROJ's default operation
	operation string   // what is applied, for SUPPORTED.md
}

// pick returns the transformation that applies at a point, nil for none.
func (s *shift) pick(lam, phi float64) *helmert {
	for _, o := range s.ops {
		if o.contains(lam, phi) {
			return o.h
		}
	}
	return s.always
}

// toWGS84 moves a point on the system's datum (height 0) to WGS 84.
func (s *shift) toWGS84(lam, phi float64) (float64, float64) {
	h := s.pick(lam, phi)
	if h == nil {
		return lam, phi
	}
	return wgs84.fromCartesian(h.forward(s.el.toCartesian(lam, phi)))
}

// fromWGS84 moves a point on WGS 84 (height 0) to the system's datum.
func (s *shift) fromWGS84(lam, phi float64) (float64, float64) {
	h := s.pick(lam, phi)
	if h == nil {
		return lam, phi
	}
	return s.el.fromCartesian(h.inverse(wgs84.toCartesian(lam, phi)))
}

var (
	// EPSG:1676, the only CH1903+ to WGS 84 operation in PROJ's database, which
	// PROJ applies everywhere.
	shiftCH1903p = &shift{
		el: bessel, always: newHelmert(674.374, 15.056, 405.346, 0, 0, 0, 0), class: DatumShift,
		operation: "EPSG:1676 CH1903+ to WGS 84 (1): translation 674.374, 15.056, 405.346 m (EPSG: 1 m)",
	}
	// EPSG:1314, what PROJ picks for OSGB36 when the OSTN15 grid is not installed.
	// PROJ applies it inside its area only (a null ballpark outside); the package
	// applies it everywhere rather than jump by 100 m at the area's edge.
	shiftOSGB36 = &shift{
		el: airy, always: newHelmert(446.448, -125.157, 542.06, 0.15, 0.247, 0.842, -20.489), class: DatumShift,
		operation: "EPSG:1314 OSGB36 to WGS 84 (6): 7-parameter Helmert (EPSG: 2 m)",
	}
)

// NAD83 to WGS 84 as PROJ does it without grids: the null EPSG:1188 NAD83 to WGS 84
// (1) where its area reaches, except where a translation of its own area wins:
// EPSG:1252 in Hawaii (as accurate as EPSG:1188, 4 m, with a smaller area) and
// EPSG:1251 in the Aleutians (8 m, so only where EPSG:1188 is not a candidate).
// Elsewhere a null ballpark. Grid-based operations (NOAA HARN, Canadian NTv2) are
// left out, as PROJ leaves them out when the grids are not installed.
var (
	opNAD83Null     = &operation{-172.54, 23.81, -47.74, 86.46, nil}
	opNAD83Hawaii   = &operation{-163.74, 15.56, -151.27, 25.58, newHelmert(1, 1, -1, 0, 0, 0, 0)}
	opNAD83Aleutian = &operation{172.42, 51.3, -164.84, 54.34, newHelmert(-2, 0, 4, 0, 0, 0, 0)}
)

// nad83UTM returns the shift of NAD83 / UTM zone z. PROJ considers only the
// operations whose area meets the zone's EPSG area of use, so the choice depends
// on the zone: EPSG:1188's area starts at 172.54°W, in zone 2; Hawaii's is in
// zones 4 and 5; the Aleutians' box meets zones 1 to 3.
func nad83UTM(z int) *shift {
	s := &shift{el: grs80, class: SameDatum, operation: "EPSG:1188 NAD83 to WGS 84 (1), null; " +
		"in Hawaii (zones 4, 5) EPSG:1252, translation 1, 1, -1 m; " +
		"in the Aleutians (zone 1, and zones 2, 3 west of 172.54°W) EPSG:1251, translation -2, 0, 4 m"}
	if z == 4 || z == 5 {
		s.ops = append(s.ops, opNAD83Hawaii)
	}
	if z >= 2 {
		s.ops = append(s.ops, opNAD83Null)
	}
	if z <= 3 {
		s.ops = append(s.ops, opNAD83Aleutian)
	}
	return s
}
