package catalog

import (
	"errors"
	"fmt"

	"mosaic/where"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Code classifies an error by what the caller can do about it. The command
// line maps codes to exit statuses and the server to ArcGIS error codes.
type Code string

// The codes callers act on.
const (
	// Invalid: the input is wrong; nothing was changed.
	Invalid Code = "invalid"
	// NotFound: a named collection, job or item does not exist.
	NotFound Code = "not found"
	// Conflict: the request is well formed but the catalog's state refuses it
	// (a duplicate name, a job that is already finished, undo twice).
	Conflict Code = "conflict"
	// Unavailable: the catalog file cannot be used (not SQLite, read-only,
	// from a newer mosaic, locked for too long).
	Unavailable Code = "unavailable"
	// Internal: a fault of mosaic itself.
	Internal Code = "internal"
)

// Error is an error with a Code and a message meant for the user.
type Error struct {
	Code    Code
	Message string
	// Param names the request parameter (or command line flag) the error is
	// about, when there is one: the server reports it in the ArcGIS error's
	// details ("parameter where").
	Param string
	Err   error // the cause, if any; not shown to the user
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted message. A %w verb in
// format makes the operand the Error's cause.
func Errorf(code Code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// ParamErrorf returns an Invalid *Error about the request parameter param.
// A %w verb in format makes the operand the Error's cause.
func ParamErrorf(param, format string, args ...any) *Error {
	e := Errorf(Invalid, format, args...)
	e.Param = param
	return e
}

// WithParam names the parameter an *Error is about (see ParamErrorf),
// unless it names one already; other errors pass unchanged.
func WithParam(err error, param string) error {
	var e *Error
	if errors.As(err, &e) && e.Param == "" {
		c := *e
		c.Param = param
		return &c
	}
	return err
}

// ErrorParam returns the parameter the first *Error in err's chain is
// about, or "where" for a rejected where clause, or "".
func ErrorParam(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Param != "" {
		return e.Param
	}
	var w *where.Error
	if errors.As(err, &w) {
		return "where"
	}
	return ""
}

// ErrorCode returns the Code of err: the code of the first *Error in its
// chain, Invalid for a rejected where clause, Unavailable for SQLite errors
// that mean the file cannot be used, and Internal otherwise.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var w *where.Error
	if errors.As(err, &w) {
		return Invalid
	}
	if unavailable(err) {
		return Unavailable
	}
	return Internal
}

// sqliteCode returns the primary SQLite result code in err's chain, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func unavailable(err error) bool {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_READONLY,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_FULL,
		sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_AUTH:
		return true
	}
	return false
}

// busy reports whether err is SQLite's "database is locked" (or a table
// lock): the whole transaction may be retried.
func busy(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// clauseError turns an error SQLite raised while running a statement that
// carries the user's where clause (not while preparing it) into the
// clause's failure: bad input about where, naming the function or operator
// that failed (where.Clause.Failure), never a fault of mosaic. The
// statement around the clause is mosaic's own and was prepared without
// error, so a generic SQL error (SQLITE_ERROR: integer overflow in abs, a
// LIKE pattern too long) or a value too big (SQLITE_TOOBIG) can only come
// from evaluating the clause on some item's values. Other errors pass
// through unchanged.
func clauseError(err error, clause *where.Clause) error {
	var se *sqlite.Error
	if clause == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_ERROR, sqlite3.SQLITE_TOOBIG:
		return clause.Failure(se.Error())
	}
	return err
}

// explain turns an SQLite error about the catalog file into an *Error with a
// plain message; other errors pass through unchanged.
func explain(path string, err error) error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_NOTADB:
		return &Error{Code: Unavailable, Message: fmt.Sprintf("catalog %s is not a mosaic catalog (not an SQLite database)", path), Err: err}
	case sqlite3.SQLITE_CORRUPT:
		return &Error{Code: Unavailable, Message: fmt.Sprintf("catalog %s is damaged (SQLite reports corruption)", path), Err: err}
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
		return &Error{Code: Unavailable, Message: fmt.Sprintf("catalog %s is read-only: mosaic needs to write it and the folder it is in", path), Err: err}
	case sqlite3.SQLITE_CANTOPEN:
		return &Error{Code: Unavailable, Message: fmt.Sprintf("catalog %s cannot be opened (does its folder exist and is it writable?)", path), Err: err}
	case sqlite3.SQLITE_FULL:
		return &Error{Code: Unavailable, Message: fmt.Sprintf("catalog %s: the disk is full", path), Err: err}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return &Error{Code: Unavailable, Message: fmt.Sprintf("catalog %s is busy: another process held it locked for too long, try again", path), Err: err}
	case sqlite3.SQLITE_IOERR:
		return &Error{Code: Unavailable, Message: fmt.Sprintf("catalog %s: input/output error: %v", path, err), Err: err}
	}
	return err
}
