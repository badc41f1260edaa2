-- 0005: edge_items also keeps, for a collection with a time field, its
-- earliest (edge 4) and latest (edge 5) primary items, so that the image
-- service's time extent is read without a scan (catalog/edges.go). SQLite
-- cannot change a CHECK, so the table is made again; migrateTimeEdges
-- then fills the new edges.
CREATE TABLE edge_items_new (
    collection_id INTEGER NOT NULL, -- no foreign key: kept while a deleted collection can come back
    edge          INTEGER NOT NULL CHECK (edge BETWEEN 0 AND 5), -- 0 XMin, 1 YMin, 2 XMax, 3 YMax, 4 earliest, 5 latest time
    value         REAL    NOT NULL, -- a time in seconds since 1970 (unixepoch)
    objectid      INTEGER NOT NULL,
    PRIMARY KEY (collection_id, edge, objectid)
) WITHOUT ROWID;
INSERT INTO edge_items_new SELECT collection_id, edge, value, objectid FROM edge_items;
DROP TABLE edge_items;
ALTER TABLE edge_items_new RENAME TO edge_items;
-- Bit e of edges_emptied: the prefix of edge e was emptied by a removal
-- and is to be filled again when it finishes. An empty prefix without it
-- means that no primary item has a value for that edge (no dates, or only
-- overviews), and items added with one enter it at once.
ALTER TABLE collections ADD COLUMN edges_emptied INTEGER NOT NULL DEFAULT 0;
