package ltc

import (
	"slices"
	"strings"
	"time"
)

// ReassignDetails: lead.reassigned and opportunity.owner_reassigned (the team before and after for a deal with a
// team, whose AR is its owner).
type ReassignDetails struct {
	Before     Person `json:"before"`
	After      Person `json:"after"`
	Reason     string `json:"reason"`
	TeamBefore Team   `json:"team_before,omitempty"`
	TeamAfter  Team   `json:"team_after,omitempty"`
}

// ReviewAssignment names the reviewer who owes a function's review of a decision: a manager's reassignment. Only
// that reviewer may then submit it, and it is in their inbox rather than every reviewer's of the function.
type ReviewAssignment struct {
	Function   ReviewFunction `json:"function"`
	Reviewer   Person         `json:"reviewer"`
	AssignedBy Person         `json:"assigned_by"`
	Reason     string         `json:"reason"`
	AssignedAt time.Time      `json:"assigned_at"`
}

// ReviewReassignDetails: decision.review_reassigned; Before is the reviewer it was assigned to, if any.
type ReviewReassignDetails struct {
	DecisionID string           `json:"decision_id"`
	Assignment ReviewAssignment `json:"assignment"`
	Before     *Person          `json:"before,omitempty"`
}

// Assignee is the reviewer the function's review of the decision is assigned to, if a manager named one.
func (d Decision) Assignee(f ReviewFunction) (Person, bool) {
	for i := len(d.Assignments) - 1; i >= 0; i-- {
		if d.Assignments[i].Function == f {
			return d.Assignments[i].Reviewer, true
		}
	}
	return Person{}, false
}

// AssignedReviews are the missing reviews assigned to a named reviewer, and those reviewers, for the inbox.
func (d Decision) AssignedReviews() (functions []ReviewFunction, reviewers []string) {
	for _, f := range d.MissingReviews() {
		if p, ok := d.Assignee(f); ok {
			functions = append(functions, f)
			reviewers = append(reviewers, p.ID)
		}
	}
	return functions, distinct(reviewers)
}

// assignedTo checks that the function's review of the decision, if assigned, is the actor's.
func (d Decision) assignedTo(a Actor, f ReviewFunction) error {
	if p, ok := d.Assignee(f); ok && p.ID != a.ID {
		return PermissionDenied("the %s review of decision %s is assigned to %s", f, d.ID, p.ID)
	}
	return nil
}

// canReassign checks that the actor may reassign something of the unit: a sales manager of a unit holding it, an
// executive whose scope holds it, or an admin.
func canReassign(a Actor, u Unit, what string) error {
	if !a.Manages(u) && !a.ExecutiveOver(u) && !a.Has(RoleAdmin) {
		return PermissionDenied("reassigning %s needs the sales_manager role for %s or an executive whose scope holds it", what, u)
	}
	return nil
}

// reassignsIndependently checks that the actor stands apart from the deal they reassign on: neither its owner nor
// on its team, nor the requester of its pending decision. Otherwise an AR who is also an executive could hand the
// deal away to decide its gate, or pick the reviewer of the gate they asked for (separation of duties).
func reassignsIndependently(a Actor, o Opportunity) error {
	if slices.Contains(o.Members(), a.ID) {
		return PermissionDenied("you own deal %s or are on its team; reassigning on it is for someone independent of it (separation of duties)", o.ID)
	}
	if d, ok := o.Pending(); ok && d.RequestedBy.ID == a.ID {
		return PermissionDenied("you requested the pending %s %s of deal %s; reassigning on it is for someone independent of it (separation of duties)",
			d.Gate, d.ID, o.ID)
	}
	return nil
}

func reassignInput(p Person, reason string) error {
	if strings.TrimSpace(p.ID) == "" {
		return Invalid("the new person's id is required")
	}
	if strings.TrimSpace(reason) == "" {
		return Invalid("a reason is required")
	}
	return nil
}

// CanReassignLead checks that the actor may give the lead to the owner now: a NEW lead, by a sales manager of
// its unit, an executive in scope or an admin.
func CanReassignLead(a Actor, l Lead, owner Person, reason string) error {
	if err := reassignInput(owner, reason); err != nil {
		return err
	}
	if err := canReassign(a, l.Unit, "lead "+l.ID); err != nil {
		return err
	}
	if err := leadOpen(l, "reassigned (a qualified lead's deal changes owner with ReassignOwner)"); err != nil {
		return err
	}
	if l.Owner.ID == owner.ID {
		return Invalid("lead %s is owned by %s already; name someone else", l.ID, owner.ID)
	}
	return nil
}

// ReassignLead gives a NEW lead another owner, with a reason.
type ReassignLead struct {
	Owner  Person `json:"owner"`
	Reason string `json:"reason"`
}

// Apply reassigns the lead; the new and the former owner are told.
func (cmd ReassignLead) Apply(d Deal, c Context) (Change, error) {
	if err := CanReassignLead(c.Actor, d.Lead, cmd.Owner, cmd.Reason); err != nil {
		return Change{}, err
	}
	lead := d.Lead
	lead.Owner, lead.UpdatedAt = cmd.Owner, c.Now
	return Change{Deal: Deal{Lead: lead}, Events: []Event{
		c.leadEvent(d.Lead, lead, EventLeadReassigned, c.Actor.Person(),
			ReassignDetails{Before: d.Lead.Owner, After: cmd.Owner, Reason: cmd.Reason},
			UserRecipient(cmd.Owner.ID), UserRecipient(d.Lead.Owner.ID)),
	}}, nil
}

// CanReassignOwner checks that the actor may make owner the deal's owner (its AR) now: an open deal, by a sales
// manager of its unit, an executive in scope or an admin. The new owner must not have reviewed the pending
// decision (an owner never reviews its deal's gates), and the team with the new AR must still hold.
func CanReassignOwner(a Actor, o Opportunity, owner Person, reason string) error {
	if err := reassignInput(owner, reason); err != nil {
		return err
	}
	if err := canReassign(a, o.Unit, "the owner of deal "+o.ID); err != nil {
		return err
	}
	if err := reassignsIndependently(a, o); err != nil {
		return err
	}
	if err := o.worked(); err != nil {
		return err
	}
	if o.Owner.ID == owner.ID {
		return o.precondition("%s owns the deal already", owner.ID)
	}
	if d, ok := o.Pending(); ok {
		if slices.ContainsFunc(d.Reviews, func(r Review) bool {
			return r.Reviewer.ID == owner.ID || (r.OnBehalfOf != nil && r.OnBehalfOf.ID == owner.ID)
		}) {
			return o.precondition("%s reviewed the pending %s %s (or a deputy did for them), and an owner never reviews its deal's gates (separation of duties); decide or withdraw it first",
				owner.ID, d.Gate, d.ID)
		}
		for _, f := range d.MissingReviews() {
			if p, assigned := d.Assignee(f); assigned && p.ID == owner.ID {
				return o.precondition("%s is assigned the %s review of the pending %s %s, and an owner never reviews its deal's gates; assign the review to someone else first",
					owner.ID, f, d.Gate, d.ID)
			}
		}
	}
	if len(o.Team) > 0 {
		if err := o.withOwner(owner).Team.Validate(); err != nil {
			return o.precondition("the team with %s as AR does not hold: %v; change the team (AppointTeam) instead", owner.ID, err)
		}
	}
	return nil
}

// withOwner is the deal owned by p, who takes the AR's place in the team.
func (o Opportunity) withOwner(p Person) Opportunity {
	o.Owner = p
	if len(o.Team) > 0 {
		team := slices.Clone(o.Team)
		for i := range team {
			if team[i].Role == TeamAR {
				team[i].Person = p
			}
		}
		o.Team = team
	}
	return o
}

// ReassignOwner makes someone else the deal's owner: its AR, in the team too.
type ReassignOwner struct {
	Owner  Person `json:"owner"`
	Reason string `json:"reason"`
}

// Apply reassigns the deal; the new and the former owner are told.
func (cmd ReassignOwner) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanReassignOwner(c.Actor, o, cmd.Owner, cmd.Reason)
	}
	if err != nil {
		return Change{}, err
	}
	next := o.withOwner(cmd.Owner)
	next.UpdatedAt = c.Now
	return c.change(d, next, nil, EventOwnerReassigned, ReassignDetails{Before: o.Owner, After: cmd.Owner, Reason: cmd.Reason,
		TeamBefore: o.Team, TeamAfter: next.Team}, UserRecipient(cmd.Owner.ID), UserRecipient(o.Owner.ID)), nil
}

// CanReassignReview checks that the actor may name the reviewer who owes the function's review of the pending
// decision: a sales manager of the deal's unit, an executive in scope or an admin, for a review the decision asks
// for and has not had, to a reviewer independent of the deal (not its requester, owner or team).
func CanReassignReview(a Actor, o Opportunity, cmd ReassignReview) error {
	if err := reassignInput(cmd.Reviewer, cmd.Reason); err != nil {
		return err
	}
	if !slices.Contains(ReviewFunctions, cmd.Function) {
		return Invalid("unknown review function %q", cmd.Function)
	}
	if err := canReassign(a, o.Unit, "a review of deal "+o.ID); err != nil {
		return err
	}
	if err := reassignsIndependently(a, o); err != nil {
		return err
	}
	d, err := pendingDecision(o, cmd.DecisionID)
	if err != nil {
		return err
	}
	if !slices.Contains(d.MissingReviews(), cmd.Function) {
		return o.precondition("decision %s owes no %s review (missing: %s)", d.ID, cmd.Function, joinFunctions(d.MissingReviews()))
	}
	if p, ok := d.Assignee(cmd.Function); ok && p.ID == cmd.Reviewer.ID {
		return o.precondition("the %s review of decision %s is assigned to %s already", cmd.Function, d.ID, p.ID)
	}
	if err := independent(Actor{ID: cmd.Reviewer.ID}, o, d, "reviewing"); err != nil {
		return o.precondition("%s cannot review it: %v", cmd.Reviewer.ID, err)
	}
	return nil
}

// ReassignReview names the reviewer who owes a function's review of a pending decision.
type ReassignReview struct {
	DecisionID string         `json:"decision_id"`
	Function   ReviewFunction `json:"function"`
	Reviewer   Person         `json:"reviewer"`
	Reason     string         `json:"reason"`
}

// Apply assigns the review; the reviewer named and the one named before, if any, are told.
func (cmd ReassignReview) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanReassignReview(c.Actor, o, cmd)
	}
	if err != nil {
		return Change{}, err
	}
	dec, _ := o.Decision(cmd.DecisionID)
	details := ReviewReassignDetails{DecisionID: dec.ID, Assignment: ReviewAssignment{Function: cmd.Function, Reviewer: cmd.Reviewer,
		AssignedBy: c.Actor.Person(), Reason: cmd.Reason, AssignedAt: c.Now}}
	recipients := []string{UserRecipient(cmd.Reviewer.ID)}
	if p, ok := dec.Assignee(cmd.Function); ok {
		details.Before = &p
		recipients = append(recipients, UserRecipient(p.ID))
	}
	dec.Assignments = append(slices.Clone(dec.Assignments), details.Assignment)
	next := o.withDecision(dec)
	next.UpdatedAt = c.Now
	return c.change(d, next, &dec, EventReviewReassigned, details, recipients...), nil
}
