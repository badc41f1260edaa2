package geometry

// GeoJSON (RFC 7946). Read: the geometry types a spatial filter needs,
// Point, MultiPoint, Polygon and MultiPolygon, alone or as the geometry of
// a Feature. Decisions where the RFC leaves room:
//   - Rings must be closed and have 4 positions or more (§3.1.6 "MUST");
//     a ring with no area is refused too.
//   - Rings may run either way (§3.1.6: parsers "SHOULD NOT reject
//     Polygons that do not follow the right-hand rule"); the first ring of
//     each polygon is its outer ring.
//   - Foreign members are ignored (§6.1), but still may not repeat a key.
//   - A "crs" member (from the 2008 format) is refused rather than
//     silently ignored: RFC 7946 coordinates are WGS 84 longitude,
//     latitude, and a file that says otherwise would be misread.
//   - Member names and type names are case-sensitive (§7.1).

var geojsonTypes = "Point, MultiPoint, Polygon, MultiPolygon, Feature"

// ParseGeoJSON reads a GeoJSON geometry, or a Feature holding one, and
// returns it as a Point, MultiPoint or normalized Polygon (a MultiPolygon
// is a Polygon with several outer rings). Every refusal is a *ParseError.
func ParseGeoJSON(text string) (Geometry, error) {
	if len(text) > MaxInputBytes {
		return nil, parseErrorf("GeoJSON", -1, "longer than %d bytes", MaxInputBytes)
	}
	r := newJSONReader("GeoJSON", text)
	g, err := r.geojson(true)
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

// geojson reads a GeoJSON object: a geometry, or a Feature if featureOK.
func (r *jsonReader) geojson(featureOK bool) (Geometry, error) {
	r.ws()
	start := r.i
	var typ string
	typOff := -1
	type deferred struct{ off, depth int }
	coords, geom := deferred{-1, 0}, deferred{-1, 0}
	err := r.object(func(key string, keyOff int) error {
		switch key {
		case "type":
			r.ws()
			typOff = r.i
			var err error
			typ, err = r.str()
			return err
		case "coordinates":
			// The type may come after the coordinates: read them once
			// it is known.
			r.ws()
			coords = deferred{r.i, r.depth}
		case "geometry":
			r.ws()
			geom = deferred{r.i, r.depth}
		case "crs":
			if !r.literal("null") {
				return r.errAt(keyOff, "the crs member is not supported (RFC 7946: coordinates are WGS 84 longitude, latitude)")
			}
			return nil
		}
		return r.skip()
	})
	if err != nil {
		return nil, err
	}
	end, depth := r.i, r.depth
	// reread positions the reader at a deferred member to read it now.
	reread := func(d deferred, key string, read func() (Geometry, error)) (Geometry, error) {
		r.i, r.depth = d.off, d.depth
		r.path = append(r.path, pathElem{key: key, index: -1})
		g, err := read()
		if err != nil {
			return nil, err
		}
		r.path = r.path[:len(r.path)-1]
		r.i, r.depth = end, depth
		return g, nil
	}
	if typOff < 0 {
		return nil, r.errAt(start, `missing "type"`)
	}
	switch typ {
	case "Feature":
		if !featureOK {
			return nil, r.errAt(typOff, "the geometry of a Feature cannot be a Feature")
		}
		if geom.off < 0 {
			return nil, r.errAt(start, `a Feature needs a "geometry"`)
		}
		return reread(geom, "geometry", func() (Geometry, error) {
			if r.literal("null") {
				return nil, r.errAt(geom.off, "the Feature has no geometry (null)")
			}
			return r.geojson(false)
		})
	case "Point", "MultiPoint", "Polygon", "MultiPolygon":
		if coords.off < 0 {
			return nil, r.errAt(start, `a %s needs "coordinates"`, typ)
		}
		return reread(coords, "coordinates", func() (Geometry, error) { return r.geojsonCoordinates(typ) })
	case "LineString", "MultiLineString", "GeometryCollection", "FeatureCollection":
		return nil, r.errAt(typOff, "GeoJSON type %s is not supported; supported types: %s", typ, geojsonTypes)
	}
	return nil, r.errAt(typOff, "unknown GeoJSON type %q (types are case-sensitive); supported types: %s", typ, geojsonTypes)
}

// geojsonCoordinates reads the coordinates of a geometry of type typ.
func (r *jsonReader) geojsonCoordinates(typ string) (Geometry, error) {
	off := r.i
	switch typ {
	case "Point":
		p, err := r.position()
		return Point{p[0], p[1]}, err
	case "MultiPoint":
		ps, err := r.positions()
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			return nil, r.errAt(off, "the MultiPoint is empty")
		}
		m := make(MultiPoint, len(ps))
		for i, p := range ps {
			m[i] = Point{p[0], p[1]}
		}
		return m, nil
	case "Polygon":
		p, err := r.geojsonPolygon()
		if err != nil {
			return nil, err
		}
		return normalizeParts([]Polygon{p}), nil
	}
	var parts []Polygon
	err := r.array(func(int) error {
		p, err := r.geojsonPolygon()
		parts = append(parts, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, r.errAt(off, "the MultiPolygon is empty")
	}
	return normalizeParts(parts), nil
}

// geojsonPolygon reads the rings of one polygon.
func (r *jsonReader) geojsonPolygon() (Polygon, error) {
	r.ws()
	off := r.i
	var p Polygon
	err := r.array(func(int) error {
		r.ringCount++
		if r.ringCount > MaxRings {
			return r.errAt(r.i, "more than %d rings", MaxRings)
		}
		ringOff := r.i
		ring, err := r.positions()
		if err != nil {
			return err
		}
		if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
			return r.errAt(ringOff, "the ring is not closed: its last position must equal its first (RFC 7946 §3.1.6)")
		}
		if err := checkRing(ring, r, ringOff); err != nil {
			return err
		}
		p = append(p, ring)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, r.errAt(off, "the polygon has no rings")
	}
	return p, nil
}

// AppendGeoJSON appends g to dst as a GeoJSON geometry: a Point, a
// MultiPoint, or for an Envelope or Polygon a Polygon (a MultiPolygon if it
// has several outer rings) with outer rings counter-clockwise and holes
// clockwise (RFC 7946 §3.1.6, the right-hand rule), rings closed.
func AppendGeoJSON(dst []byte, g Geometry) []byte {
	switch g := g.(type) {
	case Point:
		dst = append(dst, `{"type":"Point","coordinates":`...)
		dst = appendPosition(dst, [2]float64{g.X, g.Y})
		return append(dst, '}')
	case MultiPoint:
		dst = append(dst, `{"type":"MultiPoint","coordinates":[`...)
		for i, p := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPosition(dst, [2]float64{p.X, p.Y})
		}
		return append(dst, "]}"...)
	case Envelope:
		return AppendGeoJSON(dst, g.Polygon())
	case Polygon:
		outers := 0
		for i := range g {
			if i == 0 || isOuter(g, i) {
				outers++
			}
		}
		if outers <= 1 {
			dst = append(dst, `{"type":"Polygon","coordinates":`...)
		} else {
			dst = append(dst, `{"type":"MultiPolygon","coordinates":[`...)
		}
		for i, r := range g {
			outer := i == 0 || isOuter(g, i)
			switch {
			case i == 0:
				dst = append(dst, '[')
			case outer:
				dst = append(dst, "],["...)
			default:
				dst = append(dst, ',')
			}
			want := -1
			if outer {
				want = 1
			}
			dst = appendRing(dst, r, want)
		}
		if len(g) > 0 {
			dst = append(dst, ']')
		} else {
			dst = append(dst, "[]"...)
		}
		if outers > 1 {
			dst = append(dst, ']')
		}
		return append(dst, '}')
	}
	return append(dst, "null"...)
}
