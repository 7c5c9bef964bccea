-- The pipeline report reads plain columns and a table of stage visits, through covering indexes, instead of
-- documents and the whole event log: its cost follows the deals of the period, not all deals.

ALTER TABLE opportunities
    ADD COLUMN value_currency    text,
    ADD COLUMN value_minor       bigint,
    ADD COLUMN contract_currency text,
    ADD COLUMN contract_minor    bigint;
UPDATE opportunities SET
    value_currency = doc->'estimated_value'->>'currency',
    value_minor = (doc->'estimated_value'->>'amount_minor')::bigint,
    contract_currency = doc->'contract'->'amount'->>'currency',
    contract_minor = (doc->'contract'->'amount'->>'amount_minor')::bigint;
CREATE INDEX opportunities_for_funnel ON opportunities (created_at)
    INCLUDE (stage, outcome, level, owner_id, value_currency, value_minor);
DROP INDEX opportunities_by_close;
CREATE INDEX opportunities_for_closes ON opportunities (closed_at)
    INCLUDE (outcome, level, owner_id, value_currency, value_minor, contract_currency, contract_minor)
    WHERE closed_at IS NOT NULL;

ALTER TABLE decisions ADD COLUMN level text;
UPDATE decisions SET level = doc->>'level';
DROP INDEX decisions_by_decision_time;
CREATE INDEX decisions_for_turnaround ON decisions (updated_at) INCLUDE (gate, level, created_at, opportunity_id)
    WHERE status NOT IN ('PENDING', 'WITHDRAWN');

-- Each stay of a deal in a stage: entered, and left (NULL while it stands there). deal_created_at is when the
-- deal (opportunity) was created, for the conversion of the deals created in a period; first_visit marks the
-- deal's first stay in the stage (a returned gate brings it back), so conversions count deals without DISTINCT.
CREATE TABLE stage_visits (
    deal_id         uuid        NOT NULL,
    stage           text        NOT NULL,
    entered_at      timestamptz NOT NULL,
    left_at         timestamptz,
    deal_created_at timestamptz NOT NULL,
    first_visit     boolean     NOT NULL
);
CREATE INDEX stage_visits_by_deal ON stage_visits (deal_id, stage);
CREATE INDEX stage_visits_open ON stage_visits (deal_id) WHERE left_at IS NULL;
CREATE INDEX stage_visits_first_by_deal_creation ON stage_visits (deal_created_at) INCLUDE (stage, deal_id)
    WHERE first_visit;
CREATE INDEX stage_visits_by_leaving ON stage_visits (left_at) INCLUDE (stage, entered_at, deal_id)
    WHERE left_at IS NOT NULL;
INSERT INTO stage_visits (deal_id, stage, entered_at, left_at, deal_created_at, first_visit)
SELECT deal_id, stage, entered_at, left_at, deal_created_at,
       row_number() OVER (PARTITION BY deal_id, stage ORDER BY entered_at) = 1
FROM (
    SELECT e.deal_id, e.stage_after AS stage, e.occurred_at AS entered_at,
           lead(e.occurred_at) OVER (PARTITION BY e.deal_id ORDER BY e.sequence) AS left_at,
           coalesce(o.created_at, e.occurred_at) AS deal_created_at
    FROM events e LEFT JOIN opportunities o ON o.id = e.deal_id
    WHERE e.stage_after IS NOT NULL AND e.stage_before IS DISTINCT FROM e.stage_after
) visits;

-- The report counts overdue flags by type and time; the old stage-change and time indexes served the queries
-- stage_visits replaces.
CREATE INDEX events_by_type_and_time ON events (type, occurred_at);
DROP INDEX events_stage_changes;
DROP INDEX events_by_time;

-- A reviewer's inbox: the pending decisions still missing the reviewer's function, newest first, one ordered
-- index per review function (ltc.ReviewFunctions), so a page reads its rows and no more.
DROP INDEX decisions_pending_reviews;
CREATE INDEX decisions_awaiting_finance ON decisions (created_at DESC, id DESC)
    WHERE status = 'PENDING' AND 'FINANCE' = ANY (missing_reviews);
CREATE INDEX decisions_awaiting_legal ON decisions (created_at DESC, id DESC)
    WHERE status = 'PENDING' AND 'LEGAL' = ANY (missing_reviews);
CREATE INDEX decisions_awaiting_delivery ON decisions (created_at DESC, id DESC)
    WHERE status = 'PENDING' AND 'DELIVERY' = ANY (missing_reviews);
CREATE INDEX decisions_awaiting_solution ON decisions (created_at DESC, id DESC)
    WHERE status = 'PENDING' AND 'SOLUTION' = ANY (missing_reviews);
