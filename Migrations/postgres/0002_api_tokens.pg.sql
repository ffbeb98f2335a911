-- Bearer tokens for the write API (`ledgerctl token add`). Only the SHA-256 of a token is
-- stored. Tokens are access settings, not ledger entries, but they are kept for the record:
-- a token is revoked (once), never deleted, so who could write when stays known.
CREATE TABLE api_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    digest     text NOT NULL UNIQUE CHECK (digest ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- One live token per name: the name becomes the author of what the token writes.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;

CREATE FUNCTION api_tokens_revoke_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
       AND NEW.id = OLD.id AND NEW.name = OLD.name AND NEW.digest = OLD.digest AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'api_tokens: the only change allowed is revoking a live token' USING ERRCODE = '23001';
END;
$$;

CREATE TRIGGER api_tokens_revoke_only
    BEFORE UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION api_tokens_revoke_only();

CREATE TRIGGER api_tokens_no_truncate
    BEFORE TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
