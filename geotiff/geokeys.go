package geotiff

import (
	"fmt"
	"math"
)

// GeoKeys read from the GeoKeyDirectory; all are SHORT-valued.
const (
	keyGTModelType     = 1024
	keyGTRasterType    = 1025
	keyGeographicType  = 2048
	keyProjectedCSType = 3072
)

// Values of the GeoKeys above.
const (
	modelTypeProjected  = 1
	modelTypeGeographic = 2
	rasterPixelIsPoint  = 2
	userDefined         = 32767
)

// geoKeys holds the SHORT values of the keys of a GeoKeyDirectory.
type geoKeys map[uint16]uint16

// geoKeys reads the GeoKeyDirectory, if there is one. Values kept in GeoDoubleParams or
// GeoAsciiParams are skipped: none of the keys Read uses lives there.
func (t *tiff) geoKeys(tags map[uint16]entry) (geoKeys, error) {
	e, ok := tags[tagGeoKeyDirectory]
	if !ok {
		return nil, nil
	}
	// A 4-value header, then 4 values per key; the number of keys is a SHORT.
	d, err := t.uints(e, 4+4*math.MaxUint16)
	if err != nil {
		return nil, err
	}
	if len(d) < 4 {
		return nil, fmt.Errorf("GeoKeyDirectory has %d values, fewer than its header's 4: %w", len(d), ErrUnsupported)
	}
	if d[0] != 1 {
		return nil, fmt.Errorf("GeoKeyDirectory version %d: %w", d[0], ErrUnsupported)
	}
	n := d[3]
	if 4+4*n > uint64(len(d)) {
		return nil, fmt.Errorf("GeoKeyDirectory lists %d keys but holds %d values: %w", n, len(d), ErrUnsupported)
	}
	keys := make(geoKeys, n)
	for i := uint64(0); i < n; i++ {
		k := d[4+4*i : 8+4*i]
		id, location, value := uint16(k[0]), k[1], k[3]
		if _, dup := keys[id]; dup {
			continue
		}
		switch location {
		case 0: // the value itself
			keys[id] = uint16(value)
		case tagGeoKeyDirectory: // an index into the directory's own values
			if value < uint64(len(d)) {
				keys[id] = uint16(d[value])
			}
		}
	}
	return keys, nil
}

// epsg returns the EPSG code of the CRS, or 0 if the keys give none, following GDAL:
// the model type says which key to read, and a missing model type with a projected CRS
// code counts as projected (GDAL ticket #3019).
func (k geoKeys) epsg() int {
	model, ok := k[keyGTModelType]
	pcs, hasPCS := k[keyProjectedCSType]
	if (!ok || model == userDefined) && hasPCS && pcs != userDefined {
		model = modelTypeProjected
	}
	switch model {
	case modelTypeProjected:
		return code(k[keyProjectedCSType])
	case modelTypeGeographic:
		return code(k[keyGeographicType])
	}
	return 0
}

// code turns a CRS GeoKey value into an EPSG code: 0 is undefined and 32767 user-defined.
func code(v uint16) int {
	if v >= 1 && v < userDefined {
		return int(v)
	}
	return 0
}

// pixelIsPoint reports whether RasterType is PixelIsPoint.
func (k geoKeys) pixelIsPoint() bool {
	return k[keyGTRasterType] == rasterPixelIsPoint
}
