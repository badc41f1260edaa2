package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"mosaic/jobs"
)

const scenesPath = "/arcgis/rest/services/Hosted/scenes/ImageServer"

// queryFixture is a server over the collection scenes with n items (see
// testutil.SceneManifest: CloudCover i*10 % 100, AcquisitionDate
// 2020-01-(1+i%28), footprint at x=10i).
func queryFixture(t *testing.T, n int) http.Handler {
	t.Helper()
	cat := mustOpen(t, "", fixedNow)
	mustScenes(t, cat, "scenes", n)
	s, _ := newServer(t, jobs.NewManager(cat), Options{})
	return s.Handler()
}

// TestQueryGolden pins the answers of the query parameters beyond paging.
func TestQueryGolden(t *testing.T) {
	h := queryFixture(t, 12)
	q := scenesPath + "/query"
	cases := []struct {
		name string
		form url.Values
	}{
		{"query-orderby.json", url.Values{"where": {"1=1"}, "outFields": {"OBJECTID,CloudCover,AcquisitionDate"}, "returnGeometry": {"false"},
			"orderByFields": {"CloudCover DESC, AcquisitionDate asc"}, "resultRecordCount": {"5"}}},
		{"query-distinct.json", url.Values{"where": {"CloudCover < 50"}, "outFields": {"CloudCover"}, "returnGeometry": {"false"}, "returnDistinctValues": {"true"}}},
		{"query-distinct-count.json", url.Values{"outFields": {"SensorName,CloudCover"}, "returnDistinctValues": {"true"}, "returnCountOnly": {"true"}}},
		{"query-statistics.json", url.Values{"where": {"1=1"}, "outStatistics": {`[{"statisticType":"count","onStatisticField":"OBJECTID","outStatisticFieldName":"n"},
			{"statisticType":"sum","onStatisticField":"CloudCover","outStatisticFieldName":"total"},{"statisticType":"MIN","onStatisticField":"AcquisitionDate"},
			{"statisticType":"max","onStatisticField":"Name","outStatisticFieldName":"last"},{"statisticType":"avg","onStatisticField":"CloudCover","outStatisticFieldName":"mean"},
			{"statisticType":"stddev","onStatisticField":"CloudCover","outStatisticFieldName":"sd"},{"statisticType":"var","onStatisticField":"CloudCover","outStatisticFieldName":"v"}]`}}},
		{"query-statistics-grouped.json", url.Values{"where": {"OBJECTID <= 6"}, "groupByFieldsForStatistics": {"SensorName, Category"},
			"outStatistics": {`[{"statisticType":"count","onStatisticField":"OBJECTID","outStatisticFieldName":"n"},{"statisticType":"max","onStatisticField":"CloudCover","outStatisticFieldName":"top"}]`},
			"orderByFields": {"top DESC"}}},
		{"query-time.json", url.Values{"time": {"1578096000000, 1578268800000"}, "outFields": {"OBJECTID,AcquisitionDate"}, "returnGeometry": {"false"}}},
		{"query-ids-order.json", url.Values{"where": {"CloudCover >= 60"}, "returnIdsOnly": {"true"}, "orderByFields": {"CloudCover DESC,OBJECTID"}}},
		{"query-mosaicrule.json", url.Values{"mosaicRule": {`{"mosaicMethod":"esriMosaicLockRaster","lockRasterIds":[2,3,5,8],"where":"CloudCover > 20","ascending":true}`},
			"outFields": {"OBJECTID,CloudCover"}, "returnGeometry": {"false"}, "renderingRule": {`{"rasterFunction":"None"}`}}},
		{"query-pixelsize.json", url.Values{"pixelSize": {`{"x":5,"y":5}`}, "returnCountOnly": {"true"}}},
		{"query-geometry.json", url.Values{"geometry": {"25,0,45,10"}, "outFields": {"OBJECTID"}, "returnGeometry": {"false"}}},
		{"query-geometry-contains.json", url.Values{"geometry": {`{"rings":[[[28,-1],[62,-1],[62,11],[28,11],[28,-1]]],"spatialReference":{"wkid":32632}}`},
			"geometryType": {"esriGeometryPolygon"}, "spatialRel": {"esriSpatialRelContains"}, "outFields": {"OBJECTID"}, "returnGeometry": {"false"}}},
		{"query-geometry-within.json", url.Values{"geometry": {"55,5"}, "geometryType": {"esriGeometryPoint"}, "spatialRel": {"esriSpatialRelWithin"},
			"outFields": {"OBJECTID"}, "returnGeometry": {"false"}}},
		{"query-geometry-insr.json", url.Values{"geometry": {`{"x":4.51189,"y":0.00005,"spatialReference":{"wkid":4326}}`}, "geometryType": {"esriGeometryPoint"},
			"outFields": {"OBJECTID"}, "returnGeometry": {"false"}}},
		{"query-outsr.json", url.Values{"where": {"OBJECTID <= 2"}, "outFields": {"OBJECTID"}, "outSR": {`{"wkid":102100}`}}},
		{"query-extent.json", url.Values{"where": {"CloudCover >= 50"}, "returnExtentOnly": {"true"}, "returnCountOnly": {"true"}}},
		{"query-extent-outsr.json", url.Values{"geometry": {"0,0,35,10"}, "returnExtentOnly": {"true"}, "outSR": {"4326"}}},
		{"keyproperties.json", nil},
		{"statistics.json", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := q
			switch c.name {
			case "keyproperties.json":
				path = scenesPath + "/keyProperties"
			case "statistics.json":
				path = scenesPath + "/statistics"
			}
			form := url.Values{"f": {"json"}}
			for k, v := range c.form {
				form[k] = v
			}
			w := call(t, h, "GET", path, form)
			if e, ok := errorOf(t, w.Body.Bytes()); ok {
				t.Fatalf("error %d: %s %v", e.Code, e.Message, e.Details)
			}
			golden(t, c.name, w.Body.Bytes())
		})
	}
}

// TestQueryRefuses: every parameter the server does not implement, and
// every malformed one, is refused with 400 naming it.
func TestQueryRefuses(t *testing.T) {
	h := queryFixture(t, 3)
	for _, c := range []struct {
		param string
		form  url.Values
	}{
		{"geometry", url.Values{"geometry": {"1,2,3"}}},
		{"geometry", url.Values{"geometry": {`{"rings":[[[0,0],[1,1]]]}`}, "geometryType": {"esriGeometryPolygon"}}},
		{"geometry", url.Values{"geometry": {`{"xmin":1,"xmin":2,"ymin":0,"xmax":3,"ymax":4}`}}},
		{"geometry", url.Values{"geometry": {`{"xmin":3,"ymin":0,"xmax":1,"ymax":4}`}}},
		{"geometryType", url.Values{"geometry": {"1,2,3,4"}, "geometryType": {"esriGeometryLine"}}},
		{"spatialRel", url.Values{"geometry": {"1,2,3,4"}, "spatialRel": {"esriSpatialRelTouches"}}},
		{"spatialRel", url.Values{"spatialRel": {"inside"}}},
		{"inSR", url.Values{"geometry": {"1,2,3,4"}, "inSR": {"31467"}}},
		{"inSR", url.Values{"geometry": {"1,2,3,4"}, "inSR": {"wgs84"}}},
		{"outSR", url.Values{"outSR": {`{"wkt":"GEOGCS[\"WGS 84\"]"}`}}},
		{"outSR", url.Values{"outSR": {"99999"}}},
		{"returnExtentOnly", url.Values{"returnExtentOnly": {"maybe"}}},
		{"maxAllowableOffset", url.Values{"maxAllowableOffset": {"10"}}},
		{"geometryPrecision", url.Values{"geometryPrecision": {"2"}}},
		{"multidimensionalDefinition", url.Values{"multidimensionalDefinition": {`[{"variableName":"t"}]`}}},
		{"rasterQuery", url.Values{"rasterQuery": {`{}`}}},
		{"orderByFields", url.Values{"orderByFields": {"Nope"}}},
		{"orderByFields", url.Values{"orderByFields": {"CloudCover UP"}}},
		{"orderByFields", url.Values{"orderByFields": {"CloudCover, cloudcover DESC"}}},
		{"orderByFields", url.Values{"orderByFields": {"CloudCover; DROP TABLE x"}}},
		{"outStatistics", url.Values{"outStatistics": {`{"statisticType":"count"}`}}},
		{"outStatistics", url.Values{"outStatistics": {`[]`}}},
		{"outStatistics", url.Values{"outStatistics": {`[{"statisticType":"median","onStatisticField":"CloudCover"}]`}}},
		{"outStatistics", url.Values{"outStatistics": {`[{"statisticType":"sum","onStatisticField":"Name"}]`}}},
		{"outStatistics", url.Values{"outStatistics": {`[{"statisticType":"count","onStatisticField":"x\" FROM jobs --"}]`}}},
		{"outStatistics", url.Values{"outStatistics": {`[{"statisticType":"count","onStatisticField":"Name","outStatisticFieldName":"a b"}]`}}},
		{"outStatistics", url.Values{"outStatistics": {`[{"statisticType":"count","onStatisticField":"Name"}]`}, "returnCountOnly": {"true"}}},
		{"groupByFieldsForStatistics", url.Values{"groupByFieldsForStatistics": {"Name"}}},
		{"groupByFieldsForStatistics", url.Values{"groupByFieldsForStatistics": {"Nope"}, "outStatistics": {`[{"statisticType":"count","onStatisticField":"Name"}]`}}},
		{"time", url.Values{"time": {"yesterday"}}},
		{"time", url.Values{"time": {"2,1"}}},
		{"time", url.Values{"time": {"1,2,3"}}},
		{"time", url.Values{"time": {"null"}}},
		{"returnDistinctValues", url.Values{"returnDistinctValues": {"yes"}}},
		{"outFields", url.Values{"returnDistinctValues": {"true"}}},
		{"returnGeometry", url.Values{"returnDistinctValues": {"true"}, "outFields": {"Name"}, "returnGeometry": {"true"}}},
		{"returnIdsOnly", url.Values{"objectIds": {"1,2"}, "returnIdsOnly": {"true"}}},
		{"pixelSize", url.Values{"pixelSize": {"-1"}}},
		{"pixelSize", url.Values{"pixelSize": {`{"x":1,"y":2}`}}},
		{"mosaicRule", url.Values{"mosaicRule": {`{"mosaicMethod":"esriMosaicRandom"}`}}},
		{"mosaicRule", url.Values{"mosaicRule": {`{"mosaicMethod":"esriMosaicLockRaster"}`}}},
		{"mosaicRule", url.Values{"mosaicRule": {`{"where":"Nope > 1"}`}}},
		{"mosaicRule", url.Values{"mosaicRule": {`not json`}}},
		{"renderingRule", url.Values{"renderingRule": {`[1]`}}},
		{"outFields", url.Values{"outFields": {"Name,Nope"}}},
	} {
		t.Run(c.param, func(t *testing.T) {
			form := url.Values{"f": {"json"}}
			for k, v := range c.form {
				form[k] = v
			}
			e := wantError(t, call(t, h, "GET", scenesPath+"/query", form), 400)
			if !reflect.DeepEqual(e.Details, []string{"parameter " + c.param}) {
				t.Errorf("%v: details %v, want parameter %s (%s)", c.form, e.Details, c.param, e.Message)
			}
			if !strings.Contains(e.Message, c.param) && c.param != "outFields" {
				t.Errorf("message %q does not name %s", e.Message, c.param)
			}
		})
	}
}

// TestQueryAccepts: the parameters that cannot change a catalog answer are
// accepted, and the answer is the same as without them.
func TestQueryAccepts(t *testing.T) {
	h := queryFixture(t, 5)
	base := url.Values{"f": {"json"}, "where": {"1=1"}, "returnGeometry": {"false"}}
	want := call(t, h, "GET", scenesPath+"/query", base).Body.String()
	for _, extra := range []url.Values{
		{"geometryType": {"esriGeometryEnvelope"}, "spatialRel": {"esriSpatialRelIntersects"}, "inSR": {"3857"}},
		{"outSR": {`{"wkid":32632}`}},
		{"returnTrueCurves": {"true"}},
		{"renderingRule": {`{"rasterFunction":"Stretch"}`}},
		{"mosaicRule": {`{"mosaicMethod":"esriMosaicNorthwest","ascending":false,"mosaicOperation":"MT_LAST"}`}},
		{"multidimensionalDefinition": {"[]"}},
		{"time": {"null,null"}},
	} {
		form := url.Values{}
		for k, v := range base {
			form[k] = v
		}
		for k, v := range extra {
			form[k] = v
		}
		if got := call(t, h, "GET", scenesPath+"/query", form).Body.String(); got != want {
			t.Errorf("%v: answer differs:\n%s\nwant\n%s", extra, got, want)
		}
	}
}

// TestQueryCombinations pins returnCountOnly and returnIdsOnly with the
// other parameters, and objectIds with where.
func TestQueryCombinations(t *testing.T) {
	h := queryFixture(t, 10)
	get := func(form url.Values, v any) {
		t.Helper()
		form.Set("f", "json")
		decode(t, call(t, h, "GET", scenesPath+"/query", form).Body.Bytes(), v)
	}
	var cnt struct{ Count int64 }
	// returnCountOnly wins over returnIdsOnly, and ignores the page.
	get(url.Values{"where": {"CloudCover >= 50"}, "returnCountOnly": {"true"}, "returnIdsOnly": {"true"}, "resultRecordCount": {"1"}}, &cnt)
	if cnt.Count != 5 {
		t.Errorf("count %d, want 5", cnt.Count)
	}
	// A clause on no field selects every item or none.
	get(url.Values{"where": {"1=0"}, "returnCountOnly": {"true"}}, &cnt)
	if cnt.Count != 0 {
		t.Errorf("1=0: count %d, want 0", cnt.Count)
	}
	get(url.Values{"where": {"2 > 1 AND CloudCover >= 50"}, "returnCountOnly": {"true"}}, &cnt)
	if cnt.Count != 5 {
		t.Errorf("2 > 1 AND CloudCover >= 50: count %d, want 5", cnt.Count)
	}
	var none struct {
		Features []any `json:"features"`
	}
	get(url.Values{"where": {"1=0"}}, &none)
	if len(none.Features) != 0 {
		t.Errorf("1=0: %d features", len(none.Features))
	}
	var st struct {
		Features []struct{ Attributes map[string]any } `json:"features"`
	}
	get(url.Values{"where": {"1=0"}, "outStatistics": {`[{"statisticType":"count","onStatisticField":"OBJECTID","outStatisticFieldName":"n"}]`}}, &st)
	if len(st.Features) != 1 || st.Features[0].Attributes["n"] != float64(0) {
		t.Errorf("1=0 statistics: %+v, want one row with n 0", st)
	}
	// objectIds and where together: both apply.
	get(url.Values{"where": {"CloudCover >= 50"}, "objectIds": {"1,5,6,9"}, "returnCountOnly": {"true"}}, &cnt)
	if cnt.Count != 3 {
		t.Errorf("objectIds with where: count %d, want 3 (5, 6, 9)", cnt.Count)
	}
	var ids struct {
		ObjectIDs []int64 `json:"objectIds"`
	}
	get(url.Values{"where": {"1=1"}, "returnIdsOnly": {"true"}, "orderByFields": {"OBJECTID DESC"}, "resultOffset": {"2"}, "resultRecordCount": {"3"}}, &ids)
	if !reflect.DeepEqual(ids.ObjectIDs, []int64{8, 7, 6}) {
		t.Errorf("ids page %v, want [8 7 6]", ids.ObjectIDs)
	}
	// The time instant 2020-01-05 00:00:00 (items 4 and … 32: only 4 here).
	get(url.Values{"time": {"1578182400000"}, "returnIdsOnly": {"true"}}, &ids)
	if !reflect.DeepEqual(ids.ObjectIDs, []int64{4}) {
		t.Errorf("time instant: ids %v, want [4]", ids.ObjectIDs)
	}
	get(url.Values{"time": {"null, 1578096000000"}, "returnIdsOnly": {"true"}}, &ids)
	if !reflect.DeepEqual(ids.ObjectIDs, []int64{1, 2, 3}) {
		t.Errorf("time up to 2020-01-04: ids %v, want [1 2 3]", ids.ObjectIDs)
	}
}

// TestPaging pins the paging semantics on small collections: every offset
// and page size, in both OBJECTID orders and by another field, with
// exceededTransferLimit exactly when items follow, and the page after the
// last one empty; then again after items were deleted (the remembered
// page ends must not survive a change).
func TestPaging(t *testing.T) {
	cat := mustOpen(t, "", fixedNow)
	mustScenes(t, cat, "scenes", 23)
	m := jobs.NewManager(cat)
	s, _ := newServer(t, m, Options{})
	h := s.Handler()
	page := func(where, order string, offset, count int) ([]int64, bool) {
		t.Helper()
		form := url.Values{"f": {"json"}, "where": {where}, "outFields": {"OBJECTID"}, "returnGeometry": {"false"},
			"resultOffset": {fmt.Sprint(offset)}, "resultRecordCount": {fmt.Sprint(count)}}
		if order != "" {
			form.Set("orderByFields", order)
		}
		var fs struct {
			Features []struct {
				Attributes struct{ OBJECTID int64 }
			}
			Exceeded bool `json:"exceededTransferLimit"`
		}
		decode(t, call(t, h, "GET", scenesPath+"/query", form).Body.Bytes(), &fs)
		var ids []int64
		for _, f := range fs.Features {
			ids = append(ids, f.Attributes.OBJECTID)
		}
		return ids, fs.Exceeded
	}
	check := func(label, where, order string, want []int64) {
		t.Helper()
		for _, count := range []int{1, 2, 5, 7, 23, 30} {
			// Page through in order, as clients do, then jump around.
			var got []int64
			for off := 0; ; off += count {
				ids, exceeded := page(where, order, off, count)
				got = append(got, ids...)
				if more := off+count < len(want); exceeded != more {
					t.Fatalf("%s count %d offset %d: exceededTransferLimit %v, want %v", label, count, off, exceeded, more)
				}
				if !exceeded {
					break
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s count %d: paged %v, want %v", label, count, got, want)
			}
			for _, off := range []int{len(want), len(want) + 1, len(want) + 100, 3, 0} {
				ids, _ := page(where, order, off, count)
				var w []int64
				if off < len(want) {
					w = want[off:min(off+count, len(want))]
				}
				if !reflect.DeepEqual(ids, w) {
					t.Fatalf("%s offset %d count %d: %v, want %v", label, off, count, ids, w)
				}
			}
		}
	}
	var all, odd []int64
	for i := int64(1); i <= 23; i++ {
		all = append(all, i)
	}
	rev := func(a []int64) []int64 {
		r := make([]int64, len(a))
		for i, v := range a {
			r[len(a)-1-i] = v
		}
		return r
	}
	check("all", "1=1", "", all)
	check("all desc", "1=1", "OBJECTID DESC", rev(all))
	for _, id := range all {
		if id%2 == 1 {
			odd = append(odd, id)
		}
	}
	// CloudCover is i*10 % 100: by CloudCover, then OBJECTID.
	var byCloud []int64
	for c := int64(0); c < 100; c += 10 {
		for _, id := range all {
			if id*10%100 == c {
				byCloud = append(byCloud, id)
			}
		}
	}
	check("by CloudCover", "1=1", "CloudCover", byCloud)
	// Delete the even items: pages remembered before must not be used.
	j, err := m.SubmitDeleteImage(ctx, jobs.DeleteImageParams{ImageCollection: "scenes", Where: "mod(OBJECTID, 2) = 0"})
	if err != nil {
		t.Fatal(err)
	}
	if j, err = m.Run(ctx, j.ID); err != nil || j.Status != jobs.Succeeded {
		t.Fatalf("delete: %v %v", err, j.Status)
	}
	check("odd", "1=1", "", odd)
	check("odd desc", "1=1", "OBJECTID desc", rev(odd))
	check("odd filtered", "OBJECTID > 4", "", odd[2:])
	// Counts follow the change too.
	var cnt struct{ Count int64 }
	decode(t, call(t, h, "GET", scenesPath+"/query", url.Values{"f": {"json"}, "where": {"OBJECTID > 4"}, "returnCountOnly": {"true"}}).Body.Bytes(), &cnt)
	if cnt.Count != int64(len(odd)-2) {
		t.Errorf("count %d, want %d", cnt.Count, len(odd)-2)
	}
	b, _ := json.Marshal(odd)
	t.Logf("odd items %s", b)
}

// FuzzQueryParams feeds arbitrary text to the parameters of a query that
// the server parses itself: every answer is a result or an error 400, never
// a panic or a fault.
func FuzzQueryParams(f *testing.F) {
	f.Add("CloudCover DESC, Name", `[{"statisticType":"count","onStatisticField":"OBJECTID"}]`, "SensorName", "1578096000000, null", `{"x":1,"y":1}`, `{"mosaicMethod":"esriMosaicLockRaster","lockRasterIds":[1]}`)
	f.Add("", "", "", "", "", "")
	f.Add("OBJECTID ASC DESC", `[{"statisticType":"stddev","onStatisticField":"CloudCover","outStatisticFieldName":"s"}]`, "Nope", "1,2,3", "0,0", `{"where":"1=1"}`)
	f.Add("\x00", `[{"statisticType":null}]`, ",,,", "-99999999999999999999", "NaN", `{"fids":[]}`)
	cat := mustOpen(f, "", fixedNow)
	mustScenes(f, cat, "scenes", 5)
	s, _ := newServer(f, jobs.NewManager(cat), Options{})
	h := s.Handler()
	f.Fuzz(func(t *testing.T, orderBy, stats, groupBy, tm, pixelSize, mosaicRule string) {
		form := url.Values{"f": {"json"}, "orderByFields": {orderBy}, "outStatistics": {stats}, "groupByFieldsForStatistics": {groupBy},
			"time": {tm}, "pixelSize": {pixelSize}, "mosaicRule": {mosaicRule}, "returnGeometry": {"false"}}
		w := call(t, h, "GET", scenesPath+"/query", form)
		if e, ok := errorOf(t, w.Body.Bytes()); ok && e.Code != 400 {
			t.Fatalf("error %d (%s) for %v", e.Code, e.Message, form)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("invalid JSON for %v: %s", form, w.Body)
		}
	})
}

// TestQueryPageMap: the HTML query page draws the items the query selects,
// every one (not only the page of rows), and shows the spatial parameters
// back in the form.
func TestQueryPageMap(t *testing.T) {
	h := queryFixture(t, 12)
	q := scenesPath + "/query"
	form := url.Values{"geometry": {"25,0,45,10"}, "spatialRel": {"esriSpatialRelEnvelopeIntersects"}, "resultRecordCount": {"1"}}
	count := call(t, h, "GET", q, url.Values{"f": {"json"}, "geometry": form["geometry"], "spatialRel": form["spatialRel"], "returnCountOnly": {"true"}})
	var n struct{ Count int }
	if err := json.Unmarshal(count.Body.Bytes(), &n); err != nil || n.Count < 2 {
		t.Fatalf("count %s: %v (the fixture should select at least 2)", count.Body, err)
	}
	page := call(t, h, "GET", q, form).Body.String()
	for _, want := range []string{
		fmt.Sprintf("Footprint map of %d items", n.Count),
		"<option selected>esriSpatialRelEnvelopeIntersects</option>",
		`<textarea name="geometry" rows="3" cols="60">25,0,45,10</textarea>`,
		"<b>Items:</b> 1 (more follow",
		"Query geometry", // the envelope, outlined
	} {
		if !strings.Contains(page, want) {
			t.Errorf("query page lacks %q", want)
		}
	}
	if strings.Contains(page, "<?xml") {
		t.Error("the inline map carries an XML prolog")
	}
}

// TestImageServerPageMap: the service page draws every item; an empty
// collection has no map.
func TestImageServerPageMap(t *testing.T) {
	h := queryFixture(t, 12)
	page := call(t, h, "GET", scenesPath, nil).Body.String()
	if !strings.Contains(page, "Footprint map of 12 items") {
		t.Errorf("service page has no map of its 12 items")
	}
}
