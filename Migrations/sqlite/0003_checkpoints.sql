-- Every signed checkpoint (C2SP tlog-checkpoint) of the ledger's Merkle tree, kept like the
-- entries: append-only, so `verify` can prove that the chain still hashes to every root the
-- coalition signed. The note is stored exactly as signed; the private key never is.
CREATE TABLE log_checkpoints (
    number       INTEGER PRIMARY KEY,
    tree_size    INTEGER NOT NULL CHECK (tree_size >= 0),
    root_hash    TEXT    NOT NULL CHECK (length(root_hash) = 44),
    note         TEXT    NOT NULL,
    verifier_key TEXT    NOT NULL,
    signed_at    TEXT    NOT NULL
) STRICT;

CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'log_checkpoints is append-only: UPDATE is not allowed');
END;

CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'log_checkpoints is append-only: DELETE is not allowed');
END;

-- A checkpoint covers entries the ledger holds. (An earlier size may be signed later, for
-- a report rebuilt with --known-at: any prefix of a consistent tree is consistent.)
CREATE TRIGGER log_checkpoints_cover_entries BEFORE INSERT ON log_checkpoints
WHEN NEW.tree_size > (SELECT coalesce(max(seq), 0) FROM ledger_entries)
BEGIN
    SELECT RAISE(ABORT, 'log_checkpoints: a checkpoint cannot cover more entries than the ledger holds');
END;

CREATE INDEX log_checkpoints_size ON log_checkpoints (tree_size, number);

-- Each edition of a month's public report the server has published, at a signed checkpoint:
-- rebuilt from the ledger at that size, it is the same bytes forever. A month's report
-- changes when entries dated in that month are recorded later; what was published stays
-- checkable. Kept like the entries: append-only, numbered 1, 2, … per month.
CREATE TABLE report_editions (
    month             TEXT    NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    edition           INTEGER NOT NULL CHECK (edition >= 1),
    tree_size         INTEGER NOT NULL CHECK (tree_size >= 0),
    checkpoint_number INTEGER NOT NULL REFERENCES log_checkpoints (number),
    content_hash      TEXT    NOT NULL,
    changed_seqs      TEXT    NOT NULL,
    published_at      TEXT    NOT NULL,
    PRIMARY KEY (month, edition)
) STRICT;

CREATE TRIGGER report_editions_no_update BEFORE UPDATE ON report_editions
BEGIN
    SELECT RAISE(ABORT, 'report_editions is append-only: UPDATE is not allowed');
END;

CREATE TRIGGER report_editions_no_delete BEFORE DELETE ON report_editions
BEGIN
    SELECT RAISE(ABORT, 'report_editions is append-only: DELETE is not allowed');
END;

CREATE TRIGGER report_editions_in_order BEFORE INSERT ON report_editions
WHEN NEW.edition IS NOT (SELECT coalesce(max(edition), 0) + 1 FROM report_editions WHERE month = NEW.month)
BEGIN
    SELECT RAISE(ABORT, 'report_editions: editions of a month are numbered 1, 2, … in order');
END;
