-- The snapshots of a fold's structure give way to its counts (Ledger's
-- LedgerRecords.Detail.counts: follow-ups counted, not kept), which status, show, log and
-- the monthly report read. SQLite cannot change a CHECK in place, so the table is rebuilt,
-- with the full snapshots; the structure ones are a cache nothing reads any more.
CREATE TABLE projection_snapshots_with_counts (
    audience         TEXT NOT NULL CHECK (audience IN ('public', 'internal')),
    detail           TEXT NOT NULL CHECK (detail IN ('full', 'counts')),
    part             INTEGER NOT NULL CHECK (part >= 0),
    seq              INTEGER NOT NULL CHECK (seq > 0),
    head_hash        TEXT NOT NULL CHECK (length(head_hash) = 64),
    head_recorded_at TEXT,
    merkle_root      TEXT NOT NULL CHECK (length(merkle_root) = 64),
    format           INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    body             BLOB NOT NULL,
    PRIMARY KEY (audience, detail, part)
) STRICT;
INSERT INTO projection_snapshots_with_counts (audience, detail, part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body)
    SELECT audience, detail, part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body FROM projection_snapshots
    WHERE detail = 'full';
DROP TABLE projection_snapshots;
ALTER TABLE projection_snapshots_with_counts RENAME TO projection_snapshots;
