package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

// TestADealDrivenToEveryLimitStillWorks takes one deal to each of its limits over gRPC (api.md, Limits): the change
// past each is refused naming the limit, and the deal still works: a default client (4 MiB a message) reads it
// whole and lists it, its process continued as new on the way, and it goes on to its close and project summary.
func TestADealDrivenToEveryLimitStillWorks(t *testing.T) {
	e := testenv.StartEngine(t)
	ctx := context.Background()
	id := toPursuitC(t, e)
	firstRun, err := e.Temporal.DescribeWorkflowExecution(ctx, workflows.DealWorkflowID(id), "")
	require.NoError(t, err)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	text := func(n int, what string) string { return what + " " + strings.Repeat("x", n-len(what)-1) }

	addRisk := func(i int) error {
		r := risk()
		r.Description = text(1000, fmt.Sprintf("risk %d", i))
		_, err := deals.AddRisk(e.As(t, fred), &ltcv1.AddRiskRequest{RequestId: uuid.NewString(), OpportunityId: id, Risk: r})
		return err
	}
	for i := 1; i < ltc.MaxRisks; i++ {
		require.NoError(t, addRisk(i))
	}
	requireCode(t, addRisk(ltc.MaxRisks), codes.FailedPrecondition, "at most 100 risks")

	meet := func(i int) error {
		_, err := deals.RecordMeeting(e.As(t, sara), &ltcv1.RecordMeetingRequest{RequestId: uuid.NewString(), OpportunityId: id,
			Meeting: &ltcv1.Meeting{Kind: ltcv1.MeetingKind_MEETING_KIND_ANALYSIS, Date: &date.Date{Year: 2027, Month: 1, Day: 10},
				Attendees: []*ltcv1.Person{{Id: "sam"}, {Id: "sara"}}, Conclusions: text(4000, fmt.Sprintf("meeting %d", i))}})
		return err
	}
	for i := range ltc.MaxMeetings {
		require.NoError(t, meet(i))
	}
	requireCode(t, meet(ltc.MaxMeetings), codes.FailedPrecondition, "at most 200 meetings")

	report := func(i int) error {
		_, err := deals.SubmitWeeklyReport(e.As(t, sam), &ltcv1.SubmitWeeklyReportRequest{RequestId: uuid.NewString(), OpportunityId: id,
			Report: &ltcv1.WeeklyReport{Progress: fmt.Sprintf("report %d", i), NextSteps: "n", WinRate: 50}})
		return err
	}
	for i := range ltc.MaxWeeklyReports {
		require.NoError(t, report(i))
	}
	requireCode(t, report(ltc.MaxWeeklyReports), codes.FailedPrecondition, "at most 500 weekly reports")

	requestATB := func() (*ltcv1.RequestDecisionResponse, error) {
		req := atbRequest(id)
		req.RequestId = uuid.NewString()
		return decisions.RequestDecision(e.As(t, sam), req)
	}
	for range ltc.MaxDecisions - 1 { // INITIATION was the first
		r, err := requestATB()
		require.NoError(t, err)
		_, err = decisions.WithdrawDecision(e.As(t, sam), &ltcv1.WithdrawDecisionRequest{RequestId: uuid.NewString(), DecisionId: r.Decision.Id, Reason: "again"})
		require.NoError(t, err)
	}
	_, err = requestATB()
	requireCode(t, err, codes.FailedPrecondition, "at most 30 gate decisions")

	// Replaced risk texts count too, until the deal's content is full.
	got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	r := got.Opportunity.Risks[0]
	for i := 0; ; i++ {
		r.Description, r.Mitigation = text(4000, fmt.Sprintf("revision %d", i)), text(4000, "hedge")
		_, err = deals.UpdateRisk(e.As(t, fred), &ltcv1.UpdateRiskRequest{RequestId: uuid.NewString(), OpportunityId: id, Risk: r})
		if err != nil {
			requireCode(t, err, codes.FailedPrecondition, "bytes of meetings, weekly reports and risk texts")
			break
		}
		require.Less(t, i, 1000, "the content limit is reached")
	}

	// The deal is still whole to a default client, and its page is a summary.
	got, err = deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err, "a default client reads the deal at every limit")
	assert.Less(t, proto.Size(got), 4<<20)
	o := got.Opportunity
	require.Len(t, o.Meetings, ltc.MaxMeetings)
	assert.Equal(t, text(4000, "meeting 199"), o.Meetings[199].Conclusions, "the meetings are whole")
	require.Len(t, o.Risks, ltc.MaxRisks)
	assert.Equal(t, text(1000, "risk 99"), o.Risks[99].Description)
	assert.Len(t, o.WeeklyReports, ltc.MaxWeeklyReports)
	assert.Equal(t, "report 499", o.WeeklyReports[len(o.WeeklyReports)-1].Progress)
	assert.Len(t, o.Decisions, ltc.MaxDecisions)
	page, err := deals.ListOpportunities(e.As(t, sam), &ltcv1.ListOpportunitiesRequest{})
	require.NoError(t, err)
	require.Len(t, page.Opportunities, 1)
	assert.Empty(t, page.Opportunities[0].Meetings, "a page carries the deal's summary")
	assert.Less(t, proto.Size(page), 64<<10)

	lastRun, err := e.Temporal.DescribeWorkflowExecution(ctx, workflows.DealWorkflowID(id), "")
	require.NoError(t, err)
	assert.NotEqual(t, firstRun.WorkflowExecutionInfo.Execution.RunId, lastRun.WorkflowExecutionInfo.Execution.RunId,
		"the process continued as new carrying the deal")

	// The deal goes on to its end.
	_, err = deals.CloseOpportunity(e.As(t, sam), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Outcome: ltcv1.Outcome_OUTCOME_LOST, Reason: "price"})
	require.NoError(t, err)
	_, err = deals.SubmitProjectSummary(e.As(t, sam), &ltcv1.SubmitProjectSummaryRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Summary: &ltcv1.ProjectSummary{WinLossReasons: "price", Lessons: "fewer meetings", WinRateAccuracy: "a"}})
	require.NoError(t, err)
	var final ltc.Deal
	require.NoError(t, e.Temporal.GetWorkflow(ctx, workflows.DealWorkflowID(id), "").Get(ctx, &final))
	assert.Equal(t, ltc.OutcomeLost, final.Opportunity.Outcome)
}
