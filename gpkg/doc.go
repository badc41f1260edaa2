// Package gpkg writes and reads OGC GeoPackage files holding one feature
// table of raster footprints: GDAL Raster Tile Indexes (GTI), the file that
// `mosaic export --format gti` writes and `mosaic add-image --from FILE` reads
// (gdaltindex -f GPKG makes the same kind of file).
//
// # Writing
//
// Create makes a new file; (*Writer).Add streams features into it through one
// prepared INSERT in one transaction with SQLite's journal off and a fixed
// page cache, so memory stays flat however many features are written; Close
// writes the extent, builds the optional R-tree in bulk, switches the file to
// the rollback journal (DELETE mode) and moves it into place. Until then the
// rows go to a hidden ".NAME.*.partial" file beside the target, which Abort
// removes: a GeoPackage at the target path is always complete.
//
// The R-tree is packed bottom-up (Sort-Tile-Recursive) from the features'
// boxes, which the writer keeps for it (24 bytes a feature, up to 8M
// features), straight into SQLite's R-tree tables, as GDAL's own bulk loader
// does; past 8M features SQLite's insertion fills it, slower but in flat
// memory.
//
// The writer takes footprints already encoded as GeoPackageBinary, their
// envelope, and the spatial reference as srs_id, organization and WKT from
// the caller; it never reprojects or re-encodes.
//
// The file is what GDAL writes (checked against GDAL 3.6's own output and its
// validate_gpkg.py): application_id GPKG, user_version 10400 (GeoPackage 1.4)
// or 10200 (1.2, Options.Version), gpkg_spatial_ref_sys with the layer's SRS
// and the mandatory 4326/-1/0 rows, gpkg_contents with the extent,
// gpkg_geometry_columns, gpkg_ogr_contents with GDAL's feature-count
// triggers, the GTI layer metadata items as a GDALMultiDomainMetadata XML
// document in gpkg_metadata (md_scope 'dataset', md_standard_uri
// 'http://gdal.org', mime_type 'text/xml') referenced from
// gpkg_metadata_reference (reference_scope 'table'), with the gpkg_metadata
// extension registered, and, with Options.SpatialIndex, rtree_<table>_<geom>
// with the triggers of the GeoPackage version written (1.4: insert, update2,
// update4, update5, update6, update7, delete; 1.2: insert, update1 to
// update4, delete) so that later editors keep it right.
//
// # Reading
//
// Open opens a GeoPackage read-only and immutable (SQLite URI mode=ro,
// immutable=1, plus query_only): it never writes, locks, journals or
// checkpoints the file, and refuses a file that is not a GeoPackage before
// SQLite is given it. Reader.Layers lists the feature tables with their
// columns, SRS and GDAL layer metadata; Reader.Features iterates a layer's
// rows. Everything in the file is untrusted: table and column names are
// quoted (names holding NUL are refused), and geometry blobs are only parsed
// by ReadBlob, which bounds every count by the bytes it has.
//
// # What could not be verified here
//
// Debian 12 has GDAL 3.6; the GTI driver needs GDAL 3.9. The metadata items
// and their rules (RESX/RESY > 0, BAND_COUNT, DATA_TYPE names, all or none of
// MINX/MINY/MAXX/MAXY and of XSIZE/YSIZE/GEOTRANSFORM, SORT_FIELD of type
// String, Integer, Integer64, Real, Date or DateTime, a TEXT location field)
// follow the GTI driver documentation and source, and the files pass GDAL
// 3.6's validate_gpkg.py and ogrinfo, but no GTI dataset was opened. The GTI
// driver recognizes a GeoPackage by itself only when its name ends in
// ".gti.gpkg"; otherwise open it as "GTI:file.gpkg". GDAL 3.6 warns that a
// 1.4 file "may only be partially supported" and its validate_gpkg.py predates
// the GeoPackage 1.4 R-tree triggers (it asks for update1 and update3, which
// 1.4 replaced); GDAL 3.7 and later expect the 1.4 set that is written.
//
// It never reads raster files, never writes anything but the file given to
// Create, and never touches a file given to Open.
package gpkg
