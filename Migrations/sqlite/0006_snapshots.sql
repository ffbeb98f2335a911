-- Snapshots of the fold of the chain (Ledger's ProjectionSnapshot): a cache beside the
-- chain, never part of it. One per audience, replaced as the chain grows, used only while
-- the chain still holds the entry it was built up to; deleting them changes nothing but
-- speed. Stored in parts of at most 64 MB: both databases cap a value at 1 GB, and a
-- snapshot of three million entries is larger.
CREATE TABLE projection_snapshots (
    audience         TEXT NOT NULL CHECK (audience IN ('public', 'internal')),
    part             INTEGER NOT NULL CHECK (part >= 0),
    seq              INTEGER NOT NULL CHECK (seq > 0),
    head_hash        TEXT NOT NULL CHECK (length(head_hash) = 64),
    head_recorded_at TEXT,
    merkle_root      TEXT NOT NULL CHECK (length(merkle_root) = 64),
    format           INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    body             BLOB NOT NULL,
    PRIMARY KEY (audience, part)
) STRICT;
