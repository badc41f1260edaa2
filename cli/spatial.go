package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"

	"mosaic/catalog"
)

// The flags of a spatial selection, named as the ArcGIS query parameters.
func geometryFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "geometry", Usage: "keep the items whose footprints relate to this geometry: xmin,ymin,xmax,ymax; x,y; Esri JSON; or a GeoJSON geometry"}
}

func geometryTypeFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "geometry-type", Usage: "the ArcGIS type of --geometry: esriGeometryEnvelope (default), esriGeometryPoint, esriGeometryMultipoint, esriGeometryPolygon"}
}

func inSRFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "in-sr", Usage: "the spatial reference of --geometry (EPSG:N or a wkid; default: the geometry's own, else the collection's)"}
}

func spatialRelFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "spatial-rel", Usage: "esriSpatialRelIntersects (default), esriSpatialRelEnvelopeIntersects, esriSpatialRelContains (the geometry contains the footprint) or esriSpatialRelWithin (the geometry lies within the footprint)"}
}

// spatialFlags reads --geometry, --geometry-type, --in-sr and --spatial-rel
// into a spatial selection (nil without --geometry).
func spatialFlags(c *ucli.Context) (*catalog.Spatial, error) {
	text := c.String("geometry")
	if strings.TrimSpace(text) == "" {
		for _, f := range []string{"geometry-type", "in-sr", "spatial-rel"} {
			if c.IsSet(f) {
				return nil, invalid("--%s goes with --geometry", f)
			}
		}
		return nil, nil
	}
	return catalog.ParseSpatial(text, c.String("geometry-type"), c.String("in-sr"), c.String("spatial-rel"))
}
