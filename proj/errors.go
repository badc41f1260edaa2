package proj

import (
	"errors"
	"fmt"
	"strconv"
)

// seeREADME is where every error about a code sends the reader.
const seeREADME = `see "Coordinate systems" in README.md for the supported codes`

// ErrUnknownCode is matched (errors.Is) by every [*UnknownCodeError].
var ErrUnknownCode = errors.New("proj: unknown coordinate system")

// ErrSyntax is matched by the error of [Parse] for text that is not a code at all.
var ErrSyntax = errors.New("proj: not a coordinate system code")

// ErrOutsideDomain is matched by every [*DomainError].
var ErrOutsideDomain = errors.New("proj: point outside the coordinate system's domain")

// UnknownCodeError is the error for a well-formed code that the package does not
// support. It never stands for a guess: callers may tell the user to pick another
// code.
type UnknownCodeError struct {
	Code int // the code as given: EPSG code or ArcGIS wkid
}

func (e *UnknownCodeError) Error() string {
	return "proj: unknown coordinate system code " + strconv.Itoa(e.Code) +
		" (EPSG code or ArcGIS wkid); " + seeREADME
}

// Is makes errors.Is(err, ErrUnknownCode) true.
func (e *UnknownCodeError) Is(target error) bool { return target == ErrUnknownCode }

// DomainError is the error for a point that a coordinate system cannot represent:
// a non-finite coordinate, or a point outside the domain listed in SUPPORTED.md.
type DomainError struct {
	CRS    CRS     // the system whose domain the point is outside of
	X, Y   float64 // the point as given to the transform
	Reason string  // why, e.g. "32.5° from the central meridian (the limit is 30°)"
}

func (e *DomainError) Error() string {
	return fmt.Sprintf("proj: point (%g, %g) is outside the domain of %s: %s", e.X, e.Y, e.CRS, e.Reason)
}

// Is makes errors.Is(err, ErrOutsideDomain) true.
func (e *DomainError) Is(target error) bool { return target == ErrOutsideDomain }
