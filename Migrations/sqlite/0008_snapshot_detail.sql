-- Each audience keeps two snapshots: the full fold, and its structure alone (Ledger's
-- LedgerRecords.Detail), which `status` reads without loading every note. SQLite cannot
-- change a primary key in place, so the table is rebuilt; the snapshots kept so far are
-- full folds and stay.
CREATE TABLE projection_snapshots_by_detail (
    audience         TEXT NOT NULL CHECK (audience IN ('public', 'internal')),
    detail           TEXT NOT NULL CHECK (detail IN ('full', 'structure')),
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
INSERT INTO projection_snapshots_by_detail (audience, detail, part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body)
    SELECT audience, 'full', part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body FROM projection_snapshots;
DROP TABLE projection_snapshots;
ALTER TABLE projection_snapshots_by_detail RENAME TO projection_snapshots;
