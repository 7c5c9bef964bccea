package workflows

import (
	"errors"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// DealWorkflow is the process of one deal from lead to the end, started by update-with-start together with the
// CreateLead Update. It records the lead, then takes the deal's commands as Updates, one at a time, until the
// lead is disqualified or the deal is closed with its project summary in: the lead's qualification into stage
// VALIDATION, the assessment, the gates INITIATION, ATB and ATC with their reviews and decisions, the team, the
// risk register, weekly reports and meetings, the bid and tender result, the signed contract and the handover
// meeting into WON, and a close as LOST or ABANDONED from any open stage; under ltc.RulesExecution the contract's
// execution after the handover (acceptance, invoices, payments) until the contract closes. Meanwhile it watches the deal's
// deadlines (lead SLA, decision SLA with escalation, handover, weekly reports, project summary, milestone dates,
// invoices' due dates with escalation) and records what
// each means when it passes. The rules are package ltc's: each Update is a command (ltc.Command) whose Apply is
// both the Update's validator, so a refused call leaves no trace, and, under the process's lock, the change.
func DealWorkflow(ctx workflow.Context, in DealInput) (ltc.Deal, error) {
	p := newProcess(ctx, in.Policy, in.Applied, in.Revision)
	p.numbered = true
	if workflow.GetVersion(ctx, executionRules, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		p.rules = ltc.RulesEconomics // recorded before the contract's execution: its deal keeps the rules before
	}
	if in.Deal != nil {
		p.deal, p.created = *in.Deal, &store.Request{}
	}
	if err := p.setup(ctx, leadCommands, dealCommands); err != nil {
		return p.deal, err
	}
	if in.Deal == nil {
		if err := p.create(ctx, in.Request, in.Lead); err != nil {
			_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
			return p.deal, err
		}
	} else if p.deal.Ended() {
		// Started again from the database's copy of a deal whose process had ended, by the REOPEN request that
		// came with the start (update-with-start): the process waits for it to be taken, and runs on if it opened a
		// decision.
		rev := p.rev
		if _, err := workflow.AwaitWithTimeout(ctx, restartWait, func() bool { return p.rev != rev }); err != nil {
			return p.deal, err
		}
	}
	return p.deal, p.run(ctx, func() error {
		return workflow.NewContinueAsNewError(ctx, DealWorkflow, DealInput{Deal: &p.deal, Policy: p.policy, Applied: p.applied, Revision: p.revision})
	})
}

// executionRules versions the rules a DealWorkflow qualifies its deal under: from version 1, ltc.RulesExecution.
const executionRules = "execution-rules"

// restartWait is how long a process started again for a REOPEN request waits for it.
const restartWait = time.Minute

// process is a deal's process state: the deal and what keeps its changes in order and applied once.
type process struct {
	deal   ltc.Deal
	policy ltc.Policy
	// rules is the rules version a deal qualified by this process starts under (0: the newest).
	rules int
	// mu serialises changes: each one applies its command, records, then updates the state, with no other in between.
	mu workflow.Mutex
	// rev counts changes taken; the main loop wakes on it to re-arm the deadline timer.
	rev int
	// applied holds the ids of the requests this process applied, oldest first, carried across continue-as-new.
	applied []string
	// numbered is set for processes whose deal's changes are written as revision+1 on top of the one before
	// (store.ApplyRevision): every DealWorkflow, and OpportunityWorkflows from version 1 of numberedWrites.
	numbered bool
	// revision is the number of the deal's last change, carried across continue-as-new.
	revision int64
	// created is the CreateLead request's record once the lead is recorded (empty in a continued run); createErr
	// is why recording it failed.
	created   *store.Request
	createErr error
	// qualified, set in a LeadWorkflow of an earlier version, starts the deal's own OpportunityWorkflow as a child
	// when the lead is qualified (and the lead's process ends).
	qualified func(workflow.Context, ltc.Opportunity) error
}

func newProcess(ctx workflow.Context, policy ltc.Policy, applied []string, revision int64) *process {
	return &process{policy: policy, applied: applied, revision: revision, mu: workflow.NewMutex(ctx)}
}

// took reports whether the process applied the request already: its retry changes nothing.
func (p *process) took(requestID string) bool { return slices.Contains(p.applied, requestID) }

// context is what a command of the request is applied in now.
func (p *process) context(ctx workflow.Context, r Request) ltc.Context {
	return ltc.Context{Actor: r.Actor, Now: p.now(ctx), Policy: p.policy, RequestID: r.ID, Rules: p.rules}
}

// now is the time of a change: the workflow's time, but never before the deal's last change, which a change
// adopted from the database (written by a later workflow task than this one) may carry; so times in the deal's log
// never go back.
func (p *process) now(ctx workflow.Context) time.Time {
	now := workflow.Now(ctx)
	if o := p.deal.Opportunity; p.numbered && o != nil && o.UpdatedAt.After(now) {
		return o.UpdatedAt
	}
	return now
}

// command is a row of the Update table: the Update's name and how to register its handler.
type command struct {
	name     string
	register func(workflow.Context, *process, string) error
}

// leadCommands are the Updates of a lead; CreateLead comes with the process's start.
var leadCommands = []command{
	{UpdateCreateLead, registerCreateLead},
	{UpdateQualifyLead, handle[ltc.QualifyLead]},
	{UpdateDisqualifyLead, handle[ltc.DisqualifyLead]},
	{UpdateReassignLead, handle[ltc.ReassignLead]},
}

// dealCommands are the Updates of a deal, in the order of the process.
var dealCommands = []command{
	{UpdateAssessment, handle[ltc.UpdateAssessment]},
	{UpdateRequestDecision, handle[ltc.RequestDecision]},
	{UpdateSubmitReview, handle[ltc.SubmitReview]},
	{UpdateDecide, handle[ltc.Decide]},
	{UpdateWithdrawDecision, handle[ltc.WithdrawDecision]},
	{UpdateAppointTeam, handle[ltc.AppointTeam]},
	{UpdateAddRisk, handle[ltc.AddRisk]},
	{UpdateRisk, handle[ltc.UpdateRisk]},
	{UpdateWeeklyReport, handle[ltc.SubmitWeeklyReport]},
	{UpdateRecordMeeting, handle[ltc.RecordMeeting]},
	{UpdateSubmitBid, handle[ltc.SubmitBid]},
	{UpdateTenderResult, handle[ltc.RecordTenderResult]},
	{UpdateSignContract, handle[ltc.SignContract]},
	{UpdateScheduleHandover, handle[ltc.ScheduleHandover]},
	{UpdateCompleteHandover, handle[ltc.CompleteHandover]},
	{UpdateCloseOpportunity, handle[ltc.CloseOpportunity]},
	{UpdateProjectSummary, handle[ltc.SubmitProjectSummary]},
	{UpdateReassignOwner, handle[ltc.ReassignOwner]},
	{UpdateReassignReview, handle[ltc.ReassignReview]},
	{UpdateForecast, handle[ltc.UpdateForecast]},
	{UpdateRecordAcceptance, handle[ltc.RecordAcceptance]},
	{UpdateIssueInvoice, handle[ltc.IssueInvoice]},
	{UpdateRecordPayment, handle[ltc.RecordPayment]},
	{UpdateCloseContract, handle[ltc.CloseContract]},
}

// setup registers the query and the Updates of the tables.
func (p *process) setup(ctx workflow.Context, tables ...[]command) error {
	errs := []error{workflow.SetQueryHandler(ctx, QueryDeal, func() (DealState, error) {
		s := DealState{Lead: p.deal.Lead, Revision: p.revision, Applied: p.applied}
		if p.deal.Opportunity != nil {
			s.Opportunity = *p.deal.Opportunity
		}
		return s, nil
	})}
	for _, table := range tables {
		for _, c := range table {
			errs = append(errs, c.register(ctx, p, c.name))
		}
	}
	return errors.Join(errs...)
}

// handle registers the Update name of command C: its validator applies the command to the deal as it is (a
// refused call leaves no trace in the history), and its handler applies it again under the lock, records the
// change and takes it. The Update returns the request's record, which holds the caller's result.
func handle[C ltc.Command](ctx workflow.Context, p *process, name string) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, u Update[C]) (store.Request, error) {
			return p.commit(ctx, name, u.Request, u.Command)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, u Update[C]) error {
			if p.took(u.Request.ID) {
				return nil
			}
			if err := p.ready(); err != nil {
				return err
			}
			_, err := ltc.Run(u.Command, p.deal, p.context(ctx, u.Request))
			return refusal(err)
		}})
}

// ready refuses commands until the lead is recorded.
func (p *process) ready() error {
	if p.created == nil {
		return refusal(ltc.FailedPrecondition("lead %s is still being created; retry", p.deal.Lead.ID))
	}
	return nil
}

// commit applies the caller's command under the lock and records the change. A request the process took in an
// earlier run returns an empty record: the request record in the database answers it.
func (p *process) commit(ctx workflow.Context, method string, r Request, cmd ltc.Command) (store.Request, error) {
	if err := p.mu.Lock(ctx); err != nil {
		return store.Request{}, err
	}
	defer p.mu.Unlock()
	for {
		if p.took(r.ID) {
			return store.Request{}, nil
		}
		if err := p.ready(); err != nil {
			return store.Request{}, err
		}
		before := p.deal
		c, err := ltc.Run(cmd, before, p.context(ctx, r))
		if err != nil {
			return store.Request{}, refusal(err)
		}
		record := requestRecord(r, method, c.Deal.ID(), result(before, c))
		written, err := p.write(ctx, record, before, c)
		if err != nil {
			return store.Request{}, err
		}
		if written {
			p.take(c, r.ID)
			if p.qualified != nil && c.Deal.Opportunity != nil {
				return record, p.qualified(ctx, *c.Deal.Opportunity)
			}
			return record, nil
		}
	}
}

// take makes the change the process's state.
func (p *process) take(c ltc.Change, requestID string) {
	p.deal = c.Deal
	if requestID != "" {
		p.applied = append(p.applied, requestID)
	}
	p.rev++
}

// result is what the caller of a change gets: the lead while the deal is one, the lead and the deal made of it on
// qualification, then the deal and the decision the change touched. The deal is as the process holds it, without
// the texts of its meetings, weekly reports and risks (GetOpportunity has them): a result is kept in the history
// too, and a Temporal payload is at most 2 MB, which the deal's process bytes (ltc.MaxProcessBytes) stay under.
func result(before ltc.Deal, c ltc.Change) any {
	switch {
	case c.Deal.Opportunity == nil:
		return c.Deal.Lead
	case before.Opportunity == nil:
		return QualifyLeadResult{Lead: c.Deal.Lead, Opportunity: *c.Deal.Opportunity}
	default:
		return DealResult{Opportunity: *c.Deal.Opportunity, Decision: c.Decision}
	}
}

// write records a change computed on the process's deal. The lead's changes (and the qualification that makes
// the deal) are written as they come; the deal's are numbered when the process is. It reports false when the
// database held changes the process had not seen (written by a workflow task Temporal discarded, see
// store.Behind): the process adopted them, and the caller computes its change again on top of them, if it still
// applies.
func (p *process) write(ctx workflow.Context, r store.Request, before ltc.Deal, c ltc.Change) (bool, error) {
	change := store.Change{Request: r, Opportunity: c.Deal.Opportunity, Decision: c.Decision, Events: c.Events, Content: c.Content}
	if before.Opportunity == nil {
		change.Lead = &c.Deal.Lead
	}
	if before.Opportunity == nil || !p.numbered {
		return true, record(ctx, change)
	}
	change.Revision = p.revision + 1
	behind, err := recordRevision(ctx, change)
	if err != nil {
		return false, err
	}
	if behind == nil {
		p.revision = change.Revision
		return true, nil
	}
	workflow.GetLogger(ctx).Warn("The database holds changes of the deal this process had not seen; adopting them",
		"base", change.Revision-1, "revision", behind.Revision, "requests", behind.Requests)
	o := behind.Opportunity
	p.deal.Opportunity, p.revision = &o, behind.Revision
	for _, id := range behind.Requests {
		if !p.took(id) {
			p.applied = append(p.applied, id)
		}
	}
	p.rev++
	return false, nil
}

// create records the lead of the process's start; the CreateLead Update waits for it.
func (p *process) create(ctx workflow.Context, r Request, lead ltc.Lead) error {
	c, err := ltc.Run(ltc.CreateLead{Lead: lead}, ltc.Deal{}, ltc.Context{Actor: r.Actor, Now: workflow.Now(ctx), Policy: p.policy, RequestID: r.ID})
	if err == nil {
		rec := requestRecord(r, UpdateCreateLead, lead.ID, result(ltc.Deal{}, c))
		if _, err = p.write(ctx, rec, ltc.Deal{}, c); err == nil {
			p.take(c, "")
			p.created = &rec
			return nil
		}
	}
	p.createErr = err
	return err
}

// registerCreateLead registers the CreateLead Update, which answers once the lead of the process's start is
// recorded. Like every Update of a deal it returns the request's record.
func registerCreateLead(ctx workflow.Context, p *process, name string) error {
	return workflow.SetUpdateHandler(ctx, name, func(ctx workflow.Context, _ Request) (store.Request, error) {
		if err := workflow.Await(ctx, func() bool { return p.created != nil || p.createErr != nil }); err != nil {
			return store.Request{}, err
		}
		if p.createErr != nil {
			return store.Request{}, p.createErr
		}
		return *p.created, nil
	})
}

// system records the engine's own change when a deadline passes, under the lock, unless its command no longer
// applies by then (the deal moved on).
func (p *process) system(ctx workflow.Context, d ltc.Deadline) error {
	if err := p.mu.Lock(ctx); err != nil {
		return err
	}
	defer p.mu.Unlock()
	method := "Deadline"
	if p.deal.Opportunity == nil {
		method = "LeadOverdue"
	}
	r := Request{ID: d.Key}
	for {
		before := p.deal
		c, err := ltc.Run(d.Command, before, ltc.Context{Actor: systemActor, Now: p.now(ctx), Policy: p.policy})
		if err != nil {
			return nil
		}
		written, err := p.write(ctx, requestRecord(r, method, c.Deal.ID(), result(before, c)), before, c)
		if err != nil {
			return err
		}
		if written {
			p.take(c, "")
			return nil
		}
	}
}

// systemActor is who the engine is when it makes a change by itself.
var systemActor = ltc.Actor{ID: ltc.SystemPerson.ID, Name: ltc.SystemPerson.Name}

// run waits for changes and deadlines until the deal's process has nothing left to do. A deal lives for months:
// when Temporal suggests it, the process continues as new (again) with its state, once no Update is in flight.
// The timer of the earliest deadline is kept across changes that leave that deadline where it was, so an ordinary
// change costs no timer.
func (p *process) run(ctx workflow.Context, again func() error) error {
	var t alarmTimer
	for !p.deal.Ended() {
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			return again()
		}
		rev := p.rev
		changed := func() bool { return p.rev != rev }
		d, ok := p.deal.NextDeadline(p.policy)
		due, err := t.until(ctx, d.Due, ok, changed)
		if err != nil {
			return err
		}
		if !due {
			continue
		}
		if err := p.system(ctx, d); err != nil {
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

// until waits for the deadline due (none when ok is false) or a change (changed), whichever comes first, and
// reports whether the deadline is due.
func (t *alarmTimer) until(ctx workflow.Context, due time.Time, ok bool, changed func() bool) (bool, error) {
	if !ok {
		t.stop()
		return false, workflow.Await(ctx, changed)
	}
	if wait := due.Sub(workflow.Now(ctx)); wait > 0 {
		t.arm(ctx, due, wait)
		if err := workflow.Await(ctx, func() bool { return changed() || t.fired() }); err != nil {
			return false, err
		}
		if changed() {
			return false, nil
		}
		t.stop()
	}
	return true, nil
}

// stop cancels the timer, if one runs.
func (t *alarmTimer) stop() {
	if t.timer != nil {
		t.cancel()
		t.timer, t.cancel = nil, nil
	}
}
