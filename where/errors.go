package where

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is every rejection Compile returns. Line and Col are 1-based
// positions in the user's text (Col counts runes); both are 0 when no
// single position is to blame.
type Error struct {
	Line, Col int
	Msg       string
	// detail follows the position, e.g. the list of known fields, so that
	// the position stays next to the message it belongs to.
	detail string
}

// Error returns "where: <Msg> at <Line>:<Col>", without the position when
// there is none.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("where: ")
	b.WriteString(e.Msg)
	if e.Line > 0 {
		fmt.Fprintf(&b, " at %d:%d", e.Line, e.Col)
	}
	if e.detail != "" {
		b.WriteString(" (")
		b.WriteString(e.detail)
		b.WriteString(")")
	}
	return b.String()
}

// errorAt returns an Error positioned at byte offset off of text.
func errorAt(text string, off int, format string, args ...any) *Error {
	line, col := position(text, off)
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// position turns a byte offset into a 1-based line and rune column.
func position(text string, off int) (line, col int) {
	if off > len(text) {
		off = len(text)
	}
	line, col = 1, 1
	for _, r := range text[:off] {
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// excerpt shortens s for a message.
func excerpt(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

func itoa(i int) string { return strconv.Itoa(i) }
