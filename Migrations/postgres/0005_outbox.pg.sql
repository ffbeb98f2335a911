-- Calendars, reminders and webhooks: per-person settings, and the server's outbox. Like the
-- team's tables, settings and delivery state beside the chain, never in it. Times are
-- seconds since 1970, UTC.
ALTER TABLE team_members
    ADD COLUMN calendar_digest text CHECK (calendar_digest ~ '^[0-9a-f]{64}$'),
    ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
    ADD COLUMN notify_weekly boolean NOT NULL DEFAULT false,
    ADD COLUMN notify_overdue boolean NOT NULL DEFAULT false,
    ADD COLUMN notify_since bigint;

CREATE UNIQUE INDEX team_members_calendar ON team_members (calendar_digest);

-- Each message made once (its key names what and for whom), kept as sent, so a restart
-- never sends it twice and a failure is retried with the same bytes. Several servers may
-- share the outbox: the key makes one of them the sender.
CREATE TABLE mail_deliveries (
    key             text PRIMARY KEY,
    member          text NOT NULL REFERENCES team_members (name),
    message         text NOT NULL,
    created_at      bigint NOT NULL,
    sent_at         bigint,
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    last_error      text
);

CREATE INDEX mail_deliveries_due ON mail_deliveries (next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE webhooks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url             text NOT NULL,
    secret          text NOT NULL,
    public_only     boolean NOT NULL,
    created_at      bigint NOT NULL,
    removed_at      bigint,
    delivered_seq   bigint NOT NULL,
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL DEFAULT 0,
    last_error      text
);

CREATE TABLE webhook_deliveries (
    hook_id bigint NOT NULL REFERENCES webhooks (id),
    seq     bigint NOT NULL,
    at      bigint NOT NULL,
    status  int,
    error   text
);

CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (hook_id, at);
