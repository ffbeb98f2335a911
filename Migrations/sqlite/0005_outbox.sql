-- Calendars, reminders and webhooks: per-person settings, and the server's outbox. Like the
-- team's tables, settings and delivery state beside the chain, never in it. Times are
-- seconds since 1970, UTC.
ALTER TABLE team_members ADD COLUMN calendar_digest TEXT CHECK (length(calendar_digest) = 64);
ALTER TABLE team_members ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es'));
ALTER TABLE team_members ADD COLUMN notify_weekly INTEGER NOT NULL DEFAULT 0;
ALTER TABLE team_members ADD COLUMN notify_overdue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE team_members ADD COLUMN notify_since INTEGER;

CREATE UNIQUE INDEX team_members_calendar ON team_members (calendar_digest);

-- Each message made once (its key names what and for whom), kept as sent, so a restart
-- never sends it twice and a failure is retried with the same bytes.
CREATE TABLE mail_deliveries (
    key             TEXT PRIMARY KEY,
    member          TEXT NOT NULL REFERENCES team_members (name),
    message         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT
) STRICT;

CREATE INDEX mail_deliveries_due ON mail_deliveries (next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,
    secret          TEXT NOT NULL,
    public_only     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    removed_at      INTEGER,
    delivered_seq   INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
) STRICT;

CREATE TABLE webhook_deliveries (
    hook_id INTEGER NOT NULL REFERENCES webhooks (id),
    seq     INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    status  INTEGER,
    error   TEXT
) STRICT;

CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (hook_id, at);
