package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"mosaic/catalog"
	"mosaic/internal/testutil"
)

var ctx = context.Background()

// fixedNow is the clock of test catalogs, so that job documents and
// summaries are reproducible.
var fixedNow = testutil.FixedNow

// binDir holds the mosaic binary the process tests build (see mosaicBin).
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "mosaic-jobs-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sceneFields are the user fields of the test collections.
var sceneFields = testutil.SceneFields

// fixItem is one line of a test manifest.
type fixItem struct {
	Raster     string
	Name       string
	Category   int      // 0: the catalog's default (primary)
	CloudCover *float64 // nil: NULL
	Date       string
	Sensor     string
	Tag        string
	ZOrder     string
	XMin, YMin float64
	XMax, YMax float64
	Shape      string // ArcGIS rings, or "" for the rectangle of the bounds
	Width      int
	Height     int
}

// matches tells whether the item is selected by "CloudCover > 50".
func (it fixItem) matches() bool { return it.CloudCover != nil && *it.CloudCover > 50 }

func cc(x float64) *float64 { return &x }

// genItems returns n reproducible items: CloudCover spread over 0–100 (every
// 17th NULL), three sensors, footprints spread over a 1000×1000 square, a
// few of them non-rectangular.
func genItems(n int, seed uint64) []fixItem {
	r := rand.New(rand.NewPCG(seed, 7))
	items := make([]fixItem, n)
	for i := range items {
		x, y := float64(r.IntN(100000))/100, float64(r.IntN(100000))/100
		it := fixItem{
			Raster: fmt.Sprintf("/archive/%d/T32TQM_%06d.tif", seed, i),
			Date:   fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28),
			Sensor: []string{"S0", "S1", "S2"}[i%3],
			XMin:   x, YMin: y, XMax: x + 1 + float64(i%5), YMax: y + 1.5,
			Width: 1000 + i%7, Height: 900 + i%11,
		}
		if i%17 != 3 {
			it.CloudCover = cc(float64(r.IntN(100001)) / 1000)
		}
		if i%5 == 0 {
			it.Tag = "Dataset"
		}
		if i%4 == 1 {
			it.ZOrder = strconv.Itoa(i % 9)
		}
		if i%13 == 2 {
			it.Shape = fmt.Sprintf("[[[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]", it.XMin, it.YMax, it.XMax, it.YMax, it.XMax, it.YMin, it.XMin, it.YMax)
		}
		if i%9 == 4 {
			it.Name = fmt.Sprintf("scene, \"%d\"", i) // quoting in the manifest
		}
		items[i] = it
	}
	return items
}

// manifest renders items as a CSV manifest.
func manifest(items []fixItem) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Raster", "Name", "Category", "CloudCover", "AcquisitionDate", "SensorName", "Tag", "ZOrder",
		"XMin", "YMin", "XMax", "YMax", "Shape", "Width", "Height", "BandCount", "PixelType"})
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, it := range items {
		cat, cloud := "", ""
		if it.Category != 0 {
			cat = strconv.Itoa(it.Category)
		}
		if it.CloudCover != nil {
			cloud = f(*it.CloudCover)
		}
		w.Write([]string{it.Raster, it.Name, cat, cloud, it.Date, it.Sensor, it.Tag, it.ZOrder,
			f(it.XMin), f(it.YMin), f(it.XMax), f(it.YMax), it.Shape, strconv.Itoa(it.Width), strconv.Itoa(it.Height), "3", "U8"})
	}
	w.Flush()
	return buf.Bytes()
}

// env is a catalog in a temporary folder with one collection, "scenes",
// loaded from a manifest, and a job manager with small batches.
type env struct {
	path  string
	cat   *catalog.Catalog
	m     *Manager
	coll  *catalog.Collection
	items []fixItem // items[i] has OBJECTID i+1
}

// newEnv makes an env whose collection holds items.
func newEnv(t testing.TB, items []fixItem) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "catalog.db")
	cat, err := catalog.Open(ctx, path, catalog.Options{Now: fixedNow})
	if err != nil {
		t.Fatalf("open catalog: %v", err)
	}
	t.Cleanup(func() { cat.Close() })
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "scenes", SRS: "EPSG:32632", Fields: sceneFields})
	if err != nil {
		t.Fatalf("create collection: %v", err)
	}
	e := &env{path: path, cat: cat, coll: coll}
	e.m = e.manager()
	e.load(t, items)
	return e
}

// manager returns a new Manager on e's catalog that removes row by row, in
// small batches of 100 OBJECTIDs.
func (e *env) manager() *Manager {
	m := NewManager(e.cat)
	m.BatchSize = 100
	m.BatchTarget = -1 // keep batches at 100 OBJECTIDs
	m.Strategy = catalog.UndoRows
	return m
}

// load adds items to the collection through a manifest.
func (e *env) load(t testing.TB, items []fixItem) {
	t.Helper()
	if len(items) == 0 {
		return
	}
	n, err := e.cat.LoadManifest(ctx, e.coll, bytes.NewReader(manifest(items)), "fixture.csv")
	if err != nil {
		t.Fatalf("load manifest: %v", err)
	}
	if n != len(items) {
		t.Fatalf("load manifest: %d items added, want %d", n, len(items))
	}
	e.items = append(e.items, items...)
}

// row is an item row as SELECT * returns it.
type row []any

// readRows returns every row of table, by OBJECTID.
func readRows(t testing.TB, db *sql.DB, table string) map[int64]row {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`" ORDER BY OBJECTID`)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := map[int64]row{}
	for rows.Next() {
		r := make(row, len(cols))
		ptrs := make([]any, len(cols))
		for i := range r {
			ptrs[i] = &r[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		out[r[0].(int64)] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	return out
}

// rows returns the collection's rows by OBJECTID.
func (e *env) rows(t testing.TB) map[int64]row {
	t.Helper()
	return readRows(t, e.cat.DB(), e.coll.Table())
}

// ids returns the sorted keys of rows.
func ids(rows map[int64]row) []int64 {
	out := make([]int64, 0, len(rows))
	for id := range rows {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// without returns rows minus the OBJECTIDs in drop.
func without(rows map[int64]row, drop []int64) map[int64]row {
	out := make(map[int64]row, len(rows))
	for id, r := range rows {
		out[id] = r
	}
	for _, id := range drop {
		delete(out, id)
	}
	return out
}

// matching returns the OBJECTIDs of e's items that "CloudCover > 50"
// selects.
func (e *env) matching() []int64 { return e.matchingUpTo(int64(len(e.items))) }

// matchingUpTo returns the OBJECTIDs up to id of e's items that
// "CloudCover > 50" selects: what a job removes after batches of
// OBJECTIDs up to id.
func (e *env) matchingUpTo(id int64) []int64 {
	var out []int64
	for i, it := range e.items {
		if int64(i+1) <= id && it.matches() {
			out = append(out, int64(i+1))
		}
	}
	return out
}

// removedIDs lists the OBJECTIDs job j's removedItems result names.
func (e *env) removedIDs(t testing.TB, j *Job) []int64 {
	t.Helper()
	var buf bytes.Buffer
	if err := e.m.WriteResult(ctx, j.ID, "removedItems", &buf); err != nil {
		t.Fatalf("removedItems of %s: %v", j.ID, err)
	}
	var v struct {
		Value struct {
			Features []struct {
				Attributes struct{ OBJECTID int64 } `json:"attributes"`
			} `json:"features"`
		} `json:"value"`
	}
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatalf("removedItems of %s: %v\n%s", j.ID, err, buf.Bytes())
	}
	out := []int64{}
	for _, f := range v.Value.Features {
		out = append(out, f.Attributes.OBJECTID)
	}
	return out
}

// assertRows fails unless got and want hold the same rows, column by
// column.
func assertRows(t testing.TB, got, want map[int64]row) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d rows, want %d", len(got), len(want))
	}
	bad := 0
	for id, w := range want {
		g, ok := got[id]
		switch {
		case !ok:
			t.Errorf("OBJECTID %d is missing", id)
		case !reflect.DeepEqual(g, w):
			t.Errorf("OBJECTID %d:\n got  %v\n want %v", id, g, w)
		default:
			continue
		}
		if bad++; bad > 10 {
			t.Fatalf("too many differences")
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("OBJECTID %d should not be there", id)
			if bad++; bad > 10 {
				t.Fatalf("too many differences")
			}
		}
	}
}

// count runs a count query.
func count(t testing.TB, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// mustSubmit submits a DeleteImage job on e's collection.
func (e *env) mustSubmit(t testing.TB, m *Manager, whereText string) *Job {
	t.Helper()
	j, err := m.SubmitDeleteImage(ctx, DeleteImageParams{ImageCollection: "scenes", Where: whereText})
	if err != nil {
		t.Fatalf("submit %q: %v", whereText, err)
	}
	return j
}

// mustGet returns job id.
func mustGet(t testing.TB, m *Manager, id string) *Job {
	t.Helper()
	j, err := m.Get(ctx, id)
	if err != nil {
		t.Fatalf("get job %s: %v", id, err)
	}
	return j
}

// mustRun runs job id and fails unless it ends with status want.
func mustRun(t testing.TB, m *Manager, id string, want Status) *Job {
	t.Helper()
	j, err := m.Run(ctx, id)
	if err != nil {
		t.Fatalf("run job %s: %v", id, err)
	}
	if j.Status != want {
		t.Fatalf("job %s is %s, want %s (messages %v)", id, j.Status, want, j.Messages)
	}
	return j
}

// assertCode fails unless err carries the catalog error code want.
func assertCode(t testing.TB, err error, want catalog.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one of code %q", want)
	}
	if got := catalog.ErrorCode(err); got != want {
		t.Fatalf("error %q has code %q, want %q", err, got, want)
	}
}

// collection reads the collection's current definition.
func (e *env) collection(t testing.TB) *catalog.Collection {
	t.Helper()
	coll, err := e.cat.Collection(ctx, "scenes")
	if err != nil {
		t.Fatalf("read collection: %v", err)
	}
	return coll
}

// extentOf is the extent of the primary items whose OBJECTID keep accepts.
func extentOf(items []fixItem, keep func(id int64) bool) *catalog.Extent {
	var e *catalog.Extent
	for i, it := range items {
		if it.Category == catalog.CategoryOverview || !keep(int64(i+1)) {
			continue
		}
		if e == nil {
			e = &catalog.Extent{XMin: it.XMin, YMin: it.YMin, XMax: it.XMax, YMax: it.YMax}
			continue
		}
		e.XMin, e.YMin = min(e.XMin, it.XMin), min(e.YMin, it.YMin)
		e.XMax, e.YMax = max(e.XMax, it.XMax), max(e.YMax, it.YMax)
	}
	return e
}

// messageTexts returns the descriptions of a job's messages.
func messageTexts(j *Job) []string {
	var out []string
	for _, m := range j.Messages {
		out = append(out, m.Description)
	}
	return out
}

// deadOwner returns the owner string of a process that has exited and been
// reaped: what a job's owner looks like after kill -9.
func deadOwner(t testing.TB) string {
	t.Helper()
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start a process: %v", err)
	}
	o := owner{host: self.host, boot: self.boot, pid: cmd.Process.Pid, start: procStart(cmd.Process.Pid)}
	cmd.Process.Kill()
	cmd.Wait()
	return o.String()
}

// setOwner makes job id look as if run by owner s, with heartbeat hb.
func setOwner(t testing.TB, cat *catalog.Catalog, id string, status Status, s string, hb time.Time) {
	t.Helper()
	err := cat.Update(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE jobs SET status = ?, owner = ?, heartbeat = ? WHERE id = ?", status, s, catalog.Timestamp(hb), id)
		return err
	})
	if err != nil {
		t.Fatalf("set owner of %s: %v", id, err)
	}
}

var (
	jobIDRE  = regexp.MustCompile(`j[0-9a-f]{32}`)
	itemIDRE = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	timeRE   = regexp.MustCompile(`\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\dZ?\b`)
)

// normalise replaces job ids by JOB1, JOB2 … in order of appearance, item
// ids by ITEMID and times by TIME, so that golden files do not change from
// run to run.
func normalise(b []byte) []byte {
	seen := map[string]string{}
	b = jobIDRE.ReplaceAllFunc(b, func(id []byte) []byte {
		s, ok := seen[string(id)]
		if !ok {
			s = fmt.Sprintf("JOB%d", len(seen)+1)
			seen[string(id)] = s
		}
		return []byte(s)
	})
	b = itemIDRE.ReplaceAll(b, []byte("ITEMID"))
	return timeRE.ReplaceAll(b, []byte("TIME"))
}

// golden compares got, normalised, with testdata/golden/name; -update
// rewrites the file.
func golden(t testing.TB, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", "golden", name), normalise(got))
}

// execSleep starts a process that lives until killed.
func execSleep(t testing.TB) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start a process: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// waitZombie waits until process pid has exited but is not reaped yet.
func waitZombie(t testing.TB, pid int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatalf("process %d: %v", pid, err)
		}
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i > 0 && strings.HasPrefix(s[i+1:], " Z") {
			return
		}
	}
	t.Fatalf("process %d did not become a zombie", pid)
}
