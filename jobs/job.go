package jobs

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"mosaic/catalog"
)

// Status is an ArcGIS job status.
type Status string

// The ArcGIS job statuses.
const (
	New        Status = "esriJobNew"
	Submitted  Status = "esriJobSubmitted"
	Waiting    Status = "esriJobWaiting"
	Executing  Status = "esriJobExecuting"
	Succeeded  Status = "esriJobSucceeded"
	Failed     Status = "esriJobFailed"
	TimedOut   Status = "esriJobTimedOut"
	Cancelling Status = "esriJobCancelling"
	Cancelled  Status = "esriJobCancelled"
)

// Finished reports whether a job in status s will not change any more
// (except by undo, and a failed DeleteImage by `jobs resume`).
func (s Status) Finished() bool {
	return s == Succeeded || s == Failed || s == TimedOut || s == Cancelled
}

// Message types, as ArcGIS names them.
const (
	Informative = "esriJobMessageTypeInformative"
	Warning     = "esriJobMessageTypeWarning"
	ErrorType   = "esriJobMessageTypeError"
)

// Tasks, named as the ArcGIS Raster Analysis service names them (UndoJob
// is mosaic's own).
const (
	TaskCreateImageCollection = "CreateImageCollection"
	TaskAddImage              = "AddImage"
	TaskDeleteImage           = "DeleteImage"
	TaskDeleteImageCollection = "DeleteImageCollection"
	TaskUndo                  = "UndoJob"
)

// Message is a job message.
type Message struct {
	Type        string `json:"type"`
	Description string `json:"description"`
}

// Job is a job as stored in the catalog.
type Job struct {
	Seq            int64
	ID             string
	Task           string
	Status         Status
	CollectionID   int64
	CollectionName string
	Inputs         map[string]json.RawMessage
	UndoTable      string
	UndoInfo       []byte
	Total          int64 // items to remove (an estimate while Estimated), or rasters to read
	Done           int64 // items removed (or restored) so far
	Cursor         int64 // a DeleteImage has looked at the items up to this OBJECTID
	// HighOID and Clause fix what a DeleteImage removes, at submission: the
	// items up to OBJECTID HighOID that Clause (the where clause compiled,
	// with "now" bound to the submission time) selects.
	HighOID         int64
	Clause          string
	Strategy        catalog.UndoKind // how it removes, chosen when it starts; "" before
	Estimated       bool             // Total is an estimate
	Purged          time.Time        // when its undo log was purged
	Result          json.RawMessage
	Owner           string
	Heartbeat       time.Time
	CancelRequested bool
	UndoneBy        string
	Submitted       time.Time
	Started         time.Time
	Finished        time.Time
	Messages        []Message
	// Cause is why the job failed, when this process ran it and it failed
	// (it is not stored): callers map its code, such as catalog.Invalid
	// for a manifest with a bad line, to what they answer.
	Cause error
}

// Input returns the string value of an input parameter ("" if absent or not
// a string).
func (j *Job) Input(name string) string {
	var s string
	json.Unmarshal(j.Inputs[name], &s)
	return s
}

// inputBool returns a boolean input, def when absent.
func (j *Job) inputBool(name string, def bool) bool {
	raw, ok := j.Inputs[name]
	if !ok {
		return def
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		return def
	}
	return b
}

func newJobID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new job id: %w", err)
	}
	return "j" + hex.EncodeToString(b[:]), nil
}

// ValidJobID reports whether s has the form of a job id: j + 32 lowercase hex.
func ValidJobID(s string) bool {
	if len(s) != 33 || s[0] != 'j' {
		return false
	}
	for _, c := range s[1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

var errStop = errors.New("stop")

// paramValue is a parameter value as ArcGIS gives it:
// {"paramName":…,"dataType":…,"value":…}, in that order.
func paramValue(name, dataType string, value any) json.RawMessage {
	return catalog.JSON(struct {
		ParamName string `json:"paramName"`
		DataType  string `json:"dataType"`
		Value     any    `json:"value"`
	}{name, dataType, value})
}

// resultURL is the value of a result that points at a collection.
func resultURL(url string) json.RawMessage {
	return paramValue("result", "GPString", map[string]string{"url": url})
}
