package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/activities"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/workflows"
)

var eve = ltc.Actor{ID: "eve", Name: "Eve Executive", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: ltc.MaxAuthority}

const accountID = "5d1c2a7e-93b4-4f0e-8a61-0c2b9d4e7f11"

// accountEnv is a time-skipping environment running one account's process, its writes recorded instead of made.
type accountEnv struct {
	*testsuite.TestWorkflowEnvironment
	changes []store.AccountChange
}

func newAccountEnv(t *testing.T) *accountEnv {
	var suite testsuite.WorkflowTestSuite
	e := &accountEnv{TestWorkflowEnvironment: suite.NewTestWorkflowEnvironment()}
	e.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	e.SetStartTime(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	e.RegisterWorkflow(workflows.AccountWorkflow)
	var a *activities.Activities
	e.RegisterActivity(a)
	e.OnActivity(a.RecordAccountChange, mock.Anything, mock.Anything).Return(func(_ context.Context, c store.AccountChange) (store.AccountWrite, error) {
		e.changes = append(e.changes, c)
		return store.AccountWrite{}, nil
	})
	return e
}

func (e *accountEnv) update(at time.Duration, name, id string, actor ltc.Actor, c ltc.AccountCommand) *outcome {
	o := &outcome{}
	e.RegisterDelayedCallback(func() {
		e.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { o.rejected, o.done = err, true },
			OnComplete: func(_ any, err error) { o.err, o.done = err, true },
		}, workflows.AccountUpdate[ltc.AccountCommand]{Request: workflows.Request{ID: id, Actor: actor}, Command: c})
	}, at)
	return o
}

// events are the account's events in the order written, with when they happened.
func (e *accountEnv) events() []ltc.Event {
	var out []ltc.Event
	for _, c := range e.changes {
		out = append(out, c.Events...)
	}
	return out
}

func strategicAccount() ltc.CreateAccount {
	return ltc.CreateAccount{Name: "Acme Telecom", Grade: ltc.GradeS, Region: "EMEA", Owner: sales.Person(),
		GradeRationale: "national operator, 30% of the region's market"}
}

func TestAMissedRelationshipReviewIsOverdueThenEscalatedToManagersThenExecutives(t *testing.T) {
	e := newAccountEnv(t)
	day := 24 * time.Hour
	created := e.update(30*time.Second, workflows.UpdateCreateAccount, "r-create", eve, strategicAccount())
	e.RegisterDelayedCallback(e.CancelWorkflow, 100*day)
	e.ExecuteWorkflow(workflows.AccountWorkflow, workflows.AccountInput{ID: ltc.AccountID("r-create"), Policy: ltc.DefaultPolicy()})
	require.True(t, created.done)
	require.NoError(t, created.err)

	// Created on 2 November: the Q4 review is due at the end of the year, overdue after 14 days of grace, escalated
	// to the managers 7 days later and to the executives 7 days after that.
	yearEnd := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	var got []string
	var at []time.Time
	for _, ev := range e.events() {
		got, at = append(got, ev.Type), append(at, ev.OccurredAt)
	}
	require.Equal(t, []string{ltc.EventAccountCreated, ltc.EventRelationshipReviewOverdue, ltc.EventRelationshipReviewEscalated,
		ltc.EventRelationshipReviewEscalated}, got)
	assert.Equal(t, yearEnd.Add(14*day), at[1])
	assert.Equal(t, yearEnd.Add(21*day), at[2])
	assert.Equal(t, yearEnd.Add(28*day), at[3])
	assert.Contains(t, e.events()[2].Recipients, "role:sales_manager@/", "first to the owner's managers")
	assert.Contains(t, e.events()[3].Recipients, "role:executive@/", "then to the executives in scope")
	last := e.changes[len(e.changes)-1].Account.Cadence
	assert.True(t, last.Overdue)
	assert.Equal(t, 2, last.Escalations)
}

func TestARecordedReviewClearsTheCadenceAndGradeBEndsIt(t *testing.T) {
	e := newAccountEnv(t)
	day := 24 * time.Hour
	e.update(30*time.Second, workflows.UpdateCreateAccount, "r-create", eve, strategicAccount())
	// Overdue on 15 January; the review of Q4 comes on 20 January, before its escalation on the 22nd; the next is
	// due at the end of Q1 2027.
	review := e.update(79*day, workflows.UpdateRecordRelationshipReview, "r-review", sales, ltc.RecordRelationshipReview{
		Review: ltc.RelationshipReview{Quarter: "2026-Q4", HeldOn: ltc.Date{Year: 2027, Month: 1, Day: 19}, Conclusions: "CTO now favours us"}})
	downgrade := e.update(80*day, workflows.UpdateGradeAccount, "r-grade", eve, ltc.GradeAccount{Grade: ltc.GradeB, Rationale: "market exit"})
	e.RegisterDelayedCallback(e.CancelWorkflow, 400*day)
	e.ExecuteWorkflow(workflows.AccountWorkflow, workflows.AccountInput{ID: ltc.AccountID("r-create"), Policy: ltc.DefaultPolicy()})
	require.NoError(t, review.err)
	require.NoError(t, review.rejected)
	require.NoError(t, downgrade.err)
	require.NoError(t, downgrade.rejected)

	var types []string
	for _, ev := range e.events() {
		types = append(types, ev.Type)
	}
	assert.Equal(t, []string{ltc.EventAccountCreated, ltc.EventRelationshipReviewOverdue, ltc.EventRelationshipReviewRecorded,
		ltc.EventAccountGraded}, types,
		"the review came before the escalation (22 January); grade B ended the cadence, so nothing fell due for the rest of the year")
	reviewed := e.changes[2].Account.Cadence
	assert.False(t, reviewed.Overdue)
	assert.Equal(t, time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), reviewed.ReviewDue)
	assert.Nil(t, e.changes[3].Account.Cadence)
}

func TestARefusedCommandLeavesNoTraceAndAStartForNoAccountEnds(t *testing.T) {
	e := newAccountEnv(t)
	refused := e.update(30*time.Second, workflows.UpdateCreateAccount, "r-create", sales, strategicAccount())
	e.ExecuteWorkflow(workflows.AccountWorkflow, workflows.AccountInput{ID: ltc.AccountID("r-create"), Policy: ltc.DefaultPolicy()})
	require.True(t, e.IsWorkflowCompleted())
	require.NoError(t, e.GetWorkflowError(), "a process whose account was never created ends")
	require.True(t, refused.done)
	assert.Equal(t, ltc.KindPermission, kindOf(t, refused.rejected), "grading S needs an executive")
	assert.Empty(t, e.changes)
}

func TestAnErasureClosesTheRunThatHeldThePersonsData(t *testing.T) {
	account, err := ltc.RunAccount(strategicAccount(), ltc.Account{}, ltc.Context{Actor: eve, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Policy: ltc.DefaultPolicy(), RequestID: "r-create"})
	require.NoError(t, err)
	e := newAccountEnv(t)
	added := e.update(time.Minute, workflows.UpdateAddContact, "r-add", sales, ltc.AddContact{Contact: ltc.Contact{Name: "Li Wei", Title: "CTO", Role: ltc.ContactDecisionMaker}})
	erased := e.update(2*time.Minute, workflows.UpdateEraseContact, "r-erase", sales, ltc.EraseContact{ContactID: ltc.ContactID("r-add")})
	e.ExecuteWorkflow(workflows.AccountWorkflow, workflows.AccountInput{ID: account.Account.ID, Policy: ltc.DefaultPolicy(),
		Account: &account.Account, Revision: 1})
	require.NoError(t, added.err)
	require.NoError(t, erased.err)
	require.NoError(t, erased.rejected)

	var again *workflow.ContinueAsNewError
	require.True(t, errors.As(e.GetWorkflowError(), &again), "the run continues as new at once: %v", e.GetWorkflowError())
	var next workflows.AccountInput
	require.NoError(t, json.Unmarshal(again.Input.GetPayloads()[0].GetData(), &next))
	assert.Equal(t, int64(3), next.Revision)
	require.Len(t, next.Account.Contacts, 1)
	assert.True(t, next.Account.Contacts[0].Erased)
	assert.Empty(t, next.Account.Contacts[0].Name, "the next run starts without the person's data")
	assert.Equal(t, []string{"r-add", "r-erase"}, next.Applied)
	for _, c := range e.changes {
		for _, ev := range c.Events {
			assert.NotContains(t, string(ev.Data), "Li Wei", "no event carries a contact's name")
		}
		assert.NotContains(t, string(c.Request.Result), "Li Wei", "no request record carries it either")
	}
}

// A creation the database refuses as a second account of the customer (a race the API's check could not see)
// fails with the existing account's id for the API to name; the process, whose account was never made, ends.
func TestACreationTheDatabaseRefusesAsADuplicateNamesTheAccount(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	e := suite.NewTestWorkflowEnvironment()
	e.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	e.RegisterWorkflow(workflows.AccountWorkflow)
	var a *activities.Activities
	e.RegisterActivity(a)
	e.OnActivity(a.RecordAccountChange, mock.Anything, mock.Anything).Return(store.AccountWrite{},
		temporal.NewNonRetryableApplicationError("an account of that name and region exists already", activities.DuplicateAccount, nil, accountID))
	var failed error
	e.RegisterDelayedCallback(func() {
		e.UpdateWorkflow(workflows.UpdateCreateAccount, "r-create", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { failed = err },
			OnComplete: func(_ any, err error) { failed = err },
		}, workflows.AccountUpdate[ltc.AccountCommand]{Request: workflows.Request{ID: "r-create", Actor: eve}, Command: strategicAccount()})
	}, time.Second)
	e.ExecuteWorkflow(workflows.AccountWorkflow, workflows.AccountInput{ID: ltc.AccountID("r-create"), Policy: ltc.DefaultPolicy()})
	require.NoError(t, e.GetWorkflowError())
	var app *temporal.ApplicationError
	require.ErrorAs(t, failed, &app)
	assert.Equal(t, activities.DuplicateAccount, app.Type())
	var existing string
	require.NoError(t, app.Details(&existing))
	assert.Equal(t, accountID, existing)
}
