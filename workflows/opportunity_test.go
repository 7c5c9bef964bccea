package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/workflows"
)

var (
	exec1    = ltc.Actor{ID: "eli", Name: "Eli", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1}
	exec2    = ltc.Actor{ID: "eva", Name: "Eva", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2}
	exec3    = ltc.Actor{ID: "eric", Name: "Eric", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3}
	finance  = ltc.Actor{ID: "fiona", Name: "Fiona", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}}
	coreTeam = ltc.Team{
		{Person: ltc.Person{ID: "sam"}, Role: ltc.TeamAR},
		{Person: ltc.Person{ID: "sara"}, Role: ltc.TeamSR},
		{Person: ltc.Person{ID: "fred"}, Role: ltc.TeamFR},
	}
)

// dealInput is a deal's process continued as new in VALIDATION, as its lead's qualification left it.
func dealInput(policy ltc.Policy) workflows.DealInput {
	l := leadInput().Lead
	l.PolicyVersion = policy.Version
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	l = ltc.NewLead(l, policy, at).Qualify(ltc.Qualification{Urgency: ltc.UrgencyHot}, l.ID, at)
	o := ltc.NewOpportunity(l, at, 0)
	return workflows.DealInput{Deal: &ltc.Deal{Lead: l, Opportunity: &o}, Policy: policy}
}

// script sends the Updates in order, one a minute (or after the given gap), then cancels the deal's process.
type step struct {
	after time.Duration
	name  string
	arg   any
}

func runDeal(t *testing.T, policy ltc.Policy, steps ...step) (*testEnv, []*outcome) {
	t.Helper()
	e := newEnv(t)
	var outcomes []*outcome
	at := time.Duration(0)
	for i, s := range steps {
		gap := s.after
		if gap == 0 {
			gap = time.Minute
		}
		at += gap
		outcomes = append(outcomes, e.update(at, s.name, "u"+string(rune('a'+i)), s.arg))
	}
	e.RegisterDelayedCallback(e.CancelWorkflow, at+time.Minute)
	e.ExecuteWorkflow(workflows.DealWorkflow, dealInput(policy))
	require.True(t, e.IsWorkflowCompleted())
	for i, o := range outcomes {
		require.True(t, o.done, "step %d (%s) ran", i, steps[i].name)
	}
	return e, outcomes
}

func req(id string, a ltc.Actor) workflows.Request { return workflows.Request{ID: id, Actor: a} }

func assess() step {
	return step{name: workflows.UpdateAssessment, arg: cmd(req("r-assess", sales), ltc.UpdateAssessment{Assessment: ltc.Assessment{WinRate: 55, Value: ltc.Money{Currency: "EUR", AmountMinor: 300_000_00}}})}
}

func requestInitiation(level ltc.ProjectLevel) step {
	return step{name: workflows.UpdateRequestDecision, arg: cmd(req("r-init", sales), ltc.RequestDecision{Gate: ltc.GateInitiation, Package: ltc.Package{Initiation: &ltc.InitiationPackage{ProposedLevel: level, Rationale: "strategic account"}}})}
}

var initiationID = ltc.DecisionID("r-init")

func decide(id string, a ltc.Actor, v ltc.Verdict) step {
	return step{name: workflows.UpdateDecide, arg: cmd(req(id, a), ltc.Decide{DecisionID: initiationID,
		Verdict: v, Rationale: "considered"})}
}

func result(t *testing.T, o *outcome) workflows.DealResult {
	t.Helper()
	require.NoError(t, o.rejected)
	require.NoError(t, o.err)
	return callerResult[workflows.DealResult](t, o)
}

func refusedKind(t *testing.T, o *outcome) ltc.Kind {
	t.Helper()
	require.NoError(t, o.err, "refused by the validator, not failed after acceptance")
	require.Error(t, o.rejected)
	return kindOf(t, o.rejected)
}

func TestInitiationApprovedThenTeamIntoPursuit(t *testing.T) {
	e, out := runDeal(t, ltc.DefaultPolicy(),
		assess(), requestInitiation(ltc.LevelB),
		decide("r-d1", exec1, ltc.VerdictApprove), // authority 1 < 2
		decide("r-d2", exec2, ltc.VerdictApprove),
		step{name: workflows.UpdateAppointTeam, arg: cmd(req("r-team", manager), ltc.AppointTeam{Team: coreTeam})},
	)
	assert.Equal(t, ltc.KindPermission, refusedKind(t, out[2]), "decider without enough authority refused")
	approved := result(t, out[3])
	assert.Equal(t, ltc.StageTeamFormation, approved.Opportunity.Stage)
	assert.Equal(t, ltc.LevelB, approved.Opportunity.Level)
	assert.Equal(t, ltc.DecisionApproved, approved.Decision.Status)
	assert.Equal(t, 2, approved.Decision.DeciderAuthority)
	team := result(t, out[4])
	assert.Equal(t, ltc.StagePursuit, team.Opportunity.Stage)
	assert.Equal(t, []string{ltc.EventAssessmentUpdated, ltc.EventDecisionRequested, ltc.EventDecisionDecided,
		ltc.EventTeamAppointed}, e.eventTypes())
	assert.Equal(t, []string{"authority:2@/"}, e.changes[1].Events[0].Recipients, "the deciders are notified")
}

func TestApproveWithConditionsAndAnotherLevel(t *testing.T) {
	_, out := runDeal(t, ltc.DefaultPolicy(), assess(), requestInitiation(ltc.LevelC),
		step{name: workflows.UpdateDecide, arg: cmd(req("r-d", manager), ltc.Decide{DecisionID: initiationID,
			Verdict: ltc.VerdictApproveWithConditions, Level: ltc.LevelB, Conditions: []string{"partner on delivery"},
			Rationale: "larger than proposed"})})
	r := result(t, out[2])
	assert.Equal(t, ltc.LevelB, r.Opportunity.Level, "the decider changed the proposed level")
	assert.Equal(t, ltc.DecisionApprovedWithConditions, r.Decision.Status)
	assert.Equal(t, []string{"partner on delivery"}, r.Decision.Conditions)
}

func TestRejectClosesNotPursuedAndTheClosedDealRefusesChanges(t *testing.T) {
	e, out := runDeal(t, ltc.DefaultPolicy(), assess(), requestInitiation(ltc.LevelC),
		decide("r-d", manager, ltc.VerdictReject),
		step{name: workflows.UpdateAssessment, arg: cmd(req("r-late", sales), ltc.UpdateAssessment{Assessment: ltc.Assessment{WinRate: 90}})},
		step{name: workflows.UpdateCloseOpportunity, arg: cmd(req("r-close", sales), ltc.CloseOpportunity{Outcome: ltc.OutcomeLost, Reason: "again"})},
	)
	r := result(t, out[2])
	assert.Equal(t, ltc.StageClosed, r.Opportunity.Stage)
	assert.Equal(t, ltc.OutcomeNotPursued, r.Opportunity.Outcome)
	assert.Equal(t, ltc.KindPrecondition, refusedKind(t, out[3]))
	assert.ErrorContains(t, out[4].rejected, "CLOSED (NOT_PURSUED)")
	assert.Equal(t, []string{ltc.EventAssessmentUpdated, ltc.EventDecisionRequested, ltc.EventDecisionDecided,
		ltc.EventOpportunityClosed}, e.eventTypes())
}

func TestReturnAndWithdrawGoBackToValidation(t *testing.T) {
	_, out := runDeal(t, ltc.DefaultPolicy(), assess(), requestInitiation(ltc.LevelC),
		decide("r-ret", manager, ltc.VerdictReturn),
		step{name: workflows.UpdateRequestDecision, arg: cmd(req("r-init2", sales), ltc.RequestDecision{Gate: ltc.GateInitiation, Package: ltc.Package{Initiation: &ltc.InitiationPackage{ProposedLevel: ltc.LevelC, Rationale: "reworked"}}})},
		step{name: workflows.UpdateWithdrawDecision, arg: cmd(req("r-w1", manager), ltc.WithdrawDecision{DecisionID: ltc.DecisionID("r-init2")})},
		step{name: workflows.UpdateWithdrawDecision, arg: cmd(req("r-w2", sales), ltc.WithdrawDecision{DecisionID: ltc.DecisionID("r-init2"), Reason: "numbers changed"})},
	)
	assert.Equal(t, ltc.StageValidation, result(t, out[2]).Opportunity.Stage)
	assert.Equal(t, ltc.StageInitiationReview, result(t, out[3]).Opportunity.Stage)
	assert.Equal(t, ltc.KindPermission, refusedKind(t, out[4]), "only the requester withdraws")
	w := result(t, out[5])
	assert.Equal(t, ltc.StageValidation, w.Opportunity.Stage)
	assert.Equal(t, ltc.DecisionWithdrawn, w.Decision.Status)
	assert.Len(t, w.Opportunity.Decisions, 2)
}

func TestApprovalWaitsForTheRequiredReview(t *testing.T) {
	p := ltc.DefaultPolicy()
	p.InitiationReviews = []ltc.ReviewFunction{ltc.FunctionFinance}
	_, out := runDeal(t, p, assess(), requestInitiation(ltc.LevelC),
		decide("r-early", manager, ltc.VerdictApprove),
		step{name: workflows.UpdateSubmitReview, arg: cmd(req("r-rev", finance), ltc.SubmitReview{DecisionID: initiationID, Function: ltc.FunctionFinance, Result: ltc.ReviewPassWithConcerns, Comments: "thin margin"})},
		decide("r-late", manager, ltc.VerdictApprove),
	)
	assert.Equal(t, ltc.KindPrecondition, refusedKind(t, out[2]))
	assert.ErrorContains(t, out[2].rejected, "FINANCE review(s)")
	assert.Len(t, result(t, out[3]).Decision.Reviews, 1)
	assert.Equal(t, ltc.DecisionApproved, result(t, out[4]).Decision.Status)
}

func TestEscalationClimbsToTheTopThenFlagsOverdue(t *testing.T) {
	sla := time.Duration(ltc.DefaultPolicy().Levels[ltc.LevelC].DecisionSLA)
	// Nobody decides for four SLAs; then an executive of level 3 does.
	e, out := runDeal(t, ltc.DefaultPolicy(), assess(), requestInitiation(ltc.LevelC),
		step{after: 4*sla + time.Hour, name: workflows.UpdateDecide, arg: cmd(req("r-d2", exec2), ltc.Decide{DecisionID: initiationID, Verdict: ltc.VerdictApprove, Rationale: "late"})},
		decide("r-d3", exec3, ltc.VerdictApprove),
	)
	var escalations []ltc.Event
	for _, c := range e.changes {
		for _, ev := range c.Events {
			if ev.Type == ltc.EventDecisionEscalated || ev.Type == ltc.EventDecisionOverdue {
				escalations = append(escalations, ev)
			}
		}
	}
	require.Len(t, escalations, 4)
	requested := e.changes[1].Events[0]
	assert.Equal(t, []string{"role:sales_manager@/", "authority:1@/"}, requested.Recipients)
	for i, want := range [][]string{{"authority:1@/"}, {"authority:2@/"}, {"authority:3@/"}, {"authority:3@/", "user:sam"}} {
		assert.Equal(t, want, escalations[i].Recipients, "escalation %d notifies the new deciders", i+1)
		assert.Equal(t, requested.OccurredAt.Add(time.Duration(i+1)*sla), escalations[i].OccurredAt, "on time")
	}
	assert.Equal(t, ltc.EventDecisionOverdue, escalations[3].Type)
	assert.Equal(t, ltc.KindPermission, refusedKind(t, out[2]), "escalated past authority 2")
	r := result(t, out[3])
	assert.Equal(t, ltc.DecisionApproved, r.Decision.Status, "decided by a person, never automatically")
	assert.True(t, r.Decision.Overdue)
	assert.Equal(t, 3, r.Decision.Escalations)
}

func TestTeamRulesInTheProcess(t *testing.T) {
	_, out := runDeal(t, ltc.DefaultPolicy(), assess(), requestInitiation(ltc.LevelC),
		step{name: workflows.UpdateAppointTeam, arg: cmd(req("r-early", manager), ltc.AppointTeam{Team: coreTeam})},
		decide("r-d", manager, ltc.VerdictApprove),
		step{name: workflows.UpdateAppointTeam, arg: cmd(req("r-half", manager), ltc.AppointTeam{Team: coreTeam[:2]})},
		step{name: workflows.UpdateAppointTeam, arg: cmd(req("r-team", manager), ltc.AppointTeam{Team: coreTeam})},
		step{name: workflows.UpdateCloseOpportunity, arg: cmd(req("r-x", other), ltc.CloseOpportunity{Outcome: ltc.OutcomeLost, Reason: "not mine"})},
		step{name: workflows.UpdateCloseOpportunity, arg: cmd(req("r-lost", sales), ltc.CloseOpportunity{Outcome: ltc.OutcomeLost, Reason: "competitor won on price"})},
	)
	assert.Equal(t, ltc.KindPrecondition, refusedKind(t, out[2]), "no team before INITIATION")
	assert.Equal(t, ltc.KindInvalid, refusedKind(t, out[4]), "the FR is missing")
	assert.Equal(t, ltc.StagePursuit, result(t, out[5]).Opportunity.Stage)
	assert.Equal(t, ltc.KindPermission, refusedKind(t, out[6]), "non-team member refused")
	lost := result(t, out[7])
	assert.Equal(t, ltc.OutcomeLost, lost.Opportunity.Outcome)
	assert.Equal(t, "competitor won on price", lost.Opportunity.CloseReason)
}

// A request the process applied in an earlier run (before a continue-as-new) is accepted again and changes
// nothing: Temporal's deduplication of Updates ends with the run, the process's own record of requests does not.
// A request it never applied is checked and applied as usual.
func TestARequestAppliedBeforeAContinueAsNewChangesNothing(t *testing.T) {
	e := newEnv(t)
	in := dealInput(ltc.DefaultPolicy())
	in.Applied = []string{"r-assess"}
	again := e.update(time.Minute, assess().name, "r-assess", assess().arg)
	next := e.update(2*time.Minute, workflows.UpdateAssessment, "r-assess-2", cmd(req("r-assess-2", sales), ltc.UpdateAssessment{Assessment: ltc.Assessment{WinRate: 60, Value: ltc.Money{Currency: "EUR", AmountMinor: 1}}}))
	e.RegisterDelayedCallback(e.CancelWorkflow, 3*time.Minute)
	e.ExecuteWorkflow(workflows.DealWorkflow, in)

	require.True(t, again.done && next.done)
	assert.NoError(t, again.rejected)
	assert.NoError(t, again.err)
	require.Len(t, e.changes, 1, "only the new request is recorded")
	assert.Equal(t, "r-assess-2", e.changes[0].Request.ID)
	assert.Equal(t, []string{ltc.EventAssessmentUpdated}, e.eventTypes())
}
