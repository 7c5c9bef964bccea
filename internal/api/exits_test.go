package api_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

// toPursuitC takes a new level-C deal to PURSUIT with a risk (the manager decides INITIATION).
func toPursuitC(t *testing.T, e *testenv.Engine) string {
	t.Helper()
	id, d := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_C)
	_, err := ltcv1.NewDecisionServiceClient(e.Conn).Decide(e.As(t, mia), &ltcv1.DecideRequest{RequestId: uuid.NewString(),
		DecisionId: d.Id, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "go"})
	require.NoError(t, err)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	_, err = deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: team()})
	require.NoError(t, err)
	_, err = deals.AddRisk(e.As(t, fred), &ltcv1.AddRiskRequest{RequestId: uuid.NewString(), OpportunityId: id, Risk: risk()})
	require.NoError(t, err)
	return id
}

// gateC requests a gate on a level-C deal, has its FINANCE review in and decides it as an office executive.
func gateC(t *testing.T, e *testenv.Engine, req *ltcv1.RequestDecisionRequest, v ltcv1.Verdict) {
	t.Helper()
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	req.RequestId = uuid.NewString()
	r, err := decisions.RequestDecision(e.As(t, sam), req)
	require.NoError(t, err)
	_, err = decisions.SubmitReview(e.As(t, fiona), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: r.Decision.Id,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
	require.NoError(t, err)
	_, err = decisions.Decide(e.As(t, eli), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: r.Decision.Id, Verdict: v, Rationale: "r"})
	require.NoError(t, err)
}

func atbRequest(id string) *ltcv1.RequestDecisionRequest {
	return &ltcv1.RequestDecisionRequest{OpportunityId: id, Gate: ltcv1.Gate_GATE_ATB, Package: &ltcv1.RequestDecisionRequest_Bid{Bid: &ltcv1.BidPackage{
		Strategy: "s", ProposedPrice: eur(500_000), GrossMarginPercent: 30, PaymentTerms: "p", DeliveryFeasibility: "f", WinRate: 50}}}
}

func bidAndTender(t *testing.T, e *testenv.Engine, id string, result ltcv1.Tender) {
	t.Helper()
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	_, err := deals.SubmitBid(e.As(t, sam), &ltcv1.SubmitBidRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Bid: &ltcv1.Bid{Price: eur(500_000), Date: &date.Date{Year: 2027, Month: 1, Day: 1}, Reference: "B"}})
	require.NoError(t, err)
	_, err = deals.RecordTenderResult(e.As(t, sam), &ltcv1.RecordTenderResultRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Result: &ltcv1.TenderResult{Result: result, Winner: "Globex", Reason: "price"}})
	require.NoError(t, err)
}

// TestEveryExitOverGRPC closes a deal by each way out of the process, submits its summary (which ends the
// process) and keeps each history for the replay tests.
func TestEveryExitOverGRPC(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	for name, tt := range map[string]struct {
		drive func(id string)
		want  ltcv1.Outcome
	}{
		"no_bid": {func(id string) { gateC(t, e, atbRequest(id), ltcv1.Verdict_VERDICT_REJECT) }, ltcv1.Outcome_OUTCOME_NO_BID},
		"lost_tender": {func(id string) {
			gateC(t, e, atbRequest(id), ltcv1.Verdict_VERDICT_APPROVE)
			bidAndTender(t, e, id, ltcv1.Tender_TENDER_LOST)
		}, ltcv1.Outcome_OUTCOME_LOST},
		"cancelled": {func(id string) {
			gateC(t, e, atbRequest(id), ltcv1.Verdict_VERDICT_APPROVE)
			bidAndTender(t, e, id, ltcv1.Tender_TENDER_CANCELLED)
		}, ltcv1.Outcome_OUTCOME_CANCELLED},
		"abandoned_at_atc": {func(id string) {
			gateC(t, e, atbRequest(id), ltcv1.Verdict_VERDICT_APPROVE)
			bidAndTender(t, e, id, ltcv1.Tender_TENDER_SHORTLISTED)
			gateC(t, e, &ltcv1.RequestDecisionRequest{OpportunityId: id, Gate: ltcv1.Gate_GATE_ATC, Package: &ltcv1.RequestDecisionRequest_Contract{
				Contract: &ltcv1.ContractPackage{FinalPrice: eur(480_000), GrossMarginPercent: 30, PaymentTerms: "p", ContractReference: "C"}}}, ltcv1.Verdict_VERDICT_REJECT)
		}, ltcv1.Outcome_OUTCOME_ABANDONED},
		"lost_by_hand": {func(id string) {
			_, err := deals.CloseOpportunity(e.As(t, sam), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
				Outcome: ltcv1.Outcome_OUTCOME_LOST, Reason: "budget cut"})
			require.NoError(t, err)
		}, ltcv1.Outcome_OUTCOME_LOST},
	} {
		t.Run(name, func(t *testing.T) {
			id := toPursuitC(t, e)
			tt.drive(id)
			_, err := deals.SubmitProjectSummary(e.As(t, sam), &ltcv1.SubmitProjectSummaryRequest{RequestId: uuid.NewString(), OpportunityId: id,
				Summary: &ltcv1.ProjectSummary{WinLossReasons: "r", Lessons: "l", WinRateAccuracy: "a"}})
			require.NoError(t, err)
			var final ltc.Deal
			require.NoError(t, e.Temporal.GetWorkflow(context.Background(), workflows.DealWorkflowID(id), "").Get(context.Background(), &final))
			assert.NotNil(t, final.Opportunity.Summary, "the summary ended the process")
			got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Opportunity.Outcome)
			keepHistory(t, e, workflows.DealWorkflowID(id), "deal_exit_"+name)
		})
	}
}

// TestConcurrentChangesOnOneDeal sends reports, reviews and team changes to one deal at once: the process takes
// them one at a time, every accepted one is recorded once, and the deal ends consistent.
func TestConcurrentChangesOnOneDeal(t *testing.T) {
	e := testenv.StartEngine(t)
	id := toPursuitC(t, e)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	r, err := decisions.RequestDecision(e.As(t, sam), func() *ltcv1.RequestDecisionRequest {
		q := atbRequest(id)
		q.RequestId = uuid.NewString()
		return q
	}())
	require.NoError(t, err)
	before, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Limit: 1000})
	require.NoError(t, err)

	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	do := func(call func() error) {
		defer wg.Done()
		if call() == nil {
			mu.Lock()
			accepted++
			mu.Unlock()
		}
	}
	for i := range 4 {
		wg.Add(3)
		go do(func() error {
			_, err := deals.SubmitWeeklyReport(e.As(t, []ltc.Actor{sam, sara, fred, sam}[i]), &ltcv1.SubmitWeeklyReportRequest{RequestId: uuid.NewString(),
				OpportunityId: id, Report: &ltcv1.WeeklyReport{Progress: "p", NextSteps: "n"}})
			return err
		})
		go do(func() error {
			_, err := decisions.SubmitReview(e.As(t, fiona), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: r.Decision.Id,
				Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
			return err
		})
		go do(func() error {
			_, err := deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: team()})
			return err
		})
	}
	wg.Wait()
	after, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Limit: 1000})
	require.NoError(t, err)
	assert.Equal(t, 4+1+4, accepted, "every report and team change, and exactly one of the four FINANCE reviews")
	assert.Len(t, after.Events, len(before.Events)+accepted, "each accepted change recorded once")
	for i, ev := range after.Events {
		assert.Equal(t, int64(i+1), ev.DealSequence)
	}
	got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	assert.Len(t, got.Opportunity.WeeklyReports, 4)
	assert.Len(t, got.Opportunity.Decisions[len(got.Opportunity.Decisions)-1].Reviews, 1)
	assert.Len(t, got.Opportunity.Team, 3)
}
