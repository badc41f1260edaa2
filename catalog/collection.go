package catalog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mosaic/internal/textutil"
	"mosaic/where"
)

// Collection is an image collection (ArcGIS: a mosaic dataset).
type Collection struct {
	ID       int64
	Name     string
	ItemID   string  // 32 lowercase hex, as ArcGIS item ids
	SRS      string  // "EPSG:32632", or "" when unknown
	Fields   []Field // user fields, in declared order
	Boundary *Extent // extent of the primary items; nil when there are none
	Created  time.Time
	Updated  time.Time
	URL      string // <base>/arcgis/rest/services/Hosted/<name>/ImageServer
}

// Extent is an axis-aligned rectangle in the collection's spatial reference.
type Extent struct {
	XMin, YMin, XMax, YMax float64
}

// Table returns the name of the collection's item table.
func (coll *Collection) Table() string { return "items_" + strconv.FormatInt(coll.ID, 10) }

// Schema returns the fields a where clause may use: the standard fields and
// the user fields.
func (coll *Collection) Schema() where.Schema {
	s := StandardFields()
	return append(s, coll.Fields...)
}

// Field returns the field named name (case-insensitively, ASCII letters
// only: ArcGIS field names are ASCII), with its canonical name.
func (coll *Collection) Field(name string) (Field, bool) {
	for _, f := range coll.Schema() {
		if textutil.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return Field{}, false
}

// ServicePath is the path of a collection's image service under a base URL.
func ServicePath(name string) string {
	return "/arcgis/rest/services/Hosted/" + url.PathEscape(name) + "/ImageServer"
}

// NewCollection describes a collection to create.
type NewCollection struct {
	Name   string
	SRS    string // "EPSG:N", "N" or ""
	Fields []Field
}

// Validate checks a collection's name, spatial reference and fields without
// touching the catalog (the name may still be taken: CreateCollection says).
// Errors name the parameter they are about (imageCollection, srs, fields).
func (spec NewCollection) Validate() error {
	if err := validateCollectionName(spec.Name); err != nil {
		return WithParam(err, "imageCollection")
	}
	if _, err := ParseSRS(spec.SRS); err != nil {
		return WithParam(err, "srs")
	}
	return WithParam(validateFields(spec.Fields), "fields")
}

// CreateCollection creates an empty image collection with its item table.
// The name is unique, case-insensitively. It is the Go API's way to build a
// catalog (test fixtures); commands create collections through jobs.
func (c *Catalog) CreateCollection(ctx context.Context, spec NewCollection) (*Collection, error) {
	var coll *Collection
	err := c.Update(ctx, func(tx *Tx) error {
		var err error
		coll, err = tx.CreateCollection(ctx, spec)
		return err
	})
	return coll, err
}

// CreateCollection creates an empty image collection inside tx.
func (tx *Tx) CreateCollection(ctx context.Context, spec NewCollection) (*Collection, error) {
	coll, err := tx.createCollection(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("create image collection %s: %w", spec.Name, err)
	}
	return coll, nil
}

// CheckNameFree refuses a collection name that is taken, case-insensitively.
func (tx *Tx) CheckNameFree(ctx context.Context, name string) error {
	existing, err := tx.collectionByName(ctx, name)
	switch {
	case err == nil:
		return Errorf(Conflict, "image collection %q already exists", existing.Name)
	case ErrorCode(err) != NotFound:
		return err
	}
	return nil
}

func (tx *Tx) createCollection(ctx context.Context, spec NewCollection) (*Collection, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	srs, _ := ParseSRS(spec.SRS)
	if err := tx.CheckNameFree(ctx, spec.Name); err != nil {
		return nil, err
	}
	itemID, err := newItemID()
	if err != nil {
		return nil, err
	}
	now := timestamp(tx.Now)
	res, err := tx.ExecContext(ctx, `INSERT INTO collections (name, item_id, srs, created, updated) VALUES (?, ?, ?, ?, ?)`,
		spec.Name, itemID, srs, now, now)
	if err != nil {
		return nil, fmt.Errorf("insert collection: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	for i, f := range spec.Fields {
		if _, err := tx.ExecContext(ctx, `INSERT INTO collection_fields (collection_id, position, name, type) VALUES (?, ?, ?, ?)`,
			id, i, f.Name, f.Type.String()); err != nil {
			return nil, fmt.Errorf("insert field %s: %w", f.Name, err)
		}
	}
	coll := &Collection{ID: id, Name: spec.Name, ItemID: itemID, SRS: srs, Fields: append([]Field(nil), spec.Fields...),
		Created: tx.Now, Updated: tx.Now, URL: tx.c.baseURL + ServicePath(spec.Name)}
	if _, err := tx.ExecContext(ctx, itemTableDDL(coll.Table(), coll.Fields, false)); err != nil {
		return nil, fmt.Errorf("create item table: %w", err)
	}
	if _, err := tx.ExecContext(ctx, overviewIndexDDL(coll.Table())); err != nil {
		return nil, fmt.Errorf("create overview index: %w", err)
	}
	return coll, nil
}

// SetSRS gives coll, which has no spatial reference yet, the spatial
// reference srs (as the first raster added to it does).
func (tx *Tx) SetSRS(ctx context.Context, coll *Collection, srs string) error {
	if coll.SRS != "" || srs == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE collections SET srs = ? WHERE id = ? AND srs = ''", srs, coll.ID); err != nil {
		return fmt.Errorf("set spatial reference of %s: %w", coll.Name, err)
	}
	coll.SRS = srs
	return nil
}

// MaxObjectID returns the highest OBJECTID coll's items have (0 when none).
func (tx *Tx) MaxObjectID(ctx context.Context, coll *Collection) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(OBJECTID), 0) FROM "+quoteIdent(coll.Table())).Scan(&id); err != nil {
		return 0, fmt.Errorf("read highest OBJECTID of %s: %w", coll.Name, err)
	}
	return id, nil
}

func newItemID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new item id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// Ref is a parsed reference to a collection, as the ArcGIS tasks take it:
// exactly one of its fields is set.
type Ref struct {
	Name   string
	ItemID string
}

// ParseRef parses what a user gives for an image collection: its name, a
// JSON object with exactly one of the case-sensitive keys itemId, url or
// uri (a key given twice is refused), or the collection's URL (…/arcgis/rest/services/Hosted/<name>/ImageServer).
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Ref{}, Errorf(Invalid, "image collection: empty (give its name, URL, or {\"itemId\": …})")
	case strings.HasPrefix(s, "{"):
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &obj); err != nil {
			return Ref{}, Errorf(Invalid, "image collection %s: not a JSON object: %v", textutil.Excerpt(s), err)
		}
		if err := CheckJSONKeys([]byte(s), false); err != nil {
			return Ref{}, Errorf(Invalid, "image collection %s: %v", textutil.Excerpt(s), err)
		}
		if len(obj) != 1 {
			return Ref{}, Errorf(Invalid, "image collection %s: expected exactly one of the keys itemId, url, uri; got %d keys", textutil.Excerpt(s), len(obj))
		}
		for k, raw := range obj {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return Ref{}, Errorf(Invalid, "image collection %s: %s must be a string", textutil.Excerpt(s), textutil.Quote(k))
			}
			switch k {
			case "itemId":
				v = strings.ToLower(strings.TrimSpace(v))
				if len(v) != 32 || strings.Trim(v, "0123456789abcdef") != "" {
					return Ref{}, Errorf(Invalid, "image collection %s: itemId must be 32 hexadecimal digits", textutil.Excerpt(s))
				}
				return Ref{ItemID: v}, nil
			case "url":
				return parseURLRef(v)
			case "uri":
				if isURL(v) {
					return parseURLRef(v)
				}
				return ParseRef(v)
			default:
				return Ref{}, Errorf(Invalid, "image collection %s: unknown key %s (expected exactly one of itemId, url, uri; keys are case-sensitive)", textutil.Excerpt(s), textutil.Quote(k))
			}
		}
	case isURL(s):
		return parseURLRef(s)
	}
	if err := validateCollectionName(s); err != nil {
		return Ref{}, err
	}
	return Ref{Name: s}, nil
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

func parseURLRef(s string) (Ref, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || !isURL(s) {
		return Ref{}, Errorf(Invalid, "image collection URL %s is not a valid http(s) URL", textutil.Quote(s))
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	// …/arcgis/rest/services/Hosted/<name>/ImageServer, possibly under a prefix.
	n := len(parts)
	if n < 6 || !strings.EqualFold(parts[n-1], "ImageServer") || !strings.EqualFold(parts[n-3], "Hosted") ||
		!strings.EqualFold(parts[n-4], "services") || !strings.EqualFold(parts[n-5], "rest") || !strings.EqualFold(parts[n-6], "arcgis") {
		return Ref{}, Errorf(Invalid, "image collection URL %s: expected …/arcgis/rest/services/Hosted/<name>/ImageServer", textutil.Quote(s))
	}
	name := parts[n-2]
	if err := validateCollectionName(name); err != nil {
		return Ref{}, err
	}
	return Ref{Name: name}, nil
}

// Collection resolves a user's reference (see ParseRef) to a collection.
func (c *Catalog) Collection(ctx context.Context, ref string) (*Collection, error) {
	var coll *Collection
	err := c.View(ctx, func(tx *Tx) error {
		var err error
		coll, err = tx.Collection(ctx, ref)
		return err
	})
	return coll, err
}

// Collection resolves a user's reference (see ParseRef) inside tx.
func (tx *Tx) Collection(ctx context.Context, ref string) (*Collection, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	if r.ItemID != "" {
		coll, err := tx.scanCollection(ctx, "WHERE item_id = ?", r.ItemID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, Errorf(NotFound, "image collection with itemId %s not found", r.ItemID)
		}
		return coll, err
	}
	return tx.collectionByName(ctx, r.Name)
}

// CollectionByID returns the collection with the given id.
func (tx *Tx) CollectionByID(ctx context.Context, id int64) (*Collection, error) {
	coll, err := tx.scanCollection(ctx, "WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "image collection %d no longer exists", id)
	}
	return coll, err
}

func (tx *Tx) collectionByName(ctx context.Context, name string) (*Collection, error) {
	coll, err := tx.scanCollection(ctx, "WHERE name = ?", name)
	if errors.Is(err, sql.ErrNoRows) {
		names, _ := tx.collectionNames(ctx)
		known := "there are no collections"
		if len(names) > 0 {
			known = "collections: " + strings.Join(names, ", ")
		}
		return nil, Errorf(NotFound, "image collection %q not found (%s)", name, known)
	}
	return coll, err
}

func (tx *Tx) collectionNames(ctx context.Context) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name FROM collections ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

const collectionColumns = "id, name, item_id, srs, xmin, ymin, xmax, ymax, created, updated"

func (tx *Tx) scanCollection(ctx context.Context, cond string, args ...any) (*Collection, error) {
	colls, err := tx.scanCollections(ctx, cond, args...)
	if err != nil {
		return nil, err
	}
	if len(colls) == 0 {
		return nil, sql.ErrNoRows
	}
	return colls[0], nil
}

func (tx *Tx) scanCollections(ctx context.Context, cond string, args ...any) ([]*Collection, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+collectionColumns+" FROM collections "+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("read collections: %w", err)
	}
	var colls []*Collection
	for rows.Next() {
		var coll Collection
		var xmin, ymin, xmax, ymax sql.NullFloat64
		var created, updated string
		if err := rows.Scan(&coll.ID, &coll.Name, &coll.ItemID, &coll.SRS, &xmin, &ymin, &xmax, &ymax, &created, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read collections: %w", err)
		}
		if xmin.Valid && ymin.Valid && xmax.Valid && ymax.Valid {
			coll.Boundary = &Extent{xmin.Float64, ymin.Float64, xmax.Float64, ymax.Float64}
		}
		coll.Created, _ = time.Parse(DateLayout, created)
		coll.Updated, _ = time.Parse(DateLayout, updated)
		coll.URL = tx.c.baseURL + ServicePath(coll.Name)
		colls = append(colls, &coll)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read collections: %w", err)
	}
	for _, coll := range colls {
		if coll.Fields, err = tx.fields(ctx, coll.ID); err != nil {
			return nil, err
		}
	}
	return colls, nil
}

func (tx *Tx) fields(ctx context.Context, id int64) ([]Field, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name, type FROM collection_fields WHERE collection_id = ? ORDER BY position", id)
	if err != nil {
		return nil, fmt.Errorf("read fields: %w", err)
	}
	defer rows.Close()
	var fields []Field
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("read fields: %w", err)
		}
		t, err := ParseType(typ)
		if err != nil {
			return nil, Errorf(Unavailable, "collection %d field %s: %v", id, name, err)
		}
		fields = append(fields, Field{Name: name, Type: t})
	}
	return fields, rows.Err()
}

// CollectionSummary is a collection with its item count, as list-collections
// shows it.
type CollectionSummary struct {
	*Collection
	Count int64
}

// Collections lists every collection with its item count, by name.
func (c *Catalog) Collections(ctx context.Context) ([]CollectionSummary, error) {
	var out []CollectionSummary
	err := c.View(ctx, func(tx *Tx) error {
		colls, err := tx.scanCollections(ctx, "ORDER BY name")
		if err != nil {
			return err
		}
		for _, coll := range colls {
			n, err := tx.CountItems(ctx, coll)
			if err != nil {
				return err
			}
			out = append(out, CollectionSummary{Collection: coll, Count: n})
		}
		return nil
	})
	return out, err
}

// CountItems returns the number of items in coll.
func (c *Catalog) CountItems(ctx context.Context, coll *Collection) (int64, error) {
	var n int64
	err := c.View(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.CountItems(ctx, coll)
		return err
	})
	return n, err
}

// CountItems returns the number of items in coll, from its counter: it
// reads one row, whatever the number of items. Every transaction that adds,
// removes or restores items keeps the counter; `mosaic check` verifies it.
func (tx *Tx) CountItems(ctx context.Context, coll *Collection) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, "SELECT item_count FROM collections WHERE id = ?", coll.ID).Scan(&n); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, Errorf(NotFound, "image collection %s no longer exists", coll.Name)
		}
		return 0, fmt.Errorf("count items of %s: %w", coll.Name, err)
	}
	return n, nil
}

// addToCount adds delta to coll's item counter.
func (tx *Tx) addToCount(ctx context.Context, coll *Collection, delta int64) error {
	if delta == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE collections SET item_count = item_count + ? WHERE id = ?", delta, coll.ID); err != nil {
		return fmt.Errorf("count items of %s: %w", coll.Name, err)
	}
	return nil
}

func (tx *Tx) storeBoundary(ctx context.Context, coll *Collection, e *Extent) error {
	var xmin, ymin, xmax, ymax any
	if e != nil {
		xmin, ymin, xmax, ymax = e.XMin, e.YMin, e.XMax, e.YMax
	}
	if _, err := tx.ExecContext(ctx, "UPDATE collections SET xmin = ?, ymin = ?, xmax = ?, ymax = ?, updated = ? WHERE id = ?",
		xmin, ymin, xmax, ymax, timestamp(tx.Now), coll.ID); err != nil {
		return fmt.Errorf("store boundary of %s: %w", coll.Name, err)
	}
	coll.Boundary, coll.Updated = e, tx.Now
	return nil
}
