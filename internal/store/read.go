package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Lead returns the lead with the id, or ErrNotFound.
func (s *Store) Lead(ctx context.Context, id string) (ltc.Lead, error) {
	return getDoc[ltc.Lead](ctx, s, `SELECT doc FROM leads WHERE id = $1`, id, "lead")
}

// Opportunity returns the deal with the id, or ErrNotFound.
func (s *Store) Opportunity(ctx context.Context, id string) (ltc.Opportunity, error) {
	return getDoc[ltc.Opportunity](ctx, s, `SELECT doc FROM opportunities WHERE id = $1`, id, "opportunity")
}

// Decision returns the decision with the id, or ErrNotFound.
func (s *Store) Decision(ctx context.Context, id string) (ltc.Decision, error) {
	return getDoc[ltc.Decision](ctx, s, `SELECT doc FROM decisions WHERE id = $1`, id, "decision")
}

// LeadFilter selects leads; zero fields match everything.
type LeadFilter struct {
	State       ltc.LeadState
	OwnerID     string
	Customer    string
	OverdueOnly bool
}

// ListLeads returns a page of leads, newest first, and the token of the next page ("" on the last page).
func (s *Store) ListLeads(ctx context.Context, lf LeadFilter, size int, token string) ([]ltc.Lead, string, error) {
	var f filter
	if lf.State != "" {
		f.add("state = %s", lf.State)
	}
	if lf.OwnerID != "" {
		f.add("owner_id = %s", lf.OwnerID)
	}
	if lf.Customer != "" {
		f.contains("customer_name", lf.Customer)
	}
	if lf.OverdueOnly {
		f.where = append(f.where, "overdue")
	}
	return page[ltc.Lead](ctx, s, "leads", f, fmt.Sprintf("%+v", lf), size, token)
}

// OpportunityFilter selects deals; zero fields match everything.
type OpportunityFilter struct {
	Stage    ltc.Stage
	Outcome  ltc.Outcome
	Level    ltc.ProjectLevel
	OwnerID  string
	Customer string
}

// ListOpportunities returns a page of deals, newest first, and the token of the next page.
func (s *Store) ListOpportunities(ctx context.Context, of OpportunityFilter, size int, token string) ([]ltc.Opportunity, string, error) {
	var f filter
	if of.Stage != "" {
		f.add("stage = %s", of.Stage)
	}
	if of.Outcome != "" {
		f.add("outcome = %s", of.Outcome)
	}
	if of.Level != "" {
		f.add("level = %s", of.Level)
	}
	if of.OwnerID != "" {
		f.add("owner_id = %s", of.OwnerID)
	}
	if of.Customer != "" {
		f.contains("customer_name", of.Customer)
	}
	return page[ltc.Opportunity](ctx, s, "opportunities", f, fmt.Sprintf("%+v", of), size, token)
}

// DecisionFilter selects decisions; zero fields match everything. PendingFor selects what the actor may act on
// now: pending decisions within their authority and pending decisions owed a review of one of their functions.
type DecisionFilter struct {
	OpportunityID string
	Status        ltc.DecisionStatus
	PendingFor    *ltc.Actor
}

// ListDecisions returns a page of decisions, newest first, and the token of the next page.
func (s *Store) ListDecisions(ctx context.Context, df DecisionFilter, size int, token string) ([]ltc.Decision, string, error) {
	var f filter
	if df.OpportunityID != "" {
		f.add("opportunity_id = %s", df.OpportunityID)
	}
	if df.Status != "" {
		f.add("status = %s", df.Status)
	}
	fingerprint := fmt.Sprintf("%s|%s", df.OpportunityID, df.Status)
	if a := df.PendingFor; a != nil {
		fingerprint += "|inbox:" + a.ID
		f.where = append(f.where, "status = 'PENDING'")
		var mine []string
		switch {
		case a.Has(ltc.RoleAdmin):
			mine = append(mine, "true")
		case a.Has(ltc.RoleExecutive) && a.Authority > 0:
			mine = append(mine, "authority <= "+f.arg(a.Authority))
		case a.Has(ltc.RoleSalesManager):
			mine = append(mine, "authority = "+f.arg(ltc.ManagerAuthority))
		}
		if a.Has(ltc.RoleReviewer) && len(a.Functions) > 0 {
			functions := make([]string, len(a.Functions))
			for i, fn := range a.Functions {
				functions[i] = string(fn)
			}
			mine = append(mine, "missing_reviews && "+f.arg(functions)+"::text[]")
		}
		if len(mine) == 0 {
			return nil, "", nil
		}
		f.where = append(f.where, "("+strings.Join(mine, " OR ")+")")
	}
	return page[ltc.Decision](ctx, s, "decisions", f, fingerprint, size, token)
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
