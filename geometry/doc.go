// Package geometry holds the footprints of raster items and the spatial
// filters people select them with: it parses query geometries (the ArcGIS
// REST geometry parameter, GeoJSON), decides ArcGIS spatial relations
// between a query geometry and a footprint, measures footprints, densifies
// them through a coordinate transform, and writes them as Esri JSON,
// GeoJSON, WKB and GeoPackage geometry blobs. It never projects by itself
// (the caller passes the transform, a [Transform]), never reads or writes
// files, and never talks to a database.
//
// # Geometries
//
// A [Geometry] is a [Point], [MultiPoint], [Envelope] or [Polygon]. A
// Polygon is a list of rings in the Esri model: any number of outer rings,
// each followed by its holes. Every parser and decoder here returns
// polygons normalized as ArcGIS keeps them (see [Normalize]): rings closed,
// outer rings clockwise, holes counter-clockwise (y up). Encoders write each
// format's own orientation: clockwise outer rings for Esri JSON,
// counter-clockwise for GeoJSON (RFC 7946 §3.1.6) and for WKB (OGC Simple
// Features 1.2.1 §6.1.11.1). Functions that take a footprint also accept a
// single open ring ([][2]float64 of corners, the catalog's form) running
// either way.
//
// # Spatial relations
//
// A [Filter] is a query geometry prepared for one [SpatialRel]. Selecting
// items is two steps: the caller compares each item's stored bounds
// (XMin…YMax columns) with [Filter.Prefilter] in SQL, then calls
// [Filter.Match] on the footprints of the candidates only. Match is exact
// (orientation tests use an exact predicate, so touching and collinear
// edges are decided consistently) and does not allocate.
//
// The relations follow the ArcGIS esriSpatialRelEnum ("Query Geometry
// Contains Target Geometry", "Query Geometry is Within Target Geometry")
// with the OGC meaning of each word; the query geometry is always the
// subject:
//
//   - esriSpatialRelIntersects (the default): the query geometry and the
//     footprint share at least one point. Touching counts: footprints
//     sharing only an edge or a corner with the query intersect it.
//   - esriSpatialRelEnvelopeIntersects: the envelope of the query geometry
//     and the envelope of the footprint share at least one point.
//   - esriSpatialRelContains: the query geometry contains the footprint: no
//     point of the footprint lies outside the query geometry (the footprint
//     may touch its boundary from inside).
//   - esriSpatialRelWithin: the query geometry is within the footprint: the
//     footprint contains the query geometry. A query point on the
//     footprint's boundary is not within it (OGC: the interiors must meet);
//     a query envelope or polygon may touch the boundary from inside.
//
// # Limits
//
// Parsers refuse input longer than [MaxInputBytes], more than [MaxVertices]
// vertices or [MaxRings] rings, coordinates beyond ±[MaxCoordinate], JSON
// nested deeper than [MaxDepth], duplicate JSON object keys, and numbers
// that are not finite. Every refusal is a [*ParseError].
//
// Polygons are not checked for self-intersection (that costs more than the
// selection it guards). A self-intersecting ring is read by the even-odd
// rule; its measures are then those of the signed shoelace formula.
package geometry
