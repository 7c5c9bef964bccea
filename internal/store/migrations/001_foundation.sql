-- Leads, deals (opportunities), the append-only event log and the record of applied requests.
-- Each read-model row keeps the whole state as the deal's process last wrote it (doc) plus the columns lists
-- filter and sort on.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE leads (
    id            uuid        PRIMARY KEY,
    state         text        NOT NULL,
    owner_id      text        NOT NULL,
    customer_name text        NOT NULL,
    overdue       boolean     NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    doc           jsonb       NOT NULL
);
CREATE INDEX leads_by_time ON leads (created_at DESC, id DESC);
CREATE INDEX leads_by_state ON leads (state, created_at DESC, id DESC);
CREATE INDEX leads_by_owner ON leads (owner_id, created_at DESC, id DESC);
CREATE INDEX leads_overdue ON leads (created_at DESC, id DESC) WHERE overdue;
CREATE INDEX leads_by_customer ON leads USING gin (lower(customer_name) gin_trgm_ops);

CREATE TABLE opportunities (
    id            uuid        PRIMARY KEY,
    lead_id       uuid        NOT NULL UNIQUE REFERENCES leads (id),
    stage         text        NOT NULL,
    outcome       text,
    level         text,
    owner_id      text        NOT NULL,
    customer_name text        NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    doc           jsonb       NOT NULL
);
CREATE INDEX opportunities_by_time ON opportunities (created_at DESC, id DESC);

-- The event log. sequence is global and follows commit order: writers take the single row of event_log_head
-- FOR UPDATE (held until commit), so a reader following sequence never sees a gap fill in behind it.
-- deal_sequence counts each deal's events from 1.
CREATE TABLE event_log_head (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_sequence bigint  NOT NULL
);
INSERT INTO event_log_head (last_sequence) VALUES (0);

CREATE TABLE events (
    sequence      bigint      PRIMARY KEY,
    deal_id       uuid        NOT NULL,
    deal_sequence bigint      NOT NULL,
    type          text        NOT NULL,
    actor_id      text        NOT NULL,
    actor_name    text        NOT NULL,
    request_id    text,
    stage_before  text,
    stage_after   text,
    recipients    text[]      NOT NULL DEFAULT '{}',
    data          jsonb       NOT NULL,
    occurred_at   timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (deal_id, deal_sequence)
);
CREATE INDEX events_by_type ON events (type, sequence);

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

-- Every applied change, by the id of the request that caused it: a retry finds its first result here, and a
-- reused id with a different payload is refused. Changes the engine makes by itself use ids of their own.
CREATE TABLE requests (
    request_id   text        PRIMARY KEY,
    method       text        NOT NULL,
    payload_hash bytea       NOT NULL,
    deal_id      uuid        NOT NULL,
    result       jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
