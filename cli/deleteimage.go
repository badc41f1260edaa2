package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	ucli "github.com/urfave/cli/v2"

	"mosaic/catalog"
	"mosaic/internal/textutil"
	"mosaic/jobs"
	"mosaic/pictures"
)

func deleteImageCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "delete-image",
		Usage: "remove the items a where clause selects from a collection, as a job; source files are never touched (ArcGIS DeleteImage)",
		Flags: []ucli.Flag{
			collectionFlag(),
			&ucli.StringFlag{Name: "where", Aliases: []string{"w"}, Usage: "ArcGIS SQL selecting the items to remove (1=1 removes all; the collection stays); required unless --geometry is given"},
			geometryFlag(), geometryTypeFlag(), inSRFlag(), spatialRelFlag(),
			&ucli.BoolFlag{Name: "dry-run", Usage: "change nothing; report how many items match and which"},
			&ucli.BoolFlag{Name: "no-wait", Usage: "only submit the job; 'mosaic jobs resume ID' (or mosaic serve) runs it"},
			&ucli.BoolFlag{Name: "no-update-boundary", Usage: "do not recompute the collection's boundary afterwards"},
			&ucli.BoolFlag{Name: "no-mark-overviews", Usage: "do not mark overviews over removed items stale"},
			formatFlag("json", "html", "text", "svg"),
		},
		Action: deleteImage,
	}
}

func deleteImage(c *ucli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	f, err := format(c, "json", "html", "text", "svg")
	if err != nil {
		return err
	}
	if f == "svg" && !c.Bool("dry-run") {
		return invalid("-f svg draws a --dry-run; a job prints json, html or text")
	}
	if c.Bool("dry-run") && c.Bool("no-wait") {
		return invalid("--dry-run and --no-wait do not go together")
	}
	if !c.IsSet("where") && !c.IsSet("geometry") {
		return invalid("delete-image needs --where, --geometry or both: they select the items to remove (--where 1=1 removes every item)")
	}
	p := jobs.DeleteImageParams{ImageCollection: c.String("image-collection"), Where: c.String("where"),
		Geometry: c.String("geometry"), GeometryType: c.String("geometry-type"), InSR: c.String("in-sr"), SpatialRel: c.String("spatial-rel"),
		NoUpdateBoundary: c.Bool("no-update-boundary"), NoMarkOverviews: c.Bool("no-mark-overviews")}
	return withManager(c, func(m *jobs.Manager) error {
		if c.Bool("dry-run") {
			return dryRun(c, m, p, f)
		}
		j, err := m.SubmitDeleteImage(c.Context, p)
		if errors.Is(err, context.Canceled) {
			return &exitError{code: ExitFailed, err: fmt.Errorf("interrupted before the job was submitted: nothing was changed")}
		}
		if err != nil {
			return err
		}
		if c.Bool("no-wait") {
			return writeJSON(stdout(c), struct {
				JobID     string      `json:"jobId"`
				JobStatus jobs.Status `json:"jobStatus"`
			}{j.ID, j.Status})
		}
		return runJob(c, m, j.ID, f)
	})
}

// runJob runs a job with a progress bar, prints it, and turns its final
// status into the exit status.
func runJob(c *ucli.Context, m *jobs.Manager, id, f string) error {
	bar := newProgressBar(c.App.ErrWriter, "deleting", "items")
	m.Progress = func(j *jobs.Job) { bar.update(j.Done, j.Total) }
	j, err := m.Run(c.Context, id)
	bar.finish()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if err != nil {
		// Interrupted: what committed stays; the job resumes where it stopped.
		if cur, gerr := m.Get(context.Background(), id); gerr == nil {
			j = cur
		}
		fmt.Fprintf(c.App.ErrWriter, "mosaic: interrupted after %d of %d items; `mosaic jobs resume %s` finishes the job\n", j.Done, j.Total, id)
	}
	if werr := writeJob(c.Context, stdout(c), m, j, f); werr != nil {
		return werr
	}
	return jobExit(j, err != nil)
}

// jobExit is the exit status for a job's final state.
func jobExit(j *jobs.Job, interrupted bool) error {
	switch {
	case interrupted:
		return silent(ExitFailed)
	case j.Status == jobs.Succeeded:
		return nil
	case j.Status == jobs.Failed || j.Status == jobs.Cancelled || j.Status == jobs.TimedOut:
		last := ""
		if n := len(j.Messages); n > 0 {
			last = ": " + j.Messages[n-1].Description
		}
		return &exitError{code: ExitFailed, err: fmt.Errorf("job %s %s%s", j.ID, j.Status, last)}
	}
	return nil
}

// writeJob prints a job document as JSON, HTML or text.
func writeJob(ctx context.Context, w io.Writer, m *jobs.Manager, j *jobs.Job, f string) error {
	switch f {
	case "html":
		picture, err := pictures.Job(ctx, m, j, pictures.Options{Width: 720})
		if err != nil {
			return err
		}
		return j.WriteHTML(w, m.Catalog().BaseURL(), picture)
	case "text":
		fmt.Fprintf(w, "job %s (%s on %s): %s\n", j.ID, j.Task, textutil.Escape(j.CollectionName), j.Status)
		for _, msg := range j.Messages {
			fmt.Fprintf(w, "  %s: %s\n", shortType(msg.Type), textutil.Escape(msg.Description))
		}
		return nil
	}
	return writeJSON(w, j.Document())
}

func shortType(t string) string {
	switch t {
	case jobs.Warning:
		return "warning"
	case jobs.ErrorType:
		return "error"
	}
	return "info"
}

// dryRunTextItems is how many matching items the text dry run names.
const dryRunTextItems = 20

// dryRun reports what delete-image would remove: all items in JSON
// (streamed), the first 20 in text.
func dryRun(c *ucli.Context, m *jobs.Manager, p jobs.DeleteImageParams, f string) error {
	if f == "html" || f == "svg" {
		return dryRunPicture(c, m, p, f)
	}
	out := bufio.NewWriterSize(stdout(c), 64<<10)
	defer out.Flush()
	var n int64
	var coll *catalog.Collection
	var err error
	if f == "json" {
		started := false
		coll, err = m.DryRun(c.Context, p, func(it catalog.ItemRef) error {
			if !started {
				started = true
				out.WriteString(dryRunHead(p))
			} else {
				out.WriteByte(',')
			}
			n++
			out.WriteString("\n  ")
			_, err := out.Write(catalog.JSON(it))
			return err
		})
		if err != nil {
			return err
		}
		if !started {
			out.WriteString(dryRunHead(p))
		} else {
			out.WriteString("\n")
		}
		fmt.Fprintf(out, `],"imageCollection":%s,"count":%d}`+"\n", catalog.JSON(coll.Name), n)
		return out.Flush()
	}
	var first []catalog.ItemRef
	coll, err = m.DryRun(c.Context, p, func(it catalog.ItemRef) error {
		if n++; n <= dryRunTextItems {
			first = append(first, it)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d items of %s %s (dry run: nothing was deleted)\n", n, coll.Name, textutil.Escape(p.Describe()))
	for _, it := range first {
		fmt.Fprintf(out, "  %8s  %s\n", strconv.FormatInt(it.OBJECTID, 10), textutil.Escape(it.Name))
	}
	if n > dryRunTextItems {
		fmt.Fprintf(out, "  … and %d more (-f json lists them all)\n", n-dryRunTextItems)
	}
	return out.Flush()
}

// dryRunHead begins the JSON of a dry run: what it selects, then its items.
func dryRunHead(p jobs.DeleteImageParams) string {
	head := `{"dryRun":true,"where":` + string(catalog.JSON(p.Where))
	for _, v := range []struct{ name, value string }{{"geometry", p.Geometry}, {"geometryType", p.GeometryType}, {"inSR", p.InSR}, {"spatialRel", p.SpatialRel}} {
		if v.value != "" {
			head += `,"` + v.name + `":` + string(catalog.JSON(v.value))
		}
	}
	return head + `,"items":[`
}

// dryRunPictureItems is how many matching items the HTML dry run lists
// under its map.
const dryRunPictureItems = 100

// dryRunPicture draws the dry run: kept and to-be-removed footprints, the
// boundary before and after, as an SVG or an HTML page around it.
func dryRunPicture(c *ucli.Context, m *jobs.Manager, p jobs.DeleteImageParams, f string) error {
	var ids []int64
	var first []catalog.ItemRef
	coll, err := m.DryRun(c.Context, p, func(it catalog.ItemRef) error {
		ids = append(ids, it.OBJECTID)
		if len(first) < dryRunPictureItems {
			first = append(first, it)
		}
		return nil
	})
	if err != nil {
		return err
	}
	title := "Dry run: delete-image -i " + coll.Name
	if p.Where != "" {
		title += fmt.Sprintf(" --where %q", p.Where)
	}
	if p.Geometry != "" {
		title += fmt.Sprintf(" --geometry %q", p.Geometry)
	}
	if f == "svg" {
		_, err := pictures.DryRun(c.Context, m.Catalog(), coll, ids, stdout(c), pictures.Options{Title: title})
		return err
	}
	var svg bytes.Buffer
	if _, err := pictures.DryRun(c.Context, m.Catalog(), coll, ids, &svg, pictures.Options{Title: title, Inline: true}); err != nil {
		return err
	}
	total, err := m.Catalog().CountItems(c.Context, coll)
	if err != nil {
		return err
	}
	return pictures.WriteDryRunPage(stdout(c), pictures.DryRunPage{Collection: coll.Name, Where: p.Where, Geometry: p.Geometry, SpatialRel: p.SpatialRel,
		Matches: int64(len(ids)), Total: total, First: first, SVG: svg.Bytes()})
}
