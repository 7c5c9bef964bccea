package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Delivery is one notification to send: an event to a person (channel "email", target their id) or to a webhook
// (channel "webhook", target its id).
type Delivery struct {
	ID            int64
	EventSequence int64
	// Reminder names the deadline of a reminder (EventSequence 0), with Details saying what it is.
	Reminder  string
	Details   []byte
	DealID    string
	Channel   string
	Target    string
	Attempts  int
	CreatedAt time.Time
}

// Delivery channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
	// ChannelDigest holds a person's notifications until their daily digest.
	ChannelDigest = "digest"
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
			queueDelivery(batch, d)
		}
		batch.Queue(`UPDATE notify_cursor SET last_sequence = $2 WHERE name = $1`, cursor, page.Next)
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return 0, fmt.Errorf("dispatch events: %w", err)
	}
	return n, nil
}

// queueDelivery adds a delivery. One to a webhook that has an earlier event of the deal waiting for a retry waits as
// long: it cannot go before, and the senders' scan of due deliveries does not meet it again and again meanwhile.
func queueDelivery(batch *pgx.Batch, d Delivery) {
	batch.Queue(`INSERT INTO deliveries (event_sequence, reminder, details, deal_id, channel, target, next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, $6, greatest(now(), (SELECT max(e.next_attempt_at) FROM deliveries e
			WHERE $5 = 'webhook' AND e.state = 'pending' AND e.channel = 'webhook' AND e.target = $6 AND e.deal_id = $4)))
		ON CONFLICT (event_sequence, reminder, channel, target) DO NOTHING`, d.EventSequence, d.Reminder, d.Details, d.DealID, d.Channel, d.Target)
}

// Enqueue adds deliveries that no event makes (reminders); each is added once.
func (s *Store) Enqueue(ctx context.Context, deliveries []Delivery) error {
	if len(deliveries) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, d := range deliveries {
		queueDelivery(batch, d)
	}
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("enqueue deliveries: %w", err)
	}
	return nil
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
// event of the same deal to the same webhook is pending, so each webhook gets a deal's events in order. It returns
// how many it tried.
func (s *Store) SendDue(ctx context.Context, channel string, limit int, send func(ctx context.Context, d Delivery) Outcome) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT d.id, d.event_sequence, d.reminder, d.details, d.deal_id, d.channel, d.target, d.attempts, d.created_at FROM deliveries d
			WHERE d.state = 'pending' AND d.channel = $1 AND d.next_attempt_at <= now()
				AND (d.channel <> 'webhook' OR NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.state = 'pending' AND e.channel = 'webhook'
					AND e.target = d.target AND e.deal_id = d.deal_id AND e.event_sequence < d.event_sequence))
			ORDER BY d.next_attempt_at, d.id LIMIT $2
			FOR UPDATE OF d SKIP LOCKED`, channel, limit)
		if err != nil {
			return err
		}
		due, err := pgx.CollectRows(rows, scanDelivery)
		if err != nil {
			return err
		}
		n = len(due)
		for _, d := range due {
			o := send(ctx, d)
			if err := recordOutcome(ctx, tx, []int64{d.ID}, o); err != nil {
				return err
			}
			if o.Err != nil && !o.GiveUp && d.Channel == ChannelWebhook {
				// The deal's later events to the webhook wait for this one's retry.
				if _, err := tx.Exec(ctx, `UPDATE deliveries SET next_attempt_at = greatest(next_attempt_at, $4)
					WHERE state = 'pending' AND channel = 'webhook' AND target = $1 AND deal_id = $2 AND event_sequence > $3`,
					d.Target, d.DealID, d.EventSequence, o.Retry); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("send %s deliveries: %w", channel, err)
	}
	return n, nil
}

// scanDelivery reads a delivery of the columns id, event_sequence, reminder, details, deal_id, channel, target,
// attempts, created_at.
func scanDelivery(r pgx.CollectableRow) (Delivery, error) {
	var d Delivery
	return d, r.Scan(&d.ID, &d.EventSequence, &d.Reminder, &d.Details, &d.DealID, &d.Channel, &d.Target, &d.Attempts, &d.CreatedAt)
}

// recordOutcome records an attempt at the deliveries.
func recordOutcome(ctx context.Context, tx pgx.Tx, ids []int64, o Outcome) error {
	var err error
	switch {
	case o.Err == nil:
		_, err = tx.Exec(ctx, `UPDATE deliveries SET state = 'sent', attempts = attempts + 1, sent_at = now(), last_error = '' WHERE id = ANY($1)`, ids)
	case o.GiveUp:
		_, err = tx.Exec(ctx, `UPDATE deliveries SET state = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = ANY($1)`, ids, truncate(o.Err.Error(), 1000))
	default:
		_, err = tx.Exec(ctx, `UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = ANY($1)`,
			ids, o.Retry, truncate(o.Err.Error(), 1000))
	}
	return err
}

// SendDigests sends the daily digests that are due: to each person holding notifications from before cutoff (at
// most limit people at a time), one mail of them all, made by send. A person's notifications are held by one
// sender at a time (FOR UPDATE SKIP LOCKED); a crash sends the digest again. It returns how many digests it tried.
func (s *Store) SendDigests(ctx context.Context, cutoff time.Time, limit int, send func(ctx context.Context, target string, ds []Delivery) Outcome) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT target FROM deliveries WHERE state = 'pending' AND channel = 'digest'
		AND created_at < $1 AND next_attempt_at <= now() LIMIT $2`, cutoff, limit)
	if err != nil {
		return 0, fmt.Errorf("find digests: %w", err)
	}
	targets, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("find digests: %w", err)
	}
	for _, target := range targets {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `
				SELECT id, event_sequence, reminder, details, deal_id, channel, target, attempts, created_at FROM deliveries
				WHERE state = 'pending' AND channel = 'digest' AND target = $1 AND created_at < $2 AND next_attempt_at <= now()
				ORDER BY event_sequence, id FOR UPDATE SKIP LOCKED`, target, cutoff)
			if err != nil {
				return err
			}
			held, err := pgx.CollectRows(rows, scanDelivery)
			if err != nil || len(held) == 0 {
				return err
			}
			ids := make([]int64, len(held))
			for i, d := range held {
				ids[i] = d.ID
			}
			return recordOutcome(ctx, tx, ids, send(ctx, target, held))
		})
		if err != nil {
			return 0, fmt.Errorf("send the digest of %s: %w", target, err)
		}
	}
	return len(targets), nil
}

// DealsWithDeadlines pages the leads and deals with a deadline in (from, until], by id after the cursor: an open
// lead's SLA; an open deal's weekly report, handover or pending decision; a closed deal's (or a WON one's in
// EXECUTION) project summary.
func (s *Store) DealsWithDeadlines(ctx context.Context, after string, from, until time.Time, limit int) ([]ltc.Deal, error) {
	within := func(expr string) string {
		return "((" + expr + ")::timestamptz > $2 AND (" + expr + ")::timestamptz <= $3)"
	}
	rows, err := s.pool.Query(ctx, `
		SELECT l.id::text, l.doc, o.doc FROM leads l LEFT JOIN opportunities o ON o.lead_id = l.id
		WHERE l.id::text > $1 AND (
			(o.id IS NULL AND l.state = 'NEW' AND `+within("l.doc->>'sla_due_at'")+`)
			OR (o.stage <> 'CLOSED' AND (`+within("o.doc->'cadence'->>'next_due_at'")+` OR `+within("o.doc->>'handover_due_at'")+`
				OR EXISTS (SELECT 1 FROM decisions x WHERE x.opportunity_id = o.id AND x.status = 'PENDING' AND `+within("x.doc->>'due_at'")+`)))
			OR (o.stage IN ('CLOSED', 'EXECUTION') AND o.doc->'summary' IS NULL AND `+within("o.doc->>'summary_due_at'")+`))
		ORDER BY l.id::text LIMIT $4`, after, from, until, limit)
	if err != nil {
		return nil, fmt.Errorf("deals with deadlines: %w", err)
	}
	defer rows.Close()
	var out []ltc.Deal
	for rows.Next() {
		var id string
		var lead, opp []byte
		if err := rows.Scan(&id, &lead, &opp); err != nil {
			return nil, fmt.Errorf("deals with deadlines: %w", err)
		}
		var d ltc.Deal
		if err := json.Unmarshal(lead, &d.Lead); err != nil {
			return nil, fmt.Errorf("decode lead %s: %w", id, err)
		}
		if opp != nil {
			d.Opportunity = &ltc.Opportunity{}
			if err := json.Unmarshal(opp, d.Opportunity); err != nil {
				return nil, fmt.Errorf("decode deal %s: %w", id, err)
			}
		}
		out = append(out, d)
	}
	return out, rows.Err()
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

// PurgeDeliveries deletes the deliveries sent or given up before the cutoff, a batch at a time; it returns how
// many it deleted.
func (s *Store) PurgeDeliveries(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
		WHERE state <> 'pending' AND coalesce(sent_at, next_attempt_at) < $1 LIMIT 10000)`, before)
	if err != nil {
		return 0, fmt.Errorf("purge deliveries: %w", err)
	}
	return tag.RowsAffected(), nil
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
