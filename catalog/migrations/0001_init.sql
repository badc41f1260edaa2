-- 0001: collections, their user fields, and jobs.
-- Item tables (items_<collection id>) and undo tables (undo_<job seq>) are
-- created at run time from each collection's fields; see catalog/schema.go.

PRAGMA application_id = 1297044289; -- 'MOSA': marks the file as a mosaic catalog

CREATE TABLE collections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: undo tables and jobs refer to it
    name       TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    item_id    TEXT    NOT NULL UNIQUE CHECK (length(item_id) = 32),
    srs        TEXT    NOT NULL DEFAULT '',       -- 'EPSG:32632', or '' when unknown
    xmin       REAL, ymin REAL, xmax REAL, ymax REAL, -- boundary of the primary items; NULL when none
    created    TEXT    NOT NULL,                  -- 'YYYY-MM-DD HH:MM:SS' UTC
    updated    TEXT    NOT NULL
);

CREATE TABLE collection_fields (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT    NOT NULL COLLATE NOCASE,
    type          TEXT    NOT NULL CHECK (type IN ('INTEGER', 'REAL', 'TEXT', 'DATE')),
    PRIMARY KEY (collection_id, name)
);

CREATE TABLE jobs (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,      -- 'j' + 32 lowercase hex
    task            TEXT    NOT NULL,             -- DeleteImage, DeleteImageCollection, UndoJob
    status          TEXT    NOT NULL,             -- esriJob*
    collection_id   INTEGER,                      -- no foreign key: a job outlives its collection
    collection_name TEXT    NOT NULL DEFAULT '',
    inputs          TEXT    NOT NULL DEFAULT '{}', -- JSON object: parameter name -> value
    undo_table      TEXT,                         -- the job's snapshot of claimed rows, when it has one
    undo_info       TEXT,                         -- JSON the undo needs beyond the rows
    total           INTEGER NOT NULL DEFAULT 0,   -- items in the snapshot
    done            INTEGER NOT NULL DEFAULT 0,   -- items removed so far
    cursor          INTEGER NOT NULL DEFAULT 0,   -- highest OBJECTID of the snapshot processed
    result          TEXT,                         -- JSON value of the 'result' parameter
    owner           TEXT,                         -- host/boot/pid/start of the process running it
    heartbeat       TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    undone_by       TEXT,                         -- id of the job that undid this one
    submitted       TEXT    NOT NULL,
    started         TEXT,
    finished        TEXT
);
CREATE INDEX jobs_collection ON jobs (collection_id, status);

CREATE TABLE job_messages (
    job_seq     INTEGER NOT NULL REFERENCES jobs(seq) ON DELETE CASCADE,
    n           INTEGER NOT NULL,
    type        TEXT    NOT NULL,                 -- esriJobMessageType*
    description TEXT    NOT NULL,
    PRIMARY KEY (job_seq, n)
);
