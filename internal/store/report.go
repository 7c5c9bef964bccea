package store

import (
	"cmp"
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ltcengine/ltc/internal/ltc"
)

// ReportFilter selects the period and the deals of a pipeline report.
type ReportFilter struct {
	From, To time.Time
	Level    ltc.ProjectLevel
	OwnerID  string
	// AccountID counts the deals of one account (read from its deals, which are few, like an owner's).
	AccountID string
	// Reader, when set, counts only the deals of the units the reader's reports cover (ltc.ReportsReach).
	Reader *ltc.Actor
}

// FunnelRow counts the deals created in the period by where they stand now.
type FunnelRow struct {
	Stage   ltc.Stage
	Outcome ltc.Outcome
	Deals   int
	Value   []Total // one sum per currency, by currency code
}

// Total is a sum of amounts in one currency, exact: PostgreSQL sums the bigint amounts as numeric, and a sum of
// many deals may pass int64 (each amount is at most 10^15 minor units, 9,224 of them do).
type Total struct {
	Currency    string
	AmountMinor *big.Int
}

// String formats the total as "12345 EUR" (minor units).
func (t Total) String() string { return t.AmountMinor.String() + " " + t.Currency }

// scanTotal reads a currency and a numeric sum.
func scanTotal(currency string, sum pgtype.Numeric) (Total, error) {
	if !sum.Valid || sum.NaN || sum.InfinityModifier != pgtype.Finite || sum.Exp < 0 {
		return Total{}, fmt.Errorf("sum in %s is not a whole number: %+v", currency, sum)
	}
	n := new(big.Int).Set(sum.Int)
	n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(sum.Exp)), nil))
	return Total{Currency: currency, AmountMinor: n}, nil
}

// Conversion is how many deals created in the period reached a stage, and the next one of the main path.
type Conversion struct {
	From, To               ltc.Stage
	ReachedFrom, ReachedTo int
}

// Duration summarises durations: how many, the median and the 90th percentile.
type Duration struct {
	Count       int
	Median, P90 time.Duration
}

// StageTime is the time deals spent in a stage, over the stays that ended in the period.
type StageTime struct {
	Stage ltc.Stage
	Duration
}

// GateTurnaround is the time from request to decision of the decisions taken in the period.
type GateTurnaround struct {
	Gate  ltc.Gate
	Level ltc.ProjectLevel
	Duration
}

// Report is the pipeline report.
type Report struct {
	Funnel               []FunnelRow
	Conversions          []Conversion
	TimeInStage          []StageTime
	GateTurnaround       []GateTurnaround
	OverdueWeeklyReports int // weekly reports flagged missing in the period
	OverdueDecisions     int // decisions flagged overdue (past the SLA at the top authority) in the period
	Won, Closed          int // deals closed in the period, and of them won
	ValueWon             []Total
}

// MainPath is the order of the stages a won deal goes through; conversions are between neighbours.
var MainPath = []ltc.Stage{ltc.StageValidation, ltc.StageInitiationReview, ltc.StageTeamFormation, ltc.StagePursuit,
	ltc.StageATBReview, ltc.StageBidding, ltc.StageNegotiation, ltc.StageATCReview, ltc.StageContractSigning,
	ltc.StageHandover}

// PipelineReport computes the report in one consistent snapshot. The whole UTC days of the period are read from
// the per-day aggregates (migration 012), keyed by unit and level so the reader's reach and the level filter stay
// exact, and for a company-wide reader its whole months from the company's month rows; the parts of a day at
// either end, and an owner's report (an owner's deals are few), are read from the deals, stays, decisions and
// flags themselves. Its cost follows the days and months of the period, not the deals in it. Counts and sums are
// exact; percentiles come from merged histograms (durations) within 1 % of the exact ones.
func (s *Store) PipelineReport(ctx context.Context, rf ReportFilter) (Report, error) {
	var r Report
	p := splitPeriod(rf.From, rf.To, rf.OwnerID == "" && rf.AccountID == "")
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// bind numbers the placeholders a query uses: $days (the whole days and the filters on an aggregate aliased
		// a), $raw(COLUMN) (COLUMN falls in the ends of the period read from the rows), $stages (the main path),
		// $gates, $levels, $deals (the filters on the deals aliased o) and $deal(COLUMN) (the same filters on the
		// deal whose id is COLUMN).
		bind := func(sql string) (string, []any) {
			var f filter
			for _, b := range []struct {
				token string
				value any
			}{{"$stages", stageNames()}, {"$gates", reportGates}, {"$levels", reportLevels}} {
				if strings.Contains(sql, b.token) {
					sql = strings.ReplaceAll(sql, b.token, f.arg(b.value))
				}
			}
			days := "FALSE"
			if p.days {
				companyWide := rf.Reader == nil || ltc.ReportsReach(*rf.Reader).All
				days = p.rows(&f, companyWide)
				if rf.Level != "" {
					days += " AND a.level = " + f.arg(rf.Level)
				}
				if !companyWide {
					days += " AND " + f.units("a.org_unit", ltc.ReportsReach(*rf.Reader))
				}
			}
			sql = strings.ReplaceAll(sql, "$days", days)
			var ends []string
			for _, e := range p.ends {
				ends = append(ends, "COLUMN >= "+f.arg(e[0])+" AND COLUMN < "+f.arg(e[1]))
			}
			raw := "FALSE"
			if len(ends) > 0 {
				raw = "(" + strings.Join(ends, " OR ") + ")"
			}
			for _, column := range []string{"o.created_at", "o.closed_at", "v.left_at", "d.updated_at", "e.occurred_at"} {
				sql = strings.ReplaceAll(sql, "$raw("+column+")", strings.ReplaceAll(raw, "COLUMN", column))
			}
			deals := "TRUE"
			if rf.Level != "" {
				deals += " AND o.level = " + f.arg(rf.Level)
			}
			if rf.OwnerID != "" {
				deals += " AND o.owner_id = " + f.arg(rf.OwnerID)
			}
			if rf.AccountID != "" {
				deals += " AND o.account_id = " + f.arg(rf.AccountID)
			}
			if rf.Reader != nil {
				if c := f.reach(ltc.ReportsReach(*rf.Reader), "readers"); c != "" {
					deals += " AND " + access("o.id", c)
				}
			}
			for _, column := range []string{"v.deal_id", "d.opportunity_id", "e.deal_id"} {
				of := "TRUE"
				if deals != "TRUE" {
					of = "EXISTS (SELECT 1 FROM opportunities o WHERE o.id = " + column + " AND " + deals + ")"
				}
				sql = strings.ReplaceAll(sql, "$deal("+column+")", of)
			}
			return strings.ReplaceAll(sql, "$deals", deals), f.args
		}
		q := func(sql string, scan func(pgx.Rows) error) error {
			sql, args := bind(sql)
			rows, err := tx.Query(ctx, sql, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if err := scan(rows); err != nil {
					return err
				}
			}
			return rows.Err()
		}
		// Counts and sums add up the aggregates and the rows at the ends in SQL (sums numeric, exact): Go adds no
		// amounts. The deals created in the period, by where they stand now and by currency.
		if err := q(`SELECT stage, outcome, currency, sum(deals), sum(value) FROM (
				SELECT a.stage, a.outcome, a.currency, a.deals, a.value FROM report_created_days a WHERE $days
				UNION ALL
				SELECT o.stage, coalesce(o.outcome, ''), coalesce(o.value_currency, ''), 1, coalesce(o.value_minor, 0)
				FROM opportunities o WHERE $raw(o.created_at) AND $deals
			) f GROUP BY 1, 2, 3 HAVING sum(deals) > 0 ORDER BY 1, 2, 3`, func(rows pgx.Rows) error {
			var stage ltc.Stage
			var outcome ltc.Outcome
			var currency string
			var sum pgtype.Numeric
			var n int
			if err := rows.Scan(&stage, &outcome, &currency, &n, &sum); err != nil {
				return err
			}
			if k := len(r.Funnel); k == 0 || r.Funnel[k-1].Stage != stage || r.Funnel[k-1].Outcome != outcome {
				r.Funnel = append(r.Funnel, FunnelRow{Stage: stage, Outcome: outcome})
			}
			f := &r.Funnel[len(r.Funnel)-1]
			f.Deals += n
			total, err := scanTotal(currency, sum)
			f.Value = append(f.Value, total)
			return err
		}); err != nil {
			return fmt.Errorf("funnel: %w", err)
		}

		// Of the deals created in the period, how many reached each stage of the main path (reached[i] of the days,
		// bit i-1 of reached_stages of the deals).
		reached := make([]int, len(MainPath))
		if err := q(`SELECT i, sum(n) FROM (
				SELECT u.i, u.n FROM report_reached_days a, unnest(a.reached) WITH ORDINALITY u (n, i) WHERE $days
				UNION ALL
				SELECT i + 1, count(*) FROM opportunities o, generate_series(0, 9) i
				WHERE $raw(o.created_at) AND $deals AND o.reached_stages & (1 << i) <> 0 GROUP BY 1
			) r GROUP BY 1`, func(rows pgx.Rows) error {
			var i, n int
			if err := rows.Scan(&i, &n); err != nil {
				return err
			}
			if i >= 1 && i <= len(reached) {
				reached[i-1] = n
			}
			return nil
		}); err != nil {
			return fmt.Errorf("conversions: %w", err)
		}
		for i := 0; i+1 < len(MainPath); i++ {
			r.Conversions = append(r.Conversions, Conversion{From: MainPath[i], To: MainPath[i+1],
				ReachedFrom: reached[i], ReachedTo: reached[i+1]})
		}

		// The stays of each stage of the main path that ended in the period, as histograms of their lengths, and the
		// decisions taken in it by gate and level, of their turnarounds: merged here, a row's buckets at a time.
		stays := map[ltc.Stage]*durations{}
		if err := q(`SELECT a.stage, a.buckets, a.counts FROM report_stay_days a WHERE $days
			UNION ALL
			SELECT v.stage, ARRAY[report_bucket(v.seconds)], ARRAY[count(*)::integer] FROM stage_visits v
			WHERE v.stage = ANY($stages) AND $raw(v.left_at) AND $deal(v.deal_id) GROUP BY 1, 2`, func(rows pgx.Rows) error {
			var stage ltc.Stage
			var buckets, counts []int32
			if err := rows.Scan(&stage, &buckets, &counts); err != nil {
				return err
			}
			if stays[stage] == nil {
				stays[stage] = newDurations()
			}
			return stays[stage].addAll(buckets, counts)
		}); err != nil {
			return fmt.Errorf("time in stage: %w", err)
		}
		for _, stage := range MainPath {
			if h := stays[stage]; h != nil && h.count() > 0 {
				r.TimeInStage = append(r.TimeInStage, StageTime{Stage: stage, Duration: h.summary()})
			}
		}

		type gateLevel struct {
			gate  ltc.Gate
			level ltc.ProjectLevel
		}
		turnarounds := map[gateLevel]*durations{}
		if err := q(`SELECT a.gate, a.decision_level, a.buckets, a.counts FROM report_turnaround_days a
			WHERE $days AND a.gate = ANY($gates) AND a.decision_level = ANY($levels)
			UNION ALL
			SELECT d.gate, d.level, ARRAY[report_bucket(d.turnaround_seconds)], ARRAY[count(*)::integer] FROM decisions d
			WHERE d.gate = ANY($gates) AND d.level = ANY($levels) AND d.status NOT IN ('PENDING', 'WITHDRAWN')
				AND $raw(d.updated_at) AND $deal(d.opportunity_id)
			GROUP BY 1, 2, 3`, func(rows pgx.Rows) error {
			var k gateLevel
			var buckets, counts []int32
			if err := rows.Scan(&k.gate, &k.level, &buckets, &counts); err != nil {
				return err
			}
			if turnarounds[k] == nil {
				turnarounds[k] = newDurations()
			}
			return turnarounds[k].addAll(buckets, counts)
		}); err != nil {
			return fmt.Errorf("gate turnaround: %w", err)
		}
		for k, h := range turnarounds {
			if h.count() > 0 {
				r.GateTurnaround = append(r.GateTurnaround, GateTurnaround{Gate: k.gate, Level: k.level, Duration: h.summary()})
			}
		}
		slices.SortFunc(r.GateTurnaround, func(a, b GateTurnaround) int {
			return cmp.Or(strings.Compare(string(a.Gate), string(b.Gate)), strings.Compare(string(a.Level), string(b.Level)))
		})

		if err := q(`SELECT type, sum(n) FROM (
				SELECT a.type, a.flags AS n FROM report_overdue_days a WHERE $days
				UNION ALL
				SELECT e.type, count(*) FROM events e
				WHERE e.type IN ('`+ltc.EventWeeklyReportOverdue+`', '`+ltc.EventDecisionOverdue+`')
					AND $raw(e.occurred_at) AND $deal(e.deal_id)
				GROUP BY 1
			) x GROUP BY 1`, func(rows pgx.Rows) error {
			var typ string
			var n int
			if err := rows.Scan(&typ, &n); err != nil {
				return err
			}
			switch typ {
			case ltc.EventWeeklyReportOverdue:
				r.OverdueWeeklyReports = n
			case ltc.EventDecisionOverdue:
				r.OverdueDecisions = n
			}
			return nil
		}); err != nil {
			return fmt.Errorf("overdue: %w", err)
		}

		// A won deal's value is its contract's amount (the estimate if none was recorded).
		if err := q(`SELECT outcome, currency, sum(deals), sum(value) FROM (
				SELECT a.outcome, a.currency, a.deals, a.value FROM report_closed_days a WHERE $days
				UNION ALL
				SELECT coalesce(o.outcome, ''), coalesce(o.contract_currency, o.value_currency, ''), 1,
					coalesce(o.contract_minor, o.value_minor, 0)
				FROM opportunities o WHERE $raw(o.closed_at) AND $deals
			) c GROUP BY 1, 2 HAVING sum(deals) > 0 ORDER BY 1, 2`, func(rows pgx.Rows) error {
			var outcome ltc.Outcome
			var currency string
			var sum pgtype.Numeric
			var n int
			if err := rows.Scan(&outcome, &currency, &n, &sum); err != nil {
				return err
			}
			r.Closed += n
			if outcome != ltc.OutcomeWon {
				return nil
			}
			r.Won += n
			total, err := scanTotal(currency, sum)
			r.ValueWon = append(r.ValueWon, total)
			return err
		}); err != nil {
			return fmt.Errorf("win rate: %w", err)
		}
		return nil
	})
	return r, err
}

// period is a report's period split for reading: the whole UTC days [firstDay, endDay) from the aggregates (if
// days), and the ends, at most two [from, to) ranges, from the rows.
type period struct {
	days             bool
	firstDay, endDay time.Time
	ends             [][2]time.Time
}

// splitPeriod splits [from, to); byDay false reads it all from the rows.
func splitPeriod(from, to time.Time, byDay bool) period {
	first := from.UTC().Truncate(24 * time.Hour)
	if first.Before(from) {
		first = first.Add(24 * time.Hour)
	}
	end := to.UTC().Truncate(24 * time.Hour)
	if !byDay || !first.Before(end) {
		return period{ends: [][2]time.Time{{from, to}}}
	}
	p := period{days: true, firstDay: first, endDay: end}
	if from.Before(first) {
		p.ends = append(p.ends, [2]time.Time{from, first})
	}
	if end.Before(to) {
		p.ends = append(p.ends, [2]time.Time{end, to})
	}
	return p
}

// rows is the condition on an aggregate row (aliased a) that it counts the whole days: the company's month rows
// (org_unit '*') for the whole months among them when companyWide, the day rows for the other days.
func (p period) rows(f *filter, companyWide bool) string {
	dayRows := func(from, to time.Time) string {
		return "a.org_unit <> '*' AND a.day >= " + f.arg(from) + "::date AND a.day < " + f.arg(to) + "::date"
	}
	firstMonth := time.Date(p.firstDay.Year(), p.firstDay.Month(), 1, 0, 0, 0, 0, time.UTC)
	if firstMonth.Before(p.firstDay) {
		firstMonth = firstMonth.AddDate(0, 1, 0)
	}
	endMonth := time.Date(p.endDay.Year(), p.endDay.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !companyWide || !firstMonth.Before(endMonth) {
		return dayRows(p.firstDay, p.endDay)
	}
	var parts []string
	if p.firstDay.Before(firstMonth) {
		parts = append(parts, dayRows(p.firstDay, firstMonth))
	}
	parts = append(parts, "a.org_unit = '*' AND a.day >= "+f.arg(firstMonth)+"::date AND a.day < "+f.arg(endMonth)+"::date")
	if endMonth.Before(p.endDay) {
		parts = append(parts, dayRows(endMonth, p.endDay))
	}
	return "((" + strings.Join(parts, ") OR (") + "))"
}

// The gates and project levels the turnarounds are reported by.
var (
	reportGates  = []string{string(ltc.GateInitiation), string(ltc.GateATB), string(ltc.GateATC)}
	reportLevels = []string{string(ltc.LevelA), string(ltc.LevelB), string(ltc.LevelC)}
)

func stageNames() []string {
	names := make([]string, len(MainPath))
	for i, s := range MainPath {
		names[i] = string(s)
	}
	return names
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// AccountShare is an account's part of the open pipeline in one currency.
type AccountShare struct {
	AccountID, Name string
	Value           Total
	Share           float64
}

// TopAccounts is the open pipeline's concentration: per currency, the five accounts with the most value in open
// deals now (of the filter's level, owner and account and in the reader's reach; the period does not apply), with
// their share of the currency's open value. It reads the open deals (the partial index opportunities_open).
func (s *Store) TopAccounts(ctx context.Context, rf ReportFilter) ([]AccountShare, error) {
	var f filter
	f.where = append(f.where, "o.outcome IS NULL")
	if rf.Level != "" {
		f.add("o.level = %s", rf.Level)
	}
	if rf.OwnerID != "" {
		f.add("o.owner_id = %s", rf.OwnerID)
	}
	if rf.AccountID != "" {
		f.add("o.account_id = %s", rf.AccountID)
	}
	if rf.Reader != nil {
		if c := f.reach(ltc.ReportsReach(*rf.Reader), "readers"); c != "" {
			f.where = append(f.where, access("o.id", c))
		}
	}
	rows, err := s.pool.Query(ctx, `
		WITH open AS (
			SELECT o.account_id, o.value_currency AS currency, sum(o.value_minor)::numeric AS value
			FROM opportunities o WHERE `+strings.Join(f.where, " AND ")+`
			GROUP BY 1, 2
		), ranked AS (
			SELECT account_id, currency, value, sum(value) OVER (PARTITION BY currency) AS total,
				row_number() OVER (PARTITION BY currency, account_id IS NULL ORDER BY value DESC, account_id) AS n
			FROM open
		)
		SELECT r.account_id::text, coalesce(a.name, ''), r.currency, r.value::text,
			CASE WHEN r.total > 0 THEN (r.value / r.total)::float8 ELSE 0 END
		FROM ranked r LEFT JOIN accounts a ON a.id = r.account_id
		WHERE r.account_id IS NOT NULL AND r.n <= 5
		ORDER BY r.currency, r.n`, f.args...)
	if err != nil {
		return nil, fmt.Errorf("top accounts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AccountShare, error) {
		var a AccountShare
		var value string
		if err := r.Scan(&a.AccountID, &a.Name, &a.Value.Currency, &value, &a.Share); err != nil {
			return a, err
		}
		a.Value.AmountMinor, _ = new(big.Int).SetString(value, 10)
		return a, nil
	})
}
