package ltc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

var (
	t0      = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	owner   = ltc.Actor{ID: "sam", Roles: []ltc.Role{ltc.RoleSales}}
	rep     = ltc.Actor{ID: "sue", Roles: []ltc.Role{ltc.RoleSales}}
	manager = ltc.Actor{ID: "mia", Roles: []ltc.Role{ltc.RoleSalesManager}}
	exec1   = ltc.Actor{ID: "eli", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1}
	exec2   = ltc.Actor{ID: "eva", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2}
	exec3   = ltc.Actor{ID: "eric", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3}
	finance = ltc.Actor{ID: "fiona", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}}
	legal   = ltc.Actor{ID: "leo", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}}
)

var initiation = ltc.Package{Initiation: &ltc.InitiationPackage{ProposedLevel: ltc.LevelB, Rationale: "why not"}}

func ruling(v ltc.Verdict, rationale string) ltc.Ruling {
	return ltc.Ruling{Verdict: v, Rationale: rationale}
}

func validated() ltc.Opportunity {
	l := ltc.NewLead(ltc.Lead{ID: "D1", Owner: owner.Person(), Customer: ltc.Customer{Name: "Acme", Grade: ltc.GradeB}}, ltc.DefaultPolicy(), t0)
	o := ltc.NewOpportunity(l.Qualify(ltc.Qualification{Urgency: ltc.UrgencyHot}, l.ID, t0), t0, 0)
	return o.UpdateAssessment(ltc.Assessment{WinRate: 60, Value: ltc.Money{Currency: "EUR", AmountMinor: 500_000_00}}, t0)
}

func requested(level ltc.ProjectLevel, policy ltc.Policy) (ltc.Opportunity, ltc.Decision) {
	return validated().RequestDecision("X1", ltc.GateInitiation,
		ltc.Package{Initiation: &ltc.InitiationPackage{ProposedLevel: level, Rationale: "fits our strategy"}}, policy, owner.Person(), t0)
}

func TestInitiationRequest(t *testing.T) {
	o := validated()
	assert.NoError(t, ltc.CanRequestDecision(owner, o, ltc.GateInitiation, initiation))
	assert.NoError(t, ltc.CanRequestDecision(manager, o, ltc.GateInitiation, initiation))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanRequestDecision(rep, o, ltc.GateInitiation, initiation)))
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanRequestDecision(owner, o, ltc.GateATB, ltc.Package{Bid: &ltc.BidPackage{}})))
	unassessed := ltc.NewOpportunity(ltc.Lead{ID: "D2", Owner: owner.Person()}, t0, 0)
	assert.ErrorContains(t, ltc.CanRequestDecision(owner, unassessed, ltc.GateInitiation, initiation), "assessment")

	for level, want := range map[ltc.ProjectLevel]int{ltc.LevelA: 3, ltc.LevelB: 2, ltc.LevelC: ltc.ManagerAuthority} {
		o, d := requested(level, ltc.DefaultPolicy())
		assert.Equal(t, ltc.StageInitiationReview, o.Stage)
		assert.Equal(t, want, d.Authority, level)
		assert.Equal(t, ltc.DecisionPending, d.Status)
		assert.Equal(t, time.Duration(ltc.DefaultPolicy().Levels[level].DecisionSLA), d.DueAt.Sub(t0))
		assert.Equal(t, 60, d.Package.Initiation.Assessment.WinRate, "the package carries the assessment")
		assert.ErrorContains(t, ltc.CanRequestDecision(owner, o, ltc.GateInitiation, initiation), "with a pending INITIATION decision")
	}
}

func TestWhoMayDecide(t *testing.T) {
	oB, dB := requested(ltc.LevelB, ltc.DefaultPolicy())
	oC, dC := requested(ltc.LevelC, ltc.DefaultPolicy())
	tests := []struct {
		name string
		err  error
		want ltc.Kind
	}{
		{"level B by authority 1", ltc.CanDecide(exec1, oB, dB.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), ltc.KindPermission},
		{"level B by authority 2", ltc.CanDecide(exec2, oB, dB.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), ""},
		{"level B by authority 3", ltc.CanDecide(exec3, oB, dB.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), ""},
		{"level B by a manager", ltc.CanDecide(manager, oB, dB.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), ltc.KindPermission},
		{"level C by a manager", ltc.CanDecide(manager, oC, dC.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), ""},
		{"level C by authority 1", ltc.CanDecide(exec1, oC, dC.ID, ltc.Ruling{Verdict: ltc.VerdictReject}), ""},
		{"level C by a rep", ltc.CanDecide(owner, oC, dC.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), ltc.KindPermission},
		{"unknown decision", ltc.CanDecide(exec3, oB, "nope", ltc.Ruling{Verdict: ltc.VerdictApprove}), ltc.KindNotFound},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ltc.KindOf(tt.err), "%s: %v", tt.name, tt.err)
	}
	assert.ErrorContains(t, ltc.CanDecide(exec1, oB, dB.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), "authority 2 or higher")
}

func TestApprovalWaitsForRequiredReviews(t *testing.T) {
	p := ltc.DefaultPolicy()
	p.InitiationReviews = []ltc.ReviewFunction{ltc.FunctionFinance, ltc.FunctionLegal}
	o, d := requested(ltc.LevelB, p)

	assert.ErrorContains(t, ltc.CanDecide(exec2, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), "FINANCE, LEGAL review(s)")
	assert.NoError(t, ltc.CanDecide(exec2, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictReject}), "rejection needs no reviews")
	assert.NoError(t, ltc.CanDecide(exec2, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictReturn}), "return needs no reviews")

	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanReview(legal, o, d.ID, ltc.FunctionFinance)), "wrong function")
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanReview(exec2, o, d.ID, ltc.FunctionFinance)), "not a reviewer")
	require.NoError(t, ltc.CanReview(finance, o, d.ID, ltc.FunctionFinance))
	o, d = o.SubmitReview(d.ID, ltc.Review{Function: ltc.FunctionFinance, Result: ltc.ReviewFail, Reviewer: finance.Person(), SubmittedAt: t0})
	assert.ErrorContains(t, ltc.CanReview(finance, o, d.ID, ltc.FunctionFinance), "already in")
	assert.ErrorContains(t, ltc.CanDecide(exec2, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), "LEGAL review(s)")
	o, d = o.SubmitReview(d.ID, ltc.Review{Function: ltc.FunctionLegal, Result: ltc.ReviewPass, Reviewer: legal.Person(), SubmittedAt: t0})
	assert.NoError(t, ltc.CanDecide(exec2, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), "a failed review informs, it does not block")
	assert.Empty(t, d.MissingReviews())
}

func TestVerdicts(t *testing.T) {
	p := ltc.DefaultPolicy()
	o, d := requested(ltc.LevelB, p)
	approved, ad := o.Decide(d.ID, ruling(ltc.VerdictApprove, "go"), exec2, t0.Add(time.Hour), ltc.DefaultPolicy())
	assert.Equal(t, ltc.StageTeamFormation, approved.Stage)
	assert.Equal(t, ltc.LevelB, approved.Level, "the proposed level stands")
	assert.Equal(t, ltc.DecisionApproved, ad.Status)
	assert.Equal(t, "eva", ad.DecidedBy.ID)
	assert.Equal(t, 2, ad.DeciderAuthority)
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanDecide(exec2, approved, d.ID, ltc.Ruling{Verdict: ltc.VerdictReject})), "decided once")

	changed, cd := o.Decide(d.ID, ltc.Ruling{Verdict: ltc.VerdictApproveWithConditions, Level: ltc.LevelA,
		Conditions: []string{"bring a partner"}, Rationale: "bigger than it looks"}, exec3, t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.LevelA, changed.Level, "the decider changed the level")
	assert.Equal(t, []string{"bring a partner"}, cd.Conditions)
	assert.Equal(t, ltc.DecisionApprovedWithConditions, cd.Status)

	rejected, _ := o.Decide(d.ID, ruling(ltc.VerdictReject, "not our market"), exec2, t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.StageClosed, rejected.Stage)
	assert.Equal(t, ltc.OutcomeNotPursued, rejected.Outcome)
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanUpdateAssessment(owner, rejected)), "closed deals take no changes")

	returned, _ := o.Decide(d.ID, ruling(ltc.VerdictReturn, "assess the decision chain"), exec2, t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.StageValidation, returned.Stage)
	assert.NoError(t, ltc.CanRequestDecision(owner, returned, ltc.GateInitiation, initiation), "a returned deal can ask again")

	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanWithdraw(manager, o, d.ID)), "only the requester withdraws")
	require.NoError(t, ltc.CanWithdraw(owner, o, d.ID))
	withdrawn, wd := o.Withdraw(d.ID, "not ready", owner.Person(), t0)
	assert.Equal(t, ltc.StageValidation, withdrawn.Stage)
	assert.Equal(t, ltc.DecisionWithdrawn, wd.Status)
}

func TestEscalationClimbsThenFlagsOverdue(t *testing.T) {
	o, d := requested(ltc.LevelC, ltc.DefaultPolicy())
	sla := time.Duration(d.SLA)
	assert.Equal(t, []string{"role:sales_manager", "authority:1"}, d.Deciders())
	now := t0
	for _, want := range []int{1, 2, 3} {
		now = now.Add(sla)
		o, d = o.Escalate(now)
		assert.Equal(t, want, d.Authority)
		assert.Equal(t, []string{ltc.AuthorityRecipient(want)}, d.Deciders())
		assert.Equal(t, now.Add(sla), d.DueAt, "the SLA restarts")
		assert.False(t, d.Overdue)
	}
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecide(exec2, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove})), "escalated past authority 2")
	o, d = o.Escalate(now.Add(sla))
	assert.True(t, d.Overdue)
	assert.Equal(t, 3, d.Authority)
	assert.Equal(t, ltc.DecisionPending, d.Status, "never decided automatically")
	assert.Equal(t, ltc.StageInitiationReview, o.Stage)
}

func TestTeamRules(t *testing.T) {
	ar, sr, fr := ltc.Person{ID: "sam"}, ltc.Person{ID: "sara"}, ltc.Person{ID: "fred"}
	core := ltc.Team{{Person: ar, Role: ltc.TeamAR}, {Person: sr, Role: ltc.TeamSR}, {Person: fr, Role: ltc.TeamFR}}
	assert.NoError(t, core.Validate())
	assert.NoError(t, ltc.Team{{Person: ar, Role: ltc.TeamAR}, {Person: sr, Role: ltc.TeamSR}, {Person: ar, Role: ltc.TeamFR}}.Validate(),
		"one person may be AR and FR")
	assert.Error(t, ltc.Team{{Person: ar, Role: ltc.TeamAR}, {Person: ar, Role: ltc.TeamSR}, {Person: fr, Role: ltc.TeamFR}}.Validate())
	assert.Error(t, core[:2].Validate(), "FR missing")
	assert.Error(t, append(core, ltc.TeamMember{Person: fr, Role: ltc.TeamAR}).Validate(), "two ARs")
	assert.Error(t, append(core, ltc.TeamMember{Person: fr, Role: "CHEF"}).Validate())

	o, d := requested(ltc.LevelC, ltc.DefaultPolicy())
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanAppointTeam(manager, o)), "not before INITIATION")
	o, _ = o.Decide(d.ID, ruling(ltc.VerdictApprove, "ok"), manager, t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanAppointTeam(owner, o)))
	require.NoError(t, ltc.CanAppointTeam(manager, o))
	o = o.AppointTeam(append(core, ltc.TeamMember{Person: ltc.Person{ID: "dora"}, Role: ltc.TeamDeliveryPM}), t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.StagePursuit, o.Stage)
	assert.NoError(t, ltc.CanAppointTeam(manager, o), "the team can change later")

	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanClose(rep, o, ltc.OutcomeLost)), "non-team member refused")
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanClose(ltc.Actor{ID: "sara", Roles: []ltc.Role{ltc.RoleSales}}, o, ltc.OutcomeLost)), "the SR does not close")
	assert.NoError(t, ltc.CanClose(owner, o, ltc.OutcomeLost), "the AR closes")
	assert.Equal(t, ltc.KindInvalid, ltc.KindOf(ltc.CanClose(owner, o, ltc.OutcomeWon)))
	closed := o.Close(ltc.OutcomeAbandoned, "customer froze budget", owner.Person(), t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.OutcomeAbandoned, closed.Outcome)
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanAppointTeam(manager, closed)))
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanClose(owner, closed, ltc.OutcomeLost)))
}
