package ltc

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// MaxDelegation is the longest period a delegation lasts.
const MaxDelegation = 90 * 24 * time.Hour

// MaxDelegationAhead is how far ahead a delegation may start: nobody plants authority for years to come.
const MaxDelegationAhead = 30 * 24 * time.Hour

// startSkew is how far in the past a delegation's start may lie and still mean "now" (the caller's clock).
const startSkew = time.Minute

// Delegation hands a person's pending decisions and reviews to a deputy for a period, for some gates (none: every
// gate). Delegator is the delegator as their token carried them when the delegation was set (id, name, roles,
// authority, unit, functions): the deputy decides and reviews with that authority, scope and those functions,
// whatever their own. The delegation is in force from Start (inclusive) to End (exclusive), unless revoked before;
// it ends by itself at End: every use is checked against the time of the command that uses it, so no timer runs.
type Delegation struct {
	ID        string     `json:"id"`
	Delegator Actor      `json:"delegator"`
	Deputy    Person     `json:"deputy"`
	Start     time.Time  `json:"start"`
	End       time.Time  `json:"end"`
	Gates     []Gate     `json:"gates,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	CreatedBy Person     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// delegationIDSpace derives a delegation's id from the request that set it, so a retried request finds it.
var delegationIDSpace = uuid.MustParse("5b0f1c7e-2d4a-4e8b-9a63-1f7c3e8d2a94")

// DelegationID is the id of the delegation set by the request.
func DelegationID(requestID string) string {
	return uuid.NewSHA1(delegationIDSpace, []byte(requestID)).String()
}

// InForce reports whether the delegation holds at t: within its period and not revoked by then.
func (dl Delegation) InForce(t time.Time) bool {
	return !t.Before(dl.Start) && t.Before(dl.End) && (dl.RevokedAt == nil || t.Before(*dl.RevokedAt))
}

// Covers reports whether the delegation hands over decisions and reviews of the gate.
func (dl Delegation) Covers(g Gate) bool { return len(dl.Gates) == 0 || slices.Contains(dl.Gates, g) }

// DelegatesDecisions reports whether the person may delegate: someone who decides or reviews gates (an executive,
// a sales manager, a reviewer of a function).
func DelegatesDecisions(a Actor) bool {
	_, _, reviews := ReviewReach(a)
	_, executive := a.ExecutiveScope()
	return executive || a.Has(RoleSalesManager) || reviews
}

// CanDelegate checks a delegation to be set now by the actor: the delegator decides or reviews gates, the deputy is
// another person, the gates are known and the period ends in the future, after its start, within MaxDelegation.
// A start before now (within a minute, a client's clock) means now; the returned delegation holds the period.
func CanDelegate(a Actor, dl Delegation, now time.Time) (Delegation, error) {
	if !DelegatesDecisions(dl.Delegator) {
		return dl, PermissionDenied("delegating needs someone who decides or reviews gates (an executive, a sales_manager or a reviewer with functions); %s is none", dl.Delegator.ID)
	}
	if dl.Delegator.ID != a.ID && !a.Has(RoleAdmin) {
		return dl, PermissionDenied("only an admin sets a delegation for another person")
	}
	if dl.Deputy.ID == "" || dl.Deputy.ID == dl.Delegator.ID {
		return dl, Invalid("deputy: the deputy is another person than the delegator")
	}
	if dl.Delegator.ID != a.ID && dl.Deputy.ID == a.ID {
		return dl, PermissionDenied("an admin who sets a delegation for another person may not name themselves its deputy")
	}
	for _, g := range dl.Gates {
		if _, ok := gateRules[g]; !ok && g != GateReopen && !contractGate(g) {
			return dl, Invalid("gates: unknown gate %q", g)
		}
	}
	dl.Delegator.Roles = slices.DeleteFunc(slices.Clone(dl.Delegator.Roles), func(r Role) bool {
		return r != RoleExecutive && r != RoleSalesManager && r != RoleReviewer
	}) // the deputy acts with the rights to decide and review, never with others (admin, system)
	dl.Delegator.Scopes = nil
	if dl.Start.IsZero() || (dl.Start.Before(now) && now.Sub(dl.Start) <= startSkew) {
		dl.Start = now
	}
	switch {
	case dl.Start.Before(now):
		return dl, Invalid("start_time: %s is in the past; leave it empty to start now", dl.Start.Format(time.RFC3339))
	case !dl.End.After(now):
		return dl, Invalid("end_time: the period ends in the future, not %s", dl.End.Format(time.RFC3339))
	case !dl.End.After(dl.Start):
		return dl, Invalid("end_time: the period ends after it starts")
	case dl.End.Sub(dl.Start) > MaxDelegation:
		return dl, Invalid("end_time: a delegation lasts at most 90 days, not %s", dl.End.Sub(dl.Start).Round(time.Hour))
	case dl.Start.Sub(now) > MaxDelegationAhead:
		return dl, Invalid("start_time: a delegation starts within 30 days, not on %s", dl.Start.Format(time.RFC3339))
	}
	return dl, nil
}

// CanRevokeDelegation checks that the actor may end the delegation now: its delegator or an admin, while it has not
// ended.
func CanRevokeDelegation(a Actor, dl Delegation, now time.Time) error {
	if dl.Delegator.ID != a.ID && !a.Has(RoleAdmin) {
		return PermissionDenied("only the delegator (%s) or an admin revokes delegation %s", dl.Delegator.ID, dl.ID)
	}
	if dl.RevokedAt != nil || !now.Before(dl.End) {
		return dl.precondition("it has already ended")
	}
	return nil
}

// actingFor checks that the actor may act on the decision as the deputy of the delegation at now: the delegation
// is theirs, in force and covers the decision's gate, and the actor is independent of the deal as the delegator
// must be (separation of duties applies to both people). What the delegator may do is checked apart, on the
// delegator's snapshot.
func (dl Delegation) actingFor(a Actor, o Opportunity, decisionID string, now time.Time, what string) error {
	if dl.Deputy.ID != a.ID || dl.Delegator.ID == a.ID {
		return PermissionDenied("delegation %s names %s as deputy, not you", dl.ID, dl.Deputy.ID)
	}
	if a.Has(RoleAdmin) || a.Has(RoleSystem) {
		return PermissionDenied("an admin or a system never decides or reviews gates, not even as a deputy")
	}
	if !dl.InForce(now) {
		return PermissionDenied("delegation %s from %s is not in force (%s to %s%s)", dl.ID, dl.Delegator.ID,
			dl.Start.Format(time.RFC3339), dl.End.Format(time.RFC3339), revoked(dl.RevokedAt))
	}
	d, ok := o.Decision(decisionID)
	if !ok {
		return nil // the delegator's check says it is not found
	}
	if !dl.Covers(d.Gate) {
		return PermissionDenied("delegation %s from %s does not cover the %s gate", dl.ID, dl.Delegator.ID, d.Gate)
	}
	if o.governed() {
		return independent(a, o, d, what+" on behalf of "+dl.Delegator.ID)
	}
	return nil
}

// precondition refuses a change of the delegation in the state it is in.
func (dl Delegation) precondition(format string, args ...any) error {
	return FailedPrecondition("delegation %s from %s to %s (%s to %s%s): "+format,
		append([]any{dl.ID, dl.Delegator.ID, dl.Deputy.ID, dl.Start.Format(time.RFC3339), dl.End.Format(time.RFC3339), revoked(dl.RevokedAt)}, args...)...)
}

func revoked(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ", revoked " + t.Format(time.RFC3339)
}

// CanDecideFor checks that the deputy may take the ruling on the decision on the delegator's behalf: the
// delegation holds (actingFor) and the delegator, as the delegation recorded them, may take it (CanDecide).
func CanDecideFor(a Actor, dl Delegation, o Opportunity, decisionID string, r Ruling, now time.Time) error {
	if err := dl.actingFor(a, o, decisionID, now, "deciding"); err != nil {
		return err
	}
	return CanDecide(dl.Delegator, o, decisionID, r)
}

// CanReviewFor checks that the deputy may submit the review on the delegator's behalf: the delegation holds
// (actingFor) and the delegator, as the delegation recorded them, may submit it (CanReview).
func CanReviewFor(a Actor, dl Delegation, o Opportunity, decisionID string, f ReviewFunction, now time.Time) error {
	if err := dl.actingFor(a, o, decisionID, now, "reviewing"); err != nil {
		return err
	}
	return CanReview(dl.Delegator, o, decisionID, f)
}

// DecideFor returns the deal after the deputy's ruling on the delegator's behalf: as the delegator's ruling
// (their authority; the sponsor of an approved INITIATION is the delegator), decided by the deputy on behalf of
// the delegator.
func (o Opportunity) DecideFor(decisionID string, r Ruling, deputy Person, dl Delegation, now time.Time, p Policy) (Opportunity, Decision) {
	next, d := o.Decide(decisionID, r, dl.Delegator, now, p)
	on := dl.Delegator.Person()
	d.DecidedBy, d.OnBehalfOf = &deputy, &on
	return next.withDecision(d), d
}

// applyFor records a deputy's ruling on the delegator's behalf.
func (cmd Decide) applyFor(d Deal, c Context) (Change, error) {
	dl := *cmd.OnBehalf
	o, err := d.opportunity()
	if err == nil {
		err = CanDecideFor(c.Actor, dl, o, cmd.DecisionID, cmd.ruling(), c.Now)
	}
	if err != nil {
		return Change{}, err
	}
	next, decision := o.DecideFor(cmd.DecisionID, cmd.ruling(), c.Actor.Person(), dl, c.Now, c.Policy)
	return c.executed(o, c.reopened(o, c.change(d, next, &decision, EventDecisionDecided, decision,
		UserRecipient(decision.RequestedBy.ID), UserRecipient(dl.Delegator.ID)))), nil
}

// applyFor records a deputy's review on the delegator's behalf.
func (cmd SubmitReview) applyFor(d Deal, c Context) (Change, error) {
	dl := *cmd.OnBehalf
	o, err := d.opportunity()
	if err == nil {
		err = CanReviewFor(c.Actor, dl, o, cmd.DecisionID, cmd.Function, c.Now)
	}
	if err != nil {
		return Change{}, err
	}
	on := dl.Delegator.Person()
	r := Review{Function: cmd.Function, Result: cmd.Result, Comments: cmd.Comments, Reviewer: c.Actor.Person(),
		OnBehalfOf: &on, SubmittedAt: c.Now}
	next, decision := o.SubmitReview(cmd.DecisionID, r)
	return c.change(d, next, &decision, EventReviewSubmitted, ReviewDetails{DecisionID: decision.ID, Review: r},
		UserRecipient(decision.RequestedBy.ID), UserRecipient(dl.Delegator.ID)), nil
}
