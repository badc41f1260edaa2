package geotiff_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"runtime"
	"testing"

	"mosaic/geotiff"
)

// The cases GDAL will not write: hand-made TIFFs from a small builder.

// order is a byte order that can also append, as binary.LittleEndian and BigEndian can.
type order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// field is one IFD entry to build; data is already in the file's byte order.
type field struct {
	tag, typ uint16
	count    uint64 // 0: len(data) / the type's size
	data     []byte
}

var sizes = map[uint16]int{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8}

// build lays out a TIFF: the header, the IFD right after it, then values that do not fit
// in their entries.
func build(bo order, big bool, fields []field) []byte {
	var out bytes.Buffer
	mark := "II"
	if bo.String() == binary.BigEndian.String() {
		mark = "MM"
	}
	out.WriteString(mark)
	countSize, entrySize, valueSize, ifd := 2, 12, 4, 8
	if big {
		countSize, entrySize, valueSize, ifd = 8, 20, 8, 16
		out.Write(bo.AppendUint16(nil, 43))
		out.Write(bo.AppendUint16(nil, 8))
		out.Write(bo.AppendUint16(nil, 0))
		out.Write(bo.AppendUint64(nil, uint64(ifd)))
	} else {
		out.Write(bo.AppendUint16(nil, 42))
		out.Write(bo.AppendUint32(nil, uint32(ifd)))
	}
	extra := ifd + countSize + len(fields)*entrySize + valueSize // entries, next-IFD offset
	var values bytes.Buffer
	if big {
		out.Write(bo.AppendUint64(nil, uint64(len(fields))))
	} else {
		out.Write(bo.AppendUint16(nil, uint16(len(fields))))
	}
	for _, f := range fields {
		count := f.count
		if count == 0 && sizes[f.typ] > 0 {
			count = uint64(len(f.data) / sizes[f.typ])
		}
		out.Write(bo.AppendUint16(nil, f.tag))
		out.Write(bo.AppendUint16(nil, f.typ))
		if big {
			out.Write(bo.AppendUint64(nil, count))
		} else {
			out.Write(bo.AppendUint32(nil, uint32(count)))
		}
		v := make([]byte, valueSize)
		if len(f.data) <= valueSize {
			copy(v, f.data)
		} else {
			off := uint64(extra + values.Len())
			if big {
				bo.PutUint64(v, off)
			} else {
				bo.PutUint32(v, uint32(off))
			}
			values.Write(f.data)
		}
		out.Write(v)
	}
	out.Write(make([]byte, valueSize)) // no next IFD
	out.Write(values.Bytes())
	return out.Bytes()
}

func shorts(bo order, v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = bo.AppendUint16(b, x)
	}
	return b
}

func doubles(bo order, v ...float64) []byte {
	var b []byte
	for _, x := range v {
		b = bo.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// geographic returns the fields of a 10x5 EPSG:4326 image of 1-bit samples, the
// defaults when BitsPerSample and SampleFormat are absent, and then extra.
func geographic(bo order, extra ...field) []field {
	return append([]field{
		{tag: 256, typ: 3, data: shorts(bo, 10)},
		{tag: 257, typ: 3, data: shorts(bo, 5)},
		{tag: 33550, typ: 12, data: doubles(bo, 2, 3, 0)},
		{tag: 33922, typ: 12, data: doubles(bo, 0, 0, 0, 100, 200, 0)},
		{tag: 34735, typ: 3, data: shorts(bo, 1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326)},
	}, extra...)
}

// replace returns fields with the field of tag f.tag replaced by f (or dropped if f.typ is 0).
func replace(fields []field, f field) []field {
	var out []field
	for _, g := range fields {
		if g.tag != f.tag {
			out = append(out, g)
		} else if f.typ != 0 {
			out = append(out, f)
		}
	}
	return out
}

func read(b []byte) (*geotiff.Info, error) {
	return geotiff.Read(bytes.NewReader(b), int64(len(b)))
}

func TestRead(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	base := geographic(le)
	wantBase := geotiff.Info{Width: 10, Height: 5, BandCount: 1, PixelType: "U1",
		GeoTransform: [6]float64{100, 2, 0, 200, 0, -3}, EPSG: 4326}
	geoKeys := func(bo order, keys ...uint16) field {
		d := append([]uint16{1, 1, 0, uint16(len(keys) / 4)}, keys...)
		return field{tag: 34735, typ: 3, data: shorts(bo, d...)}
	}
	for _, tc := range []struct {
		name string
		file []byte
		want geotiff.Info
	}{
		{"Defaults", build(le, false, base), wantBase},
		{"BigEndianBigTIFFLong8", build(be, true, replace(geographic(be),
			field{tag: 256, typ: 16, data: be.AppendUint64(nil, 10)})),
			geotiff.Info{Width: 10, Height: 5, BandCount: 1, PixelType: "U1",
				GeoTransform: [6]float64{100, 2, 0, 200, 0, -3}, EPSG: 4326, BigTIFF: true, BigEndian: true}},
		{"NegativeScaleYIsNorthUp", build(le, false, replace(base,
			field{tag: 33550, typ: 12, data: doubles(le, 2, -3, 0)})), wantBase},
		{"TiepointInsideTheRaster", build(le, false, replace(base,
			field{tag: 33922, typ: 12, data: doubles(le, 5, 4, 0, 110, 188, 0, 9, 9, 0, 1, 1, 0)})), wantBase},
		{"FloatTags", build(le, false, replace(base,
			field{tag: 33550, typ: 11, data: le.AppendUint32(le.AppendUint32(nil, math.Float32bits(2)), math.Float32bits(3))})), wantBase},
		{"DuplicateTagFirstWins", build(le, false, append(base, field{tag: 256, typ: 3, data: shorts(le, 99)})), wantBase},
		{"ScaleWinsOverMatrix", build(le, false, append(base,
			field{tag: 34264, typ: 12, data: doubles(le, 1, 0, 0, 7, 0, -1, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1)})), wantBase},
		{"ZeroScaleFallsBackToMatrix", build(le, false, append(replace(base,
			field{tag: 33550, typ: 12, data: doubles(le, 0, 0, 0)}),
			field{tag: 34264, typ: 12, data: doubles(le, 2, 0, 0, 100, 0, -3, 0, 200, 0, 0, 0, 0, 0, 0, 0, 1)})), wantBase},
		{"PixelIsPointMatrix", build(le, false, []field{base[0], base[1],
			{tag: 34264, typ: 12, data: doubles(le, 2, 1, 0, 101.5, 1, -3, 0, 199, 0, 0, 0, 0, 0, 0, 0, 1)},
			geoKeys(le, 1024, 0, 1, 2, 1025, 0, 1, 2, 2048, 0, 1, 4326)}),
			geotiff.Info{Width: 10, Height: 5, BandCount: 1, PixelType: "U1", PixelIsPoint: true,
				GeoTransform: [6]float64{100, 2, 1, 200, 1, -3}, EPSG: 4326}},
		{"ModelTypeMissingWithPCS", build(le, false, replace(base, geoKeys(le, 3072, 0, 1, 32633))),
			geotiff.Info{Width: 10, Height: 5, BandCount: 1, PixelType: "U1",
				GeoTransform: [6]float64{100, 2, 0, 200, 0, -3}, EPSG: 32633}},
		{"ModelTypeMissingWithGCSOnlyIsLocal", build(le, false, replace(base, geoKeys(le, 2048, 0, 1, 4326))),
			geotiff.Info{Width: 10, Height: 5, BandCount: 1, PixelType: "U1",
				GeoTransform: [6]float64{100, 2, 0, 200, 0, -3}}},
		{"UserDefinedPCSDoesNotFallBackToGCS", build(le, false, replace(base,
			geoKeys(le, 1024, 0, 1, 1, 2048, 0, 1, 4326, 3072, 0, 1, 32767))),
			geotiff.Info{Width: 10, Height: 5, BandCount: 1, PixelType: "U1",
				GeoTransform: [6]float64{100, 2, 0, 200, 0, -3}}},
		{"KeyValueInTheDirectory", build(le, false, replace(base,
			geoKeys(le, 1024, 0, 1, 2, 2048, 34735, 1, 12, 4326))),
			wantBase},
		{"TwelveBitIsU16", build(le, false, append(base, field{tag: 258, typ: 3, data: shorts(le, 12)})),
			geotiff.Info{Width: 10, Height: 5, BandCount: 1, PixelType: "U16",
				GeoTransform: [6]float64{100, 2, 0, 200, 0, -3}, EPSG: 4326}},
		{"HalfFloatIsF32", build(le, false, append(base,
			field{tag: 258, typ: 3, data: shorts(le, 16, 16)},
			field{tag: 277, typ: 3, data: shorts(le, 2)},
			field{tag: 339, typ: 3, data: shorts(le, 3, 3)})),
			geotiff.Info{Width: 10, Height: 5, BandCount: 2, PixelType: "F32",
				GeoTransform: [6]float64{100, 2, 0, 200, 0, -3}, EPSG: 4326}},
		{"Tiled", build(le, false, append(base, field{tag: 322, typ: 4, data: le.AppendUint32(nil, 16)})),
			geotiff.Info{Width: 10, Height: 5, BandCount: 1, PixelType: "U1", Tiled: true,
				GeoTransform: [6]float64{100, 2, 0, 200, 0, -3}, EPSG: 4326}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := read(tc.file)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if *got != tc.want {
				t.Errorf("Read =\n%+v\nwant\n%+v", *got, tc.want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	le := binary.LittleEndian
	base := geographic(le)
	classic := build(le, false, base)
	for _, tc := range []struct {
		name string
		file []byte
		want error
	}{
		{"Empty", nil, geotiff.ErrNotTIFF},
		{"OneByte", []byte("I"), geotiff.ErrNotTIFF},
		{"ByteOrderOnly", []byte("II"), geotiff.ErrTruncated},
		{"HeaderCut", classic[:6], geotiff.ErrTruncated},
		{"Text", []byte("Hello, world, this is text"), geotiff.ErrNotTIFF},
		{"Version44", []byte("II\x2c\x00\x08\x00\x00\x00"), geotiff.ErrNotTIFF},
		{"BigTIFFOffsetSize4", []byte("II\x2b\x00\x04\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"), geotiff.ErrNotTIFF},
		{"BigTIFFHeaderCut", []byte("MM\x00\x2b\x00\x08\x00\x00\x00\x00"), geotiff.ErrTruncated},
		{"NoIFD", []byte("II\x2a\x00\x00\x00\x00\x00"), geotiff.ErrUnsupported},
		{"IFDBeyondEOF", []byte("II\x2a\x00\xff\xff\x00\x00"), geotiff.ErrTruncated},
		{"IFDEntriesCut", classic[:40], geotiff.ErrTruncated},
		{"ValuesCut", classic[:len(classic)-1], geotiff.ErrTruncated},
		{"TooManyEntries", []byte("II\x2a\x00\x08\x00\x00\x00\xff\xff"), geotiff.ErrUnsupported},
		{"HugeCount", build(le, false, replace(base, field{tag: 33922, typ: 12, count: 1 << 31, data: doubles(le, 0, 0, 0, 1, 1, 0)})), geotiff.ErrTruncated},
		{"NoWidth", build(le, false, replace(base, field{tag: 256})), geotiff.ErrUnsupported},
		{"ZeroHeight", build(le, false, replace(base, field{tag: 257, typ: 3, data: shorts(le, 0)})), geotiff.ErrUnsupported},
		{"NegativeWidth", build(le, false, replace(base, field{tag: 256, typ: 8, data: shorts(le, 0xffff)})), geotiff.ErrUnsupported},
		{"ASCIIWidth", build(le, false, replace(base, field{tag: 256, typ: 2, data: []byte("10\x00")})), geotiff.ErrUnsupported},
		{"UnknownType", build(le, false, replace(base, field{tag: 256, typ: 99, count: 1, data: shorts(le, 10)})), geotiff.ErrUnsupported},
		{"ZeroSamples", build(le, false, append(base, field{tag: 277, typ: 3, data: shorts(le, 0)})), geotiff.ErrUnsupported},
		{"MixedBits", build(le, false, append(base, field{tag: 258, typ: 3, data: shorts(le, 8, 16, 8)}, field{tag: 277, typ: 3, data: shorts(le, 3)})), geotiff.ErrUnsupported},
		{"ComplexInt", build(le, false, append(base, field{tag: 258, typ: 3, data: shorts(le, 32)}, field{tag: 339, typ: 3, data: shorts(le, 5)})), geotiff.ErrUnsupported},
		{"Int64", build(le, false, append(base, field{tag: 258, typ: 3, data: shorts(le, 64)}, field{tag: 339, typ: 3, data: shorts(le, 2)})), geotiff.ErrUnsupported},
		{"GeoKeysVersion2", build(le, false, replace(base, field{tag: 34735, typ: 3, data: shorts(le, 2, 1, 0, 0)})), geotiff.ErrUnsupported},
		{"GeoKeysShort", build(le, false, replace(base, field{tag: 34735, typ: 3, data: shorts(le, 1, 1)})), geotiff.ErrUnsupported},
		{"GeoKeysOverrun", build(le, false, replace(base, field{tag: 34735, typ: 3, data: shorts(le, 1, 1, 0, 9, 1024, 0, 1, 2)})), geotiff.ErrUnsupported},
		{"ScaleWithoutTiepoint", build(le, false, replace(base, field{tag: 33922})), geotiff.ErrNotGeoreferenced},
		{"GCPs", build(le, false, replace(base, field{tag: 33550})), geotiff.ErrNotGeoreferenced},
		{"MatrixOf12", build(le, false, append(replace(replace(base, field{tag: 33550}), field{tag: 33922}),
			field{tag: 34264, typ: 12, data: doubles(le, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 1)})), geotiff.ErrNotGeoreferenced},
		{"NaNScale", build(le, false, replace(base, field{tag: 33550, typ: 12, data: doubles(le, math.NaN(), 1, 0)})), geotiff.ErrNotGeoreferenced},
		{"InfiniteCorner", build(le, false, replace(base, field{tag: 33550, typ: 12, data: doubles(le, math.MaxFloat64, 1, 0)})), geotiff.ErrNotGeoreferenced},
		{"DegenerateMatrix", build(le, false, append(replace(replace(base, field{tag: 33550}), field{tag: 33922}),
			field{tag: 34264, typ: 12, data: doubles(le, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)})), geotiff.ErrNotGeoreferenced},
		// Absurd positions (issue 11, item 13): a tiepoint at 1e308 makes
		// corners that cannot be told apart, a footprint of no area.
		{"TiepointAt1e308", build(le, false, replace(base, field{tag: 33922, typ: 12, data: doubles(le, 0, 0, 0, 1e308, 1e308, 0)})), geotiff.ErrNotGeoreferenced},
		{"TiepointBeyondAnyCRS", build(le, false, replace(base, field{tag: 33922, typ: 12, data: doubles(le, 0, 0, 0, 5e9, 0, 0)})), geotiff.ErrNotGeoreferenced},
		{"NegativeBeyondAnyCRS", build(le, false, replace(base, field{tag: 33922, typ: 12, data: doubles(le, 0, 0, 0, 0, -2e9, 0)})), geotiff.ErrNotGeoreferenced},
		{"CellTooSmallForPosition", build(le, false, replace(replace(base, field{tag: 33922, typ: 12, data: doubles(le, 0, 0, 0, 9e8, 9e8, 0)}),
			field{tag: 33550, typ: 12, data: doubles(le, 1e-9, 1e-9, 0)})), geotiff.ErrNotGeoreferenced},
		{"HugeScale", build(le, false, replace(base, field{tag: 33550, typ: 12, data: doubles(le, 1e300, 1e300, 0)})), geotiff.ErrNotGeoreferenced},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := read(tc.file)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Read = %+v, %v; want %v", info, err, tc.want)
			}
		})
	}
}

// TestSizeLargerThanData: a size that overstates the data gives ErrTruncated, not a
// short read taken for data.
func TestSizeLargerThanData(t *testing.T) {
	b := build(binary.LittleEndian, false, geographic(binary.LittleEndian))
	_, err := geotiff.Read(bytes.NewReader(b[:len(b)-8]), int64(len(b)))
	if !errors.Is(err, geotiff.ErrTruncated) {
		t.Fatalf("Read = %v, want ErrTruncated", err)
	}
}

// TestCountDoesNotDriveAllocation: counts the file cannot hold are refused before any
// allocation, and counts it can hold are read only as far as needed.
func TestCountDoesNotDriveAllocation(t *testing.T) {
	le := binary.LittleEndian
	huge := build(le, false, replace(geographic(le),
		field{tag: 34735, typ: 3, count: 1<<32 - 1, data: shorts(le, 1, 1, 0, 1, 1024, 0, 1, 2)}))
	hugeBig := build(le, true, replace(geographic(le),
		field{tag: 33922, typ: 12, count: 1<<62 + 1, data: doubles(le, 0, 0, 0, 1, 1, 0)}))
	// 200k tiepoints that are really there: only the first is read.
	many := build(le, false, replace(geographic(le),
		field{tag: 33922, typ: 12, data: doubles(le, make([]float64, 6*200_000)...)}))
	for name, b := range map[string][]byte{"Huge": huge, "HugeBigTIFF": hugeBig, "ManyTiepoints": many} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := read(b)
		runtime.ReadMemStats(&after)
		if name != "ManyTiepoints" && !errors.Is(err, geotiff.ErrTruncated) {
			t.Errorf("%s: Read = %v, want ErrTruncated", name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Errorf("%s: Read allocated %d bytes", name, n)
		}
	}
}
