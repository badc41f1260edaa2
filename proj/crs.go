package proj

import (
	"fmt"
	"strconv"
	"strings"
)

// CRS is one of the supported coordinate reference systems. CRS values are
// comparable: the same system, by whatever code or alias it was found, is the same
// value. The zero CRS is no system; [NewTransform] refuses it.
type CRS struct{ d *def }

// def is a supported system.
type def struct {
	code    int
	name    string     // as GDAL names it
	geog    *geogcs    // the geographic system it is based on; one per datum
	shift   *shift     // nil: WGS 84, or a datum PROJ takes as equal to it
	proj    projection // nil: geographic, x = longitude, y = latitude in degrees
	wkt     *wktProj   // nil: geographic
	method  string     // for SUPPORTED.md
	domain  string     // for SUPPORTED.md
	aliases []int
}

// Code returns the EPSG code, 3857 for the Web Mercator aliases.
func (c CRS) Code() int {
	if c.d == nil {
		return 0
	}
	return c.d.code
}

// String returns "EPSG:" and the code, as Parse accepts it; "" for the zero CRS.
func (c CRS) String() string {
	if c.d == nil {
		return ""
	}
	return "EPSG:" + strconv.Itoa(c.d.code)
}

// Name returns the system's name as GDAL and EPSG give it, e.g. "WGS 84 / UTM zone 32N".
func (c CRS) Name() string {
	if c.d == nil {
		return ""
	}
	return c.d.name
}

// IsGeographic reports whether coordinates are longitude and latitude in degrees
// (EPSG:4326) rather than easting and northing in metres.
func (c CRS) IsGeographic() bool { return c.d != nil && c.d.proj == nil }

// Units returns "degree" for a geographic system, "metre" otherwise, as in the WKT.
func (c CRS) Units() string {
	switch {
	case c.d == nil:
		return ""
	case c.d.proj == nil:
		return "degree"
	}
	return "metre"
}

// Aliases returns the other codes (ArcGIS wkids) that name this system.
func (c CRS) Aliases() []int {
	if c.d == nil {
		return nil
	}
	return append([]int(nil), c.d.aliases...)
}

// Accuracy returns how closely a transformation between c and WGS 84 agrees with
// PROJ: [Exact] for EPSG:4326 itself, [SameDatum] for systems on WGS 84 or a datum
// PROJ takes as equal to it, [DatumShift] for those that need a Helmert shift.
func (c CRS) Accuracy() Accuracy {
	switch {
	case c.d == nil || c.d.code == 4326:
		return Exact
	case c.d.shift != nil:
		return c.d.shift.class
	}
	return SameDatum
}

// Accuracy is a class of agreement with PROJ, the package's oracle.
type Accuracy int

const (
	// Exact is the identity: coordinates come back unchanged.
	Exact Accuracy = iota
	// SameDatum is within 1 cm of PROJ, forward and inverse: the datum is WGS 84
	// or one that PROJ's default operation takes as equal to it (ETRS89, RGF93 v1,
	// NAD83 but in Hawaii and the Aleutians, where the package applies PROJ's own
	// small translations, see SUPPORTED.md).
	SameDatum
	// DatumShift is within 1 m of PROJ's default operation when no grid file is
	// installed: a Helmert datum shift (EPSG:1314 for 27700, EPSG:1676 for 2056).
	DatumShift
)

// Metres returns the class's bound: 0, 0.01 or 1.
func (a Accuracy) Metres() float64 {
	switch a {
	case Exact:
		return 0
	case SameDatum:
		return 0.01
	}
	return 1
}

func (a Accuracy) String() string {
	switch a {
	case Exact:
		return "exact"
	case SameDatum:
		return "≤ 1 cm"
	}
	return "≤ 1 m"
}

// Supported returns every supported system, in the order of the table in
// SUPPORTED.md; aliases are not repeated (see [CRS.Aliases]).
func Supported() []CRS {
	out := make([]CRS, len(table))
	for i, d := range table {
		out[i] = CRS{d}
	}
	return out
}

// FromWKID returns the system of an EPSG code or an ArcGIS wkid (102100, 102113 and
// 900913 are EPSG:3857). An unsupported code is an [*UnknownCodeError].
func FromWKID(wkid int) (CRS, error) {
	if d, ok := byCode[wkid]; ok {
		return CRS{d}, nil
	}
	return CRS{}, &UnknownCodeError{Code: wkid}
}

// Parse returns the system that s names: "EPSG:32632", "epsg:32632", "32632", or an
// ArcGIS wkid with or without "ESRI:" ("ESRI:102100", "102100"); spaces around s are
// ignored. Text that is not a code is an error wrapping [ErrSyntax]; a code that is
// not supported is an [*UnknownCodeError].
func Parse(s string) (CRS, error) {
	t := strings.TrimSpace(s)
	for _, prefix := range []string{"EPSG:", "ESRI:"} {
		if len(t) > len(prefix) && strings.EqualFold(t[:len(prefix)], prefix) {
			t = t[len(prefix):]
			break
		}
	}
	if len(t) == 0 || len(t) > 9 {
		return CRS{}, syntaxError(s)
	}
	code := 0
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return CRS{}, syntaxError(s)
		}
		code = code*10 + int(t[i]-'0')
	}
	return FromWKID(code)
}

func syntaxError(s string) error {
	return fmt.Errorf("%w: %q (want EPSG:N, N, or an ArcGIS wkid; %s)", ErrSyntax, s, seeREADME)
}
