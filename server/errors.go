package server

import (
	"errors"
	"fmt"
	"net/http"

	"mosaic/catalog"
)

// ArcGIS error codes the server answers with. They go in the body
// ({"error":{"code":…}}); JSON responses are HTTP 200 whatever the code, as
// ArcGIS Server answers, and HTML error pages carry the matching HTTP status.
const (
	codeInvalid       = 400 // bad or missing parameters; a state that refuses the request
	codeForbidden     = 403 // a cross-site submission, or a Host that is not this server
	codeNotFound      = 404 // unknown task, job, result or collection
	codeMethod        = 405 // a method other than GET, HEAD or POST
	codeInternal      = 500 // a fault of mosaic: logged with the request id, not shown
	codeUnavailable   = 503 // the catalog cannot be used now (locked, read-only, full) or the server is stopping
	codeInvalidToken  = 498 // ArcGIS: the token is wrong
	codeTokenRequired = 499 // ArcGIS: no token was given
)

// apiError is an error as an ArcGIS REST response shows it.
type apiError struct {
	Code    int      `json:"code"`
	Message string   `json:"message"`
	Details []string `json:"details"`
	cause   error    // logged for internal errors, never shown
}

func (e *apiError) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Message) }

// errorf builds an apiError with a formatted message.
func errorf(code int, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...), Details: []string{}}
}

// errShuttingDown refuses new jobs while the server drains.
var errShuttingDown = errorf(codeUnavailable, "the server is shutting down and takes no new jobs; submit again once it is back")

// arcgisCode maps the catalog's error codes to the ArcGIS error codes
// clients see:
//
//   - Invalid and Conflict: 400 with the message (it says what to change),
//     and the parameter it is about in the details;
//   - NotFound: 404 with the message;
//   - Unavailable: 503 with the message (the catalog is locked, read-only,
//     full or damaged: the operator can act on it, and retrying may
//     succeed). ArcGIS Server has no such code and would say 500; a
//     distinct code lets clients retry without treating it as a bug;
//   - Internal, and any error without a code: a fault of mosaic, 500 with
//     only the request id; the cause goes to the log.
var arcgisCode = map[catalog.Code]int{
	catalog.Invalid:     codeInvalid,
	catalog.Conflict:    codeInvalid,
	catalog.NotFound:    codeNotFound,
	catalog.Unavailable: codeUnavailable,
	catalog.Internal:    codeInternal,
}

// toAPIError maps an error from the jobs and catalog packages to what the
// client sees (see arcgisCode).
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	e := &apiError{Code: arcgisCode[catalog.ErrorCode(err)], Message: err.Error(), Details: []string{}, cause: err}
	if e.Code == codeInternal {
		e.Message = ""
	}
	if p := catalog.ErrorParam(err); p != "" {
		e.Details = []string{"parameter " + p}
	}
	return e
}

// httpStatus is the HTTP status of an HTML error page with code.
func httpStatus(code int) int {
	switch code {
	case codeInvalidToken, codeTokenRequired:
		return http.StatusUnauthorized
	case codeInvalid, codeForbidden, codeNotFound, codeMethod, codeInternal, codeUnavailable:
		return code
	}
	return http.StatusInternalServerError
}
