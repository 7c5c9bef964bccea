package store

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ltcengine/ltc/internal/ltc"
)

var forecastColumns = []string{"deal_id", "org_unit", "owner_id", "open", "close_date", "category", "currency",
	"value_minor", "win_rate", "won_at", "won_currency", "won_minor"}

// forecastRow is the deal's row of deal_forecasts (migration 019). leadClose is the lead's expected close date,
// which a deal whose owner never set a forecast reads as its own; nil leaves it to the lead's row.
func forecastRow(o ltc.Opportunity, leadClose *ltc.Date) []any {
	f := o.ForecastOf(ltc.Date{})
	var closeDate any
	switch {
	case o.Forecast != nil:
		closeDate = dateOf(f.ExpectedCloseDate)
	case leadClose != nil && leadClose.Valid():
		closeDate = dateOf(*leadClose)
	}
	var wonAt, wonCurrency, wonMinor any
	if o.Outcome == ltc.OutcomeWon && o.ClosedAt != nil {
		won := o.EstimatedValue
		if o.Contract != nil {
			won = o.Contract.Amount
		}
		wonAt, wonCurrency, wonMinor = *o.ClosedAt, won.Currency, won.AmountMinor
	}
	return []any{o.ID, string(o.Unit), o.Owner.ID, o.Open(), closeDate, string(f.Category), f.Value.Currency,
		f.Value.AmountMinor, o.WinRate(), wonAt, wonCurrency, wonMinor}
}

// upsertForecast writes the deal's forecast row, in the transaction of its row.
func upsertForecast(ctx context.Context, tx pgx.Tx, o ltc.Opportunity) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO deal_forecasts (deal_id, org_unit, owner_id, open, close_date, category, currency, value_minor,
			win_rate, won_at, won_currency, won_minor)
		VALUES ($1, $2, $3, $4,
			coalesce($5::date, (SELECT forecast_date(l.doc->'expected_close_date') FROM leads l WHERE l.id = $1)),
			$6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (deal_id) DO UPDATE SET org_unit = excluded.org_unit, owner_id = excluded.owner_id,
			open = excluded.open, close_date = excluded.close_date, category = excluded.category,
			currency = excluded.currency, value_minor = excluded.value_minor, win_rate = excluded.win_rate,
			won_at = excluded.won_at, won_currency = excluded.won_currency, won_minor = excluded.won_minor`,
		forecastRow(o, nil)...)
	if err != nil {
		return fmt.Errorf("write forecast of deal %s: %w", o.ID, err)
	}
	return nil
}

// withForecast fills in the forecast of a deal whose owner never set one, as the read model derived it (the
// lead's expected close date, the estimated value, PIPELINE).
func (s *Store) withForecast(ctx context.Context, o ltc.Opportunity) (ltc.Opportunity, error) {
	if o.Forecast != nil {
		return o, nil
	}
	var closeDate *time.Time
	f := o.ForecastOf(ltc.Date{})
	err := s.pool.QueryRow(ctx, `SELECT close_date FROM deal_forecasts WHERE deal_id = $1`, o.ID).Scan(&closeDate)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, nil
	}
	if err != nil {
		return o, fmt.Errorf("load forecast of deal %s: %w", o.ID, err)
	}
	if closeDate != nil {
		f.ExpectedCloseDate = ltc.Date{Year: closeDate.Year(), Month: int(closeDate.Month()), Day: closeDate.Day()}
	}
	o.Forecast = &f
	return o, nil
}

// TakeForecastSnapshot takes the snapshot of the last week that ended by now (weeks run Monday to Sunday, UTC),
// unless it was taken: per quarter (the week's, that of its Sunday, and the next one), unit, owner, currency and
// category, the open deals' count and value, and the deals of the quarter won by the week's end; and the same per
// unit for all its owners (owner '*'), which the reports not of one owner read. It reports whether it took it.
// Several callers at once take it once: the first to record the week.
func (s *Store) TakeForecastSnapshot(ctx context.Context, now time.Time) (bool, error) {
	week := ltc.WeekStart(now).AddDate(0, 0, -7)
	end := week.AddDate(0, 0, 7)
	quarter := ltc.QuarterStart(end.AddDate(0, 0, -1))
	next := quarter.AddDate(0, 3, 0)
	taken := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO forecast_snapshot_weeks (week_start, taken_at) VALUES ($1, $2)
			ON CONFLICT (week_start) DO NOTHING`, week, now)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		taken = true
		_, err = tx.Exec(ctx, `
			INSERT INTO forecast_snapshots (quarter, week_start, org_unit, owner_id, currency, category, deals, value)
			SELECT quarter, $1::date, org_unit, coalesce(owner_id, '*'), currency, category, count(*), sum(value_minor)
			FROM deal_forecasts WHERE open AND quarter IN ($2, $3) AND category <> 'OMITTED'
			GROUP BY GROUPING SETS ((quarter, org_unit, owner_id, currency, category), (quarter, org_unit, currency, category))
			UNION ALL
			SELECT won_quarter, $1::date, org_unit, coalesce(owner_id, '*'), won_currency, 'WON', count(*), sum(won_minor)
			FROM deal_forecasts WHERE won_quarter IN ($2, $3) AND won_at < $4 AND category <> 'OMITTED'
			GROUP BY GROUPING SETS ((won_quarter, org_unit, owner_id, won_currency), (won_quarter, org_unit, won_currency))`,
			week, quarter, next, end)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("forecast snapshot of the week of %s: %w", week.Format(time.DateOnly), err)
	}
	return taken, nil
}

// ForecastFilter selects the quarter and the deals of a forecast report.
type ForecastFilter struct {
	// Quarter is the quarter's first day.
	Quarter time.Time
	Unit    ltc.Unit
	OwnerID string
	// Reader, when set, counts only the deals of the units the reader's reports cover (ltc.ReportsReach).
	Reader *ltc.Actor
	// Now bounds the deals won to date.
	Now time.Time
}

// ForecastSums are the forecast figures of one unit's, owner's and currency's deals, exact, in minor units of
// the currency; Weighted is in hundredths of minor units (value × win rate in percent).
type ForecastSums struct {
	Unit, OwnerID, Currency                                              string
	Committed, BestCase, Pipeline, Weighted, Won                         *big.Int
	CommittedDeals, BestCaseDeals, PipelineDeals, WonDeals, OmittedDeals int
}

// ForecastWeek is a week's snapshot of the quarter in one currency: committed, best case (with commit) and won by
// the week's end.
type ForecastWeek struct {
	WeekStart, TakenAt       time.Time
	Currency                 string
	Committed, BestCase, Won *big.Int
}

// Forecast is the report's data, before conversion: its sums per unit, owner and currency (by unit, owner and
// currency), and the weekly snapshots of the quarter per currency (oldest first).
type Forecast struct {
	Rows  []ForecastSums
	Weeks []ForecastWeek
}

// ForecastReport reads the quarter's forecast in one consistent snapshot: its open deals and its won deals from
// deal_forecasts' partial indexes, its weeks from forecast_snapshots.
func (s *Store) ForecastReport(ctx context.Context, ff ForecastFilter) (Forecast, error) {
	var f filter
	where := []string{"TRUE"}
	if ff.Unit != "" {
		where = append(where, f.unitIs("f.org_unit", ff.Unit))
	}
	if ff.OwnerID != "" {
		where = append(where, "f.owner_id = "+f.arg(ff.OwnerID))
	}
	if ff.Reader != nil {
		if r := ltc.ReportsReach(*ff.Reader); !r.All {
			units := []string{"FALSE"}
			for _, u := range r.Units {
				units = append(units, f.unitIs("f.org_unit", u))
			}
			where = append(where, "("+strings.Join(units, " OR ")+")")
		}
	}
	cond := strings.Join(where, " AND ")
	// The snapshots of one owner are their rows; of all owners the units' rows (owner '*').
	snapshotOwner := "f.owner_id = '*'"
	if ff.OwnerID != "" {
		snapshotOwner = "TRUE"
	}
	quarter, now := f.arg(ff.Quarter), f.arg(ff.Now)
	var out Forecast
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT org_unit, owner_id, currency, sum(committed), sum(best_case), sum(pipeline), sum(weighted), sum(won),
				sum(committed_deals)::int, sum(best_case_deals)::int, sum(pipeline_deals)::int, sum(won_deals)::int,
				sum(omitted_deals)::int
			FROM (
				SELECT f.org_unit, f.owner_id, f.currency,
					coalesce(sum(f.value_minor) FILTER (WHERE f.category = 'COMMIT'), 0) AS committed,
					coalesce(sum(f.value_minor) FILTER (WHERE f.category IN ('COMMIT', 'BEST_CASE')), 0) AS best_case,
					coalesce(sum(f.value_minor) FILTER (WHERE f.category <> 'OMITTED'), 0) AS pipeline,
					coalesce(sum(f.value_minor::numeric * f.win_rate) FILTER (WHERE f.category <> 'OMITTED'), 0) AS weighted,
					0 AS won,
					count(*) FILTER (WHERE f.category = 'COMMIT') AS committed_deals,
					count(*) FILTER (WHERE f.category IN ('COMMIT', 'BEST_CASE')) AS best_case_deals,
					count(*) FILTER (WHERE f.category <> 'OMITTED') AS pipeline_deals,
					0 AS won_deals,
					count(*) FILTER (WHERE f.category = 'OMITTED') AS omitted_deals
				FROM deal_forecasts f WHERE f.open AND f.quarter = `+quarter+` AND `+cond+`
				GROUP BY 1, 2, 3
				UNION ALL
				SELECT f.org_unit, f.owner_id, f.won_currency, 0, 0, 0, 0, sum(f.won_minor), 0, 0, 0, count(*), 0
				FROM deal_forecasts f
				WHERE f.won_quarter = `+quarter+` AND f.won_at <= `+now+` AND f.category <> 'OMITTED' AND `+cond+`
				GROUP BY 1, 2, 3
			) x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, f.args...)
		if err != nil {
			return err
		}
		out.Rows, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (ForecastSums, error) {
			var r ForecastSums
			var sums [5]pgtype.Numeric
			if err := row.Scan(&r.Unit, &r.OwnerID, &r.Currency, &sums[0], &sums[1], &sums[2], &sums[3], &sums[4],
				&r.CommittedDeals, &r.BestCaseDeals, &r.PipelineDeals, &r.WonDeals, &r.OmittedDeals); err != nil {
				return r, err
			}
			for i, dst := range []**big.Int{&r.Committed, &r.BestCase, &r.Pipeline, &r.Weighted, &r.Won} {
				t, err := scanTotal(r.Currency, sums[i])
				if err != nil {
					return r, err
				}
				*dst = t.AmountMinor
			}
			return r, nil
		})
		if err != nil {
			return fmt.Errorf("forecast: %w", err)
		}
		rows, err = tx.Query(ctx, `
			SELECT f.week_start, w.taken_at, f.currency,
				coalesce(sum(f.value) FILTER (WHERE f.category = 'COMMIT'), 0),
				coalesce(sum(f.value) FILTER (WHERE f.category IN ('COMMIT', 'BEST_CASE')), 0),
				coalesce(sum(f.value) FILTER (WHERE f.category = 'WON'), 0)
			FROM forecast_snapshots f JOIN forecast_snapshot_weeks w ON w.week_start = f.week_start
			WHERE f.quarter = `+quarter+` AND `+snapshotOwner+` AND `+cond+`
			GROUP BY 1, 2, 3 ORDER BY 1, 3`, f.args[:len(f.args)-1]...) // all but now, the last
		if err != nil {
			return err
		}
		out.Weeks, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (ForecastWeek, error) {
			var w ForecastWeek
			var sums [3]pgtype.Numeric
			if err := row.Scan(&w.WeekStart, &w.TakenAt, &w.Currency, &sums[0], &sums[1], &sums[2]); err != nil {
				return w, err
			}
			for i, dst := range []**big.Int{&w.Committed, &w.BestCase, &w.Won} {
				t, err := scanTotal(w.Currency, sums[i])
				if err != nil {
					return w, err
				}
				*dst = t.AmountMinor
			}
			return w, nil
		})
		if err != nil {
			return fmt.Errorf("forecast weeks: %w", err)
		}
		return nil
	})
	return out, err
}

// RatesInForce are the exchange rates into to in force on the day for the currencies, by currency: the latest
// effective on or before it.
func (s *Store) RatesInForce(ctx context.Context, currencies []string, to string, day ltc.Date) (map[string]ltc.ExchangeRate, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT DISTINCT ON (from_currency) from_currency, rate_text, effective_date FROM exchange_rates
		WHERE from_currency = ANY($1) AND to_currency = $2 AND effective_date <= $3
		ORDER BY from_currency, effective_date DESC`, currencies, to, dateOf(day))
	if err != nil {
		return nil, fmt.Errorf("load exchange rates: %w", err)
	}
	rates := map[string]ltc.ExchangeRate{}
	var r ltc.ExchangeRate
	var effective time.Time
	_, err = pgx.ForEachRow(rows, []any{&r.From, &r.Rate, &effective}, func() error {
		r.To = to
		r.EffectiveDate = ltc.Date{Year: effective.Year(), Month: int(effective.Month()), Day: effective.Day()}
		rates[r.From] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load exchange rates: %w", err)
	}
	return rates, nil
}
