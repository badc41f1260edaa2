package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mosaic/jobs"
)

// goldenFixture is a server over a catalog with a fixed clock: the
// collection scenes (10 items, of which a finished DeleteImage job removed
// the 3 with CloudCover >= 70) and the empty collection bare.
func goldenFixture(t *testing.T) (http.Handler, string) {
	t.Helper()
	cat := mustOpen(t, "", fixedNow)
	mustScenes(t, cat, "scenes", 10)
	if _, err := cat.CreateCollection(ctx, newCollection("bare")); err != nil {
		t.Fatal(err)
	}
	m := jobs.NewManager(cat)
	j, err := m.SubmitDeleteImage(ctx, jobs.DeleteImageParams{ImageCollection: "scenes", Where: "CloudCover >= 70"})
	if err != nil {
		t.Fatal(err)
	}
	if j, err = m.Run(ctx, j.ID); err != nil || j.Status != jobs.Succeeded {
		t.Fatalf("run fixture job: %v (%v)", err, j.Status)
	}
	s, _ := newServer(t, m, Options{})
	return s.Handler(), j.ID
}

// TestGolden answers every resource in every format and compares the
// answers with the files in testdata/ (job and item ids normalised).
func TestGolden(t *testing.T) {
	h, id := goldenFixture(t)
	job := gpPath + "/DeleteImage/jobs/" + id
	img := "/arcgis/rest/services/Hosted/scenes/ImageServer"
	cases := []struct {
		name, method, path string
		form               url.Values
	}{
		{"directory.json", "GET", "/arcgis/rest/services", url.Values{"f": {"json"}}},
		{"directory.html", "GET", "/arcgis/rest/services", nil},
		{"info.json", "GET", "/arcgis/rest/info", url.Values{"f": {"json"}}},
		{"system.json", "GET", "/arcgis/rest/services/System", url.Values{"f": {"json"}}},
		{"system.html", "GET", "/arcgis/rest/services/System", nil},
		{"hosted.json", "GET", "/arcgis/rest/services/Hosted", url.Values{"f": {"json"}}},
		{"hosted.html", "GET", "/arcgis/rest/services/Hosted", url.Values{"f": {"html"}}},
		{"gpserver.json", "GET", gpPath, url.Values{"f": {"json"}}},
		{"gpserver.pjson", "GET", gpPath + "/", url.Values{"f": {"pjson"}}},
		{"gpserver.html", "GET", gpPath, nil},
		{"task-deleteimage.json", "GET", gpPath + "/DeleteImage", url.Values{"f": {"json"}}},
		{"task-deleteimage.html", "GET", gpPath + "/DeleteImage", nil},
		{"task-addimage.json", "GET", gpPath + "/AddImage", url.Values{"f": {"json"}}},
		{"task-addimage.html", "GET", gpPath + "/AddImage", nil},
		{"task-createimagecollection.json", "GET", gpPath + "/CreateImageCollection", url.Values{"f": {"json"}}},
		{"task-createimagecollection.html", "GET", gpPath + "/CreateImageCollection", nil},
		{"task-deleteimagecollection.json", "GET", gpPath + "/deleteimagecollection", url.Values{"f": {"json"}}},
		{"task-deleteimagecollection.html", "GET", gpPath + "/DeleteImageCollection", nil},
		{"job.json", "GET", job, url.Values{"f": {"json"}}},
		{"job.pjson", "POST", job, url.Values{"f": {"pjson"}}},
		{"job.html", "GET", job, nil},
		{"result.json", "GET", job + "/results/result", url.Values{"f": {"json"}}},
		{"result.html", "GET", job + "/results/result", nil},
		{"removeditems.json", "GET", job + "/results/removedItems", url.Values{"f": {"json"}}},
		{"removeditems.pjson", "GET", job + "/results/removedItems", url.Values{"f": {"pjson"}}},
		{"removeditems.html", "GET", job + "/results/removedItems", nil},
		{"input-where.json", "GET", job + "/inputs/where", url.Values{"f": {"json"}}},
		{"input-where.html", "GET", job + "/inputs/where", nil},
		{"imageserver.json", "GET", img, url.Values{"f": {"json"}}},
		{"imageserver.html", "GET", img, nil},
		{"imageserver-empty.pjson", "GET", "/arcgis/rest/services/Hosted/bare/ImageServer", url.Values{"f": {"pjson"}}},
		{"query.json", "GET", img + "/query", url.Values{"f": {"json"}, "where": {"1=1"}}},
		{"query-page.pjson", "POST", img + "/query", url.Values{"f": {"pjson"}, "where": {"CloudCover < 50"},
			"outFields": {"OBJECTID, name ,CloudCover,AcquisitionDate"}, "returnGeometry": {"false"}, "resultOffset": {"1"}, "resultRecordCount": {"2"}}},
		{"query-count.json", "GET", img + "/query", url.Values{"f": {"json"}, "where": {"SensorName = 'S2'"}, "returnCountOnly": {"true"}}},
		{"query-ids.json", "GET", img + "/query", url.Values{"f": {"json"}, "where": {"CloudCover BETWEEN 10 AND 40"}, "returnIdsOnly": {"true"}}},
		{"query-objectids.json", "GET", img + "/query", url.Values{"f": {"json"}, "objectIds": {"2, 4,99"}, "outFields": {"Name"}, "returnGeometry": {"false"}}},
		{"query-form.html", "GET", img + "/query", nil},
		{"query-table.html", "GET", img + "/query", url.Values{"where": {"CloudCover <= 30"}, "outFields": {"OBJECTID,Name,CloudCover"}}},
		{"query-count.html", "GET", img + "/query", url.Values{"where": {"1=1"}, "returnCountOnly": {"true"}}},
		{"error-task.json", "GET", gpPath + "/Buffer", url.Values{"f": {"json"}}},
		{"error-task.html", "GET", gpPath + "/Buffer/submitJob", nil},
		{"error-where.json", "POST", gpPath + "/DeleteImage/submitJob", url.Values{"f": {"json"}, "imageCollection": {"scenes"}, "where": {"CloudCover > 50; DROP TABLE x"}}},
		{"error-job.json", "GET", gpPath + "/DeleteImage/jobs/j00000000000000000000000000000000", url.Values{"f": {"json"}}},
		{"error-collection.json", "GET", "/arcgis/rest/services/Hosted/nope/ImageServer", url.Values{"f": {"json"}}},
		{"error-collection.html", "GET", "/arcgis/rest/services/Hosted/nope/ImageServer/query", url.Values{"where": {"1=1"}}},
		{"error-cancel-finished.json", "POST", job + "/cancel", url.Values{"f": {"json"}}},
		{"error-format.json", "GET", gpPath, url.Values{"f": {"kmz"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := call(t, h, c.method, c.path, c.form)
			wantType := "application/json; charset=utf-8"
			if strings.HasSuffix(c.name, ".html") {
				wantType = "text/html; charset=utf-8"
			}
			if got := w.Header().Get("Content-Type"); got != wantType {
				t.Errorf("Content-Type %q, want %q", got, wantType)
			}
			golden(t, c.name, w.Body.Bytes())
		})
	}
}
