-- Notifications (issue 19): the directory of people, the webhooks, the dispatcher's cursor over the event log and
-- the outbox of deliveries it fills.

-- The directory: who people are and how to reach them. ltcd loads it from a file at start (upsert by id);
-- preferences are each person's own (SetNotificationPreferences) and a reload keeps them.
CREATE TABLE people (
    id          text        PRIMARY KEY,
    name        text        NOT NULL DEFAULT '',
    email       text        NOT NULL DEFAULT '',
    roles       text[]      NOT NULL DEFAULT '{}',
    authority   int         NOT NULL DEFAULT 0,
    functions   text[]      NOT NULL DEFAULT '{}',
    unit        text        NOT NULL DEFAULT '',
    manager_id  text        NOT NULL DEFAULT '',
    language    text        NOT NULL DEFAULT 'en',
    preferences jsonb,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Receivers of events. The secret is the HMAC key of the signatures, so it is kept (never listed nor logged).
CREATE TABLE webhooks (
    id              uuid        PRIMARY KEY,
    url             text        NOT NULL,
    event_types     text[]      NOT NULL DEFAULT '{}',
    secret          text        NOT NULL,
    created_by_id   text        NOT NULL,
    created_by_name text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);

-- Where the dispatcher stands in the event log. It starts at the log's head when this migration runs: the events
-- before notifications existed are not sent.
CREATE TABLE notify_cursor (
    name          text   PRIMARY KEY,
    last_sequence bigint NOT NULL
);
INSERT INTO notify_cursor (name, last_sequence) SELECT 'dispatcher', last_sequence FROM event_log_head;

-- The outbox: one row per event and recipient (a person's mail, a webhook), written in the transaction that moves
-- the cursor past the event, or per reminder of a deadline (event_sequence 0, reminder names the deadline) and
-- recipient. channel "digest" holds a person's notifications until their daily digest. Senders take due rows
-- FOR UPDATE SKIP LOCKED.
CREATE TABLE deliveries (
    id              bigserial   PRIMARY KEY,
    event_sequence  bigint      NOT NULL,
    reminder        text        NOT NULL DEFAULT '',
    details         jsonb,
    deal_id         text        NOT NULL,
    channel         text        NOT NULL CHECK (channel IN ('email', 'webhook', 'digest')),
    target          text        NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (event_sequence, reminder, channel, target)
);
CREATE INDEX deliveries_due ON deliveries (channel, next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_by_deal ON deliveries (target, deal_id, event_sequence) WHERE state = 'pending' AND channel = 'webhook';
CREATE INDEX deliveries_digest ON deliveries (target, created_at) WHERE state = 'pending' AND channel = 'digest';
