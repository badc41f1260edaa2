// Package catalog is the mosaic dataset store: one SQLite file that holds any
// number of image collections (ArcGIS: mosaic datasets), each a table of
// raster items whose pixels stay in their own files.
//
// The catalog owns the file's schema (embedded, numbered migrations under
// migrations/, level in PRAGMA user_version), the collections and their item
// tables, and the item-level operations the jobs package composes into
// DeleteImage and its undo: claiming a snapshot of matching items into an undo
// table, deleting claimed items in batches, restoring them, and recomputing a
// collection's boundary.
//
// It never opens a source raster for writing and never writes, moves or
// deletes one: AddRasters reads GeoTIFF headers read-only through package
// geotiff. Every write is in a transaction; user where clauses reach SQLite
// only as rendered by package where, on a connection whose authorizer allows
// nothing but reads of the collection's tables and whitelisted functions.
package catalog
