package geotiff

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Tags read from the first IFD.
const (
	tagImageWidth          = 256
	tagImageLength         = 257
	tagBitsPerSample       = 258
	tagSamplesPerPixel     = 277
	tagTileWidth           = 322
	tagSampleFormat        = 339
	tagModelPixelScale     = 33550
	tagModelTiepoint       = 33922
	tagModelTransformation = 34264
	tagGeoKeyDirectory     = 34735
)

func tagName(tag uint16) string {
	switch tag {
	case tagImageWidth:
		return "ImageWidth"
	case tagImageLength:
		return "ImageLength"
	case tagBitsPerSample:
		return "BitsPerSample"
	case tagSamplesPerPixel:
		return "SamplesPerPixel"
	case tagTileWidth:
		return "TileWidth"
	case tagSampleFormat:
		return "SampleFormat"
	case tagModelPixelScale:
		return "ModelPixelScale"
	case tagModelTiepoint:
		return "ModelTiepoint"
	case tagModelTransformation:
		return "ModelTransformation"
	case tagGeoKeyDirectory:
		return "GeoKeyDirectory"
	}
	return fmt.Sprintf("tag %d", tag)
}

// wanted reports whether Read uses a tag; the others are skipped unread.
func wanted(tag uint16) bool {
	switch tag {
	case tagImageWidth, tagImageLength, tagBitsPerSample, tagSamplesPerPixel, tagTileWidth,
		tagSampleFormat, tagModelPixelScale, tagModelTiepoint, tagModelTransformation,
		tagGeoKeyDirectory:
		return true
	}
	return false
}

// Field types (TIFF 6.0 and BigTIFF).
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeLong      = 4
	typeRational  = 5
	typeSByte     = 6
	typeUndefined = 7
	typeSShort    = 8
	typeSLong     = 9
	typeSRational = 10
	typeFloat     = 11
	typeDouble    = 12
	typeIFD       = 13
	typeLong8     = 16
	typeSLong8    = 17
	typeIFD8      = 18
)

// typeSize is the size in bytes of one value of a field type, 0 for an unknown type.
func typeSize(typ uint16) uint64 {
	switch typ {
	case typeByte, typeASCII, typeSByte, typeUndefined:
		return 1
	case typeShort, typeSShort:
		return 2
	case typeLong, typeSLong, typeFloat, typeIFD:
		return 4
	case typeRational, typeSRational, typeDouble, typeLong8, typeSLong8, typeIFD8:
		return 8
	}
	return 0
}

// maxEntries caps the entries of an IFD, as libtiff's sanity check does; real files have
// a few dozen.
const maxEntries = 4096

// tiff reads the structure of a TIFF file through bounds-checked reads.
type tiff struct {
	r         io.ReaderAt
	size      uint64
	bo        binary.ByteOrder
	big       bool // BigTIFF: 8-byte offsets and counts
	bigEndian bool
}

// entry is one IFD entry; value holds the 4 (8 in BigTIFF) bytes of the value field,
// which are the value itself when it fits there and else its offset.
type entry struct {
	tag   uint16
	typ   uint16
	count uint64
	value []byte
}

// read returns n bytes at off, or ErrTruncated if they are not all inside the file.
func (t *tiff) read(off, n uint64) ([]byte, error) {
	if off > t.size || n > t.size-off {
		return nil, ErrTruncated
	}
	b := make([]byte, n)
	if n == 0 {
		return b, nil
	}
	// off+n <= size, and size came from an int64, so the conversion cannot overflow.
	m, err := t.r.ReadAt(b, int64(off))
	if m == len(b) {
		return b, nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// The file is shorter than the size we were told.
		return nil, ErrTruncated
	}
	return nil, err
}

// header reads the TIFF header and returns the offset of the first IFD.
func (t *tiff) header() (uint64, error) {
	h, err := t.read(0, min(t.size, 16))
	if err != nil {
		return 0, fmt.Errorf("header: %w", err)
	}
	if len(h) < 2 {
		return 0, fmt.Errorf("%d-byte file: %w", len(h), ErrNotTIFF)
	}
	switch string(h[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo, t.bigEndian = binary.BigEndian, true
	default:
		return 0, fmt.Errorf("byte order mark %q: %w", h[:2], ErrNotTIFF)
	}
	if len(h) < 4 {
		return 0, fmt.Errorf("header: %w", ErrTruncated)
	}
	switch v := t.bo.Uint16(h[2:4]); v {
	case 42:
		if len(h) < 8 {
			return 0, fmt.Errorf("header: %w", ErrTruncated)
		}
		return t.nonzero(uint64(t.bo.Uint32(h[4:8])))
	case 43:
		t.big = true
		if len(h) < 16 {
			return 0, fmt.Errorf("BigTIFF header: %w", ErrTruncated)
		}
		if bytesize, zero := t.bo.Uint16(h[4:6]), t.bo.Uint16(h[6:8]); bytesize != 8 || zero != 0 {
			return 0, fmt.Errorf("BigTIFF offset size %d: %w", bytesize, ErrNotTIFF)
		}
		return t.nonzero(t.bo.Uint64(h[8:16]))
	default:
		return 0, fmt.Errorf("version %d: %w", v, ErrNotTIFF)
	}
}

func (t *tiff) nonzero(ifd uint64) (uint64, error) {
	if ifd == 0 {
		return 0, fmt.Errorf("first IFD offset is 0, the file has no image: %w", ErrUnsupported)
	}
	return ifd, nil
}

// readIFD reads the IFD at off and returns the first entry of each tag that Read uses.
func (t *tiff) readIFD(off uint64) (map[uint16]entry, error) {
	countSize, entrySize, valueSize := uint64(2), uint64(12), uint64(4)
	if t.big {
		countSize, entrySize, valueSize = 8, 20, 8
	}
	b, err := t.read(off, countSize)
	if errors.Is(err, ErrTruncated) {
		return nil, fmt.Errorf("IFD at offset %d, past the end of the %d-byte file: %w", off, t.size, err)
	}
	if err != nil {
		return nil, fmt.Errorf("IFD at offset %d: %w", off, err)
	}
	var n uint64
	if t.big {
		n = t.bo.Uint64(b)
	} else {
		n = uint64(t.bo.Uint16(b))
	}
	if n > maxEntries {
		return nil, fmt.Errorf("IFD at offset %d has %d entries, more than %d: %w", off, n, maxEntries, ErrUnsupported)
	}
	b, err = t.read(off+countSize, n*entrySize) // off+countSize <= size: no overflow
	if err != nil {
		return nil, fmt.Errorf("IFD at offset %d with %d entries: %w", off, n, err)
	}
	tags := make(map[uint16]entry)
	for i := uint64(0); i < n; i++ {
		e := b[i*entrySize : (i+1)*entrySize]
		tag := t.bo.Uint16(e[0:2])
		if !wanted(tag) {
			continue
		}
		if _, dup := tags[tag]; dup {
			continue // the first one wins
		}
		ent := entry{tag: tag, typ: t.bo.Uint16(e[2:4]), value: e[entrySize-valueSize:]}
		if t.big {
			ent.count = t.bo.Uint64(e[4:12])
		} else {
			ent.count = uint64(t.bo.Uint32(e[4:8]))
		}
		tags[tag] = ent
	}
	return tags, nil
}

// data returns the bytes of the first n values of e (n <= e.count), checking that all
// e.count values lie inside the file before reading any.
func (t *tiff) data(e entry, n uint64) ([]byte, error) {
	size := typeSize(e.typ)
	if size == 0 {
		return nil, fmt.Errorf("%s has unknown type %d: %w", tagName(e.tag), e.typ, ErrUnsupported)
	}
	// A count this large could not fit in the file even inline (an IFD entry, which is
	// in the file, holds at most 8 bytes of value), and checking first keeps
	// count*size from overflowing.
	if e.count > t.size/size {
		return nil, fmt.Errorf("%s: %d values of %d bytes do not fit in the %d-byte file: %w", tagName(e.tag), e.count, size, t.size, ErrTruncated)
	}
	total := e.count * size // no overflow: checked above
	if total <= uint64(len(e.value)) {
		return e.value[:n*size], nil
	}
	var off uint64
	if t.big {
		off = t.bo.Uint64(e.value)
	} else {
		off = uint64(t.bo.Uint32(e.value))
	}
	if off > t.size || total > t.size-off {
		return nil, fmt.Errorf("%s: %d bytes at offset %d, past the end of the %d-byte file: %w", tagName(e.tag), total, off, t.size, ErrTruncated)
	}
	b, err := t.read(off, n*size)
	if err != nil {
		return nil, fmt.Errorf("%s at offset %d: %w", tagName(e.tag), off, err)
	}
	return b, nil
}

// uints returns the first max values of an integer-typed entry.
func (t *tiff) uints(e entry, max uint64) ([]uint64, error) {
	n := min(e.count, max)
	b, err := t.data(e, n)
	if err != nil {
		return nil, err
	}
	size := typeSize(e.typ)
	out := make([]uint64, n)
	for i := range out {
		v := b[uint64(i)*size:]
		switch e.typ {
		case typeByte:
			out[i] = uint64(v[0])
		case typeShort:
			out[i] = uint64(t.bo.Uint16(v))
		case typeLong, typeIFD:
			out[i] = uint64(t.bo.Uint32(v))
		case typeLong8, typeIFD8:
			out[i] = t.bo.Uint64(v)
		case typeSByte, typeSShort, typeSLong, typeSLong8:
			s := t.signed(e.typ, v)
			if s < 0 {
				return nil, fmt.Errorf("%s is negative (%d): %w", tagName(e.tag), s, ErrUnsupported)
			}
			out[i] = uint64(s)
		default:
			return nil, fmt.Errorf("%s has type %d, not an integer type: %w", tagName(e.tag), e.typ, ErrUnsupported)
		}
	}
	return out, nil
}

func (t *tiff) signed(typ uint16, v []byte) int64 {
	switch typ {
	case typeSByte:
		return int64(int8(v[0]))
	case typeSShort:
		return int64(int16(t.bo.Uint16(v)))
	case typeSLong:
		return int64(int32(t.bo.Uint32(v)))
	default: // typeSLong8
		return int64(t.bo.Uint64(v))
	}
}

// uint returns the single value of an integer entry.
func (t *tiff) uint(e entry) (uint64, error) {
	if e.count == 0 {
		return 0, fmt.Errorf("%s has no value: %w", tagName(e.tag), ErrUnsupported)
	}
	v, err := t.uints(e, 1)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// uintDefault returns the single value of a SHORT tag, or def when the tag is absent.
func (t *tiff) uintDefault(tags map[uint16]entry, tag uint16, def uint64) (uint64, error) {
	e, ok := tags[tag]
	if !ok {
		return def, nil
	}
	v, err := t.uint(e)
	if err != nil {
		return 0, err
	}
	if v > math.MaxUint16 {
		return 0, fmt.Errorf("%s is %d: %w", tagName(tag), v, ErrUnsupported)
	}
	return v, nil
}

// perSample returns the value of a tag with one value per sample (BitsPerSample,
// SampleFormat), or def when it is absent. Different values for different samples are
// unsupported, as in libtiff.
func (t *tiff) perSample(tags map[uint16]entry, tag uint16, def uint64) (uint64, error) {
	e, ok := tags[tag]
	if !ok {
		return def, nil
	}
	// SamplesPerPixel is a SHORT, so more values than that are never needed.
	v, err := t.uints(e, math.MaxUint16)
	if err != nil {
		return 0, err
	}
	if len(v) == 0 {
		return 0, fmt.Errorf("%s has no value: %w", tagName(tag), ErrUnsupported)
	}
	for _, x := range v[1:] {
		if x != v[0] {
			return 0, fmt.Errorf("%s differs between samples (%d and %d): %w", tagName(tag), v[0], x, ErrUnsupported)
		}
	}
	return v[0], nil
}

// floats returns the first max values of a numeric entry as float64s.
func (t *tiff) floats(e entry, max uint64) ([]float64, error) {
	n := min(e.count, max)
	b, err := t.data(e, n)
	if err != nil {
		return nil, err
	}
	size := typeSize(e.typ)
	out := make([]float64, n)
	for i := range out {
		v := b[uint64(i)*size:]
		switch e.typ {
		case typeDouble:
			out[i] = math.Float64frombits(t.bo.Uint64(v))
		case typeFloat:
			out[i] = float64(math.Float32frombits(t.bo.Uint32(v)))
		case typeByte:
			out[i] = float64(v[0])
		case typeShort:
			out[i] = float64(t.bo.Uint16(v))
		case typeLong:
			out[i] = float64(t.bo.Uint32(v))
		case typeLong8:
			out[i] = float64(t.bo.Uint64(v))
		case typeSByte, typeSShort, typeSLong, typeSLong8:
			out[i] = float64(t.signed(e.typ, v))
		case typeRational:
			out[i] = float64(t.bo.Uint32(v)) / float64(t.bo.Uint32(v[4:]))
		case typeSRational:
			out[i] = float64(int32(t.bo.Uint32(v))) / float64(int32(t.bo.Uint32(v[4:])))
		default:
			return nil, fmt.Errorf("%s has type %d, not a numeric type: %w", tagName(e.tag), e.typ, ErrUnsupported)
		}
	}
	return out, nil
}

// floatsIfAny returns the first max values of tag, or nil when the tag is absent.
func (t *tiff) floatsIfAny(tags map[uint16]entry, tag uint16, max uint64) ([]float64, error) {
	e, ok := tags[tag]
	if !ok {
		return nil, nil
	}
	return t.floats(e, max)
}
