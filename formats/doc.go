// Package formats carries image collections out of the catalog and back in,
// in the formats other tools read: a GeoPackage that is a GDAL Raster Tile
// Index (GTI), an RFC 7946 GeoJSON FeatureCollection, a STAC 1.1
// ItemCollection, and the CSV manifest that add-image --manifest loads.
//
// Export streams a catalog.Selection: one row in memory at a time, so a
// collection of millions exports with flat memory. Footprints go out in
// the collection's spatial reference (GTI, CSV) or in WGS 84 longitude and
// latitude (GeoJSON, STAC), projected and densified to half a pixel by
// package proj and package geometry. Import reads the same formats (and
// gdaltindex output) as items for an AddImage job, opening no raster.
//
// It never changes a file it reads, and never leaves a half-written one:
// an export is written beside its target and renamed into place when whole.
package formats
