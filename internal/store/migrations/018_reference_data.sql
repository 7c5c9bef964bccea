-- Reference data (ReferenceDataService): finance's effective-dated exchange rates into the policy's base currency,
-- and the product catalogue. Kept here only, not in a process: they change no deal.

-- exchange_rates holds the rate in force from each effective date, per currency pair; a rate set again for the
-- same date and pair replaces the row (revision counts the sets). rate is the exact decimal as set (numeric, no
-- float); rate_text its spelling. id is derived from the date and pair (uuid) and created_at is the effective
-- date, so the lists page newest effective date first.
CREATE TABLE exchange_rates (
    id             uuid        PRIMARY KEY,
    effective_date date        NOT NULL,
    from_currency  text        NOT NULL CHECK (from_currency ~ '^[A-Z]{3}$'),
    to_currency    text        NOT NULL CHECK (to_currency ~ '^[A-Z]{3}$'),
    rate           numeric     NOT NULL CHECK (rate > 0),
    rate_text      text        NOT NULL,
    revision       integer     NOT NULL DEFAULT 1,
    set_by         text        NOT NULL,
    set_at         timestamptz NOT NULL,
    created_at     timestamptz NOT NULL,
    doc            jsonb       NOT NULL,
    UNIQUE (from_currency, to_currency, effective_date),
    CHECK (from_currency <> to_currency)
);
-- As-of lookups: the latest effective date on or before a date, per pair.
CREATE INDEX exchange_rates_as_of ON exchange_rates (from_currency, to_currency, effective_date DESC);
CREATE INDEX exchange_rates_by_time ON exchange_rates (created_at DESC, id DESC);

-- exchange_rate_sets records every set: who set which rate for which date and pair, when, and the rate it replaced.
CREATE TABLE exchange_rate_sets (
    seq            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    effective_date date        NOT NULL,
    from_currency  text        NOT NULL,
    to_currency    text        NOT NULL,
    rate           numeric     NOT NULL CHECK (rate > 0),
    replaced_rate  numeric,
    set_by         text        NOT NULL,
    set_at         timestamptz NOT NULL,
    request_id     text        NOT NULL
);
CREATE INDEX exchange_rate_sets_by_pair ON exchange_rate_sets (from_currency, to_currency, effective_date, seq);

-- products is the catalogue, one row per code; a product is deactivated, never deleted. id is derived from the
-- code; search is the code and name case-folded, for the text filter.
CREATE TABLE products (
    id                  uuid        PRIMARY KEY,
    code                text        NOT NULL UNIQUE,
    family              text        NOT NULL,
    currency            text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    list_price_minor    bigint      NOT NULL CHECK (list_price_minor >= 0),
    standard_cost_minor bigint      NOT NULL CHECK (standard_cost_minor >= 0),
    active              boolean     NOT NULL,
    search              text        NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    doc                 jsonb       NOT NULL
);
CREATE INDEX products_by_time ON products (created_at DESC, id DESC);
CREATE INDEX products_by_family ON products (family, created_at DESC, id DESC);

-- reference_requests makes SetExchangeRates and UpsertProducts idempotent: the request id, who sent it, the digest
-- of its payload and the response it got.
CREATE TABLE reference_requests (
    request_id   text        PRIMARY KEY,
    method       text        NOT NULL,
    actor_id     text        NOT NULL,
    payload_hash bytea       NOT NULL,
    response     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL
);
