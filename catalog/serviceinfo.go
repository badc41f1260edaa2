package catalog

import (
	"context"
	"database/sql"
	"fmt"
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
	// earliest and latest of its primary items' values, nil when none has
	// one.
	TimeField  string
	TimeExtent *[2]time.Time
}

// ServiceInfo returns what an image service says of coll, in a few
// look-ups whatever its size: the count from the collection's counter, the
// time extent from its edge items (edges.go).
func (c *Catalog) ServiceInfo(ctx context.Context, coll *Collection) (ServiceInfo, error) {
	var info ServiceInfo
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
		if tf, ok := coll.TimeField(); ok {
			info.TimeField = tf.Name
		}
		info.TimeExtent, err = tx.timeExtent(ctx, coll)
		return err
	})
	if err != nil {
		return ServiceInfo{}, err
	}
	return info, nil
}
