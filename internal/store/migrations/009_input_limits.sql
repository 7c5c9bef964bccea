-- Page tokens are signed (HMAC-SHA256) so a client cannot edit one into a query the engine did not issue. The key
-- is made here, once, and every API replica reads it from the database they share: nothing to configure or
-- distribute, tokens stay good across replicas and restarts. 32 bytes from two random (version 4) UUIDs, 244
-- random bits, with what PostgreSQL has built in (gen_random_uuid, no extension).
CREATE TABLE page_token_key (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    key      bytea   NOT NULL CHECK (length(key) >= 32)
);
INSERT INTO page_token_key (key) VALUES (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));

-- The customer filter matches case-insensitively in every script ('Ölund' finds 'Åsa Ölund'), whatever the
-- server's locale (the cluster may run with C, whose lower() folds ASCII only): the store writes the name
-- case-folded by Go (golang.org/x/text/cases, Unicode full case folding) into customer_search, and the filter
-- folds its text the same way. Rows written before this are folded by the store's backfill (store.Migrate); until
-- then the column is NULL. Rows an older binary writes during a rolling upgrade are NULL too (the filter misses
-- them, and their deals count as not overdue) until `ltcd migrate` runs again after the roll.
ALTER TABLE leads ADD COLUMN customer_search text;
ALTER TABLE opportunities ADD COLUMN customer_search text;
DROP INDEX leads_by_customer;
DROP INDEX opportunities_by_customer;
CREATE INDEX leads_by_customer ON leads USING gin (customer_search gin_trgm_ops);
CREATE INDEX opportunities_by_customer ON opportunities USING gin (customer_search gin_trgm_ops);

-- A deal is overdue while its pending decision, its weekly report, its handover or its project summary is
-- (ltc.Opportunity.IsOverdue); the store writes the flag with the deal, and ListOpportunities filters by it. NULL
-- until the backfill computes it for rows written before this.
ALTER TABLE opportunities ADD COLUMN overdue boolean;
CREATE INDEX opportunities_overdue ON opportunities (created_at DESC, id DESC) WHERE overdue;
