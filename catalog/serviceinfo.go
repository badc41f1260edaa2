package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// ServiceInfo is what an image service says of its collection beyond the
// collection's own row: its item count, the raster properties it takes
// from its first raster, and the extent of its items' times.
type ServiceInfo struct {
	Count int64
	// BandCount, PixelType and CellSize are the first primary item's (the
	// lowest OBJECTID), as ArcGIS takes a mosaic dataset's pixel type and
	// band count from the first raster added when none was set. Zero or ""
	// when unknown (no primary item, or one registered by a manifest that
	// did not give them).
	BandCount int
	PixelType string
	CellSize  float64
	// TimeField is the collection's time field (TimeField); TimeExtent the
	// earliest and latest of its values, nil when no item has one.
	TimeField  string
	TimeExtent *[2]time.Time
}

// ServiceInfo returns what an image service says of coll. The time extent
// needs a scan of the items: it is remembered until the catalog changes.
func (c *Catalog) ServiceInfo(ctx context.Context, coll *Collection) (ServiceInfo, error) {
	var info ServiceInfo
	tf, hasTime := coll.TimeField()
	key := "info " + strconv.FormatInt(coll.ID, 10)
	v, verr := c.pages.dataVersion(ctx, c.db)
	var cached *[2]time.Time
	known := false
	if verr == nil && hasTime {
		cached, known = c.pages.timeExtent(key, v)
	}
	trusted := false
	all, err := coll.Select(Query{Fields: []string{"OBJECTID"}})
	if err != nil {
		return ServiceInfo{}, err
	}
	if info.Count, err = c.pages.count(ctx, c, all); err != nil {
		return ServiceInfo{}, err
	}
	err = c.View(ctx, func(tx *Tx) error {
		table := quoteIdent(coll.Table())
		var bands sql.NullInt64
		var ptype sql.NullString
		var cell sql.NullFloat64
		err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT BandCount, PixelType, LowPS FROM %s WHERE Category = %d ORDER BY OBJECTID LIMIT 1", table, CategoryPrimary)).
			Scan(&bands, &ptype, &cell)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("read the first item of %s: %w", coll.Name, err)
		}
		info.BandCount, info.PixelType, info.CellSize = int(bands.Int64), ptype.String, cell.Float64
		if !hasTime {
			return nil
		}
		info.TimeField = tf.Name
		if known {
			return nil
		}
		var lo, hi sql.NullString
		col := quoteIdent(tf.Name)
		if err := tx.QueryRowContext(ctx, "SELECT min("+col+"), max("+col+") FROM "+table).Scan(&lo, &hi); err != nil {
			return fmt.Errorf("read the time extent of %s: %w", coll.Name, err)
		}
		if lo.Valid && hi.Valid {
			a, err1 := time.Parse(DateLayout, lo.String)
			b, err2 := time.Parse(DateLayout, hi.String)
			if err1 == nil && err2 == nil {
				cached = &[2]time.Time{a, b}
			}
		}
		if verr == nil {
			v2, err := c.pages.dataVersion(ctx, c.db)
			trusted = err == nil && v2 == v
		}
		return nil
	})
	if err != nil {
		return ServiceInfo{}, err
	}
	info.TimeExtent = cached
	if trusted && !known {
		c.pages.setTimeExtent(key, v, cached)
	}
	return info, nil
}

// timeExtent returns the time extent remembered for key at version v.
func (p *pageCache) timeExtent(key string, v int64) (*[2]time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok || e.version != v || !e.hasTime {
		return nil, false
	}
	return e.timeExtent, true
}

func (p *pageCache) setTimeExtent(key string, v int64, te *[2]time.Time) {
	p.update(key, v, func(e *pageEntry) { e.timeExtent, e.hasTime = te, true })
}
