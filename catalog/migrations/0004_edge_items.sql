-- 0004: the most extreme primary items of each collection, per edge of its
-- boundary, so that the boundary after a removal is known without reading
-- the collection again (catalog/edges.go). migrateEdges fills it.
CREATE TABLE edge_items (
    collection_id INTEGER NOT NULL, -- no foreign key: kept while a deleted collection can come back
    edge          INTEGER NOT NULL CHECK (edge BETWEEN 0 AND 3), -- 0 XMin, 1 YMin, 2 XMax, 3 YMax
    value         REAL    NOT NULL,
    objectid      INTEGER NOT NULL,
    PRIMARY KEY (collection_id, edge, objectid)
) WITHOUT ROWID;
