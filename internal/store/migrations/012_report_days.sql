-- The pipeline report at 10^6 deals reads days, not deals: per-day aggregates, kept by triggers in the transaction
-- of every write that moves a deal (Apply, ApplyRevision, Import, and any other writer), so they are exact. A year
-- of 10^6 deals spread over three years took 979 ms (p50) reading every deal, stay and decision of the year.
--
-- Each aggregate is keyed by the day (UTC) and by what a report filters on: the deal's org unit (as deal_access
-- holds it, which the reader's reach checks) and its current project level ('' before it has one). An owner's
-- report reads the owner's own deals instead (few, by index): keyed by owner, the aggregates would hold about a
-- row per deal. Counts and sums are exact (sums numeric). Durations are kept as sparse histograms of DDSketch's
-- logarithmic mapping at 1 % relative accuracy (store.durationMapping): buckets[i] holds counts[i] durations, so
-- days merge by adding counts, and a percentile taken from the merged histogram is within 1 % of the exact one.
--
-- Every count also goes to a row of its month for the whole company: day = the month's first day, org_unit '*'
-- (no unit is spelt so). A day's histogram of 10^6 deals holds about 20 stays in 20 buckets, so a year of days is
-- 1.4 million buckets to read; a month's company-wide row about 350: a company-wide reader's year reads its
-- whole months from those, and only the days at its ends from the day rows.

-- What migration 007 kept for the binary before it, which no longer runs (docs/operations.md, Upgrades).
DROP TRIGGER stage_visits_reached_by_old_writers ON stage_visits;
DROP FUNCTION stage_visits_reached_by_old_writers();
DROP FUNCTION main_path_bit(text);
DROP INDEX stage_visits_first_by_deal_creation;
ALTER TABLE stage_visits DROP COLUMN deal_created_at, DROP COLUMN first_visit;

-- The deals created on a day, by where they stand now (the funnel).
CREATE TABLE report_created_days (
    day      date    NOT NULL,
    org_unit text    NOT NULL,
    level    text    NOT NULL,
    stage    text    NOT NULL,
    outcome  text    NOT NULL,
    currency text    NOT NULL,
    deals    integer NOT NULL,
    value    numeric NOT NULL,
    PRIMARY KEY (day, org_unit, level, stage, outcome, currency)
);

-- Of the deals created on a day, how many entered each stage of the main path: reached[i] counts the deals with
-- bit i-1 of opportunities.reached_stages (store.MainPath[i-1]).
CREATE TABLE report_reached_days (
    day      date      NOT NULL,
    org_unit text      NOT NULL,
    level    text      NOT NULL,
    reached  integer[] NOT NULL,
    PRIMARY KEY (day, org_unit, level)
);

-- The deals closed on a day, by outcome and the currency of their value (the contract's, else the estimate's).
CREATE TABLE report_closed_days (
    day      date    NOT NULL,
    org_unit text    NOT NULL,
    level    text    NOT NULL,
    outcome  text    NOT NULL,
    currency text    NOT NULL,
    deals    integer NOT NULL,
    value    numeric NOT NULL,
    PRIMARY KEY (day, org_unit, level, outcome, currency)
);

-- The stays in a stage of the main path that ended on a day: their lengths in seconds.
CREATE TABLE report_stay_days (
    day      date      NOT NULL,
    org_unit text      NOT NULL,
    level    text      NOT NULL,
    stage    text      NOT NULL,
    buckets  integer[] NOT NULL,
    counts   integer[] NOT NULL,
    PRIMARY KEY (day, org_unit, level, stage)
);

-- The decisions taken on a day, by gate and the decision's level: their turnarounds in seconds. level is the
-- deal's, which the report's filter reads; decision_level the decision's, which it groups by.
CREATE TABLE report_turnaround_days (
    day            date      NOT NULL,
    org_unit       text      NOT NULL,
    level          text      NOT NULL,
    gate           text      NOT NULL,
    decision_level text      NOT NULL,
    buckets        integer[] NOT NULL,
    counts         integer[] NOT NULL,
    PRIMARY KEY (day, org_unit, level, gate, decision_level)
);

-- The overdue flags (weekly report, decision) raised on a day.
CREATE TABLE report_overdue_days (
    day      date    NOT NULL,
    org_unit text    NOT NULL,
    level    text    NOT NULL,
    type     text    NOT NULL,
    flags    integer NOT NULL,
    PRIMARY KEY (day, org_unit, level, type)
);

-- store.MainPath, in its order.
CREATE FUNCTION report_main_path() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['VALIDATION', 'INITIATION_REVIEW', 'TEAM_FORMATION', 'PURSUIT', 'ATB_REVIEW', 'BIDDING', 'NEGOTIATION',
        'ATC_REVIEW', 'CONTRACT_SIGNING', 'HANDOVER']
$$;

-- The day of a moment, in UTC: the report's whole days are UTC days.
CREATE FUNCTION report_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (t AT TIME ZONE 'UTC')::date
$$;

-- The rows a count of a moment goes to: its day in the unit, and its month for the whole company ('*').
CREATE FUNCTION report_rows(t timestamptz, unit text, OUT day date, OUT org_unit text) RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES (report_day(t), unit), (date_trunc('month', t AT TIME ZONE 'UTC')::date, '*')
$$;

-- The bucket of a duration of so many seconds: DDSketch's logarithmic mapping at 1 % relative accuracy,
-- floor(ln(seconds) / ln(gamma)) with gamma = 1.01 / 0.99 (the multiplier is 1 / ln(gamma) as Go computes it;
-- store.durationMapping is the same mapping). A duration of zero or less (clocks) has the bucket -32768.
CREATE FUNCTION report_bucket(seconds double precision) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN seconds > 0 THEN floor(ln(seconds) * 49.998333288886784)::integer ELSE -32768 END
$$;

-- report_bins_add adds n durations (n < 0 removes them) of bucket b to a sparse histogram.
CREATE FUNCTION report_bins_add(buckets integer[], counts integer[], b integer, n integer,
    OUT new_buckets integer[], OUT new_counts integer[]) LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    i integer := array_position(buckets, b);
BEGIN
    IF i IS NULL THEN
        new_buckets := buckets || b;
        new_counts := counts || n;
    ELSE
        new_buckets := buckets;
        new_counts := counts;
        new_counts[i] := counts[i] + n;
    END IF;
END;
$$;

-- report_deal_key is what the aggregates of a deal's stays, decisions and flags are keyed by: its unit and level.
CREATE FUNCTION report_deal_key(deal uuid, OUT org_unit text, OUT level text) LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT x.org_unit FROM deal_access x WHERE x.deal_id = deal), ''),
        coalesce((SELECT o.level FROM opportunities o WHERE o.id = deal), '')
$$;

-- The report_count_* functions add a row's part to the aggregates of unit and level, n times (-1 takes it back).

CREATE FUNCTION report_count_opportunity(o opportunities, at_unit text, n integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    at_level text := coalesce(o.level, '');
BEGIN
    INSERT INTO report_created_days AS t (day, org_unit, level, stage, outcome, currency, deals, value)
    SELECT r.day, r.org_unit, at_level, o.stage, coalesce(o.outcome, ''), coalesce(o.value_currency, ''), n,
        n * coalesce(o.value_minor, 0)::numeric
    FROM report_rows(o.created_at, at_unit) r
    ON CONFLICT (day, org_unit, level, stage, outcome, currency)
    DO UPDATE SET deals = t.deals + excluded.deals, value = t.value + excluded.value;
    IF o.reached_stages <> 0 THEN
        INSERT INTO report_reached_days AS t (day, org_unit, level, reached)
        SELECT r.day, r.org_unit, at_level,
            ARRAY(SELECT CASE WHEN o.reached_stages & (1 << i) <> 0 THEN n ELSE 0 END FROM generate_series(0, 9) i ORDER BY i)
        FROM report_rows(o.created_at, at_unit) r
        ON CONFLICT (day, org_unit, level)
        DO UPDATE SET reached = ARRAY(SELECT t.reached[i] + excluded.reached[i] FROM generate_series(1, 10) i ORDER BY i);
    END IF;
    IF o.closed_at IS NOT NULL THEN
        INSERT INTO report_closed_days AS t (day, org_unit, level, outcome, currency, deals, value)
        SELECT r.day, r.org_unit, at_level, coalesce(o.outcome, ''), coalesce(o.contract_currency, o.value_currency, ''), n,
            n * coalesce(o.contract_minor, o.value_minor, 0)::numeric
        FROM report_rows(o.closed_at, at_unit) r
        ON CONFLICT (day, org_unit, level, outcome, currency)
        DO UPDATE SET deals = t.deals + excluded.deals, value = t.value + excluded.value;
    END IF;
END;
$$;

CREATE FUNCTION report_count_stay(v stage_visits, at_unit text, at_level text, n integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF v.left_at IS NULL OR NOT v.stage = ANY (report_main_path()) THEN
        RETURN;
    END IF;
    INSERT INTO report_stay_days AS t (day, org_unit, level, stage, buckets, counts)
    SELECT r.day, r.org_unit, at_level, v.stage, ARRAY[report_bucket(v.seconds)], ARRAY[n]
    FROM report_rows(v.left_at, at_unit) r
    ON CONFLICT (day, org_unit, level, stage)
    DO UPDATE SET (buckets, counts) = (SELECT b.new_buckets, b.new_counts
        FROM report_bins_add(t.buckets, t.counts, report_bucket(v.seconds), n) b);
END;
$$;

CREATE FUNCTION report_count_decision(d decisions, at_unit text, at_level text, n integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF d.status IN ('PENDING', 'WITHDRAWN') THEN
        RETURN;
    END IF;
    INSERT INTO report_turnaround_days AS t (day, org_unit, level, gate, decision_level, buckets, counts)
    SELECT r.day, r.org_unit, at_level, d.gate, coalesce(d.level, ''), ARRAY[report_bucket(d.turnaround_seconds)], ARRAY[n]
    FROM report_rows(d.updated_at, at_unit) r
    ON CONFLICT (day, org_unit, level, gate, decision_level)
    DO UPDATE SET (buckets, counts) = (SELECT b.new_buckets, b.new_counts
        FROM report_bins_add(t.buckets, t.counts, report_bucket(d.turnaround_seconds), n) b);
END;
$$;

CREATE FUNCTION report_count_flag(e events, at_unit text, at_level text, n integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_overdue_days AS t (day, org_unit, level, type, flags)
    SELECT r.day, r.org_unit, at_level, e.type, n
    FROM report_rows(e.occurred_at, at_unit) r
    ON CONFLICT (day, org_unit, level, type) DO UPDATE SET flags = t.flags + excluded.flags;
END;
$$;

-- report_move_deal moves what a deal's stays, decisions and flags count from one key to another: when its level
-- is set or changes, or its unit does. Its own row's part is moved by the caller.
CREATE FUNCTION report_move_deal(deal uuid, from_unit text, from_level text, to_unit text, to_level text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v stage_visits;
    d decisions;
    e events;
BEGIN
    FOR v IN SELECT * FROM stage_visits WHERE deal_id = deal AND left_at IS NOT NULL LOOP
        PERFORM report_count_stay(v, from_unit, from_level, -1);
        PERFORM report_count_stay(v, to_unit, to_level, 1);
    END LOOP;
    FOR d IN SELECT * FROM decisions WHERE opportunity_id = deal LOOP
        PERFORM report_count_decision(d, from_unit, from_level, -1);
        PERFORM report_count_decision(d, to_unit, to_level, 1);
    END LOOP;
    FOR e IN SELECT * FROM events WHERE deal_id = deal AND type IN ('weekly_report.overdue', 'decision.overdue') LOOP
        PERFORM report_count_flag(e, from_unit, from_level, -1);
        PERFORM report_count_flag(e, to_unit, to_level, 1);
    END LOOP;
END;
$$;

-- The triggers. Their names start with report_days, so a bulk load can turn them off and rebuild after
-- (report_days_rebuild), as it does with indexes.
--
-- Many changes move counts between the same rows (every deal created today in a unit and level), each taking the
-- rows it updates in its own order: two changes would deadlock (seen in the benchmark: 1 s lost to each). So a
-- change takes the lock of the event log's head (event_log_head, which it takes anyway to append its events)
-- before its first count: one change at a time updates the aggregates, as one at a time appends to the log.
CREATE FUNCTION report_days_lock() RETURNS void LANGUAGE sql AS $$
    SELECT FROM event_log_head FOR UPDATE
$$;

CREATE FUNCTION report_days_of_opportunity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unit text := coalesce((SELECT org_unit FROM deal_access WHERE deal_id = NEW.id), '');
    was_level text := '';
BEGIN
    PERFORM report_days_lock();
    IF TG_OP = 'UPDATE' THEN
        was_level := coalesce(OLD.level, '');
        PERFORM report_count_opportunity(OLD, unit, -1);
    END IF;
    -- What the deal counted at its level before (none before its row existed) moves to its new level.
    IF was_level <> coalesce(NEW.level, '') THEN
        PERFORM report_move_deal(NEW.id, unit, was_level, unit, coalesce(NEW.level, ''));
    END IF;
    PERFORM report_count_opportunity(NEW, unit, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_days_opportunity_insert AFTER INSERT ON opportunities
    FOR EACH ROW EXECUTE FUNCTION report_days_of_opportunity();
CREATE TRIGGER report_days_opportunity_update AFTER UPDATE ON opportunities
    FOR EACH ROW WHEN ((OLD.created_at, OLD.stage, OLD.outcome, OLD.level, OLD.value_currency, OLD.value_minor,
        OLD.reached_stages, OLD.closed_at, OLD.contract_currency, OLD.contract_minor)
        IS DISTINCT FROM (NEW.created_at, NEW.stage, NEW.outcome, NEW.level, NEW.value_currency, NEW.value_minor,
        NEW.reached_stages, NEW.closed_at, NEW.contract_currency, NEW.contract_minor))
    EXECUTE FUNCTION report_days_of_opportunity();

-- A deal's unit is deal_access's (a lead's row becomes its deal's): a row that appears or changes unit moves what
-- the deal counts from the unit before ('' without a row) to the new one.
CREATE FUNCTION report_days_of_access() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.org_unit ELSE '' END;
    o opportunities;
BEGIN
    IF was = NEW.org_unit THEN
        RETURN NULL;
    END IF;
    PERFORM report_days_lock();
    SELECT * INTO o FROM opportunities WHERE id = NEW.deal_id;
    IF FOUND THEN
        PERFORM report_count_opportunity(o, was, -1);
        PERFORM report_count_opportunity(o, NEW.org_unit, 1);
    END IF;
    PERFORM report_move_deal(NEW.deal_id, was, coalesce(o.level, ''), NEW.org_unit, coalesce(o.level, ''));
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_days_access AFTER INSERT OR UPDATE OF org_unit ON deal_access
    FOR EACH ROW EXECUTE FUNCTION report_days_of_access();

CREATE FUNCTION report_days_of_stay() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k record := report_deal_key(NEW.deal_id);
BEGIN
    PERFORM report_days_lock();
    IF TG_OP = 'UPDATE' THEN
        PERFORM report_count_stay(OLD, k.org_unit, k.level, -1);
    END IF;
    PERFORM report_count_stay(NEW, k.org_unit, k.level, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_days_stay_insert AFTER INSERT ON stage_visits
    FOR EACH ROW WHEN (NEW.left_at IS NOT NULL) EXECUTE FUNCTION report_days_of_stay();
CREATE TRIGGER report_days_stay_update AFTER UPDATE ON stage_visits
    FOR EACH ROW WHEN ((OLD.stage, OLD.entered_at, OLD.left_at) IS DISTINCT FROM (NEW.stage, NEW.entered_at, NEW.left_at))
    EXECUTE FUNCTION report_days_of_stay();

CREATE FUNCTION report_days_of_decision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k record := report_deal_key(NEW.opportunity_id);
BEGIN
    PERFORM report_days_lock();
    IF TG_OP = 'UPDATE' THEN
        PERFORM report_count_decision(OLD, k.org_unit, k.level, -1);
    END IF;
    PERFORM report_count_decision(NEW, k.org_unit, k.level, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_days_decision_insert AFTER INSERT ON decisions
    FOR EACH ROW WHEN (NEW.status NOT IN ('PENDING', 'WITHDRAWN')) EXECUTE FUNCTION report_days_of_decision();
CREATE TRIGGER report_days_decision_update AFTER UPDATE ON decisions
    FOR EACH ROW WHEN ((OLD.gate, OLD.status, OLD.level, OLD.created_at, OLD.updated_at)
        IS DISTINCT FROM (NEW.gate, NEW.status, NEW.level, NEW.created_at, NEW.updated_at))
    EXECUTE FUNCTION report_days_of_decision();

-- The log is append-only: a flag is counted once.
CREATE FUNCTION report_days_of_flag() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k record := report_deal_key(NEW.deal_id);
BEGIN
    PERFORM report_days_lock();
    PERFORM report_count_flag(NEW, k.org_unit, k.level, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_days_flag AFTER INSERT ON events
    FOR EACH ROW WHEN (NEW.type IN ('weekly_report.overdue', 'decision.overdue')) EXECUTE FUNCTION report_days_of_flag();

-- report_days_rebuild computes every aggregate again from the deals: here for the deals written before, and after
-- a bulk load that turned the triggers off. It holds what the triggers keep, row for row (store tests compare).
CREATE FUNCTION report_days_rebuild() RETURNS void LANGUAGE sql AS $$
    TRUNCATE report_created_days, report_reached_days, report_closed_days, report_stay_days, report_turnaround_days,
        report_overdue_days;

    INSERT INTO report_created_days (day, org_unit, level, stage, outcome, currency, deals, value)
    SELECT r.day, r.org_unit, coalesce(o.level, ''), o.stage, coalesce(o.outcome, ''), coalesce(o.value_currency, ''), count(*),
        coalesce(sum(o.value_minor), 0)
    FROM opportunities o LEFT JOIN deal_access x ON x.deal_id = o.id, report_rows(o.created_at, coalesce(x.org_unit, '')) r
    GROUP BY 1, 2, 3, 4, 5, 6;

    INSERT INTO report_reached_days (day, org_unit, level, reached)
    SELECT r.day, r.org_unit, coalesce(o.level, ''), ARRAY[
        count(*) FILTER (WHERE o.reached_stages & 1 <> 0), count(*) FILTER (WHERE o.reached_stages & 2 <> 0),
        count(*) FILTER (WHERE o.reached_stages & 4 <> 0), count(*) FILTER (WHERE o.reached_stages & 8 <> 0),
        count(*) FILTER (WHERE o.reached_stages & 16 <> 0), count(*) FILTER (WHERE o.reached_stages & 32 <> 0),
        count(*) FILTER (WHERE o.reached_stages & 64 <> 0), count(*) FILTER (WHERE o.reached_stages & 128 <> 0),
        count(*) FILTER (WHERE o.reached_stages & 256 <> 0), count(*) FILTER (WHERE o.reached_stages & 512 <> 0)]::integer[]
    FROM opportunities o LEFT JOIN deal_access x ON x.deal_id = o.id, report_rows(o.created_at, coalesce(x.org_unit, '')) r
    WHERE o.reached_stages <> 0
    GROUP BY 1, 2, 3;

    INSERT INTO report_closed_days (day, org_unit, level, outcome, currency, deals, value)
    SELECT r.day, r.org_unit, coalesce(o.level, ''), coalesce(o.outcome, ''), coalesce(o.contract_currency, o.value_currency, ''),
        count(*), coalesce(sum(coalesce(o.contract_minor, o.value_minor)), 0)
    FROM opportunities o LEFT JOIN deal_access x ON x.deal_id = o.id, report_rows(o.closed_at, coalesce(x.org_unit, '')) r
    WHERE o.closed_at IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5;

    INSERT INTO report_stay_days (day, org_unit, level, stage, buckets, counts)
    SELECT day, org_unit, level, stage, array_agg(bucket ORDER BY bucket), array_agg(n ORDER BY bucket)
    FROM (
        SELECT r.day, r.org_unit, coalesce(o.level, '') AS level, v.stage, report_bucket(v.seconds) AS bucket, count(*)::integer AS n
        FROM stage_visits v LEFT JOIN deal_access x ON x.deal_id = v.deal_id LEFT JOIN opportunities o ON o.id = v.deal_id,
            report_rows(v.left_at, coalesce(x.org_unit, '')) r
        WHERE v.left_at IS NOT NULL AND v.stage = ANY (report_main_path())
        GROUP BY 1, 2, 3, 4, 5
    ) b
    GROUP BY 1, 2, 3, 4;

    INSERT INTO report_turnaround_days (day, org_unit, level, gate, decision_level, buckets, counts)
    SELECT day, org_unit, level, gate, decision_level, array_agg(bucket ORDER BY bucket), array_agg(n ORDER BY bucket)
    FROM (
        SELECT r.day, r.org_unit, coalesce(o.level, '') AS level, d.gate, coalesce(d.level, '') AS decision_level,
            report_bucket(d.turnaround_seconds) AS bucket, count(*)::integer AS n
        FROM decisions d LEFT JOIN deal_access x ON x.deal_id = d.opportunity_id LEFT JOIN opportunities o ON o.id = d.opportunity_id,
            report_rows(d.updated_at, coalesce(x.org_unit, '')) r
        WHERE d.status NOT IN ('PENDING', 'WITHDRAWN')
        GROUP BY 1, 2, 3, 4, 5, 6
    ) b
    GROUP BY 1, 2, 3, 4, 5;

    INSERT INTO report_overdue_days (day, org_unit, level, type, flags)
    SELECT r.day, r.org_unit, coalesce(o.level, ''), e.type, count(*)
    FROM events e LEFT JOIN deal_access x ON x.deal_id = e.deal_id LEFT JOIN opportunities o ON o.id = e.deal_id,
        report_rows(e.occurred_at, coalesce(x.org_unit, '')) r
    WHERE e.type IN ('weekly_report.overdue', 'decision.overdue')
    GROUP BY 1, 2, 3, 4;
$$;

SELECT report_days_rebuild();
