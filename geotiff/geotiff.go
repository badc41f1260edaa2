// Package geotiff reads the georeferencing of GeoTIFF files from their headers: image
// size, bands, pixel type, geotransform and EPSG code, enough for a catalog to register
// the file without GDAL.
//
// It reads only the first IFD and the tag values it needs, never pixels. It opens files
// read-only and must never write, move or delete them. Its input is untrusted: it must
// never panic, never read past the size it is given, and never allocate in proportion
// to a count that the file could not hold.
package geotiff

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Errors that Read and ReadFile wrap; test with errors.Is.
var (
	ErrNotTIFF          = errors.New("not a TIFF file")
	ErrTruncated        = errors.New("truncated TIFF file")
	ErrNotGeoreferenced = errors.New("no georeferencing (no ModelTiepoint+ModelPixelScale or ModelTransformation)")
	ErrUnsupported      = errors.New("unsupported TIFF file")
)

// Info is what a GeoTIFF's header says about its first (full-resolution) image.
type Info struct {
	Width, Height int
	BandCount     int    // SamplesPerPixel
	PixelType     string // ArcGIS pixel type: U1, U2, U4, U8, S8, U16, S16, U32, S32, F32, F64, C64, C128

	// GeoTransform is in GDAL's order: originX, pixelW, rowRot, originY, colRot, pixelH,
	// with the origin at the outer corner of the first pixel. A PixelIsPoint file's origin
	// is already shifted by half a pixel up and left, as GDAL does by default.
	GeoTransform [6]float64

	EPSG         int // 0 when the GeoKeys give no EPSG code (user-defined or missing)
	BigTIFF      bool
	BigEndian    bool
	Tiled        bool
	PixelIsPoint bool
}

// Corners returns the four corners (upper-left, upper-right, lower-right, lower-left) in
// map units, as gdalinfo's cornerCoordinates.
func (i *Info) Corners() [4][2]float64 {
	w, h := float64(i.Width), float64(i.Height)
	return [4][2]float64{i.apply(0, 0), i.apply(w, 0), i.apply(w, h), i.apply(0, h)}
}

// apply maps a pixel/line position to map coordinates, computed as GDALApplyGeoTransform
// does so that the results match gdalinfo's to the last bit.
func (i *Info) apply(pixel, line float64) [2]float64 {
	g := &i.GeoTransform
	return [2]float64{g[0] + pixel*g[1] + line*g[2], g[3] + pixel*g[4] + line*g[5]}
}

// Bounds returns xmin, ymin, xmax, ymax of the corners.
func (i *Info) Bounds() (xmin, ymin, xmax, ymax float64) {
	c := i.Corners()
	xmin, ymin, xmax, ymax = c[0][0], c[0][1], c[0][0], c[0][1]
	for _, p := range c[1:] {
		xmin, xmax = math.Min(xmin, p[0]), math.Max(xmax, p[0])
		ymin, ymax = math.Min(ymin, p[1]), math.Max(ymax, p[1])
	}
	return xmin, ymin, xmax, ymax
}

// CellSize returns the pixel size in x and y: positive, and for a rotated raster the
// lengths of the pixel's sides.
func (i *Info) CellSize() (x, y float64) {
	g := &i.GeoTransform
	return math.Hypot(g[1], g[4]), math.Hypot(g[2], g[5])
}

// ReadFile reads the header of the GeoTIFF at path. It opens the file read-only and
// never writes to it. Errors name the path; a missing file gives an error for which
// errors.Is(err, fs.ErrNotExist) holds.
func ReadFile(path string) (*Info, error) {
	// Stat before opening: opening a FIFO read-only would block until a writer comes.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err // an *fs.PathError, which names the path
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file: %w", path, ErrNotTIFF)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The size from the open file, not the earlier Stat, in case it changed between.
	st, err = f.Stat()
	if err != nil {
		return nil, err
	}
	info, err := Read(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

// Read reads the header of the GeoTIFF held in the first size bytes of r. It reads
// nothing outside [0, size).
func Read(r io.ReaderAt, size int64) (*Info, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative size %d: %w", size, ErrNotTIFF)
	}
	t := &tiff{r: r, size: uint64(size)}
	ifd, err := t.header()
	if err != nil {
		return nil, err
	}
	tags, err := t.readIFD(ifd)
	if err != nil {
		return nil, err
	}
	info := &Info{BigTIFF: t.big, BigEndian: t.bigEndian}
	if err := t.image(tags, info); err != nil {
		return nil, err
	}
	keys, err := t.geoKeys(tags)
	if err != nil {
		return nil, err
	}
	info.EPSG = keys.epsg()
	info.PixelIsPoint = keys.pixelIsPoint()
	if err := t.georef(tags, info); err != nil {
		return nil, err
	}
	return info, nil
}

// image fills in the size, band count, pixel type and layout.
func (t *tiff) image(tags map[uint16]entry, info *Info) error {
	var err error
	if info.Width, err = t.dimension(tags, tagImageWidth); err != nil {
		return err
	}
	if info.Height, err = t.dimension(tags, tagImageLength); err != nil {
		return err
	}
	spp, err := t.uintDefault(tags, tagSamplesPerPixel, 1)
	if err != nil {
		return err
	}
	if spp == 0 {
		return fmt.Errorf("SamplesPerPixel is 0: %w", ErrUnsupported)
	}
	info.BandCount = int(spp) // at most 65535: uintDefault checks the range of a SHORT
	bits, err := t.perSample(tags, tagBitsPerSample, 1)
	if err != nil {
		return err
	}
	format, err := t.perSample(tags, tagSampleFormat, sampleFormatUint)
	if err != nil {
		return err
	}
	if info.PixelType, err = pixelType(bits, format); err != nil {
		return err
	}
	_, info.Tiled = tags[tagTileWidth]
	return nil
}

// dimension reads ImageWidth or ImageLength, which must be there and positive.
func (t *tiff) dimension(tags map[uint16]entry, tag uint16) (int, error) {
	e, ok := tags[tag]
	if !ok {
		return 0, fmt.Errorf("no %s tag: %w", tagName(tag), ErrUnsupported)
	}
	v, err := t.uint(e)
	if err != nil {
		return 0, err
	}
	if v == 0 || v > math.MaxInt32 {
		return 0, fmt.Errorf("%s is %d: %w", tagName(tag), v, ErrUnsupported)
	}
	return int(v), nil
}

// Values of SampleFormat.
const (
	sampleFormatUint          = 1
	sampleFormatInt           = 2
	sampleFormatIEEEFP        = 3
	sampleFormatVoid          = 4 // undefined: read as unsigned, as libtiff and GDAL do
	sampleFormatComplexInt    = 5
	sampleFormatComplexIEEEFP = 6
)

// pixelType names the ArcGIS pixel type of samples of the given bits and SampleFormat.
// Odd bit depths are promoted to the type GDAL reads them as (12-bit to U16, 16- and
// 24-bit floats to F32). Types that ArcGIS has no name for are unsupported.
func pixelType(bits, format uint64) (string, error) {
	unsupported := func() (string, error) {
		return "", fmt.Errorf("%d-bit samples of SampleFormat %d: %w", bits, format, ErrUnsupported)
	}
	switch format {
	case sampleFormatUint, sampleFormatVoid, sampleFormatInt:
		signed := format == sampleFormatInt
		switch {
		case bits == 0:
			return unsupported()
		case bits == 8 && signed:
			return "S8", nil
		case bits == 1 || bits == 2 || bits == 4:
			return fmt.Sprintf("U%d", bits), nil // GDAL reads signed ones as unsigned too
		case bits <= 8:
			return "U8", nil
		case bits <= 16 && signed:
			return "S16", nil
		case bits <= 16:
			return "U16", nil
		case bits <= 32 && signed:
			return "S32", nil
		case bits <= 32:
			return "U32", nil
		}
	case sampleFormatIEEEFP:
		switch bits {
		case 16, 24, 32:
			return "F32", nil
		case 64:
			return "F64", nil
		}
	case sampleFormatComplexIEEEFP:
		switch bits {
		case 64:
			return "C64", nil
		case 128:
			return "C128", nil
		}
	}
	return unsupported()
}

// georef computes the geotransform as GDAL does: ModelPixelScale with ModelTiepoint
// first, else ModelTransformation; then the PixelIsPoint shift.
func (t *tiff) georef(tags map[uint16]entry, info *Info) error {
	scale, err := t.floatsIfAny(tags, tagModelPixelScale, 3)
	if err != nil {
		return err
	}
	tie, err := t.floatsIfAny(tags, tagModelTiepoint, 6)
	if err != nil {
		return err
	}
	g := &info.GeoTransform
	switch {
	case len(scale) >= 2 && scale[0] != 0 && scale[1] != 0:
		// The first tiepoint is used however many there are. A negative Y scale is
		// taken to mean north-up, as GDAL does by default (GTIFF_HONOUR_NEGATIVE_SCALEY),
		// contrary to the GeoTIFF specification.
		if len(tie) < 6 {
			return fmt.Errorf("ModelPixelScale without a ModelTiepoint: %w", ErrNotGeoreferenced)
		}
		g[1], g[2], g[4], g[5] = scale[0], 0, 0, -math.Abs(scale[1])
		g[0] = tie[3] - tie[0]*g[1]
		g[3] = tie[4] - tie[1]*g[5]
	default:
		e, ok := tags[tagModelTransformation]
		if !ok || e.count != 16 { // GDAL ignores a matrix of any other length
			if len(tie) >= 6 {
				return fmt.Errorf("tiepoints without a pixel scale are ground control points, which are not supported: %w", ErrNotGeoreferenced)
			}
			return ErrNotGeoreferenced
		}
		m, err := t.floats(e, 16)
		if err != nil {
			return err
		}
		*g = [6]float64{m[3], m[0], m[1], m[7], m[4], m[5]}
	}
	if info.PixelIsPoint {
		g[0] -= g[1]*0.5 + g[2]*0.5
		g[3] -= g[4]*0.5 + g[5]*0.5
	}
	// A catalog cannot store a footprint at infinity, nor index one of no area.
	finite := append([]float64(nil), g[:]...)
	for _, c := range info.Corners() {
		finite = append(finite, c[0], c[1])
	}
	cx, cy := info.CellSize()
	for _, v := range append(finite, cx, cy) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("geotransform %v gives coordinates that are not finite: %w", *g, ErrNotGeoreferenced)
		}
	}
	if g[1]*g[5]-g[2]*g[4] == 0 {
		return fmt.Errorf("geotransform %v maps the raster onto a line or a point: %w", *g, ErrNotGeoreferenced)
	}
	// Nor one that no coordinate system has: a tiepoint at 1e308 gives
	// corners that are all the same float64 (a footprint of no area) and a
	// boundary at 1e308.
	for _, v := range finite[6:] {
		if math.Abs(v) > MaxCoordinate {
			return fmt.Errorf("geotransform %v puts the raster at %g map units, beyond the %g of any coordinate system: %w", *g, v, MaxCoordinate, ErrNotGeoreferenced)
		}
	}
	xmin, ymin, xmax, ymax := info.Bounds()
	want := float64(info.Width) * float64(info.Height) * math.Abs(g[1]*g[5]-g[2]*g[4])
	if !(xmax > xmin && ymax > ymin) || math.Abs((xmax-xmin)*(ymax-ymin)-want) > want*1e-6 && !rotated(g) {
		return fmt.Errorf("geotransform %v: at that position the raster's corners cannot be told apart in float64: %w", *g, ErrNotGeoreferenced)
	}
	return nil
}

// MaxCoordinate bounds the map coordinates of a raster's corners: a billion
// map units, 25 times the Earth's circumference in metres and 8 times in
// US survey feet, beyond every real coordinate system.
const MaxCoordinate = 1e9

// rotated reports whether a geotransform turns the raster, so that its
// bounds are larger than its area.
func rotated(g *[6]float64) bool { return g[2] != 0 || g[4] != 0 }
