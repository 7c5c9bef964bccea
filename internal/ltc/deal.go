package ltc

import (
	"time"
)

// Deal is one deal from lead to the end, as its process holds it: the lead, and from its qualification on the
// opportunity made from it (both keep one id).
type Deal struct {
	Lead        Lead         `json:"lead"`
	Opportunity *Opportunity `json:"opportunity,omitempty"`
}

// Command is a change someone asks of a deal. Each command type is one change of the process (AddRisk, Decide,
// SubmitBid, ...), grouped in this package's files by topic.
type Command interface {
	// Apply applies the rules: the change the command makes to the deal now, or why it may not. It is pure, so the
	// process can ask it before accepting a request and again, under its lock, before recording it.
	Apply(d Deal, c Context) (Change, error)
}

// Context is what a command is applied in: who asks, when, under which policy, and the id of their request, from
// which the ids of what the command creates (a decision, a risk, a meeting) are derived.
type Context struct {
	Actor     Actor
	Now       time.Time
	Policy    Policy
	RequestID string
	// Rules is the rules version a deal qualified now starts under; 0 is the newest (RulesExecution). A process
	// recorded before the newest rules passes the version before them, so its history replays.
	Rules int
}

// Change is what an accepted command does: the deal after it, the decision it touched, and the events it
// produces, each naming who is to be notified.
type Change struct {
	Deal     Deal
	Decision *Decision
	Events   []Event
	// Content is what the change adds that the rules do not need (a meeting's conclusions, a weekly report's text):
	// the read model keeps it beside the deal, the process does not (see Limits).
	Content []Content
}

// Content is an item of a deal that only its readers need, kept in the read model and out of the process's state.
type Content struct {
	Kind ContentKind `json:"kind"`
	// Key orders the items of a kind within the deal and identifies each.
	Key  string `json:"key"`
	Item any    `json:"item"`
}

// ContentKind names a kind of content.
type ContentKind string

// Kinds of content.
const (
	ContentMeeting      ContentKind = "meeting"
	ContentWeeklyReport ContentKind = "weekly_report"
	ContentRisk         ContentKind = "risk"
)

// Ended reports whether the deal's process has nothing left to do: the lead was disqualified, or the deal is
// closed with its project summary in (and, under RulesExecution, its contract closed: a deal in EXECUTION runs on).
func (d Deal) Ended() bool {
	if d.Opportunity == nil {
		return d.Lead.State == LeadDisqualified
	}
	_, pending := d.Opportunity.Pending() // a REOPEN decision of a deal closed with its summary in
	return d.Opportunity.Summary != nil && !pending && d.Opportunity.Stage != StageExecution
}

// ID is the deal's id, which its lead and its opportunity share.
func (d Deal) ID() string {
	if d.Opportunity != nil {
		return d.Opportunity.ID
	}
	return d.Lead.ID
}

// opportunity is the deal's opportunity, or a refusal while the deal is still a lead: there is no deal of that id
// yet, as there is none to read.
func (d Deal) opportunity() (Opportunity, error) {
	if d.Opportunity == nil {
		return Opportunity{}, NotFound("deal %s not found: it is a lead (%s), qualified into a deal first", d.Lead.ID, d.Lead.State)
	}
	return *d.Opportunity, nil
}

// change is the change of the deal's opportunity to next, with one event of type typ carrying data (none if typ
// is empty), and the opportunity.closed event when next closed the deal. The events are the actor's.
func (c Context) change(d Deal, next Opportunity, decision *Decision, typ string, data any, recipients ...string) Change {
	return c.changeBy(c.Actor.Person(), d, next, decision, typ, data, recipients...)
}

// changeBy is change with the events made by actor (the engine itself, for a deadline).
func (c Context) changeBy(actor Person, d Deal, next Opportunity, decision *Decision, typ string, data any, recipients ...string) Change {
	o := *d.Opportunity
	ch := Change{Deal: Deal{Lead: d.Lead, Opportunity: &next}, Decision: decision}
	if typ != "" {
		ch.Events = append(ch.Events, c.dealEvent(o, next, typ, actor, data, recipients...))
	}
	if o.Open() && !next.Open() {
		ch.Events = append(ch.Events, c.dealEvent(o, next, EventOpportunityClosed, actor,
			CloseDetails{Outcome: next.Outcome, Reason: next.CloseReason}, UserRecipient(next.Owner.ID)))
	}
	return ch
}

// dealEvent is an event of the change from o to next, addressed within the deal's unit.
func (c Context) dealEvent(o, next Opportunity, typ string, actor Person, data any, recipients ...string) Event {
	return Event{
		DealID: next.ID, Type: typ, Actor: actor, RequestID: c.RequestID,
		StageBefore: string(o.Stage), StageAfter: string(next.Stage), Recipients: InUnit(recipients, next.Unit),
		Data: EventData(data), OccurredAt: next.UpdatedAt,
	}
}

// leadEvent is an event of the change of the lead from l to next.
func (c Context) leadEvent(l, next Lead, typ string, actor Person, data any, recipients ...string) Event {
	e := Event{
		DealID: next.ID, Type: typ, Actor: actor, RequestID: c.RequestID,
		StageBefore: string(l.State), StageAfter: string(next.State),
		Data: EventData(data), OccurredAt: next.UpdatedAt,
	}
	if len(recipients) > 0 {
		e.Recipients = InUnit(recipients, next.Unit)
	}
	return e
}
