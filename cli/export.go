package cli

import (
	ucli "github.com/urfave/cli/v2"

	"mosaic/catalog"
	"mosaic/formats"
)

func exportCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "export",
		Usage: "write a collection's items to a GDAL tile index (GeoPackage), GeoJSON, a STAC ItemCollection or a CSV manifest",
		Description: "The format is --format, else the extension of --to (.gpkg: gti, .geojson/.json: geojson, .csv: csv).\n" +
			"--to - writes geojson, stac and csv to stdout. The file appears only when whole; an existing one is\n" +
			"replaced only with --overwrite. export then add-image --manifest (csv) gives the collection back exactly.",
		Flags: []ucli.Flag{
			collectionFlag(),
			&ucli.StringFlag{Name: "to", Required: true, Usage: "the file to write (- for stdout)"},
			&ucli.StringFlag{Name: "format", Usage: "gti, geojson, stac or csv (default: from --to's extension)"},
			&ucli.StringFlag{Name: "where", Aliases: []string{"w"}, Usage: "export only the items this ArcGIS SQL where clause selects"},
			geometryFlag(), geometryTypeFlag(), inSRFlag(), spatialRelFlag(),
			&ucli.StringFlag{Name: "datetime-field", Usage: "stac: the DATE field that gives each item its datetime (default: the collection's first DATE field)"},
			&ucli.BoolFlag{Name: "spatial-index", Usage: "gti: add an R-tree, for GDAL's spatial filters"},
			&ucli.BoolFlag{Name: "overwrite", Usage: "replace --to if it exists"},
		},
		Action: exportAction,
	}
}

func exportAction(c *ucli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	to := c.String("to")
	f, err := formats.ParseFormat(c.String("format"), to)
	if err != nil {
		return err
	}
	spatial, err := spatialFlags(c)
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
	n, err := formats.Export(c.Context, cat, coll, catalog.Query{Where: c.String("where"), Spatial: spatial}, to, stdout(c), formats.Options{
		Format: f, DatetimeField: c.String("datetime-field"), SpatialIndex: c.Bool("spatial-index"), Overwrite: c.Bool("overwrite")})
	if err != nil {
		return err
	}
	if to == "-" {
		return nil
	}
	return writeJSON(stdout(c), struct {
		ImageCollection string         `json:"imageCollection"`
		Format          formats.Format `json:"format"`
		To              string         `json:"to"`
		Exported        int64          `json:"exported"`
	}{coll.Name, f, to, n})
}
