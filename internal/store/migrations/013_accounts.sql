-- Accounts: the customer organisations, their people (contacts) and what we do with them (activities). An
-- account's process (AccountWorkflow) writes its row, its contacts and its activities in the transaction of each
-- change, numbered like a deal's (revision). Leads and deals name their account.

CREATE TABLE accounts (
    id                 uuid        PRIMARY KEY,
    name               text        NOT NULL,
    -- name_key and region_key are the normalised name and region (ltc.NormaliseAccountName, NormaliseRegion): two
    -- accounts with both equal are one customer, so the second is refused.
    name_key           text        NOT NULL,
    region_key         text        NOT NULL,
    -- name_search is the name case-folded, for "name contains" through the trigram index.
    name_search        text        NOT NULL,
    grade              text        NOT NULL,
    industry           text        NOT NULL,
    region             text        NOT NULL,
    org_unit           text        NOT NULL,
    owner_id           text        NOT NULL,
    target             boolean     NOT NULL,
    relationship_level text        NOT NULL,
    revision           bigint      NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    doc                jsonb       NOT NULL
);
CREATE UNIQUE INDEX accounts_one_per_customer ON accounts (name_key, region_key);
CREATE INDEX accounts_by_name ON accounts USING gin (name_search gin_trgm_ops);
CREATE INDEX accounts_by_key ON accounts USING gin (name_key gin_trgm_ops);
CREATE INDEX accounts_by_time ON accounts (created_at DESC, id DESC);
CREATE INDEX accounts_by_grade ON accounts (grade, created_at DESC, id DESC);
CREATE INDEX accounts_by_industry ON accounts (industry, created_at DESC, id DESC);
CREATE INDEX accounts_by_region ON accounts (region, created_at DESC, id DESC);
CREATE INDEX accounts_by_relationship ON accounts (relationship_level, created_at DESC, id DESC);
CREATE INDEX accounts_on_target_list ON accounts (created_at DESC, id DESC) WHERE target;

-- The customer's people. doc holds the contact whole, personal data (name, title, department, email, phone, notes)
-- included, which EraseContact removes from it; nothing else in the database keeps a contact's personal data.
CREATE TABLE contacts (
    id         uuid        PRIMARY KEY,
    account_id uuid        NOT NULL REFERENCES accounts (id),
    reports_to uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    doc        jsonb       NOT NULL
);
CREATE INDEX contacts_of_account ON contacts (account_id, created_at, id);

CREATE TABLE activities (
    id         uuid        PRIMARY KEY,
    account_id uuid        NOT NULL REFERENCES accounts (id),
    kind       text        NOT NULL,
    state      text        NOT NULL,
    review     text        NOT NULL,
    day        date        NOT NULL,
    created_at timestamptz NOT NULL,
    doc        jsonb       NOT NULL
);
CREATE INDEX activities_of_account ON activities (account_id, day DESC, id DESC);
CREATE INDEX activities_awaiting_review ON activities (created_at, id) WHERE review = 'PENDING';

-- Leads and deals name their account; those recorded before get one by the backfill (store.backfillAccounts),
-- one account per distinct customer.
ALTER TABLE leads ADD COLUMN account_id uuid;
ALTER TABLE opportunities ADD COLUMN account_id uuid;
CREATE INDEX leads_by_account ON leads (account_id, created_at DESC, id DESC);
CREATE INDEX opportunities_by_account ON opportunities (account_id, created_at DESC, id DESC);
-- The open pipeline by account, for its concentration (store.TopAccounts).
CREATE INDEX opportunities_open ON opportunities (account_id, value_currency) INCLUDE (value_minor, level, owner_id)
    WHERE outcome IS NULL;

-- An account's events are in the one log, under the account's id (deal_id holds the subject of every event, a
-- deal's or an account's), with account_id set; an account's row in deal_access says who reads them.
ALTER TABLE events ADD COLUMN account_id uuid;
