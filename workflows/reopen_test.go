package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/workflows"
)

const day = 24 * time.Hour

func reopen(after time.Duration, id string, a ltc.Actor) step {
	return step{after: after, name: workflows.UpdateRequestDecision, arg: cmd(req(id, a), ltc.RequestDecision{Gate: ltc.GateReopen,
		Package: ltc.Package{Reopen: &ltc.ReopenPackage{Stage: ltc.StageValidation, Rationale: "the customer reopened the tender"}}})}
}

func closeLost() step {
	return step{name: workflows.UpdateCloseOpportunity, arg: cmd(req("r-lost", sales), ltc.CloseOpportunity{Outcome: ltc.OutcomeLost, Reason: "price"})}
}

func decideReopen(id string, a ltc.Actor, v ltc.Verdict) step {
	return step{name: workflows.UpdateDecide, arg: cmd(req(id, a), ltc.Decide{DecisionID: ltc.DecisionID("r-reopen"), Verdict: v, Rationale: "worth another try"})}
}

func reassess(id string) step {
	return step{name: workflows.UpdateAssessment, arg: cmd(req(id, sales), ltc.UpdateAssessment{Assessment: ltc.Assessment{WinRate: 35, Value: ltc.Money{Currency: "EUR", AmountMinor: 300_000_00}}})}
}

// A deal closed LOST is reopened ten days later: the requester may not decide it, an executive of the deal's
// level does, and the deal is back in VALIDATION with the close in its history, taking changes again.
func TestReopenWithinTheWindow(t *testing.T) {
	e, out := runDeal(t, ltc.DefaultPolicy(), assess(), closeLost(),
		reopen(10*day, "r-reopen", sales),
		decideReopen("r-self", sales, ltc.VerdictApprove),
		decideReopen("r-yes", exec1, ltc.VerdictApprove),
		reassess("r-again"),
	)
	requested := result(t, out[2])
	assert.Equal(t, ltc.StageClosed, requested.Opportunity.Stage)
	assert.Equal(t, 1, requested.Decision.Authority, "level C: authority 1")
	assert.Equal(t, ltc.KindPermission, refusedKind(t, out[3]), "the requester does not decide")
	approved := result(t, out[4])
	assert.Equal(t, ltc.StageValidation, approved.Opportunity.Stage)
	assert.Empty(t, approved.Opportunity.Outcome)
	require.Len(t, approved.Opportunity.Reopenings, 1)
	assert.Equal(t, ltc.OutcomeLost, approved.Opportunity.Reopenings[0].Outcome)
	assert.Equal(t, 35, result(t, out[5]).Opportunity.Assessment.WinRate)
	assert.Equal(t, []string{ltc.EventAssessmentUpdated, ltc.EventOpportunityClosed, ltc.EventDecisionRequested,
		ltc.EventDecisionDecided, ltc.EventOpportunityReopened, ltc.EventAssessmentUpdated}, e.eventTypes())
}

// After the policy's window (180 days by default) a REOPEN request is refused; a rejected one leaves the deal closed.
func TestReopenRefusedAfterTheWindowAndRejected(t *testing.T) {
	p := ltc.DefaultPolicy()
	p.ReopenWindow = 0 // a policy from before the window: the default
	_, out := runDeal(t, p, assess(), closeLost(),
		reopen(20*day, "r-reopen", manager),
		decideReopen("r-no", exec1, ltc.VerdictReject),
		reopen(170*day, "r-late", manager),
	)
	assert.Equal(t, ltc.OutcomeLost, result(t, out[3]).Opportunity.Outcome, "rejected: still closed")
	assert.Equal(t, ltc.KindPrecondition, refusedKind(t, out[4]))
	assert.ErrorContains(t, out[4].rejected, "reopen window")
}

// A deal whose process ended (closed, its summary in) is started again from the database's copy by the REOPEN
// request that comes with the start, and runs on; without a request it ends again by itself.
func TestReopenRestartsAnEndedProcess(t *testing.T) {
	in := dealInput(ltc.DefaultPolicy())
	o := *in.Deal.Opportunity
	at := o.CreatedAt.Add(5 * day)
	o = o.Close(ltc.OutcomeLost, "price", sales.Person(), at, ltc.DefaultPolicy()).SubmitSummary(ltc.ProjectSummary{Lessons: "too expensive"}, at)
	in.Deal.Opportunity, in.Revision = &o, 7
	require.True(t, in.Deal.Ended())

	e := newEnv(t)
	requested := e.update(time.Second, workflows.UpdateRequestDecision, "r-reopen", reopen(0, "r-reopen", sales).arg)
	approved := e.update(time.Minute, workflows.UpdateDecide, "r-yes", decideReopen("r-yes", exec2, ltc.VerdictApprove).arg)
	again := e.update(2*time.Minute, workflows.UpdateAssessment, "r-again", reassess("r-again").arg)
	e.RegisterDelayedCallback(e.CancelWorkflow, 3*time.Minute)
	e.ExecuteWorkflow(workflows.DealWorkflow, in)
	require.True(t, requested.done && approved.done && again.done)
	assert.Equal(t, ltc.StageClosed, result(t, requested).Opportunity.Stage)
	r := result(t, approved)
	assert.Equal(t, ltc.StageValidation, r.Opportunity.Stage)
	assert.Nil(t, r.Opportunity.Summary)
	require.Len(t, r.Opportunity.Reopenings, 1)
	assert.Equal(t, "too expensive", r.Opportunity.Reopenings[0].Summary.Lessons, "the summary of the close stays in the history")
	assert.Equal(t, int64(8), e.changes[0].Revision, "written on top of the database's revision")
	assert.Equal(t, 35, result(t, again).Opportunity.Assessment.WinRate)

	idle := newEnv(t)
	idle.ExecuteWorkflow(workflows.DealWorkflow, in)
	require.True(t, idle.IsWorkflowCompleted())
	require.NoError(t, idle.GetWorkflowError())
}
