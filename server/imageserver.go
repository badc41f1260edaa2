package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mosaic/catalog"
	"mosaic/internal/textutil"
)

// extentJSON is an ArcGIS envelope; an empty collection has an empty one
// (null coordinates).
type extentJSON struct {
	XMin             *float64       `json:"xmin"`
	YMin             *float64       `json:"ymin"`
	XMax             *float64       `json:"xmax"`
	YMax             *float64       `json:"ymax"`
	SpatialReference map[string]any `json:"spatialReference"`
}

func envelope(e *catalog.Extent, srs string) extentJSON {
	out := extentJSON{SpatialReference: catalog.SpatialReferenceJSON(srs)}
	if e != nil {
		out.XMin, out.YMin, out.XMax, out.YMax = &e.XMin, &e.YMin, &e.XMax, &e.YMax
	}
	return out
}

// imageServiceInfo is a collection as an ArcGIS image service describes
// itself. ItemCount is mosaic's extension.
type imageServiceInfo struct {
	CurrentVersion     float64             `json:"currentVersion"`
	ServiceDescription string              `json:"serviceDescription"`
	Name               string              `json:"name"`
	Description        string              `json:"description"`
	Extent             extentJSON          `json:"extent"`
	InitialExtent      extentJSON          `json:"initialExtent"`
	FullExtent         extentJSON          `json:"fullExtent"`
	SpatialReference   map[string]any      `json:"spatialReference"`
	ServiceDataType    string              `json:"serviceDataType"`
	ServiceItemID      string              `json:"serviceItemId"`
	ObjectIDField      string              `json:"objectIdField"`
	Fields             []catalog.FieldJSON `json:"fields"`
	Capabilities       string              `json:"capabilities"`
	MaxRecordCount     int                 `json:"maxRecordCount"`
	ItemCount          int64               `json:"itemCount"`
}

// collection resolves the collection named in a service path. A name that
// cannot be a collection is simply not found.
func (s *Server) collection(ctx context.Context, name string) (*catalog.Collection, int64, error) {
	if r, err := catalog.ParseRef(name); err != nil || r.Name != name {
		return nil, 0, errorf(codeNotFound, "service Hosted/%s/ImageServer not found", name)
	}
	var coll *catalog.Collection
	var n int64
	err := s.cat.View(ctx, func(tx *catalog.Tx) error {
		var err error
		if coll, err = tx.Collection(ctx, name); err != nil {
			return err
		}
		n, err = tx.CountItems(ctx, coll)
		return err
	})
	return coll, n, err
}

// imageService answers …/Hosted/<name>/ImageServer.
func (s *Server) imageService(req *request, name string) {
	coll, n, err := s.collection(req.Context(), name)
	if err != nil {
		s.fail(req, err)
		return
	}
	ext := envelope(coll.Boundary, coll.SRS)
	v := imageServiceInfo{
		CurrentVersion: currentVersion, Name: coll.Name,
		Description: fmt.Sprintf("Image collection %s of a mosaic catalog", coll.Name),
		Extent:      ext, InitialExtent: ext, FullExtent: ext,
		SpatialReference: catalog.SpatialReferenceJSON(coll.SRS),
		ServiceDataType:  "esriImageServiceDataTypeGeneric", ServiceItemID: coll.ItemID,
		ObjectIDField: "OBJECTID", Fields: catalog.FieldsJSON(coll.Schema()),
		Capabilities: "Catalog", MaxRecordCount: maxRecordCount, ItemCount: n,
	}
	if req.format == "html" {
		s.writeHTML(req, http.StatusOK, "imageserver.html", page{Title: coll.Name + " (ImageServer)",
			Data: struct {
				Info imageServiceInfo
				SRS  string
				Path string
			}{v, coll.SRS, req.URL.Path}})
		return
	}
	s.writeJSON(req, v)
}

// queryParams are the parameters of an image service query.
type queryParams struct {
	Where           string
	ObjectIDs       string
	OutFields       string
	ReturnGeometry  bool
	Offset, Count   int64
	CountOnly       bool
	IDsOnly         bool
	countGiven      bool
	offsetGiven     bool
	returnGeomGiven bool
}

func parseQuery(req *request) (queryParams, error) {
	q := queryParams{Where: strings.TrimSpace(req.param("where")), OutFields: strings.TrimSpace(req.param("outFields")),
		ObjectIDs: strings.TrimSpace(req.param("objectIds")), Count: maxRecordCount}
	if q.OutFields == "" {
		q.OutFields = "*"
	}
	var err error
	if q.ReturnGeometry, err = boolParam(req, "returnGeometry", true); err != nil {
		return q, err
	}
	if q.CountOnly, err = boolParam(req, "returnCountOnly", false); err != nil {
		return q, err
	}
	if q.IDsOnly, err = boolParam(req, "returnIdsOnly", false); err != nil {
		return q, err
	}
	q.returnGeomGiven = req.param("returnGeometry") != ""
	intParam := func(name string, min int64) (int64, bool, error) {
		v := strings.TrimSpace(req.param(name))
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min {
			return 0, false, catalog.ParamErrorf(name, "%s must be an integer of at least %d, not %s", name, min, textutil.Quote(v))
		}
		return n, true, nil
	}
	if q.Offset, q.offsetGiven, err = intParam("resultOffset", 0); err != nil {
		return q, err
	}
	n, given, err := intParam("resultRecordCount", 1)
	if err != nil {
		return q, err
	}
	if given {
		q.Count, q.countGiven = min(n, maxRecordCount), true
	}
	return q, nil
}

// clause returns the where clause of the query: where, and the objectIds
// if given. where is compiled on its own first, so that wrapping it in
// parentheses cannot change what it means.
func (q queryParams) clause(coll *catalog.Collection) (string, error) {
	w := q.Where
	if w != "" {
		if _, err := coll.Compile(w); err != nil {
			return "", err
		}
	}
	if q.ObjectIDs == "" {
		return w, nil
	}
	parts := strings.Split(q.ObjectIDs, ",")
	if len(parts) > maxRecordCount {
		return "", catalog.ParamErrorf("objectIds", "objectIds lists %d ids; at most %d", len(parts), maxRecordCount)
	}
	ids := make([]string, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			return "", catalog.ParamErrorf("objectIds", "objectIds must be integers separated by commas, not %s", textutil.Quote(p))
		}
		ids[i] = strconv.FormatInt(n, 10)
	}
	in := "OBJECTID IN (" + strings.Join(ids, ",") + ")"
	if w == "" {
		return in, nil
	}
	return "(" + w + ") AND " + in, nil
}

// query answers …/Hosted/<name>/ImageServer/query: the collection's items
// as a feature set, their count, or their ids.
func (s *Server) query(req *request, name string) {
	ctx := req.Context()
	q, err := parseQuery(req)
	if err != nil {
		s.fail(req, err)
		return
	}
	coll, _, err := s.collection(ctx, name)
	if err != nil {
		s.fail(req, err)
		return
	}
	whereText, err := q.clause(coll)
	if err != nil {
		s.fail(req, err)
		return
	}
	if req.format == "html" {
		s.queryPage(req, coll, q, whereText)
		return
	}
	switch {
	case q.CountOnly:
		sel, err := coll.Select(catalog.Query{Where: whereText})
		if err != nil {
			s.fail(req, err)
			return
		}
		n, err := s.cat.Count(ctx, sel)
		if err != nil {
			s.fail(req, err)
			return
		}
		s.writeJSON(req, struct {
			Count int64 `json:"count"`
		}{n})
	case q.IDsOnly:
		sel, err := coll.Select(catalog.Query{Where: whereText, Fields: []string{"OBJECTID"}})
		if err != nil {
			s.fail(req, err)
			return
		}
		s.stream(req, func(w io.Writer) error {
			bw := bufio.NewWriterSize(w, 32<<10)
			bw.WriteString(`{"objectIdFieldName":"OBJECTID","objectIds":[`)
			n := 0
			err := s.cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
				if n++; n > 1 {
					bw.WriteByte(',')
				}
				_, err := fmt.Fprint(bw, row.Values[0])
				return err
			})
			if err != nil {
				return err
			}
			bw.WriteString("]}\n")
			return bw.Flush()
		})
	default:
		sel, err := coll.Select(catalog.Query{Where: whereText, Fields: strings.Split(q.OutFields, ","),
			Geometry: q.ReturnGeometry, Offset: q.Offset, Limit: q.Count + 1})
		if err != nil {
			s.fail(req, err)
			return
		}
		s.stream(req, func(w io.Writer) error { return s.featureSet(ctx, w, sel, q.Count) })
	}
}

// featureSet writes one page of the selection's items: at most count,
// with "exceededTransferLimit": true when more follow (the selection asks
// for one more than the page to know).
func (s *Server) featureSet(ctx context.Context, w io.Writer, sel *catalog.Selection, count int64) error {
	fw := catalog.NewFeatureSetWriter(w, sel.FeatureSet())
	n := int64(0)
	err := s.cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
		if n++; n > count {
			fw.ExceededTransferLimit = true
			return nil
		}
		return fw.Write(row)
	})
	if err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// queryPageData is what the HTML query page shows: the form, and the
// answer once a query was made.
type queryPageData struct {
	Name                               string
	Where, ObjectIDs, OutFields        string
	ReturnGeometry, CountOnly, IDsOnly bool
	Offset, Count                      string
	Asked                              bool
	Total                              int64
	Fields                             []string
	Rows                               [][]string
	IDs                                []string
	Exceeded                           bool
	JSONURL                            string
}

// queryPage answers a query with f=html: a form, and the items as a table.
func (s *Server) queryPage(req *request, coll *catalog.Collection, q queryParams, whereText string) {
	ctx := req.Context()
	d := queryPageData{Name: coll.Name, Where: q.Where, ObjectIDs: q.ObjectIDs, OutFields: q.OutFields,
		ReturnGeometry: q.ReturnGeometry, CountOnly: q.CountOnly, IDsOnly: q.IDsOnly}
	if q.offsetGiven {
		d.Offset = strconv.FormatInt(q.Offset, 10)
	}
	if q.countGiven {
		d.Count = strconv.FormatInt(q.Count, 10)
	}
	d.Asked = q.Where != "" || q.ObjectIDs != "" || q.CountOnly || q.IDsOnly
	if d.Asked {
		v := url.Values{}
		for k, vs := range req.form {
			if !strings.EqualFold(k, "f") && !strings.EqualFold(k, "token") {
				v[k] = vs
			}
		}
		v.Set("f", "pjson")
		d.JSONURL = req.URL.Path + "?" + v.Encode()
	}
	var err error
	switch {
	case !d.Asked:
	case q.CountOnly:
		var sel *catalog.Selection
		if sel, err = coll.Select(catalog.Query{Where: whereText}); err == nil {
			d.Total, err = s.cat.Count(ctx, sel)
		}
	case q.IDsOnly:
		var sel *catalog.Selection
		if sel, err = coll.Select(catalog.Query{Where: whereText, Fields: []string{"OBJECTID"}, Limit: maxRecordCount + 1}); err == nil {
			err = s.cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
				if len(d.IDs) == maxRecordCount {
					d.Exceeded = true
					return nil
				}
				d.IDs = append(d.IDs, fmt.Sprint(row.Values[0]))
				return nil
			})
		}
	default:
		var sel *catalog.Selection
		if sel, err = coll.Select(catalog.Query{Where: whereText, Fields: strings.Split(q.OutFields, ","), Offset: q.Offset, Limit: q.Count + 1}); err == nil {
			for _, f := range sel.Fields {
				d.Fields = append(d.Fields, f.Name)
			}
			err = s.cat.Each(ctx, sel, func(row *catalog.ItemRow) error {
				if int64(len(d.Rows)) == q.Count {
					d.Exceeded = true
					return nil
				}
				cells := make([]string, len(row.Values))
				for i, v := range row.Values {
					cells[i] = cellText(v)
				}
				d.Rows = append(d.Rows, cells)
				return nil
			})
		}
	}
	if err != nil {
		s.fail(req, err)
		return
	}
	s.writeHTML(req, http.StatusOK, "query.html", page{Title: "Query (" + coll.Name + ")", JSONURL: d.JSONURL, Data: d})
}

// cellText shows an item value in a table cell.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
