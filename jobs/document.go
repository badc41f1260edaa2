package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"mosaic/catalog"
	"mosaic/where"
)

// ParamURL points at a job's input or result, relative to the job's URL.
type ParamURL struct {
	ParamURL string `json:"paramUrl"`
}

// Progress is a running job's progress.
type Progress struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Percent int    `json:"percent"`
}

// Document is a job as ArcGIS reports it (GET …/jobs/<jobId>, and the
// output of `jobs status`).
type Document struct {
	JobID     string              `json:"jobId"`
	JobStatus Status              `json:"jobStatus"`
	Messages  []Message           `json:"messages"`
	Results   map[string]ParamURL `json:"results"`
	Inputs    map[string]ParamURL `json:"inputs"`
	Progress  *Progress           `json:"progress,omitempty"`
}

// Document returns the job's ArcGIS job document. Results appear once they
// exist: result when the job succeeded, removedItems once it removed items.
func (j *Job) Document() Document {
	d := Document{JobID: j.ID, JobStatus: j.Status, Messages: j.Messages,
		Results: map[string]ParamURL{}, Inputs: map[string]ParamURL{}}
	if d.Messages == nil {
		d.Messages = []Message{}
	}
	if j.Result != nil {
		d.Results["result"] = ParamURL{"results/result"}
	}
	if j.hasRemovedItems() {
		d.Results["removedItems"] = ParamURL{"results/removedItems"}
	}
	for name := range j.Inputs {
		if name == "collectionItemId" {
			continue
		}
		d.Inputs[name] = ParamURL{"inputs/" + name}
	}
	if j.Task != TaskDeleteImageCollection && j.Task != TaskCreateImageCollection {
		d.Progress = j.progress()
	}
	return d
}

func (j *Job) hasRemovedItems() bool {
	return (j.Task == TaskDeleteImage || j.Task == TaskDeleteImageCollection) && j.Done > 0
}

func (j *Job) progress() *Progress {
	p := &Progress{Type: "default"}
	switch {
	case j.Task == TaskAddImage && j.Status == Succeeded:
		p.Message = fmt.Sprintf("Added %d items", j.Done)
	case j.Task == TaskAddImage:
		p.Message = fmt.Sprintf("Read %d of %d rasters", j.Done, j.Total)
	case j.Task == TaskUndo:
		p.Message = fmt.Sprintf("Restored %d of %d items", j.Done, j.Total)
	case j.Task == TaskDeleteImage && j.Strategy == "" && !j.Status.Finished():
		p.Message = "Not started"
	case j.Task == TaskDeleteImage && j.Strategy == "":
		p.Message = "Deleted 0 items"
	case j.Estimated:
		p.Message = fmt.Sprintf("Deleted %d of about %d items", j.Done, j.Total)
	default:
		p.Message = fmt.Sprintf("Deleted %d of %d items", j.Done, j.Total)
	}
	switch {
	case j.Status == Succeeded:
		p.Percent = 100
	case j.Task == TaskDeleteImage && j.HighOID > 0:
		// How far it looked through the collection: a better guide to
		// the time left than an estimated total.
		p.Percent = int(j.Cursor * 100 / j.HighOID)
	case j.Total > 0:
		p.Percent = int(j.Done * 100 / j.Total)
	}
	return p
}

// Summary is a job as `jobs list` shows it.
type Summary struct {
	JobID           string `json:"jobId"`
	JobStatus       Status `json:"jobStatus"`
	Task            string `json:"task"`
	ImageCollection string `json:"imageCollection"`
	Submitted       string `json:"submitted"`
	Finished        string `json:"finished,omitempty"`
	ItemsDone       int64  `json:"itemsDone"`
	ItemsTotal      int64  `json:"itemsTotal"`
	UndoneBy        string `json:"undoneBy,omitempty"`
	Undoes          string `json:"undoes,omitempty"`
	Purged          string `json:"purged,omitempty"` // when its undo log was purged
}

// Summary returns the job's line in `jobs list`.
func (j *Job) Summary() Summary {
	s := Summary{JobID: j.ID, JobStatus: j.Status, Task: j.Task, ImageCollection: j.CollectionName,
		Submitted: rfc3339(j.Submitted), Finished: rfc3339(j.Finished), ItemsDone: j.Done, ItemsTotal: j.Total, UndoneBy: j.UndoneBy,
		Purged: rfc3339(j.Purged)}
	if j.Task == TaskUndo {
		s.Undoes = j.Input("jobId")
	}
	return s
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// InputValue returns an input parameter as ArcGIS gives it
// (…/jobs/<jobId>/inputs/<name>).
func (j *Job) InputValue(name string) (json.RawMessage, error) {
	raw, ok := j.Inputs[name]
	if !ok || name == "collectionItemId" {
		return nil, catalog.Errorf(catalog.NotFound, "job %s has no input %q", j.ID, name)
	}
	dataType := "GPString"
	var v any
	json.Unmarshal(raw, &v)
	if _, isBool := v.(bool); isBool {
		dataType = "GPBoolean"
	}
	return paramValue(name, dataType, raw), nil
}

// WriteResult writes result parameter param of job id to w, as ArcGIS
// gives it (…/jobs/<jobId>/results/<param>): result is
// {"paramName":"result","dataType":"GPString","value":{"url":…}};
// removedItems is a GPRecordSet listing the OBJECTID and Name of every item
// the job removed, streamed. It lists them after an undo too, and says so
// with "undoneBy" (the undo job's id); after a purge, with "purged": true
// (the items can no longer be restored).
func (m *Manager) WriteResult(ctx context.Context, id, param string, w io.Writer) error {
	j, err := m.Get(ctx, id)
	if err != nil {
		return err
	}
	switch param {
	case "result", "":
		if j.Result == nil {
			return catalog.Errorf(catalog.Conflict, "job %s has no result: it is %s", j.ID, j.Status)
		}
		_, err := fmt.Fprintf(w, "%s\n", j.Result)
		return err
	case "removedItems":
		return m.withRemoved(ctx, j, func(each func(func(catalog.ItemRef) error) error) error {
			if _, err := io.WriteString(w, `{"paramName":"removedItems","dataType":"GPRecordSet","value":`); err != nil {
				return err
			}
			fields := []catalog.Field{{Name: "OBJECTID", Type: where.Integer}, {Name: "Name", Type: where.Text}}
			fw := catalog.NewFeatureSetWriter(w, catalog.FeatureSet{Fields: fields})
			row := &catalog.ItemRow{Values: make([]any, 2)}
			err := each(func(it catalog.ItemRef) error {
				row.Values[0], row.Values[1] = it.OBJECTID, it.Name
				return fw.Write(row)
			})
			if err != nil {
				return err
			}
			if err := fw.Close(); err != nil {
				return err
			}
			if j.UndoneBy != "" {
				if _, err := fmt.Fprintf(w, `,"undoneBy":%s`, catalog.JSON(j.UndoneBy)); err != nil {
					return err
				}
			}
			if !j.Purged.IsZero() {
				if _, err := io.WriteString(w, `,"purged":true`); err != nil {
					return err
				}
			}
			_, err = io.WriteString(w, "}\n")
			return err
		})
	}
	return catalog.Errorf(catalog.NotFound, "job %s has no result %q (results: result, removedItems)", j.ID, param)
}

// EachRemoved calls fn, in OBJECTID order, with the OBJECTID and Name of
// each item job id removed: the removedItems result, as records. It lists
// them after an undo or a purge too.
func (m *Manager) EachRemoved(ctx context.Context, id string, fn func(catalog.ItemRef) error) error {
	j, err := m.Get(ctx, id)
	if err != nil {
		return err
	}
	return m.withRemoved(ctx, j, func(each func(func(catalog.ItemRef) error) error) error { return each(fn) })
}

// withRemoved calls use, in one read transaction, with the way to list
// the items job j removed (see removedSource).
func (m *Manager) withRemoved(ctx context.Context, j *Job, use func(each func(func(catalog.ItemRef) error) error) error) error {
	if !j.hasRemovedItems() {
		return catalog.Errorf(catalog.Conflict, "job %s has removed no items (%s)", j.ID, j.Status)
	}
	return m.cat.View(ctx, func(tx *catalog.Tx) error {
		each, err := removedSource(ctx, tx, j)
		if err != nil {
			return err
		}
		return use(each)
	})
}

// RemovedSelection selects the items DeleteImage job id removed, with
// fields (every one when none is named) and their footprints, as its undo
// log keeps them: for an audit outside the catalog (jobs result ID
// removedItems -f geojson) and the picture on the job's page. Once the job
// is undone (its items are back in the collection) or its undo log purged
// (only their OBJECTIDs and Names are kept), there are no removed rows to
// read, and it says so.
func (m *Manager) RemovedSelection(ctx context.Context, id string, fields ...string) (*catalog.Selection, error) {
	j, err := m.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case !j.hasRemovedItems():
		return nil, catalog.Errorf(catalog.Conflict, "job %s has removed no items (%s)", j.ID, j.Status)
	case j.Task != TaskDeleteImage:
		return nil, catalog.Errorf(catalog.Conflict, "job %s is a %s: only a DeleteImage's removed items can be read whole (its OBJECTIDs and Names: -f json or csv)", j.ID, j.Task)
	case j.UndoneBy != "":
		return nil, catalog.Errorf(catalog.Conflict, "job %s was undone by job %s: its items are back in %s (list-images or export them); -f json or csv lists which they were", j.ID, j.UndoneBy, j.CollectionName)
	case !j.Purged.IsZero():
		return nil, catalog.Errorf(catalog.Conflict, "job %s's undo log was purged: only the OBJECTID and Name of its items are kept (-f json or csv)", j.ID)
	}
	var sel *catalog.Selection
	err = m.cat.View(ctx, func(tx *catalog.Tx) error {
		log, err := j.undoLog()
		if err != nil {
			return err
		}
		if log == nil {
			return catalog.Errorf(catalog.Conflict, "job %s has removed no items yet (%s)", j.ID, j.Status)
		}
		if ok, err := tx.TableExists(ctx, log.Table); err != nil {
			return err
		} else if !ok {
			return catalog.Errorf(catalog.Unavailable, "job %s: the record of the items it removed is missing (undo table %s); see mosaic check", j.ID, log.Table)
		}
		coll, err := tx.CollectionByID(ctx, j.CollectionID)
		if err != nil {
			return err
		}
		sel, err = coll.SelectRemoved(log, fields, true)
		return err
	})
	return sel, err
}

// removedSource returns how to list the items job j removed: from its
// stored list (once its undo log is purged, or its collection restored),
// else from its undo log.
func removedSource(ctx context.Context, tx *catalog.Tx, j *Job) (func(func(catalog.ItemRef) error) error, error) {
	listed, err := tx.HasRemovedList(ctx, j.Seq)
	if err != nil {
		return nil, err
	}
	if listed {
		return func(fn func(catalog.ItemRef) error) error { return tx.EachListed(ctx, j.Seq, fn) }, nil
	}
	log, err := j.undoLog()
	if err != nil {
		return nil, err
	}
	if log != nil {
		if ok, err := tx.TableExists(ctx, log.Table); err != nil {
			return nil, err
		} else if !ok {
			log = nil
		}
	}
	if log == nil {
		return nil, catalog.Errorf(catalog.Unavailable, "job %s: the record of the items it removed is missing (undo table %s); see mosaic check", j.ID, j.UndoTable)
	}
	return func(fn func(catalog.ItemRef) error) error { return tx.EachRemoved(ctx, log, fn) }, nil
}
