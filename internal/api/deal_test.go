package api_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

var (
	sara  = ltc.Actor{ID: "sara", Name: "Sara Solution", Roles: []ltc.Role{ltc.RoleSales}}
	fred  = ltc.Actor{ID: "fred", Name: "Fred Fulfilment", Roles: []ltc.Role{ltc.RoleSales}}
	eli   = ltc.Actor{ID: "eli", Name: "Eli Office", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1}
	eva   = ltc.Actor{ID: "eva", Name: "Eva Region", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2}
	eric  = ltc.Actor{ID: "eric", Name: "Eric Corporate", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3}
	fiona = ltc.Actor{ID: "fiona", Name: "Fiona Finance", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}}
)

// qualifiedDeal creates and qualifies a lead as sam and mia, and returns the deal's id.
func qualifiedDeal(t *testing.T, e *testenv.Engine) string {
	t.Helper()
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	created, err := leads.CreateLead(e.As(t, sam), createRequest())
	require.NoError(t, err)
	_, err = leads.QualifyLead(e.As(t, mia), qualifyRequest(created.Lead.Id))
	require.NoError(t, err)
	return created.Lead.Id
}

// startWithPolicy starts an engine whose new deals run under the default policy as adjust changes it; options
// adjust the engine further.
func startWithPolicy(t *testing.T, adjust func(*ltc.Policy), options ...testenv.Option) *testenv.Engine {
	t.Helper()
	policy := ltc.DefaultPolicy()
	adjust(&policy)
	path := filepath.Join(t.TempDir(), "policy.json")
	b, err := json.Marshal(policy)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return testenv.StartEngine(t, append(options, testenv.Configure(func(c *config.Config) { c.PolicyFile = path }))...)
}

// assessedInitiation qualifies a deal, assesses it as sam and requests INITIATION at the level as the requester.
func assessedInitiation(t *testing.T, e *testenv.Engine, requester ltc.Actor, level ltcv1.ProjectLevel) (string, *ltcv1.Decision) {
	t.Helper()
	id := qualifiedDeal(t, e)
	_, err := ltcv1.NewOpportunityServiceClient(e.Conn).UpdateAssessment(e.As(t, sam), &ltcv1.UpdateAssessmentRequest{
		RequestId: uuid.NewString(), OpportunityId: id, Assessment: assessment()})
	require.NoError(t, err)
	requested, err := ltcv1.NewDecisionServiceClient(e.Conn).RequestDecision(e.As(t, requester), &ltcv1.RequestDecisionRequest{
		RequestId: uuid.NewString(), OpportunityId: id, Gate: ltcv1.Gate_GATE_INITIATION,
		Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
			ProposedLevel: level, Rationale: "worth pursuing"}}})
	require.NoError(t, err)
	return id, requested.Decision
}

func inbox(t *testing.T, e *testenv.Engine, a ltc.Actor) []string {
	t.Helper()
	resp, err := ltcv1.NewDecisionServiceClient(e.Conn).ListDecisions(e.As(t, a), &ltcv1.ListDecisionsRequest{PendingForMe: true})
	require.NoError(t, err)
	ids := []string{}
	for _, d := range resp.Decisions {
		ids = append(ids, d.Id)
	}
	return ids
}

func assessment() *ltcv1.Assessment {
	return &ltcv1.Assessment{WinRate: 60, Value: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 400_000_00},
		Competitors: []string{"Globex"}, DecisionChain: "CTO decides, CFO signs"}
}

func team() []*ltcv1.TeamMember {
	return []*ltcv1.TeamMember{
		{Person: &ltcv1.Person{Id: "sam", Name: "Sam Sales"}, Role: ltcv1.TeamRole_TEAM_ROLE_AR},
		{Person: &ltcv1.Person{Id: "sara", Name: "Sara Solution"}, Role: ltcv1.TeamRole_TEAM_ROLE_SR},
		{Person: &ltcv1.Person{Id: "fred", Name: "Fred Fulfilment"}, Role: ltcv1.TeamRole_TEAM_ROLE_FR},
	}
}

func TestDealFromLeadToPursuit(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	id := qualifiedDeal(t, e)

	_, err := decisions.RequestDecision(e.As(t, sam), &ltcv1.RequestDecisionRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Gate: ltcv1.Gate_GATE_INITIATION, Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
			ProposedLevel: ltcv1.ProjectLevel_PROJECT_LEVEL_B, Rationale: "strategic"}}})
	requireCode(t, err, codes.FailedPrecondition, "assessment")

	_, err = deals.UpdateAssessment(e.As(t, sue), &ltcv1.UpdateAssessmentRequest{RequestId: uuid.NewString(), OpportunityId: id, Assessment: assessment()})
	requireCode(t, err, codes.PermissionDenied, "ownership")
	_, err = deals.UpdateAssessment(e.As(t, sam), &ltcv1.UpdateAssessmentRequest{RequestId: uuid.NewString(), OpportunityId: id, Assessment: assessment()})
	require.NoError(t, err)

	for _, a := range []ltc.Actor{eli, eva, eric, mia, fiona} {
		assert.Empty(t, inbox(t, e, a), "%s: nothing pending yet", a.ID)
	}
	requested, err := decisions.RequestDecision(e.As(t, sam), &ltcv1.RequestDecisionRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Gate: ltcv1.Gate_GATE_INITIATION, Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
			ProposedLevel: ltcv1.ProjectLevel_PROJECT_LEVEL_B, Rationale: "strategic account, budget confirmed"}}})
	require.NoError(t, err)
	d := requested.Decision
	assert.Equal(t, ltcv1.DecisionStatus_DECISION_STATUS_PENDING, d.Status)
	assert.Equal(t, int32(2), d.Authority)
	assert.Equal(t, int32(60), d.GetInitiation().Assessment.WinRate, "the package carries the assessment")

	assert.Equal(t, []string{d.Id}, inbox(t, e, eva), "level B: region executives decide")
	assert.Equal(t, []string{d.Id}, inbox(t, e, eric), "a higher level may always decide")
	assert.Empty(t, inbox(t, e, eli), "authority 1 is not enough")
	assert.Empty(t, inbox(t, e, mia), "managers decide level C only")
	assert.Empty(t, inbox(t, e, fiona), "no review is asked for")
	assert.Empty(t, inbox(t, e, sam))

	_, err = decisions.Decide(e.As(t, eli), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "go"})
	requireCode(t, err, codes.PermissionDenied, "authority 2 or higher")
	approve := &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "fits the regional plan"}
	decided, err := decisions.Decide(e.As(t, eva), approve)
	require.NoError(t, err)
	assert.Equal(t, "eva", decided.Decision.DecidedBy.Id)
	assert.Equal(t, int32(2), decided.Decision.DeciderAuthority)
	again, err := decisions.Decide(e.As(t, eva), approve)
	require.NoError(t, err, "a retried decision returns the first result")
	assert.Equal(t, decided.Decision.DecideTime.AsTime(), again.Decision.DecideTime.AsTime())
	for _, a := range []ltc.Actor{eli, eva, eric, mia, fiona, sam} {
		assert.Empty(t, inbox(t, e, a), "%s: decided, out of every inbox", a.ID)
	}
	_, err = decisions.Decide(e.As(t, eric), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Verdict: ltcv1.Verdict_VERDICT_REJECT, Rationale: "too late"})
	requireCode(t, err, codes.FailedPrecondition, "APPROVED")

	_, err = deals.AppointTeam(e.As(t, sam), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: team()})
	requireCode(t, err, codes.PermissionDenied, "sales_manager")
	_, err = deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: team()[:2]})
	requireCode(t, err, codes.InvalidArgument, "")
	appointed, err := deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: team()})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Stage_STAGE_PURSUIT, appointed.Opportunity.Stage)
	assert.Equal(t, ltcv1.ProjectLevel_PROJECT_LEVEL_B, appointed.Opportunity.Level)

	_, err = deals.CloseOpportunity(e.As(t, sue), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Outcome: ltcv1.Outcome_OUTCOME_LOST, Reason: "not mine"})
	requireCode(t, err, codes.PermissionDenied, "AR")
	_, err = deals.CloseOpportunity(e.As(t, sam), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Outcome: ltcv1.Outcome_OUTCOME_WON, Reason: "cheat"})
	requireCode(t, err, codes.InvalidArgument, "outcome")
	_, err = deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: uuid.NewString()})
	requireCode(t, err, codes.NotFound, "not found")
	_, err = decisions.Decide(e.As(t, eva), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: uuid.NewString(),
		Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "?"})
	requireCode(t, err, codes.NotFound, "not found")

	got, err := deals.GetOpportunity(e.As(t, fred), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	deal := got.Opportunity
	assert.Equal(t, ltcv1.Stage_STAGE_PURSUIT, deal.Stage)
	assert.Len(t, deal.Team, 3)
	require.Len(t, deal.Decisions, 1)
	assert.Equal(t, ltcv1.DecisionStatus_DECISION_STATUS_APPROVED, deal.Decisions[0].Status)
	assert.Equal(t, "Globex", deal.Assessment.Competitors[0])

	list, err := deals.ListOpportunities(e.As(t, eva), &ltcv1.ListOpportunitiesRequest{Stage: ltcv1.Stage_STAGE_PURSUIT,
		Level: ltcv1.ProjectLevel_PROJECT_LEVEL_B, OwnerId: "sam", Customer: "acme"})
	require.NoError(t, err)
	require.Len(t, list.Opportunities, 1)
	none, err := deals.ListOpportunities(e.As(t, eva), &ltcv1.ListOpportunitiesRequest{Stage: ltcv1.Stage_STAGE_VALIDATION})
	require.NoError(t, err)
	assert.Empty(t, none.Opportunities)

	eventsPage, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Limit: 100})
	events := eventsPage.Events
	require.NoError(t, err)
	var got2 []string
	for i, ev := range events {
		assert.Equal(t, int64(i+1), ev.DealSequence)
		got2 = append(got2, ev.Type+" "+ev.StageBefore+">"+ev.StageAfter)
	}
	assert.Equal(t, []string{
		"lead.created >NEW",
		"lead.qualified NEW>QUALIFIED",
		"opportunity.created >VALIDATION",
		"opportunity.assessment_updated VALIDATION>VALIDATION",
		"decision.requested VALIDATION>INITIATION_REVIEW",
		"decision.decided INITIATION_REVIEW>TEAM_FORMATION",
		"team.appointed TEAM_FORMATION>PURSUIT",
	}, got2, "every step once, in order; refused calls left nothing")

	keepHistory(t, e, workflows.DealWorkflowID(id), "deal_initiation_to_pursuit")
}

func TestReviewerInboxAndLevelCByManager(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-reviews"
		p.InitiationReviews = []ltc.ReviewFunction{ltc.FunctionFinance}
	})
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	id, d := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_C)

	assert.Equal(t, []string{d.Id}, inbox(t, e, fiona), "the FINANCE review is owed")
	assert.Equal(t, []string{d.Id}, inbox(t, e, mia), "level C: the sales manager decides")
	assert.Equal(t, []string{d.Id}, inbox(t, e, eli))

	_, err := decisions.Decide(e.As(t, mia), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "go"})
	requireCode(t, err, codes.FailedPrecondition, "FINANCE review")
	_, err = decisions.SubmitReview(e.As(t, sam), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
	requireCode(t, err, codes.PermissionDenied, "reviewer")
	reviewed, err := decisions.SubmitReview(e.As(t, fiona), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS_WITH_CONCERNS, Comments: "margin thin"})
	require.NoError(t, err)
	require.Len(t, reviewed.Decision.Reviews, 1)
	assert.Empty(t, inbox(t, e, fiona), "review in: nothing owed")

	withdrawn, err := decisions.WithdrawDecision(e.As(t, sam), &ltcv1.WithdrawDecisionRequest{RequestId: uuid.NewString(), DecisionId: d.Id, Reason: "wait for Q1"})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.DecisionStatus_DECISION_STATUS_WITHDRAWN, withdrawn.Decision.Status)
	assert.Empty(t, inbox(t, e, mia))
	got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Stage_STAGE_VALIDATION, got.Opportunity.Stage)
	assert.Equal(t, "test-reviews", got.Opportunity.PolicyVersion, "the deal pins the policy it started with")

	got2, err := decisions.GetDecision(e.As(t, fiona), &ltcv1.GetDecisionRequest{Id: d.Id})
	require.NoError(t, err)
	assert.Equal(t, "margin thin", got2.Decision.Reviews[0].Comments)
}

func TestUnansweredDecisionEscalatesOnTimeThenReject(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-fast-sla"
		lc := p.Levels[ltc.LevelC]
		lc.DecisionSLA = ltc.Duration(time.Second)
		p.Levels[ltc.LevelC] = lc
	})
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	id, d := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_C)

	require.Eventually(t, func() bool {
		got, err := decisions.GetDecision(e.As(t, sam), &ltcv1.GetDecisionRequest{Id: d.Id})
		return err == nil && got.Decision.Overdue
	}, 30*time.Second, 100*time.Millisecond, "manager -> 1 -> 2 -> 3 -> overdue, one SLA each")
	assert.Empty(t, inbox(t, e, mia), "escalated past the manager")
	assert.Empty(t, inbox(t, e, eva), "escalated past authority 2")
	assert.Equal(t, []string{d.Id}, inbox(t, e, eric))

	eventsPage, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Limit: 100,
		Types: []string{ltc.EventDecisionEscalated, ltc.EventDecisionOverdue}})
	events := eventsPage.Events
	require.NoError(t, err)
	var recipients [][]string
	for _, ev := range events {
		recipients = append(recipients, ev.Recipients)
	}
	assert.Equal(t, [][]string{{"authority:1@/"}, {"authority:2@/"}, {"authority:3@/"}, {"authority:3@/", "user:sam"}}, recipients)

	rejected, err := decisions.Decide(e.As(t, eric), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Verdict: ltcv1.Verdict_VERDICT_REJECT, Rationale: "not a fit"})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.DecisionStatus_DECISION_STATUS_REJECTED, rejected.Decision.Status)
	got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_NOT_PURSUED, got.Opportunity.Outcome)
	_, err = deals.UpdateAssessment(e.As(t, sam), &ltcv1.UpdateAssessmentRequest{RequestId: uuid.NewString(), OpportunityId: id, Assessment: assessment()})
	requireCode(t, err, codes.FailedPrecondition, "CLOSED (NOT_PURSUED)")

	keepHistory(t, e, workflows.DealWorkflowID(id), "deal_escalation_then_reject")
}
