-- The deal's process numbers its changes (revision 1, 2, ...) and every write carries its number: the read model
-- takes a change only on top of the one before it (compare and set), so a write of a workflow task Temporal
-- discarded, or a stale attempt that lands late, can never overwrite a newer state or scramble the log; the
-- process adopts what the database holds instead (see store.ApplyDealChange).
-- 0 means no numbered change yet: deals written before this version, and those a legacy process still writes.
ALTER TABLE opportunities ADD COLUMN revision bigint NOT NULL DEFAULT 0;
-- The revision a numbered change of a deal made, NULL for other requests.
ALTER TABLE requests ADD COLUMN revision bigint;
CREATE INDEX requests_by_deal_revision ON requests (deal_id, revision) WHERE revision IS NOT NULL;
