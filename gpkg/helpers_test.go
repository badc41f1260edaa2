package gpkg

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The tests' own minimal GeoPackageBinary encoder; the product takes blobs
// from the geometry package.

// ring is a closed ring of x,y points.
type ring [][2]float64

// rect returns the closed ring of a box, counter-clockwise: 5 vertices.
func rect(minX, minY, maxX, maxY float64) ring {
	return ring{{minX, minY}, {maxX, minY}, {maxX, maxY}, {minX, maxY}, {minX, minY}}
}

func (r ring) envelope() Envelope {
	e := Envelope{MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}
	for _, p := range r {
		e.MinX, e.MaxX = math.Min(e.MinX, p[0]), math.Max(e.MaxX, p[0])
		e.MinY, e.MaxY = math.Min(e.MinY, p[1]), math.Max(e.MaxY, p[1])
	}
	return e
}

// gpbOptions choose the encoding's variants.
type gpbOptions struct {
	bigEndian  bool // header and WKB byte order
	noEnvelope bool // envelope indicator 0
}

// byteOrder is binary.LittleEndian or binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// wkbPolygonBytes encodes a one-ring polygon as WKB.
func wkbPolygonBytes(order byteOrder, r ring) []byte {
	b := []byte{1}
	if order == byteOrder(binary.BigEndian) {
		b[0] = 0
	}
	b = order.AppendUint32(b, wkbPolygon)
	b = order.AppendUint32(b, 1)
	b = order.AppendUint32(b, uint32(len(r)))
	for _, p := range r {
		b = order.AppendUint64(b, math.Float64bits(p[0]))
		b = order.AppendUint64(b, math.Float64bits(p[1]))
	}
	return b
}

// gpbHeader encodes a GeoPackageBinary header with an optional envelope.
func gpbHeader(order byteOrder, srsID int32, e *Envelope) []byte {
	flags := byte(0)
	if order == byteOrder(binary.LittleEndian) {
		flags |= 1
	}
	if e != nil {
		flags |= 1 << 1
	}
	b := []byte{'G', 'P', 0, flags}
	b = order.AppendUint32(b, uint32(srsID))
	if e != nil {
		for _, v := range []float64{e.MinX, e.MaxX, e.MinY, e.MaxY} {
			b = order.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

// gpbPolygon encodes a one-ring polygon as GeoPackageBinary.
func gpbPolygon(srsID int32, r ring, o gpbOptions) []byte {
	var order byteOrder = binary.LittleEndian
	if o.bigEndian {
		order = binary.BigEndian
	}
	var env *Envelope
	if !o.noEnvelope {
		e := r.envelope()
		env = &e
	}
	return append(gpbHeader(order, srsID, env), wkbPolygonBytes(order, r)...)
}

// gpbMultiPolygon encodes polygons of one ring each as a MULTIPOLYGON.
func gpbMultiPolygon(srsID int32, rings ...ring) []byte {
	order := binary.LittleEndian
	e := rings[0].envelope()
	for _, r := range rings[1:] {
		e = e.extend(r.envelope())
	}
	b := gpbHeader(order, srsID, &e)
	b = append(b, 1)
	b = order.AppendUint32(b, wkbMultiPolygon)
	b = order.AppendUint32(b, uint32(len(rings)))
	for _, r := range rings {
		b = append(b, wkbPolygonBytes(order, r)...)
	}
	return b
}

// utm32 is EPSG:32632 as GDAL 3.6 writes it in gpkg_spatial_ref_sys.
var utm32 = SRS{
	ID: 32632, Organization: "EPSG", OrganizationID: 32632,
	Definition: `PROJCS["WGS 84 / UTM zone 32N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",9],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","32632"]]`,
}

// fixedNow is the tests' clock.
func fixedNow() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC) }

// tileLayer is a GTI layer like the one `mosaic export --format gti`
// writes: the location plus one field of each type.
func tileLayer() Layer {
	return Layer{
		Name:         "tiles",
		SRS:          utm32,
		GeometryType: "POLYGON",
		Fields: []Field{
			{Name: "location", Type: Text},
			{Name: "Name", Type: Text},
			{Name: "OBJECTID", Type: Integer},
			{Name: "CloudCover", Type: Real},
			{Name: "AcquisitionDate", Type: Date},
			{Name: "Added", Type: DateTime},
		},
		Metadata: map[string]string{
			"RESX": "10", "RESY": "10", "BAND_COUNT": "4", "DATA_TYPE": "UInt16",
			"NODATA": "0", "SORT_FIELD": "AcquisitionDate", "SORT_FIELD_ASC": "YES",
		},
	}
}

// tile returns feature i of a test grid: a 1 km square in UTM 32N and its
// attributes for tileLayer.
func tile(i int) (ring, []any) {
	x, y := 420000+float64(i%100)*1000, 4480000-float64(i/100)*1000
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365)
	return rect(x, y-1000, x+1000, y), []any{
		filepath.Join("/data/s2", "T32TMK_"+strconv.Itoa(i)+".tif"),
		"T32TMK_" + strconv.Itoa(i),
		int64(i + 1),
		float64(i%100) + 0.5,
		day,
		day.Add(10*time.Hour + 30*time.Minute),
	}
}

// writeTiles writes n features of tileLayer to a new file in a temporary
// folder and returns its path.
func writeTiles(t testing.TB, n int, opt Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiles.gti.gpkg")
	writeTilesTo(t, path, tileLayer(), n, opt)
	return path
}

func writeTilesTo(t testing.TB, path string, l Layer, n int, opt Options) {
	t.Helper()
	if opt.Now == nil {
		opt.Now = fixedNow
	}
	w, err := Create(path, l, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for i := range n {
		r, vals := tile(i)
		for len(vals) < len(l.Fields) {
			vals = append(vals, nil) // fields beyond tileLayer's
		}
		if err := w.Add(gpbPolygon(l.SRS.ID, r, gpbOptions{}), r.envelope(), vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// mustOpen opens a GeoPackage for reading and closes it at the end of the
// test.
func mustOpen(t testing.TB, path string) *Reader {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// allFeatures reads every feature of a layer.
func allFeatures(t testing.TB, r *Reader, layer string) []Feature {
	t.Helper()
	var fs []Feature
	err := r.Features(context.Background(), layer, func(f Feature) error {
		fs = append(fs, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// snapshot returns the names and contents of the files in dir.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = string(b)
	}
	return m
}
