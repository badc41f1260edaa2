package catalog

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"mosaic/internal/textutil"
	"mosaic/where"
)

// ParseDate parses a DATE value and returns it in the stored form,
// 'YYYY-MM-DD HH:MM:SS' UTC. It takes what a where clause takes
// (where.ParseDate: YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, years 1 to 9999) and
// RFC 3339 times, converted to UTC within the same years.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if d, ok := where.ParseDate(s); ok {
		return d, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return dateValue(t)
		}
	}
	return "", fmt.Errorf("%s is not a date (expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)", textutil.Quote(s))
}

// dateValue is t as a stored DATE value, refused outside years 1 to 9999.
func dateValue(t time.Time) (string, error) {
	t = t.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		return "", fmt.Errorf("%s is outside the years 1 to 9999", t.Format(time.RFC3339))
	}
	return timestamp(t), nil
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
			return nil, fmt.Errorf("%s is INTEGER, %s is not an integer", f.Name, textutil.Quote(s))
		}
		return n, nil
	case where.Real:
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s is REAL, %s is not a number", f.Name, textutil.Quote(s))
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

// ConvertValue converts a value given through the API or as ArcGIS JSON to
// the type of field f: strings as ConvertText does, numbers to INTEGER or
// REAL, time.Time to DATE, and JSON numbers (json.Number) as ArcGIS means
// them, a DATE given as milliseconds since 1970 UTC.
func ConvertValue(f Field, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if f.Type == where.Text {
			return x, nil
		}
		return ConvertText(f, x)
	case json.Number:
		switch f.Type {
		case where.Date:
			ms, err := x.Int64()
			if err != nil {
				return nil, fmt.Errorf("%s is DATE: %s is not milliseconds since 1970", f.Name, textutil.Excerpt(x.String()))
			}
			d, err := dateValue(time.UnixMilli(ms))
			if err != nil {
				return nil, fmt.Errorf("%s is DATE: %s milliseconds since 1970: %v", f.Name, textutil.Excerpt(x.String()), err)
			}
			return d, nil
		case where.Text:
			return x.String(), nil
		}
		return ConvertText(f, x.String())
	case time.Time:
		if f.Type == where.Date {
			d, err := dateValue(x)
			if err != nil {
				return nil, fmt.Errorf("%s is DATE: %v", f.Name, err)
			}
			return d, nil
		}
	case int:
		return ConvertValue(f, int64(x))
	case int32:
		return ConvertValue(f, int64(x))
	case int64:
		switch f.Type {
		case where.Integer:
			return x, nil
		case where.Real:
			return float64(x), nil
		}
	case float32:
		return ConvertValue(f, float64(x))
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
	return nil, fmt.Errorf("%s is %s, cannot store %T %s", f.Name, f.Type, v, textutil.Excerpt(fmt.Sprint(v)))
}
