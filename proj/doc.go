// Package proj converts coordinates between the coordinate reference systems that
// mosaic's rasters come in, in pure Go, so that a footprint can be projected into a
// collection's spatial reference without GDAL or PROJ.
//
// # Supported codes
//
// Codes are EPSG codes; ArcGIS wkids are accepted where they name the same system
// (102100, 102113 and 900913 are EPSG:3857):
//
//   - 4326, WGS 84 longitude/latitude in degrees;
//   - 3857, WGS 84 / Pseudo-Mercator (web maps);
//   - 32601–32660 and 32701–32760, WGS 84 / UTM north and south;
//   - 25828–25838, ETRS89 / UTM; 26901–26923, NAD83 / UTM;
//   - 2056, CH1903+ / LV95 (Swiss oblique Mercator, Bessel ellipsoid);
//   - 27700, OSGB36 / British National Grid (Transverse Mercator, Airy ellipsoid);
//   - 2154, RGF93 v1 / Lambert-93 (Lambert conformal conic, two parallels);
//   - 3035, ETRS89-extended / LAEA Europe (Lambert azimuthal equal area).
//
// [Supported] lists them; SUPPORTED.md is the same list as a table for README.md.
// Anything else is an [*UnknownCodeError]: the package never guesses a definition.
//
// # Axis order
//
// Everywhere in this package x is the longitude or easting and y the latitude or
// northing, in degrees or metres, as in GeoJSON and ArcGIS. That holds for EPSG:4326,
// whose EPSG axis order is latitude first, and for EPSG:3035, whose EPSG axis order is
// northing first; their WKT still says what EPSG says, as GDAL writes it.
//
// # Accuracy
//
// PROJ is the oracle: testdata/make.sh runs cs2cs to make the fixtures that the
// tests compare with, and the package does what PROJ's default operation does when
// no grid file is installed. For ETRS89 and RGF93 v1 that is a null transformation:
// they are taken as WGS 84. For NAD83 it is null too, except in Hawaii and the
// Aleutians, where PROJ applies a translation of about a metre (EPSG:1252,
// EPSG:1251) and so does the package. Those systems agree with PROJ to 1 cm both
// ways ([SameDatum]; measured: 0.1 mm, 2 mm for LAEA). Transverse Mercator uses
// Krüger's series to sixth order (Karney 2011), exact to far below a millimetre out
// to 30° from the central meridian; not the USGS/Snyder series, which is not.
//
// For 2056 and 27700 the datum shift is the Helmert transformation that PROJ picks
// without grids (EPSG:1676 and EPSG:1314), applied everywhere (PROJ applies
// EPSG:1314 inside Great Britain only). The package agrees with PROJ applying that
// operation to a few millimetres, well within the 1 m promised for those codes
// ([DatumShift]). The operation itself is rated by EPSG at 1 m and 2 m against the
// datum, and with the OSTN15 grid installed PROJ would pick EPSG:7710 instead and
// differ by up to that much. Like PROJ's,
// these 2D shifts drop the height they produce, so a round trip far from the
// datum's area does not come back exactly (9 cm at 30° from Great Britain).
//
// # Domains
//
// A point that a system cannot represent, or could only represent badly, is an error
// wrapping [ErrOutsideDomain], never a number: a non-finite coordinate, a latitude
// beyond ±90°, latitude ±90° in Web Mercator, a point more than 30° of longitude from
// a Transverse Mercator's central meridian, and the like (see SUPPORTED.md).
//
// # What it never does
//
// It never reads grid files, proj.db, environment variables or the network, and it
// never writes anything: every definition is compiled in. It never drops or reorders
// points, and it never returns a coordinate for a point outside a system's domain.
package proj
