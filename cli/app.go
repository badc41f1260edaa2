// Package cli is mosaic's command line: one file per command, each a thin
// shell over packages jobs and catalog. It decides formats, exit statuses
// and what goes to stdout (results, JSON) and stderr (diagnostics,
// progress).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	ucli "github.com/urfave/cli/v2"

	"mosaic/catalog"
	"mosaic/internal/textutil"
)

// Exit statuses.
const (
	ExitOK          = 0 // success
	ExitFailed      = 1 // the job failed or was cancelled, or some inputs were skipped
	ExitInvalid     = 2 // bad input: nothing was changed
	ExitUnavailable = 3 // the catalog could not be used
)

// exitError is an exit status with what to say about it (nothing when it
// was said already): the outcome of a job, or an error of urfave/cli's.
// Errors of the catalog's vocabulary get theirs from exitStatus.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// exitStatus maps the catalog's error codes to exit statuses. An error
// without a code is a fault of mosaic: ExitFailed.
var exitStatus = map[catalog.Code]int{
	catalog.Invalid:     ExitInvalid,
	catalog.NotFound:    ExitInvalid,
	catalog.Conflict:    ExitInvalid,
	catalog.Unavailable: ExitUnavailable,
	catalog.Internal:    ExitFailed,
}

// exitCode maps an error to the exit status a user sees.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitStatus[catalog.ErrorCode(err)]
}

// ours gives an error a command returns (rather than urfave/cli's usage
// errors) its exit status.
func ours(err error) error {
	var ee *exitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return &exitError{code: exitCode(err), err: err}
}

// withExitStatuses wraps the actions of cmds and their subcommands with
// ours.
func withExitStatuses(cmds []*ucli.Command) []*ucli.Command {
	for _, c := range cmds {
		if action := c.Action; action != nil {
			c.Action = func(ctx *ucli.Context) error { return ours(action(ctx)) }
		}
		withExitStatuses(c.Subcommands)
	}
	return cmds
}

// silent is an exit status whose explanation was already printed.
func silent(code int) error { return &exitError{code: code} }

// Run runs the command line args (args[0] is the program name) and returns
// the exit status. It is the whole of main, and what tests call.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "mosaic: internal error: %s\n", textutil.Escape(fmt.Sprint(p)))
			if os.Getenv("MOSAIC_DEBUG") != "" {
				stderr.Write(debug.Stack())
			}
			code = ExitFailed
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first signal stops the work gracefully; a second one kills.
		<-ctx.Done()
		stop()
	}()
	app := NewApp(stdin, stdout, stderr)
	args = interspersed(app, args)
	if err := repeatedFlag(app, args); err != nil {
		printError(stderr, err.Error())
		return ExitInvalid
	}
	if !askedForHelp(args) {
		// Usage errors print help through App.Writer: keep it off stdout,
		// which carries only results.
		app.Writer = stderr
	}
	unknownCommand := false
	app.CommandNotFound = func(c *ucli.Context, name string) {
		fmt.Fprintf(stderr, "mosaic: unknown command %s (see mosaic --help)\n", textutil.Quote(name))
		unknownCommand = true
	}
	err := app.RunContext(ctx, args)
	if err == nil && unknownCommand {
		return ExitInvalid
	}
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		// Errors urfave/cli returns itself are usage errors: unknown flags,
		// missing required flags, bad flag values.
		printError(stderr, err.Error())
		return ExitInvalid
	}
	if msg := err.Error(); msg != "" {
		printError(stderr, msg)
	}
	return exitCode(err)
}

// maxErrorBytes bounds an error message on stderr: no message of mosaic's
// is near it, but one that quotes a user's oversized token must not flood
// the terminal.
const maxErrorBytes = 8 << 10

// printError writes an error message on stderr as one line, its control
// characters escaped: a file name or a where clause with an ESC or a newline
// in it can neither drive the terminal nor forge another line.
func printError(stderr io.Writer, msg string) {
	msg = textutil.Escape(msg)
	if len(msg) > maxErrorBytes {
		msg = strings.ToValidUTF8(msg[:maxErrorBytes], "") + "…"
	}
	fmt.Fprintf(stderr, "mosaic: %s\n", msg)
}

// askedForHelp reports whether args ask for help, which goes to stdout.
func askedForHelp(args []string) bool {
	if len(args) == 1 {
		return true // bare mosaic shows the overview
	}
	for _, a := range args[1:] {
		switch a {
		case "--":
			return false
		case "-h", "--help", "-help", "help":
			return true
		}
	}
	return false
}

// stdout is where a command writes its results.
func stdout(c *ucli.Context) io.Writer { return c.App.Metadata["stdout"].(io.Writer) }

// noArgs refuses positional arguments for commands that take none: an
// unquoted where clause split by the shell must not be half-read.
func noArgs(c *ucli.Context) error {
	if c.NArg() > 0 {
		return invalid("%s takes no arguments, got %s (quote a where clause: --where \"CloudCover > 50 AND …\")", c.Command.FullName(), quoteArgs(c.Args().Slice()))
	}
	return nil
}

// quoteArgs quotes arguments for a message, each cut as textutil.Quote
// cuts it, and at most five of them.
func quoteArgs(args []string) string {
	q := make([]string, 0, 6)
	for i, a := range args {
		if i == 5 {
			q = append(q, fmt.Sprintf("… (%d arguments)", len(args)))
			break
		}
		q = append(q, textutil.Quote(a))
	}
	return "[" + strings.Join(q, " ") + "]"
}

// invalid is a bad-input error (exit status 2).
func invalid(format string, args ...any) error {
	return catalog.Errorf(catalog.Invalid, format, args...)
}

// NewApp builds the command line application.
func NewApp(stdin io.Reader, stdout, stderr io.Writer) *ucli.App {
	return &ucli.App{
		Metadata:  map[string]any{"stdout": stdout},
		Name:      "mosaic",
		Usage:     "keep image collections (mosaic datasets) in one SQLite file and run ArcGIS Raster Analysis tasks on them offline",
		UsageText: "mosaic [--catalog PATH] COMMAND [options]",
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "catalog", Aliases: []string{"c"}, Value: "mosaic.db", EnvVars: []string{"MOSAIC_CATALOG"},
				Usage: "the catalog file (created on first use)"},
			&ucli.StringFlag{Name: "base-url", EnvVars: []string{"MOSAIC_BASE_URL"}, Value: catalog.DefaultBaseURL,
				Usage: "the base of collection URLs, where 'mosaic serve' answers"},
			// Tests use it to give a delete many batches.
			&ucli.IntFlag{Name: "batch-size", EnvVars: []string{"MOSAIC_BATCH_SIZE"}, Hidden: true,
				Usage: "delete in batches of exactly N OBJECTIDs"},
			// Tests and benchmarks use it to choose how a delete removes.
			&ucli.StringFlag{Name: "delete-strategy", EnvVars: []string{"MOSAIC_DELETE_STRATEGY"}, Hidden: true,
				Usage: "remove by rows or swap, instead of choosing by the share of items that match"},
		},
		Commands: withExitStatuses([]*ucli.Command{
			createCollectionCommand(),
			addImageCommand(),
			listImagesCommand(),
			listCollectionsCommand(),
			deleteImageCommand(),
			deleteCollectionCommand(),
			exportCommand(),
			jobsCommand(),
			serveCommand(),
			checkCommand(),
			backupCommand(),
			configCommand(),
		}),
		DisableSliceFlagSeparator: true,
		HideHelpCommand:           true,
		ExitErrHandler:            func(*ucli.Context, error) {},
		OnUsageError: func(c *ucli.Context, err error, isSubcommand bool) error {
			return &exitError{code: ExitInvalid, err: fmt.Errorf("%v (see mosaic %s --help)", err, c.Command.FullName())}
		},
	}
}
