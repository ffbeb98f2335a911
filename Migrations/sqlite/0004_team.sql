-- The team workspace's people and sessions (`ledgerctl user …`, /team/ on the server).
-- Access settings, not ledger entries: they change (a password chosen, a session ended), so
-- they live beside the append-only chain, never in it. Times are seconds since 1970, UTC.
-- Only digests are stored: bcrypt of a password, SHA-256 of a set-up link's or cookie's secret.
CREATE TABLE team_members (
    name             TEXT PRIMARY KEY,
    role             TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    email            TEXT,
    password_hash    TEXT,
    setup_digest     TEXT UNIQUE CHECK (length(setup_digest) = 64),
    setup_expires_at INTEGER,
    disabled_at      INTEGER,
    created_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE team_sessions (
    digest       TEXT PRIMARY KEY CHECK (length(digest) = 64),
    member       TEXT NOT NULL REFERENCES team_members (name),
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ended_at     INTEGER
) STRICT;

CREATE INDEX team_sessions_member ON team_sessions (member) WHERE ended_at IS NULL;

-- One row per failed sign-in per key (`member:NAME`, `address:IP`): the throttle counts them.
CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
) STRICT;

CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
