package cli_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	_ "modernc.org/sqlite"

	"mosaic/cli"
)

// update rewrites the golden files inside the scripts: go test ./cli -update.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/script/*.txtar")

// statusFileEnv names a file where the mosaic command of the scripts
// records its exit status, so that the script command "status N" can check
// the exact status (2 bad input, 3 catalog unusable …) and not only that the
// command failed.
const statusFileEnv = "MOSAIC_TEST_STATUS_FILE"

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mosaic": func() {
			code := cli.Run(os.Args, os.Stdin, os.Stdout, os.Stderr)
			if f := os.Getenv(statusFileEnv); f != "" {
				if err := os.WriteFile(f, []byte(strconv.Itoa(code)), 0o644); err != nil {
					fmt.Fprintf(os.Stderr, "mosaic test: %v\n", err)
				}
			}
			os.Exit(code)
		},
	})
}

// TestScripts runs the command line as users meet it: each script in
// testdata/script runs the mosaic binary and checks its exit status,
// stdout and stderr. Besides testscript's own commands the scripts have:
//
//	status N                      exit status of the last mosaic command
//	cpfixture SRC... DIR          copy ../testdata/geotiff fixtures (globs)
//	sha256sums DIR|FILE OUT       hashes of every file, to compare with cmp
//	normalize IN OUT [VAR...]     mask job ids, item ids, times, $WORK
//	jsonvar VAR PATH [FILE]       set VAR from JSON (default: stdout)
//	setuserversion DB N           set PRAGMA user_version of a catalog
//	within DURATION PROG ARGS...  exec, but killed if it hangs
//	unescape IN OUT               copy IN to OUT, reading Go escapes (\x1b, \n …)
//	envq VAR TEXT                 set VAR to TEXT with its Go escapes read
//	sqlite DB STMT...             run SQL on a plain SQLite connection
//
// and the condition [chmod-protects] (false for root). Golden files inside
// the scripts are rewritten by go test ./cli -update.
func TestScripts(t *testing.T) {
	fixtures, err := filepath.Abs(filepath.Join("..", "testdata", "geotiff"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("MOSAIC_CATALOG", filepath.Join(env.WorkDir, "cat.db"))
			env.Setenv(statusFileEnv, filepath.Join(env.WorkDir, ".mosaic-status"))
			// Keep the collection URLs at their documented default whatever
			// the developer's environment says.
			env.Setenv("MOSAIC_BASE_URL", "http://localhost:8080")
			env.Values[fixturesKey{}] = fixtures
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":         cmdStatus,
			"cpfixture":      cmdCpfixture,
			"sha256sums":     cmdSha256sums,
			"normalize":      cmdNormalize,
			"jsonvar":        cmdJSONVar,
			"setuserversion": cmdSetUserVersion,
			"within":         cmdWithin,
			"unescape":       cmdUnescape,
			"envq":           cmdEnvq,
			"sqlite":         cmdSQLite,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "chmod-protects":
				return chmodProtects()
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

type fixturesKey struct{}

// cmdStatus checks the exit status of the last mosaic command:
//
//	status N
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: status N")
	}
	file := ts.Getenv(statusFileEnv)
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		ts.Fatalf("status: no mosaic command ran since the last status check")
	}
	ts.Check(err)
	// One check per command: a stale status must not pass for a new one.
	ts.Check(os.Remove(file))
	if got := strings.TrimSpace(string(b)); got != args[0] {
		ts.Fatalf("mosaic exited with status %s, want %s", got, args[0])
	}
}

// cmdCpfixture copies GeoTIFF fixtures from the repository's
// testdata/geotiff into the script's work directory; sources may be globs:
//
//	cpfixture SRC... DIR
func cmdCpfixture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: cpfixture SRC... DIR")
	}
	root := ts.Value(fixturesKey{}).(string)
	dir := ts.MkAbs(args[len(args)-1])
	ts.Check(os.MkdirAll(dir, 0o755))
	for _, pat := range args[:len(args)-1] {
		matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pat)))
		ts.Check(err)
		if len(matches) == 0 {
			ts.Fatalf("cpfixture: no fixture matches %s in %s", pat, root)
		}
		for _, m := range matches {
			b, err := os.ReadFile(m)
			ts.Check(err)
			ts.Check(os.WriteFile(filepath.Join(dir, filepath.Base(m)), b, 0o644))
		}
	}
}

// cmdSha256sums writes the SHA-256 of every file under DIR, one
// "hash  path" line per file in path order, to OUT:
//
//	sha256sums DIR OUT
func cmdSha256sums(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sha256sums DIR OUT")
	}
	dir := ts.MkAbs(args[0])
	var lines []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		sum := sha256.Sum256(b)
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+filepath.ToSlash(rel))
		return nil
	})
	ts.Check(err)
	sort.Strings(lines)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

var (
	jobIDPattern  = regexp.MustCompile(`j[0-9a-f]{32}`)
	itemIDPattern = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	timePattern   = regexp.MustCompile(`\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\b`)
)

// cmdNormalize copies IN (a file, or stdout or stderr of the last command)
// to OUT with what changes from run to run replaced, keeping widths so that
// tables stay aligned: job ids by j000…001, j000…002 … in order of first
// appearance, collection item ids by 32 x, times by YYYY-MM-DDTHH:MM:SSZ,
// and the work directory by $WORK. The job ids held by the environment
// variables VAR… become $VAR instead, so that a golden file can say which
// job is which:
//
//	normalize IN OUT [VAR...]
func cmdNormalize(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: normalize IN OUT [VAR...]")
	}
	s := ts.ReadFile(args[0])
	if work := ts.Getenv("WORK"); work != "" {
		s = strings.ReplaceAll(s, work, "$WORK")
	}
	ids := map[string]string{}
	for _, name := range args[2:] {
		id := ts.Getenv(name)
		if !jobIDPattern.MatchString(id) {
			ts.Fatalf("normalize: $%s is %q, not a job id", name, id)
		}
		ids[id] = "$" + name
	}
	s = jobIDPattern.ReplaceAllStringFunc(s, func(id string) string {
		if _, ok := ids[id]; !ok {
			ids[id] = fmt.Sprintf("j%032d", len(ids)+1-(len(args)-2))
		}
		return ids[id]
	})
	s = itemIDPattern.ReplaceAllString(s, strings.Repeat("x", 32))
	s = timePattern.ReplaceAllString(s, "YYYY-MM-DDTHH:MM:SSZ")
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(s), 0o644))
}

// cmdJSONVar sets the environment variable VAR to the value at PATH (keys
// and array indexes separated by dots) in the JSON of FILE (default: the
// stdout of the last command):
//
//	jsonvar VAR PATH [FILE]
func cmdJSONVar(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: jsonvar VAR PATH [FILE]")
	}
	file := "stdout"
	if len(args) == 3 {
		file = args[2]
	}
	var v any
	if err := json.Unmarshal([]byte(ts.ReadFile(file)), &v); err != nil {
		ts.Fatalf("jsonvar: %s: %v", file, err)
	}
	for _, k := range strings.Split(args[1], ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				ts.Fatalf("jsonvar: %s has no key %q", file, k)
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				ts.Fatalf("jsonvar: %s: bad index %q", file, k)
			}
			v = x[i]
		default:
			ts.Fatalf("jsonvar: %s: %q is not in an object or array", file, k)
		}
	}
	switch x := v.(type) {
	case string:
		ts.Setenv(args[0], x)
	default:
		b, _ := json.Marshal(x)
		ts.Setenv(args[0], string(b))
	}
}

// cmdSetUserVersion sets PRAGMA user_version of an SQLite file, as a newer
// mosaic's migrations would:
//
//	setuserversion DB N
func cmdSetUserVersion(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: setuserversion DB N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf("PRAGMA user_version = %d", n))
	ts.Check(err)
	// Fold the WAL back into the file, so that its bytes are final.
	_, err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	ts.Check(err)
	ts.Check(db.Close())
}

// cmdSQLite runs statements on DB through a plain SQLite connection, without
// mosaic's pragmas (rollback journal unless a statement says otherwise), as
// another program would:
//
//	sqlite DB STMT...
func cmdSQLite(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: sqlite DB STMT...")
	}
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, stmt := range args[1:] {
		if _, err := db.Exec(stmt); err != nil {
			ts.Fatalf("sqlite: %s: %v", stmt, err)
		}
	}
	ts.Check(db.Close())
}

// cmdWithin runs a program like exec, but kills it if it has not finished
// within DURATION: for commands that once hung.
//
//	within DURATION PROG ARGS...
func cmdWithin(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: within DURATION PROG ARGS...")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	path, err := exec.LookPath(args[1])
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args[2:]...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = os.Environ()
	for _, k := range []string{"MOSAIC_CATALOG", "MOSAIC_BASE_URL", statusFileEnv, "HOME", "TMPDIR"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	cmd.Stdout, cmd.Stderr = ts.Stdout(), ts.Stderr()
	err = cmd.Run()
	if ctx.Err() != nil {
		ts.Fatalf("%s did not finish within %s (killed)", strings.Join(args[1:], " "), d)
	}
	switch {
	case err == nil && neg:
		ts.Fatalf("unexpected command success")
	case err != nil && !neg:
		ts.Fatalf("unexpected command failure: %v", err)
	}
}

// cmdUnescape copies IN to OUT with the Go escapes of each line read
// (\x1b, \a, \u202e, \n …), so that a script can make a file holding
// control characters:
//
//	unescape IN OUT
func cmdUnescape(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unescape IN OUT")
	}
	var out []string
	for _, line := range strings.Split(ts.ReadFile(args[0]), "\n") {
		u, err := strconv.Unquote(`"` + strings.ReplaceAll(line, `"`, `\"`) + `"`)
		if err != nil {
			ts.Fatalf("unescape: %q: %v", line, err)
		}
		out = append(out, u)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(strings.Join(out, "\n")), 0o644))
}

// cmdEnvq sets the environment variable VAR to TEXT with its Go escapes
// read, so that a script can pass control characters as arguments:
//
//	envq VAR TEXT
func cmdEnvq(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envq VAR TEXT")
	}
	u, err := strconv.Unquote(`"` + strings.ReplaceAll(args[1], `"`, `\"`) + `"`)
	if err != nil {
		ts.Fatalf("envq: %q: %v", args[1], err)
	}
	ts.Setenv(args[0], u)
}

// chmodProtects reports whether a file without write permission cannot be
// opened for writing: false for root, where read-only catalogs cannot be
// made with chmod.
func chmodProtects() (bool, error) {
	dir, err := os.MkdirTemp("", "mosaic-chmod")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, nil, 0o444); err != nil {
		return false, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return true, nil
	}
	f.Close()
	return false, nil
}
