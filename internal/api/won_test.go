package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

var (
	dora = ltc.Actor{ID: "dora", Name: "Dora Delivery", Roles: []ltc.Role{ltc.RoleSales}}
	leo  = ltc.Actor{ID: "leo", Name: "Leo Legal", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}}
	dan  = ltc.Actor{ID: "dan", Name: "Dan Delivery", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionDelivery}}
)

func eur(major int64) *ltcv1.Money {
	return &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: major * 100}
}

// TestDealFromLeadToWON drives one level-B deal through every stage over gRPC, each step by the person whose
// job it is, and checks the refusals on the way and the event log at the end.
func TestDealFromLeadToWON(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	id, initiation := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	rid := func() string { return uuid.NewString() }
	decide := func(by ltc.Actor, d string) {
		t.Helper()
		_, err := decisions.Decide(e.As(t, by), &ltcv1.DecideRequest{RequestId: rid(), DecisionId: d, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "ok"})
		require.NoError(t, err)
	}
	review := func(by ltc.Actor, d string, f ltcv1.ReviewFunction) {
		t.Helper()
		_, err := decisions.SubmitReview(e.As(t, by), &ltcv1.SubmitReviewRequest{RequestId: rid(), DecisionId: d, Function: f,
			Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
		require.NoError(t, err)
	}
	decide(eva, initiation.Id)
	_, err := deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: rid(), OpportunityId: id, Members: team()})
	require.NoError(t, err)

	atb := &ltcv1.RequestDecisionRequest{RequestId: rid(), OpportunityId: id, Gate: ltcv1.Gate_GATE_ATB,
		Package: &ltcv1.RequestDecisionRequest_Bid{Bid: &ltcv1.BidPackage{Strategy: "value over price", ProposedPrice: eur(2_400_000),
			GrossMarginPercent: 31.5, PaymentTerms: "30/60/10", DeliveryFeasibility: "feasible with partner", WinRate: 55}}}
	_, err = decisions.RequestDecision(e.As(t, sam), atb)
	requireCode(t, err, codes.FailedPrecondition, "risk register")
	_, err = deals.AddRisk(e.As(t, sue), &ltcv1.AddRiskRequest{RequestId: rid(), OpportunityId: id, Risk: risk()})
	requireCode(t, err, codes.PermissionDenied, "AR, SR and FR")
	added, err := deals.AddRisk(e.As(t, fred), &ltcv1.AddRiskRequest{RequestId: rid(), OpportunityId: id, Risk: risk()})
	require.NoError(t, err)
	r := added.Opportunity.Risks[0]
	r.Status = ltcv1.RiskStatus_RISK_STATUS_MITIGATED
	r.Mitigation = "hedged"
	_, err = deals.UpdateRisk(e.As(t, sara), &ltcv1.UpdateRiskRequest{RequestId: rid(), OpportunityId: id, Risk: r})
	require.NoError(t, err)

	requested, err := decisions.RequestDecision(e.As(t, sam), atb)
	require.NoError(t, err)
	d := requested.Decision
	assert.Len(t, d.Risks, 1, "reviewers and deciders see the risks with the package")
	assert.Equal(t, []string{d.Id}, inbox(t, e, fiona))
	assert.Equal(t, []string{d.Id}, inbox(t, e, leo))
	_, err = decisions.Decide(e.As(t, eva), &ltcv1.DecideRequest{RequestId: rid(), DecisionId: d.Id, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "go"})
	requireCode(t, err, codes.FailedPrecondition, "FINANCE, LEGAL, DELIVERY review(s)")
	review(fiona, d.Id, ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE)
	review(leo, d.Id, ltcv1.ReviewFunction_REVIEW_FUNCTION_LEGAL)
	review(dan, d.Id, ltcv1.ReviewFunction_REVIEW_FUNCTION_DELIVERY)
	decide(eva, d.Id)

	bid := &ltcv1.SubmitBidRequest{RequestId: rid(), OpportunityId: id, Bid: &ltcv1.Bid{Price: eur(2_300_000),
		Date: &date.Date{Year: 2027, Month: 1, Day: 15}, Reference: "TENDER-42"}}
	_, err = deals.SubmitBid(e.As(t, sam), bid)
	requireCode(t, err, codes.FailedPrecondition, "a new ATB is needed")
	bid.RequestId, bid.Bid.Price = rid(), eur(2_400_000)
	_, err = deals.SubmitBid(e.As(t, sara), bid)
	requireCode(t, err, codes.PermissionDenied, "AR")
	_, err = deals.SubmitBid(e.As(t, sam), bid)
	require.NoError(t, err)
	_, err = deals.RecordTenderResult(e.As(t, sam), &ltcv1.RecordTenderResultRequest{RequestId: rid(), OpportunityId: id,
		Result: &ltcv1.TenderResult{Result: ltcv1.Tender_TENDER_WON}})
	require.NoError(t, err)

	atc, err := decisions.RequestDecision(e.As(t, sam), &ltcv1.RequestDecisionRequest{RequestId: rid(), OpportunityId: id, Gate: ltcv1.Gate_GATE_ATC,
		Package: &ltcv1.RequestDecisionRequest_Contract{Contract: &ltcv1.ContractPackage{FinalPrice: eur(2_350_000), GrossMarginPercent: 29,
			PaymentTerms: "30/60/10", Deviations: "price -2%", ContractReference: "MSA-2027-01"}}})
	require.NoError(t, err)
	review(fiona, atc.Decision.Id, ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE)
	review(leo, atc.Decision.Id, ltcv1.ReviewFunction_REVIEW_FUNCTION_LEGAL)
	review(dan, atc.Decision.Id, ltcv1.ReviewFunction_REVIEW_FUNCTION_DELIVERY)
	decide(eric, atc.Decision.Id)

	sign := &ltcv1.SignContractRequest{RequestId: rid(), OpportunityId: id, Contract: &ltcv1.Contract{Number: "C-2027-001",
		Date: &date.Date{Year: 2027, Month: 2, Day: 1}, Amount: eur(2_400_000)}}
	_, err = deals.SignContract(e.As(t, sam), sign)
	requireCode(t, err, codes.FailedPrecondition, "a new ATC is needed")
	sign.RequestId, sign.Contract.Amount = rid(), eur(2_350_000)
	signed, err := deals.SignContract(e.As(t, sam), sign)
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Stage_STAGE_HANDOVER, signed.Opportunity.Stage)
	assert.Equal(t, signed.Opportunity.Contract.Number, "C-2027-001")

	attendees := append(team(), &ltcv1.TeamMember{Person: &ltcv1.Person{Id: "dora", Name: "Dora Delivery"}, Role: ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM})
	// The delivery project manager who will acknowledge the handover joins the team (and holds no core role).
	_, err = deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: rid(), OpportunityId: id, Members: attendees})
	require.NoError(t, err)
	_, err = deals.ScheduleHandover(e.As(t, sam), &ltcv1.ScheduleHandoverRequest{RequestId: rid(), OpportunityId: id,
		ScheduleTime: timestamppb.New(time.Now().Add(48 * time.Hour)), Attendees: attendees[1:]})
	requireCode(t, err, codes.InvalidArgument, "AR (sam)")
	_, err = deals.ScheduleHandover(e.As(t, sam), &ltcv1.ScheduleHandoverRequest{RequestId: rid(), OpportunityId: id,
		ScheduleTime: timestamppb.New(time.Now().Add(48 * time.Hour)), Attendees: attendees})
	require.NoError(t, err)
	record := &ltcv1.HandoverRecord{KeyTerms: "24 months, 99.9% availability", Commitments: "on-site team in Q2",
		RisksHandedOver: "FX exposure hedged", OpenIssues: "spare parts list"}
	_, err = deals.CompleteHandover(e.As(t, sam), &ltcv1.CompleteHandoverRequest{RequestId: rid(), OpportunityId: id, Record: record})
	requireCode(t, err, codes.PermissionDenied, "delivery project manager")
	won, err := deals.CompleteHandover(e.As(t, dora), &ltcv1.CompleteHandoverRequest{RequestId: rid(), OpportunityId: id, Record: record})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_WON, won.Opportunity.Outcome)
	assert.Equal(t, ltcv1.Stage_STAGE_EXECUTION, won.Opportunity.Stage, "WON, its contract in execution")
	assert.Equal(t, "dora", won.Opportunity.Handover.AcknowledgedBy.Id)

	_, err = deals.SubmitProjectSummary(e.As(t, sam), &ltcv1.SubmitProjectSummaryRequest{RequestId: rid(), OpportunityId: id,
		Summary: &ltcv1.ProjectSummary{WinLossReasons: "solution fit and partner", Lessons: "involve delivery at ATB",
			WinRateAccuracy: "estimated 55%, won"}})
	require.NoError(t, err)
	// Signed without payment terms, the contract is one milestone of its whole amount, due at signature: invoiced,
	// paid and closed, it ends the deal's process.
	contracts := ltcv1.NewContractServiceClient(e.Conn)
	_, err = contracts.IssueInvoice(e.As(t, fiona), &ltcv1.IssueInvoiceRequest{RequestId: rid(), OpportunityId: id, Number: "INV-1",
		MilestoneId: "M1", Amount: eur(2_350_000), DueDate: &date.Date{Year: 2199, Month: 1, Day: 1}})
	require.NoError(t, err)
	_, err = contracts.RecordPayment(e.As(t, fiona), &ltcv1.RecordPaymentRequest{RequestId: rid(), OpportunityId: id, InvoiceNumber: "INV-1",
		Reference: "BANK-1", Amount: eur(2_350_000), Date: &date.Date{Year: 2026, Month: 1, Day: 1}})
	require.NoError(t, err)
	closed, err := contracts.CloseContract(e.As(t, sam), &ltcv1.CloseContractRequest{RequestId: rid(), OpportunityId: id})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.ContractStatus_CONTRACT_STATUS_COMPLETED, closed.Contract.Status)
	var final ltc.Deal
	require.NoError(t, e.Temporal.GetWorkflow(context.Background(), workflows.DealWorkflowID(id), "").Get(context.Background(), &final))
	assert.Equal(t, ltc.OutcomeWon, final.Opportunity.Outcome, "the contract's close ended the deal's process")
	_, err = deals.AddRisk(e.As(t, sam), &ltcv1.AddRiskRequest{RequestId: rid(), OpportunityId: id, Risk: risk()})
	requireCode(t, err, codes.FailedPrecondition, "CLOSED (WON)")

	eventsPage, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Limit: 1000})
	events := eventsPage.Events
	require.NoError(t, err)
	var types []string
	for i, ev := range events {
		assert.Equal(t, int64(i+1), ev.DealSequence)
		types = append(types, ev.Type)
	}
	assert.Equal(t, []string{
		"lead.created", "lead.qualified", "opportunity.created", "opportunity.assessment_updated",
		"decision.requested", "decision.decided", "team.appointed", "risk.added", "risk.updated",
		"decision.requested", "decision.review_submitted", "decision.review_submitted", "decision.review_submitted", "decision.decided",
		"bid.submitted", "tender.result_recorded",
		"decision.requested", "decision.review_submitted", "decision.review_submitted", "decision.review_submitted", "decision.decided",
		"contract.signed", "contract.milestone_due", "team.changed", "handover.scheduled", "handover.completed", "opportunity.closed",
		"summary.submitted", "invoice.issued", "payment.recorded", "contract.closed",
	}, types, "every step once, in order; the refused ones left nothing")
	keepHistory(t, e, workflows.DealWorkflowID(id), "deal_lead_to_won")

	reports := ltcv1.NewReportServiceClient(e.Conn)
	period := &ltcv1.GetPipelineReportRequest{StartTime: timestamppb.New(time.Now().Add(-time.Hour)), EndTime: timestamppb.New(time.Now().Add(time.Hour))}
	_, err = reports.GetPipelineReport(e.As(t, sam), period)
	requireCode(t, err, codes.PermissionDenied, "executives")
	rep, err := reports.GetPipelineReport(e.As(t, eric), period)
	require.NoError(t, err)
	assert.Equal(t, int32(1), rep.DealsWon)
	assert.Equal(t, 1.0, rep.WinRate)
	assert.Equal(t, "EUR", rep.ValueWon[0].CurrencyCode)
	assert.Equal(t, int64(2_350_000_00), rep.ValueWon[0].AmountMinor, "the contract amount")
	require.Len(t, rep.Funnel, 1)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_WON, rep.Funnel[0].Outcome)
	assert.Equal(t, 1.0, rep.Conversions[0].Rate)
	assert.Len(t, rep.GateTurnaround, 3, "INITIATION, ATB and ATC at level B")
	_, err = reports.GetPipelineReport(e.As(t, eric), &ltcv1.GetPipelineReportRequest{StartTime: period.EndTime, EndTime: period.StartTime})
	requireCode(t, err, codes.InvalidArgument, "end_time")
	desc, err := e.Temporal.DescribeWorkflowExecution(context.Background(), workflows.DealWorkflowID(id), "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.WorkflowExecutionInfo.Status)

	// A WON deal is never reopened, and the refused request starts nothing.
	_, err = decisions.RequestDecision(e.As(t, sam), reopenRequest(id, ltcv1.Stage_STAGE_NEGOTIATION))
	requireCode(t, err, codes.FailedPrecondition, "a deal closed WON is not reopened")
	again, err := e.Temporal.DescribeWorkflowExecution(context.Background(), workflows.DealWorkflowID(id), "")
	require.NoError(t, err)
	assert.Equal(t, desc.WorkflowExecutionInfo.Execution.RunId, again.WorkflowExecutionInfo.Execution.RunId)
}

func risk() *ltcv1.Risk {
	return &ltcv1.Risk{Description: "EUR/CNY exposure on imported equipment", Category: ltcv1.RiskCategory_RISK_CATEGORY_FINANCIAL,
		Probability: ltcv1.RiskLevel_RISK_LEVEL_MEDIUM, Impact: ltcv1.RiskLevel_RISK_LEVEL_HIGH,
		Owner: &ltcv1.Person{Id: "fred"}, Status: ltcv1.RiskStatus_RISK_STATUS_OPEN}
}

func TestEventFeedOverGRPC(t *testing.T) {
	e := testenv.StartEngine(t)
	qualifiedDeal(t, e)
	other := qualifiedDeal(t, e)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)

	var all []*ltcv1.Event
	cursor := int64(0)
	for {
		page, err := deals.ListEvents(e.As(t, sam), &ltcv1.ListEventsRequest{AfterSequence: cursor, PageSize: 2})
		require.NoError(t, err)
		all = append(all, page.Events...)
		if len(page.Events) == 0 {
			assert.Equal(t, cursor, page.NextAfterSequence, "at the head the cursor stays")
			break
		}
		cursor = page.NextAfterSequence
	}
	require.Len(t, all, 7, "the customer's account, made with the first lead, then two deals of three events each")
	for i, ev := range all {
		assert.Equal(t, int64(i+1), ev.Sequence)
	}
	assert.Equal(t, "Acme Telecom", all[0].GetAccountCreated().GetAccount().GetName())
	assert.Equal(t, all[0].AccountId, all[1].GetLeadCreated().GetLead().GetAccountId(), "the second lead names the same account")
	assert.Equal(t, all[0].AccountId, all[4].GetLeadCreated().GetLead().GetAccountId())
	assert.Equal(t, "Acme Telecom", all[1].GetLeadCreated().GetLead().GetCustomer().GetName())

	mine, err := deals.ListEvents(e.As(t, sam), &ltcv1.ListEventsRequest{DealId: other, Types: []string{"opportunity.created"}})
	require.NoError(t, err)
	require.Len(t, mine.Events, 1)
	assert.Equal(t, other, mine.Events[0].DealId)
	assert.Equal(t, int64(7), mine.NextAfterSequence, "a filtered follower moves to the head")

	_, err = deals.ListEvents(e.As(t, sam), &ltcv1.ListEventsRequest{DealId: "nope"})
	requireCode(t, err, codes.InvalidArgument, "deal_id")
}

func TestWeeklyReportsAndMeetingsOverGRPC(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-fast-cadence"
		p.ReportPeriod, p.ReportGrace = ltc.Duration(2*time.Second), ltc.Duration(time.Second)
	})
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	id, d := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_C)
	_, err := ltcv1.NewDecisionServiceClient(e.Conn).Decide(e.As(t, mia), &ltcv1.DecideRequest{RequestId: uuid.NewString(),
		DecisionId: d.Id, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "go"})
	require.NoError(t, err)
	report := func(by ltc.Actor, progress string) (*ltcv1.Opportunity, error) {
		resp, err := deals.SubmitWeeklyReport(e.As(t, by), &ltcv1.SubmitWeeklyReportRequest{RequestId: uuid.NewString(), OpportunityId: id,
			Report: &ltcv1.WeeklyReport{Progress: progress, WinRate: 60, NextSteps: "demo"}})
		return resp.GetOpportunity(), err
	}
	_, err = report(sam, "too early")
	requireCode(t, err, codes.PermissionDenied, "AR, SR or FR")
	_, err = deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: team()})
	require.NoError(t, err)

	_, err = report(sara, "workshop held")
	require.NoError(t, err)
	revised, err := report(sam, "workshop held, BOQ sent")
	require.NoError(t, err)
	assert.Equal(t, int32(1), revised.LastReport.Revision, "the same period: a revision")
	assert.Equal(t, revised.LastReport.Period, revised.WeeklyReports[0].Period)
	assert.NotNil(t, revised.NextReportDueTime)
	_, err = report(sue, "not mine")
	requireCode(t, err, codes.PermissionDenied, "AR, SR or FR")

	require.Eventually(t, func() bool {
		got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
		return err == nil && len(got.Opportunity.OverdueReportPeriods) > 0
	}, 20*time.Second, 100*time.Millisecond, "a forgotten report is flagged")

	met, err := deals.RecordMeeting(e.As(t, fred), &ltcv1.RecordMeetingRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Meeting: &ltcv1.Meeting{Kind: ltcv1.MeetingKind_MEETING_KIND_ANALYSIS, Date: &date.Date{Year: 2027, Month: 1, Day: 10},
			Attendees: []*ltcv1.Person{{Id: "sam"}, {Id: "fred"}}, Conclusions: "competitor discounting",
			ActionItems: []*ltcv1.ActionItem{{Description: "revise price", Owner: &ltcv1.Person{Id: "sam"}, DueDate: &date.Date{Year: 2027, Month: 1, Day: 17}}}}})
	require.NoError(t, err)
	require.Len(t, met.Opportunity.Meetings, 1)
	assert.NotEmpty(t, met.Opportunity.Meetings[0].Id)

	page, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Types: []string{ltc.EventWeeklyReportOverdue}, Limit: 10})
	require.NoError(t, err)
	require.NotEmpty(t, page.Events)
	assert.Equal(t, []string{"user:sam", "role:sales_manager@/"}, page.Events[0].Recipients)
	_, err = deals.CloseOpportunity(e.As(t, sam), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Outcome: ltcv1.Outcome_OUTCOME_ABANDONED, Reason: "end of test"})
	require.NoError(t, err)
	keepHistory(t, e, workflows.DealWorkflowID(id), "deal_weekly_reports")
}
