package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Deal is one whole deal to import: its lead, the opportunity made from it (nil while it is only a lead; its
// decisions become decision rows) and every event it produced, oldest first.
type Deal struct {
	Lead        ltc.Lead
	Opportunity *ltc.Opportunity
	Events      []ltc.Event
}

// Import writes whole deals in one transaction with COPY, many times faster than applying their changes one by
// one: for loading deals kept elsewhere, and for seeding the benchmark. The deals must be new (a deal's events
// are numbered from 1); the rows are those Apply writes, except that no request is recorded. The events take the
// next global sequence numbers in the order given.
func (s *Store) Import(ctx context.Context, deals []Deal) error {
	var leads, opportunities, decisions, access, events, visits [][]any
	for _, d := range deals {
		row, err := leadRow(d.Lead)
		if err != nil {
			return err
		}
		leads = append(leads, row)
		access = append(access, accessRow(&d.Lead, d.Opportunity))
		if o := d.Opportunity; o != nil {
			if row, err = opportunityRow(*o, reachedStages(d.Events)); err != nil {
				return err
			}
			opportunities = append(opportunities, row)
			for _, dec := range o.Decisions {
				if row, err = decisionRow(dec, *o); err != nil {
					return err
				}
				decisions = append(decisions, row)
			}
		}
	}
	type table struct {
		name    string
		columns []string
		rows    [][]any
	}
	copyAll := func(tx pgx.Tx, tables ...table) error {
		for _, t := range tables {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("import %s: %w", t.name, err)
			}
		}
		return nil
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Access first: the report's aggregates key a deal's rows by its unit (migration 012).
		if err := copyAll(tx, table{"leads", leadColumns, leads}, table{"deal_access", accessColumns, access},
			table{"opportunities", opportunityColumns, opportunities}, table{"decisions", decisionColumns, decisions}); err != nil {
			return err
		}
		// The events last: the lock on event_log_head that orders the log is held from here to commit only.
		n := 0
		for _, d := range deals {
			n += len(d.Events)
		}
		var last int64
		if err := tx.QueryRow(ctx,
			`UPDATE event_log_head SET last_sequence = last_sequence + $1 RETURNING last_sequence`, n).Scan(&last); err != nil {
			return fmt.Errorf("reserve event sequence: %w", err)
		}
		next := last - int64(n)
		for _, d := range deals {
			var open []any // the visit under way
			for i, e := range d.Events {
				next++
				events = append(events, eventRow(next, int64(i+1), e))
				if changesStage(e) && (open == nil || open[1] != e.StageAfter) {
					if open != nil {
						open[3] = e.OccurredAt
					}
					open = []any{e.DealID, e.StageAfter, e.OccurredAt, nil}
					visits = append(visits, open)
				}
			}
		}
		return copyAll(tx, table{"events", eventColumns, events},
			table{"stage_visits", []string{"deal_id", "stage", "entered_at", "left_at"}, visits})
	})
}
