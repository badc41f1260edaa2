package proj

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int // the canonical EPSG code; 0 for an error
		err  error
	}{
		{"EPSGPrefix", "EPSG:32632", 32632, nil},
		{"LowerCasePrefix", "epsg:32632", 32632, nil},
		{"MixedCasePrefix", "Epsg:2056", 2056, nil},
		{"BareCode", "32632", 32632, nil},
		{"Spaces", "  EPSG:4326\t", 4326, nil},
		{"LeadingZero", "EPSG:04326", 4326, nil},
		{"UTMSouth", "EPSG:32760", 32760, nil},
		{"ETRS89", "25838", 25838, nil},
		{"NAD83", "EPSG:26901", 26901, nil},
		{"BNG", "EPSG:27700", 27700, nil},
		{"Lambert93", "EPSG:2154", 2154, nil},
		{"LAEA", "EPSG:3035", 3035, nil},
		{"WKID102100", "102100", 3857, nil},
		{"ESRI102100", "ESRI:102100", 3857, nil},
		{"WKID102113", "102113", 3857, nil},
		{"Google900913", "EPSG:900913", 3857, nil},
		{"ErrUnknownCode", "EPSG:4327", 0, ErrUnknownCode},
		{"ErrUnknownCodeUTMZone61", "32661", 0, ErrUnknownCode},
		{"ErrUnknownCodeETRS89Zone27", "25827", 0, ErrUnknownCode},
		{"ErrUnknownCodeZero", "0", 0, ErrUnknownCode},
		{"ErrSyntaxEmpty", "", 0, ErrSyntax},
		{"ErrSyntaxPrefixOnly", "EPSG:", 0, ErrSyntax},
		{"ErrSyntaxWord", "WGS84", 0, ErrSyntax},
		{"ErrSyntaxNegative", "EPSG:-4326", 0, ErrSyntax},
		{"ErrSyntaxPlus", "+4326", 0, ErrSyntax},
		{"ErrSyntaxTrailing", "EPSG:4326x", 0, ErrSyntax},
		{"ErrSyntaxInnerSpace", "EPSG: 4326", 0, ErrSyntax},
		{"ErrSyntaxDoubleColon", "EPSG::4326", 0, ErrSyntax},
		{"ErrSyntaxTooLong", "1234567890", 0, ErrSyntax},
		{"ErrSyntaxOtherAuthority", "IGNF:LAMB93", 0, ErrSyntax},
		{"ErrSyntaxFloat", "4326.0", 0, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				if !strings.Contains(err.Error(), `see "Coordinate systems" in README.md`) {
					t.Errorf("error %q does not point at the README", err)
				}
				if c != (CRS{}) {
					t.Errorf("Parse(%q) = %v with an error, want the zero CRS", tt.in, c)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if c.Code() != tt.want {
				t.Errorf("Parse(%q).Code() = %d, want %d", tt.in, c.Code(), tt.want)
			}
		})
	}
}

func TestUnknownCodeErrorNamesTheCode(t *testing.T) {
	_, err := FromWKID(31467)
	var uc *UnknownCodeError
	if !errors.As(err, &uc) || uc.Code != 31467 {
		t.Fatalf("FromWKID(31467) error = %#v, want *UnknownCodeError{31467}", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "31467") {
		t.Errorf("error %q does not name the code", msg)
	}
}

func TestAliasesAreTheSameCRS(t *testing.T) {
	web, err := FromWKID(3857)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []int{102100, 102113, 900913} {
		c, err := FromWKID(a)
		if err != nil {
			t.Fatal(err)
		}
		if c != web {
			t.Errorf("FromWKID(%d) = %v, want the same value as EPSG:3857", a, c)
		}
	}
	if got := web.Aliases(); !slices.Equal(got, []int{102100, 102113, 900913}) {
		t.Errorf("Aliases() = %v", got)
	}
}

func TestCRSProperties(t *testing.T) {
	tests := []struct {
		code       int
		str, name  string
		geographic bool
		units      string
		accuracy   Accuracy
	}{
		{4326, "EPSG:4326", "WGS 84", true, "degree", Exact},
		{3857, "EPSG:3857", "WGS 84 / Pseudo-Mercator", false, "metre", SameDatum},
		{32632, "EPSG:32632", "WGS 84 / UTM zone 32N", false, "metre", SameDatum},
		{32701, "EPSG:32701", "WGS 84 / UTM zone 1S", false, "metre", SameDatum},
		{25833, "EPSG:25833", "ETRS89 / UTM zone 33N", false, "metre", SameDatum},
		{26915, "EPSG:26915", "NAD83 / UTM zone 15N", false, "metre", SameDatum},
		{2056, "EPSG:2056", "CH1903+ / LV95", false, "metre", DatumShift},
		{27700, "EPSG:27700", "OSGB36 / British National Grid", false, "metre", DatumShift},
		{2154, "EPSG:2154", "RGF93 v1 / Lambert-93", false, "metre", SameDatum},
		{3035, "EPSG:3035", "ETRS89-extended / LAEA Europe", false, "metre", SameDatum},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			c := mustCRS(t, tt.code)
			if c.Code() != tt.code || c.String() != tt.str || c.Name() != tt.name ||
				c.IsGeographic() != tt.geographic || c.Units() != tt.units || c.Accuracy() != tt.accuracy {
				t.Errorf("got %d %q %q %v %q %v, want %d %q %q %v %q %v",
					c.Code(), c.String(), c.Name(), c.IsGeographic(), c.Units(), c.Accuracy(),
					tt.code, tt.str, tt.name, tt.geographic, tt.units, tt.accuracy)
			}
			back, err := Parse(c.String())
			if err != nil || back != c {
				t.Errorf("Parse(%q) = %v, %v; want the same CRS", c.String(), back, err)
			}
		})
	}
}

func TestSupportedIsComplete(t *testing.T) {
	all := Supported()
	if len(all) != 2+120+11+23+4 {
		t.Errorf("Supported() has %d systems, want 160", len(all))
	}
	seen := map[int]bool{}
	for _, c := range all {
		if seen[c.Code()] {
			t.Errorf("%s listed twice", c)
		}
		seen[c.Code()] = true
	}
	for _, code := range []int{4326, 3857, 32601, 32660, 32701, 32760, 25828, 25838, 26901, 26923, 2056, 27700, 2154, 3035} {
		if !seen[code] {
			t.Errorf("EPSG:%d missing", code)
		}
	}
}

func TestZeroCRS(t *testing.T) {
	var c CRS
	if c.Code() != 0 || c.String() != "" || c.Name() != "" || c.IsGeographic() || c.Units() != "" || c.Aliases() != nil {
		t.Errorf("zero CRS is not empty: %d %q %q", c.Code(), c.String(), c.Name())
	}
	wgs := mustCRS(t, 4326)
	if _, err := NewTransform(c, wgs); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("NewTransform(zero, 4326) error = %v, want ErrUnknownCode", err)
	}
	if _, err := NewTransform(wgs, c); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("NewTransform(4326, zero) error = %v, want ErrUnknownCode", err)
	}
}

func TestAccuracy(t *testing.T) {
	tests := []struct {
		from, to int
		want     Accuracy
		metres   float64
	}{
		{4326, 4326, Exact, 0},
		{3857, 102100, Exact, 0},
		{4326, 32632, SameDatum, 0.01},
		{25832, 32632, SameDatum, 0.01},
		{4326, 27700, DatumShift, 1},
		{2056, 3035, DatumShift, 1},
		{2056, 2056, Exact, 0},
	}
	for _, tt := range tests {
		tr, err := NewTransform(mustCRS(t, tt.from), mustCRS(t, tt.to))
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.Accuracy(); got != tt.want || got.Metres() != tt.metres {
			t.Errorf("%d -> %d: Accuracy() = %v (%g m), want %v (%g m)", tt.from, tt.to, got, got.Metres(), tt.want, tt.metres)
		}
	}
}

// FuzzParse checks that Parse never panics, that every error is one of the two
// documented ones and sends the reader to the README, and that a parsed system
// prints as a code that parses back to it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"EPSG:32632", "epsg:4326", "32632", "ESRI:102100", "900913", "EPSG:", "", " 2056 ", "EPSG:-1", "EPSG:999999999", "esri:3035", "EPSG:٣٢٦٣٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrUnknownCode) {
				t.Fatalf("Parse(%q): undocumented error %v", s, err)
			}
			if !strings.Contains(err.Error(), "README.md") {
				t.Fatalf("Parse(%q): error %q does not point at the README", s, err)
			}
			return
		}
		back, err := Parse(c.String())
		if err != nil || back != c {
			t.Fatalf("Parse(%q) = %v, but Parse(%q) = %v, %v", s, c, c.String(), back, err)
		}
	})
}
