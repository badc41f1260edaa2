package svgmap

import (
	"math"
	"strings"
)

// Envelope is an axis-aligned rectangle in the collection's spatial
// reference.
type Envelope struct {
	XMin, YMin, XMax, YMax float64
}

// usable reports whether e can be the map's extent: finite, not inverted,
// with a finite size, and not the zero value (which means "not given").
func (e Envelope) usable() bool {
	if e == (Envelope{}) {
		return false
	}
	for _, v := range [...]float64{e.XMin, e.YMin, e.XMax, e.YMax, e.XMax - e.XMin, e.YMax - e.YMin} {
		if !finite(v) {
			return false
		}
	}
	return e.XMin <= e.XMax && e.YMin <= e.YMax
}

// Units names the linear unit of the spatial reference, as the scale bar
// needs it. Metre, Degree and Foot are understood (and their usual
// spellings: "meter", "m", "degrees", "ft", "US survey foot" …); any other
// value is written after the scale bar's length as it is, and the empty
// value as "units".
type Units string

// The units the scale bar knows.
const (
	Metre  Units = "metre"
	Degree Units = "degree"
	Foot   Units = "foot"
)

type unitKind uint8

const (
	unitOther unitKind = iota
	unitMetre
	unitDegree
	unitFoot
)

func (u Units) kind() unitKind {
	switch strings.ToLower(strings.TrimSpace(string(u))) {
	case "metre", "metres", "meter", "meters", "m":
		return unitMetre
	case "degree", "degrees", "deg", "°", "decimal degree", "decimal degrees":
		return unitDegree
	case "foot", "feet", "ft", "us survey foot", "us-ft", "ftus", "international foot":
		return unitFoot
	}
	return unitOther
}

// pointSize is the side of the square shown around an extent that is a
// single point.
func (k unitKind) pointSize() float64 {
	switch k {
	case unitMetre:
		return 1000
	case unitFoot:
		return 3000
	case unitDegree:
		return 0.01
	}
	return 1
}

// Class is what a footprint is in the picture.
type Class uint8

// The classes, drawn in this order (later on top).
const (
	Item    Class = iota // a plain listing: blue
	Kept                 // stays after a deletion: grey outline, light fill
	Removed              // deleted, or to be: red dashed outline, red hatch
	nClasses
)

var classNames = [nClasses]string{"Footprints", "Kept", "Removed"}

// String returns the class's default legend label.
func (c Class) String() string {
	if c < nClasses {
		return classNames[c]
	}
	return "Class(" + itoa(int64(c)) + ")"
}

// BoundaryStyle is how a collection boundary is outlined.
type BoundaryStyle uint8

// The boundary styles. A listing draws its collection boundary with After:
// the boundary as it is.
const (
	After  BoundaryStyle = iota // wide solid blue: after a deletion, or now
	Before                      // thin black dashes, drawn on top of After
)

// Options configures a Map. Only Extent matters for memory; the zero value
// of every other field has a sensible default.
type Options struct {
	// Extent is the area shown, in the collection's spatial reference:
	// usually the collection boundary's envelope, known before the items
	// are read. Items outside it are counted but not drawn. The zero value
	// means "fit what is added": then up to MaxPolygons footprints are
	// buffered to find the extent.
	Extent Envelope
	// SRS labels the spatial reference, as "EPSG:32632".
	SRS string
	// Units is the linear unit of the SRS, for the scale bar.
	Units Units
	// Title is written above the map and is the SVG's <title>.
	Title string
	// Width is the width of the SVG in px; 1000 if 0, at least 320. The
	// height follows from the extent's shape (the map's height stays
	// between 0.3 and 1.2 times its width) and the legend.
	Width int
	// MaxPolygons is the number of footprints above which a density grid
	// is drawn instead of polygons: 20,000 if 0; a negative value always
	// draws the grid.
	MaxPolygons int
	// IDPrefix starts every id in the SVG, so that several maps can share
	// an HTML page: "svgmap-" if empty. Characters other than ASCII letters,
	// digits, '-' and '_' are replaced by '_'.
	IDPrefix string
	// Inline leaves out the XML prolog, for SVG embedded in HTML.
	Inline bool
	// Labels replaces the legend labels of classes (see Class.String).
	Labels map[Class]string
	// Classes are listed in the legend, in this order, even when no item of
	// theirs came (with a count of 0): a dry run that removes nothing says
	// so. By default the legend lists the classes that have items.
	Classes []Class
}

const (
	defaultWidth       = 1000
	defaultMaxPolygons = 20000
	defaultIDPrefix    = "svgmap-"
)

// A Map collects footprints and boundaries and writes them as one SVG
// document. Build it with New, feed it with Add and AddBoundary in any
// order, and call WriteTo once all are in. A Map is not safe for
// concurrent use.
type Map struct {
	o      Options
	units  unitKind
	width  float64 // of the SVG
	max    int     // the polygon threshold; -1: always the grid
	prefix string

	counts  [nClasses]int // every Add, drawn or not
	undrawn int           // items without one finite coordinate
	outside int           // items whose box misses the frame

	fixed     bool  // fr is set: items are placed as they come
	hasExtent bool  // fr shows a real extent (else there is nothing to scale)
	fr        frame // the map's projection into the frame, in px

	// Before the extent is fixed (Options.Extent not given).
	raw  rawItems
	data bounds // of every finite point added, items and boundaries

	// Polygon mode: what is drawn, and the pixel boxes to re-bin.
	boxes   []box
	paths   [nClasses]pathBuf
	dots    [nClasses]pathBuf
	dotSeen [nClasses][]uint64

	grid *grid // density mode, once the threshold is crossed

	boundaries []boundary

	// Scratch for one footprint.
	pts  []ipt
	ends []int
}

type boundary struct {
	label string
	style BoundaryStyle
	rings [][][2]float64
}

// box is a drawn footprint's bounding box in frame px.
type box struct {
	c              Class
	x0, y0, x1, y1 float32
}

// New returns an empty Map.
func New(o Options) *Map {
	m := &Map{o: o, units: o.Units.kind(), prefix: idPrefix(o.IDPrefix)}
	m.width = float64(o.Width)
	if o.Width == 0 {
		m.width = defaultWidth
	}
	m.width = math.Min(math.Max(m.width, 320), 20000)
	switch {
	case o.MaxPolygons == 0:
		m.max = defaultMaxPolygons
	case o.MaxPolygons < 0:
		m.max = -1
	default:
		m.max = o.MaxPolygons
	}
	if o.Extent.usable() {
		m.fix()
	}
	return m
}

// Add adds the footprint of one item of class c: its rings, outer and
// inner in any orientation, closed or not. Points with a non-finite
// coordinate are skipped; an item without a finite point is counted but
// not drawn. Add keeps no reference to rings.
func (m *Map) Add(c Class, rings [][][2]float64) {
	if c >= nClasses {
		panic("svgmap: Add with an unknown class")
	}
	m.counts[c]++
	if m.fixed {
		m.place(c, rings)
		return
	}
	m.raw.add(c, rings, &m.data)
	if m.raw.n() > m.max {
		m.fix()
	}
}

// AddBoundary adds a collection boundary, outlined in style and listed in
// the legend under label. Boundaries with the same label and style share
// one legend entry. Boundaries are few and small: they are kept as given
// until WriteTo.
func (m *Map) AddBoundary(label string, rings [][][2]float64, style BoundaryStyle) {
	if style > Before {
		style = After
	}
	b := boundary{label: label, style: style}
	for _, r := range rings {
		cp := make([][2]float64, 0, len(r))
		for _, p := range r {
			if finite(p[0]) && finite(p[1]) {
				cp = append(cp, p)
				m.data.add(p[0], p[1])
			}
		}
		if len(cp) > 0 {
			b.rings = append(b.rings, cp)
		}
	}
	m.boundaries = append(m.boundaries, b)
}

// Dense reports whether the map is (so far) a density grid rather than
// polygons.
func (m *Map) Dense() bool { return m.grid != nil }

// fix sets the frame, from Options.Extent or else from what was added, and
// places the buffered items.
func (m *Map) fix() {
	if m.fixed {
		return
	}
	e, ok := m.o.Extent, m.o.Extent.usable()
	if !ok {
		e, ok = m.data.envelope()
	}
	m.hasExtent = ok
	m.fr = newFrame(e, m.units, m.width-2*margin)
	m.fixed = true
	if m.max < 0 {
		m.grid = newGrid(m.fr)
	}
	m.raw.each(m.place)
	m.raw = rawItems{}
}

// place projects one item into the frame and draws or bins it.
func (m *Map) place(c Class, rings [][][2]float64) {
	x0, y0 := math.Inf(1), math.Inf(1)
	x1, y1 := math.Inf(-1), math.Inf(-1)
	for _, r := range rings {
		for _, p := range r {
			if !finite(p[0]) || !finite(p[1]) {
				continue
			}
			x, y := m.fr.px(p[0], p[1])
			x0, x1 = math.Min(x0, x), math.Max(x1, x)
			y0, y1 = math.Min(y0, y), math.Max(y1, y)
		}
	}
	switch {
	case x0 > x1:
		m.undrawn++
		return
	case x1 < 0 || y1 < 0 || x0 > m.fr.w || y0 > m.fr.h:
		m.outside++
		return
	}
	if m.grid == nil && len(m.boxes) >= m.max {
		m.toGrid()
	}
	if m.grid != nil {
		m.grid.add(c, x0, y0, x1, y1)
		return
	}
	m.boxes = append(m.boxes, box{c, float32(x0), float32(y0), float32(x1), float32(y1)})
	if x1-x0 < 1 && y1-y0 < 1 {
		m.dot(c, (x0+x1)/2, (y0+y1)/2)
		return
	}
	m.polygon(c, rings, (x0+x1)/2, (y0+y1)/2)
}

// toGrid turns the polygon map into a density grid.
func (m *Map) toGrid() {
	m.grid = newGrid(m.fr)
	for _, b := range m.boxes {
		m.grid.add(b.c, float64(b.x0), float64(b.y0), float64(b.x1), float64(b.y1))
	}
	m.boxes = nil
	m.paths = [nClasses]pathBuf{}
	m.dots = [nClasses]pathBuf{}
	m.dotSeen = [nClasses][]uint64{}
}

// dot draws a footprint smaller than a pixel, once per pixel and class.
func (m *Map) dot(c Class, x, y float64) {
	w, h := int(m.fr.w), int(m.fr.h)
	ix := min(max(int(x), 0), w-1)
	iy := min(max(int(y), 0), h-1)
	if m.dotSeen[c] == nil {
		m.dotSeen[c] = make([]uint64, (w*h+63)/64)
	}
	i := iy*w + ix
	if m.dotSeen[c][i/64]&(1<<(i%64)) != 0 {
		return
	}
	m.dotSeen[c][i/64] |= 1 << (i % 64)
	d := &m.dots[c]
	d.move(int64(ix)*10+5, int64(iy)*10+5)
	d.b = append(d.b, "h0"...)
	d.last = 'h'
}

// polygon draws a footprint: one subpath per ring, outer rings clockwise
// on screen and holes counter-clockwise, so that the class's single path
// fills the union of its footprints with the nonzero rule, whatever the
// rings' orientation was.
func (m *Map) polygon(c Class, rings [][][2]float64, cx, cy float64) {
	m.project(rings)
	if len(m.ends) == 0 {
		// Every ring is a single point, though they are apart: one dot.
		m.dot(c, cx, cy)
		return
	}
	d := &m.paths[c]
	start := 0
	for k, end := range m.ends {
		ring := m.pts[start:end]
		hole := false
		if len(m.ends) > 1 {
			s := 0
			for j, e := range m.ends {
				if j != k && inside(ring[0], m.pts[s:e]) {
					hole = !hole
				}
				s = e
			}
		}
		a := area2(ring)
		d.ring(ring, (a < 0) != hole && a != 0)
		start = end
	}
}

// project writes rings into m.pts in tenths of a frame px, thinned to
// points at least 0.2 px apart and without a closing point; m.ends holds
// where each ring of two points or more ends.
func (m *Map) project(rings [][][2]float64) {
	m.pts, m.ends = m.pts[:0], m.ends[:0]
	for _, r := range rings {
		start := len(m.pts)
		for _, p := range r {
			if !finite(p[0]) || !finite(p[1]) {
				continue
			}
			x, y := m.fr.px(p[0], p[1])
			q := ipt{tenths(x), tenths(y)}
			if len(m.pts) > start && near(q, m.pts[len(m.pts)-1]) {
				continue
			}
			m.pts = append(m.pts, q)
		}
		for len(m.pts)-start > 1 && near(m.pts[len(m.pts)-1], m.pts[start]) {
			m.pts = m.pts[:len(m.pts)-1]
		}
		if len(m.pts)-start < 2 {
			m.pts = m.pts[:start]
			continue
		}
		m.ends = append(m.ends, len(m.pts))
	}
}

// bounds is a bounding box being grown.
type bounds struct {
	x0, y0, x1, y1 float64
	ok             bool
}

func (b *bounds) add(x, y float64) {
	if !b.ok {
		*b = bounds{x, y, x, y, true}
		return
	}
	b.x0, b.x1 = math.Min(b.x0, x), math.Max(b.x1, x)
	b.y0, b.y1 = math.Min(b.y0, y), math.Max(b.y1, y)
}

func (b *bounds) envelope() (Envelope, bool) {
	e := Envelope{b.x0, b.y0, b.x1, b.y1}
	if !b.ok || !finite(e.XMax-e.XMin) || !finite(e.YMax-e.YMin) {
		return Envelope{}, false
	}
	return e, true
}

// rawItems buffers items as given, before the extent is known: points in
// one slice, ring ends in another.
type rawItems struct {
	items []rawItem
	pts   [][2]float64
	ends  []int
}

type rawItem struct {
	c    Class
	ends int // m.ends[previous item's ends:ends] are this item's rings
}

func (r *rawItems) n() int { return len(r.items) }

func (r *rawItems) add(c Class, rings [][][2]float64, b *bounds) {
	for _, ring := range rings {
		for _, p := range ring {
			if finite(p[0]) && finite(p[1]) {
				r.pts = append(r.pts, p)
				b.add(p[0], p[1])
			}
		}
		r.ends = append(r.ends, len(r.pts))
	}
	r.items = append(r.items, rawItem{c, len(r.ends)})
}

func (r *rawItems) each(f func(Class, [][][2]float64)) {
	var rings [][][2]float64
	e, p := 0, 0
	for _, it := range r.items {
		rings = rings[:0]
		for ; e < it.ends; e++ {
			rings = append(rings, r.pts[p:r.ends[e]])
			p = r.ends[e]
		}
		f(it.c, rings)
	}
}

// idPrefix makes s usable as the start of an XML and HTML id.
func idPrefix(s string) string {
	if s == "" {
		return defaultIDPrefix
	}
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if c := b[0]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_') {
		b = append([]byte{'m'}, b...)
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
