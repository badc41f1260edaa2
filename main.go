// Command mosaic keeps image collections (ArcGIS mosaic datasets) in one
// SQLite file and runs the ArcGIS Raster Analysis tasks on them offline.
package main

import (
	"os"

	"mosaic/cli"
)

func main() { os.Exit(cli.Run(os.Args, os.Stdin, os.Stdout, os.Stderr)) }
