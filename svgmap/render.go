package svgmap

import (
	"bufio"
	"io"
	"math"
	"slices"
	"strings"
)

// Layout, in px of the SVG.
const (
	margin     = 12.0
	titleBand  = 34.0  // above the frame when there is a title
	rightBlock = 270.0 // the footer's right part: scale bar and SRS
	narrow     = 700.0 // below this width the scale bar goes under the legend
	swatchW    = 28.0
	rampW      = 54.0 // one level of a density legend
)

// classStyle is how a class is drawn.
type classStyle struct {
	fill, fillOpacity, stroke, dash string
	width                           float64 // added to the outline width
	light, dark                     rgb     // the density ramp
}

var styles = [nClasses]classStyle{
	Item:    {fill: "#4a90d9", fillOpacity: ".25", stroke: "#1f5fa8", light: rgb{0xa8, 0xc8, 0xe8}, dark: rgb{0x08, 0x30, 0x6b}},
	Kept:    {fill: "#b4b4b4", fillOpacity: ".4", stroke: "#6b6b6b", light: rgb{0xcc, 0xcc, 0xcc}, dark: rgb{0x50, 0x50, 0x50}},
	Removed: {fill: "url(#HATCH)", stroke: "#d01c1c", dash: "4 2", width: .4, light: rgb{0xfc, 0xae, 0x91}, dark: rgb{0x99, 0x00, 0x0d}},
}

const (
	hatchColor = "#d01c1c"
	textColor  = "#222"
	noteColor  = "#666"
)

// WriteTo writes the map as one SVG document. It may be called more than
// once; adding after it is allowed but fixes the extent if it was not
// given.
func (m *Map) WriteTo(w io.Writer) (int64, error) {
	m.fix()
	cw := &countWriter{w: w}
	r := &renderer{m: m, w: bufio.NewWriterSize(cw, 64<<10)}
	r.render()
	if err := r.w.Flush(); err != nil {
		return cw.n, err
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type renderer struct {
	m *Map
	w *bufio.Writer

	top     float64 // of the frame
	legendW float64 // room for the legend's text
	classes []Class // in the legend
	hatch   string  // the hatch pattern's id
}

// s writes strings; errors are kept by the bufio.Writer for Flush.
func (r *renderer) s(parts ...string) {
	for _, p := range parts {
		r.w.WriteString(p)
	}
}

func (r *renderer) render() {
	m := r.m
	r.hatch = m.prefix + "hatch"
	title := clean(m.o.Title, int((m.width-2*margin)/11)) // 20px bold: about 11 px a character
	r.top = margin
	if title != "" {
		r.top += titleBand
	}
	r.legendW = m.width - 2*margin
	if m.width >= narrow {
		r.legendW -= rightBlock
	}
	r.classes = m.legendClasses()

	// The legend decides the height: draw it into a buffer first.
	var legend strings.Builder
	footer := r.top + m.fr.h + 16
	lh := r.legend(&legend, footer)
	barY := footer
	height := footer + math.Max(lh, 58) + margin
	if m.width < narrow {
		barY = footer + lh + 4
		height = barY + 58 + margin
	}

	if !m.o.Inline {
		r.s(`<?xml version="1.0" encoding="UTF-8"?>`, "\n")
	}
	r.s(`<svg xmlns="http://www.w3.org/2000/svg" width="`, num(m.width), `" height="`, num(height),
		`" viewBox="0 0 `, num(m.width), " ", num(height), `" role="img" font-family="Helvetica,Arial,sans-serif" font-size="14">`, "\n")
	t := title
	if t == "" {
		t = "Footprint map"
	}
	r.s("<title>", esc(t), "</title>\n<desc>", esc(m.summary()), "</desc>\n")
	if m.grid == nil && (m.counts[Removed] > 0 || slices.Contains(r.classes, Removed)) {
		r.s(`<defs><pattern id="`, r.hatch, `" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`,
			`<rect width="6" height="6" fill="`, hatchColor, `" fill-opacity=".12"/><path d="M3 0v6" stroke="`, hatchColor, `" stroke-width="1.6"/></pattern></defs>`, "\n")
	}
	r.s(`<rect width="100%" height="100%" fill="#fff"/>`, "\n")
	if title != "" {
		r.s(`<text x="`, num(margin), `" y="`, num(margin+20), `" font-size="20" font-weight="bold" fill="`, textColor, `">`, esc(title), "</text>\n")
	}
	r.frame()
	r.s(legend.String())
	r.scaleBar(barY)
	r.s("</svg>\n")
}

// frame writes the map itself: a nested svg clips it to the frame.
func (r *renderer) frame() {
	m := r.m
	r.s(`<svg x="`, num(margin), `" y="`, num(r.top), `" width="`, num(m.fr.w), `" height="`, num(m.fr.h), `" overflow="hidden">`, "\n")
	r.s(`<rect width="100%" height="100%" fill="#fafaf7"/>`, "\n")
	if m.grid != nil {
		r.density()
	} else {
		r.polygons()
	}
	r.boundaries()
	if m.total() == 0 {
		r.s(`<text x="50%" y="50%" text-anchor="middle" dominant-baseline="middle" font-size="24" fill="`, noteColor, `">No items</text>`, "\n")
	}
	r.s("</svg>\n")
	r.s(`<rect x="`, num(margin), `" y="`, num(r.top), `" width="`, num(m.fr.w), `" height="`, num(m.fr.h), `" fill="none" stroke="#999"/>`, "\n")
}

// outline is the width of footprint outlines: thinner when many.
func (m *Map) outline() float64 {
	if len(m.boxes) > 2000 {
		return .6
	}
	return 1
}

func (r *renderer) polygons() {
	m := r.m
	for c := Item; c < nClasses; c++ {
		st := styles[c]
		if d := m.paths[c].b; len(d) > 0 {
			r.s(`<path fill="`, strings.Replace(st.fill, "HATCH", r.hatch, 1), `"`)
			if st.fillOpacity != "" {
				r.s(` fill-opacity="`, st.fillOpacity, `"`)
			}
			r.s(` stroke="`, st.stroke, `" stroke-width="`, num(m.outline()+st.width), `" stroke-linejoin="round"`)
			if st.dash != "" {
				r.s(` stroke-dasharray="`, st.dash, `"`)
			}
			r.s(` d="`)
			r.w.Write(d)
			r.s(`"/>`, "\n")
		}
		if d := m.dots[c].b; len(d) > 0 {
			r.s(`<path fill="none" stroke="`, st.stroke, `" stroke-width="`, num(2.6+2*st.width), `" stroke-linecap="round" d="`)
			r.w.Write(d)
			r.s(`"/>`, "\n")
		}
	}
}

// density writes each class's grid, on one shared scale. Removed cells are
// drawn last, whole where nothing else is, and as a smaller square inside
// cells where kept (or listed) footprints are too: a removal scattered
// among kept items shows as red specks on grey, not as a red area.
func (r *renderer) density() {
	g := r.m.grid
	t := r.m.levels()
	r.s(`<g transform="scale(`, num6(g.cw), " ", num6(g.ch), `)" fill="none" shape-rendering="crispEdges">`, "\n")
	var under []int32
	for c := Item; c < nClasses; c++ {
		counts, _ := g.counts(c)
		if counts == nil {
			continue
		}
		var full, inset []pathBuf
		if c == Removed {
			full, inset = gridPaths(counts, under, g.cols, g.rows, t)
		} else {
			full, inset = gridPaths(counts, nil, g.cols, g.rows, t)
			if under == nil {
				under = make([]int32, len(counts))
			}
			for i, v := range counts {
				under[i] += v
			}
		}
		for l, d := range full {
			if len(d.b) > 0 {
				r.s(`<path stroke="`, ramp(c, l, len(t)), `" d="`)
				r.w.Write(d.b)
				r.s(`"/>`, "\n")
			}
		}
		for l, d := range inset {
			if len(d.b) > 0 {
				r.s(`<path stroke="`, ramp(c, l, len(t)), `" stroke-width=".6" d="`)
				r.w.Write(d.b)
				r.s(`"/>`, "\n")
			}
		}
	}
	r.s("</g>\n")
}

// levels returns the shading levels shared by the classes.
func (m *Map) levels() []int64 {
	var top int32
	for c := Item; c < nClasses; c++ {
		_, t := m.grid.counts(c)
		top = max(top, t)
	}
	return levels(top)
}

func (r *renderer) boundaries() {
	m := r.m
	for _, style := range []BoundaryStyle{After, Before} {
		var d pathBuf
		for _, b := range m.boundaries {
			if b.style != style {
				continue
			}
			m.project(b.rings)
			start := 0
			for _, end := range m.ends {
				d.ring(m.pts[start:end], false)
				start = end
			}
		}
		if len(d.b) == 0 {
			continue
		}
		r.s(`<path fill="none" `, boundaryAttrs(style), ` stroke-linejoin="round" d="`)
		r.w.Write(d.b)
		r.s(`"/>`, "\n")
	}
}

func boundaryAttrs(s BoundaryStyle) string {
	if s == Before {
		return `stroke="#111" stroke-width="1.5" stroke-dasharray="7 4"`
	}
	return `stroke="#1a55a8" stroke-opacity=".85" stroke-width="3.5"`
}

// legend writes the legend into b from y down and returns its height.
func (r *renderer) legend(b *strings.Builder, y float64) float64 {
	m := r.m
	x := margin + 2
	y0 := y
	chars := max(12, int((r.legendW-swatchW-14)/7.5)) // 14px: about 7.5 px a character
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	text := func(x, y float64, s string, size int, color string) {
		w(`<text x="`, num(x), `" y="`, num(y), `" font-size="`, itoa(int64(size)), `" fill="`, color, `">`, esc(s), "</text>\n")
	}
	var t []int64
	if m.grid != nil {
		t = m.levels()
		caption := "Density grid: footprints per cell (" + itoa(int64(m.grid.cols)) + " × " + itoa(int64(m.grid.rows)) + " cells"
		if l := m.lengthLabel(m.grid.cw / m.fr.s); l != "" {
			caption += " of " + l
		}
		text(x, y+12, caption+")", 12, noteColor)
		y += 20
	}
	for _, c := range r.classes {
		st := styles[c]
		label := clean(m.label(c), chars) + ": " + group(int64(m.counts[c])) + " item"
		if m.counts[c] != 1 {
			label += "s"
		}
		if m.grid == nil {
			w(`<rect x="`, num(x), `" y="`, num(y+2), `" width="`, num(swatchW), `" height="14" fill="`, strings.Replace(st.fill, "HATCH", r.hatch, 1), `"`)
			if st.fillOpacity != "" {
				w(` fill-opacity="`, st.fillOpacity, `"`)
			}
			w(` stroke="`, st.stroke, `" stroke-width="`, num(1+st.width), `"`)
			if st.dash != "" {
				w(` stroke-dasharray="`, st.dash, `"`)
			}
			w("/>\n")
			text(x+swatchW+10, y+14, label, 14, textColor)
			y += 22
			continue
		}
		text(x, y+14, label, 14, textColor)
		y += 20
		_, top := m.grid.counts(c)
		if top == 0 {
			continue
		}
		// The levels this class reaches, each labelled with its range.
		n := level(t, top) + 1
		for l := range n {
			sx := x + float64(l)*rampW
			w(`<rect x="`, num(sx), `" y="`, num(y+2), `" width="`, num(rampW), `" height="12" fill="`, ramp(c, l, len(t)), `"/>`, "\n")
			hi := int64(top)
			if l+1 < len(t) {
				hi = min(hi, t[l+1]-1)
			}
			w(`<text x="`, num(sx+rampW/2), `" y="`, num(y+26), `" font-size="11" text-anchor="middle" fill="`, noteColor, `">`, span(t[l], hi), "</text>\n")
		}
		w(`<rect x="`, num(x), `" y="`, num(y+2), `" width="`, num(float64(n)*rampW), `" height="12" fill="none" stroke="#999" stroke-width=".5"/>`, "\n")
		if c == Removed && (m.counts[Kept] > 0 || m.counts[Item] > 0) {
			// What a removed cell among kept ones looks like.
			ex := x + float64(n)*rampW + 24
			w(`<rect x="`, num(ex), `" y="`, num(y+1), `" width="14" height="14" fill="`, ramp(Kept, len(t)/2, len(t)), `"/>`)
			w(`<rect x="`, num(ex+3), `" y="`, num(y+4), `" width="8" height="8" fill="`, ramp(Removed, len(t)/2, len(t)), `"/>`, "\n")
			text(ex+22, y+12, "removed among kept", 12, noteColor)
		}
		y += 32
	}
	for _, e := range m.boundaryEntries() {
		w(`<path fill="none" `, boundaryAttrs(e.style), ` d="M`, num(x), " ", num(y+9), "h", num(swatchW), `"/>`, "\n")
		text(x+swatchW+10, y+14, clean(e.label, chars), 14, textColor)
		y += 22
	}
	if m.outside > 0 {
		text(x, y+12, group(int64(m.outside))+" "+plural(m.outside, "item")+" outside the map's extent, not drawn", 12, noteColor)
		y += 18
	}
	if m.undrawn > 0 {
		text(x, y+12, group(int64(m.undrawn))+" "+plural(m.undrawn, "item")+" without coordinates, not drawn", 12, noteColor)
		y += 18
	}
	return y - y0
}

// scaleBar writes the scale bar and the SRS label at the footer's right.
func (r *renderer) scaleBar(y float64) {
	m := r.m
	right := m.width - margin
	srs := clean(m.o.SRS, 40)
	if m.hasExtent {
		px, label, note := m.scale(math.Min(m.fr.w/4, rightBlock-40))
		if px > 0 {
			x0 := right - px
			cx := math.Min(x0+px/2, right-float64(len(label))*3.8)
			r.s(`<text x="`, num(cx), `" y="`, num(y+12), `" font-size="13" text-anchor="middle" fill="`, textColor, `">`, esc(label), "</text>\n")
			for i := 0; i < 4; i++ {
				fill := "#222"
				if i%2 == 1 {
					fill = "#fff"
				}
				r.s(`<rect x="`, num(x0+float64(i)*px/4), `" y="`, num(y+18), `" width="`, num(px/4), `" height="6" fill="`, fill, `"/>`)
			}
			r.s(`<rect x="`, num(x0), `" y="`, num(y+18), `" width="`, num(px), `" height="6" fill="none" stroke="#222"/>`, "\n")
			if note != "" {
				if srs != "" {
					srs += " · "
				}
				srs += note
			}
		}
	}
	if srs != "" {
		r.s(`<text x="`, num(right), `" y="`, num(y+42), `" font-size="13" text-anchor="end" fill="`, noteColor, `">`, esc(srs), "</text>\n")
	}
}

// scale returns a round length of at most maxPx, its label, and a note on
// where it holds.
func (m *Map) scale(maxPx float64) (px float64, label, note string) {
	units := maxPx / m.fr.s // in projected units
	if m.units == unitDegree {
		km := units * kmPerDegree
		mant, exp := nice(km)
		if mant == 0 {
			return 0, "", ""
		}
		px = float64(mant) * math.Pow10(exp) / kmPerDegree * m.fr.s
		if exp < 0 {
			label = decimal(mant, exp+3) + " m"
		} else {
			label = decimal(mant, exp) + " km"
		}
		return px, label, "scale true at " + latitude(m.fr.latc)
	}
	mant, exp := nice(units)
	if mant == 0 {
		return 0, "", ""
	}
	px = float64(mant) * math.Pow10(exp) * m.fr.s
	switch m.units {
	case unitMetre:
		if exp >= 3 {
			return px, decimal(mant, exp-3) + " km", ""
		}
		return px, decimal(mant, exp) + " m", ""
	case unitFoot:
		return px, decimal(mant, exp) + " ft", ""
	}
	u := clean(string(m.o.Units), 20)
	if u == "" {
		u = "units"
	}
	return px, decimal(mant, exp) + " " + u, ""
}

// lengthLabel describes a length in projected units, to two digits, or ""
// if the units are unknown.
func (m *Map) lengthLabel(v float64) string {
	unit := ""
	switch m.units {
	case unitDegree:
		v *= kmPerDegree
		unit = " km"
		if v < 1 {
			v, unit = v*1000, " m"
		}
	case unitMetre:
		unit = " m"
		if v >= 1000 {
			v, unit = v/1000, " km"
		}
	case unitFoot:
		unit = " ft"
	default:
		return ""
	}
	if !(v > 0) || !finite(v) {
		return ""
	}
	exp := int(math.Floor(math.Log10(v))) - 1
	mant := int64(math.Round(v / math.Pow10(exp)))
	return decimal(mant, exp) + unit
}

// nice returns the largest 1, 2 or 5 × 10^exp not above v, as mant, exp.
func nice(v float64) (mant int64, exp int) {
	if !(v > 0) || !finite(v) {
		return 0, 0
	}
	exp = int(math.Floor(math.Log10(v)))
	f := v / math.Pow10(exp)
	switch {
	case f >= 5:
		mant = 5
	case f >= 2:
		mant = 2
	default:
		mant = 1
	}
	return mant, exp
}

// decimal formats mant × 10^exp exactly, with thousands separators.
func decimal(mant int64, exp int) string {
	for exp < 0 && mant%10 == 0 && mant != 0 {
		mant, exp = mant/10, exp+1
	}
	if exp >= 0 {
		if exp > 15 {
			return itoa(mant) + "e" + itoa(int64(exp))
		}
		for ; exp > 0; exp-- {
			mant *= 10
		}
		return group(mant)
	}
	if exp < -15 {
		return itoa(mant) + "e" + itoa(int64(exp))
	}
	s := itoa(mant)
	for len(s) <= -exp {
		s = "0" + s
	}
	return s[:len(s)+exp] + "." + s[len(s)+exp:]
}

func latitude(v float64) string {
	h := " N"
	if v < 0 {
		h, v = " S", -v
	}
	return num(math.Round(v*10)/10) + "°" + h
}

func (m *Map) total() int {
	n := 0
	for _, c := range m.counts {
		n += c
	}
	return n
}

func (m *Map) label(c Class) string {
	if l, ok := m.o.Labels[c]; ok && clean(l, 1) != "" {
		return l
	}
	return c.String()
}

// legendClasses are the classes the legend lists: Options.Classes, then
// those with items.
func (m *Map) legendClasses() []Class {
	var out []Class
	seen := [nClasses]bool{}
	for _, c := range m.o.Classes {
		if c < nClasses && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for c := Item; c < nClasses; c++ {
		if !seen[c] && m.counts[c] > 0 {
			out = append(out, c)
		}
	}
	return out
}

type boundaryEntry struct {
	label string
	style BoundaryStyle
}

func (m *Map) boundaryEntries() []boundaryEntry {
	var out []boundaryEntry
	for _, b := range m.boundaries {
		e := boundaryEntry{b.label, b.style}
		if clean(e.label, 1) == "" {
			e.label = "Boundary"
			if e.style == Before {
				e.label = "Boundary before"
			}
		}
		dup := false
		for _, o := range out {
			dup = dup || o == e
		}
		if !dup {
			out = append(out, e)
		}
	}
	return out
}

// summary is the SVG's description, for screen readers.
func (m *Map) summary() string {
	n := m.total()
	s := "Footprint map of " + group(int64(n)) + " " + plural(n, "item")
	var parts []string
	for _, c := range m.legendClasses() {
		parts = append(parts, group(int64(m.counts[c]))+" "+strings.ToLower(clean(m.label(c), 60)))
	}
	if cs := m.legendClasses(); len(cs) > 1 || len(cs) == 1 && cs[0] != Item {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	switch {
	case n == 0:
	case m.grid != nil:
		s += ", drawn as a density grid of " + itoa(int64(m.grid.cols)) + " × " + itoa(int64(m.grid.rows)) + " cells"
	default:
		s += ", drawn as polygons"
	}
	if srs := clean(m.o.SRS, 40); srs != "" {
		s += ", in " + srs
	}
	return s + "."
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// group formats v with thousands separators.
func group(v int64) string {
	s := itoa(v)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// span labels a level of the density legend: "5", "5–9", or "1k+" when
// the range is too wide to read.
func span(lo, hi int64) string {
	if lo >= hi {
		return compact(lo)
	}
	if s := compact(lo) + "–" + compact(hi); len(s) <= 9 {
		return s
	}
	return compact(lo) + "+"
}

// compact formats a count for the density legend: 1,234, 56k, 1.2M.
func compact(v int64) string {
	switch {
	case v < 100000:
		return group(v)
	case v < 1000000:
		return itoa(v/1000) + "k"
	default:
		return num(math.Round(float64(v)/1e5)/10) + "M"
	}
}

// num6 formats a scale factor.
func num6(v float64) string {
	return strings.TrimRight(strings.TrimRight(ftoa(v, 6), "0"), ".")
}

// rgb is a colour.
type rgb [3]uint8

func (c rgb) String() string {
	const hex = "0123456789abcdef"
	b := []byte{'#', 0, 0, 0, 0, 0, 0}
	for i, v := range c {
		b[1+2*i], b[2+2*i] = hex[v>>4], hex[v&15]
	}
	return string(b)
}

// ramp returns the colour of level l of n for class c.
func ramp(c Class, l, n int) string {
	st := styles[c]
	t := float64(l) / float64(max(n, 4)-1) // few levels stay light

	var out rgb
	for i := range out {
		out[i] = uint8(math.Round(float64(st.light[i]) + t*(float64(st.dark[i])-float64(st.light[i]))))
	}
	return out.String()
}
