package ltc_test

// Attacks found by reviewing delegation, reassignment and REOPEN as an adversary would, each refused.

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// The executive who owns a deal (its AR) may not reassign it away to decide its pending gate, nor pick the
// reviewer of a gate he requested: whoever reassigns stands apart from the deal.
func TestAnOwnerMayNotReassignHisWayAroundTheSeparationOfDuties(t *testing.T) {
	boss := ltc.Actor{ID: "boss", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3}
	o := withRisk(pursuit())
	d := ltc.Deal{Lead: ltc.Lead{ID: o.ID, State: ltc.LeadQualified}, Opportunity: &o}
	d = apply(t, d, manager, t0, ltc.ReassignOwner{Owner: boss.Person(), Reason: "big customer"}, "own").Deal
	ch := apply(t, d, boss, t0, ltc.RequestDecision{Gate: ltc.GateATB, Package: bidPkg}, "atb")
	require.Equal(t, ltc.KindPermission, kindOf(ch.Deal, boss, t0, ltc.ReassignOwner{Owner: owner.Person(), Reason: "handing over"}),
		"the owner hands the deal away")
	f := ch.Decision.RequiredReviews[0]
	require.Equal(t, ltc.KindPermission, kindOf(ch.Deal, boss, t0, ltc.ReassignReview{DecisionID: ch.Decision.ID, Function: f,
		Reviewer: ltc.Person{ID: "friendly-reviewer"}, Reason: "x"}), "the owner picks his gate's reviewer")
}

// A reviewer whose review her deputy submitted is not made the deal's owner, as she would not be had she reviewed.
func TestAnOwnerWhoReviewedThroughADeputyIsRefused(t *testing.T) {
	o := withRisk(pursuit())
	d := ltc.Deal{Lead: ltc.Lead{ID: o.ID, State: ltc.LeadQualified}, Opportunity: &o}
	ch := apply(t, d, owner, t0, ltc.RequestDecision{Gate: ltc.GateATB, Package: bidPkg}, "atb")
	dec := *ch.Decision
	f := dec.RequiredReviews[0]
	fiona := ltc.Actor{ID: "fiona", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{f}}
	dan := ltc.Actor{ID: "dan"}
	dl := ltc.Delegation{ID: "DL", Delegator: fiona, Deputy: dan.Person(), Start: t0, End: t0.Add(24 * time.Hour)}
	d = apply(t, ch.Deal, dan, t0, ltc.SubmitReview{DecisionID: dec.ID, Function: f, Result: ltc.ReviewPass, OnBehalf: &dl}, "rv").Deal
	require.Equal(t, ltc.KindPrecondition, kindOf(d, manager, t0, ltc.ReassignOwner{Owner: fiona.Person(), Reason: "x"}))
}

// A deputy's approval of REOPEN records the reopening as the delegator's would.
func TestADeputysReopenIsRecorded(t *testing.T) {
	d := lostDeal(t)
	at := t0.Add(24 * time.Hour)
	ch := apply(t, d, owner, at, reopenTo(ltc.StageValidation), "reopen")
	dep := ltc.Actor{ID: "dep"}
	dl := ltc.Delegation{ID: "DL", Delegator: exec1, Deputy: dep.Person(), Start: t0, End: t0.Add(48 * time.Hour)}
	ch = apply(t, ch.Deal, dep, at, ltc.Decide{DecisionID: ch.Decision.ID, Verdict: ltc.VerdictApprove, Rationale: "ok", OnBehalf: &dl}, "yes")
	require.Equal(t, ltc.StageValidation, ch.Deal.Opportunity.Stage, "reopened")
	require.True(t, slices.ContainsFunc(ch.Events, func(e ltc.Event) bool { return e.Type == ltc.EventOpportunityReopened }))
}

// REOPEN keeps the separation of duties and leaves admins out even on a deal recorded before the rules.
func TestReopenOfADealBeforeTheRulesKeepsThem(t *testing.T) {
	d := lostDeal(t)
	o := *d.Opportunity
	o.Rules = 0
	boss := ltc.Actor{ID: "sam", Roles: []ltc.Role{ltc.RoleExecutive, ltc.RoleSales}, Authority: 3} // the owner is an executive
	d.Opportunity = &o
	at := t0.Add(24 * time.Hour)
	ch := apply(t, d, boss, at, reopenTo(ltc.StageValidation), "reopen")
	approve := ltc.Decide{DecisionID: ch.Decision.ID, Verdict: ltc.VerdictApprove, Rationale: "mine"}
	require.Equal(t, ltc.KindPermission, kindOf(ch.Deal, boss, at, approve), "the owner and requester approves his own REOPEN")
	admin := ltc.Actor{ID: "root", Roles: []ltc.Role{ltc.RoleAdmin}}
	require.Equal(t, ltc.KindPermission, kindOf(ch.Deal, admin, at, approve), "an admin decides a gate")
}

// A delegation hands over the rights to decide and review only; an admin never takes gates, not even as the
// deputy of a delegation an admin set; REOPEN may be delegated alone; nobody plants authority years ahead.
func TestWhatADelegationHandsOver(t *testing.T) {
	mgrAdmin := ltc.Actor{ID: "ma", Roles: []ltc.Role{ltc.RoleSalesManager, ltc.RoleAdmin}}
	dl, err := ltc.CanDelegate(mgrAdmin, ltc.Delegation{Delegator: mgrAdmin, Deputy: ltc.Person{ID: "dep"}, End: t0.Add(time.Hour)}, t0)
	require.NoError(t, err)
	require.Equal(t, []ltc.Role{ltc.RoleSalesManager}, dl.Delegator.Roles)

	root := ltc.Actor{ID: "root", Roles: []ltc.Role{ltc.RoleAdmin}}
	_, err = ltc.CanDelegate(root, ltc.Delegation{Delegator: exec3, Deputy: root.Person(), End: t0.Add(time.Hour)}, t0)
	require.Equal(t, ltc.KindPermission, ltc.KindOf(err), "an admin names himself the deputy of an executive")

	_, err = ltc.CanDelegate(exec1, ltc.Delegation{Delegator: exec1, Deputy: ltc.Person{ID: "dep"}, End: t0.Add(time.Hour),
		Gates: []ltc.Gate{ltc.GateReopen}}, t0)
	require.NoError(t, err)

	start := t0.Add(5 * 365 * 24 * time.Hour)
	_, err = ltc.CanDelegate(exec3, ltc.Delegation{Delegator: exec3, Deputy: ltc.Person{ID: "friend"}, Start: start,
		End: start.Add(ltc.MaxDelegation)}, t0)
	require.Equal(t, ltc.KindInvalid, ltc.KindOf(err))
}
