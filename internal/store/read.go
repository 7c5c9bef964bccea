package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// ErrBadPageToken is returned for a page token that is malformed or was issued for other filters.
var ErrBadPageToken = fmt.Errorf("invalid page token")

// Lead returns the lead with the id, or ErrNotFound.
func (s *Store) Lead(ctx context.Context, id string) (ltc.Lead, error) {
	return getDoc[ltc.Lead](ctx, s, `SELECT doc FROM leads WHERE id = $1`, id, "lead")
}

// Opportunity returns the deal with the id, or ErrNotFound.
func (s *Store) Opportunity(ctx context.Context, id string) (ltc.Opportunity, error) {
	return getDoc[ltc.Opportunity](ctx, s, `SELECT doc FROM opportunities WHERE id = $1`, id, "opportunity")
}

// LeadFilter selects leads; zero fields match everything.
type LeadFilter struct {
	State       ltc.LeadState
	OwnerID     string
	Customer    string
	OverdueOnly bool
}

// ListLeads returns a page of leads, newest first, and the token of the next page ("" on the last page).
func (s *Store) ListLeads(ctx context.Context, f LeadFilter, pageSize int, pageToken string) ([]ltc.Lead, string, error) {
	fingerprint := fmt.Sprintf("%+v", f)
	after, err := decodePageToken(pageToken, fingerprint)
	if err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.State != "" {
		where = append(where, "state = "+arg(f.State))
	}
	if f.OwnerID != "" {
		where = append(where, "owner_id = "+arg(f.OwnerID))
	}
	if f.Customer != "" {
		where = append(where, "lower(customer_name) LIKE "+arg("%"+escapeLike(strings.ToLower(f.Customer))+"%"))
	}
	if f.OverdueOnly {
		where = append(where, "overdue")
	}
	if after != nil {
		where = append(where, fmt.Sprintf("(created_at, id) < (%s, %s)", arg(after.Time), arg(after.ID)))
	}
	query := "SELECT doc FROM leads"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_at DESC, id DESC LIMIT " + arg(pageSize+1)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list leads: %w", err)
	}
	leads, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ltc.Lead, error) {
		var doc []byte
		var l ltc.Lead
		if err := row.Scan(&doc); err != nil {
			return l, err
		}
		return l, json.Unmarshal(doc, &l)
	})
	if err != nil {
		return nil, "", fmt.Errorf("list leads: %w", err)
	}
	if len(leads) <= pageSize {
		return leads, "", nil
	}
	leads = leads[:pageSize]
	last := leads[len(leads)-1]
	return leads, encodePageToken(pageKey{Time: last.CreatedAt, ID: last.ID}, fingerprint), nil
}

// pageKey is the sort key of the last row of a page.
type pageKey struct {
	Time time.Time `json:"t"`
	ID   string    `json:"id"`
	// Filter is a digest of the filters the token was issued for.
	Filter []byte `json:"f"`
}

func encodePageToken(k pageKey, fingerprint string) string {
	sum := sha256.Sum256([]byte(fingerprint))
	k.Filter = sum[:8]
	b, _ := json.Marshal(k)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodePageToken(token, fingerprint string) (*pageKey, error) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, ErrBadPageToken
	}
	var k pageKey
	if err := json.Unmarshal(b, &k); err != nil || k.ID == "" {
		return nil, ErrBadPageToken
	}
	sum := sha256.Sum256([]byte(fingerprint))
	if string(k.Filter) != string(sum[:8]) {
		return nil, fmt.Errorf("%w: the filters changed since the token was issued", ErrBadPageToken)
	}
	return &k, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// RecordedEvent is an event with its place in the log.
type RecordedEvent struct {
	Sequence     int64
	DealSequence int64
	ltc.Event
}

// EventQuery selects events after a cursor.
type EventQuery struct {
	AfterSequence int64
	DealID        string
	Types         []string
	Limit         int
}

// Events returns events after the cursor in log order.
func (s *Store) Events(ctx context.Context, q EventQuery) ([]RecordedEvent, error) {
	types := q.Types
	if types == nil {
		types = []string{}
	}
	rows, err := s.pool.Query(ctx, `
		SELECT sequence, deal_sequence, deal_id::text, type, actor_id, actor_name, coalesce(request_id, ''),
			coalesce(stage_before, ''), coalesce(stage_after, ''), recipients, data, occurred_at
		FROM events
		WHERE sequence > $1 AND ($2 = '' OR deal_id = $2::uuid) AND (cardinality($3::text[]) = 0 OR type = ANY($3))
		ORDER BY sequence LIMIT $4`,
		q.AfterSequence, q.DealID, types, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (RecordedEvent, error) {
		var e RecordedEvent
		var data []byte
		err := row.Scan(&e.Sequence, &e.DealSequence, &e.DealID, &e.Type, &e.Actor.ID, &e.Actor.Name, &e.RequestID,
			&e.StageBefore, &e.StageAfter, &e.Recipients, &data, &e.OccurredAt)
		e.Data = data
		return e, err
	})
}
