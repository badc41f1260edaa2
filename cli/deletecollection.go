package cli

import (
	ucli "github.com/urfave/cli/v2"

	"mosaic/jobs"
)

func deleteCollectionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "delete-image-collection",
		Usage:     "delete a collection and its items, as an undoable job; source files stay (ArcGIS DeleteImageCollection)",
		ArgsUsage: "COLLECTION",
		Flags:     []ucli.Flag{formatFlag("json", "html", "text")},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return invalid("delete-image-collection takes one COLLECTION (name, URL or JSON), got %d arguments", c.NArg())
			}
			f, err := format(c, "json", "html", "text")
			if err != nil {
				return err
			}
			return withManager(c, func(m *jobs.Manager) error {
				j, err := m.DeleteImageCollection(c.Context, c.Args().First())
				if err != nil {
					return err
				}
				if err := writeJob(c.Context, stdout(c), m, j, f); err != nil {
					return err
				}
				return jobExit(j, false)
			})
		},
	}
}
