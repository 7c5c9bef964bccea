-- The forecast (UpdateForecast and GetForecastReport): each deal's current forecast as the report reads it, and the
-- weekly snapshots of what was forecast for each quarter.

-- forecast_date reads a date as the deals' documents hold it ({"year":2027,"month":3,"day":31}); NULL for none.
CREATE FUNCTION forecast_date(d jsonb) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN coalesce((d->>'year')::int, 0) > 0
        THEN make_date((d->>'year')::int, (d->>'month')::int, (d->>'day')::int) END
$$;

-- deal_forecasts holds one row per deal, written with the deal's row: its forecast (the owner's, or for a deal
-- whose owner never set one the lead's expected close date, the estimated value and PIPELINE), its win rate (the
-- latest approved ATB package's, else the assessment's), where it belongs (unit, owner), whether it is open, and
-- when and for how much it was won. quarter is the first day of the quarter of close_date; won_quarter of won_at.
CREATE TABLE deal_forecasts (
    deal_id      uuid        PRIMARY KEY,
    org_unit     text        NOT NULL,
    owner_id     text        NOT NULL,
    open         boolean     NOT NULL,
    close_date   date,
    quarter      date        GENERATED ALWAYS AS (date_trunc('quarter', close_date::timestamp)::date) STORED,
    category     text        NOT NULL CHECK (category IN ('PIPELINE', 'BEST_CASE', 'COMMIT', 'OMITTED')),
    currency     text        NOT NULL,
    value_minor  bigint      NOT NULL,
    win_rate     integer     NOT NULL,
    won_at       timestamptz,
    won_quarter  date        GENERATED ALWAYS AS (date_trunc('quarter', won_at AT TIME ZONE 'UTC')::date) STORED,
    won_currency text,
    won_minor    bigint
);
-- The report reads a quarter's open deals and its won deals from these indexes alone.
CREATE INDEX deal_forecasts_open ON deal_forecasts (quarter, org_unit, owner_id)
    INCLUDE (category, currency, value_minor, win_rate) WHERE open;
CREATE INDEX deal_forecasts_won ON deal_forecasts (won_quarter, org_unit, owner_id)
    INCLUDE (category, won_currency, won_minor, won_at) WHERE won_quarter IS NOT NULL;

INSERT INTO deal_forecasts (deal_id, org_unit, owner_id, open, close_date, category, currency, value_minor, win_rate,
    won_at, won_currency, won_minor)
SELECT o.id, coalesce(x.org_unit, ''), o.owner_id, o.stage <> 'CLOSED',
    forecast_date(l.doc->'expected_close_date'), 'PIPELINE', o.value_currency, o.value_minor,
    coalesce((SELECT (d->'package'->'bid'->>'win_rate')::int
              FROM jsonb_array_elements(coalesce(o.doc->'decisions', '[]')) WITH ORDINALITY AS e (d, i)
              WHERE d->>'gate' = 'ATB' AND d->>'status' IN ('APPROVED', 'APPROVED_WITH_CONDITIONS')
              ORDER BY i DESC LIMIT 1),
        (o.doc->'assessment'->>'win_rate')::int, 0),
    CASE WHEN o.outcome = 'WON' THEN o.closed_at END,
    CASE WHEN o.outcome = 'WON' THEN coalesce(o.contract_currency, o.value_currency) END,
    CASE WHEN o.outcome = 'WON' THEN coalesce(o.contract_minor, o.value_minor) END
FROM opportunities o
LEFT JOIN leads l ON l.id = o.id
LEFT JOIN deal_access x ON x.deal_id = o.id;

-- forecast_snapshot_weeks records each week (by its Monday) whose snapshot was taken, and when: the snapshot job
-- inserts the week first, so of several workers one takes it, once.
CREATE TABLE forecast_snapshot_weeks (
    week_start date        PRIMARY KEY,
    taken_at   timestamptz NOT NULL
);

-- forecast_snapshots is what was forecast for a quarter at the end of a week: per unit, owner, currency and
-- category the open deals' count and value, and under category 'WON' the deals of the quarter won by the week's
-- end; owner_id '*' rows are a unit's for all its owners. A week snapshots its own quarter (of its Sunday) and the
-- next one. The key leads with the quarter and the owner: a report reads one owner's rows, or the units' ('*').
CREATE TABLE forecast_snapshots (
    quarter    date    NOT NULL,
    week_start date    NOT NULL REFERENCES forecast_snapshot_weeks (week_start),
    org_unit   text    NOT NULL,
    owner_id   text    NOT NULL,
    currency   text    NOT NULL,
    category   text    NOT NULL CHECK (category IN ('PIPELINE', 'BEST_CASE', 'COMMIT', 'WON')),
    deals      integer NOT NULL,
    value      numeric NOT NULL,
    PRIMARY KEY (quarter, owner_id, week_start, org_unit, currency, category)
);
