package store

import (
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

// PipelineReport computes the report from the read model, in one consistent snapshot. Each part reads ranges of
// a covering index in its order: deals by creation (funnel and conversions) and by close, stage visits by stage
// and end, decisions by gate, level and decision time, overdue flags by type and time. Its cost follows what
// happened in the period (with a level or owner filter, plus their lookups), not all deals.
func (s *Store) PipelineReport(ctx context.Context, rf ReportFilter) (Report, error) {
	var r Report
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// The medians sort a period's stays and decisions: in memory rather than in temporary files.
		if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '64MB'"); err != nil {
			return err
		}
		// bind numbers the placeholders a query uses: $from, $to, $stages (the main path), $gates, $levels, $deals
		// (the level and owner filters on the deals aliased o) and $deal(COLUMN) (the same filters on the deal whose
		// id is COLUMN).
		bind := func(sql string) (string, []any) {
			var f filter
			for _, b := range []struct {
				token string
				value any
			}{{"$from", rf.From}, {"$to", rf.To}, {"$stages", stageNames()}, {"$gates", reportGates}, {"$levels", reportLevels}} {
				if strings.Contains(sql, b.token) {
					sql = strings.ReplaceAll(sql, b.token, f.arg(b.value))
				}
			}
			deals := "TRUE"
			if rf.Level != "" {
				deals += " AND o.level = " + f.arg(rf.Level)
			}
			if rf.OwnerID != "" {
				deals += " AND o.owner_id = " + f.arg(rf.OwnerID)
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
		// One scan of the deals created in the period makes the funnel and counts the deals that reached each stage
		// of the main path (reached_stages, bit i for MainPath[i]): grouped by those bits as well, and summed here.
		reached := make([]int, len(MainPath))
		// The value is summed over the groups of a currency in SQL (numeric, exact), so Go adds no amounts.
		if err := q(`SELECT o.stage, coalesce(o.outcome, ''), o.value_currency, o.reached_stages, count(*),
				sum(sum(o.value_minor)) OVER (PARTITION BY o.stage, coalesce(o.outcome, ''), o.value_currency)
			FROM opportunities o
			WHERE o.created_at >= $from AND o.created_at < $to AND $deals
			GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3`, func(rows pgx.Rows) error {
			var stage ltc.Stage
			var outcome ltc.Outcome
			var currency string
			var sum pgtype.Numeric
			var bits int32
			var n int
			if err := rows.Scan(&stage, &outcome, &currency, &bits, &n, &sum); err != nil {
				return err
			}
			for i := range MainPath {
				if bits&(1<<i) != 0 {
					reached[i] += n
				}
			}
			if k := len(r.Funnel); k == 0 || r.Funnel[k-1].Stage != stage || r.Funnel[k-1].Outcome != outcome {
				r.Funnel = append(r.Funnel, FunnelRow{Stage: stage, Outcome: outcome})
			}
			f := &r.Funnel[len(r.Funnel)-1]
			f.Deals += n
			if k := len(f.Value); k > 0 && f.Value[k-1].Currency == currency {
				return nil // the currency's sum came with its first group
			}
			total, err := scanTotal(currency, sum)
			f.Value = append(f.Value, total)
			return err
		}); err != nil {
			return fmt.Errorf("funnel: %w", err)
		}
		for i := 0; i+1 < len(MainPath); i++ {
			r.Conversions = append(r.Conversions, Conversion{From: MainPath[i], To: MainPath[i+1],
				ReachedFrom: reached[i], ReachedTo: reached[i+1]})
		}

		// The stays of each stage that ended in the period, in the order of the index: no sort but the percentiles'.
		if err := q(`SELECT v.stage, count(*), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v.seconds)
			FROM stage_visits v
			WHERE v.stage = ANY($stages) AND v.left_at >= $from AND v.left_at < $to AND $deal(v.deal_id)
			GROUP BY 1`, func(rows pgx.Rows) error {
			var st StageTime
			var p []float64
			if err := rows.Scan(&st.Stage, &st.Count, &p); err != nil {
				return err
			}
			st.Median, st.P90 = seconds(p[0]), seconds(p[1])
			r.TimeInStage = append(r.TimeInStage, st)
			return nil
		}); err != nil {
			return fmt.Errorf("time in stage: %w", err)
		}
		slices.SortFunc(r.TimeInStage, func(a, b StageTime) int { return slices.Index(MainPath, a.Stage) - slices.Index(MainPath, b.Stage) })

		// The decisions of each gate and level taken in the period, one index range each.
		if err := q(`SELECT g.gate, l.level, t.n, t.p
			FROM unnest($gates::text[]) g (gate), unnest($levels::text[]) l (level), LATERAL (
				SELECT count(*) AS n, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY d.turnaround_seconds) AS p
				FROM decisions d
				WHERE d.gate = g.gate AND d.level = l.level AND d.status NOT IN ('PENDING', 'WITHDRAWN')
					AND d.updated_at >= $from AND d.updated_at < $to AND $deal(d.opportunity_id)
			) t
			WHERE t.n > 0 ORDER BY 1, 2`, func(rows pgx.Rows) error {
			var g GateTurnaround
			var p []float64
			if err := rows.Scan(&g.Gate, &g.Level, &g.Count, &p); err != nil {
				return err
			}
			g.Median, g.P90 = seconds(p[0]), seconds(p[1])
			r.GateTurnaround = append(r.GateTurnaround, g)
			return nil
		}); err != nil {
			return fmt.Errorf("gate turnaround: %w", err)
		}

		if err := q(`SELECT e.type, count(*) FROM events e
			WHERE e.type IN ('`+ltc.EventWeeklyReportOverdue+`', '`+ltc.EventDecisionOverdue+`')
				AND e.occurred_at >= $from AND e.occurred_at < $to AND $deal(e.deal_id)
			GROUP BY 1`, func(rows pgx.Rows) error {
			var typ string
			var n int
			if err := rows.Scan(&typ, &n); err != nil {
				return err
			}
			if typ == ltc.EventWeeklyReportOverdue {
				r.OverdueWeeklyReports = n
			} else {
				r.OverdueDecisions = n
			}
			return nil
		}); err != nil {
			return fmt.Errorf("overdue: %w", err)
		}

		// A won deal's value is its contract's amount (the estimate if none was recorded).
		if err := q(`SELECT o.outcome, coalesce(o.contract_currency, o.value_currency), sum(coalesce(o.contract_minor, o.value_minor)), count(*)
			FROM opportunities o WHERE o.closed_at >= $from AND o.closed_at < $to AND $deals
			GROUP BY 1, 2`, func(rows pgx.Rows) error {
			var outcome ltc.Outcome
			var currency string
			var sum pgtype.Numeric
			var n int
			if err := rows.Scan(&outcome, &currency, &sum, &n); err != nil {
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
		slices.SortFunc(r.ValueWon, func(a, b Total) int { return strings.Compare(a.Currency, b.Currency) })
		return nil
	})
	return r, err
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
