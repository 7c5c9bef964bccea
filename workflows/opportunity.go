package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// OpportunityWorkflow is the process of one deal (MO, 管理机会点), started by the lead's qualification in stage
// VALIDATION and ended by the project summary after the close: the assessment, the gates INITIATION, ATB and ATC
// (reviews, decisions, withdrawal, SLA escalation), the team, the risk register, the bid and tender result, the
// signed contract and the handover meeting into WON, and a close as LOST or ABANDONED from any open stage.
// Every change arrives as an Update whose validator applies the rules of package ltc before anything is recorded.
func OpportunityWorkflow(ctx workflow.Context, in OpportunityInput) (ltc.Opportunity, error) {
	p := &dealProcess{o: in.Opportunity, policy: in.Policy, applied: in.Applied, revision: in.Revision, mu: workflow.NewMutex(ctx)}
	p.numbered = workflow.GetVersion(ctx, numberedWrites, workflow.DefaultVersion, 1) == 1
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
	// applied holds the ids of the requests this process applied, oldest first, carried across continue-as-new.
	applied []string
	// numbered is set for processes started from version 1 of numberedWrites: each change is written as revision
	// revision+1 on top of the one before (store.ApplyRevision). Processes started earlier write as they did.
	numbered bool
	// revision is the number of the deal's last change, carried across continue-as-new.
	revision int64
}

// numberedWrites versions the deal's writes: from version 1 each carries the process's revision.
const numberedWrites = "numbered-writes"

// took reports whether the process applied the request already: its retry changes nothing and is answered
// from the request record.
func (p *dealProcess) took(requestID string) bool { return slices.Contains(p.applied, requestID) }

// dealChange is one accepted change: the deal after it, the decision it touched, and its events.
type dealChange struct {
	o      ltc.Opportunity
	d      *ltc.Decision
	events []ltc.Event
}

// handle registers an Update of the deal: the rule is the validator (a refused call leaves no trace) and is
// checked again under the lock before the change is applied and recorded. The Update returns no value: the
// caller's result is kept in the request record, written with the change, so the history does not carry the deal
// a second time.
func handle[T any](ctx workflow.Context, p *dealProcess, name string, req func(T) Request,
	rule func(T) error, apply func(T, time.Time) dealChange) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, u T) error {
			return p.commit(ctx, name, req(u), func() error { return rule(u) }, func(now time.Time) dealChange { return apply(u, now) })
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, u T) error {
			if p.took(req(u).ID) {
				return nil
			}
			return refusal(rule(u))
		}})
}

func (p *dealProcess) commit(ctx workflow.Context, method string, r Request, rule func() error, apply func(time.Time) dealChange) error {
	if err := p.mu.Lock(ctx); err != nil {
		return err
	}
	defer p.mu.Unlock()
	for {
		if p.took(r.ID) {
			return nil
		}
		if err := rule(); err != nil {
			return refusal(err)
		}
		c := apply(p.now(ctx))
		written, err := p.write(ctx, store.Change{
			Request:     requestRecord(r, method, c.o.ID, DealResult{Opportunity: c.o, Decision: c.d}),
			Opportunity: &c.o, Decision: c.d, Events: c.events,
		})
		if err != nil {
			return err
		}
		if written {
			p.o = c.o
			p.applied = append(p.applied, r.ID)
			p.rev++
			return nil
		}
	}
}

// now is the time of a change: the workflow's time, but never before the deal's last change, which a change
// adopted from the database (written by a later workflow task than this one) may carry; so times in the deal's log
// never go back.
func (p *dealProcess) now(ctx workflow.Context) time.Time {
	now := workflow.Now(ctx)
	if p.numbered && p.o.UpdatedAt.After(now) {
		return p.o.UpdatedAt
	}
	return now
}

// write records a change computed on the process's deal. It reports false when the database held changes the
// process had not seen (written by a workflow task Temporal discarded, see store.Behind): the process adopted them,
// and the caller computes its change again on top of them, if it still applies.
func (p *dealProcess) write(ctx workflow.Context, c store.Change) (bool, error) {
	if !p.numbered {
		return true, record(ctx, c)
	}
	c.Revision = p.revision + 1
	behind, err := recordRevision(ctx, c)
	if err != nil {
		return false, err
	}
	if behind == nil {
		p.revision = c.Revision
		return true, nil
	}
	workflow.GetLogger(ctx).Warn("The database holds changes of the deal this process had not seen; adopting them",
		"base", c.Revision-1, "revision", behind.Revision, "requests", behind.Requests)
	p.o, p.revision = behind.Opportunity, behind.Revision
	for _, id := range behind.Requests {
		if !p.took(id) {
			p.applied = append(p.applied, id)
		}
	}
	p.rev++
	return false, nil
}

// event is an event of the change from the current deal to next.
func (p *dealProcess) event(next ltc.Opportunity, typ string, actor ltc.Person, requestID string, data any, recipients ...string) ltc.Event {
	return ltc.Event{
		DealID: p.o.ID, Type: typ, Actor: actor, RequestID: requestID,
		StageBefore: string(p.o.Stage), StageAfter: string(next.Stage), Recipients: ltc.InUnit(recipients, p.o.Unit),
		Data: ltc.EventData(data), OccurredAt: next.UpdatedAt,
	}
}

// closing adds the opportunity.closed event when the change closed the deal.
func (p *dealProcess) closing(c dealChange, actor ltc.Person, requestID string) dealChange {
	if p.o.Open() && !c.o.Open() {
		c.events = append(c.events, p.event(c.o, ltc.EventOpportunityClosed, actor, requestID,
			map[string]any{"outcome": c.o.Outcome, "reason": c.o.CloseReason}, ltc.UserRecipient(c.o.Owner.ID)))
	}
	return c
}

// simple is a change of the deal alone with one event.
func (p *dealProcess) simple(o ltc.Opportunity, typ string, r Request, data any, recipients ...string) dealChange {
	return p.closing(dealChange{o: o, events: []ltc.Event{p.event(o, typ, r.Actor.Person(), r.ID, data, recipients...)}},
		r.Actor.Person(), r.ID)
}

func (p *dealProcess) setup(ctx workflow.Context) error {
	a := func(r Request) ltc.Actor { return r.Actor }
	registrations := []error{
		workflow.SetQueryHandler(ctx, QueryDeal, func() (DealState, error) {
			return DealState{Opportunity: p.o, Revision: p.revision, Applied: p.applied}, nil
		}),
		handle(ctx, p, UpdateAssessment, func(u AssessOpportunity) Request { return u.Request },
			func(u AssessOpportunity) error { return ltc.CanUpdateAssessment(a(u.Request), p.o) },
			func(u AssessOpportunity, now time.Time) dealChange {
				return p.simple(p.o.UpdateAssessment(u.Assessment, now), ltc.EventAssessmentUpdated, u.Request, u.Assessment)
			}),
		handle(ctx, p, UpdateRequestDecision, func(u RequestDecision) Request { return u.Request },
			func(u RequestDecision) error { return ltc.CanRequestDecision(a(u.Request), p.o, u.Gate, u.Package) },
			func(u RequestDecision, now time.Time) dealChange {
				o, d := p.o.RequestDecision(ltc.DecisionID(u.Request.ID), u.Gate, u.Package, p.policy, u.Request.Actor.Person(), now)
				recipients := d.Deciders()
				for _, f := range d.RequiredReviews {
					recipients = append(recipients, ltc.FunctionRecipient(f))
				}
				c := p.simple(o, ltc.EventDecisionRequested, u.Request, d, recipients...)
				c.d = &d
				return c
			}),
		handle(ctx, p, UpdateSubmitReview, func(u SubmitReview) Request { return u.Request },
			func(u SubmitReview) error { return ltc.CanReview(a(u.Request), p.o, u.DecisionID, u.Function) },
			func(u SubmitReview, now time.Time) dealChange {
				r := ltc.Review{Function: u.Function, Result: u.Result, Comments: u.Comments,
					Reviewer: u.Request.Actor.Person(), SubmittedAt: now}
				o, d := p.o.SubmitReview(u.DecisionID, r)
				c := p.simple(o, ltc.EventReviewSubmitted, u.Request, map[string]any{"decision_id": d.ID, "review": r},
					ltc.UserRecipient(d.RequestedBy.ID))
				c.d = &d
				return c
			}),
		handle(ctx, p, UpdateDecide, func(u Decide) Request { return u.Request },
			func(u Decide) error { return ltc.CanDecide(a(u.Request), p.o, u.DecisionID, u.ruling()) },
			func(u Decide, now time.Time) dealChange {
				o, d := p.o.Decide(u.DecisionID, u.ruling(), u.Request.Actor, now, p.policy)
				c := p.simple(o, ltc.EventDecisionDecided, u.Request, d, ltc.UserRecipient(d.RequestedBy.ID))
				c.d = &d
				return c
			}),
		handle(ctx, p, UpdateWithdrawDecision, func(u WithdrawDecision) Request { return u.Request },
			func(u WithdrawDecision) error { return ltc.CanWithdraw(a(u.Request), p.o, u.DecisionID) },
			func(u WithdrawDecision, now time.Time) dealChange {
				o, d := p.o.Withdraw(u.DecisionID, u.Reason, u.Request.Actor.Person(), now)
				c := p.simple(o, ltc.EventDecisionWithdrawn, u.Request, d, d.Deciders()...)
				c.d = &d
				return c
			}),
		handle(ctx, p, UpdateAppointTeam, func(u AppointTeam) Request { return u.Request },
			func(u AppointTeam) error {
				if err := ltc.CanAppointTeam(a(u.Request), p.o); err != nil {
					return err
				}
				return u.Team.Validate()
			},
			func(u AppointTeam, now time.Time) dealChange {
				typ := ltc.EventTeamAppointed
				if len(p.o.Team) > 0 {
					typ = ltc.EventTeamChanged
				}
				var recipients []string
				for _, m := range u.Team {
					recipients = append(recipients, ltc.UserRecipient(m.Person.ID))
				}
				o := p.o.AppointTeam(u.Team, now, p.policy)
				return p.simple(o, typ, u.Request, map[string]any{"before": p.o.Team, "after": o.Team}, recipients...)
			}),
		handle(ctx, p, UpdateCloseOpportunity, func(u CloseOpportunity) Request { return u.Request },
			func(u CloseOpportunity) error { return ltc.CanClose(a(u.Request), p.o, u.Outcome) },
			func(u CloseOpportunity, now time.Time) dealChange {
				pending, hadPending := p.o.Pending()
				o := p.o.Close(u.Outcome, u.Reason, u.Request.Actor.Person(), now, p.policy)
				c := p.closing(dealChange{o: o}, u.Request.Actor.Person(), u.Request.ID)
				if hadPending {
					d, _ := o.Decision(pending.ID)
					c.d = &d
				}
				return c
			}),
		handle(ctx, p, UpdateAddRisk, func(u AddRisk) Request { return u.Request },
			func(u AddRisk) error { return ltc.CanEditRisks(a(u.Request), p.o) },
			func(u AddRisk, now time.Time) dealChange {
				r := u.Risk
				r.ID = ltc.RiskID(u.Request.ID)
				o := p.o.AddRisk(r, now)
				return p.simple(o, ltc.EventRiskAdded, u.Request, o.Risks[len(o.Risks)-1])
			}),
		handle(ctx, p, UpdateRisk, func(u ChangeRisk) Request { return u.Request },
			func(u ChangeRisk) error { return ltc.CanUpdateRisk(a(u.Request), p.o, u.Risk.ID) },
			func(u ChangeRisk, now time.Time) dealChange {
				o := p.o.UpdateRisk(u.Risk, now)
				r, _ := o.Risk(u.Risk.ID)
				return p.simple(o, ltc.EventRiskUpdated, u.Request, r)
			}),
		handle(ctx, p, UpdateSubmitBid, func(u SubmitBid) Request { return u.Request },
			func(u SubmitBid) error { return ltc.CanSubmitBid(a(u.Request), p.o, u.Bid, p.policy) },
			func(u SubmitBid, now time.Time) dealChange {
				b := u.Bid
				b.SubmittedBy = u.Request.Actor.Person()
				o := p.o.SubmitBid(b, now)
				return p.simple(o, ltc.EventBidSubmitted, u.Request, o.Bid)
			}),
		handle(ctx, p, UpdateTenderResult, func(u RecordTenderResult) Request { return u.Request },
			func(u RecordTenderResult) error { return ltc.CanRecordTenderResult(a(u.Request), p.o, u.Result) },
			func(u RecordTenderResult, now time.Time) dealChange {
				o := p.o.RecordTenderResult(u.Result, u.Request.Actor.Person(), now, p.policy)
				return p.simple(o, ltc.EventTenderResult, u.Request, o.Tender)
			}),
		handle(ctx, p, UpdateSignContract, func(u SignContract) Request { return u.Request },
			func(u SignContract) error { return ltc.CanSignContract(a(u.Request), p.o, u.Contract) },
			func(u SignContract, now time.Time) dealChange {
				c := u.Contract
				c.SignedBy = u.Request.Actor.Person()
				o := p.o.SignContract(c, now, p.policy)
				return p.simple(o, ltc.EventContractSigned, u.Request, o.Contract)
			}),
		handle(ctx, p, UpdateScheduleHandover, func(u ScheduleHandover) Request { return u.Request },
			func(u ScheduleHandover) error { return ltc.CanScheduleHandover(a(u.Request), p.o, u.Handover) },
			func(u ScheduleHandover, now time.Time) dealChange {
				var recipients []string
				for _, m := range u.Handover.Attendees {
					recipients = append(recipients, ltc.UserRecipient(m.Person.ID))
				}
				return p.simple(p.o.ScheduleHandover(u.Handover, now), ltc.EventHandoverScheduled, u.Request, u.Handover, recipients...)
			}),
		handle(ctx, p, UpdateCompleteHandover, func(u CompleteHandover) Request { return u.Request },
			func(u CompleteHandover) error { return ltc.CanCompleteHandover(a(u.Request), p.o) },
			func(u CompleteHandover, now time.Time) dealChange {
				o := p.o.CompleteHandover(u.Record, u.Request.Actor.Person(), now, p.policy)
				return p.simple(o, ltc.EventHandoverCompleted, u.Request, o.Handover)
			}),
		handle(ctx, p, UpdateProjectSummary, func(u SubmitProjectSummary) Request { return u.Request },
			func(u SubmitProjectSummary) error { return ltc.CanSubmitSummary(a(u.Request), p.o) },
			func(u SubmitProjectSummary, now time.Time) dealChange {
				s := u.Summary
				s.SubmittedBy = u.Request.Actor.Person()
				o := p.o.SubmitSummary(s, now)
				return p.simple(o, ltc.EventSummarySubmitted, u.Request, o.Summary)
			}),
		handle(ctx, p, UpdateWeeklyReport, func(u SubmitWeeklyReport) Request { return u.Request },
			func(u SubmitWeeklyReport) error { return ltc.CanSubmitWeeklyReport(a(u.Request), p.o) },
			func(u SubmitWeeklyReport, now time.Time) dealChange {
				r := u.Report
				r.SubmittedBy = u.Request.Actor.Person()
				o := p.o.SubmitWeeklyReport(r, now, p.policy)
				last, _ := o.Cadence.LastReport()
				// Reports go to the team and the sponsor only (受控发送).
				var recipients []string
				for _, m := range o.Team {
					recipients = append(recipients, ltc.UserRecipient(m.Person.ID))
				}
				return p.simple(o, ltc.EventWeeklyReportSubmitted, u.Request, last, append(recipients, ltc.RoleRecipient(ltc.RoleSalesManager))...)
			}),
		handle(ctx, p, UpdateRecordMeeting, func(u RecordMeeting) Request { return u.Request },
			func(u RecordMeeting) error { return ltc.CanRecordMeeting(a(u.Request), p.o) },
			func(u RecordMeeting, now time.Time) dealChange {
				m := u.Meeting
				m.ID, m.RecordedBy = ltc.MeetingID(u.Request.ID), u.Request.Actor.Person()
				var recipients []string
				for _, item := range m.ActionItems {
					recipients = append(recipients, ltc.UserRecipient(item.Owner.ID))
				}
				o := p.o.RecordMeeting(m, now)
				return p.simple(o, ltc.EventMeetingRecorded, u.Request, o.Meetings[len(o.Meetings)-1], recipients...)
			}),
	}
	return errors.Join(registrations...)
}

// alarm is a deadline the process watches: when it passes, fire records what that means.
type alarm struct {
	due  time.Time
	fire func(workflow.Context) error
}

// next is the earliest deadline the deal is waiting on now, if any: the pending decision's SLA, the handover
// SLA, the weekly report check, or the project summary's SLA.
func (p *dealProcess) next() (alarm, bool) {
	var alarms []alarm
	if d, ok := p.o.Pending(); ok && !d.Overdue {
		alarms = append(alarms, alarm{d.DueAt, func(ctx workflow.Context) error { return p.escalate(ctx, d) }})
	}
	if p.o.Stage == ltc.StageHandover && p.o.HandoverDueAt != nil && !p.o.HandoverOverdue {
		alarms = append(alarms, alarm{*p.o.HandoverDueAt, p.handoverOverdue})
	}
	if c := p.o.Cadence; c != nil && p.o.Open() {
		alarms = append(alarms, alarm{c.CheckDueAt(p.policy), p.checkReport})
	}
	if !p.o.Open() && p.o.Summary == nil && p.o.SummaryDueAt != nil && !p.o.SummaryOverdue {
		alarms = append(alarms, alarm{*p.o.SummaryDueAt, p.summaryOverdue})
	}
	if len(alarms) == 0 {
		return alarm{}, false
	}
	earliest := alarms[0]
	for _, a := range alarms[1:] {
		if a.due.Before(earliest.due) {
			earliest = a
		}
	}
	return earliest, true
}

// run waits for changes and deadlines until the project summary is in, which ends the deal's process. A deal
// lives for months: when Temporal suggests it, the process continues as new with its state, once no Update is
// in flight. The timer of the earliest deadline is kept across changes that leave that deadline where it was, so
// an ordinary change costs no timer.
func (p *dealProcess) run(ctx workflow.Context) error {
	if workflow.GetVersion(ctx, keptAlarmTimer, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return p.runStartingTimers(ctx)
	}
	var t alarmTimer
	for p.o.Summary == nil {
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			return workflow.NewContinueAsNewError(ctx, OpportunityWorkflow, OpportunityInput{Opportunity: p.o, Policy: p.policy, Applied: p.applied, Revision: p.revision})
		}
		rev := p.rev
		changed := func() bool { return p.rev != rev }
		a, ok := p.next()
		if !ok {
			t.stop()
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		if wait := a.due.Sub(workflow.Now(ctx)); wait > 0 {
			t.arm(ctx, a.due, wait)
			if err := workflow.Await(ctx, func() bool { return changed() || t.fired() }); err != nil {
				return err
			}
			if changed() {
				continue
			}
			t.stop()
		}
		if err := a.fire(ctx); err != nil {
			if !p.numbered {
				return err
			}
			// Writes retry without limit, so this is no outage but a change the database refused for good (a bug):
			// the process keeps running and takes changes; the deadline is tried again after the next one.
			workflow.GetLogger(ctx).Error("A deadline's change was refused; it is tried again after the next change", "error", err)
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// keptAlarmTimer versions run: from version 1 the deadline's timer is kept across changes.
const keptAlarmTimer = "kept-alarm-timer"

// runStartingTimers is run as it was before version 1 of keptAlarmTimer: it started a new timer after every
// change. Deals recorded before that version replay through it.
func (p *dealProcess) runStartingTimers(ctx workflow.Context) error {
	for p.o.Summary == nil {
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			return workflow.NewContinueAsNewError(ctx, OpportunityWorkflow, OpportunityInput{Opportunity: p.o, Policy: p.policy, Applied: p.applied, Revision: p.revision})
		}
		rev := p.rev
		changed := func() bool { return p.rev != rev }
		a, ok := p.next()
		if !ok {
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		if wait := a.due.Sub(workflow.Now(ctx)); wait > 0 {
			if woke, err := workflow.AwaitWithTimeout(ctx, wait, changed); err != nil || woke {
				if err != nil {
					return err
				}
				continue
			}
		}
		if err := a.fire(ctx); err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// alarmTimer is the timer of the deadline the process waits for.
type alarmTimer struct {
	due    time.Time
	timer  workflow.Future
	cancel workflow.CancelFunc
}

// arm makes the timer run until due, keeping the running one if it is already set for due.
func (t *alarmTimer) arm(ctx workflow.Context, due time.Time, wait time.Duration) {
	if t.timer != nil && t.due.Equal(due) {
		return
	}
	t.stop()
	var timerCtx workflow.Context
	timerCtx, t.cancel = workflow.WithCancel(ctx)
	t.due, t.timer = due, workflow.NewTimer(timerCtx, wait)
}

func (t *alarmTimer) fired() bool { return t.timer != nil && t.timer.IsReady() }

// stop cancels the timer, if one runs.
func (t *alarmTimer) stop() {
	if t.timer != nil {
		t.cancel()
		t.timer, t.cancel = nil, nil
	}
}

// system records a change the process makes by itself (a deadline passed), under the lock, unless still is false
// by then. key identifies the change for the request record.
func (p *dealProcess) system(ctx workflow.Context, key string, still func() bool, apply func(time.Time) dealChange) error {
	if err := p.mu.Lock(ctx); err != nil {
		return err
	}
	defer p.mu.Unlock()
	for {
		if !still() {
			return nil
		}
		c := apply(p.now(ctx))
		res := DealResult{Opportunity: c.o, Decision: c.d}
		written, err := p.write(ctx, store.Change{
			Request: requestRecord(Request{ID: key}, "Deadline", c.o.ID, res), Opportunity: &c.o, Decision: c.d, Events: c.events,
		})
		if err != nil {
			return err
		}
		if written {
			p.o = c.o
			p.rev++
			return nil
		}
	}
}

// escalate moves the pending decision whose SLA passed up one authority level, notifying its new deciders, or
// flags it overdue at the top, notifying the deciders and the requester. It does nothing if the decision changed
// since its SLA timer was armed (due is the decision as it was then).
func (p *dealProcess) escalate(ctx workflow.Context, due ltc.Decision) error {
	key := fmt.Sprintf("escalate:%s:%d", due.ID, due.Escalations+1)
	if due.Authority == ltc.MaxAuthority {
		key = "overdue:" + due.ID
	}
	return p.system(ctx, key,
		func() bool {
			d, pending := p.o.Pending()
			return pending && d.ID == due.ID && d.Escalations == due.Escalations && !d.Overdue
		},
		func(now time.Time) dealChange {
			o, next := p.o.Escalate(now)
			typ, recipients := ltc.EventDecisionEscalated, next.Deciders()
			if next.Overdue {
				typ, recipients = ltc.EventDecisionOverdue, append(recipients, ltc.UserRecipient(due.RequestedBy.ID))
			}
			return dealChange{o: o, d: &next, events: []ltc.Event{p.event(o, typ, ltc.SystemPerson, "", map[string]any{
				"decision_id": due.ID, "authority_before": due.Authority, "authority": next.Authority, "due_at": next.DueAt,
			}, recipients...)}}
		})
}

// handoverOverdue flags a handover not completed within its SLA, notifying the AR and the sales managers.
func (p *dealProcess) handoverOverdue(ctx workflow.Context) error {
	return p.system(ctx, "handover-overdue:"+p.o.ID,
		func() bool { return p.o.Stage == ltc.StageHandover && !p.o.HandoverOverdue },
		func(now time.Time) dealChange {
			o := p.o.MarkHandoverOverdue(now)
			return dealChange{o: o, events: []ltc.Event{p.event(o, ltc.EventHandoverOverdue, ltc.SystemPerson, "",
				map[string]any{"due_at": o.HandoverDueAt}, ltc.UserRecipient(o.Owner.ID), ltc.RoleRecipient(ltc.RoleSalesManager))}}
		})
}

// summaryOverdue flags a project summary not submitted within its SLA, notifying the AR and the sales managers.
func (p *dealProcess) summaryOverdue(ctx workflow.Context) error {
	return p.system(ctx, "summary-overdue:"+p.o.ID,
		func() bool { return p.o.Summary == nil && !p.o.SummaryOverdue },
		func(now time.Time) dealChange {
			o := p.o.MarkSummaryOverdue(now)
			return dealChange{o: o, events: []ltc.Event{p.event(o, ltc.EventSummaryOverdue, ltc.SystemPerson, "",
				map[string]any{"due_at": o.SummaryDueAt}, ltc.UserRecipient(o.Owner.ID), ltc.RoleRecipient(ltc.RoleSalesManager))}}
		})
}

// checkReport checks the next weekly-report period at its end plus the grace: a period without a report is
// flagged overdue and the AR and the sales managers are notified. The next period has started on time anyway.
func (p *dealProcess) checkReport(ctx workflow.Context) error {
	checked := p.o.Cadence.Checked
	return p.system(ctx, fmt.Sprintf("report-check:%s:%d", p.o.ID, checked),
		func() bool { return p.o.Open() && p.o.Cadence != nil && p.o.Cadence.Checked == checked },
		func(now time.Time) dealChange {
			o, missing := p.o.CheckReport(now, p.policy)
			c := dealChange{o: o}
			if missing {
				c.events = []ltc.Event{p.event(o, ltc.EventWeeklyReportOverdue, ltc.SystemPerson, "",
					map[string]any{"period": checked, "due_at": p.o.Cadence.CheckDueAt(p.policy)},
					ltc.UserRecipient(o.Owner.ID), ltc.RoleRecipient(ltc.RoleSalesManager))}
			}
			return c
		})
}
