package catalog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"mosaic/where"
)

// dateLayouts are the forms a DATE value may be given in. Values are stored
// as DateLayout, in UTC.
var dateLayouts = []string{
	DateLayout,
	"2006-01-02",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
}

// ParseDate parses a DATE value: YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (or
// RFC 3339), and returns it in the stored form.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if d, ok := parsePlainDate(s); ok {
		return d, nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return timestamp(t), nil
		}
	}
	return "", fmt.Errorf("%q is not a date (expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)", s)
}

// ConvertText converts a value given as text (a --attr value, a manifest
// cell) to the type of field f. An empty string is NULL.
func ConvertText(f Field, s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch f.Type {
	case where.Integer:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is INTEGER, %q is not an integer", f.Name, s)
		}
		return n, nil
	case where.Real:
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s is REAL, %q is not a number", f.Name, s)
		}
		return x, nil
	case where.Date:
		d, err := ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("%s is DATE, %v", f.Name, err)
		}
		return d, nil
	}
	return s, nil
}

// convertValue converts a Go value given through the API to the type of
// field f.
func convertValue(f Field, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if f.Type == where.Text {
			return x, nil
		}
		return ConvertText(f, x)
	case time.Time:
		if f.Type == where.Date {
			return timestamp(x), nil
		}
	case int:
		return convertValue(f, int64(x))
	case int32:
		return convertValue(f, int64(x))
	case int64:
		switch f.Type {
		case where.Integer:
			return x, nil
		case where.Real:
			return float64(x), nil
		}
	case float32:
		return convertValue(f, float64(x))
	case float64:
		switch f.Type {
		case where.Real:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("%s is REAL, %v is not a finite number", f.Name, x)
			}
			return x, nil
		case where.Integer:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		}
	case bool:
		if f.Type == where.Integer {
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	}
	return nil, fmt.Errorf("%s is %s, cannot store %T %v", f.Name, f.Type, v, v)
}

// parsePlainDate is the fast path of ParseDate for the two stored forms,
// YYYY-MM-DD and YYYY-MM-DD HH:MM:SS, which manifests of millions of rows
// hold: it validates them without time.Parse.
func parsePlainDate(s string) (string, bool) {
	if len(s) != 10 && len(s) != 19 {
		return "", false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	m, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return "", false
	}
	if len(s) == 10 {
		return s + " 00:00:00", true
	}
	hh, ok1 := num(11, 2)
	mm, ok2 := num(14, 2)
	ss, ok3 := num(17, 2)
	if !ok1 || !ok2 || !ok3 || s[10] != ' ' || s[13] != ':' || s[16] != ':' || hh > 23 || mm > 59 || ss > 59 {
		return "", false
	}
	return s, true
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
