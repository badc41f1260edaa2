package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"mosaic/catalog"
	"mosaic/jobs"
)

// openCatalog opens the catalog named by --catalog.
func openCatalog(c *ucli.Context) (*catalog.Catalog, error) {
	path := c.String("catalog")
	if strings.TrimSpace(path) == "" {
		return nil, &exitError{code: ExitInvalid, err: fmt.Errorf("--catalog is empty")}
	}
	cat, err := catalog.Open(c.Context, path, catalog.Options{BaseURL: c.String("base-url")})
	if err != nil {
		return nil, fail(err)
	}
	return cat, nil
}

// withManager opens the catalog and runs fn with a job manager over it.
func withManager(c *ucli.Context, fn func(*jobs.Manager) error) error {
	cat, err := openCatalog(c)
	if err != nil {
		return err
	}
	defer cat.Close()
	return fn(jobs.NewManager(cat))
}

// fail turns an error into one with the exit status it deserves.
func fail(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: exitCode(err), err: err}
}

// invalid is a bad-input error (exit status 2).
func invalid(format string, args ...any) error {
	return &exitError{code: ExitInvalid, err: fmt.Errorf(format, args...)}
}

// collectionFlag is -i/--image-collection.
func collectionFlag() *ucli.StringFlag {
	return &ucli.StringFlag{Name: "image-collection", Aliases: []string{"i"}, Required: true,
		Usage: "the collection: its name, its URL, or JSON such as {\"itemId\": \"…\"} (keys itemId, url, uri)"}
}

// formatFlag is -f/--format with the given choices; the first is the default.
func formatFlag(choices ...string) *ucli.StringFlag {
	return &ucli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: choices[0],
		Usage: "output format: " + strings.Join(choices, ", ")}
}

// format returns the --format value, checked against choices.
func format(c *ucli.Context, choices ...string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(c.String("format")))
	if f == "pjson" {
		f = "json"
	}
	for _, ch := range choices {
		if f == ch {
			return f, nil
		}
	}
	return "", invalid("--format %q: expected one of %s", c.String("format"), strings.Join(choices, ", "))
}

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// isTerminal reports whether w is a terminal (progress bars go only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
