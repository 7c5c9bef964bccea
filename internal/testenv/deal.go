package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// ExecutingDeal takes a new level-C deal of Acme Telecom to EXECUTION over the engine's gRPC API, as the demo
// people do (as gives the context of a demo person by their name: "sales", "sales_manager", "sales3",
// the reviewers, "executive1", "delivery_pm"): won at 500,000 EUR, its contract signed with the payment terms
// and handed over. It returns the deal's id. For the tests of the pages and commands that read contracts; the
// API's own tests drive each step with its refusals.
func ExecutingDeal(t testing.TB, e *Engine, as func(person string) context.Context, terms []*ltcv1.PaymentTerm) string {
	t.Helper()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	rid := uuid.NewString
	eur := &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 500_000_00}
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)

	created, err := leads.CreateLead(as("sales"), &ltcv1.CreateLeadRequest{RequestId: rid(), Title: "5G core network",
		Customer: &ltcv1.Customer{Name: "Acme Telecom", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_B, Industry: "telecom", Region: "EMEA"},
		Source:   ltcv1.LeadSource_LEAD_SOURCE_CUSTOMER_NEED, EstimatedValue: eur, ExpectedCloseDate: &date.Date{Year: 2027, Month: 6, Day: 30}})
	must(created, err)
	id := created.Lead.Id
	must(leads.QualifyLead(as("sales_manager"), &ltcv1.QualifyLeadRequest{RequestId: rid(), LeadId: id,
		Qualification: &ltcv1.Qualification{BudgetConfirmed: true, DecisionChainKnown: true, Urgency: ltcv1.Urgency_URGENCY_HOT}}))
	must(deals.UpdateAssessment(as("sales"), &ltcv1.UpdateAssessmentRequest{RequestId: rid(), OpportunityId: id,
		Assessment: &ltcv1.Assessment{WinRate: 60, Value: eur, Competitors: []string{"Globex"}, DecisionChain: "CTO decides"}}))
	// gate requests a decision as the AR, has the reviews it asks for passed by the demo reviewers of their
	// functions and has it approved.
	reviewers := map[ltcv1.ReviewFunction]string{ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE: "reviewer_finance",
		ltcv1.ReviewFunction_REVIEW_FUNCTION_LEGAL: "reviewer_legal", ltcv1.ReviewFunction_REVIEW_FUNCTION_DELIVERY: "reviewer_delivery",
		ltcv1.ReviewFunction_REVIEW_FUNCTION_SOLUTION: "reviewer_solution"}
	gate := func(req *ltcv1.RequestDecisionRequest, decider string) {
		t.Helper()
		req.RequestId, req.OpportunityId = rid(), id
		r, err := decisions.RequestDecision(as("sales"), req)
		must(r, err)
		for _, f := range r.Decision.RequiredReviews {
			must(decisions.SubmitReview(as(reviewers[f]), &ltcv1.SubmitReviewRequest{RequestId: rid(), DecisionId: r.Decision.Id,
				Function: f, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS}))
		}
		// The decider, or, when the policy asks for a higher authority, the region's executive or the company's.
		for _, who := range []string{decider, "executive2", "executive3"} {
			_, err = decisions.Decide(as(who), &ltcv1.DecideRequest{RequestId: rid(), DecisionId: r.Decision.Id,
				Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "go"})
			if status.Code(err) != codes.PermissionDenied {
				break
			}
		}
		must(nil, err)
	}
	gate(&ltcv1.RequestDecisionRequest{Gate: ltcv1.Gate_GATE_INITIATION, Package: &ltcv1.RequestDecisionRequest_Initiation{
		Initiation: &ltcv1.InitiationPackage{ProposedLevel: ltcv1.ProjectLevel_PROJECT_LEVEL_C, Rationale: "worth pursuing"}}}, "sales_manager")
	team := []*ltcv1.TeamMember{{Person: &ltcv1.Person{Id: "sam"}, Role: ltcv1.TeamRole_TEAM_ROLE_AR},
		{Person: &ltcv1.Person{Id: "sara"}, Role: ltcv1.TeamRole_TEAM_ROLE_SR}, {Person: &ltcv1.Person{Id: "fred"}, Role: ltcv1.TeamRole_TEAM_ROLE_FR}}
	must(deals.AppointTeam(as("sales_manager"), &ltcv1.AppointTeamRequest{RequestId: rid(), OpportunityId: id, Members: team}))
	must(deals.AddRisk(as("sales3"), &ltcv1.AddRiskRequest{RequestId: rid(), OpportunityId: id, Risk: &ltcv1.Risk{Description: "site access",
		Category: ltcv1.RiskCategory_RISK_CATEGORY_DELIVERY, Probability: ltcv1.RiskLevel_RISK_LEVEL_MEDIUM, Impact: ltcv1.RiskLevel_RISK_LEVEL_HIGH,
		Owner: &ltcv1.Person{Id: "fred"}, Status: ltcv1.RiskStatus_RISK_STATUS_OPEN}}))
	gate(&ltcv1.RequestDecisionRequest{Gate: ltcv1.Gate_GATE_ATB, Package: &ltcv1.RequestDecisionRequest_Bid{Bid: &ltcv1.BidPackage{
		Strategy: "s", ProposedPrice: eur, GrossMarginPercent: 30, PaymentTerms: "p", DeliveryFeasibility: "f", WinRate: 50}}}, "executive1")
	must(deals.SubmitBid(as("sales"), &ltcv1.SubmitBidRequest{RequestId: rid(), OpportunityId: id,
		Bid: &ltcv1.Bid{Price: eur, Date: &date.Date{Year: 2027, Month: 1, Day: 1}, Reference: "B"}}))
	must(deals.RecordTenderResult(as("sales"), &ltcv1.RecordTenderResultRequest{RequestId: rid(), OpportunityId: id,
		Result: &ltcv1.TenderResult{Result: ltcv1.Tender_TENDER_WON}}))
	gate(&ltcv1.RequestDecisionRequest{Gate: ltcv1.Gate_GATE_ATC, Package: &ltcv1.RequestDecisionRequest_Contract{Contract: &ltcv1.ContractPackage{
		FinalPrice: eur, GrossMarginPercent: 30, PaymentTerms: "p", ContractReference: "C"}}}, "executive1")
	now := time.Now().UTC()
	must(deals.SignContract(as("sales"), &ltcv1.SignContractRequest{RequestId: rid(), OpportunityId: id, Contract: &ltcv1.Contract{Number: "C-1",
		Date: &date.Date{Year: int32(now.Year()), Month: int32(now.Month()), Day: int32(now.Day())}, Amount: eur, PaymentTerms: terms}}))
	attendees := append(team, &ltcv1.TeamMember{Person: &ltcv1.Person{Id: "dora"}, Role: ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM})
	must(deals.AppointTeam(as("sales_manager"), &ltcv1.AppointTeamRequest{RequestId: rid(), OpportunityId: id, Members: attendees}))
	must(deals.ScheduleHandover(as("sales"), &ltcv1.ScheduleHandoverRequest{RequestId: rid(), OpportunityId: id,
		ScheduleTime: timestamppb.New(now.Add(time.Hour)), Attendees: attendees}))
	must(deals.CompleteHandover(as("delivery_pm"), &ltcv1.CompleteHandoverRequest{RequestId: rid(), OpportunityId: id,
		Record: &ltcv1.HandoverRecord{KeyTerms: "k", Commitments: "c", RisksHandedOver: "r"}}))
	return id
}

// DSOWindow is the number of days DSO looks at on the day: from the first of the month two months before the day's
// to the day.
func DSOWindow(day time.Time) float64 {
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -2, 0)
	last := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	return float64(last.Sub(first) / (24 * time.Hour))
}
