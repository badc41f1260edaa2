package formats

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"mosaic/catalog"
	"mosaic/geometry"
	"mosaic/gpkg"
)

// ErrUnknownFormat means a file is none of the formats Import reads.
var ErrUnknownFormat = errors.New("not a GeoPackage, GeoJSON FeatureCollection or STAC ItemCollection")

// Sniff tells the format of the file at path from its first bytes: an
// SQLite file is a GeoPackage (GTI), JSON a GeoJSON FeatureCollection or
// (its features carrying stac_version) a STAC ItemCollection.
func Sniff(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return GTI, nil
	case bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\ufeff"), []byte("{")):
		if bytes.Contains(head, []byte(`"stac_version"`)) {
			return STAC, nil
		}
		return GeoJSON, nil
	}
	return "", fmt.Errorf("%s: %w", path, ErrUnknownFormat)
}

// Import calls fn for each item of the file at path (format as Sniff
// tells), streaming: one feature in memory at a time. Relative raster paths
// of a tile index are taken relative to its folder, as GDAL does.
func Import(ctx context.Context, path string, fn func(catalog.ImportedItem) error) (Format, error) {
	f, err := Sniff(path)
	if err != nil {
		return "", err
	}
	switch f {
	case GTI:
		return f, importGPKG(ctx, path, fn)
	default:
		return f, importJSON(path, f, fn)
	}
}

// importGPKG reads the GeoPackage's feature table (the one it has, or the
// one whose metadata makes it a tile index): location (or LOCATION_FIELD)
// gives the raster, the geometry the footprint, the other columns values.
func importGPKG(ctx context.Context, path string, fn func(catalog.ImportedItem) error) error {
	r, err := gpkg.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	layers, err := r.Layers(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(layers) == 0 {
		return fmt.Errorf("%s: the GeoPackage has no feature table", path)
	}
	l := layers[0]
	if len(layers) > 1 {
		found := false
		for _, t := range layers {
			if _, ok := t.Metadata["RESX"]; ok || t.Metadata["LOCATION_FIELD"] != "" {
				l, found = t, true
				break
			}
		}
		if !found {
			names := make([]string, len(layers))
			for i, t := range layers {
				names[i] = t.Name
			}
			return fmt.Errorf("%s: the GeoPackage has %d feature tables (%s) and none is marked as a tile index", path, len(layers), strings.Join(names, ", "))
		}
	}
	location := l.Metadata["LOCATION_FIELD"]
	if location == "" {
		location = "location"
	}
	locAt := -1
	for i, c := range l.Columns {
		if strings.EqualFold(c.Name, location) {
			locAt = i
		}
	}
	if locAt < 0 {
		return fmt.Errorf("%s: layer %s has no %s field naming each raster", path, l.Name, location)
	}
	srs := ""
	if strings.EqualFold(l.SRS.Organization, "EPSG") && l.SRS.OrganizationID > 0 {
		srs = "EPSG:" + strconv.Itoa(int(l.SRS.OrganizationID))
	}
	dir := filepath.Dir(path)
	n := 0
	return r.Features(ctx, l.Name, func(gf gpkg.Feature) error {
		n++
		ft := catalog.ImportedItem{FootprintSRS: srs, Values: map[string]any{}}
		raster, _ := gf.Values[locAt].(string)
		if strings.TrimSpace(raster) == "" {
			return fmt.Errorf("%s: feature %d has no %s", path, gf.FID, location)
		}
		ft.Raster = resolve(dir, raster)
		if len(gf.Geometry) > 0 {
			p, _, err := geometry.DecodeGeoPackage(gf.Geometry)
			if err != nil {
				return fmt.Errorf("%s: feature %d: %w", path, gf.FID, err)
			}
			ft.Footprint = p
		}
		for i, c := range l.Columns {
			if i != locAt {
				ft.Values[c.Name] = gf.Values[i]
			}
		}
		return fn(ft)
	})
}

// resolve makes a tile index's relative raster path absolute against the
// index's folder; absolute paths, URLs and GDAL virtual paths stay.
func resolve(dir, p string) string {
	if filepath.IsAbs(p) || strings.Contains(p, "://") || strings.HasPrefix(p, "/vsi") {
		return p
	}
	abs, err := filepath.Abs(filepath.Join(dir, p))
	if err != nil {
		return p
	}
	return abs
}

// importJSON streams the features of a GeoJSON FeatureCollection or a STAC
// ItemCollection.
func importJSON(path string, f Format, fn func(catalog.ImportedItem) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(file, 256<<10))
	dec.UseNumber()
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fail("not a JSON object")
	}
	features := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fail("%v", err)
		}
		key, _ := t.(string)
		switch key {
		case "type":
			var typ string
			if err := dec.Decode(&typ); err != nil || typ != "FeatureCollection" {
				return fail(`"type" is %q: expected a FeatureCollection`, typ)
			}
		case "features":
			features = true
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return fail(`"features" is not an array`)
			}
			for i := 0; dec.More(); i++ {
				var raw jsonFeature
				if err := dec.Decode(&raw); err != nil {
					return fail("feature %d: %v", i, err)
				}
				ft, err := raw.feature(f)
				if err != nil {
					return fail("feature %d: %v", i, err)
				}
				if err := fn(ft); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return fail("%v", err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail("%v", err)
			}
		}
	}
	if !features {
		return fail(`no "features": expected a FeatureCollection`)
	}
	return nil
}

// jsonFeature is a GeoJSON Feature or STAC Item as read.
type jsonFeature struct {
	Type       string                     `json:"type"`
	Geometry   json.RawMessage            `json:"geometry"`
	Properties map[string]any             `json:"properties"`
	Assets     map[string]json.RawMessage `json:"assets"`
}

// stacOwn are the properties of a STAC item that map to standard fields
// or say nothing of the item as the catalog stores it.
var stacOwn = map[string]bool{"datetime": true, "start_datetime": true, "end_datetime": true, "title": true,
	"proj:code": true, "proj:bbox": true, "proj:shape": true, "proj:epsg": true, "proj:wkt2": true, "proj:projjson": true,
	"proj:centroid": true, "proj:transform": true, "created": true, "updated": true}

func (j *jsonFeature) feature(f Format) (catalog.ImportedItem, error) {
	if j.Type != "Feature" {
		return catalog.ImportedItem{}, fmt.Errorf("type %q: expected a Feature", j.Type)
	}
	ft := catalog.ImportedItem{FootprintSRS: "EPSG:4326", Values: map[string]any{}} // RFC 7946: longitude/latitude
	if g := bytes.TrimSpace(j.Geometry); len(g) > 0 && !bytes.Equal(g, []byte("null")) {
		geom, err := geometry.ParseGeoJSON(string(g))
		if err != nil {
			return catalog.ImportedItem{}, err
		}
		p, ok := geom.(geometry.Polygon)
		if !ok {
			return catalog.ImportedItem{}, fmt.Errorf("geometry: a footprint is a Polygon or MultiPolygon")
		}
		ft.Footprint = p
	}
	for k, v := range j.Properties {
		if f == STAC && stacOwn[k] {
			continue
		}
		if _, isObject := v.(map[string]any); isObject {
			continue // no field holds an object
		}
		if _, isArray := v.([]any); isArray {
			continue
		}
		ft.Values[k] = v
	}
	if f == STAC {
		return ft, j.stac(&ft)
	}
	for _, name := range []string{"Raster", "location"} {
		for k, v := range ft.Values {
			if strings.EqualFold(k, name) {
				ft.Raster, _ = v.(string)
				delete(ft.Values, k)
			}
		}
		if ft.Raster != "" {
			break
		}
	}
	if strings.TrimSpace(ft.Raster) == "" {
		return catalog.ImportedItem{}, fmt.Errorf(`no "Raster" (or "location") property naming its raster`)
	}
	return ft, nil
}

// stac reads what a STAC item says in its own terms: the raster is the
// data asset's href (else the first asset with role data, else the only
// asset), the name its title, its datetime the collection's time field's
// value, its proj:code the raster's SRS, proj:shape its Height and Width.
func (j *jsonFeature) stac(ft *catalog.ImportedItem) error {
	type asset struct {
		Href  string   `json:"href"`
		Roles []string `json:"roles"`
	}
	pick := func(raw json.RawMessage) (asset, bool) {
		var a asset
		return a, json.Unmarshal(raw, &a) == nil && a.Href != ""
	}
	if a, ok := pick(j.Assets["data"]); ok {
		ft.Raster = a.Href
	} else {
		for _, raw := range j.Assets {
			if a, ok := pick(raw); ok && (len(j.Assets) == 1 || contains(a.Roles, "data")) {
				ft.Raster = a.Href
				break
			}
		}
	}
	if ft.Raster == "" {
		return fmt.Errorf(`no "data" asset with an href naming its raster`)
	}
	if t, ok := j.Properties["title"].(string); ok {
		ft.Values["Name"] = t
	}
	if code, ok := j.Properties["proj:code"].(string); ok {
		ft.Values["SRS"] = code
	}
	if shape, ok := j.Properties["proj:shape"].([]any); ok && len(shape) == 2 {
		ft.Values["Height"], ft.Values["Width"] = shape[0], shape[1]
	}
	if dt, ok := j.Properties["datetime"].(string); ok {
		ft.Values["datetime"] = dt // the catalog puts it in the collection's time field
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
