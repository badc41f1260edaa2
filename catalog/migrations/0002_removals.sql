-- 0002: removals fixed at submission and done when a job runs, the item
-- counter, catalog settings, and the lists of removed items that outlive
-- purged undo logs (issue 9). catalog/migrate.go (migrateJobsAndCounts)
-- fills the counters and carries older jobs over.

-- What a DeleteImage removes is fixed at submission by these two and its
-- collection: the job never touches an item above high_oid, and clause is
-- the where clause compiled with "now" bound to the submission time:
-- {"sql": "…", "args": [{"i": 1}, {"f": 2.5}, {"s": "x"}]}.
ALTER TABLE jobs ADD COLUMN high_oid INTEGER;
ALTER TABLE jobs ADD COLUMN clause TEXT;
-- How the undo table keeps the removed rows (catalog.UndoKind): 'rows' (it
-- holds exactly the rows removed, up to cursor), 'swap' (it is the
-- collection's former item table; the removed rows are those clause selects
-- up to high_oid), 'collection' (it is a deleted collection's item table).
ALTER TABLE jobs ADD COLUMN strategy TEXT;
ALTER TABLE jobs ADD COLUMN estimated INTEGER NOT NULL DEFAULT 0; -- 1 while total is an estimate
ALTER TABLE jobs ADD COLUMN purged TEXT;                           -- when the undo log was purged

-- The number of items of each collection, kept by every transaction that
-- adds, removes or restores items: list-collections and the service info
-- read it instead of counting.
ALTER TABLE collections ADD COLUMN item_count INTEGER NOT NULL DEFAULT 0;

-- Catalog settings (mosaic config): name -> value.
CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The OBJECTID and Name of the items a job removed, kept when its undo
-- log is purged (or its collection comes back): deflate-compressed chunks,
-- see catalog/removed.go.
CREATE TABLE removed_lists (
    job_seq INTEGER NOT NULL REFERENCES jobs(seq) ON DELETE CASCADE,
    first   INTEGER NOT NULL, -- the first OBJECTID of the chunk
    n       INTEGER NOT NULL, -- items in the chunk
    data    BLOB    NOT NULL,
    PRIMARY KEY (job_seq, first)
) WITHOUT ROWID;
