-- Every signed checkpoint (C2SP tlog-checkpoint) of the ledger's Merkle tree, kept like the
-- entries: append-only, so `verify` can prove that the chain still hashes to every root the
-- coalition signed. The note is stored exactly as signed; the private key never is.
CREATE TABLE log_checkpoints (
    number       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tree_size    bigint NOT NULL CHECK (tree_size >= 0),
    root_hash    text   NOT NULL CHECK (length(root_hash) = 44),
    note         text   NOT NULL,
    verifier_key text   NOT NULL,
    signed_at    text   NOT NULL
);

CREATE TRIGGER log_checkpoints_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON log_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- A checkpoint covers entries the ledger holds. (An earlier size may be signed later, for
-- a report rebuilt with --known-at: any prefix of a consistent tree is consistent.)
-- Signers take the same advisory lock as writers of entries.
CREATE FUNCTION log_checkpoints_cover_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.tree_size > (SELECT coalesce(max(seq), 0) FROM ledger_entries) THEN
        RAISE EXCEPTION 'log_checkpoints: a checkpoint cannot cover more entries than the ledger holds'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER log_checkpoints_cover_entries
    BEFORE INSERT ON log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION log_checkpoints_cover_entries();

CREATE INDEX log_checkpoints_size ON log_checkpoints (tree_size, number);

-- Each edition of a month's public report the server has published, at a signed checkpoint:
-- rebuilt from the ledger at that size, it is the same bytes forever. A month's report
-- changes when entries dated in that month are recorded later; what was published stays
-- checkable. Kept like the entries: append-only, numbered 1, 2, … per month.
CREATE TABLE report_editions (
    month             text   NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    edition           int    NOT NULL CHECK (edition >= 1),
    tree_size         bigint NOT NULL CHECK (tree_size >= 0),
    checkpoint_number bigint NOT NULL REFERENCES log_checkpoints (number),
    content_hash      text   NOT NULL,
    changed_seqs      text   NOT NULL,
    published_at      text   NOT NULL,
    PRIMARY KEY (month, edition)
);

CREATE TRIGGER report_editions_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON report_editions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE FUNCTION report_editions_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.edition <> (SELECT coalesce(max(edition), 0) + 1 FROM report_editions WHERE month = NEW.month) THEN
        RAISE EXCEPTION 'report_editions: editions of a month are numbered 1, 2, … in order'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER report_editions_in_order
    BEFORE INSERT ON report_editions
    FOR EACH ROW EXECUTE FUNCTION report_editions_in_order();
