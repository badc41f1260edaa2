-- 0003: auto_vacuum=INCREMENTAL, so that a purge gives the space of undo
-- logs back to the file system. Done in Go before this (empty) transaction:
-- catalog/migrate.go, vacuumToIncremental, because VACUUM cannot run inside
-- a transaction.
SELECT 1;
