package proj

import (
	"fmt"
	"math"
)

// Transform converts coordinates from one system to another. It holds no state
// beyond its two systems: it is safe for concurrent use and cheap to make. Make
// one with [NewTransform]; the zero Transform is not usable. Coordinates are
// x = longitude/easting, y = latitude/northing (see the package doc).
type Transform struct {
	from, to *def
}

// NewTransform returns the transformation from one system to another. Two values
// of the same system (an alias included) give the identity, which returns every
// valid point unchanged (and still refuses a non-finite one, or a latitude beyond
// ±90° in EPSG:4326).
func NewTransform(from, to CRS) (*Transform, error) {
	if from.d == nil || to.d == nil {
		return nil, fmt.Errorf("new transform from %q to %q: %w", from, to, &UnknownCodeError{})
	}
	return &Transform{from: from.d, to: to.d}, nil
}

// From returns the source system.
func (t *Transform) From() CRS { return CRS{t.from} }

// To returns the target system.
func (t *Transform) To() CRS { return CRS{t.to} }

// IsIdentity reports whether the transform returns points unchanged.
func (t *Transform) IsIdentity() bool { return t.from == t.to }

// Accuracy returns the transform's class of agreement with PROJ: [Exact] for the
// identity, else the worse of the two systems' classes, at least [SameDatum].
func (t *Transform) Accuracy() Accuracy {
	if t.IsIdentity() {
		return Exact
	}
	return max(SameDatum, t.From().Accuracy(), t.To().Accuracy())
}

// Forward converts a point from the source system to the target. A point that
// either system cannot represent is a [*DomainError].
func (t *Transform) Forward(x, y float64) (float64, float64, error) {
	return apply(t.from, t.to, x, y)
}

// Inverse converts a point from the target system to the source.
func (t *Transform) Inverse(x, y float64) (float64, float64, error) {
	return apply(t.to, t.from, x, y)
}

// ForwardPoints converts pts in place. On error, which names the index of the
// first point that failed, pts holds converted points before that index and
// unconverted ones from it on.
func (t *Transform) ForwardPoints(pts [][2]float64) error { return applyAll(t.from, t.to, pts) }

// InversePoints converts pts in place from the target system to the source, as
// ForwardPoints does.
func (t *Transform) InversePoints(pts [][2]float64) error { return applyAll(t.to, t.from, pts) }

func applyAll(src, dst *def, pts [][2]float64) error {
	for i, p := range pts {
		x, y, err := apply(src, dst, p[0], p[1])
		if err != nil {
			return fmt.Errorf("point %d: %w", i, err)
		}
		pts[i] = [2]float64{x, y}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// apply is the one pipeline: source to longitude/latitude on its datum, datum shift
// through WGS 84 when the datums differ, longitude/latitude to the target.
func apply(src, dst *def, x, y float64) (float64, float64, error) {
	if !finite(x) || !finite(y) {
		return 0, 0, &DomainError{CRS: CRS{src}, X: x, Y: y, Reason: "a coordinate is not a finite number"}
	}
	if src.proj == nil && math.Abs(y) > 90 {
		return 0, 0, &DomainError{CRS: CRS{src}, X: x, Y: y, Reason: "latitude beyond ±90°"}
	}
	if src == dst {
		return x, y, nil
	}
	var lam, phi float64
	if src.proj == nil {
		lam, phi = x*deg, y*deg
	} else {
		var reason string
		if lam, phi, reason = src.proj.inverse(x, y); reason != "" {
			return 0, 0, &DomainError{CRS: CRS{src}, X: x, Y: y, Reason: reason}
		}
	}
	if src.geog != dst.geog { // different datums
		if src.shift != nil {
			lam, phi = src.shift.toWGS84(lam, phi)
		}
		if dst.shift != nil {
			lam, phi = dst.shift.fromWGS84(lam, phi)
		}
	}
	if dst.proj == nil {
		lon := lam / deg
		if lon < -180 || lon > 180 {
			lon = math.Remainder(lon, 360)
		}
		return lon, phi / deg, nil
	}
	u, v, reason := dst.proj.forward(lam, phi)
	if reason != "" {
		return 0, 0, &DomainError{CRS: CRS{dst}, X: x, Y: y, Reason: reason}
	}
	return u, v, nil
}
