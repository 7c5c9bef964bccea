-- Delegations of decisions and reviews (PeopleService.SetDelegation). doc is the ltc.Delegation with the
-- delegator's snapshot (roles, authority, unit, functions as their token carried them); the columns are what the
-- inbox and the lists select on. request_id and payload_hash make SetDelegation idempotent, revoke_request_id and
-- revoke_payload_hash RevokeDelegation.
CREATE TABLE delegations (
    id                  uuid        PRIMARY KEY,
    delegator_id        text        NOT NULL,
    deputy_id           text        NOT NULL,
    start_time          timestamptz NOT NULL,
    end_time            timestamptz NOT NULL,
    gates               text[]      NOT NULL DEFAULT '{}',
    revoked_at          timestamptz,
    created_by          text        NOT NULL,
    created_at          timestamptz NOT NULL,
    request_id          text        NOT NULL UNIQUE,
    payload_hash        bytea       NOT NULL,
    revoke_request_id   text        UNIQUE,
    revoke_payload_hash bytea,
    doc                 jsonb       NOT NULL,
    CHECK (end_time > start_time),
    CHECK (deputy_id <> delegator_id)
);
-- The deputy's inbox reads the delegations they hold now; the lists read a person's given and received ones.
CREATE INDEX delegations_by_deputy ON delegations (deputy_id, end_time);
CREATE INDEX delegations_by_delegator ON delegations (delegator_id, created_at DESC, id DESC);
CREATE INDEX delegations_by_time ON delegations (created_at DESC, id DESC);
