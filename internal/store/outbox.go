package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Delivery is one notification to send: an event to a person (channel "email", target their id) or to a webhook
// (channel "webhook", target its id).
type Delivery struct {
	ID            int64
	EventSequence int64
	DealID        string
	Channel       string
	Target        string
	Attempts      int
	CreatedAt     time.Time
}

// Delivery channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Dispatch moves the named cursor over the next events of the log (at most limit), enqueuing the deliveries plan
// makes of them in the same transaction: a crash before the commit leaves both as they were, and a delivery of an
// event and recipient is enqueued once (event, channel, target are unique). Concurrent dispatchers take turns on
// the cursor's row. It returns how many events it went over.
func (s *Store) Dispatch(ctx context.Context, cursor string, limit int, plan func(ctx context.Context, events []RecordedEvent) ([]Delivery, error)) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var after int64
		err := tx.QueryRow(ctx, `SELECT last_sequence FROM notify_cursor WHERE name = $1 FOR UPDATE`, cursor).Scan(&after)
		if errors.Is(err, pgx.ErrNoRows) {
			_, err = tx.Exec(ctx, `INSERT INTO notify_cursor (name, last_sequence) SELECT $1, last_sequence FROM event_log_head ON CONFLICT DO NOTHING`, cursor)
			return err
		}
		if err != nil {
			return err
		}
		page, err := s.Events(ctx, EventQuery{AfterSequence: after, Limit: limit})
		if err != nil {
			return err
		}
		n = len(page.Events)
		if page.Next == after {
			return nil
		}
		deliveries, err := plan(ctx, page.Events)
		if err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for _, d := range deliveries {
			batch.Queue(`INSERT INTO deliveries (event_sequence, deal_id, channel, target) VALUES ($1, $2, $3, $4)
				ON CONFLICT (event_sequence, channel, target) DO NOTHING`, d.EventSequence, d.DealID, d.Channel, d.Target)
		}
		batch.Queue(`UPDATE notify_cursor SET last_sequence = $2 WHERE name = $1`, cursor, page.Next)
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return 0, fmt.Errorf("dispatch events: %w", err)
	}
	return n, nil
}

// Outcome is what became of one attempt at a delivery.
type Outcome struct {
	// Err is nil when the delivery was sent.
	Err error
	// GiveUp marks a failure final (the delivery is kept as failed); otherwise it is tried again at Retry.
	GiveUp bool
	Retry  time.Time
}

// SendDue takes up to limit due deliveries of the channel that no one else holds, sends each with send and
// records the outcome, all in one transaction that holds the rows while they are sent: a crash sends them again
// (at least once), and no two senders send the same delivery at the same time. A delivery waits while an earlier
// event of the same deal to the same target is pending, so each target gets a deal's events in order. It returns
// how many it tried.
func (s *Store) SendDue(ctx context.Context, channel string, limit int, send func(ctx context.Context, d Delivery) Outcome) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT d.id, d.event_sequence, d.deal_id, d.channel, d.target, d.attempts, d.created_at FROM deliveries d
			WHERE d.state = 'pending' AND d.channel = $1 AND d.next_attempt_at <= now()
				AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.state = 'pending' AND e.channel = d.channel
					AND e.target = d.target AND e.deal_id = d.deal_id AND e.event_sequence < d.event_sequence)
			ORDER BY d.next_attempt_at, d.id LIMIT $2
			FOR UPDATE OF d SKIP LOCKED`, channel, limit)
		if err != nil {
			return err
		}
		due, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
			var d Delivery
			return d, r.Scan(&d.ID, &d.EventSequence, &d.DealID, &d.Channel, &d.Target, &d.Attempts, &d.CreatedAt)
		})
		if err != nil {
			return err
		}
		n = len(due)
		for _, d := range due {
			o := send(ctx, d)
			switch {
			case o.Err == nil:
				_, err = tx.Exec(ctx, `UPDATE deliveries SET state = 'sent', attempts = attempts + 1, sent_at = now(), last_error = '' WHERE id = $1`, d.ID)
			case o.GiveUp:
				_, err = tx.Exec(ctx, `UPDATE deliveries SET state = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1`, d.ID, truncate(o.Err.Error(), 1000))
			default:
				_, err = tx.Exec(ctx, `UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1`,
					d.ID, o.Retry, truncate(o.Err.Error(), 1000))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("send %s deliveries: %w", channel, err)
	}
	return n, nil
}

// EventAt returns the event at a position of the log.
func (s *Store) EventAt(ctx context.Context, sequence int64) (RecordedEvent, error) {
	page, err := s.Events(ctx, EventQuery{AfterSequence: sequence - 1, Limit: 1})
	if err != nil {
		return RecordedEvent{}, err
	}
	if len(page.Events) == 0 || page.Events[0].Sequence != sequence {
		return RecordedEvent{}, ErrNotFound
	}
	return page.Events[0], nil
}

// DeliveryCounts counts the deliveries by state ("pending", "sent", "failed").
func (s *Store) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT state, count(*) FROM deliveries GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, err
		}
		out[state] = n
	}
	return out, rows.Err()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
