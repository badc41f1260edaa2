package svgmap

import "math"

// gridColumns is the width of the density grid in cells. 256 columns of
// about 3.8 px each at the default width; the rows keep cells square.
const gridColumns = 256

// grid counts, per class and cell, the footprints whose bounding box
// overlaps the cell. Each class keeps a two-dimensional difference array,
// so that adding a box of any size costs four increments; WriteTo sums it
// up. Memory is fixed: (cols+1)×(rows+1) int32 per class in use.
type grid struct {
	cols, rows int
	cw, ch     float64 // cell size in px
	d          [nClasses][]int32

	sums [nClasses][]int32 // counts' results, until the next add
	tops [nClasses]int32
}

func newGrid(f frame) *grid {
	g := &grid{cols: gridColumns}
	g.rows = max(1, int(math.Round(gridColumns*f.h/f.w)))
	g.cw, g.ch = f.w/float64(g.cols), f.h/float64(g.rows)
	return g
}

// add counts a box (in frame px) that overlaps the frame.
func (g *grid) add(c Class, x0, y0, x1, y1 float64) {
	i0, i1 := cell(x0, g.cw, g.cols), cell(x1, g.cw, g.cols)
	j0, j1 := cell(y0, g.ch, g.rows), cell(y1, g.ch, g.rows)
	d := g.d[c]
	if d == nil {
		d = make([]int32, (g.cols+1)*(g.rows+1))
		g.d[c] = d
	}
	g.sums[c] = nil
	w := g.cols + 1
	d[j0*w+i0]++
	d[j0*w+i1+1]--
	d[(j1+1)*w+i0]--
	d[(j1+1)*w+i1+1]++
}

func cell(v, size float64, n int) int {
	return int(math.Max(0, math.Min(float64(n-1), math.Floor(v/size))))
}

// counts returns the footprints per cell of class c, row by row, and the
// largest; nil if the class has none. The caller must not change them.
func (g *grid) counts(c Class) ([]int32, int32) {
	d := g.d[c]
	if d == nil || g.sums[c] != nil {
		return g.sums[c], g.tops[c]
	}
	w := g.cols + 1
	out := make([]int32, g.cols*g.rows)
	prev := make([]int32, g.cols) // the row above, summed
	var top int32
	for j := 0; j < g.rows; j++ {
		var run int32
		for i := 0; i < g.cols; i++ {
			run += d[j*w+i]
			v := prev[i] + run
			prev[i] = v
			out[j*g.cols+i] = v
			top = max(top, v)
		}
	}
	g.sums[c], g.tops[c] = out, top
	return out, top
}

// levels returns the lower bounds of the shading levels for counts up to
// top: the first run of 1-2-5, 1-3 or decades that gives at most six.
func levels(top int32) []int64 {
	if top < 1 {
		return []int64{1}
	}
	for _, steps := range [][]int64{{1, 2, 5}, {1, 3}, {1}, {1, 0}} {
		var t []int64
		for base := int64(1); base <= int64(top); base *= 10 {
			for _, s := range steps {
				if s == 0 { // every other decade
					base *= 10
					continue
				}
				if v := s * base; v <= int64(top) {
					t = append(t, v)
				}
			}
		}
		if len(t) <= 6 {
			return t
		}
	}
	return []int64{1, 10, 100, 1000, 10000, 100000} // not reached for int32 counts
}

// level returns the index of the level of count v (v ≥ 1).
func level(t []int64, v int32) int {
	i := 0
	for i+1 < len(t) && t[i+1] <= int64(v) {
		i++
	}
	return i
}

// gridPaths writes the cells of one class as one path per level: each run
// of cells of a level in a row is a horizontal line one row thick, in cell
// units (the caller scales them), y at the row's middle. Cells where
// under is above 0 go to inset instead, one short line per cell, drawn
// thinner: a square inside the cell, so that what is under it shows.
func gridPaths(counts, under []int32, cols, rows int, t []int64) (full, inset []pathBuf) {
	full, inset = make([]pathBuf, len(t)), make([]pathBuf, len(t))
	covered := func(k int) bool { return under != nil && under[k] > 0 }
	for j := 0; j < rows; j++ {
		row := counts[j*cols : (j+1)*cols]
		y := int64(j)*10 + 5
		for i := 0; i < cols; {
			if row[i] <= 0 {
				i++
				continue
			}
			l := level(t, row[i])
			if covered(j*cols + i) {
				d := &inset[l]
				d.move(int64(i)*10+2, y)
				d.to(int64(i)*10+8, y)
				i++
				continue
			}
			k := i + 1
			for k < cols && row[k] > 0 && level(t, row[k]) == l && !covered(j*cols+k) {
				k++
			}
			d := &full[l]
			d.move(int64(i)*10, y)
			d.to(int64(k)*10, y)
			i = k
		}
	}
	return full, inset
}
