-- The append-only ledger. Every row is one entry of the hash chain; see DESIGN.md.
CREATE TABLE ledger_entries (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    subject        TEXT    NOT NULL,
    effective      TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    author         TEXT    NOT NULL,
    visibility     TEXT    NOT NULL CHECK (visibility IN ('public', 'internal')),
    payload        TEXT    NOT NULL,
    salt           TEXT    NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL
) STRICT;

CREATE INDEX ledger_entries_subject ON ledger_entries (subject, seq);

-- Nothing is ever updated or deleted: corrections are new entries.
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: UPDATE is not allowed');
END;

CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: DELETE is not allowed');
END;

-- The database itself keeps seq gap-free and the chain linked, whoever writes.
CREATE TRIGGER ledger_entries_chain BEFORE INSERT ON ledger_entries
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM ledger_entries)
  OR NEW.prev_hash IS NOT coalesce(
        (SELECT hash FROM ledger_entries WHERE seq = NEW.seq - 1),
        '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries: an entry must follow the head (seq = head + 1, prev_hash = head hash)');
END;
