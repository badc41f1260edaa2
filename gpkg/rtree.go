package gpkg

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"
)

// maxBulkRTree is the most features whose boxes the writer keeps in memory
// (24 bytes each: 192 MiB) to pack the R-tree. Past it, Close fills the
// R-tree through SQLite's own insertion: slower, but in flat memory. A
// variable so that tests can take the other way.
var maxBulkRTree = 8 << 20

// rtEntry is a cell of an SQLite R-tree node: a feature (in a leaf) or a
// child node, and its box as the R-tree stores it, in 32-bit floats rounded
// outwards, in SQLite's order minx, maxx, miny, maxy.
type rtEntry struct {
	id  int64
	box [4]float32
}

// newRTEntry rounds e outwards to float32 as SQLite's R-tree does
// (rtreeValueDown, rtreeValueUp), so that the box still holds the geometry.
func newRTEntry(id int64, e Envelope) rtEntry {
	down := func(d float64) float32 {
		f := float32(d)
		if float64(f) > d {
			f = math.Nextafter32(f, float32(math.Inf(-1)))
		}
		return f
	}
	up := func(d float64) float32 {
		f := float32(d)
		if float64(f) < d {
			f = math.Nextafter32(f, float32(math.Inf(1)))
		}
		return f
	}
	return rtEntry{id: id, box: [4]float32{down(e.MinX), up(e.MaxX), down(e.MinY), up(e.MaxY)}}
}

// union returns the box of a group of cells.
func union(cells []rtEntry) [4]float32 {
	b := cells[0].box
	for _, c := range cells[1:] {
		b[0], b[1] = min(b[0], c.box[0]), max(b[1], c.box[1])
		b[2], b[3] = min(b[2], c.box[2]), max(b[3], c.box[3])
	}
	return b
}

// strGroups packs cells into nodes of at most m by Sort-Tile-Recursive
// (Leutenegger et al. 1997): sort by x center, cut into vertical slices of
// about sqrt(nodes) nodes each, sort each slice by y center, cut it into
// nodes. It reorders cells in place.
func strGroups(cells []rtEntry, m int) [][]rtEntry {
	nodes := (len(cells) + m - 1) / m
	slices := int(math.Ceil(math.Sqrt(float64(nodes))))
	per := slices * m
	cx := func(c rtEntry) float32 { return c.box[0]/2 + c.box[1]/2 }
	cy := func(c rtEntry) float32 { return c.box[2]/2 + c.box[3]/2 }
	sort.Slice(cells, func(i, j int) bool { return cx(cells[i]) < cx(cells[j]) })
	groups := make([][]rtEntry, 0, nodes)
	for s := 0; s < len(cells); s += per {
		slice := cells[s:min(s+per, len(cells))]
		sort.Slice(slice, func(i, j int) bool { return cy(slice[i]) < cy(slice[j]) })
		for g := 0; g < len(slice); g += m {
			groups = append(groups, slice[g:min(g+m, len(slice))])
		}
	}
	return groups
}

// bulkLoadRTree fills the empty R-tree virtual table name with cells packed
// bottom-up by STR, writing SQLite's R-tree shadow tables directly, as GDAL's
// GeoPackage driver does (rtree_bulk_load): name_node holds each node as a
// blob of the table's node size (2-byte depth, in the root only; 2-byte cell
// count; cells of an 8-byte id and four 4-byte floats, all big-endian),
// node 1 being the root; name_rowid maps each feature to its leaf,
// name_parent each other node to its parent. SQLite's R*-tree code then
// edits the tree like one it built. The table's own connection must not use
// it afterwards: its cached root depth would be stale.
func bulkLoadRTree(ctx context.Context, tx *sql.Tx, name string, cells []rtEntry) error {
	if len(cells) == 0 {
		return nil // CREATE VIRTUAL TABLE left an empty root
	}
	var size int
	if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT length(data) FROM %s WHERE nodeno = 1", mustQuote(name+"_node"))).Scan(&size); err != nil {
		return err
	}
	const cellSize = 8 + 4*4
	m := (size - 4) / cellSize
	if m < 3 {
		return fmt.Errorf("R-tree node size %d", size)
	}
	nodes := newBatchInsert(ctx, tx, name+"_node", "nodeno, data", 2)
	rowids := newBatchInsert(ctx, tx, name+"_rowid", "rowid, nodeno", 2)
	parents := newBatchInsert(ctx, tx, name+"_parent", "nodeno, parentnode", 2)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s", mustQuote(name+"_node"))); err != nil {
		return err
	}

	write := func(nodeno int64, depth int, children []rtEntry, leaf bool) error {
		blob := make([]byte, size)
		binary.BigEndian.PutUint16(blob[0:], uint16(depth))
		binary.BigEndian.PutUint16(blob[2:], uint16(len(children)))
		p := blob[4:]
		for _, c := range children {
			binary.BigEndian.PutUint64(p, uint64(c.id))
			for i, v := range c.box {
				binary.BigEndian.PutUint32(p[8+4*i:], math.Float32bits(v))
			}
			p = p[cellSize:]
			var err error
			if leaf {
				err = rowids.add(c.id, nodeno)
			} else {
				err = parents.add(c.id, nodeno)
			}
			if err != nil {
				return err
			}
		}
		return nodes.add(nodeno, blob)
	}

	level, leaf, depth := cells, true, 0
	next := int64(2)
	for len(level) > m {
		groups := strGroups(level, m)
		up := make([]rtEntry, len(groups))
		for i, g := range groups {
			up[i] = rtEntry{id: next, box: union(g)}
			if err := write(next, 0, g, leaf); err != nil {
				return err
			}
			next++
		}
		level, leaf = up, false
		depth++
	}
	if depth > 40 {
		return fmt.Errorf("R-tree depth %d", depth)
	}
	if err := write(1, depth, level, leaf); err != nil {
		return err
	}
	for _, b := range []*batchInsert{nodes, rowids, parents} {
		if err := b.flush(); err != nil {
			return err
		}
	}
	return nil
}

// batchInsert inserts rows many to a statement: one INSERT per row costs
// more in database/sql than SQLite spends storing it.
type batchInsert struct {
	ctx   context.Context
	tx    *sql.Tx
	table string
	cols  string
	width int
	args  []any
	full  *sql.Stmt
}

const batchRows = 256

func newBatchInsert(ctx context.Context, tx *sql.Tx, table, cols string, width int) *batchInsert {
	return &batchInsert{ctx: ctx, tx: tx, table: table, cols: cols, width: width, args: make([]any, 0, batchRows*width)}
}

func (b *batchInsert) query(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", b.width), ",") + ")"
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", mustQuote(b.table), b.cols, strings.TrimSuffix(strings.Repeat(one+",", rows), ","))
}

func (b *batchInsert) add(vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) < batchRows*b.width {
		return nil
	}
	if b.full == nil {
		var err error
		if b.full, err = b.tx.PrepareContext(b.ctx, b.query(batchRows)); err != nil {
			return err
		}
	}
	_, err := b.full.ExecContext(b.ctx, b.args...)
	b.args = b.args[:0]
	return err
}

func (b *batchInsert) flush() error {
	if b.full != nil {
		defer b.full.Close()
	}
	if len(b.args) == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(b.ctx, b.query(len(b.args)/b.width), b.args...)
	b.args = b.args[:0]
	return err
}
