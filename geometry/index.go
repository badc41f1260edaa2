package geometry

import "math"

// A query polygon may have thousands of vertices (a country, a river
// basin) and is tested against every candidate footprint. Without an index
// each test costs a pass over all its edges. With edges bucketed into
// horizontal bands, a point-in-polygon test reads only the edges of the
// point's band; with edges bucketed into the cells of a grid, a box (a
// footprint's, an edge's) finds only the edges near it.

// indexMinEdges is the edge count below which a plain pass is faster than
// the index.
const indexMinEdges = 48

// bandIndex buckets edges into n horizontal bands of height h from y0;
// band k holds, in items[start[k]:start[k+1]], every edge whose y range
// meets [y0+k·h, y0+(k+1)·h].
type bandIndex struct {
	y0, h float64
	n     int
	start []int32
	items []int32
}

// band returns the band holding y, clamped to the index.
func (ix *bandIndex) band(y float64) int {
	f := (y - ix.y0) / ix.h
	if !(f > 0) {
		return 0
	}
	if f >= float64(ix.n) {
		return ix.n - 1
	}
	return int(f)
}

// newBandIndex indexes edges, or returns nil when they are too few or all
// at one height. Long edges sit in many bands; if that makes the index
// much bigger than the edges, it uses fewer bands.
func newBandIndex(edges []edge, ymin, ymax float64) *bandIndex {
	if len(edges) < indexMinEdges || !(ymax > ymin) {
		return nil
	}
	n := min(len(edges)/2, 1<<16)
	for ; n >= 1; n /= 2 {
		ix := &bandIndex{y0: ymin, h: (ymax - ymin) / float64(n), n: n}
		if ix.h == 0 {
			continue
		}
		total := 0
		for _, e := range edges {
			lo, hi := ix.band(min(e.a[1], e.b[1])), ix.band(max(e.a[1], e.b[1]))
			total += hi - lo + 1
		}
		if total > 16*len(edges) && n > 1 {
			continue
		}
		ix.start = make([]int32, n+1)
		for _, e := range edges {
			lo, hi := ix.band(min(e.a[1], e.b[1])), ix.band(max(e.a[1], e.b[1]))
			for k := lo; k <= hi; k++ {
				ix.start[k+1]++
			}
		}
		for k := 1; k <= n; k++ {
			ix.start[k] += ix.start[k-1]
		}
		ix.items = make([]int32, total)
		fill := append([]int32(nil), ix.start[:n]...)
		for i, e := range edges {
			lo, hi := ix.band(min(e.a[1], e.b[1])), ix.band(max(e.a[1], e.b[1]))
			for k := lo; k <= hi; k++ {
				ix.items[fill[k]] = int32(i)
				fill[k]++
			}
		}
		return ix
	}
	return nil
}

// gridIndex buckets edges into the cells of an nx × ny grid over the
// polygon's bounds, each edge in every cell its bounds meet, for the box
// queries of eachEdge: a box finds the edges near it without the
// neighbours above and below that a band holds.
type gridIndex struct {
	x0, y0, w, h float64
	nx, ny       int
	start        []int32 // cell c = row*nx + col holds items[start[c]:start[c+1]]
	items        []int32
	first        [][2]int32 // the first column and row of each edge
}

// cell returns the column and row holding x, y, clamped to the grid.
func (ix *gridIndex) cell(x, y float64) (int, int) {
	return clampCell((x-ix.x0)/ix.w, ix.nx), clampCell((y-ix.y0)/ix.h, ix.ny)
}

func clampCell(f float64, n int) int {
	if !(f > 0) {
		return 0
	}
	if f >= float64(n) {
		return n - 1
	}
	return int(f)
}

// newGridIndex indexes edges over bounds b, or returns nil when they are
// too few or b has no area. Cells are about as many as edges; coarser if
// long edges would make the index much bigger than the edges.
func newGridIndex(edges []edge, b Envelope) *gridIndex {
	if len(edges) < indexMinEdges || !(b.XMax > b.XMin) || !(b.YMax > b.YMin) {
		return nil
	}
	side := math.Sqrt((b.XMax - b.XMin) * (b.YMax - b.YMin) / float64(len(edges)))
	for ; ; side *= 2 {
		ix := &gridIndex{x0: b.XMin, y0: b.YMin}
		ix.nx = min(max(int((b.XMax-b.XMin)/side), 1), 1<<12)
		ix.ny = min(max(int((b.YMax-b.YMin)/side), 1), 1<<12)
		if ix.nx*ix.ny > 4*len(edges) { // a long thin polygon: cells, not edges, would dominate
			continue
		}
		ix.w, ix.h = (b.XMax-b.XMin)/float64(ix.nx), (b.YMax-b.YMin)/float64(ix.ny)
		total := 0
		for _, e := range edges {
			c0, r0 := ix.cell(e.box.XMin, e.box.YMin)
			c1, r1 := ix.cell(e.box.XMax, e.box.YMax)
			total += (c1 - c0 + 1) * (r1 - r0 + 1)
		}
		if total > 16*len(edges) && ix.nx*ix.ny > 1 {
			continue
		}
		ix.start = make([]int32, ix.nx*ix.ny+1)
		ix.items = make([]int32, total)
		ix.first = make([][2]int32, len(edges))
		for i, e := range edges {
			c0, r0 := ix.cell(e.box.XMin, e.box.YMin)
			c1, r1 := ix.cell(e.box.XMax, e.box.YMax)
			ix.first[i] = [2]int32{int32(c0), int32(r0)}
			for r := r0; r <= r1; r++ {
				for c := c0; c <= c1; c++ {
					ix.start[r*ix.nx+c+1]++
				}
			}
		}
		for k := 1; k < len(ix.start); k++ {
			ix.start[k] += ix.start[k-1]
		}
		fill := append([]int32(nil), ix.start[:len(ix.start)-1]...)
		for i, e := range edges {
			c0, r0 := ix.cell(e.box.XMin, e.box.YMin)
			c1, r1 := ix.cell(e.box.XMax, e.box.YMax)
			for r := r0; r <= r1; r++ {
				for c := c0; c <= c1; c++ {
					ix.items[fill[r*ix.nx+c]] = int32(i)
					fill[r*ix.nx+c]++
				}
			}
		}
		return ix
	}
}
