package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Gauges are the business numbers operators watch.
type Gauges struct {
	// OpenDeals counts the deals open for sales by stage and level: neither CLOSED nor in EXECUTION (WON, their
	// contract being executed).
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
	// OverdueReports counts weekly report periods without a report, over the deals open for sales.
	OverdueReports int
	// Notifications waiting in the outbox, by channel, and how old the oldest is.
	PendingDeliveries []struct {
		Channel string
		Count   int
		Oldest  float64 // seconds
	}
	// DispatchLag is how many events of the log the notifications' dispatcher has not gone over yet.
	DispatchLag int64
}

// Gauges reads the business gauges in one snapshot.
func (s *Store) Gauges(ctx context.Context) (Gauges, error) {
	var g Gauges
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT stage, coalesce(level, ''), count(*) FROM opportunities WHERE stage NOT IN ('CLOSED', 'EXECUTION') GROUP BY 1, 2`)
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
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(jsonb_array_length(doc->'cadence'->'overdue_periods')), 0)
			FROM opportunities WHERE stage NOT IN ('CLOSED', 'EXECUTION') AND doc->'cadence'->'overdue_periods' IS NOT NULL`).Scan(&g.OverdueReports); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT channel, count(*), extract(epoch FROM now() - min(created_at))::float8
			FROM deliveries WHERE state = 'pending' GROUP BY 1`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d struct {
				Channel string
				Count   int
				Oldest  float64
			}
			if err := rows.Scan(&d.Channel, &d.Count, &d.Oldest); err != nil {
				return err
			}
			g.PendingDeliveries = append(g.PendingDeliveries, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT coalesce((SELECT last_sequence FROM event_log_head) - (SELECT last_sequence FROM notify_cursor WHERE name = 'dispatcher'), 0)`).
			Scan(&g.DispatchLag)
	})
	if err != nil {
		return g, fmt.Errorf("read gauges: %w", err)
	}
	return g, nil
}
