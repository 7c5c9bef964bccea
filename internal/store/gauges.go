package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Gauges are the business numbers operators watch.
type Gauges struct {
	OpenDeals []struct {
		Stage ltc.Stage
		Level ltc.ProjectLevel
		Count int
	}
	PendingDecisions []struct {
		Gate    ltc.Gate
		Overdue bool
		Count   int
	}
	// OverdueReports counts weekly report periods without a report, over open deals.
	OverdueReports int
}

// Gauges reads the business gauges in one snapshot.
func (s *Store) Gauges(ctx context.Context) (Gauges, error) {
	var g Gauges
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT stage, coalesce(level, ''), count(*) FROM opportunities WHERE stage <> 'CLOSED' GROUP BY 1, 2`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d struct {
				Stage ltc.Stage
				Level ltc.ProjectLevel
				Count int
			}
			if err := rows.Scan(&d.Stage, &d.Level, &d.Count); err != nil {
				return err
			}
			g.OpenDeals = append(g.OpenDeals, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT gate, overdue, count(*) FROM decisions WHERE status = 'PENDING' GROUP BY 1, 2`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d struct {
				Gate    ltc.Gate
				Overdue bool
				Count   int
			}
			if err := rows.Scan(&d.Gate, &d.Overdue, &d.Count); err != nil {
				return err
			}
			g.PendingDecisions = append(g.PendingDecisions, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT coalesce(sum(jsonb_array_length(doc->'cadence'->'overdue_periods')), 0)
			FROM opportunities WHERE stage <> 'CLOSED' AND doc->'cadence'->'overdue_periods' IS NOT NULL`).Scan(&g.OverdueReports)
	})
	if err != nil {
		return g, fmt.Errorf("read gauges: %w", err)
	}
	return g, nil
}
