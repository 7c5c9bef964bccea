package ltc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// deputy is a sales manager of another office: no authority over German gates of their own.
var deputy = ltc.Actor{ID: "f-dan", Name: "Dan", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: "emea/france"}

func delegation(from ltc.Actor, gates ...ltc.Gate) ltc.Delegation {
	return ltc.Delegation{ID: "D1", Delegator: from, Deputy: deputy.Person(), Start: t0, End: t0.Add(7 * 24 * time.Hour), Gates: gates}
}

func TestADeputyDecidesWithTheDelegatorsAuthorityDuringThePeriod(t *testing.T) {
	o, d := initiationRequested(gSales, ltc.LevelB, eur(2_000_000), ltc.GradeB)
	approve := ltc.Ruling{Verdict: ltc.VerdictReturn, Rationale: "more detail"}
	require.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecide(deputy, o, d.ID, approve)), "not on their own")
	dl := delegation(emeaExec2)
	now := t0.Add(time.Hour)
	require.NoError(t, ltc.CanDecideFor(deputy, dl, o, d.ID, approve, now))

	ch, err := ltc.Run(ltc.Decide{DecisionID: d.ID, Verdict: approve.Verdict, Rationale: approve.Rationale, OnBehalf: &dl},
		ltc.Deal{Opportunity: &o}, ltc.Context{Actor: deputy, Now: now, Policy: ltc.DefaultPolicy(), RequestID: "r1"})
	require.NoError(t, err)
	assert.Equal(t, deputy.Person(), *ch.Decision.DecidedBy)
	assert.Equal(t, emeaExec2.Person(), *ch.Decision.OnBehalfOf)
	assert.Equal(t, 2, ch.Decision.DeciderAuthority)
	assert.Equal(t, deputy.ID, ch.Events[0].Actor.ID)
	assert.Contains(t, ch.Events[0].Recipients, "user:"+emeaExec2.ID)

	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecideFor(deputy, dl, o, d.ID, approve, dl.End)), "ends by itself")
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecideFor(deputy, dl, o, d.ID, approve, t0.Add(-time.Second))), "not before")
	revoked := now
	gone := dl
	gone.RevokedAt = &revoked
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecideFor(deputy, gone, o, d.ID, approve, now)), "revoked")
	assert.ErrorContains(t, ltc.CanDecideFor(deputy, delegation(emeaExec2, ltc.GateATB), o, d.ID, approve, now), "does not cover")
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecideFor(gManager, dl, o, d.ID, approve, now)), "someone else's delegation")
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecideFor(deputy, delegation(apacExec2), o, d.ID, approve, now)),
		"the delegator's scope does not hold the deal")
}

func TestSeparationOfDutiesBindsTheDeputyAndTheDelegator(t *testing.T) {
	o, d := initiationRequested(gSales, ltc.LevelB, eur(2_000_000), ltc.GradeB)
	ret := ltc.Ruling{Verdict: ltc.VerdictReturn, Rationale: "r"}
	now := t0.Add(time.Hour)
	// The deputy requested it.
	mine, md := initiationRequested(ltc.Actor{ID: deputy.ID}, ltc.LevelB, eur(2_000_000), ltc.GradeB)
	assert.ErrorContains(t, ltc.CanDecideFor(deputy, delegation(emeaExec2), mine, md.ID, ret, now), "separation of duties")
	// The delegator owns it.
	owned := o
	owned.Owner = emeaExec2.Person()
	assert.ErrorContains(t, ltc.CanDecideFor(deputy, delegation(emeaExec2), owned, d.ID, ret, now), "separation of duties")
	// The deputy is on its team.
	teamed := o
	teamed.Team = ltc.Team{{Person: deputy.Person(), Role: ltc.TeamSR}}
	assert.ErrorContains(t, ltc.CanDecideFor(deputy, delegation(emeaExec2), teamed, d.ID, ret, now), "on the team")
}

func TestADeputyReviewsForTheDelegatorsFunction(t *testing.T) {
	o, d := initiationRequested(gSales, ltc.LevelC, eur(100_000), ltc.GradeC)
	o, _ = o.Decide(d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove, Rationale: "go"}, gManager, t0, ltc.DefaultPolicy())
	o = withRisk(o.AppointTeam(team, t0, ltc.DefaultPolicy()))
	o, d = o.RequestDecision("GATB", ltc.GateATB, bidPkg, ltc.DefaultPolicy(), owner.Person(), t0)
	require.Contains(t, d.RequiredReviews, ltc.FunctionFinance)
	dl := delegation(gFinance)
	now := t0.Add(time.Hour)
	ch, err := ltc.Run(ltc.SubmitReview{DecisionID: d.ID, Function: ltc.FunctionFinance, Result: ltc.ReviewPass, OnBehalf: &dl},
		ltc.Deal{Opportunity: &o}, ltc.Context{Actor: deputy, Now: now, Policy: ltc.DefaultPolicy(), RequestID: "r2"})
	require.NoError(t, err)
	r := ch.Decision.Reviews[0]
	assert.Equal(t, deputy.Person(), r.Reviewer)
	assert.Equal(t, gFinance.Person(), *r.OnBehalfOf)
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanReviewFor(deputy, dl, o, d.ID, ltc.FunctionLegal, now)), "not the delegator's function")
}

func TestWhoDelegatesWhatAndForHowLong(t *testing.T) {
	now := t0
	ok := ltc.Delegation{Delegator: gExec1, Deputy: deputy.Person(), End: now.Add(24 * time.Hour)}
	got, err := ltc.CanDelegate(gExec1, ok, now)
	require.NoError(t, err)
	assert.Equal(t, now, got.Start, "no start means now")
	cases := map[string]struct {
		by   ltc.Actor
		dl   ltc.Delegation
		want ltc.Kind
	}{
		"a sales rep decides nothing to delegate": {gSales, ltc.Delegation{Delegator: gSales, Deputy: deputy.Person(), End: now.Add(time.Hour)}, ltc.KindPermission},
		"for another person, not an admin":        {gManager, ltc.Delegation{Delegator: gExec1, Deputy: deputy.Person(), End: now.Add(time.Hour)}, ltc.KindPermission},
		"to oneself":                              {gExec1, ltc.Delegation{Delegator: gExec1, Deputy: gExec1.Person(), End: now.Add(time.Hour)}, ltc.KindInvalid},
		"ending in the past":                      {gExec1, ltc.Delegation{Delegator: gExec1, Deputy: deputy.Person(), End: now.Add(-time.Hour)}, ltc.KindInvalid},
		"longer than 90 days":                     {gExec1, ltc.Delegation{Delegator: gExec1, Deputy: deputy.Person(), End: now.Add(91 * 24 * time.Hour)}, ltc.KindInvalid},
		"starting in the past":                    {gExec1, ltc.Delegation{Delegator: gExec1, Deputy: deputy.Person(), Start: now.Add(-time.Hour), End: now.Add(time.Hour)}, ltc.KindInvalid},
		"ending before it starts":                 {gExec1, ltc.Delegation{Delegator: gExec1, Deputy: deputy.Person(), Start: now.Add(2 * time.Hour), End: now.Add(time.Hour)}, ltc.KindInvalid},
		"an unknown gate":                         {gExec1, ltc.Delegation{Delegator: gExec1, Deputy: deputy.Person(), End: now.Add(time.Hour), Gates: []ltc.Gate{"X"}}, ltc.KindInvalid},
	}
	for name, tc := range cases {
		_, err := ltc.CanDelegate(tc.by, tc.dl, now)
		assert.Equal(t, tc.want, ltc.KindOf(err), name)
	}
	assert.NoError(t, ltc.CanRevokeDelegation(gExec1, ok, now))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanRevokeDelegation(deputy, ok, now)))
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanRevokeDelegation(gExec1, ok, now.Add(25*time.Hour))))
}
