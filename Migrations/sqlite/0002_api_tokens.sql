-- Bearer tokens for the write API (`ledgerctl token add`). Only the SHA-256 of a token is
-- stored. Tokens are access settings, not ledger entries, but they are kept for the record:
-- a token is revoked (once), never deleted, so who could write when stays known.
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    digest     TEXT NOT NULL UNIQUE CHECK (length(digest) = 64 AND digest NOT GLOB '*[^0-9a-f]*'),
    created_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;

-- One live token per name: the name becomes the author of what the token writes.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;

CREATE TRIGGER api_tokens_no_delete BEFORE DELETE ON api_tokens
BEGIN
    SELECT RAISE(ABORT, 'api_tokens: a token is revoked, never deleted');
END;

CREATE TRIGGER api_tokens_revoke_only BEFORE UPDATE ON api_tokens
WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.name IS NOT OLD.name OR NEW.digest IS NOT OLD.digest OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'api_tokens: the only change allowed is revoking a live token');
END;
