-- The team workspace's people and sessions (`ledgerctl user …`, /team/ on the server).
-- Access settings, not ledger entries: they change (a password chosen, a session ended), so
-- they live beside the append-only chain, never in it. Times are seconds since 1970, UTC.
-- Only digests are stored: bcrypt of a password, SHA-256 of a set-up link's or cookie's secret.
-- Every server of a deployment reads sessions from here, so a cookie works on each of them
-- and a disabled person is signed out of all of them at once.
CREATE TABLE team_members (
    name             text PRIMARY KEY,
    role             text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    email            text,
    password_hash    text,
    setup_digest     text UNIQUE CHECK (setup_digest ~ '^[0-9a-f]{64}$'),
    setup_expires_at bigint,
    disabled_at      bigint,
    created_at       bigint NOT NULL
);

CREATE TABLE team_sessions (
    digest       text PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
    member       text NOT NULL REFERENCES team_members (name),
    csrf_token   text NOT NULL,
    created_at   bigint NOT NULL,
    last_seen_at bigint NOT NULL,
    ended_at     bigint
);

CREATE INDEX team_sessions_member ON team_sessions (member) WHERE ended_at IS NULL;

-- One row per failed sign-in per key (`member:NAME`, `address:IP`): the throttle counts them.
CREATE TABLE sign_in_failures (
    key text NOT NULL,
    at  bigint NOT NULL
);

CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
