package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mosaic/catalog"
	"mosaic/pictures"
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
// itself: the ArcGIS REST API's "Image Service" resource
// (developers.arcgis.com/rest/services-reference/enterprise/image-service.htm;
// advancedQueryCapabilities since 10.3.1, hasMultidimensions since 10.3),
// in the order ArcGIS Server writes it. ItemCount is mosaic's extension. Pixel statistics are unknown, since mosaic never reads pixels:
// minValues, maxValues, meanValues and stdvValues are empty lists, as an
// ArcGIS service without statistics shows them, and hasHistograms is false.
type imageServiceInfo struct {
	CurrentVersion          float64             `json:"currentVersion"`
	ServiceDescription      string              `json:"serviceDescription"`
	Name                    string              `json:"name"`
	Description             string              `json:"description"`
	Extent                  extentJSON          `json:"extent"`
	InitialExtent           extentJSON          `json:"initialExtent"`
	FullExtent              extentJSON          `json:"fullExtent"`
	HasMultidimensions      bool                `json:"hasMultidimensions"`
	TimeInfo                *timeInfoJSON       `json:"timeInfo,omitempty"`
	PixelSizeX              float64             `json:"pixelSizeX"`
	PixelSizeY              float64             `json:"pixelSizeY"`
	BandCount               int                 `json:"bandCount"`
	PixelType               string              `json:"pixelType"`
	MinPixelSize            float64             `json:"minPixelSize"`
	MaxPixelSize            float64             `json:"maxPixelSize"`
	CopyrightText           string              `json:"copyrightText"`
	ServiceDataType         string              `json:"serviceDataType"`
	ServiceSourceType       string              `json:"serviceSourceType"`
	MinValues               []float64           `json:"minValues"`
	MaxValues               []float64           `json:"maxValues"`
	MeanValues              []float64           `json:"meanValues"`
	StdvValues              []float64           `json:"stdvValues"`
	ObjectIDField           string              `json:"objectIdField"`
	Fields                  []catalog.FieldJSON `json:"fields"`
	Capabilities            string              `json:"capabilities"`
	DefaultMosaicMethod     string              `json:"defaultMosaicMethod"`
	AllowedMosaicMethods    string              `json:"allowedMosaicMethods"`
	SortField               string              `json:"sortField"`
	SortValue               any                 `json:"sortValue"`
	SortAscending           bool                `json:"sortAscending"`
	MosaicOperator          string              `json:"mosaicOperator"`
	MaxImageHeight          int                 `json:"maxImageHeight"`
	MaxImageWidth           int                 `json:"maxImageWidth"`
	MaxRecordCount          int                 `json:"maxRecordCount"`
	MaxDownloadImageCount   int                 `json:"maxDownloadImageCount"`
	MaxMosaicImageCount     int                 `json:"maxMosaicImageCount"`
	AllowRasterFunction     bool                `json:"allowRasterFunction"`
	RasterFunctionInfos     []rasterFunction    `json:"rasterFunctionInfos"`
	HasHistograms           bool                `json:"hasHistograms"`
	HasColormap             bool                `json:"hasColormap"`
	HasRasterAttributeTable bool                `json:"hasRasterAttributeTable"`
	MinScale                float64             `json:"minScale"`
	MaxScale                float64             `json:"maxScale"`
	SupportsStatistics      bool                `json:"supportsStatistics"`
	SupportsAdvancedQueries bool                `json:"supportsAdvancedQueries"`
	UseStandardizedQueries  bool                `json:"useStandardizedQueries"`
	AdvancedQuery           advancedQueryJSON   `json:"advancedQueryCapabilities"`
	SpatialReference        map[string]any      `json:"spatialReference"`
	ServiceItemID           string              `json:"serviceItemId"`
	ItemCount               int64               `json:"itemCount"`
}

// timeInfoJSON is an image service's timeInfo: its time field and the
// extent of its items' times (milliseconds since 1970), null when no item
// has a time.
type timeInfoJSON struct {
	StartTimeField string    `json:"startTimeField"`
	EndTimeField   *string   `json:"endTimeField"`
	TimeExtent     *[2]int64 `json:"timeExtent"`
	TimeReference  any       `json:"timeReference"`
}

// advancedQueryJSON says which query parameters the service implements
// (advancedQueryCapabilities). The spatial ones are refused for now.
type advancedQueryJSON struct {
	UseStandardizedQueries       bool `json:"useStandardizedQueries"`
	SupportsStatistics           bool `json:"supportsStatistics"`
	SupportsOrderBy              bool `json:"supportsOrderBy"`
	SupportsDistinct             bool `json:"supportsDistinct"`
	SupportsPagination           bool `json:"supportsPagination"`
	SupportsTrueCurve            bool `json:"supportsTrueCurve"`
	SupportsReturningQueryExtent bool `json:"supportsReturningQueryExtent"`
	SupportsQueryWithDistance    bool `json:"supportsQueryWithDistance"`
}

type rasterFunction struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Help        string `json:"help"`
}

// Mosaic properties an image service shows, at ArcGIS's defaults for a
// mosaic dataset (Set Mosaic Dataset Properties): mosaic never mosaics
// pixels, but clients read them.
const (
	defaultMosaicMethod  = "NorthWest"
	allowedMosaicMethods = "NorthWest,Center,LockRaster,ByAttribute,Nadir,Viewpoint,Seamline,None"
	maxImageHeight       = 4100
	maxImageWidth        = 15000
	maxMosaicImageCount  = 20
)

// collection resolves the collection named in a service path. A name that
// cannot be a collection is simply not found.
func (s *Server) collection(ctx context.Context, name string) (*catalog.Collection, error) {
	if r, err := catalog.ParseRef(name); err != nil || r.Name != name {
		return nil, errorf(codeNotFound, "service Hosted/%s/ImageServer not found", name)
	}
	return s.cat.Collection(ctx, name)
}

// imageService answers …/Hosted/<name>/ImageServer.
func (s *Server) imageService(req *request, name string) {
	ctx := req.Context()
	coll, err := s.collection(ctx, name)
	if err != nil {
		s.fail(req, err)
		return
	}
	si, err := s.cat.ServiceInfo(ctx, coll)
	if err != nil {
		s.fail(req, err)
		return
	}
	ext := envelope(coll.Boundary, coll.SRS)
	fields := append([]catalog.FieldJSON{catalog.ShapeFieldJSON}, catalog.ServiceFieldsJSON(coll.Schema())...)
	fields[0], fields[1] = fields[1], fields[0] // OBJECTID, Shape, then the others, as ArcGIS lists them
	v := imageServiceInfo{
		CurrentVersion: currentVersion, Name: coll.Name,
		Description: fmt.Sprintf("Image collection %s of a mosaic catalog", coll.Name),
		Extent:      ext, InitialExtent: ext, FullExtent: ext,
		PixelSizeX: si.CellSize, PixelSizeY: si.CellSize, BandCount: si.BandCount, PixelType: si.PixelType,
		ServiceDataType: "esriImageServiceDataTypeGeneric", ServiceSourceType: "esriImageServiceSourceTypeMosaicDataset",
		MinValues: []float64{}, MaxValues: []float64{}, MeanValues: []float64{}, StdvValues: []float64{},
		ObjectIDField: "OBJECTID", Fields: fields, Capabilities: "Catalog",
		DefaultMosaicMethod: defaultMosaicMethod, AllowedMosaicMethods: allowedMosaicMethods, SortAscending: true,
		MosaicOperator: "First", MaxImageHeight: maxImageHeight, MaxImageWidth: maxImageWidth,
		MaxRecordCount: maxRecordCount, MaxMosaicImageCount: maxMosaicImageCount,
		RasterFunctionInfos: []rasterFunction{{Name: "None", Description: "", Help: ""}},
		SupportsStatistics:  true, SupportsAdvancedQueries: true, UseStandardizedQueries: true,
		AdvancedQuery: advancedQueryJSON{UseStandardizedQueries: true, SupportsStatistics: true, SupportsOrderBy: true,
			SupportsDistinct: true, SupportsPagination: true},
		SpatialReference: catalog.SpatialReferenceJSON(coll.SRS),
		ServiceItemID:    coll.ItemID, ItemCount: si.Count,
	}
	// Where items differ, ArcGIS takes a mosaic dataset's band count and
	// pixel type from its first raster (Create Mosaic Dataset: "If not
	// defined, the pixel type of the first raster dataset will be used"):
	// so does mosaic. Unknown, they are 1 band of type UNKNOWN.
	if v.BandCount == 0 {
		v.BandCount = 1
	}
	if v.PixelType == "" {
		v.PixelType = "UNKNOWN"
	}
	if si.TimeField != "" {
		v.TimeInfo = &timeInfoJSON{StartTimeField: si.TimeField}
		if te := si.TimeExtent; te != nil {
			v.TimeInfo.TimeExtent = &[2]int64{te[0].UnixMilli(), te[1].UnixMilli()}
		}
	}
	if req.format == "html" {
		var svg bytes.Buffer
		if coll.Boundary != nil {
			err := pictures.Listing(ctx, s.cat, coll, catalog.Query{}, &svg, pictures.Options{Title: coll.Name, Width: 720, Inline: true, IDPrefix: "service-"})
			if err != nil {
				s.fail(req, err)
				return
			}
		}
		s.writeHTML(req, http.StatusOK, "imageserver.html", page{Title: coll.Name + " (ImageServer)",
			Data: struct {
				Info imageServiceInfo
				SRS  string
				Path string
				Map  template.HTML
			}{v, coll.SRS, req.URL.Path, template.HTML(svg.Bytes())}}) // svgmap escapes every text it writes
		return
	}
	s.writeJSON(req, v)
}

// keyProperties answers …/ImageServer/keyProperties: the key properties of
// the service's dataset. mosaic knows none (no band names, wavelengths or
// sensor), which ArcGIS answers as an empty object.
func (s *Server) keyProperties(req *request, name string) {
	if _, err := s.collection(req.Context(), name); err != nil {
		s.fail(req, err)
		return
	}
	if req.format == "html" {
		req.format = "pjson"
	}
	s.writeJSON(req, struct{}{})
}

// statistics answers …/ImageServer/statistics: the band statistics, which
// are unknown (mosaic never reads pixels): an empty list.
func (s *Server) statistics(req *request, name string) {
	if _, err := s.collection(req.Context(), name); err != nil {
		s.fail(req, err)
		return
	}
	if req.format == "html" {
		req.format = "pjson"
	}
	s.writeJSON(req, struct {
		Statistics []any `json:"statistics"`
	}{[]any{}})
}

// query answers …/Hosted/<name>/ImageServer/query: the collection's items
// as a feature set, their count, their ids, or statistics of them.
func (s *Server) query(req *request, name string) {
	ctx := req.Context()
	coll, err := s.collection(ctx, name)
	if err != nil {
		s.fail(req, err)
		return
	}
	q, err := parseQuery(req, coll)
	if err != nil {
		s.fail(req, err)
		return
	}
	if req.format == "html" && q.Stats != nil {
		req.format = "pjson" // statistics have no page of their own
	}
	if req.format == "html" {
		s.queryPage(req, coll, q)
		return
	}
	switch {
	case q.Stats != nil:
		s.outStatistics(req, coll, q)
	case q.ExtentOnly:
		// ArcGIS answers {"extent": …}, with the count too when asked.
		sel, err := coll.Select(q.query([]string{"OBJECTID"}, false, 0, 0))
		if err != nil {
			s.fail(req, err)
			return
		}
		e, n, err := s.cat.Extent(ctx, sel)
		if err != nil {
			s.fail(req, err)
			return
		}
		v := map[string]any{"extent": envelope(e, sel.SRS())}
		if q.CountOnly {
			v["count"] = n
		}
		s.writeJSON(req, v)
	case q.CountOnly:
		fields := []string(nil)
		if q.Distinct {
			fields = strings.Split(q.OutFields, ",")
		}
		sel, err := coll.Select(q.query(fields, false, 0, 0))
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
		// Every id, unless the client pages them (resultOffset,
		// resultRecordCount): ArcGIS has no limit on the ids it returns.
		limit := int64(0)
		if q.countGiven {
			limit = q.Count
		}
		sel, err := coll.Select(q.query([]string{"OBJECTID"}, false, q.Offset, limit))
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
		sel, err := coll.Select(q.query(strings.Split(q.OutFields, ","), q.ReturnGeometry, q.Offset, q.Count+1))
		if err != nil {
			s.fail(req, err)
			return
		}
		s.stream(req, func(w io.Writer) error { return s.featureSet(ctx, w, sel, q.Count) })
	}
}

// outStatistics answers a query with outStatistics: one feature per group
// (one in all without groupByFieldsForStatistics), paged as features are.
func (s *Server) outStatistics(req *request, coll *catalog.Collection, q queryParams) {
	ctx := req.Context()
	cq := q.query([]string{"OBJECTID"}, false, 0, 0)
	cq.OrderBy = nil // orders the statistics' rows, below
	sel, err := coll.Select(cq)
	if err != nil {
		s.fail(req, err)
		return
	}
	sq := catalog.StatisticsQuery{Stats: q.Stats, GroupBy: q.GroupBy, OrderBy: q.OrderBy, Offset: q.Offset, Limit: q.Count + 1}
	s.stream(req, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 32<<10)
		var res catalog.StatisticsResult
		n := int64(0)
		var buf []byte
		err := s.cat.Statistics(ctx, sel, sq, func(r catalog.StatisticsResult) error {
			res = r
			aliases := map[string]string{}
			for _, f := range r.Fields {
				aliases[f.Name] = f.Name
			}
			head := catalog.JSON(struct {
				DisplayFieldName string              `json:"displayFieldName"`
				FieldAliases     map[string]string   `json:"fieldAliases"`
				Fields           []catalog.FieldJSON `json:"fields"`
			}{"", aliases, r.Fields})
			bw.Write(head[:len(head)-1])
			bw.WriteString(`,"features":[`)
			return nil
		}, func(values []any) error {
			if n++; n > q.Count {
				return nil
			}
			if n > 1 {
				bw.WriteByte(',')
			}
			buf = res.Append(append(buf[:0], '\n'), values)
			_, err := bw.Write(buf)
			return err
		})
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]")
		if n > q.Count {
			bw.WriteString(`,"exceededTransferLimit":true`)
		}
		bw.WriteString("}\n")
		return bw.Flush()
	})
}

// featureSet writes one page of the selection's items: at most count,
// with "exceededTransferLimit": true when more follow (the selection asks
// for one more than the page to know).
func (s *Server) featureSet(ctx context.Context, w io.Writer, sel *catalog.Selection, count int64) error {
	fs := sel.FeatureSet()
	fs.Service = true
	fw := catalog.NewFeatureSetWriter(w, fs)
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
	Distinct                           bool
	// The other parameters, as given (the form shows them back).
	Time, OrderBy, PixelSize, MosaicRule, OutStatistics, GroupBy string
	Offset, Count                                                string
	Geometry, GeometryType, InSR, SpatialRel, OutSR              string
	Asked                                                        bool
	// Map draws every item the query selects (not only this page).
	Map      template.HTML
	Total    int64
	Fields   []string
	Rows     [][]string
	IDs      []string
	Exceeded bool
	JSONURL  string
}

// queryPage answers a query with f=html: a form, and the items as a table.
func (s *Server) queryPage(req *request, coll *catalog.Collection, q queryParams) {
	ctx := req.Context()
	d := queryPageData{Name: coll.Name, Where: q.Where, ObjectIDs: q.objectIDsText, OutFields: q.OutFields,
		ReturnGeometry: q.ReturnGeometry, CountOnly: q.CountOnly, IDsOnly: q.IDsOnly, Distinct: q.Distinct,
		Time: req.param("time"), OrderBy: req.param("orderByFields"), PixelSize: req.param("pixelSize"),
		MosaicRule: req.param("mosaicRule"), OutStatistics: req.param("outStatistics"), GroupBy: req.param("groupByFieldsForStatistics"),
		Geometry: req.param("geometry"), GeometryType: req.param("geometryType"), InSR: req.param("inSR"),
		SpatialRel: req.param("spatialRel"), OutSR: req.param("outSR")}
	if q.offsetGiven {
		d.Offset = strconv.FormatInt(q.Offset, 10)
	}
	if q.countGiven {
		d.Count = strconv.FormatInt(q.Count, 10)
	}
	d.Asked = q.Where != "" || q.objectIDsText != "" || q.CountOnly || q.IDsOnly || d.Time != "" || d.OrderBy != "" ||
		d.PixelSize != "" || d.MosaicRule != "" || q.Distinct || q.Spatial != nil
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
		if sel, err = coll.Select(q.query(nil, false, 0, 0)); err == nil {
			d.Total, err = s.cat.Count(ctx, sel)
		}
	case q.IDsOnly:
		var sel *catalog.Selection
		if sel, err = coll.Select(q.query([]string{"OBJECTID"}, false, 0, maxRecordCount+1)); err == nil {
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
		if sel, err = coll.Select(q.query(strings.Split(q.OutFields, ","), false, q.Offset, q.Count+1)); err == nil {
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
	if err == nil && d.Asked {
		// The map shows where the selected items are, all of them: in the
		// collection's own reference (outSR reprojects only the answer).
		mq := q.query(nil, false, 0, 0)
		mq.OutSRS, mq.Distinct, mq.OrderBy = "", false, nil
		var svg bytes.Buffer
		err = pictures.Listing(ctx, s.cat, coll, mq, &svg, pictures.Options{Title: "Items the query selects", Width: 720, Inline: true, IDPrefix: "query-"})
		d.Map = template.HTML(svg.Bytes()) // svgmap escapes every text it writes
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
