package svgmap

import (
	"math"
	"strconv"
)

// The frame's shape stays between these ratios of height to width: a
// narrower extent is shown with room on its sides.
const (
	minAspect = 0.3
	maxAspect = 1.2
)

// kmPerDegree is the length of a degree of latitude on a sphere of radius
// 6371 km: the scale of a map in degrees, once x is scaled by cos(lat).
const kmPerDegree = 2 * math.Pi * 6371 / 360

// frame maps the spatial reference onto the map frame: x is first scaled
// by kx (cos of the centre latitude for degrees, else 1), then both axes
// by s px per unit, y downwards.
type frame struct {
	kx, x0, y1, s float64
	w, h          float64 // frame size in px; h is whole
	latc          float64 // centre latitude, for degrees
}

func newFrame(e Envelope, u unitKind, w float64) frame {
	f := frame{kx: 1, w: w}
	if u == unitDegree {
		f.latc = (e.YMin + e.YMax) / 2
		lat := math.Max(-80, math.Min(80, f.latc))
		f.kx = math.Cos(lat * math.Pi / 180)
	}
	x0, x1 := e.XMin*f.kx, e.XMax*f.kx
	cx, cy := x0/2+x1/2, e.YMin/2+e.YMax/2
	dx, dy := x1-x0, e.YMax-e.YMin
	size := math.Max(dx, dy)
	if !(size > 0) || !finite(size) {
		size = u.pointSize()
	}
	dx, dy = math.Max(dx, 0)+0.08*size, math.Max(dy, 0)+0.08*size // room for the outlines
	if dy > dx*maxAspect {
		dx = dy / maxAspect
	}
	if dy < dx*minAspect {
		dy = dx * minAspect
	}
	f.s = w / dx
	f.h = math.Max(1, math.Round(dy*f.s))
	dy = f.h / f.s
	f.x0 = cx - dx/2
	f.y1 = cy + dy/2
	return f
}

// px returns the frame position of a point of the spatial reference.
func (f *frame) px(x, y float64) (float64, float64) {
	return (x*f.kx - f.x0) * f.s, (f.y1 - y) * f.s
}

// ipt is a point in tenths of a px.
type ipt struct{ x, y int64 }

// tenths rounds a px coordinate to whole tenths; far-away points are
// clamped (their footprint crosses the frame, or it would not be drawn).
func tenths(v float64) int64 {
	return int64(math.Round(math.Max(-1e8, math.Min(1e8, v*10))))
}

// near reports whether two points are too close to both be worth drawing.
func near(a, b ipt) bool {
	return abs(a.x-b.x)+abs(a.y-b.y) < 2
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// area2 is twice the signed area of a ring: positive when it turns
// clockwise on screen (y down).
func area2(r []ipt) float64 {
	var a float64
	for i, p := range r {
		q := r[(i+1)%len(r)]
		a += float64(p.x)*float64(q.y) - float64(q.x)*float64(p.y)
	}
	return a
}

// inside reports whether p is inside ring r (even-odd).
func inside(p ipt, r []ipt) bool {
	in := false
	for i, a := range r {
		b := r[(i+len(r)-1)%len(r)]
		if (a.y > p.y) != (b.y > p.y) &&
			float64(p.x) < float64(b.x-a.x)*float64(p.y-a.y)/float64(b.y-a.y)+float64(a.x) {
			in = !in
		}
	}
	return in
}

// pathBuf is the d attribute of one <path> being written: relative
// commands, the letter left out when repeated.
type pathBuf struct {
	b      []byte
	x, y   int64 // the current point, in tenths
	last   byte  // the last command letter
	inited bool
}

// move starts a subpath at (x, y).
func (d *pathBuf) move(x, y int64) {
	if !d.inited {
		d.b = append(d.b, 'M')
		d.b = appendTenths(d.b, x)
		d.b = appendNum(d.b, y)
		d.inited = true
	} else {
		d.b = append(d.b, 'm')
		d.b = appendTenths(d.b, x-d.x)
		d.b = appendNum(d.b, y-d.y)
	}
	d.x, d.y, d.last = x, y, 'm'
}

// to draws a line to (x, y).
func (d *pathBuf) to(x, y int64) {
	dx, dy := x-d.x, y-d.y
	switch {
	case dx == 0 && dy == 0:
		return
	case dy == 0:
		d.cmd('h')
		d.b = appendNum(d.b, dx)
	case dx == 0:
		d.cmd('v')
		d.b = appendNum(d.b, dy)
	default:
		d.cmd('l')
		d.b = appendNum(d.b, dx)
		d.b = appendNum(d.b, dy)
	}
	d.x, d.y = x, y
}

func (d *pathBuf) cmd(c byte) {
	if d.last != c {
		d.b = append(d.b, c)
		d.last = c
	}
}

// ring draws a closed ring, backwards if reverse (from its first point).
func (d *pathBuf) ring(r []ipt, reverse bool) {
	d.move(r[0].x, r[0].y)
	for i := 1; i < len(r); i++ {
		p := r[i]
		if reverse {
			p = r[len(r)-i]
		}
		d.to(p.x, p.y)
	}
	d.b = append(d.b, 'z')
	d.x, d.y, d.last = r[0].x, r[0].y, 'z'
}

// appendNum appends v tenths after a separator if one is needed.
func appendNum(b []byte, v int64) []byte {
	if v >= 0 && len(b) > 0 {
		if c := b[len(b)-1]; '0' <= c && c <= '9' || c == '.' {
			b = append(b, ' ')
		}
	}
	return appendTenths(b, v)
}

// appendTenths appends v tenths in the shortest form: 12, 1.5, .5, -.5.
func appendTenths(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	q, r := v/10, v%10
	if q != 0 || r == 0 {
		b = strconv.AppendInt(b, q, 10)
	}
	if r != 0 {
		b = append(b, '.', byte('0'+r))
	}
	return b
}

// num formats a layout coordinate or size, to 0.01.
func num(v float64) string {
	v = math.Round(v*100) / 100
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
