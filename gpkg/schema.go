package gpkg

import (
	"fmt"
	"strings"
)

// The GeoPackage tables, as GDAL 3.6 declares them (validate_gpkg.py checks
// their columns, types, NOT NULL flags and keys). gpkg_ogr_contents is
// GDAL's own: it lets GDAL report the feature count without a scan.
const schemaSQL = `
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL PRIMARY KEY,organization TEXT NOT NULL,organization_coordsys_id INTEGER NOT NULL,definition  TEXT NOT NULL,description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,data_type TEXT NOT NULL,identifier TEXT UNIQUE,description TEXT DEFAULT '',last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),min_x DOUBLE, min_y DOUBLE,max_x DOUBLE, max_y DOUBLE,srs_id INTEGER,CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_ogr_contents(table_name TEXT NOT NULL PRIMARY KEY,feature_count INTEGER DEFAULT NULL);
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,geometry_type_name TEXT NOT NULL,srs_id INTEGER NOT NULL,z TINYINT NOT NULL,m TINYINT NOT NULL,CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),CONSTRAINT uk_gc_table_name UNIQUE (table_name),CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
`

const metadataSchemaSQL = `
CREATE TABLE gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,md_scope TEXT NOT NULL DEFAULT 'dataset',md_standard_uri TEXT NOT NULL,mime_type TEXT NOT NULL DEFAULT 'text/xml',metadata TEXT NOT NULL DEFAULT '');
CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL,table_name TEXT,column_name TEXT,row_id_value INTEGER,timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),md_file_id INTEGER NOT NULL,md_parent_id INTEGER,CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id));
`

// The mandatory gpkg_spatial_ref_sys rows (GeoPackage 1.4 Req 11), with the
// names, definitions and descriptions GDAL writes.
var standardSRS = []SRS{
	{
		ID: 4326, Organization: "EPSG", OrganizationID: 4326, Name: "WGS 84 geodetic",
		Definition:  `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`,
		Description: "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
	},
	{ID: -1, Organization: "NONE", OrganizationID: -1, Name: "Undefined Cartesian SRS", Definition: "undefined", Description: "undefined Cartesian coordinate reference system"},
	{ID: 0, Organization: "NONE", OrganizationID: 0, Name: "Undefined geographic SRS", Definition: "undefined", Description: "undefined geographic coordinate reference system"},
}

// extensionDefinition returns the gpkg_extensions.definition URL of a
// GeoPackage extension for the version written.
func extensionDefinition(v Version, anchor string) string {
	if v == Version12 {
		return "http://www.geopackage.org/spec120/#" + anchor
	}
	return "http://www.geopackage.org/spec140/#" + anchor
}

// featureCountTriggersSQL returns GDAL's triggers that keep
// gpkg_ogr_contents.feature_count right when others edit the table.
func featureCountTriggersSQL(table string) string {
	t := mustQuote(table)
	lit := quoteString(table)
	return fmt.Sprintf(`CREATE TRIGGER %s AFTER INSERT ON %s BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count + 1 WHERE lower(table_name) = lower(%s); END;
CREATE TRIGGER %s AFTER DELETE ON %s BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count - 1 WHERE lower(table_name) = lower(%s); END;
`, mustQuote("trigger_insert_feature_count_"+table), t, lit, mustQuote("trigger_delete_feature_count_"+table), t, lit)
}

// rtreeName is the R-tree table of a geometry column (GeoPackage 1.4 Annex
// F.3): rtree_<t>_<c>.
func rtreeName(table, column string) string { return "rtree_" + table + "_" + column }

// rtreeCreateSQL creates the R-tree of table.geom (GeoPackage 1.4 Annex
// F.3).
func rtreeCreateSQL(table, geom string) string {
	return fmt.Sprintf("CREATE VIRTUAL TABLE %s USING rtree(id, minx, maxx, miny, maxy)", mustQuote(rtreeName(table, geom)))
}

// rtreeFillSQL fills the R-tree through SQLite's own insertion, with the
// ST_ functions: the way for tables too large to pack in memory.
func rtreeFillSQL(table, geom, fid string) string {
	return fmt.Sprintf("INSERT INTO %[1]s SELECT %[2]s, ST_MinX(%[3]s), ST_MaxX(%[3]s), ST_MinY(%[3]s), ST_MaxY(%[3]s) FROM %[4]s WHERE %[3]s NOT NULL AND NOT ST_IsEmpty(%[3]s)",
		mustQuote(rtreeName(table, geom)), mustQuote(fid), mustQuote(geom), mustQuote(table))
}

// rtreeTriggersSQL returns the triggers of GeoPackage version v that keep
// the R-tree of table.geom right when the table is edited, one line each
// as GDAL writes them.
func rtreeTriggersSQL(v Version, table, geom, fid string) []string {
	r, t, c, i := mustQuote(rtreeName(table, geom)), mustQuote(table), mustQuote(geom), mustQuote(fid)
	name := func(suffix string) string { return mustQuote(rtreeName(table, geom) + "_" + suffix) }
	values := fmt.Sprintf("NEW.%[1]s,ST_MinX(NEW.%[2]s), ST_MaxX(NEW.%[2]s),ST_MinY(NEW.%[2]s), ST_MaxY(NEW.%[2]s)", i, c)
	newGeom := fmt.Sprintf("(NEW.%[1]s NOTNULL AND NOT ST_IsEmpty(NEW.%[1]s))", c)
	newNoGeom := fmt.Sprintf("(NEW.%[1]s ISNULL OR ST_IsEmpty(NEW.%[1]s))", c)
	stmts := []string{
		fmt.Sprintf("CREATE TRIGGER %s AFTER INSERT ON %s WHEN (new.%s NOT NULL AND NOT ST_IsEmpty(NEW.%s)) BEGIN INSERT OR REPLACE INTO %s VALUES (%s); END", name("insert"), t, c, c, r, values),
	}
	update2 := fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE OF %s ON %s WHEN OLD.%s = NEW.%s AND %s BEGIN DELETE FROM %s WHERE id = OLD.%s; END", name("update2"), c, t, i, i, newNoGeom, r, i)
	update4 := fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE ON %s WHEN OLD.%s != NEW.%s AND %s BEGIN DELETE FROM %s WHERE id IN (OLD.%s, NEW.%s); END", name("update4"), t, i, i, newNoGeom, r, i, i)
	if v == Version12 {
		stmts = append(stmts,
			fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE OF %s ON %s WHEN OLD.%s = NEW.%s AND %s BEGIN INSERT OR REPLACE INTO %s VALUES (%s); END", name("update1"), c, t, i, i, newGeom, r, values),
			update2,
			fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE ON %s WHEN OLD.%s != NEW.%s AND %s BEGIN DELETE FROM %s WHERE id = OLD.%s; INSERT OR REPLACE INTO %s VALUES (%s); END", name("update3"), t, i, i, newGeom, r, i, r, values),
			update4,
		)
	} else {
		// GeoPackage 1.4 replaced update1 by update6 and update7 (no INSERT
		// OR REPLACE on an UPDATE, which breaks UPSERT) and renamed update3
		// to update5.
		oldGeom := fmt.Sprintf("(OLD.%[1]s NOTNULL AND NOT ST_IsEmpty(OLD.%[1]s))", c)
		oldNoGeom := fmt.Sprintf("(OLD.%[1]s ISNULL OR ST_IsEmpty(OLD.%[1]s))", c)
		stmts = append(stmts,
			update2,
			update4,
			fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE ON %s WHEN OLD.%s != NEW.%s AND %s BEGIN DELETE FROM %s WHERE id = OLD.%s; INSERT OR REPLACE INTO %s VALUES (%s); END", name("update5"), t, i, i, newGeom, r, i, r, values),
			fmt.Sprintf("CREATE TRIGGER %[1]s AFTER UPDATE OF %[2]s ON %[3]s WHEN OLD.%[4]s = NEW.%[4]s AND %[5]s AND %[6]s BEGIN UPDATE %[7]s SET minx = ST_MinX(NEW.%[2]s), maxx = ST_MaxX(NEW.%[2]s), miny = ST_MinY(NEW.%[2]s), maxy = ST_MaxY(NEW.%[2]s) WHERE id = NEW.%[4]s; END", name("update6"), c, t, i, newGeom, oldGeom, r),
			fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE OF %s ON %s WHEN OLD.%s = NEW.%s AND %s AND %s BEGIN INSERT INTO %s VALUES (%s); END", name("update7"), c, t, i, i, newGeom, oldNoGeom, r, values),
		)
	}
	stmts = append(stmts, fmt.Sprintf("CREATE TRIGGER %s AFTER DELETE ON %s WHEN old.%s NOT NULL BEGIN DELETE FROM %s WHERE id = OLD.%s; END", name("delete"), t, c, r, i))
	return stmts
}

// srsName returns the first quoted string of a WKT definition (its CRS
// name), or "".
func srsName(wkt string) string {
	_, rest, ok := strings.Cut(wkt, `"`)
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, `"`)
	if !ok {
		return ""
	}
	return name
}
