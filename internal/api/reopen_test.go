package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

var (
	// max manages sales and decides as an office executive: the requester who may not approve their own REOPEN.
	max   = ltc.Actor{ID: "max", Name: "Max Manager", Roles: []ltc.Role{ltc.RoleSalesManager, ltc.RoleExecutive}, Authority: 1}
	felix = ltc.Actor{ID: "felix", Name: "Felix Finance", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}}
)

// dealEvents are the types of the deal's events, in order.
func dealEvents(t *testing.T, e *testenv.Engine, id string) []string {
	t.Helper()
	page, err := ltcv1.NewOpportunityServiceClient(e.Conn).ListEvents(e.As(t, mia), &ltcv1.ListEventsRequest{DealId: id, PageSize: 1000})
	require.NoError(t, err)
	var types []string
	for _, ev := range page.Events {
		require.NotNil(t, ev.Payload, "%s is typed", ev.Type)
		types = append(types, ev.Type)
	}
	return types
}

func person(a ltc.Actor) *ltcv1.Person { return &ltcv1.Person{Id: a.ID, Name: a.Name} }

func TestReassignLeadAndDealOwner(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	create := createRequest()
	create.Owner = person(sam)
	created, err := leads.CreateLead(e.As(t, mia), create)
	require.NoError(t, err)
	id := created.Lead.Id

	give := &ltcv1.ReassignLeadRequest{RequestId: uuid.NewString(), LeadId: id, Owner: person(sue), Reason: "territory change"}
	_, err = leads.ReassignLead(e.As(t, sam), give)
	requireCode(t, err, codes.PermissionDenied, "sales_manager")
	_, err = leads.ReassignLead(e.As(t, mia), &ltcv1.ReassignLeadRequest{RequestId: uuid.NewString(), LeadId: id, Owner: person(sue)})
	requireCode(t, err, codes.InvalidArgument, "reason")
	before := dealEvents(t, e, id)

	got, err := leads.ReassignLead(e.As(t, mia), give)
	require.NoError(t, err)
	assert.Equal(t, "sue", got.Lead.Owner.Id)
	again, err := leads.ReassignLead(e.As(t, mia), give)
	require.NoError(t, err, "a retry answers again")
	assert.Equal(t, "sue", again.Lead.Owner.Id)
	assert.Equal(t, append(before, ltc.EventLeadReassigned), dealEvents(t, e, id), "recorded once")
	_, err = leads.GetLead(e.As(t, sam), &ltcv1.GetLeadRequest{Id: id})
	requireCode(t, err, codes.PermissionDenied, "")
	_, err = leads.GetLead(e.As(t, sue), &ltcv1.GetLeadRequest{Id: id})
	require.NoError(t, err)

	_, err = leads.QualifyLead(e.As(t, mia), qualifyRequest(id))
	require.NoError(t, err)
	mine := func(a ltc.Actor) int {
		resp, err := deals.ListOpportunities(e.As(t, a), &ltcv1.ListOpportunitiesRequest{Mine: true})
		require.NoError(t, err)
		return len(resp.Opportunities)
	}
	assert.Equal(t, 1, mine(sue))
	owner := &ltcv1.ReassignOwnerRequest{RequestId: uuid.NewString(), OpportunityId: id, Owner: person(sam), Reason: "sue moves to another office"}
	_, err = deals.ReassignOwner(e.As(t, sue), owner)
	requireCode(t, err, codes.PermissionDenied, "reassigning")
	moved, err := deals.ReassignOwner(e.As(t, eli), owner)
	require.NoError(t, err)
	assert.Equal(t, "sam", moved.Opportunity.Owner.Id)
	assert.Equal(t, 1, mine(sam))
	assert.Equal(t, 0, mine(sue))
	_, err = deals.GetOpportunity(e.As(t, sue), &ltcv1.GetOpportunityRequest{Id: id})
	requireCode(t, err, codes.PermissionDenied, "")

	page, err := deals.ListEvents(e.As(t, mia), &ltcv1.ListEventsRequest{DealId: id, Types: []string{ltc.EventOwnerReassigned, ltc.EventLeadReassigned}})
	require.NoError(t, err)
	require.Len(t, page.Events, 2)
	lead := page.Events[0].GetLeadReassigned()
	assert.Equal(t, []string{"sam", "sue", "territory change"}, []string{lead.Before.Id, lead.After.Id, lead.Reason})
	deal := page.Events[1].GetOwnerReassigned()
	assert.Equal(t, []string{"sue", "sam"}, []string{deal.Before.Id, deal.After.Id})
	assert.Equal(t, []string{"user:sam", "user:sue"}, page.Events[1].Recipients)
}

func TestReassignOwnerAndReviewOfATeamDeal(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	id := toPursuitC(t, e)

	_, err := deals.ReassignOwner(e.As(t, mia), &ltcv1.ReassignOwnerRequest{RequestId: uuid.NewString(), OpportunityId: id, Owner: person(sara), Reason: "r"})
	requireCode(t, err, codes.FailedPrecondition, "SR")
	moved, err := deals.ReassignOwner(e.As(t, mia), &ltcv1.ReassignOwnerRequest{RequestId: uuid.NewString(), OpportunityId: id, Owner: person(sue), Reason: "sam is on leave"})
	require.NoError(t, err)
	roles := map[string]string{}
	for _, m := range moved.Opportunity.Team {
		roles[m.Role.String()] = m.Person.Id
	}
	assert.Equal(t, map[string]string{"TEAM_ROLE_AR": "sue", "TEAM_ROLE_SR": "sara", "TEAM_ROLE_FR": "fred"}, roles)

	req := atbRequest(id)
	req.RequestId = uuid.NewString()
	atb, err := decisions.RequestDecision(e.As(t, sue), req)
	require.NoError(t, err)
	d := atb.Decision.Id
	assert.Contains(t, inbox(t, e, fiona), d)
	assign := &ltcv1.ReassignReviewRequest{RequestId: uuid.NewString(), DecisionId: d, Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE,
		Reviewer: person(felix), Reason: "fiona is away"}
	_, err = decisions.ReassignReview(e.As(t, sue), assign)
	requireCode(t, err, codes.PermissionDenied, "reassigning")
	_, err = decisions.ReassignReview(e.As(t, mia), &ltcv1.ReassignReviewRequest{RequestId: uuid.NewString(), DecisionId: d,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Reviewer: person(fred), Reason: "r"})
	requireCode(t, err, codes.FailedPrecondition, "separation of duties")
	tom := ltc.Actor{ID: "tom", Name: "Tom Sales", Roles: []ltc.Role{ltc.RoleSales}}
	_, err = decisions.ReassignReview(e.As(t, mia), &ltcv1.ReassignReviewRequest{RequestId: uuid.NewString(), DecisionId: d,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Reviewer: person(tom), Reason: "a mistake"})
	require.NoError(t, err)
	assert.Empty(t, inbox(t, e, tom), "not a reviewer: the inbox never lists what its owner may not read")
	assigned, err := decisions.ReassignReview(e.As(t, mia), assign)
	require.NoError(t, err)
	require.Len(t, assigned.Decision.ReviewAssignments, 2)
	assert.Equal(t, "felix", assigned.Decision.ReviewAssignments[1].Reviewer.Id)
	assert.NotContains(t, inbox(t, e, fiona), d, "assigned to someone else")
	assert.Contains(t, inbox(t, e, felix), d)
	review := &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d, Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE,
		Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS}
	_, err = decisions.SubmitReview(e.As(t, fiona), review)
	requireCode(t, err, codes.PermissionDenied, "assigned to felix")
	review.RequestId = uuid.NewString()
	_, err = decisions.SubmitReview(e.As(t, felix), review)
	require.NoError(t, err)
	assert.NotContains(t, inbox(t, e, felix), d)
	// The owner may not take over the deal from someone who reviewed its pending gate.
	_, err = deals.ReassignOwner(e.As(t, mia), &ltcv1.ReassignOwnerRequest{RequestId: uuid.NewString(), OpportunityId: id, Owner: person(felix), Reason: "r"})
	requireCode(t, err, codes.FailedPrecondition, "separation of duties")
	assert.Contains(t, dealEvents(t, e, id), ltc.EventReviewReassigned)
}

func reopenRequest(id string, stage ltcv1.Stage) *ltcv1.RequestDecisionRequest {
	return &ltcv1.RequestDecisionRequest{RequestId: uuid.NewString(), OpportunityId: id, Gate: ltcv1.Gate_GATE_REOPEN,
		Package: &ltcv1.RequestDecisionRequest_Reopen{Reopen: &ltcv1.ReopenPackage{Stage: stage, Rationale: "the customer cancelled the award"}}}
}

// A deal lost at the tender, its summary in and its process ended, is reopened: the request starts its process
// again, the requester may not approve it, the office executive does, and the deal is back in NEGOTIATION with
// its close in its history, taking changes again.
func TestReopenALostDeal(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	id := toPursuitC(t, e)
	gateC(t, e, atbRequest(id), ltcv1.Verdict_VERDICT_APPROVE)
	bidAndTender(t, e, id, ltcv1.Tender_TENDER_LOST)
	_, err := deals.SubmitProjectSummary(e.As(t, sam), &ltcv1.SubmitProjectSummaryRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Summary: &ltcv1.ProjectSummary{WinLossReasons: "price", Lessons: "l", WinRateAccuracy: "a"}})
	require.NoError(t, err)
	var final ltc.Deal
	require.NoError(t, e.Temporal.GetWorkflow(context.Background(), workflows.DealWorkflowID(id), "").Get(context.Background(), &final))
	before := dealEvents(t, e, id)

	bad := reopenRequest(id, ltcv1.Stage_STAGE_BIDDING)
	_, err = decisions.RequestDecision(e.As(t, sam), bad)
	requireCode(t, err, codes.InvalidArgument, "stage")
	_, err = decisions.RequestDecision(e.As(t, sam), &ltcv1.RequestDecisionRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Gate: ltcv1.Gate_GATE_REOPEN, Package: atbRequest(id).Package})
	requireCode(t, err, codes.InvalidArgument, "reopen for REOPEN")
	_, err = decisions.RequestDecision(e.As(t, sue), reopenRequest(id, ltcv1.Stage_STAGE_NEGOTIATION))
	requireCode(t, err, codes.PermissionDenied, "REOPEN")
	assert.Equal(t, before, dealEvents(t, e, id), "refusals record nothing")

	req := reopenRequest(id, ltcv1.Stage_STAGE_NEGOTIATION)
	requested, err := decisions.RequestDecision(e.As(t, max), req)
	require.NoError(t, err)
	retried, err := decisions.RequestDecision(e.As(t, max), req)
	require.NoError(t, err)
	assert.Equal(t, requested.Decision.Id, retried.Decision.Id, "a retry opens nothing new")
	assert.Equal(t, ltcv1.Gate_GATE_REOPEN, requested.Decision.Gate)
	assert.Equal(t, int32(1), requested.Decision.Authority, "the deal's level C: the office")
	assert.Contains(t, inbox(t, e, eli), requested.Decision.Id)

	decide := func(a ltc.Actor) error {
		_, err := decisions.Decide(e.As(t, a), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: requested.Decision.Id,
			Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "the award was cancelled; we can win it"})
		return err
	}
	requireCode(t, decide(max), codes.PermissionDenied, "you requested it")
	requireCode(t, decide(sam), codes.PermissionDenied, "")
	require.NoError(t, decide(eli))

	got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	o := got.Opportunity
	assert.Equal(t, ltcv1.Stage_STAGE_NEGOTIATION, o.Stage)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_UNSPECIFIED, o.Outcome)
	assert.Nil(t, o.Summary)
	require.Len(t, o.Reopenings, 1)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_LOST, o.Reopenings[0].Outcome)
	assert.Equal(t, "price", o.Reopenings[0].Summary.WinLossReasons)
	assert.Equal(t, append(before, ltc.EventDecisionRequested, ltc.EventDecisionDecided, ltc.EventOpportunityReopened), dealEvents(t, e, id))

	// The process runs again: the team reports, and the deal may be closed again.
	_, err = deals.SubmitWeeklyReport(e.As(t, sara), &ltcv1.SubmitWeeklyReportRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Report: &ltcv1.WeeklyReport{Progress: "back at the table", WinRate: 40, NextSteps: "new offer"}})
	require.NoError(t, err)
	_, err = deals.CloseOpportunity(e.As(t, sam), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Outcome: ltcv1.Outcome_OUTCOME_ABANDONED, Reason: "budget gone"})
	require.NoError(t, err)
	_, err = decisions.RequestDecision(e.As(t, sam), reopenRequest(id, ltcv1.Stage_STAGE_VALIDATION))
	require.NoError(t, err, "reopened again while its process runs")
}

func TestReopenOutsideTheWindowAndRejected(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) { p.ReopenWindow = ltc.Duration(3 * time.Second) })
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	closeLost := func(id string) {
		_, err := deals.CloseOpportunity(e.As(t, sam), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
			Outcome: ltcv1.Outcome_OUTCOME_LOST, Reason: "budget cut"})
		require.NoError(t, err)
	}
	late := qualifiedDeal(t, e)
	closeLost(late)
	rejected := qualifiedDeal(t, e)
	closeLost(rejected)

	requested, err := decisions.RequestDecision(e.As(t, sam), reopenRequest(rejected, ltcv1.Stage_STAGE_VALIDATION))
	require.NoError(t, err)
	_, err = decisions.RequestDecision(e.As(t, sam), reopenRequest(rejected, ltcv1.Stage_STAGE_PURSUIT))
	requireCode(t, err, codes.FailedPrecondition, "pending REOPEN")
	assert.Equal(t, int32(2), requested.Decision.Authority, "a level-B deal (its value) that never had INITIATION: the region")
	_, err = decisions.Decide(e.As(t, eva), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: requested.Decision.Id,
		Verdict: ltcv1.Verdict_VERDICT_REJECT, Rationale: "no"})
	require.NoError(t, err)
	got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: rejected})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Stage_STAGE_CLOSED, got.Opportunity.Stage)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_LOST, got.Opportunity.Outcome)
	assert.NotNil(t, got.Opportunity.SummaryDueTime, "the summary is still owed")

	time.Sleep(3 * time.Second)
	before := dealEvents(t, e, late)
	_, err = decisions.RequestDecision(e.As(t, sam), reopenRequest(late, ltcv1.Stage_STAGE_VALIDATION))
	requireCode(t, err, codes.FailedPrecondition, "reopen window")
	assert.Equal(t, before, dealEvents(t, e, late))
}

// A deal keeps the policy it started with when its ended process is started again by a REOPEN request, even on a
// server that runs another policy now: the policy comes from the deal's last run, as Temporal keeps it.
func TestReopenKeepsThePolicyTheDealStartedWith(t *testing.T) {
	day := 24 * time.Hour
	old := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "old-1"
		lc := p.Levels[ltc.LevelC]
		lc.DecisionSLA = ltc.Duration(11 * day)
		p.Levels[ltc.LevelC] = lc
	})
	id := toPursuitC(t, old)
	deals := ltcv1.NewOpportunityServiceClient(old.Conn)
	_, err := deals.CloseOpportunity(old.As(t, sam), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Outcome: ltcv1.Outcome_OUTCOME_ABANDONED, Reason: "customer froze the budget"})
	require.NoError(t, err)
	_, err = deals.SubmitProjectSummary(old.As(t, sam), &ltcv1.SubmitProjectSummaryRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Summary: &ltcv1.ProjectSummary{WinLossReasons: "budget", Lessons: "l", WinRateAccuracy: "a"}})
	require.NoError(t, err)
	var final ltc.Deal
	require.NoError(t, old.Temporal.GetWorkflow(context.Background(), workflows.DealWorkflowID(id), "").Get(context.Background(), &final))

	current := startWithPolicy(t, func(p *ltc.Policy) { p.Version = "new-2" }, testenv.Configure(func(c *config.Config) {
		c.DatabaseURL, c.TaskQueue, c.JWTSecret = old.Config.DatabaseURL, old.Config.TaskQueue, old.Config.JWTSecret
	}))
	requested, err := ltcv1.NewDecisionServiceClient(current.Conn).RequestDecision(current.As(t, sam), reopenRequest(id, ltcv1.Stage_STAGE_PURSUIT))
	require.NoError(t, err)
	d := requested.Decision
	assert.Equal(t, 11*day, d.DueTime.AsTime().Sub(d.RequestTime.AsTime()), "the SLA of the deal's policy, old-1")
	got, err := ltcv1.NewOpportunityServiceClient(current.Conn).GetOpportunity(current.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	assert.Equal(t, "old-1", got.Opportunity.PolicyVersion)
}
