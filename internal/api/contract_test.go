package api_test

import (
	"context"
	"slices"
	"strings"
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
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

var (
	erp       = ltc.Actor{ID: "erp", Name: "ERP", Roles: []ltc.Role{ltc.RoleSystem}, Scopes: []string{ltc.ScopeWrite}}
	biReader  = ltc.Actor{ID: "bi", Name: "BI", Roles: []ltc.Role{ltc.RoleSystem}, Scopes: []string{ltc.ScopeRead}}
	thirtySix = []*ltcv1.PaymentTerm{
		{Name: "advance", Percent: "30", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_SIGNATURE},
		{Name: "PAC", Percent: "60", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_PAC, PlannedDate: &date.Date{Year: 2027, Month: 6, Day: 30}},
		{Name: "FAC", Percent: "10", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_FAC, PlannedDate: &date.Date{Year: 2028, Month: 6, Day: 30}},
	}
)

// executingDeal takes a new level-C deal to EXECUTION: won, its contract of 500,000 EUR signed with the terms and
// handed over to dora, its DELIVERY_PM.
func executingDeal(t *testing.T, e *testenv.Engine, terms []*ltcv1.PaymentTerm) string {
	t.Helper()
	id := signedDeal(t, e, terms)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	attendees := append(team(), &ltcv1.TeamMember{Person: &ltcv1.Person{Id: "dora", Name: "Dora Delivery"}, Role: ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM})
	_, err := deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: attendees})
	require.NoError(t, err)
	_, err = deals.ScheduleHandover(e.As(t, sam), &ltcv1.ScheduleHandoverRequest{RequestId: uuid.NewString(), OpportunityId: id,
		ScheduleTime: timestamppb.New(time.Now().Add(time.Hour)), Attendees: attendees})
	require.NoError(t, err)
	won, err := deals.CompleteHandover(e.As(t, dora), &ltcv1.CompleteHandoverRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Record: &ltcv1.HandoverRecord{KeyTerms: "k", Commitments: "c", RisksHandedOver: "r"}})
	require.NoError(t, err)
	require.Equal(t, ltcv1.Stage_STAGE_EXECUTION, won.Opportunity.Stage)
	return id
}

// signedDeal takes a new level-C deal to HANDOVER: its contract of 500,000 EUR signed with the terms.
func signedDeal(t *testing.T, e *testenv.Engine, terms []*ltcv1.PaymentTerm) string {
	t.Helper()
	id := toPursuitC(t, e)
	gateC(t, e, atbRequest(id), ltcv1.Verdict_VERDICT_APPROVE)
	bidAndTender(t, e, id, ltcv1.Tender_TENDER_WON)
	gateC(t, e, &ltcv1.RequestDecisionRequest{OpportunityId: id, Gate: ltcv1.Gate_GATE_ATC, Package: &ltcv1.RequestDecisionRequest_Contract{
		Contract: &ltcv1.ContractPackage{FinalPrice: eur(500_000), GrossMarginPercent: 30, PaymentTerms: "30/60/10", ContractReference: "C"}}},
		ltcv1.Verdict_VERDICT_APPROVE)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	sign := &ltcv1.SignContractRequest{RequestId: uuid.NewString(), OpportunityId: id, Contract: &ltcv1.Contract{Number: "C-1",
		Date: &date.Date{Year: 2026, Month: 11, Day: 2}, Amount: eur(500_000),
		PaymentTerms: []*ltcv1.PaymentTerm{{Name: "all", Percent: "90", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_FAC}}}}
	_, err := deals.SignContract(e.As(t, sam), sign)
	requireCode(t, err, codes.InvalidArgument, "add up to 90.0000%")
	sign.RequestId, sign.Contract.PaymentTerms = uuid.NewString(), terms
	signed, err := deals.SignContract(e.As(t, sam), sign)
	require.NoError(t, err)
	assert.Len(t, signed.Opportunity.Contract.PaymentTerms, len(terms))
	return id
}

// TestContractExecutionToCash drives a contract from the handover to its close over gRPC, each step by whose job it
// is, with the refusals on the way, and checks every event of execution arrives typed.
func TestContractExecutionToCash(t *testing.T) {
	e := testenv.StartEngine(t)
	contracts := ltcv1.NewContractServiceClient(e.Conn)
	id := executingDeal(t, e, thirtySix)
	rid := uuid.NewString
	today := func() *date.Date {
		now := time.Now().UTC()
		return &date.Date{Year: int32(now.Year()), Month: int32(now.Month()), Day: int32(now.Day())}
	}

	// Reading: whoever reads the deal.
	_, err := contracts.GetContract(context.Background(), &ltcv1.GetContractRequest{OpportunityId: id})
	requireCode(t, err, codes.Unauthenticated, "")
	_, err = contracts.GetContract(e.As(t, sue), &ltcv1.GetContractRequest{OpportunityId: id})
	requireCode(t, err, codes.PermissionDenied, "the deal's readers and the FINANCE reviewers")
	_, err = contracts.GetContract(e.As(t, leo), &ltcv1.GetContractRequest{OpportunityId: id})
	requireCode(t, err, codes.PermissionDenied, "")
	_, err = contracts.GetContract(e.As(t, fiona), &ltcv1.GetContractRequest{OpportunityId: id})
	require.NoError(t, err, "FINANCE reads the contracts it invoices")
	_, err = contracts.GetContract(e.As(t, sam), &ltcv1.GetContractRequest{OpportunityId: uuid.NewString()})
	requireCode(t, err, codes.NotFound, "not found")
	_, err = contracts.GetContract(e.As(t, sam), &ltcv1.GetContractRequest{OpportunityId: "nope"})
	requireCode(t, err, codes.InvalidArgument, "opportunity_id")
	got, err := contracts.GetContract(e.As(t, sam), &ltcv1.GetContractRequest{OpportunityId: id})
	require.NoError(t, err)
	c := got.Contract
	assert.Equal(t, ltcv1.ContractStatus_CONTRACT_STATUS_EXECUTION, c.Status)
	require.Len(t, c.Milestones, 3)
	var amounts []int64
	for _, m := range c.Milestones {
		amounts = append(amounts, m.Amount.AmountMinor)
	}
	assert.Equal(t, []int64{150_000_00, 300_000_00, 50_000_00}, amounts)
	assert.NotNil(t, c.Milestones[0].DueTime, "the advance is due at signature")
	assert.Nil(t, c.Milestones[1].DueTime)

	// Invoices: FINANCE, for a due milestone, never more than it.
	invoice := func(number, milestone string, amount *ltcv1.Money) *ltcv1.IssueInvoiceRequest {
		return &ltcv1.IssueInvoiceRequest{RequestId: rid(), OpportunityId: id, Number: number, MilestoneId: milestone, Amount: amount, DueDate: today()}
	}
	_, err = contracts.IssueInvoice(e.As(t, sam), invoice("INV-1", "M1", eur(150_000)))
	requireCode(t, err, codes.PermissionDenied, "FINANCE reviewer")
	_, err = contracts.IssueInvoice(e.As(t, fiona), &ltcv1.IssueInvoiceRequest{RequestId: rid(), OpportunityId: id, Number: "INV-1", MilestoneId: "M1", DueDate: today()})
	requireCode(t, err, codes.InvalidArgument, "amount")
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice("INV-2", "M2", eur(1)))
	requireCode(t, err, codes.FailedPrecondition, "not due yet: it waits for PAC; deal "+id+" is in EXECUTION (WON)")
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice("INV-1", "M1", eur(150_001)))
	requireCode(t, err, codes.FailedPrecondition, "would invoice more than the contract")
	first := invoice("INV-1", "M1", eur(150_000))
	issued, err := contracts.IssueInvoice(e.As(t, fiona), first)
	require.NoError(t, err)
	assert.Equal(t, int64(150_000_00), issued.Contract.Invoiced.AmountMinor)
	again, err := contracts.IssueInvoice(e.As(t, fiona), first)
	require.NoError(t, err, "a retry returns the first result")
	assert.Equal(t, issued.Contract.Invoiced, again.Contract.Invoiced)
	first.Number = "INV-X"
	_, err = contracts.IssueInvoice(e.As(t, fiona), first)
	requireCode(t, err, codes.AlreadyExists, "")
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice("INV-1", "M1", eur(1)))
	requireCode(t, err, codes.AlreadyExists, "invoice INV-1 exists")

	// Payments: FINANCE or the ERP, partial, never over, idempotent by reference.
	pay := func(number, reference string, amount *ltcv1.Money) *ltcv1.RecordPaymentRequest {
		return &ltcv1.RecordPaymentRequest{RequestId: rid(), OpportunityId: id, InvoiceNumber: number, Reference: reference, Amount: amount, Date: today()}
	}
	_, err = contracts.RecordPayment(e.As(t, biReader), pay("INV-1", "BANK-1", eur(100_000)))
	requireCode(t, err, codes.PermissionDenied, "FINANCE reviewer")
	_, err = contracts.RecordPayment(e.As(t, sam), pay("INV-1", "BANK-1", eur(100_000)))
	requireCode(t, err, codes.PermissionDenied, "")
	_, err = contracts.RecordPayment(e.As(t, erp), pay("INV-9", "BANK-1", eur(100_000)))
	requireCode(t, err, codes.NotFound, "invoice INV-9")
	paid, err := contracts.RecordPayment(e.As(t, erp), pay("INV-1", "BANK-1", eur(100_000)))
	require.NoError(t, err)
	assert.Equal(t, int64(100_000_00), paid.Contract.Collected.AmountMinor)
	assert.Equal(t, int64(50_000_00), paid.Contract.Invoices[0].Outstanding.AmountMinor, "a partial payment")
	resent, err := contracts.RecordPayment(e.As(t, erp), pay("INV-1", "BANK-1", eur(100_000)))
	require.NoError(t, err, "the ERP sends the payment again under a new request id")
	assert.Equal(t, int64(100_000_00), resent.Contract.Collected.AmountMinor, "recorded once")
	_, err = contracts.RecordPayment(e.As(t, erp), pay("INV-1", "BANK-1", eur(99_999)))
	requireCode(t, err, codes.AlreadyExists, "other content")
	_, err = contracts.RecordPayment(e.As(t, fiona), pay("INV-1", "BANK-2", eur(50_001)))
	requireCode(t, err, codes.FailedPrecondition, "would overpay it")
	checkCashReport(t, e, today())
	_, err = contracts.RecordPayment(e.As(t, fiona), pay("INV-1", "BANK-2", eur(50_000)))
	require.NoError(t, err)

	// Acceptance: the DELIVERY_PM, PAC then FAC.
	accept := func(kind ltcv1.AcceptanceKind) *ltcv1.RecordAcceptanceRequest {
		return &ltcv1.RecordAcceptanceRequest{RequestId: rid(), OpportunityId: id, Kind: kind, Certificate: "CERT-" + kind.String(), Date: today()}
	}
	_, err = contracts.RecordAcceptance(e.As(t, sam), accept(ltcv1.AcceptanceKind_ACCEPTANCE_KIND_PAC))
	requireCode(t, err, codes.PermissionDenied, "DELIVERY_PM")
	_, err = contracts.RecordAcceptance(e.As(t, dora), accept(ltcv1.AcceptanceKind_ACCEPTANCE_KIND_FAC))
	requireCode(t, err, codes.FailedPrecondition, "FAC comes after PAC")
	_, err = contracts.RecordAcceptance(e.As(t, dora), accept(ltcv1.AcceptanceKind_ACCEPTANCE_KIND_UNSPECIFIED))
	requireCode(t, err, codes.InvalidArgument, "kind")
	_, err = contracts.CloseContract(e.As(t, sam), &ltcv1.CloseContractRequest{RequestId: rid(), OpportunityId: id})
	requireCode(t, err, codes.FailedPrecondition, "milestone M2 (PAC) is not due yet")
	for _, kind := range []ltcv1.AcceptanceKind{ltcv1.AcceptanceKind_ACCEPTANCE_KIND_PAC, ltcv1.AcceptanceKind_ACCEPTANCE_KIND_FAC} {
		_, err = contracts.RecordAcceptance(e.As(t, dora), accept(kind))
		require.NoError(t, err)
	}
	for i, m := range []string{"M2", "M3"} {
		amount := []*ltcv1.Money{eur(300_000), eur(50_000)}[i]
		_, err = contracts.IssueInvoice(e.As(t, fiona), invoice("INV-"+m, m, amount))
		require.NoError(t, err)
		_, err = contracts.RecordPayment(e.As(t, erp), pay("INV-"+m, "BANK-"+m, amount))
		require.NoError(t, err)
	}

	// Lists follow the reader's reach.
	listed := func(a ltc.Actor, req *ltcv1.ListContractsRequest) []string {
		t.Helper()
		resp, err := contracts.ListContracts(e.As(t, a), req)
		require.NoError(t, err)
		var ids []string
		for _, c := range resp.Contracts {
			ids = append(ids, c.OpportunityId)
		}
		return ids
	}
	assert.Equal(t, []string{id}, listed(sam, &ltcv1.ListContractsRequest{}))
	assert.Empty(t, listed(sue, &ltcv1.ListContractsRequest{}), "not hers to read")
	assert.Equal(t, []string{id}, listed(fiona, &ltcv1.ListContractsRequest{}), "FINANCE lists the contracts of its unit")
	assert.Equal(t, []string{id}, listed(sam, &ltcv1.ListContractsRequest{Status: ltcv1.ContractStatus_CONTRACT_STATUS_EXECUTION}))
	assert.Empty(t, listed(sam, &ltcv1.ListContractsRequest{Status: ltcv1.ContractStatus_CONTRACT_STATUS_COMPLETED}))
	assert.Empty(t, listed(sam, &ltcv1.ListContractsRequest{OverdueOnly: true}))

	// Close: the AR or FINANCE, once everything is accepted and paid; the summary in, the process ends.
	_, err = contracts.CloseContract(e.As(t, fred), &ltcv1.CloseContractRequest{RequestId: rid(), OpportunityId: id})
	requireCode(t, err, codes.PermissionDenied, "its AR")
	closed, err := contracts.CloseContract(e.As(t, fiona), &ltcv1.CloseContractRequest{RequestId: rid(), OpportunityId: id})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.ContractStatus_CONTRACT_STATUS_COMPLETED, closed.Contract.Status)
	assert.Equal(t, ltcv1.Stage_STAGE_CLOSED, closed.Contract.Stage)
	assert.Equal(t, int64(500_000_00), closed.Contract.Collected.AmountMinor)
	assert.Equal(t, []string{id}, listed(sam, &ltcv1.ListContractsRequest{Status: ltcv1.ContractStatus_CONTRACT_STATUS_COMPLETED}))
	_, err = ltcv1.NewOpportunityServiceClient(e.Conn).SubmitProjectSummary(e.As(t, sam), &ltcv1.SubmitProjectSummaryRequest{RequestId: rid(), OpportunityId: id,
		Summary: &ltcv1.ProjectSummary{WinLossReasons: "fit", Lessons: "l", WinRateAccuracy: "a"}})
	require.NoError(t, err)
	var final ltc.Deal
	require.NoError(t, e.Temporal.GetWorkflow(context.Background(), workflows.DealWorkflowID(id), "").Get(context.Background(), &final))
	desc, err := e.Temporal.DescribeWorkflowExecution(context.Background(), workflows.DealWorkflowID(id), "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.WorkflowExecutionInfo.Status)
	keepHistory(t, e, workflows.DealWorkflowID(id), "deal_execution_to_cash")

	// Every event of execution arrived typed.
	events, err := ltcv1.NewOpportunityServiceClient(e.Conn).ListEvents(e.As(t, sam), &ltcv1.ListEventsRequest{DealId: id, PageSize: 200})
	require.NoError(t, err)
	payload := (&ltcv1.Event{}).ProtoReflect().Descriptor().Oneofs().ByName("payload")
	seen := map[string]int{}
	for _, ev := range events.Events {
		if !slices.Contains(ltc.ExecutionEventTypes, ev.Type) {
			continue
		}
		seen[ev.Type]++
		set := ev.ProtoReflect().WhichOneof(payload)
		if assert.NotNil(t, set, "event %s has no payload", ev.Type) {
			_, short, _ := strings.Cut(ev.Type, ".")
			assert.Contains(t, []string{strings.ReplaceAll(ev.Type, ".", "_"), short}, string(set.Name()), ev.Type)
		}
	}
	assert.Equal(t, map[string]int{ltc.EventMilestoneDue: 3, ltc.EventContractAccepted: 2, ltc.EventInvoiceIssued: 3,
		ltc.EventPaymentRecorded: 4, ltc.EventContractClosed: 1}, seen, "overdue and escalation: TestUnpaidInvoiceEscalates (workflows)")
}

// TestContractGatesOverGRPC: a change order, reviewed by FINANCE and LEGAL and approved by an executive of the
// deal's level, changes the contract's amount and milestones; a write-off closes the contract WRITTEN_OFF.
func TestContractGatesOverGRPC(t *testing.T) {
	e := testenv.StartEngine(t)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	contracts := ltcv1.NewContractServiceClient(e.Conn)
	id := executingDeal(t, e, thirtySix)
	review := func(by ltc.Actor, d string, f ltcv1.ReviewFunction) {
		t.Helper()
		_, err := decisions.SubmitReview(e.As(t, by), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d, Function: f,
			Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
		require.NoError(t, err)
	}
	approve := func(d string) (*ltcv1.DecideResponse, error) {
		return decisions.Decide(e.As(t, eli), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "ok"})
	}

	change := &ltcv1.RequestDecisionRequest{RequestId: uuid.NewString(), OpportunityId: id, Gate: ltcv1.Gate_GATE_CHANGE_ORDER,
		Package: &ltcv1.RequestDecisionRequest_WriteOff{WriteOff: &ltcv1.WriteOffPackage{Rationale: "r"}}}
	_, err := decisions.RequestDecision(e.As(t, sam), change)
	requireCode(t, err, codes.InvalidArgument, "change_order for CHANGE_ORDER")
	change.Package = &ltcv1.RequestDecisionRequest_ChangeOrder{ChangeOrder: &ltcv1.ChangeOrderPackage{Amount: eur(600_000), Rationale: "two more sites",
		PaymentTerms: thirtySix}}
	_, err = decisions.RequestDecision(e.As(t, sara), change)
	requireCode(t, err, codes.PermissionDenied, "its AR")
	requested, err := decisions.RequestDecision(e.As(t, sam), change)
	require.NoError(t, err)
	d := requested.Decision
	assert.Equal(t, ltcv1.Gate_GATE_CHANGE_ORDER, d.Gate)
	assert.Equal(t, int64(180_000_00), d.GetChangeOrder().MilestoneAmounts[0].AmountMinor)
	_, err = approve(d.Id)
	requireCode(t, err, codes.FailedPrecondition, "FINANCE, LEGAL review(s)")
	review(fiona, d.Id, ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE)
	review(leo, d.Id, ltcv1.ReviewFunction_REVIEW_FUNCTION_LEGAL)
	_, err = approve(d.Id)
	require.NoError(t, err)
	got, err := contracts.GetContract(e.As(t, sam), &ltcv1.GetContractRequest{OpportunityId: id})
	require.NoError(t, err)
	assert.Equal(t, int64(600_000_00), got.Contract.Amount.AmountMinor)
	assert.Equal(t, int64(180_000_00), got.Contract.Milestones[0].Amount.AmountMinor)
	require.Len(t, got.Contract.ChangeOrders, 1)
	assert.Equal(t, int64(500_000_00), got.Contract.ChangeOrders[0].AmountBefore.AmountMinor)

	// An invoice of the advance, unpaid: receivable until the write-off.
	now := time.Now().UTC()
	_, err = contracts.IssueInvoice(e.As(t, fiona), &ltcv1.IssueInvoiceRequest{RequestId: uuid.NewString(), OpportunityId: id, Number: "WO-INV-1",
		MilestoneId: "M1", Amount: eur(50_000), DueDate: &date.Date{Year: int32(now.Year()), Month: int32(now.Month()), Day: int32(now.Day())}})
	require.NoError(t, err)
	got, err = contracts.GetContract(e.As(t, sam), &ltcv1.GetContractRequest{OpportunityId: id})
	require.NoError(t, err)
	assert.Equal(t, int64(50_000_00), got.Contract.Receivable.AmountMinor)

	writeOff := &ltcv1.RequestDecisionRequest{RequestId: uuid.NewString(), OpportunityId: id, Gate: ltcv1.Gate_GATE_WRITE_OFF,
		Package: &ltcv1.RequestDecisionRequest_WriteOff{WriteOff: &ltcv1.WriteOffPackage{Rationale: "customer insolvent"}}}
	requested, err = decisions.RequestDecision(e.As(t, fiona), writeOff)
	require.NoError(t, err)
	d = requested.Decision
	assert.Equal(t, int64(600_000_00), d.GetWriteOff().Amount.AmountMinor)
	_, err = decisions.SubmitReview(e.As(t, fiona), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
	requireCode(t, err, codes.PermissionDenied, "")
	review(ltc.Actor{ID: "frank", Name: "Frank Finance", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}},
		d.Id, ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE)
	_, err = decisions.Decide(e.As(t, mia), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "ok"})
	requireCode(t, err, codes.PermissionDenied, "an executive")
	_, err = approve(d.Id)
	require.NoError(t, err)
	got, err = contracts.GetContract(e.As(t, sam), &ltcv1.GetContractRequest{OpportunityId: id})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.ContractStatus_CONTRACT_STATUS_WRITTEN_OFF, got.Contract.Status)
	assert.Equal(t, ltcv1.Stage_STAGE_CLOSED, got.Contract.Stage)
	assert.Equal(t, int64(600_000_00), got.Contract.WrittenOff.AmountMinor)
	assert.Zero(t, got.Contract.Receivable.GetAmountMinor(), "what is written off is no longer receivable")
	types := eventTypes(t, e.Store, id)
	assert.Equal(t, []string{"decision.decided", "contract.closed"}, types[len(types)-2:])
	assert.Contains(t, types, "contract.changed")
}

// checkCashReport checks the cash report of TestContractExecutionToCash's contract when its first invoice (150,000,
// due today) is paid 100,000 and the milestones at PAC (300,000, planned June 2027) and FAC (50,000, June 2028) are
// not invoiced.
func checkCashReport(t *testing.T, e *testenv.Engine, today *date.Date) {
	t.Helper()
	reports := ltcv1.NewReportServiceClient(e.Conn)
	period := &ltcv1.GetCashReportRequest{StartTime: timestamppb.New(time.Now().Add(-time.Hour)), EndTime: timestamppb.New(time.Now().Add(time.Hour)),
		GroupBy: ltcv1.CashGrouping_CASH_GROUPING_OWNER}
	_, err := reports.GetCashReport(e.As(t, sam), period)
	requireCode(t, err, codes.PermissionDenied, "FINANCE reviewers")
	resp, err := reports.GetCashReport(e.As(t, fiona), period)
	require.NoError(t, err)
	require.Len(t, resp.Rows, 1)
	r := resp.Rows[0]
	assert.Equal(t, "sam", r.Key)
	assert.Equal(t, int64(150_000_00), r.Invoiced.AmountMinor)
	assert.Equal(t, int64(100_000_00), r.Collected.AmountMinor)
	assert.Equal(t, int64(50_000_00), r.Receivable.AmountMinor)
	// DSO's window: from the first of the month two months before the day's, to the day.
	window := func(d time.Time) float64 {
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -2, 0)
		return float64(d.AddDate(0, 0, 1).Sub(first) / (24 * time.Hour))
	}
	day := time.Date(int(today.Year), time.Month(today.Month), int(today.Day), 0, 0, 0, 0, time.UTC)
	require.NotNil(t, r.DsoDays)
	assert.InDelta(t, window(day)/3, *r.DsoDays, 0.001, "50,000 of the 150,000 invoiced in the window outstanding")
	var expected []int64
	for _, x := range r.Expected {
		expected = append(expected, x.Amount.AmountMinor)
	}
	assert.Equal(t, []int64{50_000_00, 300_000_00, 50_000_00}, expected, "the invoice this month, PAC in June 2027, FAC in June 2028")
	assert.Equal(t, int32(2027), r.Expected[1].Month.Year)

	later := day.AddDate(0, 0, 40)
	period.AsOf = &date.Date{Year: int32(later.Year()), Month: int32(later.Month()), Day: int32(later.Day())}
	resp, err = reports.GetCashReport(e.As(t, eli), period)
	require.NoError(t, err)
	var aged []int64
	for _, b := range resp.Rows[0].Overdue {
		aged = append(aged, b.Amount.AmountMinor)
	}
	assert.Equal(t, []int64{0, 50_000_00, 0, 0}, aged, "40 days past due")
	require.NotNil(t, resp.Rows[0].DsoDays, "the invoice of today is in the window to then")
	assert.InDelta(t, window(later)/3, *resp.Rows[0].DsoDays, 0.001)
}
