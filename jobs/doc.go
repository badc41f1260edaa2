// Package jobs runs catalog work as ArcGIS-style geoprocessing jobs:
// DeleteImage, DeleteImageCollection and the undo of either. A job is a row
// in the catalog (status, inputs, messages, progress, results, owner and
// heartbeat) that can be checked, resumed after a crash, cancelled and
// undone.
//
// DeleteImage: the where clause is validated (package where) before any job
// exists; then one transaction creates the job and claims its snapshot (the
// matching items, copied to the job's undo table); then the job deletes the
// snapshot in batches, each batch one transaction that also advances the
// job's cursor; finally the boundary is recomputed, overviews over removed
// items are marked stale and the result is stored. A crash at any instant
// leaves either no job or a job that Run finishes exactly: the snapshot
// fixes what it deletes, so items added later are never touched.
//
// The package never touches source raster files.
package jobs
