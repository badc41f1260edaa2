package proj

import (
	"fmt"
	"strconv"
	"strings"
)

// geogcs is a geographic system as WKT1 names it.
type geogcs struct {
	name, datumName, spheroid, a, rf string
	ellCode, datumCode, code         int
	null                             string // the null operation to WGS 84 PROJ uses, if any, for SUPPORTED.md
}

var (
	gcsWGS84   = &geogcs{"WGS 84", "WGS_1984", "WGS 84", "6378137", "298.257223563", 7030, 6326, 4326, "none (WGS 84)"}
	gcsETRS89  = &geogcs{"ETRS89", "European_Terrestrial_Reference_System_1989", "GRS 1980", "6378137", "298.257222101", 7019, 6258, 4258, "EPSG:1149 ETRS89 to WGS 84 (1), null"}
	gcsNAD83   = &geogcs{"NAD83", "North_American_Datum_1983", "GRS 1980", "6378137", "298.257222101", 7019, 6269, 4269, ""}
	gcsRGF93   = &geogcs{"RGF93 v1", "Reseau_Geodesique_Francais_1993_v1", "GRS 1980", "6378137", "298.257222101", 7019, 6171, 4171, "EPSG:1671 RGF93 v1 to WGS 84 (1), null"}
	gcsCH1903p = &geogcs{"CH1903+", "CH1903+", "Bessel 1841", "6377397.155", "299.1528128", 7004, 6150, 4150, ""}
	gcsOSGB36  = &geogcs{"OSGB36", "Ordnance_Survey_of_Great_Britain_1936", "Airy 1830", "6377563.396", "299.3249646", 7001, 6277, 4277, ""}
)

// wktProj is what a projected system's WKT1 says beyond its GEOGCS.
type wktProj struct {
	projection    string
	params        [][2]string // name, value as GDAL prints it
	northingFirst bool        // EPSG:3035's axis order
	extension     string      // EXTENSION["PROJ4",...] of EPSG:3857
}

func authority(code int) string { return `AUTHORITY["EPSG","` + strconv.Itoa(code) + `"]` }

func (g *geogcs) write(b *strings.Builder, axes bool) {
	fmt.Fprintf(b, `GEOGCS["%s",DATUM["%s",SPHEROID["%s",%s,%s,%s],%s],`, g.name, g.datumName, g.spheroid, g.a, g.rf, authority(g.ellCode), authority(g.datumCode))
	b.WriteString(`PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],`)
	if axes {
		b.WriteString(`AXIS["Latitude",NORTH],AXIS["Longitude",EAST],`)
	}
	b.WriteString(authority(g.code) + "]")
}

// WKT returns the system's OGC WKT1 exactly as GDAL writes it (gdalsrsinfo -o wkt1
// --single-line, and so in a GeoPackage's gpkg_spatial_ref_sys): EPSG's names and
// axis order, which for EPSG:4326 and EPSG:3035 is not this package's x, y order.
func (c CRS) WKT() string {
	d := c.d
	if d == nil {
		return ""
	}
	var b strings.Builder
	b.Grow(700)
	if d.wkt == nil {
		d.geog.write(&b, true)
		return b.String()
	}
	fmt.Fprintf(&b, `PROJCS["%s",`, d.name)
	d.geog.write(&b, false)
	fmt.Fprintf(&b, `,PROJECTION["%s"]`, d.wkt.projection)
	for _, p := range d.wkt.params {
		fmt.Fprintf(&b, `,PARAMETER["%s",%s]`, p[0], p[1])
	}
	b.WriteString(`,UNIT["metre",1,AUTHORITY["EPSG","9001"]],`)
	if d.wkt.northingFirst {
		b.WriteString(`AXIS["Northing",NORTH],AXIS["Easting",EAST],`)
	} else {
		b.WriteString(`AXIS["Easting",EAST],AXIS["Northing",NORTH],`)
	}
	if d.wkt.extension != "" {
		b.WriteString(`EXTENSION["PROJ4","` + d.wkt.extension + `"],`)
	}
	b.WriteString(authority(d.code) + "]")
	return b.String()
}

const tmDomain = "within 30° of longitude of the zone's central meridian"

// utm defines a UTM zone: code, name prefix ("WGS 84"), its GEOGCS and ellipsoid.
func utm(code int, prefix string, g *geogcs, el *ellipsoid, zone int, south bool) *def {
	cm := 6*zone - 183
	fn, hemi := 0.0, "N"
	if south {
		fn, hemi = 10000000, "S"
	}
	name := fmt.Sprintf("%s / UTM zone %d%s", prefix, zone, hemi)
	if code == 25838 { // EPSG has deprecated it, and GDAL's name says so
		name += " (deprecated)"
	}
	return &def{
		code: code, name: name, geog: g,
		proj: newTmerc(el, 0, float64(cm), 0.9996, 500000, fn),
		wkt: &wktProj{projection: "Transverse_Mercator", params: [][2]string{
			{"latitude_of_origin", "0"},
			{"central_meridian", strconv.Itoa(cm)},
			{"scale_factor", "0.9996"},
			{"false_easting", "500000"},
			{"false_northing", strconv.FormatFloat(fn, 'f', -1, 64)},
		}},
		method: "Transverse Mercator (UTM)",
		domain: tmDomain,
	}
}

// table is every supported system, in the order of SUPPORTED.md.
var table = func() []*def {
	t := []*def{{
		code: 4326, name: "WGS 84", geog: gcsWGS84,
		method: "geographic (x = longitude, y = latitude)",
		domain: "latitude -90° to 90°, any longitude",
	}, {
		code: 3857, name: "WGS 84 / Pseudo-Mercator", geog: gcsWGS84,
		proj: webMercator{a: 6378137},
		wkt: &wktProj{projection: "Mercator_1SP", params: [][2]string{
			{"central_meridian", "0"}, {"scale_factor", "1"}, {"false_easting", "0"}, {"false_northing", "0"},
		}, extension: "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"},
		method:  "Popular Visualisation Pseudo-Mercator",
		domain:  "latitude strictly between -90° and 90°, any longitude",
		aliases: []int{102100, 102113, 900913},
	}}
	for z := 1; z <= 60; z++ {
		t = append(t, utm(32600+z, "WGS 84", gcsWGS84, wgs84, z, false))
	}
	for z := 1; z <= 60; z++ {
		t = append(t, utm(32700+z, "WGS 84", gcsWGS84, wgs84, z, true))
	}
	for z := 28; z <= 38; z++ {
		t = append(t, utm(25800+z, "ETRS89", gcsETRS89, grs80, z, false))
	}
	for z := 1; z <= 23; z++ {
		d := utm(26900+z, "NAD83", gcsNAD83, grs80, z, false)
		d.shift = nad83UTM(z)
		t = append(t, d)
	}
	t = append(t, &def{
		code: 2056, name: "CH1903+ / LV95", geog: gcsCH1903p, shift: shiftCH1903p,
		proj: newSomerc(bessel, 46.9524055555556, 7.43958333333333, 1, 2600000, 1200000),
		wkt: &wktProj{projection: "Hotine_Oblique_Mercator_Azimuth_Center", params: [][2]string{
			{"latitude_of_center", "46.9524055555556"}, {"longitude_of_center", "7.43958333333333"},
			{"azimuth", "90"}, {"rectified_grid_angle", "90"}, {"scale_factor", "1"},
			{"false_easting", "2600000"}, {"false_northing", "1200000"},
		}},
		method: "Swiss oblique Mercator",
		domain: "within 30° of latitude and of longitude of 46.95°N 7.44°E",
	}, &def{
		code: 27700, name: "OSGB36 / British National Grid", geog: gcsOSGB36, shift: shiftOSGB36,
		proj: newTmerc(airy, 49, -2, 0.9996012717, 400000, -100000),
		wkt: &wktProj{projection: "Transverse_Mercator", params: [][2]string{
			{"latitude_of_origin", "49"}, {"central_meridian", "-2"}, {"scale_factor", "0.9996012717"},
			{"false_easting", "400000"}, {"false_northing", "-100000"},
		}},
		method: "Transverse Mercator",
		domain: "within 30° of longitude of 2°W",
	}, &def{
		code: 2154, name: "RGF93 v1 / Lambert-93", geog: gcsRGF93,
		proj: newLCC(grs80, 46.5, 3, 49, 44, 700000, 6600000),
		wkt: &wktProj{projection: "Lambert_Conformal_Conic_2SP", params: [][2]string{
			{"latitude_of_origin", "46.5"}, {"central_meridian", "3"},
			{"standard_parallel_1", "49"}, {"standard_parallel_2", "44"},
			{"false_easting", "700000"}, {"false_northing", "6600000"},
		}},
		method: "Lambert conformal conic (2SP)",
		domain: "northern hemisphere within 60° of longitude of 3°E",
	}, &def{
		code: 3035, name: "ETRS89-extended / LAEA Europe", geog: gcsETRS89,
		proj: newLAEA(grs80, 52, 10, 4321000, 3210000),
		wkt: &wktProj{projection: "Lambert_Azimuthal_Equal_Area", params: [][2]string{
			{"latitude_of_center", "52"}, {"longitude_of_center", "10"},
			{"false_easting", "4321000"}, {"false_northing", "3210000"},
		}, northingFirst: true},
		method: "Lambert azimuthal equal area",
		domain: "within 90° of 52°N 10°E",
	})
	return t
}()

// byCode finds a system by its code or an alias.
var byCode = func() map[int]*def {
	m := make(map[int]*def, len(table)+3)
	for _, d := range table {
		m[d.code] = d
		for _, a := range d.aliases {
			m[a] = d
		}
	}
	return m
}()
