package gpkg

import (
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// GDAL stores layer metadata as a row of gpkg_metadata with these values,
// referenced by a gpkg_metadata_reference row of scope 'table' (GDAL's
// GDALGeoPackageDataset::WriteMetadata).
const (
	gdalMDScope       = "dataset"
	gdalMDStandardURI = "http://gdal.org"
	gdalMDMimeType    = "text/xml"
)

// checkMetadataItem refuses what GDAL would not give back as written: a key
// that is empty, holds '=', a space or a control character (GDAL keeps
// metadata as "KEY=VALUE" strings), and control characters other than tab and
// newline in values (GDAL's XML writer drops them).
func checkMetadataItem(key, value string) error {
	if key == "" {
		return fmt.Errorf("%w: empty metadata key", ErrLayer)
	}
	if !utf8.ValidString(key) || !utf8.ValidString(value) {
		return fmt.Errorf("%w: metadata item %q is not UTF-8", ErrLayer, key)
	}
	for _, r := range key {
		if r == '=' || r == ' ' || r < 0x20 || r == 0x7f || r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("%w: metadata key %q holds %q", ErrLayer, key, r)
		}
	}
	for _, r := range value {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f || r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("%w: metadata item %s holds %q, which XML or GDAL cannot carry", ErrLayer, key, r)
		}
	}
	return nil
}

// sortedKeys returns md's keys in GDAL's order: case-insensitive, then
// bytewise for a stable order.
func sortedKeys(md map[string]string) []string {
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := strings.ToUpper(keys[i]), strings.ToUpper(keys[j])
		if a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	return keys
}

// gdalMetadataXML serializes md as GDAL's GDALMultiDomainMetadata document,
// byte for byte as GDAL 3.6 writes it (CPLSerializeXMLTree: two-space
// indent, quotes escaped in attributes only, a final newline).
func gdalMetadataXML(md map[string]string) string {
	var b strings.Builder
	b.WriteString("<GDALMultiDomainMetadata>\n  <Metadata>\n")
	for _, k := range sortedKeys(md) {
		b.WriteString(`    <MDI key="`)
		b.WriteString(xmlEscape(k, true))
		b.WriteString(`">`)
		b.WriteString(xmlEscape(md[k], false))
		b.WriteString("</MDI>\n")
	}
	b.WriteString("  </Metadata>\n</GDALMultiDomainMetadata>\n")
	return b.String()
}

func xmlEscape(s string, attr bool) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	if attr {
		r = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	}
	return r.Replace(s)
}

// gdalMetadataDoc is the part of GDAL's metadata document the reader uses.
type gdalMetadataDoc struct {
	XMLName  xml.Name `xml:"GDALMultiDomainMetadata"`
	Metadata []struct {
		Domain string `xml:"domain,attr"`
		Items  []struct {
			Key   string `xml:"key,attr"`
			Value string `xml:",chardata"`
		} `xml:"MDI"`
	} `xml:"Metadata"`
}

// parseGDALMetadata adds the default-domain items of a GDAL metadata
// document to md. Other domains (such as xml:GTI) are skipped. Keys are
// matched case-insensitively, as GDAL does: a later item replaces an
// earlier one.
func parseGDALMetadata(doc string, md map[string]string) error {
	var d gdalMetadataDoc
	if err := xml.Unmarshal([]byte(doc), &d); err != nil {
		return fmt.Errorf("GDAL metadata document: %w", err)
	}
	for _, m := range d.Metadata {
		if m.Domain != "" {
			continue
		}
		for _, it := range m.Items {
			if it.Key == "" {
				continue
			}
			for k := range md {
				if strings.EqualFold(k, it.Key) {
					delete(md, k)
				}
			}
			md[it.Key] = it.Value
		}
	}
	return nil
}
