package cli

import (
	"fmt"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"mosaic/jobs"
)

func configCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "config",
		Usage: "show and change the catalog's settings (retention)",
		Subcommands: []*ucli.Command{
			{
				Name:  "list",
				Usage: "list the settings with their values",
				Action: func(c *ucli.Context) error {
					if err := noArgs(c); err != nil {
						return err
					}
					return withManager(c, func(m *jobs.Manager) error {
						tw := tabwriter.NewWriter(stdout(c), 0, 4, 2, ' ', 0)
						fmt.Fprintln(tw, "NAME\tVALUE\tMEANING")
						for _, name := range jobs.SettingNames() {
							v, ok, err := m.Setting(c.Context, name)
							if err != nil {
								return err
							}
							if !ok {
								v = "off"
							}
							fmt.Fprintf(tw, "%s\t%s\t%s\n", name, v, jobs.SettingUsage(name))
						}
						return tw.Flush()
					})
				},
			},
			{
				Name:      "get",
				Usage:     "print a setting's value (off when not set)",
				ArgsUsage: "NAME",
				Action: func(c *ucli.Context) error {
					if c.NArg() != 1 {
						return invalid("config get takes one NAME, got %d arguments", c.NArg())
					}
					return withManager(c, func(m *jobs.Manager) error {
						v, ok, err := m.Setting(c.Context, c.Args().First())
						if err != nil {
							return err
						}
						if !ok {
							v = "off"
						}
						_, err = fmt.Fprintln(stdout(c), v)
						return err
					})
				},
			},
			{
				Name:      "set",
				Usage:     "change a setting, e.g. config set retention 30d (off: unset)",
				ArgsUsage: "NAME VALUE",
				Action: func(c *ucli.Context) error {
					if c.NArg() != 2 {
						return invalid("config set takes NAME and VALUE, got %d arguments", c.NArg())
					}
					return withManager(c, func(m *jobs.Manager) error {
						return m.SetSetting(c.Context, c.Args().Get(0), c.Args().Get(1))
					})
				},
			},
		},
	}
}
