package proj

import (
	"fmt"
	"math"
)

// projection maps longitude and latitude in radians, on the projection's own
// ellipsoid, to easting and northing in metres, and back. A non-empty reason means
// the point is outside the projection's domain and the numbers are to be dropped.
type projection interface {
	forward(lam, phi float64) (x, y float64, reason string)
	inverse(x, y float64) (lam, phi float64, reason string)
}

const (
	deg = math.Pi / 180
	// slack lets a point that is on a domain's edge stay inside it after a round
	// trip through a fixed number of decimals (1e-9 rad is 6 mm).
	slack = 1e-9
)

// normLon brings a longitude difference into [-π, π].
func normLon(lam float64) float64 {
	if lam >= -math.Pi && lam <= math.Pi {
		return lam
	}
	return math.Remainder(lam, 2*math.Pi)
}

// taupf is tan χ, χ the conformal latitude, from τ = tan φ (Karney 2011, eq. 7-9).
// τ is at most 1.7e16 (tan of π/2 rounded), so τ² cannot overflow.
func taupf(tau, e float64) float64 {
	tau1 := math.Sqrt(1 + tau*tau)
	sig := math.Sinh(e * math.Atanh(e*tau/tau1))
	return math.Sqrt(1+sig*sig)*tau - sig*tau1
}

// latSeries holds the coefficients of a trigonometric series in the latitude,
// one-based: lat + Σ c_j sin(2j·lat).
type latSeries [7]float64

// conformalToGeodetic is Krüger's series for the geodetic latitude from the
// conformal one, to n⁶ (Karney 2011, eq. 37); an error of 1e-15 rad at most.
func conformalToGeodetic(el *ellipsoid) *latSeries {
	n := el.f / (2 - el.f)
	n2 := n * n
	n3 := n2 * n
	n4, n5, n6 := n3*n, n3*n2, n3*n3
	return &latSeries{0,
		2*n - 2*n2/3 - 2*n3 + 116*n4/45 + 26*n5/45 - 2854*n6/675,
		7*n2/3 - 8*n3/5 - 227*n4/45 + 2704*n5/315 + 2323*n6/945,
		56*n3/15 - 136*n4/35 - 1262*n5/105 + 73814*n6/2835,
		4279*n4/630 - 332*n5/35 - 399572*n6/14175,
		4174*n5/315 - 144838*n6/6237,
		601676 * n6 / 22275,
	}
}

// at sums the series by Clenshaw's method.
func (c *latSeries) at(lat float64) float64 {
	s, co := math.Sincos(2 * lat)
	m := 2 * co
	var b1, b2 float64
	for j := 6; j >= 1; j-- {
		b1, b2 = c[j]+m*b1-b2, b1
	}
	return lat + s*b1
}

// tmerc is the ellipsoidal Transverse Mercator by Krüger's series in the third
// flattening n, to n⁶, as in Karney, "Transverse Mercator with an accuracy of a few
// nanometers" (J. Geodesy 85, 2011) and PROJ's default algorithm (Poder/Engsager).
// Unlike the USGS/Snyder series it stays exact to well below a millimetre far
// beyond a UTM zone; the package still refuses points more than maxDLon from the
// central meridian.
type tmerc struct {
	e       float64
	chiPhi  *latSeries // conformal to geodetic latitude
	lam0    float64
	x0, y0  float64 // false easting; false northing less the meridian arc at lat_0
	k0A     float64 // scale times the rectifying radius
	alp     [7]float64
	bet     [7]float64
	maxDLon float64
}

func newTmerc(el *ellipsoid, lat0, lon0, k0, x0, y0 float64) *tmerc {
	n := el.f / (2 - el.f)
	n2 := n * n
	n3 := n2 * n
	n4, n5, n6 := n3*n, n3*n2, n3*n3
	t := &tmerc{e: el.e, chiPhi: conformalToGeodetic(el), lam0: lon0 * deg, x0: x0, maxDLon: 30 * deg}
	t.k0A = k0 * el.a / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	t.alp = [7]float64{0,
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
		13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
		61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
		49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
		34729*n5/80640 - 3418889*n6/1995840,
		212378941 * n6 / 319334400,
	}
	t.bet = [7]float64{0,
		n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
		n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
		17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
		4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
		4583*n5/161280 - 108847*n6/3991680,
		20648693 * n6 / 638668800,
	}
	// The northing of the origin: on the central meridian the series gives the
	// rectifying latitude.
	xi0, _ := t.series(&t.alp, math.Atan(taupf(math.Tan(lat0*deg), t.e)), 0, 1)
	t.y0 = y0 - t.k0A*xi0
	return t
}

// series returns ζ + sign·Σ c_j sin(2jζ) for ζ = ξ + iη by Clenshaw summation.
func (t *tmerc) series(c *[7]float64, xi, eta, sign float64) (float64, float64) {
	s2, c2 := math.Sincos(2 * xi)
	// sinh and cosh from one exp: |η| ≤ 1 here, and the absolute error of sinh
	// near 0 (1e-16) is scaled down by the coefficients (1e-3).
	ex := math.Exp(2 * eta)
	sh2, ch2 := (ex-1/ex)/2, (ex+1/ex)/2
	sin2 := complex(s2*ch2, c2*sh2)  // sin 2ζ
	cos2 := complex(c2*ch2, -s2*sh2) // cos 2ζ
	m := 2 * cos2
	var b1, b2 complex128
	for j := 6; j >= 1; j-- {
		b1, b2 = complex(c[j], 0)+m*b1-b2, b1
	}
	s := sin2 * b1
	return xi + sign*real(s), eta + sign*imag(s)
}

func (t *tmerc) forward(lam, phi float64) (float64, float64, string) {
	dl := normLon(lam - t.lam0)
	if math.Abs(dl) > t.maxDLon+slack {
		return 0, 0, fmt.Sprintf("%.4g° from the central meridian (the limit is %g°)", math.Abs(dl)/deg, t.maxDLon/deg)
	}
	taup := taupf(math.Tan(phi), t.e)
	sl, cl := math.Sincos(dl)
	xip := math.Atan2(taup, cl)
	etap := math.Asinh(sl / math.Sqrt(taup*taup+cl*cl))
	xi, eta := t.series(&t.alp, xip, etap, 1)
	return t.x0 + t.k0A*eta, t.y0 + t.k0A*xi, ""
}

func (t *tmerc) inverse(x, y float64) (float64, float64, string) {
	xi := (y - t.y0) / t.k0A
	eta := (x - t.x0) / t.k0A
	// Beyond these the series no longer inverts the projection (and far beyond, sin
	// and cos would fold a point back into the zone).
	if math.Abs(eta) > 1 || math.Abs(xi) > 2 {
		return 0, 0, "too far from the projection's origin"
	}
	xip, etap := t.series(&t.bet, xi, eta, -1)
	sx, cx := math.Sincos(xip)
	sh := math.Sinh(etap)
	dl := math.Atan2(sh, cx)
	phi := t.chiPhi.at(math.Atan2(sx, math.Sqrt(sh*sh+cx*cx)))
	if math.Abs(dl) > t.maxDLon+slack {
		return 0, 0, fmt.Sprintf("%.4g° from the central meridian (the limit is %g°)", math.Abs(dl)/deg, t.maxDLon/deg)
	}
	return t.lam0 + dl, phi, ""
}
