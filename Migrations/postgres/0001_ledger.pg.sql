-- The append-only ledger on PostgreSQL: the same columns and rules as Migrations/sqlite.
-- Text columns hold exactly the strings that were hashed (payload is canonical JSON, not
-- jsonb, which would reorder keys), so the golden hashes match on both stores.
CREATE TABLE ledger_entries (
    seq            bigint  PRIMARY KEY CHECK (seq > 0),
    id             uuid    NOT NULL UNIQUE,
    type           text    NOT NULL,
    schema_version integer NOT NULL,
    subject        text    NOT NULL,
    effective      text    NOT NULL,
    recorded_at    text    NOT NULL,
    author         text    NOT NULL,
    visibility     text    NOT NULL CHECK (visibility IN ('public', 'internal')),
    payload        text    NOT NULL,
    salt           text    NOT NULL,
    prev_hash      text    NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash           text    NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);

CREATE INDEX ledger_entries_subject ON ledger_entries (subject, seq);

-- Nothing is ever updated, deleted or truncated: corrections are new entries. A
-- statement-level trigger fires even when no row matches, and RAISE fails loudly where
-- a RULE would drop the write silently.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER schema_migrations_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON schema_migrations
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- The database itself keeps seq gap-free and the chain linked, whoever writes. Writers
-- are serialised by the same transaction-scoped advisory lock the store takes (advisory
-- locks need no table privilege, so an INSERT/SELECT-only role can hold it); the lock is
-- re-entrant, so taking it again per row costs little.
CREATE FUNCTION ledger_entries_follow_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_seq  bigint;
    head_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(7262616760393318401);
    SELECT seq, hash INTO head_seq, head_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1;
    IF NEW.seq IS DISTINCT FROM coalesce(head_seq, 0) + 1
       OR NEW.prev_hash IS DISTINCT FROM coalesce(head_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'ledger_entries: an entry must follow the head (seq = head + 1, prev_hash = head hash)'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER ledger_entries_chain
    BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_follow_head();
