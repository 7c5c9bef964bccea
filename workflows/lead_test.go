package workflows_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/ltcengine/ltc/activities"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/workflows"
)

var (
	manager = ltc.Actor{ID: "mia", Name: "Mia Manager", Roles: []ltc.Role{ltc.RoleSalesManager}}
	sales   = ltc.Actor{ID: "sam", Name: "Sam Sales", Roles: []ltc.Role{ltc.RoleSales}}
	other   = ltc.Actor{ID: "sue", Name: "Sue Sales", Roles: []ltc.Role{ltc.RoleSales}}
)

// testEnv is a time-skipping test environment running one workflow, with RecordChange recording what the
// process writes instead of writing it.
type testEnv struct {
	*testsuite.TestWorkflowEnvironment
	changes []store.Change
	// behind, if set, may answer a numbered write with what the database holds past its base revision instead.
	behind func(store.Change) *store.Behind
}

func newEnv(t *testing.T) *testEnv {
	var suite testsuite.WorkflowTestSuite
	e := &testEnv{TestWorkflowEnvironment: suite.NewTestWorkflowEnvironment()}
	e.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	e.RegisterWorkflow(workflows.DealWorkflow)
	e.RegisterWorkflow(workflows.LeadWorkflow)
	e.RegisterWorkflow(workflows.OpportunityWorkflow)
	var a *activities.Activities
	e.RegisterActivity(a)
	e.OnActivity(a.RecordChange, mock.Anything, mock.Anything).Return(func(_ context.Context, c store.Change) error {
		e.changes = append(e.changes, c)
		return nil
	})
	e.OnActivity(a.RecordDealChange, mock.Anything, mock.Anything).Return(func(_ context.Context, c store.Change) (*store.Behind, error) {
		if e.behind != nil {
			if b := e.behind(c); b != nil {
				return b, nil
			}
		}
		e.changes = append(e.changes, c)
		return nil, nil
	})
	return e
}

func (e *testEnv) eventTypes() []string {
	var types []string
	for _, c := range e.changes {
		for _, ev := range c.Events {
			types = append(types, ev.Type)
		}
	}
	return types
}

func leadInput() workflows.DealInput {
	return workflows.DealInput{
		Lead: ltc.Lead{
			ID: "0b6a4f8e-8d0c-4d55-9a53-2f0d3c1b7a10", Title: "5G core", Owner: sales.Person(),
			Customer:       ltc.Customer{Name: "Acme Telecom", Grade: ltc.GradeB},
			EstimatedValue: ltc.Money{Currency: "EUR", AmountMinor: 250_000_000},
		},
		Policy:  ltc.DefaultPolicy(),
		Request: workflows.Request{ID: "req-create", PayloadHash: []byte{1}, Actor: sales},
	}
}

// update sends an Update after delay and keeps its outcome: the refusal or failure, or the change it recorded
// (whose request record holds the caller's result).
type outcome struct {
	rejected error
	err      error
	recorded *store.Change
	done     bool
}

func (e *testEnv) update(delay time.Duration, name, id string, arg any) *outcome {
	o := &outcome{}
	e.RegisterDelayedCallback(func() {
		e.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { o.rejected, o.done = err, true },
			OnComplete: func(_ any, err error) {
				o.err, o.done = err, true
				if err == nil && len(e.changes) > 0 {
					o.recorded = &e.changes[len(e.changes)-1] // an Update completes right after recording its change
				}
			},
		}, arg)
	}, delay)
	return o
}

// callerResult is the result the API gives the Update's caller: the one in the request record of its change.
func callerResult[R any](t *testing.T, o *outcome) R {
	t.Helper()
	var r R
	require.NotNil(t, o.recorded, "the Update recorded a change")
	require.NoError(t, json.Unmarshal(o.recorded.Request.Result, &r))
	return r
}

func kindOf(t *testing.T, err error) ltc.Kind {
	t.Helper()
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app)
	return ltc.Kind(app.Type())
}

func TestQualifyTurnsTheLeadIntoTheDealInTheSameProcess(t *testing.T) {
	e := newEnv(t)
	q := e.update(time.Hour, workflows.UpdateQualifyLead, "req-q", cmd(workflows.Request{ID: "req-q", Actor: manager}, ltc.QualifyLead{Qualification: ltc.Qualification{BudgetConfirmed: true, Urgency: ltc.UrgencyHot}}))
	assess := e.update(2*time.Hour, workflows.UpdateAssessment, "req-a", cmd(workflows.Request{ID: "req-a", Actor: sales}, ltc.UpdateAssessment{Assessment: ltc.Assessment{WinRate: 40, Value: ltc.Money{Currency: "EUR", AmountMinor: 1}}}))
	var st workflows.DealState
	e.RegisterDelayedCallback(func() {
		v, err := e.QueryWorkflow(workflows.QueryDeal)
		require.NoError(t, err)
		require.NoError(t, v.Get(&st))
		e.CancelWorkflow()
	}, 3*time.Hour)
	e.ExecuteWorkflow(workflows.DealWorkflow, leadInput())

	require.True(t, e.IsWorkflowCompleted())
	require.True(t, q.done)
	require.NoError(t, q.err)
	res := callerResult[workflows.QualifyLeadResult](t, q)
	assert.Equal(t, ltc.LeadQualified, res.Lead.State)
	assert.Equal(t, ltc.StageValidation, res.Opportunity.Stage)
	assert.Equal(t, res.Lead.ID, res.Opportunity.ID)
	assert.Equal(t, []string{ltc.EventLeadCreated, ltc.EventLeadQualified, ltc.EventOpportunityCreated,
		ltc.EventAssessmentUpdated}, e.eventTypes())
	assert.Equal(t, "req-q", e.changes[1].Request.ID)
	require.NoError(t, assess.err, "the deal's commands go to the same process, no child is started")
	assert.Equal(t, ltc.StageValidation, st.Opportunity.Stage)
	assert.Equal(t, 40, st.Opportunity.Assessment.WinRate)
	assert.False(t, st.Lead.Overdue, "qualified within the SLA")
	assert.Equal(t, []string{"req-q", "req-a"}, st.Applied)
}

func TestALeadProcessOfAnEarlierVersionStartsTheDealsOwnProcess(t *testing.T) {
	e := newEnv(t)
	e.OnWorkflow(workflows.OpportunityWorkflow, mock.Anything, mock.Anything).Return(ltc.Opportunity{}, nil)
	q := e.update(time.Hour, workflows.UpdateQualifyLead, "req-q", cmd(workflows.Request{ID: "req-q", Actor: manager}, ltc.QualifyLead{Qualification: ltc.Qualification{BudgetConfirmed: true, Urgency: ltc.UrgencyHot}}))
	in := leadInput()
	e.ExecuteWorkflow(workflows.LeadWorkflow, workflows.LeadInput{Lead: in.Lead, Policy: in.Policy, Request: in.Request})

	require.True(t, e.IsWorkflowCompleted())
	require.NoError(t, e.GetWorkflowError())
	require.NoError(t, q.err)
	assert.Equal(t, []string{ltc.EventLeadCreated, ltc.EventLeadQualified, ltc.EventOpportunityCreated}, e.eventTypes())
	var lead ltc.Lead
	require.NoError(t, e.GetWorkflowResult(&lead))
	assert.Equal(t, ltc.LeadQualified, lead.State)
}

func TestADealAsALeadTakesNoDealCommand(t *testing.T) {
	e := newEnv(t)
	early := e.update(time.Minute, workflows.UpdateAssessment, "req-a", cmd(workflows.Request{ID: "req-a", Actor: sales}, ltc.UpdateAssessment{Assessment: ltc.Assessment{WinRate: 40}}))
	e.RegisterDelayedCallback(e.CancelWorkflow, time.Hour)
	e.ExecuteWorkflow(workflows.DealWorkflow, leadInput())
	assert.Equal(t, ltc.KindNotFound, kindOf(t, early.rejected))
	assert.Equal(t, []string{ltc.EventLeadCreated}, e.eventTypes())
}

func TestLeadSLAFlagsOverdueAndLeadStaysOpen(t *testing.T) {
	e := newEnv(t)
	sla := time.Duration(ltc.DefaultPolicy().LeadSLA)
	d := e.update(sla+24*time.Hour, workflows.UpdateDisqualifyLead, "req-d", cmd(workflows.Request{ID: "req-d", Actor: sales}, ltc.DisqualifyLead{Reason: "no budget this year"}))
	e.ExecuteWorkflow(workflows.DealWorkflow, leadInput())

	require.NoError(t, e.GetWorkflowError())
	require.True(t, d.done)
	require.NoError(t, d.err, "the overdue lead is still open")
	assert.Equal(t, []string{ltc.EventLeadCreated, ltc.EventLeadOverdue, ltc.EventLeadDisqualified}, e.eventTypes())

	overdue := e.changes[1]
	assert.True(t, overdue.Lead.Overdue)
	assert.Equal(t, ltc.LeadNew, overdue.Lead.State)
	assert.Equal(t, overdue.Lead.CreatedAt.Add(sla), overdue.Events[0].OccurredAt, "flagged exactly when the SLA passes")
	assert.Equal(t, []string{"user:sam", "role:sales_manager@/"}, overdue.Events[0].Recipients)

	var deal ltc.Deal
	require.NoError(t, e.GetWorkflowResult(&deal))
	assert.True(t, deal.Lead.Overdue)
	assert.Equal(t, ltc.LeadDisqualified, deal.Lead.State, "a disqualified lead ends the deal's process")
}

func TestRefusedUpdatesRecordNothing(t *testing.T) {
	e := newEnv(t)
	byRep := e.update(time.Minute, workflows.UpdateQualifyLead, "req-1", cmd(workflows.Request{ID: "req-1", Actor: sales}, ltc.QualifyLead{Qualification: ltc.Qualification{Urgency: ltc.UrgencyWarm}}))
	byStranger := e.update(2*time.Minute, workflows.UpdateDisqualifyLead, "req-2", cmd(workflows.Request{ID: "req-2", Actor: other}, ltc.DisqualifyLead{Reason: "not mine"}))
	ok := e.update(3*time.Minute, workflows.UpdateQualifyLead, "req-3", cmd(workflows.Request{ID: "req-3", Actor: manager}, ltc.QualifyLead{Qualification: ltc.Qualification{Urgency: ltc.UrgencyWarm}}))
	e.RegisterDelayedCallback(e.CancelWorkflow, time.Hour)
	e.ExecuteWorkflow(workflows.DealWorkflow, leadInput())

	assert.Equal(t, ltc.KindPermission, kindOf(t, byRep.rejected), "a sales rep cannot qualify")
	assert.Equal(t, ltc.KindPermission, kindOf(t, byStranger.rejected), "only the owner among sales reps may disqualify")
	require.NoError(t, ok.err)
	assert.Equal(t, []string{ltc.EventLeadCreated, ltc.EventLeadQualified, ltc.EventOpportunityCreated}, e.eventTypes())
}

func TestQualifyTwiceIsRefusedNamingTheState(t *testing.T) {
	e := newEnv(t)
	// The second Update arrives while the first is being recorded: the handler's re-check under the lock refuses it.
	first := e.update(time.Minute, workflows.UpdateQualifyLead, "req-1", cmd(workflows.Request{ID: "req-1", Actor: manager}, ltc.QualifyLead{Qualification: ltc.Qualification{Urgency: ltc.UrgencyHot}}))
	second := e.update(time.Minute, workflows.UpdateDisqualifyLead, "req-2", cmd(workflows.Request{ID: "req-2", Actor: manager}, ltc.DisqualifyLead{Reason: "duplicate"}))
	e.RegisterDelayedCallback(e.CancelWorkflow, time.Hour)
	e.ExecuteWorkflow(workflows.DealWorkflow, leadInput())
	require.NoError(t, first.err)
	refused := second.rejected
	if refused == nil {
		refused = second.err
	}
	assert.Equal(t, ltc.KindPrecondition, kindOf(t, refused))
	assert.ErrorContains(t, refused, "is QUALIFIED")
	assert.Equal(t, []string{ltc.EventLeadCreated, ltc.EventLeadQualified, ltc.EventOpportunityCreated}, e.eventTypes())
}

// cmd is the argument of the Update of a command, as the API sends it.
func cmd(r workflows.Request, c ltc.Command) workflows.Update[ltc.Command] {
	return workflows.Update[ltc.Command]{Request: r, Command: c}
}
