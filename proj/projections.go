package proj

import (
	"fmt"
	"math"
)

// webMercator is EPSG:3857's "Popular Visualisation Pseudo-Mercator": spherical
// Mercator formulas applied to WGS 84 longitude and latitude, radius a.
type webMercator struct{ a float64 }

func (m webMercator) forward(lam, phi float64) (float64, float64, string) {
	if math.Abs(phi) >= math.Pi/2 {
		return 0, 0, "latitude ±90° has no Web Mercator northing"
	}
	// normLon keeps ±180° as it is: +180° is +πa here, where PROJ gives -πa.
	return m.a * normLon(lam), m.a * math.Asinh(math.Tan(phi)), ""
}

func (m webMercator) inverse(x, y float64) (float64, float64, string) {
	phi := math.Atan(math.Sinh(y / m.a))
	if math.Abs(phi) >= math.Pi/2 {
		return 0, 0, "northing beyond latitude ±90°"
	}
	return x / m.a, phi, ""
}

// lcc is the ellipsoidal Lambert conformal conic with two standard parallels
// (EPSG method 9802), in closed form but for the inverse latitude, which is
// Krüger's conformal-latitude series.
// Its domain is the cone's hemisphere (the sign of n) within maxDLon of lon_0.
type lcc struct {
	e, lam0, x0, y0 float64
	chiPhi          *latSeries
	n, aF, rho0     float64
	maxDLon         float64
}

// isometric is ψ, the isometric latitude.
func isometric(phi, e float64) float64 { return math.Asinh(taupf(math.Tan(phi), e)) }

func newLCC(el *ellipsoid, lat0, lon0, lat1, lat2, x0, y0 float64) *lcc {
	m := func(phi float64) float64 {
		s, c := math.Sincos(phi)
		return c / math.Sqrt(1-el.e2*s*s)
	}
	p0, p1, p2 := lat0*deg, lat1*deg, lat2*deg
	l := &lcc{e: el.e, chiPhi: conformalToGeodetic(el), lam0: lon0 * deg, x0: x0, y0: y0, maxDLon: 60 * deg}
	psi1, psi2 := isometric(p1, el.e), isometric(p2, el.e)
	l.n = (math.Log(m(p1)) - math.Log(m(p2))) / (psi2 - psi1)
	l.aF = el.a * m(p1) / l.n * math.Exp(l.n*psi1)
	l.rho0 = l.aF * math.Exp(-l.n*isometric(p0, el.e))
	return l
}

func (l *lcc) outside(dl, phi float64) string {
	if math.Abs(dl) > l.maxDLon+slack {
		return fmt.Sprintf("%.4g° from the central meridian (the limit is %g°)", math.Abs(dl)/deg, l.maxDLon/deg)
	}
	if math.Copysign(1, l.n)*phi < -slack {
		return "latitude in the other hemisphere than the cone's"
	}
	return ""
}

func (l *lcc) forward(lam, phi float64) (float64, float64, string) {
	dl := normLon(lam - l.lam0)
	if r := l.outside(dl, phi); r != "" {
		return 0, 0, r
	}
	rho := l.aF * math.Exp(-l.n*isometric(phi, l.e))
	s, c := math.Sincos(l.n * dl)
	return l.x0 + rho*s, l.y0 + l.rho0 - rho*c, ""
}

func (l *lcc) inverse(x, y float64) (float64, float64, string) {
	dx, dy := x-l.x0, l.rho0-(y-l.y0)
	sign := math.Copysign(1, l.n)
	rho := sign * math.Sqrt(dx*dx+dy*dy)
	dl := math.Atan2(sign*dx, sign*dy) / l.n
	// ψ, the isometric latitude, then χ = gd(ψ), the conformal one; ρ = 0 is
	// the pole (ψ infinite, χ = ±π/2).
	psi := -math.Log(rho/l.aF) / l.n
	phi := l.chiPhi.at(math.Atan(math.Sinh(psi)))
	if r := l.outside(dl, phi); r != "" {
		return 0, 0, r
	}
	return l.lam0 + dl, phi, ""
}

// laea is the ellipsoidal Lambert azimuthal equal-area, oblique aspect (EPSG method
// 9820, Snyder 1987 §24). Its domain is the hemisphere around the centre.
type laea struct {
	e, e2, lam0, phi0 float64
	x0, y0            float64
	qp, rq, d         float64
	sb1, cb1          float64 // sine and cosine of the centre's authalic latitude
}

func newLAEA(el *ellipsoid, lat0, lon0, x0, y0 float64) *laea {
	p0 := lat0 * deg
	l := &laea{e: el.e, e2: el.e2, lam0: lon0 * deg, phi0: p0, x0: x0, y0: y0}
	l.qp = l.q(1)
	l.rq = el.a * math.Sqrt(l.qp/2)
	s0, c0 := math.Sincos(p0)
	b1 := math.Asin(l.q(s0) / l.qp)
	l.sb1, l.cb1 = math.Sincos(b1)
	l.d = el.a * (c0 / math.Sqrt(1-el.e2*s0*s0)) / (l.rq * l.cb1)
	return l
}

// q is Snyder's q (eq. 3-12) from the sine of the latitude.
func (l *laea) q(sinphi float64) float64 {
	return (1 - l.e2) * (sinphi/(1-l.e2*sinphi*sinphi) + math.Atanh(l.e*sinphi)/l.e)
}

func (l *laea) forward(lam, phi float64) (float64, float64, string) {
	dl := normLon(lam - l.lam0)
	sb := math.Max(-1, math.Min(1, l.q(math.Sin(phi))/l.qp))
	cb := math.Sqrt(1 - sb*sb)
	sl, cl := math.Sincos(dl)
	cosc := l.sb1*sb + l.cb1*cb*cl // cosine of the distance from the centre
	if cosc < -slack {
		return 0, 0, fmt.Sprintf("%.4g° from the projection's centre (the limit is 90°)", math.Acos(cosc)/deg)
	}
	b := l.rq * math.Sqrt(2/(1+cosc))
	return l.x0 + b*l.d*cb*sl, l.y0 + b/l.d*(l.cb1*sb-l.sb1*cb*cl), ""
}

func (l *laea) inverse(x, y float64) (float64, float64, string) {
	xr, yr := (x-l.x0)/l.d, (y-l.y0)*l.d
	rho := math.Sqrt(xr*xr + yr*yr)
	if rho == 0 {
		return l.lam0, l.phi0, ""
	}
	h := rho / (2 * l.rq)
	if h > 1 {
		return 0, 0, "beyond the projection's antipode"
	}
	ce := 2 * math.Asin(h)
	if ce > math.Pi/2+slack {
		return 0, 0, fmt.Sprintf("%.4g° from the projection's centre (the limit is 90°)", ce/deg)
	}
	sce, cce := math.Sincos(ce)
	q := l.qp * (cce*l.sb1 + yr*sce*l.cb1/rho)
	dl := math.Atan2(xr*sce, rho*l.cb1*cce-yr*l.sb1*sce)
	return l.lam0 + dl, l.latitude(q), ""
}

// latitude inverts q by Newton's method (Snyder eq. 3-16).
func (l *laea) latitude(q float64) float64 {
	if math.Abs(q) >= l.qp {
		return math.Copysign(math.Pi/2, q)
	}
	phi := math.Asin(q / 2)
	for range 10 {
		s, c := math.Sincos(phi)
		w := 1 - l.e2*s*s
		d := w * w / (2 * c) * (q/(1-l.e2) - s/w - math.Atanh(l.e*s)/l.e)
		phi += d
		if math.Abs(d) < 1e-15 {
			break
		}
	}
	return phi
}

// somerc is the Swiss oblique Mercator of CH1903 and CH1903+ as PROJ implements it
// (proj=somerc, swisstopo's formulas): the ellipsoid onto a conformal sphere, then
// an oblique Mercator of the sphere. Its domain is 30° of latitude and longitude
// around the centre.
type somerc struct {
	e, lam0, phi0, x0, y0 float64
	chiPhi                *latSeries
	c, k, kR              float64
	sinp0, cosp0          float64
}

func newSomerc(el *ellipsoid, lat0, lon0, k0, x0, y0 float64) *somerc {
	p0 := lat0 * deg
	s := &somerc{e: el.e, chiPhi: conformalToGeodetic(el), lam0: lon0 * deg, phi0: p0, x0: x0, y0: y0}
	sp, cp := math.Sincos(p0)
	cp *= cp
	s.c = math.Sqrt(1 + el.e2*cp*cp/(1-el.e2))
	s.sinp0 = sp / s.c
	phip0 := math.Asin(s.sinp0)
	s.cosp0 = math.Cos(phip0)
	s.k = math.Atanh(s.sinp0) - s.c*isometricAtanh(sp, el.e)
	esp := el.e * sp
	s.kR = el.a * k0 * math.Sqrt(1-el.e2) / (1 - esp*esp)
	return s
}

// isometricAtanh is ψ from sin φ: atanh(sin φ) - e·atanh(e·sin φ).
func isometricAtanh(sinphi, e float64) float64 {
	return math.Atanh(sinphi) - e*math.Atanh(e*sinphi)
}

func (s *somerc) outside(dl, phi float64) string {
	if math.Abs(dl) > 30*deg+slack || math.Abs(phi-s.phi0) > 30*deg+slack {
		return fmt.Sprintf("more than 30° from the projection's centre (%.6g°N %.6g°E)", s.phi0/deg, s.lam0/deg)
	}
	return ""
}

func (s *somerc) forward(lam, phi float64) (float64, float64, string) {
	dl := normLon(lam - s.lam0)
	if r := s.outside(dl, phi); r != "" {
		return 0, 0, r
	}
	// Latitude and longitude on the conformal sphere.
	phip := 2*math.Atan(math.Exp(s.c*isometricAtanh(math.Sin(phi), s.e)+s.k)) - math.Pi/2
	lamp := s.c * dl
	sp, cp := math.Sincos(phip)
	sl, cl := math.Sincos(lamp)
	// Rotated to the oblique pole; atan2 rather than PROJ's asin keeps the far side
	// apart from the near side (the same numbers where both are defined).
	phipp := math.Asin(s.cosp0*sp - s.sinp0*cp*cl)
	lampp := math.Atan2(cp*sl, s.sinp0*sp+s.cosp0*cp*cl)
	return s.x0 + s.kR*lampp, s.y0 + s.kR*math.Atanh(math.Sin(phipp)), ""
}

func (s *somerc) inverse(x, y float64) (float64, float64, string) {
	lampp := (x - s.x0) / s.kR
	if math.Abs(lampp) > math.Pi/2 {
		return 0, 0, "too far from the projection's origin"
	}
	phipp := 2*math.Atan(math.Exp((y-s.y0)/s.kR)) - math.Pi/2
	sp, cp := math.Sincos(phipp)
	sl, cl := math.Sincos(lampp)
	phip := math.Asin(math.Max(-1, math.Min(1, s.cosp0*sp+s.sinp0*cp*cl)))
	lamp := math.Atan2(cp*sl, s.cosp0*cp*cl-s.sinp0*sp)
	// Back from the sphere: the isometric latitude ψ = (ψ' - K)/c, then the
	// conformal latitude gd(ψ), then the geodetic one (PROJ iterates on ψ).
	psi := (math.Atanh(math.Sin(phip)) - s.k) / s.c
	phi := s.chiPhi.at(math.Atan(math.Sinh(psi)))
	dl := lamp / s.c
	if r := s.outside(dl, phi); r != "" {
		return 0, 0, r
	}
	return s.lam0 + dl, phi, ""
}
