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

-- A log's tree only grows, and never past the entries it covers. Signers take the same
-- advisory lock as writers of entries, so two signers cannot interleave.
CREATE FUNCTION log_checkpoints_grow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.tree_size < (SELECT coalesce(max(tree_size), 0) FROM log_checkpoints)
       OR NEW.tree_size > (SELECT coalesce(max(seq), 0) FROM ledger_entries) THEN
        RAISE EXCEPTION 'log_checkpoints: a checkpoint must cover at least the latest one''s entries and no more than the ledger holds'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER log_checkpoints_grow
    BEFORE INSERT ON log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION log_checkpoints_grow();
