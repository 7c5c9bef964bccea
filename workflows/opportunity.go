package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// OpportunityWorkflow is the process of one deal (MO, 管理机会点), started by the lead's qualification in stage
// VALIDATION: the assessment, the INITIATION gate with its reviews, decision, withdrawal and SLA escalation,
// the team appointment into PURSUIT, and a close as LOST or ABANDONED from any open stage. Every change arrives
// as an Update whose validator applies the rules of package ltc before anything is recorded.
func OpportunityWorkflow(ctx workflow.Context, in OpportunityInput) (ltc.Opportunity, error) {
	p := &dealProcess{o: in.Opportunity, policy: in.Policy, mu: workflow.NewMutex(ctx)}
	if err := p.setup(ctx); err != nil {
		return p.o, err
	}
	return p.o, p.run(ctx)
}

type dealProcess struct {
	o      ltc.Opportunity
	policy ltc.Policy
	// mu serialises changes: each one checks its rule, records, then updates the state, with no other in between.
	mu workflow.Mutex
	// rev counts recorded changes; the main loop wakes on it to re-arm the decision SLA timer.
	rev int
}

// dealChange is one accepted change: the deal after it, the decision it touched, and its events.
type dealChange struct {
	o      ltc.Opportunity
	d      *ltc.Decision
	events []ltc.Event
}

// handle registers an Update of the deal: the rule is the validator (a refused call leaves no trace) and is
// checked again under the lock before the change is applied and recorded.
func handle[T any](ctx workflow.Context, p *dealProcess, name string, req func(T) Request,
	rule func(T) error, apply func(T, time.Time) dealChange) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, u T) (DealResult, error) {
			return p.commit(ctx, name, req(u), func() error { return rule(u) }, func(now time.Time) dealChange { return apply(u, now) })
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, u T) error { return refusal(rule(u)) }})
}

func (p *dealProcess) commit(ctx workflow.Context, method string, r Request, rule func() error, apply func(time.Time) dealChange) (DealResult, error) {
	if err := p.mu.Lock(ctx); err != nil {
		return DealResult{}, err
	}
	defer p.mu.Unlock()
	if err := rule(); err != nil {
		return DealResult{}, refusal(err)
	}
	c := apply(workflow.Now(ctx))
	res := DealResult{Opportunity: c.o, Decision: c.d}
	err := record(ctx, store.Change{
		Request: requestRecord(r, method, c.o.ID, res), Opportunity: &c.o, Decision: c.d, Events: c.events,
	})
	if err != nil {
		return DealResult{}, err
	}
	p.o = c.o
	p.rev++
	return res, nil
}

// event is an event of the change from the current deal to next.
func (p *dealProcess) event(next ltc.Opportunity, typ string, actor ltc.Person, requestID string, data any, recipients ...string) ltc.Event {
	return ltc.Event{
		DealID: p.o.ID, Type: typ, Actor: actor, RequestID: requestID,
		StageBefore: string(p.o.Stage), StageAfter: string(next.Stage), Recipients: recipients,
		Data: ltc.EventData(data), OccurredAt: next.UpdatedAt,
	}
}

func (p *dealProcess) setup(ctx workflow.Context) error {
	steps := []func() error{
		func() error {
			return handle(ctx, p, UpdateAssessment, func(u AssessOpportunity) Request { return u.Request },
				func(u AssessOpportunity) error { return ltc.CanUpdateAssessment(u.Request.Actor, p.o) },
				func(u AssessOpportunity, now time.Time) dealChange {
					o := p.o.UpdateAssessment(u.Assessment, now)
					return dealChange{o: o, events: []ltc.Event{
						p.event(o, ltc.EventAssessmentUpdated, u.Request.Actor.Person(), u.Request.ID, u.Assessment)}}
				})
		},
		func() error {
			return handle(ctx, p, UpdateRequestDecision, func(u RequestDecision) Request { return u.Request },
				func(u RequestDecision) error {
					if err := ltc.CanRequestDecision(u.Request.Actor, p.o, u.Gate); err != nil {
						return err
					}
					if u.Initiation == nil {
						return ltc.Invalid("an INITIATION request needs the initiation package")
					}
					return nil
				},
				func(u RequestDecision, now time.Time) dealChange {
					o, d := p.o.RequestInitiation(ltc.DecisionID(u.Request.ID), u.Initiation.ProposedLevel,
						u.Initiation.Rationale, p.policy, u.Request.Actor.Person(), now)
					recipients := d.Deciders()
					for _, f := range d.RequiredReviews {
						recipients = append(recipients, ltc.FunctionRecipient(f))
					}
					return dealChange{o: o, d: &d, events: []ltc.Event{
						p.event(o, ltc.EventDecisionRequested, u.Request.Actor.Person(), u.Request.ID, d, recipients...)}}
				})
		},
		func() error {
			return handle(ctx, p, UpdateSubmitReview, func(u SubmitReview) Request { return u.Request },
				func(u SubmitReview) error { return ltc.CanReview(u.Request.Actor, p.o, u.DecisionID, u.Function) },
				func(u SubmitReview, now time.Time) dealChange {
					r := ltc.Review{Function: u.Function, Result: u.Result, Comments: u.Comments,
						Reviewer: u.Request.Actor.Person(), SubmittedAt: now}
					o, d := p.o.SubmitReview(u.DecisionID, r)
					return dealChange{o: o, d: &d, events: []ltc.Event{
						p.event(o, ltc.EventReviewSubmitted, r.Reviewer, u.Request.ID,
							map[string]any{"decision_id": d.ID, "review": r}, ltc.UserRecipient(d.RequestedBy.ID))}}
				})
		},
		func() error {
			return handle(ctx, p, UpdateDecide, func(u Decide) Request { return u.Request },
				func(u Decide) error { return ltc.CanDecide(u.Request.Actor, p.o, u.DecisionID, u.Verdict) },
				func(u Decide, now time.Time) dealChange {
					o, d := p.o.Decide(u.DecisionID, u.Verdict, u.Level, u.Conditions, u.Rationale, u.Request.Actor, now)
					events := []ltc.Event{p.event(o, ltc.EventDecisionDecided, u.Request.Actor.Person(), u.Request.ID, d,
						ltc.UserRecipient(d.RequestedBy.ID))}
					if !o.Open() {
						events = append(events, p.event(o, ltc.EventOpportunityClosed, u.Request.Actor.Person(), u.Request.ID,
							map[string]any{"outcome": o.Outcome, "reason": o.CloseReason}))
					}
					return dealChange{o: o, d: &d, events: events}
				})
		},
		func() error {
			return handle(ctx, p, UpdateWithdrawDecision, func(u WithdrawDecision) Request { return u.Request },
				func(u WithdrawDecision) error { return ltc.CanWithdraw(u.Request.Actor, p.o, u.DecisionID) },
				func(u WithdrawDecision, now time.Time) dealChange {
					o, d := p.o.Withdraw(u.DecisionID, u.Reason, u.Request.Actor.Person(), now)
					return dealChange{o: o, d: &d, events: []ltc.Event{
						p.event(o, ltc.EventDecisionWithdrawn, u.Request.Actor.Person(), u.Request.ID, d, d.Deciders()...)}}
				})
		},
		func() error {
			return handle(ctx, p, UpdateAppointTeam, func(u AppointTeam) Request { return u.Request },
				func(u AppointTeam) error {
					if err := ltc.CanAppointTeam(u.Request.Actor, p.o); err != nil {
						return err
					}
					return u.Team.Validate()
				},
				func(u AppointTeam, now time.Time) dealChange {
					o := p.o.AppointTeam(u.Team, now)
					typ := ltc.EventTeamAppointed
					if len(p.o.Team) > 0 {
						typ = ltc.EventTeamChanged
					}
					var recipients []string
					for _, m := range u.Team {
						recipients = append(recipients, ltc.UserRecipient(m.Person.ID))
					}
					return dealChange{o: o, events: []ltc.Event{p.event(o, typ, u.Request.Actor.Person(), u.Request.ID,
						map[string]any{"before": p.o.Team, "after": o.Team}, recipients...)}}
				})
		},
		func() error {
			return handle(ctx, p, UpdateCloseOpportunity, func(u CloseOpportunity) Request { return u.Request },
				func(u CloseOpportunity) error { return ltc.CanClose(u.Request.Actor, p.o, u.Outcome) },
				func(u CloseOpportunity, now time.Time) dealChange {
					pending, hadPending := p.o.Pending()
					o := p.o.Close(u.Outcome, u.Reason, u.Request.Actor.Person(), now)
					c := dealChange{o: o, events: []ltc.Event{p.event(o, ltc.EventOpportunityClosed,
						u.Request.Actor.Person(), u.Request.ID, map[string]any{"outcome": o.Outcome, "reason": o.CloseReason})}}
					if hadPending {
						d, _ := o.Decision(pending.ID)
						c.d = &d
					}
					return c
				})
		},
	}
	for _, register := range steps {
		if err := register(); err != nil {
			return err
		}
	}
	return nil
}

// run waits for changes and, while a decision is pending, for its SLA: when it passes, the decision escalates
// one authority level (or, at the top, is flagged overdue). The deal's process runs on after a close: the
// project summary that ends it comes with the contract stages.
func (p *dealProcess) run(ctx workflow.Context) error {
	for {
		rev := p.rev
		changed := func() bool { return p.rev != rev }
		d, pending := p.o.Pending()
		if !pending || d.Overdue {
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		if wait := d.DueAt.Sub(workflow.Now(ctx)); wait > 0 {
			if ok, err := workflow.AwaitWithTimeout(ctx, wait, changed); err != nil || ok {
				if err != nil {
					return err
				}
				continue
			}
		}
		if err := p.escalate(ctx, d); err != nil {
			return err
		}
	}
}

// escalate moves the pending decision whose SLA passed up one authority level, notifying its new deciders, or
// flags it overdue at the top, notifying the deciders and the requester. It does nothing if the decision changed
// since its SLA timer was armed (due is the decision as it was then).
func (p *dealProcess) escalate(ctx workflow.Context, due ltc.Decision) error {
	if err := p.mu.Lock(ctx); err != nil {
		return err
	}
	defer p.mu.Unlock()
	d, pending := p.o.Pending()
	if !pending || d.ID != due.ID || d.Escalations != due.Escalations || d.Overdue {
		return nil
	}
	o, next := p.o.Escalate(workflow.Now(ctx))
	typ, key, recipients := ltc.EventDecisionEscalated, fmt.Sprintf("escalate:%s:%d", d.ID, next.Escalations), next.Deciders()
	if next.Overdue {
		typ, key = ltc.EventDecisionOverdue, "overdue:"+d.ID
		recipients = append(recipients, ltc.UserRecipient(d.RequestedBy.ID))
	}
	res := DealResult{Opportunity: o, Decision: &next}
	err := record(ctx, store.Change{
		Request:     requestRecord(Request{ID: key}, "EscalateDecision", o.ID, res),
		Opportunity: &o, Decision: &next,
		Events: []ltc.Event{p.event(o, typ, ltc.SystemPerson, "", map[string]any{
			"decision_id": d.ID, "authority_before": d.Authority, "authority": next.Authority, "due_at": next.DueAt,
		}, recipients...)},
	})
	if err != nil {
		return err
	}
	p.o = o
	p.rev++
	return nil
}
