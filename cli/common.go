package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"mosaic/catalog"
	"mosaic/internal/textutil"
	"mosaic/jobs"
)

// openCatalog opens the catalog named by --catalog.
func openCatalog(c *ucli.Context) (*catalog.Catalog, error) {
	path := c.String("catalog")
	if strings.TrimSpace(path) == "" {
		return nil, invalid("--catalog is empty")
	}
	return catalog.Open(c.Context, path, catalog.Options{BaseURL: c.String("base-url")})
}

// withManager opens the catalog and runs fn with a job manager over it.
func withManager(c *ucli.Context, fn func(*jobs.Manager) error) error {
	strategy := catalog.UndoKind(c.String("delete-strategy"))
	if strategy != "" && strategy != catalog.UndoRows && strategy != catalog.UndoSwap {
		return invalid("--delete-strategy %q: expected rows or swap", strategy)
	}
	cat, err := openCatalog(c)
	if err != nil {
		return err
	}
	defer cat.Close()
	m := jobs.NewManager(cat)
	if n := c.Int("batch-size"); n > 0 {
		m.BatchSize, m.BatchTarget = n, -1
	}
	m.Strategy = strategy
	m.Notify = func(msg string) { fmt.Fprintf(c.App.ErrWriter, "mosaic: %s\n", msg) }
	m.Stdin = c.App.Reader
	return fn(m)
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
	return "", invalid("--format %s: expected one of %s", textutil.Quote(c.String("format")), strings.Join(choices, ", "))
}

// writeJSON writes v as indented JSON and a newline, without HTML
// escaping.
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
