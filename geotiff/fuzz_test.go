package geotiff_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"testing"

	"mosaic/geotiff"
)

// boundedReader serves data and records any read that reaches outside [0, size).
type boundedReader struct {
	data    []byte
	size    int64
	outside error
}

func (r *boundedReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > r.size || int64(len(p)) > r.size-off {
		r.outside = fmt.Errorf("ReadAt(%d bytes, offset %d) outside [0, %d)", len(p), off, r.size)
	}
	if off < 0 || off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	n := copy(p, r.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// FuzzRead feeds Read arbitrary bytes: it must not panic, must read only inside the size
// it is given, must fail with one of the package's errors, and what it accepts must be a
// footprint a catalog can store.
func FuzzRead(f *testing.F) {
	for _, path := range allFixtures(f) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	le, be := binary.LittleEndian, binary.BigEndian
	f.Add(build(le, false, geographic(le)))
	f.Add(build(be, true, geographic(be)))
	f.Add(build(le, false, geographic(le, field{tag: 258, typ: 3, data: shorts(le, 8, 8, 8)},
		field{tag: 277, typ: 3, data: shorts(le, 3)}, field{tag: 339, typ: 3, data: shorts(le, 2, 2, 2)})))

	f.Fuzz(func(t *testing.T, data []byte) {
		// The whole input, and its first half passed off as the whole file.
		for _, size := range []int64{int64(len(data)), int64(len(data) / 2)} {
			r := &boundedReader{data: data, size: size}
			info, err := geotiff.Read(r, size)
			if r.outside != nil {
				t.Fatal(r.outside)
			}
			if err != nil {
				if !errors.Is(err, geotiff.ErrNotTIFF) && !errors.Is(err, geotiff.ErrTruncated) &&
					!errors.Is(err, geotiff.ErrNotGeoreferenced) && !errors.Is(err, geotiff.ErrUnsupported) {
					t.Fatalf("error of no known kind: %v", err)
				}
				continue
			}
			checkInfo(t, info)
		}
	})
}

func checkInfo(t *testing.T, info *geotiff.Info) {
	t.Helper()
	if info.Width <= 0 || info.Height <= 0 || info.BandCount <= 0 || info.PixelType == "" {
		t.Fatalf("accepted %+v", info)
	}
	if info.EPSG < 0 || info.EPSG >= 32767 {
		t.Fatalf("EPSG %d", info.EPSG)
	}
	xmin, ymin, xmax, ymax := info.Bounds()
	cx, cy := info.CellSize()
	for _, v := range []float64{xmin, ymin, xmax, ymax, cx, cy} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("accepted %+v with bounds %v %v %v %v and cell size %v %v", info, xmin, ymin, xmax, ymax, cx, cy)
		}
	}
	if xmin > xmax || ymin > ymax || cx < 0 || cy < 0 {
		t.Fatalf("bounds %v %v %v %v, cell size %v %v", xmin, ymin, xmax, ymax, cx, cy)
	}
}
