package workflows_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/workflows"
)

var (
	dora      = ltc.Actor{ID: "dora", Name: "Dora Delivery", Roles: []ltc.Role{ltc.RoleSales}}
	eur       = func(major int64) ltc.Money { return ltc.Money{Currency: "EUR", AmountMinor: major * 100} }
	bidPkg    = ltc.Package{Bid: &ltc.BidPackage{Strategy: "value", ProposedPrice: eur(600_000), GrossMarginPercent: 30, WinRate: 60}}
	contrPkg  = ltc.Package{Contract: &ltc.ContractPackage{FinalPrice: eur(580_000), GrossMarginPercent: 30, ContractReference: "C-7"}}
	attendees = append(ltc.Team{{Person: dora.Person(), Role: ltc.TeamDeliveryPM}}, coreTeam...)
)

// toPursuit are the steps from a fresh deal to PURSUIT with a risk (level C: the manager decides INITIATION); the
// team has its delivery project manager, who acknowledges the handover.
func toPursuit() []step {
	return []step{assess(), requestInitiation(ltc.LevelC), decide("r-d", manager, ltc.VerdictApprove),
		{name: workflows.UpdateAppointTeam, arg: cmd(req("r-team", manager), ltc.AppointTeam{Team: attendees})},
		{name: workflows.UpdateAddRisk, arg: cmd(req("r-risk", fred), ltc.AddRisk{Risk: ltc.Risk{Description: "FX",
			Category: ltc.RiskFinancial, Probability: ltc.RiskMedium, Impact: ltc.RiskHigh, Owner: fred.Person(), Status: ltc.RiskOpen}})},
	}
}

var fred = ltc.Actor{ID: "fred", Name: "Fred", Roles: []ltc.Role{ltc.RoleSales}}

// gate requests the gate as the AR, has the FINANCE review in (level C asks for it) and decides it.
func gate(id string, g ltc.Gate, pkg ltc.Package, v ltc.Verdict) []step {
	did := ltc.DecisionID("r-req-" + id)
	return []step{
		{name: workflows.UpdateRequestDecision, arg: cmd(req("r-req-"+id, sales), ltc.RequestDecision{Gate: g, Package: pkg})},
		{name: workflows.UpdateSubmitReview, arg: cmd(req("r-rev-"+id, finance), ltc.SubmitReview{DecisionID: did,
			Function: ltc.FunctionFinance, Result: ltc.ReviewPass})},
		{name: workflows.UpdateDecide, arg: cmd(req("r-dec-"+id, exec1), ltc.Decide{DecisionID: did, Verdict: v, Rationale: "decided"})},
	}
}

func bid(id string, price ltc.Money) step {
	return step{name: workflows.UpdateSubmitBid, arg: cmd(req(id, sales), ltc.SubmitBid{Bid: ltc.Bid{Price: price, Reference: "B-" + id}})}
}

func tender(id string, t ltc.Tender) step {
	return step{name: workflows.UpdateTenderResult, arg: cmd(req(id, sales), ltc.RecordTenderResult{Result: ltc.TenderResult{Result: t, Winner: "Globex", Reason: "price"}})}
}

func sign(id string, amount ltc.Money) step {
	return step{name: workflows.UpdateSignContract, arg: cmd(req(id, sales), ltc.SignContract{Contract: ltc.Contract{Number: "C-7", Amount: amount}})}
}

func summary() step {
	return step{name: workflows.UpdateProjectSummary, arg: cmd(req("r-sum", sales), ltc.SubmitProjectSummary{Summary: ltc.ProjectSummary{WinLossReasons: "price", Lessons: "engage earlier", WinRateAccuracy: "60% estimated"}})}
}

// cash are the steps after the handover of a contract signed without payment terms (one milestone of the whole
// amount, due at signature): FINANCE invoices it, it is paid, the contract closes and the process ends.
func cash(amount ltc.Money) []step {
	return []step{
		{name: workflows.UpdateIssueInvoice, arg: cmd(req("r-inv", finance), ltc.IssueInvoice{Number: "INV-1", MilestoneID: "M1", Amount: amount,
			DueDate: ltc.Date{Year: 2199, Month: 1, Day: 1}})},
		{name: workflows.UpdateRecordPayment, arg: cmd(req("r-pay", finance), ltc.RecordPayment{InvoiceNumber: "INV-1", Reference: "BANK-1", Amount: amount,
			Date: ltc.Date{Year: 2020, Month: 1, Day: 1}})},
		{name: workflows.UpdateCloseContract, arg: cmd(req("r-close-contract", sales), ltc.CloseContract{})},
	}
}

func steps(groups ...[]step) []step {
	var all []step
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

func last(out []*outcome) *outcome { return out[len(out)-1] }

// runToEnd runs the steps; the last one must end the deal's process (the summary, or for a WON deal the contract's
// close), so nothing is cancelled.
func runToEnd(t *testing.T, s []step) (*testEnv, []*outcome, ltc.Opportunity) {
	t.Helper()
	e, out := runDeal(t, ltc.DefaultPolicy(), s...)
	var final ltc.Deal
	require.NoError(t, e.GetWorkflowError(), "the summary ends the process")
	require.NoError(t, e.GetWorkflowResult(&final))
	require.NotNil(t, final.Opportunity)
	return e, out, *final.Opportunity
}

func TestDealToWONThenSummaryEndsTheProcess(t *testing.T) {
	e, out, final := runToEnd(t, steps(toPursuit(), gate("atb", ltc.GateATB, bidPkg, ltc.VerdictApprove),
		[]step{bid("r-low", eur(599_999)), bid("r-bid", eur(600_000)), tender("r-t", ltc.TenderShortlisted)},
		gate("atc", ltc.GateATC, contrPkg, ltc.VerdictApprove),
		[]step{sign("r-bad", eur(600_000)), sign("r-sign", eur(580_000)),
			{name: workflows.UpdateScheduleHandover, arg: cmd(req("r-sched", sales), ltc.ScheduleHandover{Handover: ltc.Handover{ScheduledFor: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Attendees: attendees}})},
			{name: workflows.UpdateCompleteHandover, arg: cmd(req("r-nope", sales), ltc.CompleteHandover{Record: ltc.HandoverRecord{KeyTerms: "k", Commitments: "c", RisksHandedOver: "r"}})},
			{name: workflows.UpdateCompleteHandover, arg: cmd(req("r-done", dora), ltc.CompleteHandover{Record: ltc.HandoverRecord{KeyTerms: "24 months", Commitments: "99.9%", RisksHandedOver: "FX"}})},
			summary()}, cash(eur(580_000))))
	assert.ErrorContains(t, out[8].rejected, "a new ATB is needed", "below the envelope")
	assert.ErrorContains(t, out[14].rejected, "a new ATC is needed", "amount differs")
	assert.Equal(t, ltc.KindPermission, refusedKind(t, out[17]), "only the DELIVERY_PM acknowledges")
	assert.Equal(t, ltc.OutcomeWon, result(t, out[18]).Opportunity.Outcome)
	assert.Equal(t, ltc.StageExecution, result(t, out[18]).Opportunity.Stage, "WON, the contract in execution")
	assert.Equal(t, ltc.StageExecution, result(t, out[19]).Opportunity.Stage, "the summary does not end a contract in execution")
	assert.Equal(t, ltc.OutcomeWon, final.Outcome)
	assert.Equal(t, ltc.StageClosed, final.Stage)
	assert.Equal(t, ltc.ContractCompleted, final.Execution.Status)
	require.NotNil(t, final.Summary)
	assert.Equal(t, "engage earlier", final.Summary.Lessons)
	types := e.eventTypes()
	assert.Equal(t, []string{ltc.EventHandoverCompleted, ltc.EventOpportunityClosed, ltc.EventSummarySubmitted,
		ltc.EventInvoiceIssued, ltc.EventPaymentRecorded, ltc.EventContractClosed}, types[len(types)-6:])
}

// An event carries what the deal recorded, with its time, not the request's input.
func TestEventsCarryWhatWasRecorded(t *testing.T) {
	meeting := step{name: workflows.UpdateRecordMeeting, arg: cmd(req("r-meet", sales), ltc.RecordMeeting{Meeting: ltc.Meeting{Kind: ltc.MeetingAnalysis, Date: ltc.Date{Year: 2026, Month: 11, Day: 2}, Conclusions: "go",
		Attendees: []ltc.Person{sales.Person()}}})}
	changeRisk := step{name: workflows.UpdateRisk, arg: cmd(req("r-risk-2", fred), ltc.UpdateRisk{Risk: ltc.Risk{
		ID: ltc.RiskID("r-risk"), Description: "FX", Category: ltc.RiskFinancial, Probability: ltc.RiskLow, Impact: ltc.RiskHigh,
		Owner: fred.Person(), Status: ltc.RiskOpen}})}
	e, _, _ := runToEnd(t, steps(toPursuit(), []step{meeting, changeRisk}, gate("atb", ltc.GateATB, bidPkg, ltc.VerdictApprove),
		[]step{bid("r-bid", eur(600_000)), tender("r-t", ltc.TenderShortlisted)},
		gate("atc", ltc.GateATC, contrPkg, ltc.VerdictApprove),
		[]step{sign("r-sign", eur(580_000)),
			{name: workflows.UpdateScheduleHandover, arg: cmd(req("r-sched", sales), ltc.ScheduleHandover{Handover: ltc.Handover{ScheduledFor: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Attendees: attendees}})},
			{name: workflows.UpdateCompleteHandover, arg: cmd(req("r-done", dora), ltc.CompleteHandover{Record: ltc.HandoverRecord{KeyTerms: "24 months", Commitments: "99.9%", RisksHandedOver: "FX"}})},
			summary()}, cash(eur(580_000))))
	times := map[string]string{ltc.EventRiskAdded: "created_at", ltc.EventRiskUpdated: "updated_at", ltc.EventMeetingRecorded: "recorded_at",
		ltc.EventBidSubmitted: "submitted_at", ltc.EventSummarySubmitted: "submitted_at"}
	seen := map[string]bool{}
	for _, c := range e.changes {
		for _, ev := range c.Events {
			field, ok := times[ev.Type]
			if !ok {
				continue
			}
			var data map[string]any
			require.NoError(t, json.Unmarshal(ev.Data, &data), ev.Type)
			at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(data[field]))
			require.NoError(t, err, "%s %s", ev.Type, field)
			assert.False(t, at.IsZero(), "%s %s", ev.Type, field)
			assert.Equal(t, ev.OccurredAt.UTC(), at.UTC(), "%s %s is when it happened", ev.Type, field)
			seen[ev.Type] = true
		}
	}
	assert.Len(t, seen, len(times), "every one of the events was recorded")
}

func TestEveryOtherExit(t *testing.T) {
	for name, tt := range map[string]struct {
		steps []step
		want  ltc.Outcome
	}{
		"NOT_PURSUED": {steps(toPursuit()[:2], []step{decide("r-d", manager, ltc.VerdictReject)}), ltc.OutcomeNotPursued},
		"NO_BID":      {steps(toPursuit(), gate("atb", ltc.GateATB, bidPkg, ltc.VerdictReject)), ltc.OutcomeNoBid},
		"LOST": {steps(toPursuit(), gate("atb", ltc.GateATB, bidPkg, ltc.VerdictApprove),
			[]step{bid("r-bid", eur(600_000)), tender("r-t", ltc.TenderLost)}), ltc.OutcomeLost},
		"CANCELLED": {steps(toPursuit(), gate("atb", ltc.GateATB, bidPkg, ltc.VerdictApprove),
			[]step{bid("r-bid", eur(600_000)), tender("r-t", ltc.TenderCancelled)}), ltc.OutcomeCancelled},
		"ABANDONED": {steps(toPursuit(), gate("atb", ltc.GateATB, bidPkg, ltc.VerdictApprove),
			[]step{bid("r-bid", eur(600_000)), tender("r-t", ltc.TenderWon)}, gate("atc", ltc.GateATC, contrPkg, ltc.VerdictReject)),
			ltc.OutcomeAbandoned},
		"LOST by hand": {steps(toPursuit(), []step{{name: workflows.UpdateCloseOpportunity, arg: cmd(req("r-close", sales), ltc.CloseOpportunity{Outcome: ltc.OutcomeLost, Reason: "budget cut"})}}), ltc.OutcomeLost},
	} {
		t.Run(name, func(t *testing.T) {
			_, out, final := runToEnd(t, append(tt.steps, summary()))
			assert.Equal(t, tt.want, final.Outcome)
			assert.NoError(t, last(out).err)
			assert.NotNil(t, final.Summary)
		})
	}
}

func TestReapprovalPaths(t *testing.T) {
	lower := ltc.Package{Bid: &ltc.BidPackage{Strategy: "aggressive", ProposedPrice: eur(550_000), GrossMarginPercent: 30}}
	_, out := runDeal(t, ltc.DefaultPolicy(), steps(toPursuit(), gate("atb", ltc.GateATB, bidPkg, ltc.VerdictApprove),
		[]step{bid("r-low", eur(570_000))}, gate("atb2", ltc.GateATB, lower, ltc.VerdictApprove),
		[]step{bid("r-bid", eur(570_000)), tender("r-t", ltc.TenderWon)},
		gate("atc", ltc.GateATC, contrPkg, ltc.VerdictApprove), []step{sign("r-more", eur(590_000))},
		gate("atc2", ltc.GateATC, ltc.Package{Contract: &ltc.ContractPackage{FinalPrice: eur(590_000), GrossMarginPercent: 30, ContractReference: "C-8"}}, ltc.VerdictApprove),
		[]step{sign("r-sign", eur(590_000))})...)
	assert.ErrorContains(t, out[8].rejected, "a new ATB is needed")
	assert.Equal(t, eur(550_000), *result(t, out[11]).Opportunity.ApprovedBidPrice, "the new ATB set a new envelope")
	assert.Equal(t, ltc.StageBidding, result(t, out[11]).Opportunity.Stage)
	assert.Equal(t, ltc.StageNegotiation, result(t, out[13]).Opportunity.Stage)
	assert.ErrorContains(t, out[17].rejected, "a new ATC is needed")
	signed := result(t, last(out)).Opportunity
	assert.Equal(t, ltc.StageHandover, signed.Stage)
	assert.Equal(t, eur(590_000), signed.Contract.Amount)
}

func TestHandoverAndSummarySLAs(t *testing.T) {
	handoverSLA, summarySLA := ltc.DefaultHandoverSLA, ltc.DefaultSummarySLA
	e, out, final := runToEnd(t, steps(toPursuit(), gate("atb", ltc.GateATB, bidPkg, ltc.VerdictApprove),
		[]step{bid("r-bid", eur(600_000)), tender("r-t", ltc.TenderWon)},
		gate("atc", ltc.GateATC, contrPkg, ltc.VerdictApprove), []step{sign("r-sign", eur(580_000)),
			{after: handoverSLA + time.Hour, name: workflows.UpdateScheduleHandover, arg: cmd(req("r-sched", sales), ltc.ScheduleHandover{Handover: ltc.Handover{ScheduledFor: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC), Attendees: attendees}})},
			{name: workflows.UpdateCompleteHandover, arg: cmd(req("r-done", dora), ltc.CompleteHandover{Record: ltc.HandoverRecord{KeyTerms: "k", Commitments: "c", RisksHandedOver: "r"}})},
			{after: summarySLA + time.Hour, name: summary().name, arg: summary().arg}}, cash(eur(580_000))))
	assert.NoError(t, last(out).err)
	assert.Equal(t, ltc.ContractCompleted, final.Execution.Status)
	assert.True(t, final.HandoverOverdue, "the handover came late")
	assert.True(t, final.SummaryOverdue, "the summary came late")
	var overdue []string
	for _, c := range e.changes {
		for _, ev := range c.Events {
			if ev.Type == ltc.EventHandoverOverdue || ev.Type == ltc.EventSummaryOverdue {
				overdue = append(overdue, ev.Type)
				assert.Equal(t, []string{"user:sam", "role:sales_manager@/"}, ev.Recipients)
			}
		}
	}
	assert.Equal(t, []string{ltc.EventHandoverOverdue, ltc.EventSummaryOverdue}, overdue)
	signed := result(t, out[13]).Opportunity
	assert.Equal(t, signed.Contract.SignedAt.Add(handoverSLA), *signed.HandoverDueAt)
}

func TestContinueAsNewMidDealKeepsEverything(t *testing.T) {
	// First run: Temporal suggests continue-as-new while the deal is in INITIATION_REVIEW; the Update that arrives
	// next completes and is recorded once, then the process continues as new carrying the deal.
	first := newEnv(t)
	s := toPursuit()
	var out []*outcome
	for i, st := range s[:3] {
		out = append(out, first.update(time.Duration(i+1)*time.Minute, st.name, "u"+st.name, st.arg))
	}
	first.RegisterDelayedCallback(func() { first.SetContinueAsNewSuggested(true) }, 2*time.Minute+30*time.Second)
	first.ExecuteWorkflow(workflows.DealWorkflow, dealInput(ltc.DefaultPolicy()))

	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, first.GetWorkflowError(), &can)
	decided := result(t, out[2])
	assert.Equal(t, ltc.StageTeamFormation, decided.Opportunity.Stage, "the Update in flight completed")
	var carried workflows.DealInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &carried))
	assert.Equal(t, decided.Opportunity, *carried.Deal.Opportunity, "the new run starts from the deal as it was")
	assert.Equal(t, []string{ltc.EventAssessmentUpdated, ltc.EventDecisionRequested, ltc.EventDecisionDecided}, first.eventTypes(),
		"each change recorded once")

	// Second run: the deal goes on from where it was.
	second := newEnv(t)
	team := second.update(time.Minute, s[3].name, "u-team", s[3].arg)
	second.RegisterDelayedCallback(second.CancelWorkflow, 2*time.Minute)
	second.ExecuteWorkflow(workflows.DealWorkflow, carried)
	got := result(t, team)
	assert.Equal(t, ltc.StagePursuit, got.Opportunity.Stage)
	assert.Len(t, got.Opportunity.Decisions, 1)
	assert.Equal(t, ltc.LevelC, got.Opportunity.Level)
}
