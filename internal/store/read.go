package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Lead returns the lead with the id, or ErrNotFound.
func (s *Store) Lead(ctx context.Context, id string) (ltc.Lead, error) {
	return getDoc[ltc.Lead](ctx, s, `SELECT `+withAccount+` FROM leads WHERE id = $1`, id, "lead")
}

// Opportunity returns the deal with the id, or ErrNotFound.
// The whole deal: its doc with its content filled in (ltc.Opportunity.WithContent).
func (s *Store) Opportunity(ctx context.Context, id string) (ltc.Opportunity, error) {
	o, err := getDoc[ltc.Opportunity](ctx, s, `SELECT `+withAccount+` FROM opportunities WHERE id = $1`, id, "opportunity")
	if err != nil {
		return o, err
	}
	return s.Whole(ctx, o)
}

// Whole is the deal as its process holds it (its doc) with the content kept beside it filled in.
// A deal whose owner never set a forecast gets the one it reads as (ltc.Opportunity.ForecastOf).
func (s *Store) Whole(ctx context.Context, o ltc.Opportunity) (ltc.Opportunity, error) {
	o, err := s.withForecast(ctx, o)
	if err != nil || o.Rules < ltc.RulesLimits || o.ContentBytes == 0 {
		return o, err
	}
	items, err := s.Content(ctx, o.ID)
	if err != nil {
		return o, err
	}
	return o.WithContent(items)
}

// Content is the content kept beside the deal (ltc.RulesLimits).
func (s *Store) Content(ctx context.Context, dealID string) (ltc.ContentItems, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind, key, doc FROM deal_content WHERE deal_id = $1`, dealID)
	if err != nil {
		return nil, fmt.Errorf("load content of deal %s: %w", dealID, err)
	}
	defer rows.Close()
	items := ltc.ContentItems{}
	for rows.Next() {
		var kind ltc.ContentKind
		var key string
		var doc []byte
		if err := rows.Scan(&kind, &key, &doc); err != nil {
			return nil, fmt.Errorf("load content of deal %s: %w", dealID, err)
		}
		if items[kind] == nil {
			items[kind] = map[string]json.RawMessage{}
		}
		items[kind][key] = doc
	}
	return items, rows.Err()
}

// Revision returns the number of the deal's last change its process wrote (0 before the first numbered one).
func (s *Store) Revision(ctx context.Context, id string) (int64, error) {
	var rev int64
	if err := s.pool.QueryRow(ctx, `SELECT revision FROM opportunities WHERE id = $1`, id).Scan(&rev); err != nil {
		return 0, fmt.Errorf("load revision of deal %s: %w", id, err)
	}
	return rev, nil
}

// Decision returns the decision with the id, or ErrNotFound.
func (s *Store) Decision(ctx context.Context, id string) (ltc.Decision, error) {
	d, err := getDoc[ltc.Decision](ctx, s, `SELECT doc FROM decisions WHERE id = $1`, id, "decision")
	if err != nil || len(d.Package.Risks) == 0 {
		return d, err
	}
	items, err := s.Content(ctx, d.OpportunityID)
	if err != nil {
		return d, err
	}
	return d.WithContent(items)
}

// LeadFilter selects leads; zero fields match everything.
type LeadFilter struct {
	State       ltc.LeadState
	OwnerID     string
	AccountID   string
	Customer    string
	OverdueOnly bool
	// Reader, when set, lists only the leads they may read (ltc.DealReach).
	Reader *ltc.Actor
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
	if lf.AccountID != "" {
		f.add("account_id = %s", lf.AccountID)
	}
	reader := f.shared("leads", lf.Customer, lf.OverdueOnly, lf.Reader)
	lf.Reader = nil
	return page[ltc.Lead](ctx, s, "leads", f, fmt.Sprintf("%+v|%s", lf, reader), size, token)
}

// OpportunityFilter selects deals; zero fields match everything.
type OpportunityFilter struct {
	Stage     ltc.Stage
	Outcome   ltc.Outcome
	Level     ltc.ProjectLevel
	OwnerID   string
	AccountID string
	Customer  string
	// Reader, when set, lists only the deals they may read (ltc.DealReach).
	Reader *ltc.Actor
	// OverdueOnly selects the deals with something overdue (ltc.Opportunity.IsOverdue).
	OverdueOnly bool
	// MemberID, when set, selects the deals whose team (owner included) holds this person.
	MemberID string
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
	if of.AccountID != "" {
		f.add("account_id = %s", of.AccountID)
	}
	if of.MemberID != "" {
		// Members are readers too: the readers' index finds the person's deals, members keeps their team's.
		p := f.arg([]string{of.MemberID})
		f.where = append(f.where, access("opportunities.id", "x.readers @> "+p+" AND x.members @> "+p))
	}
	reader := f.shared("opportunities", of.Customer, of.OverdueOnly, of.Reader)
	of.Reader = nil
	return page[ltc.Opportunity](ctx, s, "opportunities", f, fmt.Sprintf("%+v|%s", of, reader), size, token)
}

// shared adds the conditions lists of leads and of deals have in common (the customer text, something overdue,
// the reader's reach) and returns the reader's id, which the page token is bound to.
func (f *filter) shared(table, customer string, overdue bool, reader *ltc.Actor) string {
	if customer != "" {
		f.containsCustomer(customer)
	}
	if overdue {
		f.where = append(f.where, "overdue")
	}
	if reader != nil {
		f.within(table+".id", ltc.DealReach(*reader))
	}
	return readerID(reader)
}

// readerID names the reader a page token is issued to: a token is for the filters and the reader it was made for.
func readerID(a *ltc.Actor) string {
	if a == nil {
		return ""
	}
	return a.ID
}

// DecisionFilter selects decisions; zero fields match everything.
type DecisionFilter struct {
	OpportunityID string
	Status        ltc.DecisionStatus
	// Reader, when set, lists only the decisions they may read: those of the deals they read, and those asking
	// for a review of one of their functions within their unit.
	Reader *ltc.Actor
	// PendingFor selects what the actor may act on now: pending decisions within their authority and scope, and
	// pending decisions owed a review of one of their functions within their unit; never one of a deal they
	// requested, own or are on the team of (separation of duties).
	PendingFor *ltc.Actor
	// Delegations are the delegations PendingFor holds as deputy now: the inbox holds their delegators' pending
	// decisions and reviews of the gates delegated too, each marked PendingOnBehalfOf its delegator.
	Delegations []ltc.Delegation
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
	fingerprint := fmt.Sprintf("%s|%s|%s", df.OpportunityID, df.Status, readerID(df.Reader))
	// What an inbox holds its owner may read; the inbox's conditions are on the decision's own row.
	if a := df.Reader; a != nil && df.PendingFor == nil {
		var readable []string
		if c := f.reach(ltc.DealReach(*a), "readers"); c != "" {
			readable = append(readable, access("decisions.opportunity_id", c))
		} else {
			readable = append(readable, "TRUE")
		}
		if unit, functions, ok := ltc.ReviewReach(*a); ok {
			readable = append(readable, "required_reviews && "+f.arg(functionNames(functions))+" AND "+
				access("decisions.opportunity_id", f.inUnit(unit)))
		}
		f.where = append(f.where, "("+strings.Join(readable, " OR ")+")")
	}
	if a := df.PendingFor; a != nil {
		fingerprint += "|inbox:" + a.ID
		f.where = append(f.where, "status = 'PENDING'")
		own := f.actsOn(*a)
		mine := own
		if own != "" {
			own = "(" + own + ")"
		}
		// A deputy's inbox holds the delegators' too, for the gates delegated, with the delegators' snapshots;
		// the delegator is independent of the deal as the deputy is (below).
		var onBehalf []string
		for _, dl := range df.Delegations {
			cond := f.actsOn(dl.Delegator)
			if cond == "" {
				continue
			}
			if len(dl.Gates) > 0 {
				gates := make([]string, len(dl.Gates))
				for i, g := range dl.Gates {
					gates[i] = string(g)
				}
				cond = "(" + cond + ") AND gate = ANY (" + f.arg(gates) + ")"
			}
			them := f.arg(dl.Delegator.ID)
			cond = "(" + cond + ") AND requested_by <> " + them + " AND NOT " + them + " = ANY (members)"
			onBehalf = append(onBehalf, "WHEN "+cond+" THEN jsonb_build_object('pending_on_behalf_of', "+
				f.arg(personJSON(dl.Delegator.Person()))+"::jsonb)")
			mine = strings.TrimPrefix(mine+" OR ("+cond+")", " OR ")
		}
		if mine == "" {
			return nil, "", nil
		}
		if len(onBehalf) > 0 {
			first := ""
			if own != "" {
				first = "WHEN " + own + " THEN '{}'::jsonb "
			}
			f.doc = "doc || CASE " + first + strings.Join(onBehalf, " ") + " ELSE '{}'::jsonb END"
		}
		me := f.arg(a.ID)
		f.where = append(f.where, "("+mine+")", "requested_by <> "+me, "NOT "+me+" = ANY (members)")
	}
	return page[ltc.Decision](ctx, s, "decisions", f, fingerprint, size, token)
}

// actsOn is the condition on a pending decision's row that the actor may act on it by authority and scope, or by a
// review owed of their functions within their unit; "" when they act on none.
func (f *filter) actsOn(a ltc.Actor) string {
	var mine []string
	if scope, ok := a.ExecutiveScope(); ok {
		mine = append(mine, "authority <= "+f.arg(a.Authority)+" AND "+f.unitIs("decisions.org_unit", scope))
	}
	if a.Has(ltc.RoleSalesManager) {
		mine = append(mine, "authority = "+f.arg(ltc.ManagerAuthority)+" AND "+f.unitIs("decisions.org_unit", a.Unit))
	}
	if unit, functions, ok := ltc.ReviewReach(a); ok {
		// A review still owed of one of their functions, not assigned to a named reviewer or assigned to them
		// (ReassignReview). Written out, not bound, so the planner reads the function's own ordered index
		// (migration 005) and stops at the page's end; only known functions, whose names are safe in SQL.
		me := f.arg(a.ID)
		var owed []string
		for _, fn := range functions {
			if slices.Contains(ltc.ReviewFunctions, fn) {
				owed = append(owed, fmt.Sprintf("'%[1]s' = ANY (missing_reviews) AND (NOT '%[1]s' = ANY (assigned_reviews) OR "+
					"(%[2]s = ANY (review_assignees) AND '%[1]s' = ANY (assigned_reviews)))", fn, me))
			}
		}
		if len(owed) > 0 {
			mine = append(mine, "("+strings.Join(owed, " OR ")+") AND "+f.unitIs("decisions.org_unit", unit))
		}
	}
	if len(mine) == 0 {
		return ""
	}
	return "(" + strings.Join(mine, ") OR (") + ")"
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
	AccountID     string
	Types         []string
	Limit         int
	// Reader, when set, pages only the events of the leads and deals they may read, and weekly reports only where
	// they read them (ltc.ReportReach).
	Reader *ltc.Actor
}

// EventPage is a page of the event log and the cursor to continue from.
type EventPage struct {
	Events []RecordedEvent
	// Next is the cursor for the next page. On a short page it is the head of the log when the page was read, so
	// a filtered consumer moves past events it does not want; every event up to it was visible to the read.
	Next int64
}

// Events returns events after the cursor in log order. The global sequence follows commit order (see the
// migration), so a consumer following Next sees every event once, in order, with no gap filling in behind it.
func (s *Store) Events(ctx context.Context, q EventQuery) (EventPage, error) {
	var f filter
	f.add("sequence > %s", q.AfterSequence)
	if q.DealID != "" {
		f.add("deal_id = %s AND account_id IS NULL", q.DealID)
	}
	if q.AccountID != "" {
		f.add("deal_id = %s AND account_id IS NOT NULL", q.AccountID)
	}
	if q.Reader != nil {
		f.where = append(f.where, eventsVisible(&f, *q.Reader))
	}
	limit := f.arg(q.Limit)
	from := "events WHERE " + strings.Join(f.where, " AND ")
	if types := distinctTypes(q.Types); len(types) > 0 {
		// Each type is one ordered range of events_by_type (type, sequence), of a page at most: an event of one type
		// in 27 is scattered over the log, which the primary key would scan 27 events at a time to find.
		// (PostgreSQL 15 keeps no order across the values of type = ANY.)
		from = "unnest(" + f.arg(types) + "::text[]) wanted (type_wanted) CROSS JOIN LATERAL (SELECT * FROM events WHERE events.type = wanted.type_wanted AND " +
			strings.Join(f.where, " AND ") + " ORDER BY sequence LIMIT " + limit + ") events"
	}
	query := `
		WITH page AS (
			SELECT sequence, deal_sequence, deal_id::text AS deal_id, account_id IS NOT NULL AS of_account, type, actor_id, actor_name,
				coalesce(request_id, '') AS request_id, coalesce(stage_before, '') AS stage_before,
				coalesce(stage_after, '') AS stage_after, recipients, data, occurred_at
			FROM ` + from + `
			ORDER BY sequence LIMIT ` + limit + `
		)
		SELECT head.last_sequence, page.sequence, page.deal_sequence, page.deal_id, page.of_account, page.type, page.actor_id,
			page.actor_name, page.request_id, page.stage_before, page.stage_after, page.recipients, page.data, page.occurred_at
		FROM (SELECT last_sequence FROM event_log_head) head LEFT JOIN page ON true
		ORDER BY page.sequence`
	rows, err := s.pool.Query(ctx, query, f.args...)
	if err != nil {
		return EventPage{}, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	page := EventPage{Next: q.AfterSequence}
	var head int64
	for rows.Next() {
		var e RecordedEvent
		var seq, dealSeq *int64
		var dealID, typ, actorID, actorName, requestID, before, after *string
		var ofAccount *bool
		var data []byte
		var occurred *time.Time
		if err := rows.Scan(&head, &seq, &dealSeq, &dealID, &ofAccount, &typ, &actorID, &actorName, &requestID, &before, &after,
			&e.Recipients, &data, &occurred); err != nil {
			return EventPage{}, fmt.Errorf("list events: %w", err)
		}
		if seq == nil {
			continue // no event after the cursor: the row carries the head only
		}
		e.Sequence, e.DealSequence, e.DealID, e.Type = *seq, *dealSeq, *dealID, *typ
		if *ofAccount {
			e.AccountID, e.DealID = *dealID, ""
		}
		e.Actor = ltc.Person{ID: *actorID, Name: *actorName}
		e.RequestID, e.StageBefore, e.StageAfter, e.Data, e.OccurredAt = *requestID, *before, *after, data, *occurred
		page.Events = append(page.Events, e)
	}
	if err := rows.Err(); err != nil {
		return EventPage{}, fmt.Errorf("list events: %w", err)
	}
	switch {
	case len(page.Events) == q.Limit:
		page.Next = page.Events[len(page.Events)-1].Sequence
	case head > page.Next:
		page.Next = head
	}
	return page, nil
}

// eventsVisible is the condition that the reader may read the event: a weekly report where they read the deal's
// weekly reports (ltc.ReportReach), any other event where they read the deal (ltc.DealReach). A reader whose reach
// holds every deal for one of the two (the CRM integration reads every deal, not the weekly reports) pages the log
// with no look-up of deal_access for the other events: at 10^6 deals that look-up per event (a random page of
// deal_access each) put a page's p99 at 27 ms.
func eventsVisible(f *filter, reader ltc.Actor) string {
	reports, deal := f.reach(ltc.ReportReach(reader), "report_readers"), f.reach(ltc.DealReach(reader), "readers")
	switch {
	case reports == "" && deal == "":
		return "TRUE"
	case reports != "" && deal != "":
		// One semi-join with deal_access, a primary-key probe per event.
		return access("events.deal_id", fmt.Sprintf("CASE WHEN events.type = %s THEN %s ELSE %s END",
			f.arg(ltc.EventWeeklyReportSubmitted), reports, deal))
	}
	// The look-up only in the branch that needs it. OFFSET 0 keeps it a probe per event: without it PostgreSQL may
	// turn the EXISTS into a hashed subplan, which reads all of deal_access (390 ms at 10^6) for the first weekly
	// report of a page.
	probe := func(cond string) string {
		if cond == "" {
			return "TRUE"
		}
		return "EXISTS (SELECT 1 FROM deal_access x WHERE x.deal_id = events.deal_id AND " + cond + " OFFSET 0)"
	}
	return fmt.Sprintf("CASE WHEN events.type = %s THEN %s ELSE %s END", f.arg(ltc.EventWeeklyReportSubmitted),
		probe(reports), probe(deal))
}

// distinctTypes is the types once each, in order.
func distinctTypes(types []string) []string {
	var out []string
	for _, t := range types {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// personJSON is the person as JSON text.
func personJSON(p ltc.Person) string {
	b, _ := json.Marshal(p) // two strings: cannot fail
	return string(b)
}
