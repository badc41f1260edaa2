package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"mosaic/jobs"
)

func backupCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "backup",
		Usage:     "write a consistent, compact copy of the catalog to FILE, while jobs keep running; never overwrites",
		ArgsUsage: "FILE",
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return invalid("backup takes one FILE, got %d arguments", c.NArg())
			}
			return withManager(c, func(m *jobs.Manager) error {
				n, err := m.Catalog().Backup(c.Context, c.Args().First())
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.ErrWriter, "mosaic: backed up %s to %s (%s)\n", m.Catalog().Path(), c.Args().First(), jobs.FormatBytes(n))
				return nil
			})
		},
	}
}
