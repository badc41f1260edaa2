package cli

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"mosaic/catalog"
	"mosaic/formats"
	"mosaic/internal/textutil"
	"mosaic/jobs"
)

func jobsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "jobs",
		Usage: "list, check, resume, cancel, undo and purge jobs",
		Subcommands: []*ucli.Command{
			{
				Name:  "list",
				Usage: "list jobs, newest first",
				Flags: []ucli.Flag{
					formatFlag("json", "table"),
					&ucli.StringFlag{Name: "image-collection", Aliases: []string{"i"}, Usage: "only jobs on this collection (name)"},
					&ucli.StringSliceFlag{Name: "status", Usage: "only jobs with this status, e.g. esriJobFailed (repeatable)"},
					&ucli.IntFlag{Name: "limit", Usage: "at most N jobs (0: all)"},
				},
				Action: func(c *ucli.Context) error {
					if err := noArgs(c); err != nil {
						return err
					}
					f, err := format(c, "json", "table")
					if err != nil {
						return err
					}
					opts := jobs.ListOptions{Collection: c.String("image-collection"), Limit: c.Int("limit")}
					for _, s := range c.StringSlice("status") {
						opts.Statuses = append(opts.Statuses, jobs.Status(s))
					}
					return withManager(c, func(m *jobs.Manager) error {
						list, err := m.List(c.Context, opts)
						if err != nil {
							return err
						}
						return writeJobList(c, f, list)
					})
				},
			},
			jobDocCommand("status", "print a job (ArcGIS job document)", func(c *ucli.Context, m *jobs.Manager, id string) (*jobs.Job, error) {
				return m.Get(c.Context, id)
			}),
			{
				Name:      "result",
				Usage:     "print a job's result: result (default) or removedItems (-f json, csv or geojson)",
				ArgsUsage: "ID [result|removedItems]",
				Description: "removedItems -f json is the ArcGIS record set (OBJECTID, Name); -f csv the same as CSV; -f geojson\n" +
					"the removed items whole (every field, footprints in WGS 84) while the job's undo log keeps them.",
				Flags: []ucli.Flag{formatFlag("json", "csv", "geojson")},
				Action: func(c *ucli.Context) error {
					id, err := jobIDArg(c)
					if err != nil {
						return err
					}
					param := "result"
					if c.NArg() > 1 {
						param = c.Args().Get(1)
					}
					f, err := format(c, "json", "csv", "geojson")
					if err != nil {
						return err
					}
					if f != "json" && param != "removedItems" {
						return invalid("-f %s is for removedItems; %s is JSON", f, textutil.Quote(param))
					}
					return withManager(c, func(m *jobs.Manager) error {
						switch f {
						case "csv":
							return writeRemovedCSV(c, m, id)
						case "geojson":
							sel, err := m.RemovedSelection(c.Context, id)
							if err != nil {
								return err
							}
							out := bufio.NewWriterSize(stdout(c), 64<<10)
							if _, err := formats.WriteGeoJSON(c.Context, m.Catalog(), sel, out); err != nil {
								return err
							}
							return out.Flush()
						}
						return m.WriteResult(c.Context, id, param, stdout(c))
					})
				},
			},
			{
				Name:      "resume",
				Usage:     "run a submitted job, or finish one whose process stopped (crash, kill, interrupt) or that failed",
				ArgsUsage: "ID",
				Flags:     []ucli.Flag{formatFlag("json", "html", "text")},
				Action:    jobAction(runJob),
			},
			jobDocCommand("cancel", "cancel a job; what it already removed stays removed, and undoable", func(c *ucli.Context, m *jobs.Manager, id string) (*jobs.Job, error) {
				return m.Cancel(c.Context, id)
			}),
			jobDocCommand("undo", "put back what a finished job removed, with the items' own OBJECTIDs; recorded as a job", func(c *ucli.Context, m *jobs.Manager, id string) (*jobs.Job, error) {
				return m.Undo(c.Context, id)
			}),
			jobsPurgeCommand(),
		},
	}
}

func jobsPurgeCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "purge",
		Usage: "drop the undo logs of finished jobs: they can no longer be undone (removedItems still lists what they removed) and the space goes back to the disk",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "older-than", Usage: "purge the jobs that finished at least this long ago, e.g. 30d, 12h (0: every finished job)"},
			&ucli.StringFlag{Name: "job", Usage: "purge only this job"},
			formatFlag("json", "text"),
		},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			f, err := format(c, "json", "text")
			if err != nil {
				return err
			}
			opts := jobs.PurgeOptions{JobID: strings.TrimSpace(c.String("job"))}
			switch {
			case !c.IsSet("older-than") && opts.JobID == "":
				return invalid("jobs purge needs --older-than DURATION (0 for every finished job) or --job ID")
			case c.IsSet("older-than") && opts.JobID != "":
				return invalid("jobs purge takes --older-than or --job, not both")
			case opts.JobID != "" && !jobs.ValidJobID(opts.JobID):
				return invalid("--job %q is not a job id (expected j followed by 32 hexadecimal digits)", opts.JobID)
			case c.IsSet("older-than"):
				if strings.TrimSpace(c.String("older-than")) != "0" {
					d, err := jobs.ParseRetention(c.String("older-than"))
					if err != nil || d == 0 {
						return invalid("--older-than %q: expected a period such as 30d, 2w, 12h or 90m, or 0 for every finished job", c.String("older-than"))
					}
					opts.OlderThan = d
				}
				opts.Reason = "jobs purge --older-than " + strings.TrimSpace(c.String("older-than"))
			default:
				opts.Reason = "jobs purge --job"
			}
			return withManager(c, func(m *jobs.Manager) error {
				r, err := m.Purge(c.Context, opts)
				if err != nil {
					return err
				}
				if f == "json" {
					return writeJSON(stdout(c), r)
				}
				var items int64
				for _, p := range r.Purged {
					items += p.Items
				}
				fmt.Fprintf(stdout(c), "purged the undo logs of %d job(s), %d removed items in all; %s given back to the disk\n", len(r.Purged), items, jobs.FormatBytes(r.FreedBytes))
				for _, p := range r.Purged {
					fmt.Fprintf(stdout(c), "  %s  %s on %s, %d items\n", p.JobID, p.Task, p.ImageCollection, p.Items)
				}
				return nil
			})
		},
	}
}

// writeRemovedCSV writes the removedItems of job id as CSV: OBJECTID,Name.
func writeRemovedCSV(c *ucli.Context, m *jobs.Manager, id string) error {
	w := csv.NewWriter(stdout(c))
	w.Write([]string{"OBJECTID", "Name"})
	err := m.EachRemoved(c.Context, id, func(it catalog.ItemRef) error {
		return w.Write([]string{strconv.FormatInt(it.OBJECTID, 10), it.Name})
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

// jobDocCommand is a jobs subcommand that takes a job id, does fn and
// prints the job fn returns (json, html or text).
func jobDocCommand(name, usage string, fn func(*ucli.Context, *jobs.Manager, string) (*jobs.Job, error)) *ucli.Command {
	return &ucli.Command{
		Name:      name,
		Usage:     usage,
		ArgsUsage: "ID",
		Flags:     []ucli.Flag{formatFlag("json", "html", "text")},
		Action: jobAction(func(c *ucli.Context, m *jobs.Manager, id, f string) error {
			j, err := fn(c, m, id)
			if err != nil {
				return err
			}
			return writeJob(c.Context, stdout(c), m, j, f)
		}),
	}
}

// jobAction is the action of a jobs subcommand taking a job id and -f:
// it checks both, opens the catalog and calls fn.
func jobAction(fn func(c *ucli.Context, m *jobs.Manager, id, format string) error) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		id, err := jobIDArg(c)
		if err != nil {
			return err
		}
		f, err := format(c, "json", "html", "text")
		if err != nil {
			return err
		}
		return withManager(c, func(m *jobs.Manager) error { return fn(c, m, id, f) })
	}
}

func writeJobList(c *ucli.Context, f string, list []*jobs.Job) error {
	if f == "json" {
		out := struct {
			Jobs []jobs.Summary `json:"jobs"`
		}{Jobs: []jobs.Summary{}}
		for _, j := range list {
			out.Jobs = append(out.Jobs, j.Summary())
		}
		return writeJSON(stdout(c), out)
	}
	tw := tabwriter.NewWriter(stdout(c), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB ID\tTASK\tCOLLECTION\tSTATUS\tITEMS\tSUBMITTED\tNOTE")
	for _, j := range list {
		s := j.Summary()
		note := ""
		switch {
		case s.UndoneBy != "":
			note = "undone by " + s.UndoneBy
		case s.Undoes != "":
			note = "undoes " + s.Undoes
		}
		if s.Purged != "" {
			note = strings.TrimPrefix(note+"; undo log purged", "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", s.JobID, s.Task, textutil.Escape(s.ImageCollection), s.JobStatus, s.ItemsDone, s.ItemsTotal, s.Submitted, note)
	}
	return tw.Flush()
}

// jobIDArg returns the job id argument, checking the argument count.
func jobIDArg(c *ucli.Context) (string, error) {
	most := 1
	if c.Command.Name == "result" {
		most = 2
	}
	if c.NArg() < 1 {
		return "", invalid("%s needs a job id (see mosaic jobs list)", c.Command.FullName())
	}
	if c.NArg() > most {
		return "", invalid("%s takes %s, got %s", c.Command.FullName(), c.Command.ArgsUsage, quoteArgs(c.Args().Slice()))
	}
	id := strings.TrimSpace(c.Args().First())
	if !jobs.ValidJobID(id) {
		return "", invalid("%s is not a job id (expected j followed by 32 hexadecimal digits)", textutil.Quote(id))
	}
	return id, nil
}
