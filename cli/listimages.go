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
	"mosaic/internal/textutil"
	"mosaic/pictures"
)

func listImagesCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "list-images",
		Usage: "list the items of a collection, optionally those a where clause selects",
		Flags: []ucli.Flag{
			collectionFlag(),
			&ucli.StringFlag{Name: "where", Aliases: []string{"w"}, Usage: "ArcGIS SQL where clause, e.g. \"CloudCover < 20 AND Name LIKE 'T32%'\""},
			&ucli.StringFlag{Name: "fields", Usage: "comma separated fields to show (default all)"},
			&ucli.Int64Flag{Name: "limit", Usage: "show at most N items (0: all)"},
			&ucli.Int64Flag{Name: "offset", Usage: "skip the first N items"},
			&ucli.BoolFlag{Name: "no-geometry", Usage: "leave footprints out of JSON output"},
			&ucli.StringFlag{Name: "out-sr", Usage: "give footprints in this spatial reference (EPSG:N or a wkid), not the collection's"},
			geometryFlag(), geometryTypeFlag(), inSRFlag(), spatialRelFlag(),
			formatFlag("json", "csv", "table", "svg"),
		},
		Action: listImages,
	}
}

func listImages(c *ucli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	f, err := format(c, "json", "csv", "table", "svg")
	if err != nil {
		return err
	}
	cat, err := openCatalog(c)
	if err != nil {
		return err
	}
	defer cat.Close()
	coll, err := cat.Collection(c.Context, c.String("image-collection"))
	if err != nil {
		return err
	}
	q := catalog.Query{Where: c.String("where"), Limit: c.Int64("limit"), Offset: c.Int64("offset"),
		Geometry: f == "json" && !c.Bool("no-geometry")}
	if q.Spatial, err = spatialFlags(c); err != nil {
		return err
	}
	if f == "svg" {
		return pictures.Listing(c.Context, cat, coll, q, stdout(c), pictures.Options{})
	}
	q.OutSRS = c.String("out-sr")
	if fs := c.String("fields"); fs != "" {
		q.Fields = strings.Split(fs, ",")
	}
	sel, err := coll.Select(q)
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(stdout(c), 64<<10)
	defer out.Flush()
	var write func(*catalog.ItemRow) error
	var finish func() error
	switch f {
	case "json":
		fw := catalog.NewFeatureSetWriter(out, sel.FeatureSet())
		write = fw.Write
		finish = func() error {
			if err := fw.Close(); err != nil {
				return err
			}
			return out.WriteByte('\n')
		}
	case "csv":
		cw := csv.NewWriter(out)
		header := make([]string, len(sel.Fields))
		for i, fd := range sel.Fields {
			header[i] = fd.Name
		}
		cw.Write(header)
		rec := make([]string, len(sel.Fields))
		write = func(r *catalog.ItemRow) error {
			for i, v := range r.Values {
				rec[i] = text(v)
			}
			return cw.Write(rec)
		}
		finish = func() error { cw.Flush(); return cw.Error() }
	case "table":
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		header := make([]string, len(sel.Fields))
		for i, fd := range sel.Fields {
			header[i] = strings.ToUpper(fd.Name)
		}
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		n := 0
		rec := make([]string, len(sel.Fields))
		write = func(r *catalog.ItemRow) error {
			for i, v := range r.Values {
				rec[i] = textutil.Escape(text(v))
				if rec[i] == "" {
					rec[i] = "-"
				}
			}
			_, err := fmt.Fprintln(tw, strings.Join(rec, "\t"))
			if n++; n%1000 == 0 { // bound memory: align columns per thousand rows
				tw.Flush()
			}
			return err
		}
		finish = tw.Flush
	}
	if err := cat.Each(c.Context, sel, write); err != nil {
		return err
	}
	if err := finish(); err != nil {
		return err
	}
	return out.Flush()
}

// text renders a value for CSV and tables.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
