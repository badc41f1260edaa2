package server

import (
	"fmt"
	"net/url"
	"path/filepath"
	"reflect"
	"testing"

	"mosaic/jobs"
)

// TestRequestForms: the request forms the ArcGIS docs give for AddImage,
// CreateImageCollection and the job status are taken as documented.
func TestRequestForms(t *testing.T) {
	ln := listen(t)
	base := "http://" + ln.Addr().String()
	cat := mustOpen(t, base, nil)
	sv := startServing(t, jobs.NewManager(cat), ln, Options{})
	c := sv.client(t)
	tiffs, _ := filepath.Abs("../testdata/geotiff")
	a, b := filepath.Join(tiffs, "4band-u8-32632.tif"), filepath.Join(tiffs, "le-strips-u8-32632.tif")

	// CreateImageCollection with inputRasters adds them, as ArcGIS does.
	id := c.submit("CreateImageCollection", url.Values{"imageCollection": {`{"serviceProperties":{"name":"made"}}`},
		"inputRasters": {fmt.Sprintf(`{"uris":[%q]}`, a)}, "rasterType": {`{"rasterTypeName":"Raster Dataset"}`}})
	if d := c.wait("CreateImageCollection", id); d.JobStatus != jobs.Succeeded {
		t.Fatalf("CreateImageCollection with rasters: %s %+v", d.JobStatus, d.Messages)
	}
	if n := count(t, cat, "made"); n != 1 {
		t.Errorf("made has %d items, want 1", n)
	}
	// A collection whose rasters all fail is not created.
	id = c.submit("CreateImageCollection", url.Values{"imageCollection": {"broken"}, "inputRasters": {fmt.Sprintf("%q", filepath.Join(tiffs, "not-a-tiff.tif"))}})
	if d := c.wait("CreateImageCollection", id); d.JobStatus != jobs.Failed {
		t.Errorf("CreateImageCollection of unreadable rasters: %s, want failed", d.JobStatus)
	}
	if _, err := cat.Collection(ctx, "broken"); err == nil {
		t.Errorf("collection broken was created without its rasters")
	}

	// AddImage: {"uris": […]}, {"uri": …}, and the collection as serviceProperties.
	for i, form := range []url.Values{
		{"imageCollection": {`{"serviceProperties":{"name":"made","serviceUrl":"` + base + `/arcgis/rest/services/Hosted/made/ImageServer"}}`},
			"inputRasters": {fmt.Sprintf(`{"uris":[%q]}`, b)}, "rasterType": {"Raster Dataset"}},
		{"imageCollection": {"made"}, "inputRasters": {fmt.Sprintf(`{"uri":%q}`, a)}},
		{"imageCollection": {"made"}, "inputRasters": {fmt.Sprintf(`[{"uri":%q},%q]`, b, a)}},
	} {
		id = c.submit("AddImage", form)
		if d := c.wait("AddImage", id); d.JobStatus != jobs.Succeeded {
			t.Fatalf("AddImage form %d: %s %+v", i, d.JobStatus, d.Messages)
		}
	}
	if n := count(t, cat, "made"); n != 5 {
		t.Errorf("made has %d items, want 5", n)
	}
	// The service takes its band count and pixel type from the first raster
	// (4 bands of U8), whatever was added after it.
	var info struct {
		BandCount  int     `json:"bandCount"`
		PixelType  string  `json:"pixelType"`
		PixelSizeX float64 `json:"pixelSizeX"`
	}
	c.get("/arcgis/rest/services/Hosted/made/ImageServer", nil, &info)
	if info.BandCount != 4 || info.PixelType != "U8" || info.PixelSizeX <= 0 {
		t.Errorf("made's info: %+v, want the first raster's 4 bands of U8", info)
	}

	// returnMessages=false leaves the messages out.
	var d jobDoc
	c.get(gpPath+"/AddImage/jobs/"+id, url.Values{"returnMessages": {"false"}}, &d)
	if len(d.Messages) != 0 || d.JobStatus != jobs.Succeeded {
		t.Errorf("returnMessages=false: %+v", d)
	}
	c.get(gpPath+"/AddImage/jobs/"+id, url.Values{"returnMessages": {"true"}}, &d)
	if len(d.Messages) == 0 {
		t.Errorf("returnMessages=true: no messages")
	}

	// Refused forms name their parameter.
	for _, tc := range []struct {
		task, param string
		form        url.Values
	}{
		{"AddImage", "rasterType", url.Values{"imageCollection": {"made"}, "inputRasters": {a}, "rasterType": {"Landsat 8"}}},
		{"AddImage", "rasterType", url.Values{"imageCollection": {"made"}, "inputRasters": {a}, "rasterType": {`{"rasterTypeName":"Sentinel-2"}`}}},
		{"AddImage", "rasterType", url.Values{"imageCollection": {"made"}, "inputRasters": {a}, "rasterType": {`{"rasterTypeName":"Raster Dataset","rasterTypeParameters":{"CellSize":5}}`}}},
		{"AddImage", "inputRasters", url.Values{"imageCollection": {"made"}, "inputRasters": {`{"uris":[]}`}}},
		{"AddImage", "inputRasters", url.Values{"imageCollection": {"made"}, "inputRasters": {`{"uris":["https://example.com/a.tif"]}`}}},
		{"AddImage", "inputRasters", url.Values{"imageCollection": {"made"}, "inputRasters": {`{"other":1}`}}},
		{"CreateImageCollection", "rasterType", url.Values{"imageCollection": {"x"}, "rasterType": {"Landsat 8"}}},
		{"DeleteImage", "imageCollection", url.Values{"imageCollection": {`{"serviceProperties":{}}`}, "where": {"1=1"}}},
		{"AddImage", "returnMessages", nil},
	} {
		if tc.param == "returnMessages" {
			body, _ := c.raw("GET", gpPath+"/AddImage/jobs/"+id, url.Values{"returnMessages": {"maybe"}})
			e, ok := errorOf(t, body)
			if !ok || !reflect.DeepEqual(e.Details, []string{"parameter returnMessages"}) {
				t.Errorf("returnMessages=maybe: %s", body)
			}
			continue
		}
		body, err := c.raw("POST", gpPath+"/"+tc.task+"/submitJob", tc.form)
		if err != nil {
			t.Fatal(err)
		}
		e, ok := errorOf(t, body)
		if !ok || e.Code != 400 || !reflect.DeepEqual(e.Details, []string{"parameter " + tc.param}) {
			t.Errorf("%s %v: %s, want 400 about %s", tc.task, tc.form, body, tc.param)
		}
	}
	if n := count(t, cat, "made"); n != 5 {
		t.Errorf("a refused request changed made: %d items", n)
	}
}
