package ltc

import (
	"slices"
	"strings"
	"time"
)

// GateReopen is the gate that brings a deal closed without a win back to an open stage.
const GateReopen Gate = "REOPEN"

// DefaultReopenWindow is how long after its close a deal may be reopened when the policy does not say.
const DefaultReopenWindow = 180 * 24 * time.Hour

func (p Policy) reopenWindow() time.Duration {
	if p.ReopenWindow > 0 {
		return time.Duration(p.ReopenWindow)
	}
	return DefaultReopenWindow
}

// ReopenOutcomes are the outcomes a deal may be reopened from; a WON deal is never reopened.
var ReopenOutcomes = []Outcome{OutcomeLost, OutcomeNoBid, OutcomeNotPursued, OutcomeCancelled, OutcomeAbandoned}

// ReopenStages are the stages a reopened deal may return to.
var ReopenStages = []Stage{StageValidation, StagePursuit, StageNegotiation}

// ReopenPackage is what the REOPEN gate decides on: the stage the deal returns to, and why.
type ReopenPackage struct {
	Stage     Stage  `json:"stage"`
	Rationale string `json:"rationale"`
}

// Reopening is a close that a REOPEN approval undid, as it was: the deal's history keeps it.
type Reopening struct {
	DecisionID     string          `json:"decision_id"`
	Outcome        Outcome         `json:"outcome"`
	CloseReason    string          `json:"close_reason,omitempty"`
	ClosedAt       *time.Time      `json:"closed_at,omitempty"`
	Summary        *ProjectSummary `json:"summary,omitempty"`
	SummaryDueAt   *time.Time      `json:"summary_due_at,omitempty"`
	SummaryOverdue bool            `json:"summary_overdue,omitempty"`
	Stage          Stage           `json:"stage"`
	ReopenedAt     time.Time       `json:"reopened_at"`
}

// ReopenDetails: opportunity.reopened.
type ReopenDetails struct {
	DecisionID string    `json:"decision_id"`
	Reopening  Reopening `json:"reopening"`
}

// CanRequestReopen checks that the actor may ask to reopen the deal now: its owner (AR) or a sales manager of its
// unit (or an admin), for a deal closed LOST, NO_BID, NOT_PURSUED, CANCELLED or ABANDONED within the policy's
// reopen window, with no pending decision, to a stage the deal can work from again.
func CanRequestReopen(a Actor, o Opportunity, pkg Package, p Policy, now time.Time) error {
	r := pkg.Reopen
	if r == nil {
		return Invalid("a REOPEN request needs the reopen package")
	}
	if !slices.Contains(ReopenStages, r.Stage) {
		return Invalid("a reopened deal returns to VALIDATION, PURSUIT or NEGOTIATION, not %q", r.Stage)
	}
	if strings.TrimSpace(r.Rationale) == "" {
		return Invalid("a REOPEN request needs a rationale")
	}
	if !o.owns(a) && !o.managedBy(a) {
		return PermissionDenied("requesting REOPEN on deal %s needs its AR (owner) or the sales_manager role for %s", o.ID, o.Unit)
	}
	if o.Open() {
		return o.precondition("only a closed deal is reopened")
	}
	if !slices.Contains(ReopenOutcomes, o.Outcome) {
		return o.precondition("a deal closed %s is not reopened", o.Outcome)
	}
	if d, ok := o.Pending(); ok {
		return o.precondition("the deal is held with a pending %s decision (%s); decide or withdraw it first", d.Gate, d.ID)
	}
	if err := o.unsigned("reopening the deal"); err != nil {
		return err
	}
	if o.ClosedAt == nil {
		return o.precondition("the deal has no close time, so its reopen window cannot be known")
	}
	if until := o.ClosedAt.Add(p.reopenWindow()); now.After(until) {
		return o.precondition("the policy's reopen window of %s after the close ended at %s", p.reopenWindow(), until.UTC().Format(time.RFC3339))
	}
	switch {
	case r.Stage != StageValidation && len(o.Team) == 0:
		return o.precondition("returning to %s needs a team (INITIATION approved and the team appointed); reopen to VALIDATION", r.Stage)
	case r.Stage == StageNegotiation && o.ApprovedBidPrice == nil:
		return o.precondition("returning to NEGOTIATION needs an approved ATB; reopen to PURSUIT or VALIDATION")
	}
	return nil
}

// requestReopen returns the deal, still closed, with the REOPEN decision the request opens: at the authority and
// SLA of the deal's level (the policy's level for its value and grade when INITIATION never fixed one), with no
// professional reviews.
func (o Opportunity) requestReopen(id string, pkg Package, p Policy, by Person, now time.Time) (Opportunity, Decision) {
	level := o.Level
	if level == "" {
		level = p.LevelFor(o.EstimatedValue, o.Customer.Grade)
	}
	lp := p.Levels[level]
	d := Decision{
		ID: id, OpportunityID: o.ID, DealTitle: o.Title, Gate: GateReopen, Status: DecisionPending, Package: Package{Reopen: pkg.Reopen},
		Level: level, ProposedLevel: level, RequiredAuthority: lp.Authority, Authority: lp.Authority,
		SLA: lp.DecisionSLA, DueAt: now.Add(time.Duration(lp.DecisionSLA)),
		RequestedBy: by, RequestedAt: now, StageBefore: o.Stage,
	}
	o = o.withDecision(d)
	o.UpdatedAt = now
	return o, d
}

// reopenRequest is RequestDecision's Apply for GateReopen.
func (cmd RequestDecision) reopenRequest(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanRequestReopen(c.Actor, o, cmd.Package, c.Policy, c.Now)
	}
	if err != nil {
		return Change{}, err
	}
	next, decision := o.requestReopen(DecisionID(c.RequestID), cmd.Package, c.Policy, c.Actor.Person(), c.Now)
	return c.change(d, next, &decision, EventDecisionRequested, decision, decision.Deciders()...), nil
}

// decideReopen is Decide for a REOPEN decision: an approval returns the deal to the package's stage, the close it
// undoes kept in Reopenings; a rejection or a return leaves it closed as it was.
func (o Opportunity) decideReopen(d Decision, r Ruling, by Actor, now time.Time, p Policy) (Opportunity, Decision) {
	d = d.ruled(r, by, now)
	if d.approved() {
		o = o.reopen(d, now, p)
	}
	o = o.withDecision(d)
	o.UpdatedAt = now
	return o, d
}

// reopen returns the closed deal in the stage the approved decision names. Its outcome, close reason, close time
// and the summary obligation of that close go into Reopenings (the approval waives the summary the close owed; the
// next close owes one for the whole deal). Weekly reporting resumes in PURSUIT and NEGOTIATION with the period
// after the last one reported or checked.
func (o Opportunity) reopen(d Decision, now time.Time, p Policy) Opportunity {
	stage := d.Package.Reopen.Stage
	o.Reopenings = append(slices.Clone(o.Reopenings), Reopening{
		DecisionID: d.ID, Outcome: o.Outcome, CloseReason: o.CloseReason, ClosedAt: o.ClosedAt, Summary: o.Summary,
		SummaryDueAt: o.SummaryDueAt, SummaryOverdue: o.SummaryOverdue, Stage: stage, ReopenedAt: now,
	})
	o.Stage, o.Outcome, o.CloseReason, o.ClosedAt = stage, "", "", nil
	o.Summary, o.SummaryDueAt, o.SummaryOverdue = nil, nil, false
	if stage == StagePursuit || stage == StageNegotiation {
		o = o.startCadence(now, p)
	}
	return o
}

// resume is the deal's weekly reporting resumed at now: its next period, after the last one reported or
// checked, starts now, so periods keep their numbers and reports theirs.
func (c Cadence) resume(now time.Time, p Policy) Cadence {
	next := c.Checked
	for _, r := range c.Reports {
		next = max(next, r.Period+1)
	}
	c.Start = now.Add(-time.Duration(next) * p.reportPeriod())
	c.Checked = next
	c.NextDueAt = c.end(next, p)
	return c
}

// reportingStage reports whether weekly reporting runs in the stage: from PURSUIT on. A deal reopened to
// VALIDATION keeps its cadence, paused until it is in PURSUIT again.
func reportingStage(s Stage) bool {
	return s != StageValidation && s != StageInitiationReview && s != StageTeamFormation
}

// reopened is the opportunity.reopened event after an approved REOPEN decision, added to the change of the
// decision; the owner and the unit's sales managers are told.
func (c Context) reopened(o Opportunity, ch Change) Change {
	next := *ch.Deal.Opportunity
	if o.Open() || !next.Open() || len(next.Reopenings) == 0 {
		return ch
	}
	r := next.Reopenings[len(next.Reopenings)-1]
	ch.Events = append(ch.Events, c.dealEvent(o, next, EventOpportunityReopened, c.Actor.Person(),
		ReopenDetails{DecisionID: r.DecisionID, Reopening: r}, UserRecipient(next.Owner.ID), RoleRecipient(RoleSalesManager)))
	return ch
}
