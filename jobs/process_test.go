package jobs

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"mosaic/catalog"
)

// The tests in this file run the real mosaic binary, as users do, against
// catalogs large enough that a delete takes a good part of a second: killing
// it at random instants lands in every phase of the job.

var killPoints = flag.Int("killpoints", 0, "kill points of TestCrash (default 12 with MOSAIC_SOAK=1, else 4)")

// soak runs the full crash matrix on a large catalog: MOSAIC_SOAK=1, as
// .ci/run sets it. Without it the process tests run a smaller matrix on a
// smaller catalog, so that go test ./... stays within a minute.
var soak = os.Getenv("MOSAIC_SOAK") != ""

// testSeed returns the seed of a randomised test, MOSAIC_SEED if set, and
// logs it so that a failure can be replayed.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("MOSAIC_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("MOSAIC_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (MOSAIC_SEED=%d replays it)", seed, seed)
	return seed
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// mosaicBin builds the mosaic binary once (CGO_ENABLED=0, from the module
// root) and returns its path.
func mosaicBin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		binPath = filepath.Join(binDir, "mosaic")
		cmd := exec.Command(goTool, "build", "-o", binPath, ".")
		cmd.Dir = ".." // the module root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// base is a catalog built once and copied by each process test: collection
// "c" (items_1) with baseItems items from genItems(baseItems, baseSeed).
// Process tests delete in batches of processBatch items (the hidden
// --batch-size), so that even the smaller catalog gives a delete many
// batches to be killed, cancelled or interrupted between.
var baseItems = func() int64 {
	if soak {
		return 100_000
	}
	return 20_000
}()

const (
	baseSeed     = 99
	processBatch = 250
	// slowBatch makes the deletes that a test cancels or interrupts from
	// outside take thousands of batches, so the signal lands mid-job.
	slowBatch = 1
)

var (
	baseOnce  sync.Once
	basePath  string
	baseErr   error
	baseMatch []int64 // OBJECTIDs that CloudCover > 50 selects
	baseGen   []fixItem
)

func baseCatalog(t testing.TB) string {
	t.Helper()
	baseOnce.Do(func() {
		basePath = filepath.Join(binDir, "base.db")
		baseGen = genItems(int(baseItems), baseSeed)
		for i, it := range baseGen {
			if it.matches() {
				baseMatch = append(baseMatch, int64(i+1))
			}
		}
		baseErr = func() error {
			cat, err := catalog.Open(ctx, basePath, catalog.Options{})
			if err != nil {
				return err
			}
			defer cat.Close()
			coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "c", SRS: "EPSG:32632", Fields: sceneFields})
			if err != nil {
				return err
			}
			if coll.Table() != "items_1" {
				return fmt.Errorf("collection table %s, want items_1", coll.Table())
			}
			_, err = cat.LoadManifest(ctx, coll, bytes.NewReader(manifest(baseGen)), "base.csv")
			if err != nil {
				return err
			}
			_, err = cat.DB().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
			return err
		}()
	})
	if baseErr != nil {
		t.Fatalf("base catalog: %v", baseErr)
	}
	return basePath
}

// copyCatalog copies the base catalog into a new folder.
func copyCatalog(t testing.TB) string {
	t.Helper()
	src := baseCatalog(t)
	dst := filepath.Join(t.TempDir(), "catalog.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// rawDB opens a catalog file with the driver alone, as an outside observer.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path, "_pragma=busy_timeout(20000)"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection, so that ATTACH stays
	t.Cleanup(func() { db.Close() })
	return db
}

// fileURI is the SQLite URI of the file at path: test folders are named
// after subtests, and "#01" in a bare "file:" name would end the path.
func fileURI(path, query string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: query}).String()
}

// result of running the binary.
type result struct {
	code           int
	stdout, stderr string
}

// mosaic runs the binary on catalog db and waits for it.
func mosaic(t testing.TB, db string, args ...string) result {
	t.Helper()
	cmd := mosaicCmd(t, db, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("mosaic %v: %v", args, err)
	}
	return r
}

// mustMosaic runs the binary and fails unless it exits 0.
func mustMosaic(t testing.TB, db string, args ...string) result {
	t.Helper()
	r := mosaic(t, db, args...)
	if r.code != 0 {
		t.Fatalf("mosaic %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	assertNoLockedError(t, r.stderr)
	return r
}

func mosaicCmd(t testing.TB, db string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(mosaicBin(t), append([]string{"--catalog", db}, args...)...)
	cmd.Env = append(os.Environ(), "MOSAIC_CATALOG=", "MOSAIC_BASE_URL=", "MOSAIC_BATCH_SIZE="+strconv.Itoa(processBatch))
	cmd.Dir = filepath.Dir(db)
	return cmd
}

func assertNoLockedError(t testing.TB, stderr string) {
	t.Helper()
	for _, bad := range []string{"database is locked", "SQLITE_BUSY", "busy", "locked"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr mentions %q: %s", bad, stderr)
		}
	}
}

// jobRow is a job as an outside observer reads it.
type jobRow struct {
	id, status, owner   string
	done, total         int64
	cursor, high        int64
	undoTable, strategy string
}

func readJobs(t testing.TB, db *sql.DB, task string) []jobRow {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT id, status, coalesce(owner, ''), done, total, cursor, coalesce(high_oid, 0), coalesce(undo_table, ''), coalesce(strategy, '')
		FROM jobs WHERE task = ? ORDER BY seq`, task)
	if err != nil {
		t.Fatalf("read jobs: %v", err)
	}
	defer rows.Close()
	var out []jobRow
	for rows.Next() {
		var j jobRow
		if err := rows.Scan(&j.id, &j.status, &j.owner, &j.done, &j.total, &j.cursor, &j.high, &j.undoTable, &j.strategy); err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
	return out
}

// removedByJob lists the OBJECTIDs that job id's removedItems result
// names, read through the binary.
func removedByJob(t testing.TB, db, id string) []int64 {
	t.Helper()
	r := mustMosaic(t, db, "jobs", "result", id, "removedItems")
	var v struct {
		Value struct {
			Features []struct {
				Attributes struct{ OBJECTID int64 } `json:"attributes"`
			} `json:"features"`
		} `json:"value"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("removedItems of %s: %v", id, err)
	}
	var out []int64
	for _, f := range v.Value.Features {
		out = append(out, f.Attributes.OBJECTID)
	}
	return out
}

func integrityOK(t testing.TB, db *sql.DB) {
	t.Helper()
	var s string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&s); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	if s != "ok" {
		t.Fatalf("integrity_check: %s", s)
	}
	rows, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatalf("foreign_key_check reports violations")
	}
}

// objectIDs returns the OBJECTIDs of table, sorted.
func objectIDs(t testing.TB, db *sql.DB, table string) []int64 {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT OBJECTID FROM "`+table+`" ORDER BY OBJECTID`)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// expectedIDs is 1..n minus drop (sorted) plus extra.
func expectedIDs(n int64, drop []int64, extra ...int64) []int64 {
	gone := make(map[int64]bool, len(drop))
	for _, id := range drop {
		gone[id] = true
	}
	var out []int64
	for id := int64(1); id <= n; id++ {
		if !gone[id] {
			out = append(out, id)
		}
	}
	return append(out, extra...)
}

func assertIDs(t testing.TB, got, want []int64) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, w := map[int64]bool{}, map[int64]bool{}
	for _, id := range got {
		g[id] = true
	}
	for _, id := range want {
		w[id] = true
	}
	var extra, missing []int64
	for id := range g {
		if !w[id] {
			extra = append(extra, id)
		}
	}
	for id := range w {
		if !g[id] {
			missing = append(missing, id)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
	t.Fatalf("%d OBJECTIDs, want %d: %d should be gone (first %v), %d are missing (first %v)",
		len(got), len(want), len(extra), extra[:min(10, len(extra))], len(missing), missing[:min(10, len(missing))])
}

// assertSameAsBase compares every column of every row of items_1 up to
// OBJECTID baseItems, and the collection's boundary, with the base catalog.
func assertSameAsBase(t testing.TB, db *sql.DB) {
	t.Helper()
	if _, err := db.ExecContext(ctx, "ATTACH DATABASE ? AS base", fileURI(baseCatalog(t), "mode=ro")); err != nil {
		t.Fatalf("attach base: %v", err)
	}
	defer db.ExecContext(ctx, "DETACH DATABASE base")
	q := fmt.Sprintf(`SELECT
		(SELECT count(*) FROM (SELECT * FROM main.items_1 WHERE OBJECTID <= %[1]d EXCEPT SELECT * FROM base.items_1)),
		(SELECT count(*) FROM (SELECT * FROM base.items_1 EXCEPT SELECT * FROM main.items_1 WHERE OBJECTID <= %[1]d)),
		(SELECT count(*) FROM main.items_1 WHERE OBJECTID <= %[1]d),
		(SELECT count(*) FROM (SELECT xmin, ymin, xmax, ymax FROM main.collections EXCEPT SELECT xmin, ymin, xmax, ymax FROM base.collections))`, baseItems)
	var onlyHere, onlyBase, n, boundary int64
	if err := db.QueryRowContext(ctx, q).Scan(&onlyHere, &onlyBase, &n, &boundary); err != nil {
		t.Fatalf("compare with base: %v", err)
	}
	if onlyHere != 0 || onlyBase != 0 || n != baseItems || boundary != 0 {
		t.Fatalf("after undo: %d rows differ from the original, %d original rows are missing, %d rows (want %d), boundary differs: %v",
			onlyHere, onlyBase, n, baseItems, boundary != 0)
	}
}

// lateManifest writes n items that CloudCover > 50 selects, for adding
// after a job's submission, and returns its path.
func lateManifest(t testing.TB, dir string, n int, cloud float64, sensor string) string {
	t.Helper()
	items := genItems(n, 1234)
	for i := range items {
		items[i].CloudCover = cc(cloud)
		items[i].Sensor = sensor
		items[i].Raster = fmt.Sprintf("/late/%s/%d.tif", sensor, i)
		// inside the base extent, so that the boundary is unchanged
		items[i].XMin, items[i].YMin, items[i].XMax, items[i].YMax = 100, 100, 101, 101
	}
	path := filepath.Join(dir, fmt.Sprintf("late-%s.csv", sensor))
	if err := os.WriteFile(path, manifest(items), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func seq(from, to int64) []int64 {
	var out []int64
	for id := from; id <= to; id++ {
		out = append(out, id)
	}
	return out
}

// runAndKill starts the binary, SIGKILLs it after delay (unless it ends
// first), reaps it, and reports whether the kill landed.
func runAndKill(t testing.TB, db string, delay time.Duration, args ...string) (killed bool, r result) {
	t.Helper()
	return runAndKillWhen(t, db, nil, delay, args...)
}

// runAndKillWhen is runAndKill whose delay starts once ready (polled every
// millisecond on the catalog) reports true; nil ready starts it at once.
func runAndKillWhen(t testing.TB, db string, ready func() bool, delay time.Duration, args ...string) (killed bool, r result) {
	t.Helper()
	cmd := mosaicCmd(t, db, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	exited := false
	if ready != nil {
	poll:
		for {
			select {
			case err = <-done:
				exited = true
				break poll
			default:
			}
			if ready() {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if !exited {
		select {
		case err = <-done:
		case <-time.After(delay):
			cmd.Process.Signal(syscall.SIGKILL)
			err = <-done // reaped: /proc no longer knows the pid
		}
	}
	r = result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return true, r
		}
		r.code = ee.ExitCode()
	}
	return false, r
}

// jobState reads the first DeleteImage job's state; ok is false while
// there is none.
func jobState(db *sql.DB) (j jobRow, ok bool) {
	err := db.QueryRowContext(ctx, "SELECT status, done, total, cursor, coalesce(high_oid, 0), coalesce(strategy, '') FROM jobs WHERE task = ? ORDER BY seq LIMIT 1",
		TaskDeleteImage).Scan(&j.status, &j.done, &j.total, &j.cursor, &j.high, &j.strategy)
	return j, err == nil
}

// The clauses of the crash matrix: one a delete swaps (47% of the items
// match), one it removes row by row (10%).
const (
	clauseSwap = "CloudCover > 50"
	clauseRows = "CloudCover > 90"
)

// baseMatching returns the OBJECTIDs of the base catalog that where
// selects (one of the two clauses).
func baseMatching(t testing.TB, where string) []int64 {
	t.Helper()
	baseCatalog(t)
	limit := map[string]float64{clauseSwap: 50, clauseRows: 90}[where]
	var out []int64
	for i, it := range baseGen {
		if it.CloudCover != nil && *it.CloudCover > limit {
			out = append(out, int64(i+1))
		}
	}
	return out
}

// killPlan says when a kill point strikes: delay after the process starts,
// after its submission committed, after its first batch committed (for a
// swap: once it started swapping), or after its last (the swap) committed;
// and on which clause.
type killPlan struct {
	after string // "start", "submission", "first batch" or "last batch"
	delay time.Duration
	where string // clauseSwap or clauseRows
}

// TestCrash kills `mosaic delete-image` (and sometimes the `jobs resume`
// or `jobs undo` that follows) with SIGKILL at many instants, from
// submission to the finishing step, for a delete that swaps and one that
// removes row by row, and proves each time that the catalog is intact, that
// resume finishes exactly what the job was to remove (items added after
// submission survive), and that undo restores every row.
func TestCrash(t *testing.T) {
	points := *killPoints
	if points == 0 {
		points = 4
		if soak {
			points = 12
		}
	}
	baseCatalog(t)
	mosaicBin(t)

	// Calibrate: how long do submission and deletion take here and now?
	start := time.Now()
	type timing struct{ submitted, deleting, full time.Duration }
	timings := map[string]timing{}
	for _, where := range []string{clauseSwap, clauseRows} {
		calib := copyCatalog(t)
		calibDB := rawDB(t, calib)
		var submitted time.Duration
		t0 := time.Now()
		killed, r := runAndKillWhen(t, calib, func() bool {
			if _, ok := jobState(calibDB); ok && submitted == 0 {
				submitted = time.Since(t0)
			}
			return false
		}, time.Hour, "delete-image", "-i", "c", "--where", where)
		full := time.Since(t0)
		var doc Document
		if err := json.Unmarshal([]byte(r.stdout), &doc); killed || err != nil || doc.JobStatus != Succeeded {
			t.Fatalf("uninterrupted delete-image: %v %s %s", err, r.stdout, r.stderr)
		}
		assertIDs(t, objectIDs(t, calibDB, "items_1"), expectedIDs(baseItems, baseMatching(t, where)))
		if submitted == 0 {
			submitted = full / 2
		}
		timings[where] = timing{submitted, full - submitted, full}
		t.Logf("uninterrupted delete-image where %s, %d of %d items: submitted after %v, done after %v (%s)",
			where, len(baseMatching(t, where)), baseItems, submitted.Round(time.Millisecond), full.Round(time.Millisecond), doc.Messages[1].Description)
	}

	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	phases := map[string]int{}
	for i := 0; i < points; i++ {
		u := rng.Float64()
		where := []string{clauseSwap, clauseRows}[(i+i/4)%2]
		tm := timings[where]
		var plan killPlan
		switch i % 4 {
		case 0:
			plan = killPlan{"start", time.Duration(u * 1.2 * float64(tm.submitted)), where}
		case 1:
			plan = killPlan{"submission", time.Duration(u * 1.1 * float64(tm.deleting)), where}
		case 2:
			plan = killPlan{"first batch", time.Duration(u * float64(20*time.Millisecond)), where}
		case 3:
			plan = killPlan{"last batch", time.Duration(u * float64(5*time.Millisecond)), where}
		}
		var resumeKill, undoKill time.Duration
		switch i % 3 {
		case 1:
			resumeKill = time.Duration(rng.Float64() * float64(tm.deleting))
		case 2:
			undoKill = time.Duration(rng.Float64() * float64(tm.full))
		}
		name := fmt.Sprintf("%02d/%sKillAt%dmsAfter%s", i+1, map[string]string{clauseSwap: "Swap", clauseRows: "Rows"}[where], plan.delay.Milliseconds(), map[string]string{
			"start": "Start", "submission": "Submission", "first batch": "FirstBatch", "last batch": "LastBatch"}[plan.after])
		t.Run(name, func(t *testing.T) {
			phase := crashOnce(t, plan, resumeKill, undoKill)
			phases[phase]++
		})
	}
	t.Logf("kill points by phase reached: %v (%v in all)", phases, time.Since(start).Round(time.Millisecond))
	if points >= 4 && phases["deleting"] == 0 {
		t.Errorf("no kill landed while items were being deleted: %v", phases)
	}
}

// crashOnce is one kill point of TestCrash. It returns the phase the kill
// landed in.
func crashOnce(t *testing.T, plan killPlan, resumeKill, undoKill time.Duration) (phase string) {
	path := copyCatalog(t)
	db := rawDB(t, path)
	match := baseMatching(t, plan.where)
	var ready func() bool
	switch plan.after {
	case "submission":
		ready = func() bool { _, ok := jobState(db); return ok }
	case "first batch":
		ready = func() bool {
			j, ok := jobState(db)
			return ok && (j.strategy == string(catalog.UndoSwap) || j.done > 0 && j.cursor < j.high)
		}
	case "last batch":
		ready = func() bool { j, ok := jobState(db); return ok && j.high > 0 && j.cursor >= j.high }
	}
	t0 := time.Now()
	killed, r := runAndKillWhen(t, path, ready, plan.delay, "delete-image", "-i", "c", "--where", plan.where)
	if !killed && r.code != 0 {
		t.Fatalf("delete-image exited %d: %s", r.code, r.stderr)
	}
	killedAt := time.Since(t0)
	integrityOK(t, db)
	jobs := readJobs(t, db, TaskDeleteImage)
	late := lateManifest(t, filepath.Dir(path), 25, 99, "LATE")
	switch {
	case !killed:
		phase = "after exit"
	case len(jobs) == 0:
		phase = "before submission committed"
	case jobs[0].status == string(Submitted):
		phase = "submitted"
	case jobs[0].status == string(Executing) && jobs[0].cursor < jobs[0].high:
		phase = "deleting"
	case jobs[0].status == string(Executing):
		phase = "finishing"
	case jobs[0].status == string(Succeeded):
		phase = "finish committed"
	default:
		phase = jobs[0].status
	}
	t.Logf("killed after %v: %v, phase: %s, jobs: %+v", killedAt.Round(time.Millisecond), killed, phase, jobs)

	if len(jobs) == 0 {
		// Nothing happened: no job, no undo table, every item there.
		if n := count(t, db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'undo%'"); n != 0 {
			t.Errorf("%d undo tables without a job", n)
		}
		assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, nil))
		return phase
	}
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(jobs))
	}
	j := jobs[0]
	if j.high != baseItems {
		t.Fatalf("job's highest OBJECTID %d, want %d", j.high, baseItems)
	}
	// What is gone is exactly the matching items up to the cursor.
	var gone []int64
	for _, id := range match {
		if id <= j.cursor {
			gone = append(gone, id)
		}
	}
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, gone))
	// Items added after submission that the clause selects.
	mustMosaic(t, path, "add-image", "-i", "c", "--manifest", late)
	lateIDs := seq(baseItems+1, baseItems+25)

	if resumeKill > 0 {
		killed, r := runAndKill(t, path, resumeKill, "jobs", "resume", j.id)
		if !killed && r.code != 0 {
			t.Fatalf("jobs resume exited %d: %s", r.code, r.stderr)
		}
		integrityOK(t, db)
		t.Logf("resume killed after %v: %v; job now %+v", resumeKill.Round(time.Millisecond), killed, readJobs(t, db, TaskDeleteImage)[0])
	}
	t1 := time.Now()
	r = mustMosaic(t, path, "jobs", "resume", j.id)
	var doc Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.JobStatus != Succeeded {
		t.Fatalf("jobs resume: %v\n%s", err, r.stdout)
	}
	resumeTook := time.Since(t1)
	integrityOK(t, db)
	final := readJobs(t, db, TaskDeleteImage)[0]
	if final.done != int64(len(match)) || final.total != final.done || final.owner != "" {
		t.Errorf("finished job: %+v, want %d items done", final, len(match))
	}
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, match, lateIDs...))
	assertIDs(t, removedByJob(t, path, j.id), match)
	if r := mosaic(t, path, "check"); r.code != 0 {
		t.Errorf("mosaic check after resume: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	if undoKill > 0 {
		// Undo is one transaction: killed, it has either happened whole or
		// not at all.
		killed, r := runAndKill(t, path, undoKill, "jobs", "undo", j.id)
		if !killed && r.code != 0 {
			t.Fatalf("jobs undo exited %d: %s", r.code, r.stderr)
		}
		integrityOK(t, db)
		undone := count(t, db, "SELECT count(*) FROM jobs WHERE id = ? AND undone_by IS NOT NULL", j.id) == 1
		undoJobs := count(t, db, "SELECT count(*) FROM jobs WHERE task = ?", TaskUndo)
		n := count(t, db, "SELECT count(*) FROM items_1")
		t.Logf("undo killed after %v: %v; undone: %v", undoKill.Round(time.Millisecond), killed, undone)
		switch {
		case undone && undoJobs == 1 && n == baseItems+25:
			assertSameAsBase(t, db)
			return phase
		case !undone && undoJobs == 0 && n == baseItems-int64(len(match))+25:
		default:
			t.Fatalf("after a killed undo: undone %v, %d undo jobs, %d items", undone, undoJobs, n)
		}
	}
	t2 := time.Now()
	mustMosaic(t, path, "jobs", "undo", j.id)
	undoTook := time.Since(t2)
	integrityOK(t, db)
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, nil, lateIDs...))
	assertSameAsBase(t, db)
	if r := mosaic(t, path, "check"); r.code != 0 {
		t.Errorf("mosaic check after undo: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("resume took %v, undo %v", resumeTook.Round(time.Millisecond), undoTook.Round(time.Millisecond))
	return phase
}

// TestConcurrentProcesses runs two deletes, an add and a list at once on one
// catalog, then both undos at once: every process succeeds, none reports a
// locked database, and the end state is exactly what the four imply.
func TestConcurrentProcesses(t *testing.T) {
	path := copyCatalog(t)
	dir := filepath.Dir(path)
	late := lateManifest(t, dir, 5000, 10, "S9") // selected by neither delete

	type proc struct {
		name string
		args []string
		res  result
	}
	procs := []*proc{
		{name: "delete cloudy", args: []string{"delete-image", "-i", "c", "--where", "CloudCover > 80"}},
		{name: "delete S1", args: []string{"delete-image", "-i", "c", "--where", "SensorName = 'S1'"}},
		{name: "add", args: []string{"add-image", "-i", "c", "--manifest", late}},
		{name: "list", args: []string{"list-images", "-i", "c", "--where", "CloudCover < 20", "-f", "csv"}},
		{name: "jobs list", args: []string{"jobs", "list"}},
	}
	runAll := func(procs []*proc) {
		var wg sync.WaitGroup
		for _, p := range procs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.res = mosaic(t, path, p.args...)
			}()
		}
		wg.Wait()
		for _, p := range procs {
			if p.res.code != 0 {
				t.Errorf("%s: exit %d: %s", p.name, p.res.code, p.res.stderr)
			}
			assertNoLockedError(t, p.res.stderr)
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	runAll(procs)

	var removed []int64
	wantCloudy, wantS1 := map[int64]bool{}, map[int64]bool{}
	for i, it := range baseGen {
		id := int64(i + 1)
		cloudy := it.CloudCover != nil && *it.CloudCover > 80
		if cloudy || it.Sensor == "S1" {
			removed = append(removed, id)
		}
		wantCloudy[id], wantS1[id] = cloudy, it.Sensor == "S1"
	}
	db := rawDB(t, path)
	integrityOK(t, db)
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, removed, seq(baseItems+1, baseItems+5000)...))

	jobs := readJobs(t, db, TaskDeleteImage)
	if len(jobs) != 2 {
		t.Fatalf("%d jobs, want 2", len(jobs))
	}
	// Disjoint removals whose union is what went.
	var union []int64
	seen := map[int64]bool{}
	for _, j := range jobs {
		if j.status != string(Succeeded) || j.done != j.total {
			t.Errorf("job %+v", j)
		}
		for _, id := range removedByJob(t, path, j.id) {
			if seen[id] {
				t.Errorf("OBJECTID %d was claimed by both jobs", id)
			}
			seen[id] = true
			union = append(union, id)
		}
	}
	sort.Slice(union, func(i, j int) bool { return union[i] < union[j] })
	assertIDs(t, union, removed)
	var listed int
	for _, line := range strings.Split(strings.TrimSpace(procs[3].res.stdout), "\n")[1:] {
		if line != "" {
			listed++
		}
	}
	if listed == 0 {
		t.Errorf("list-images listed nothing")
	}

	runAll([]*proc{
		{name: "undo 1", args: []string{"jobs", "undo", jobs[0].id}},
		{name: "undo 2", args: []string{"jobs", "undo", jobs[1].id}},
		{name: "list", args: []string{"list-images", "-i", "c", "--limit", "10"}},
	})
	integrityOK(t, db)
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, nil, seq(baseItems+1, baseItems+5000)...))
	assertSameAsBase(t, db)
}

// TestInterrupt sends SIGINT to a running job: the process stops between
// batches with exit status 1, gives the job up, and `jobs resume` finishes
// it exactly.
func TestInterrupt(t *testing.T) {
	path := copyCatalog(t)
	r := mustMosaic(t, path, "delete-image", "-i", "c", "--where", clause, "--no-wait")
	var sub struct {
		JobID     string `json:"jobId"`
		JobStatus Status `json:"jobStatus"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sub); err != nil || sub.JobStatus != Submitted {
		t.Fatalf("--no-wait printed %q (%v)", r.stdout, err)
	}
	db := rawDB(t, path)

	cmd := mosaicCmd(t, path, "jobs", "resume", sub.JobID)
	cmd.Env = append(cmd.Env, "MOSAIC_BATCH_SIZE="+strconv.Itoa(slowBatch), "MOSAIC_DELETE_STRATEGY=rows")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until a batch has committed, then interrupt.
	var j jobRow
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		j = readJobs(t, db, TaskDeleteImage)[0]
		if j.status == string(Executing) && j.done > 0 || Status(j.status).Finished() {
			break
		}
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	j = readJobs(t, db, TaskDeleteImage)[0]
	if j.status == string(Succeeded) {
		t.Fatalf("the job's %d batches of %d OBJECTID(s) all committed before the interrupt reached it", baseItems/slowBatch, slowBatch)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("interrupted resume: %v, want exit status 1\nstderr: %s", err, errb.String())
	}
	t.Logf("interrupted at %+v; stderr: %s", j, strings.TrimSpace(errb.String()))
	if !strings.Contains(errb.String(), "jobs resume "+sub.JobID) {
		t.Errorf("stderr does not say how to resume: %s", errb.String())
	}
	if strings.Contains(errb.String(), "internal error") || strings.Contains(errb.String(), "interrupted (9)") {
		t.Errorf("stderr shows an internal error: %s", errb.String())
	}
	if j.status != string(Executing) || j.owner != "" || j.cursor >= j.high {
		t.Fatalf("interrupted job: %+v; want %s, no owner, part done", j, Executing)
	}
	var doc Document
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.JobStatus != Executing {
		t.Errorf("interrupted resume printed %q (%v)", out.String(), err)
	}
	integrityOK(t, db)
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, baseMatch[:j.done]))

	r = mustMosaic(t, path, "jobs", "resume", sub.JobID)
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.JobStatus != Succeeded {
		t.Fatalf("resume after interrupt: %v %s", err, r.stdout)
	}
	for _, m := range doc.Messages {
		if m.Type != Informative {
			t.Errorf("message %+v: an interrupted job was released and needs no warning", m)
		}
	}
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, baseMatch))
}

// smallCatalog makes a catalog at path whose collection "c" holds the 10
// items of genItems(10, 7), and returns the OBJECTIDs that CloudCover > 50
// selects: for tests of the command line that need no large catalog.
func smallCatalog(t testing.TB, path string) []int64 {
	t.Helper()
	cat, err := catalog.Open(ctx, path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	coll, err := cat.CreateCollection(ctx, catalog.NewCollection{Name: "c", SRS: "EPSG:32632", Fields: sceneFields})
	if err != nil {
		t.Fatal(err)
	}
	items := genItems(10, 7)
	if _, err := cat.LoadManifest(ctx, coll, bytes.NewReader(manifest(items)), "small.csv"); err != nil {
		t.Fatal(err)
	}
	var match []int64
	for i, it := range items {
		if it.matches() {
			match = append(match, int64(i+1))
		}
	}
	if len(match) == 0 || len(match) == len(items) {
		t.Fatalf("the small catalog's clause selects %d of %d items", len(match), len(items))
	}
	return match
}

// TestCommandExitStatuses checks the exit statuses of the job commands as
// users meet them.
func TestCommandExitStatuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	smallCatalog(t, path)
	before := count(t, rawDB(t, path), "SELECT count(*) FROM jobs")
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"BadWhereIs2", []string{"delete-image", "-i", "c", "--where", "Nope > 1"}, 2},
		{"EmptyWhereIs2", []string{"delete-image", "-i", "c", "--where", ""}, 2},
		{"UnknownCollectionIs2", []string{"delete-image", "-i", "zzz", "--where", "1=1"}, 2},
		{"BadJobIDIs2", []string{"jobs", "status", "j123"}, 2},
		{"UnknownJobIs2", []string{"jobs", "resume", "j0123456789abcdef0123456789abcdef"}, 2},
		{"UndoUnknownJobIs2", []string{"jobs", "undo", "j0123456789abcdef0123456789abcdef"}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := mosaic(t, path, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d; stderr %s", r.code, c.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
	if n := count(t, rawDB(t, path), "SELECT count(*) FROM jobs"); n != before {
		t.Errorf("%d jobs after refused commands, want %d", n, before)
	}
	t.Run("CancelledJobIs1", func(t *testing.T) {
		r := mustMosaic(t, path, "delete-image", "-i", "c", "--where", "CloudCover > 99", "--no-wait")
		var sub struct{ JobID string }
		json.Unmarshal([]byte(r.stdout), &sub)
		mustMosaic(t, path, "jobs", "cancel", sub.JobID)
		if r := mosaic(t, path, "jobs", "resume", sub.JobID); r.code != 1 {
			t.Errorf("resume of a cancelled job: exit %d, want 1", r.code)
		}
		if r := mosaic(t, path, "jobs", "undo", sub.JobID); r.code != 2 {
			t.Errorf("undo of a job that removed nothing: exit %d, want 2", r.code)
		}
	})
}

// TestCatalogPathWithURICharacters runs a whole delete, resume and undo on
// a catalog whose path holds characters that mean something in a URI.
func TestCatalogPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "scenes #1? 100% & more")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "my catalog#2.db")
	match := smallCatalog(t, path)
	r := mustMosaic(t, path, "delete-image", "-i", "c", "--where", clause, "--no-wait")
	var sub struct{ JobID string }
	if err := json.Unmarshal([]byte(r.stdout), &sub); err != nil {
		t.Fatal(err)
	}
	mustMosaic(t, path, "jobs", "resume", sub.JobID)
	db := rawDB(t, path)
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(10, match))
	mustMosaic(t, path, "jobs", "undo", sub.JobID)
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(10, nil))
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			t.Errorf("stray file %s next to the catalog's folder", e.Name())
		}
	}
}

// TestConcurrentResumesRunAJobOnce starts three `jobs resume` of one job at
// once: one runs it; the others find it running (exit 2, nothing done) or
// finished (exit 0).
func TestConcurrentResumesRunAJobOnce(t *testing.T) {
	path := copyCatalog(t)
	r := mustMosaic(t, path, "delete-image", "-i", "c", "--where", clause, "--no-wait")
	var sub struct{ JobID string }
	if err := json.Unmarshal([]byte(r.stdout), &sub); err != nil {
		t.Fatal(err)
	}
	results := make([]result, 3)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = mosaic(t, path, "jobs", "resume", sub.JobID)
		}()
	}
	wg.Wait()
	ok := 0
	for _, r := range results {
		t.Logf("resume: exit %d %s", r.code, strings.TrimSpace(r.stderr))
		switch {
		case r.code == 0:
			ok++
		case r.code == 2 && strings.Contains(r.stderr, "running in another process"):
		default:
			t.Errorf("resume: exit %d: %s", r.code, r.stderr)
		}
		assertNoLockedError(t, r.stderr)
	}
	if ok == 0 {
		t.Errorf("no resume succeeded")
	}
	m := mustMosaic(t, path, "jobs", "status", sub.JobID)
	var doc Document
	if err := json.Unmarshal([]byte(m.stdout), &doc); err != nil || doc.JobStatus != Succeeded {
		t.Fatalf("job after concurrent resumes: %v %s", err, m.stdout)
	}
	want := []string{
		fmt.Sprintf("Submitted: removes the items of c up to OBJECTID %d that match %s", baseItems, clause),
		"Started: ",
		fmt.Sprintf("Deleted %d of %d items from c", len(baseMatch), len(baseMatch)),
	}
	same := len(doc.Messages) == len(want)
	for i := 0; same && i < len(want); i++ {
		same = doc.Messages[i].Type == Informative && strings.HasPrefix(doc.Messages[i].Description, want[i])
	}
	if !same {
		t.Errorf("messages %+v, want %q (the job ran once, and nobody took it over)", doc.Messages, want)
	}
	db := rawDB(t, path)
	integrityOK(t, db)
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, baseMatch))
}

// TestCancelFromAnotherProcess cancels a running delete from a second
// process: the first stops between batches with exit status 1, the job is
// esriJobCancelled, and undo restores every row.
func TestCancelFromAnotherProcess(t *testing.T) {
	path := copyCatalog(t)
	db := rawDB(t, path)
	cmd := mosaicCmd(t, path, "delete-image", "-i", "c", "--where", clause)
	cmd.Env = append(cmd.Env, "MOSAIC_BATCH_SIZE="+strconv.Itoa(slowBatch), "MOSAIC_DELETE_STRATEGY=rows")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var id string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if jobs := readJobs(t, db, TaskDeleteImage); len(jobs) == 1 && jobs[0].status == string(Executing) && jobs[0].done > 0 {
			id = jobs[0].id
			break
		}
	}
	if id == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no batch of the job committed within 20 s")
	}
	c := mosaic(t, path, "jobs", "cancel", id)
	err := cmd.Wait()
	j := readJobs(t, db, TaskDeleteImage)[0]
	if j.status == string(Succeeded) {
		t.Fatalf("the job's %d batches of %d OBJECTID(s) all committed before the cancel reached it", baseItems/slowBatch, slowBatch)
	}
	if c.code != 0 {
		t.Fatalf("jobs cancel: exit %d: %s", c.code, c.stderr)
	}
	var doc Document
	if err := json.Unmarshal([]byte(c.stdout), &doc); err != nil || (doc.JobStatus != Cancelling && doc.JobStatus != Cancelled) {
		t.Errorf("jobs cancel printed %s (%v)", c.stdout, err)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("cancelled delete-image: %v, want exit status 1; stderr %s", err, errb.String())
	}
	if j.status != string(Cancelled) || j.done == 0 || j.cursor >= j.high || j.owner != "" {
		t.Fatalf("cancelled job %+v", j)
	}
	integrityOK(t, db)
	assertIDs(t, objectIDs(t, db, "items_1"), expectedIDs(baseItems, baseMatch[:j.done]))
	mustMosaic(t, path, "jobs", "undo", id)
	assertSameAsBase(t, db)
}
