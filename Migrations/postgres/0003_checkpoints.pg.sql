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
