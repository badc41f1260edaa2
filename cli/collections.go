package cli

import (
	"fmt"
	"strconv"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"mosaic/catalog"
	"mosaic/internal/textutil"
	"mosaic/jobs"
)

func createCollectionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "create-image-collection",
		Usage:     "create an empty image collection (ArcGIS CreateImageCollection)",
		ArgsUsage: "NAME",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "srs", Usage: "spatial reference of the footprints, EPSG:N (default: the first raster's)"},
			&ucli.StringSliceFlag{Name: "field", Usage: "a user field NAME:TYPE, TYPE one of INTEGER, REAL, TEXT, DATE (repeatable)"},
			formatFlag("json", "table"),
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return invalid("create-image-collection takes one NAME, got %d arguments", c.NArg())
			}
			f, err := format(c, "json", "table")
			if err != nil {
				return err
			}
			spec := catalog.NewCollection{Name: c.Args().First(), SRS: c.String("srs")}
			for _, s := range c.StringSlice("field") {
				fd, err := catalog.ParseFieldSpec(s)
				if err != nil {
					return err
				}
				spec.Fields = append(spec.Fields, fd)
			}
			return withManager(c, func(m *jobs.Manager) error {
				j, err := m.SubmitCreateImageCollection(c.Context, spec)
				if err != nil {
					return err
				}
				if j, err = m.Run(c.Context, j.ID); err != nil {
					return err
				}
				if j.Status != jobs.Succeeded {
					return jobExit(j, false)
				}
				coll, err := m.Catalog().Collection(c.Context, spec.Name)
				if err != nil {
					return err
				}
				return writeCollections(c, f, []catalog.CollectionSummary{{Collection: coll}}, true)
			})
		},
	}
}

func listCollectionsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "list-collections",
		Usage: "list the image collections with their item counts and boundaries",
		Flags: []ucli.Flag{formatFlag("json", "table")},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			f, err := format(c, "json", "table")
			if err != nil {
				return err
			}
			cat, err := openCatalog(c)
			if err != nil {
				return err
			}
			defer cat.Close()
			colls, err := cat.Collections(c.Context)
			if err != nil {
				return err
			}
			return writeCollections(c, f, colls, false)
		},
	}
}

// collectionJSON is a collection as list-collections prints it.
type collectionJSON struct {
	Name             string              `json:"name"`
	ItemID           string              `json:"itemId"`
	URL              string              `json:"url"`
	SpatialReference map[string]any      `json:"spatialReference"`
	Count            int64               `json:"count"`
	Boundary         map[string]any      `json:"boundary"`
	Fields           []catalog.FieldJSON `json:"fields"`
	Created          string              `json:"created"`
	Updated          string              `json:"updated"`
}

func toCollectionJSON(s catalog.CollectionSummary) collectionJSON {
	out := collectionJSON{Name: s.Name, ItemID: s.ItemID, URL: s.URL, SpatialReference: catalog.SpatialReferenceJSON(s.SRS),
		Count: s.Count, Fields: catalog.FieldsJSON(s.Fields), Created: s.Created.UTC().Format("2006-01-02T15:04:05Z"),
		Updated: s.Updated.UTC().Format("2006-01-02T15:04:05Z")}
	if out.Fields == nil {
		out.Fields = []catalog.FieldJSON{}
	}
	if b := s.Boundary; b != nil {
		out.Boundary = map[string]any{"xmin": b.XMin, "ymin": b.YMin, "xmax": b.XMax, "ymax": b.YMax,
			"spatialReference": catalog.SpatialReferenceJSON(s.SRS)}
	}
	return out
}

func writeCollections(c *ucli.Context, f string, colls []catalog.CollectionSummary, single bool) error {
	w := stdout(c)
	if f == "json" {
		if single {
			return writeJSON(w, toCollectionJSON(colls[0]))
		}
		out := struct {
			Collections []collectionJSON `json:"collections"`
		}{Collections: []collectionJSON{}}
		for _, s := range colls {
			out.Collections = append(out.Collections, toCollectionJSON(s))
		}
		return writeJSON(w, out)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tITEMS\tSRS\tBOUNDARY\tITEM ID\tURL")
	for _, s := range colls {
		boundary := "-"
		if b := s.Boundary; b != nil {
			boundary = fmt.Sprintf("%s %s %s %s", num(b.XMin), num(b.YMin), num(b.XMax), num(b.YMax))
		}
		srs := s.SRS
		if srs == "" {
			srs = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", textutil.Escape(s.Name), s.Count, srs, boundary, s.ItemID, textutil.Escape(s.URL))
	}
	return tw.Flush()
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
