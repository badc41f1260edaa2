// Package svgmap draws footprint maps as standalone SVG: pictures of a
// collection's items for wherever a person would rather look than read
// (list-images -f svg, the DeleteImage dry run and job pages, the
// ImageServer pages of mosaic serve). It never reads a catalog, opens a
// file or reprojects a coordinate: callers stream plain polygons in the
// collection's spatial reference and get one SVG document out.
//
// # Use
//
//	m := svgmap.New(svgmap.Options{Extent: env, SRS: "EPSG:32632", Units: svgmap.Metre, Title: "scenes"})
//	m.AddBoundary("Boundary before", before, svgmap.Before)
//	m.AddBoundary("Boundary after", after, svgmap.After)
//	for each item { m.Add(svgmap.Kept, rings) } // or svgmap.Removed, svgmap.Item
//	m.WriteTo(w)
//
// # What the picture holds
//
// A title, the map frame, a legend with the count of items of each class
// and the boundaries, a scale bar with a round length in the SRS's units
// and the SRS label. Kept footprints are grey outlines with a light grey
// fill, removed ones red dashed outlines with a red hatch, plain listings
// blue. The boundary before a deletion is a thin black dashed line, the
// boundary after (or the boundary as it is) a wide solid blue one. A map
// with no items says "No items" in its frame.
//
// Footprints in degrees are drawn in an equirectangular projection with
// true scale at the centre latitude of the extent, so that shapes are not
// stretched; the scale bar is then in kilometres at that latitude (on a
// sphere of radius 6371 km), and says so.
//
// # Many items
//
// Up to Options.MaxPolygons (20,000) footprints are drawn as polygons.
// Coordinates are rounded to 0.1 px of a fixed-width viewBox and written
// as relative path commands; all footprints of one class make one <path>
// element; footprints smaller than a pixel are drawn as dots, one per
// pixel. Past the threshold the map turns into a density grid of 256
// columns (and as many rows as keep the cells square) per class, shaded by
// the number of footprints whose bounding box overlaps each cell, on a
// shared logarithmic scale the legend shows (grey for kept, red for
// removed, blue for a listing). Removed cells are drawn last: whole where
// nothing else is, and as a smaller square inside cells that also hold
// kept items, so that a removal scattered among kept items reads as red
// specks on grey rather than as a red area. Footprints are binned in O(1)
// each (a two-dimensional difference array), so 1,000,000 items render in
// well under a second into less than 2 MB.
//
// Memory is bounded by the threshold and the grid, never by the number of
// items: with Options.Extent set, each footprint is projected as it
// arrives and only its path text and pixel bounding box are kept while
// under the threshold; crossing it re-bins the boxes into the grid and
// drops the paths. Without an extent the first MaxPolygons footprints are
// buffered as given to find one, which is then fixed: pass the extent
// (the collection boundary's envelope) whenever more may come.
//
// # Safe to inline
//
// The output is meant to be embedded in HTML under a strict Content
// Security Policy: no script, no event attribute, no style element or
// attribute (presentation attributes only), no external reference of any
// kind (no fonts, images or links; the only reference is the hatch
// pattern, url(#prefix-hatch)), and ids carry Options.IDPrefix. With
// Options.Inline the XML prolog is left out. All text the caller gives is
// stripped of control and bidirectional-override characters, shortened and
// escaped.
package svgmap
