package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"mosaic/catalog"
	"mosaic/jobs"
)

func checkCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "check",
		Usage: "verify the catalog: SQLite's integrity check and mosaic's own invariants (counters, boundaries, undo logs, jobs); exit status 3 when broken",
		Flags: []ucli.Flag{formatFlag("text", "json")},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			f, err := format(c, "text", "json")
			if err != nil {
				return err
			}
			return withManager(c, func(m *jobs.Manager) error {
				problems, err := m.Check(c.Context)
				if err != nil {
					return err
				}
				if f == "json" {
					if problems == nil {
						problems = []catalog.Problem{}
					}
					if err := writeJSON(stdout(c), struct {
						OK       bool              `json:"ok"`
						Problems []catalog.Problem `json:"problems"`
					}{len(problems) == 0, problems}); err != nil {
						return err
					}
				} else if len(problems) == 0 {
					fmt.Fprintf(stdout(c), "catalog %s: ok\n", m.Catalog().Path())
				} else {
					for _, p := range problems {
						fmt.Fprintln(stdout(c), p)
					}
				}
				if len(problems) > 0 {
					return catalog.Errorf(catalog.Unavailable, "catalog %s is broken: %d problem(s)", m.Catalog().Path(), len(problems))
				}
				return nil
			})
		},
	}
}
