package catalog_test

import (
	"testing"

	"mosaic/catalog"
	"mosaic/where"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2020-01-15", "2020-01-15 00:00:00"},
		{"2020-01-15 10:30:05", "2020-01-15 10:30:05"},
		{" 2020-02-29 ", "2020-02-29 00:00:00"},
		{"2020-01-15T10:30:05Z", "2020-01-15 10:30:05"},
		{"2020-01-15T10:30:05+02:00", "2020-01-15 08:30:05"},
	} {
		if got, err := catalog.ParseDate(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"2019-02-29", "2020-13-01", "2020-01-32", "2020-1-5", "15/01/2020", "2020-01-15 24:00:00", "", "abc"} {
		if got, err := catalog.ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %q, want an error", in, got)
		}
	}
}

func TestConvertText(t *testing.T) {
	for _, tc := range []struct {
		typ  where.Type
		in   string
		want any
		ok   bool
	}{
		{where.Real, "12.5", 12.5, true},
		{where.Real, "1e3", 1000.0, true},
		{where.Real, "abc", nil, false},
		{where.Real, "NaN", nil, false},
		{where.Integer, "42", int64(42), true},
		{where.Integer, "4.2", nil, false},
		{where.Text, "Sentinel-2", "Sentinel-2", true},
		{where.Date, "2020-01-15", "2020-01-15 00:00:00", true},
		{where.Date, "yesterday", nil, false},
		{where.Real, "", nil, true},
	} {
		got, err := catalog.ConvertText(catalog.Field{Name: "F", Type: tc.typ}, tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ConvertText(%s, %q) = %#v, %v; want %#v ok=%v", tc.typ, tc.in, got, err, tc.want, tc.ok)
		}
	}
}
