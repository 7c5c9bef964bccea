-- Decisions of the gates, and the indexes deal lists and inboxes filter on.

CREATE TABLE decisions (
    id              uuid        PRIMARY KEY,
    opportunity_id  uuid        NOT NULL REFERENCES opportunities (id),
    gate            text        NOT NULL,
    status          text        NOT NULL,
    authority       int         NOT NULL,
    missing_reviews text[]      NOT NULL,
    overdue         boolean     NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    doc             jsonb       NOT NULL
);
CREATE INDEX decisions_by_time ON decisions (created_at DESC, id DESC);
CREATE INDEX decisions_by_deal ON decisions (opportunity_id, created_at DESC, id DESC);
-- The inbox: pending decisions by the authority that decides them, and by the reviews they still need.
CREATE INDEX decisions_pending ON decisions (authority, created_at DESC, id DESC) WHERE status = 'PENDING';
CREATE INDEX decisions_pending_reviews ON decisions USING gin (missing_reviews) WHERE status = 'PENDING';

CREATE INDEX opportunities_by_stage ON opportunities (stage, created_at DESC, id DESC);
CREATE INDEX opportunities_by_outcome ON opportunities (outcome, created_at DESC, id DESC);
CREATE INDEX opportunities_by_level ON opportunities (level, created_at DESC, id DESC);
CREATE INDEX opportunities_by_owner ON opportunities (owner_id, created_at DESC, id DESC);
CREATE INDEX opportunities_by_customer ON opportunities USING gin (lower(customer_name) gin_trgm_ops);
