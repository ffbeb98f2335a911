-- A third snapshot per audience: the counts fold (Ledger's LedgerRecords.Detail.counts),
-- which `status` reads: follow-ups counted, not kept. SQLite cannot change a CHECK in place,
-- so the table is rebuilt with its snapshots.
CREATE TABLE projection_snapshots_with_counts (
    audience         TEXT NOT NULL CHECK (audience IN ('public', 'internal')),
    detail           TEXT NOT NULL CHECK (detail IN ('full', 'structure', 'counts')),
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
    SELECT audience, detail, part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body FROM projection_snapshots;
DROP TABLE projection_snapshots;
ALTER TABLE projection_snapshots_with_counts RENAME TO projection_snapshots;
