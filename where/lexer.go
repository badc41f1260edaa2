package where

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The lexer follows text/template/parse/lex.go: state functions that each
// scan one kind of token and return the next state. It knows standard SQL
// quoting and nothing of MySQL's: a double-quoted word is a name, a
// backslash is an ordinary character inside a string, and everything
// outside the language (comments, ';', '?', '@', '||', hex and bit
// literals, backquotes …) is an error at its position.

// tokenType identifies the kind of a token.
type tokenType int

const (
	tokEOF    tokenType = iota
	tokWord             // bare word: keyword, function or field name
	tokName             // "quoted" or [bracketed] field name
	tokString           // 'string'
	tokInt              // integer: digits only
	tokReal             // number with a point or an exponent
	tokOp               // = <> != < <= > >= + - * /
	tokLParen
	tokRParen
	tokComma
)

// token is a lexeme with its byte span in the input.
type token struct {
	typ      tokenType
	pos, end int    // byte offsets of the token in the input
	val      string // name without quotes, string with '' undoubled, or the text
}

const eof = -1

type stateFn func(*lexer) stateFn

type lexer struct {
	input  string
	start  int // start of the current token
	pos    int // current position
	width  int // width of the last rune read
	tokens []token
	err    *Error
}

// lex splits input into tokens ending with tokEOF, or reports the first
// lexical error.
func lex(input string) ([]token, *Error) {
	for i, r := range input {
		if r == utf8.RuneError {
			if _, w := utf8.DecodeRuneInString(input[i:]); w == 1 {
				return nil, errorAt(input, i, "invalid UTF-8")
			}
		}
	}
	l := &lexer{input: input, tokens: make([]token, 0, 8+len(input)/4)}
	for state := lexAny; state != nil; {
		state = state(l)
	}
	if l.err != nil {
		return nil, l.err
	}
	return l.tokens, nil
}

func (l *lexer) next() rune {
	if l.pos >= len(l.input) {
		l.width = 0
		return eof
	}
	r, w := utf8.DecodeRuneInString(l.input[l.pos:])
	l.width = w
	l.pos += w
	return r
}

func (l *lexer) backup() { l.pos -= l.width }

func (l *lexer) peek() rune {
	r := l.next()
	l.backup()
	return r
}

// accept consumes the next rune if it is in valid.
func (l *lexer) accept(valid string) bool {
	if strings.ContainsRune(valid, l.next()) {
		return true
	}
	l.backup()
	return false
}

func (l *lexer) acceptRun(valid string) int {
	n := 0
	for strings.ContainsRune(valid, l.next()) {
		n++
	}
	l.backup()
	return n
}

func (l *lexer) emit(t tokenType, val string) {
	l.tokens = append(l.tokens, token{typ: t, pos: l.start, end: l.pos, val: val})
	l.start = l.pos
}

// errorf records an error at the start of the current token and stops.
func (l *lexer) errorf(format string, args ...any) stateFn {
	return l.errorAtf(l.start, format, args...)
}

func (l *lexer) errorAtf(off int, format string, args ...any) stateFn {
	l.err = errorAt(l.input, off, format, args...)
	return nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func isWordStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// describeRune names a character for a message.
func describeRune(r rune) string {
	if unicode.IsPrint(r) && !unicode.IsSpace(r) {
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("U+%04X", r)
}

// lexAny scans whatever comes next.
func lexAny(l *lexer) stateFn {
	for isSpace(l.peek()) {
		l.next()
	}
	l.start = l.pos
	r := l.next()
	switch {
	case r == eof:
		l.emit(tokEOF, "")
		return nil
	case isWordStart(r):
		return lexWord
	case isDigit(r) || r == '.' && isDigit(l.peek()):
		l.backup()
		return lexNumber
	}
	switch r {
	case '\'':
		return lexString
	case '"':
		return lexQuotedName
	case '[':
		return lexBracketName
	case '(':
		l.emit(tokLParen, "(")
	case ')':
		l.emit(tokRParen, ")")
	case ',':
		l.emit(tokComma, ",")
	case '+', '*':
		l.emit(tokOp, string(r))
	case '-':
		if l.peek() == '-' {
			return l.errorf("comments are not allowed")
		}
		l.emit(tokOp, "-")
	case '/':
		if l.peek() == '*' {
			return l.errorf("comments are not allowed")
		}
		l.emit(tokOp, "/")
	case '#':
		return l.errorf("comments are not allowed")
	case '=':
		if l.peek() == '=' {
			return l.errorf("== is not allowed (use =)")
		}
		l.emit(tokOp, "=")
	case '<':
		switch {
		case l.accept("="):
			if l.peek() == '>' {
				return l.errorf("<=> is not allowed")
			}
		case l.accept(">"):
		case l.peek() == '<':
			return l.errorf("bit operators are not allowed")
		}
		l.emit(tokOp, l.input[l.start:l.pos])
	case '>':
		if l.peek() == '>' {
			return l.errorf("bit operators are not allowed")
		}
		l.accept("=")
		l.emit(tokOp, l.input[l.start:l.pos])
	case '!':
		if !l.accept("=") {
			return l.errorf("'!' is not allowed (use NOT or <>)")
		}
		l.emit(tokOp, "!=")
	case '|':
		if l.peek() == '|' {
			return l.errorf("|| is not allowed (use OR)")
		}
		return l.errorf("bit operators are not allowed")
	case '&', '^', '~':
		return l.errorf("bit operators are not allowed")
	case ';':
		return l.errorf("';' is not allowed: a where clause is one expression")
	case '?':
		return l.errorf("'?' is not allowed: write the value itself")
	case '@':
		return l.errorf("'@' is not allowed: variables are not supported")
	case '`':
		return l.errorf("backquotes are not allowed (quote field names with \"…\" or […])")
	case '%':
		return l.errorf("'%%' is only allowed inside a string (use MOD(a, b) for the remainder)")
	default:
		return l.errorf("unexpected character %s", describeRune(r))
	}
	return lexAny
}

// lexWord scans a bare word. Whether it is a keyword, a function or a
// field is for the rewriter to decide.
func lexWord(l *lexer) stateFn {
	for isWordRune(l.peek()) {
		l.next()
	}
	word := l.input[l.start:l.pos]
	switch l.peek() {
	case '\'':
		switch word {
		case "x", "X":
			return l.errorf("hex literals are not allowed")
		case "b", "B":
			return l.errorf("bit literals are not allowed")
		}
	case '.':
		return l.errorf("qualified names are not allowed (write the field name alone)")
	}
	l.emit(tokWord, word)
	return lexAny
}

// lexNumber scans an unsigned decimal number: 12, 1.5, .5, 1., 2e-3.
// The sign is an operator.
func lexNumber(l *lexer) stateFn {
	typ := tokInt
	if l.accept("0") && l.accept("xX") {
		return l.errorf("hex literals are not allowed")
	}
	if l.input[l.start:l.pos] == "0" && l.accept("bB") {
		return l.errorf("bit literals are not allowed")
	}
	const digits = "0123456789"
	l.acceptRun(digits)
	if l.accept(".") {
		typ = tokReal
		l.acceptRun(digits)
	}
	if l.accept("eE") {
		typ = tokReal
		l.accept("+-")
		if l.acceptRun(digits) == 0 {
			return l.errorf("malformed number %s", excerpt(l.input[l.start:l.pos]))
		}
	}
	if r := l.peek(); isWordRune(r) || r == '.' {
		for r := l.peek(); isWordRune(r) || r == '.'; r = l.peek() {
			l.next()
		}
		return l.errorf("malformed number %s", excerpt(l.input[l.start:l.pos]))
	}
	l.emit(typ, l.input[l.start:l.pos])
	return lexAny
}

// lexString scans a string after its opening quote. A quote inside is
// written twice; nothing else is an escape.
func lexString(l *lexer) stateFn {
	doubled := false
	for {
		i := strings.IndexByte(l.input[l.pos:], '\'')
		if i < 0 {
			return l.errorf("unterminated string")
		}
		l.pos += i + 1
		if l.peek() != '\'' {
			break
		}
		l.next()
		doubled = true
	}
	s := l.input[l.start+1 : l.pos-1]
	// SQLite's LIKE and string functions stop at a NUL: 'x%\x00y' would
	// match as 'x%'.
	if i := strings.IndexByte(s, 0); i >= 0 {
		return l.errorAtf(l.start+1+i, "unexpected character U+0000 in string")
	}
	if doubled {
		s = strings.ReplaceAll(s, "''", "'")
	}
	l.emit(tokString, s)
	return lexAny
}

// lexQuotedName scans a field name in double quotes, "" standing for ".
func lexQuotedName(l *lexer) stateFn {
	doubled := false
	for {
		i := strings.IndexByte(l.input[l.pos:], '"')
		if i < 0 {
			return l.errorf("unterminated quoted field name")
		}
		l.pos += i + 1
		if l.peek() != '"' {
			break
		}
		l.next()
		doubled = true
	}
	raw := l.input[l.start+1 : l.pos-1]
	name := raw
	if doubled {
		name = strings.ReplaceAll(raw, `""`, `"`)
	}
	return l.emitName(raw, name)
}

// lexBracketName scans a field name in brackets. There is no escape: a
// name cannot contain ].
func lexBracketName(l *lexer) stateFn {
	i := strings.IndexByte(l.input[l.pos:], ']')
	if i < 0 {
		return l.errorf("unterminated bracketed field name")
	}
	l.pos += i + 1
	raw := l.input[l.start+1 : l.pos-1]
	return l.emitName(raw, raw)
}

// emitName emits a quoted or bracketed name; raw is the text between the
// delimiters, name the name it stands for.
func (l *lexer) emitName(raw, name string) stateFn {
	if strings.TrimSpace(name) == "" {
		return l.errorf("empty field name")
	}
	for i, r := range raw {
		if unicode.IsControl(r) {
			return l.errorAtf(l.start+1+i, "unexpected character %s in field name", describeRune(r))
		}
	}
	l.emit(tokName, name)
	return lexAny
}
