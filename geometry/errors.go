package geometry

import (
	"fmt"
	"strings"
)

// ParseError is every refusal of a parser or decoder here: the input is
// the user's fault (HTTP 400, exit status 2). Callers test for it with
// errors.As.
type ParseError struct {
	// Input names what was being read: "geometry", "geometryType",
	// "spatialRel", "GeoJSON", "WKB" or "GeoPackage geometry".
	Input string
	// Path locates the offending JSON value, as in rings[0][3] or
	// geometry.coordinates[1]; empty when the whole input is at fault.
	Path string
	// Offset is the byte offset of the offending value or byte in the
	// input, or -1 when no single position is to blame.
	Offset int
	// Msg says what is wrong, in words meant for the person who wrote
	// the input.
	Msg string
}

// Error returns "<Input>: <Path>: <Msg> (at byte <Offset>)", leaving out
// the parts that are absent.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Input)
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Offset >= 0 {
		fmt.Fprintf(&b, " (at byte %d)", e.Offset)
	}
	return b.String()
}

func parseErrorf(input string, offset int, format string, args ...any) *ParseError {
	return &ParseError{Input: input, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}
