package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// TestEveryEventTypeArrivesTyped drives deals through the process until every type of the event catalogue has
// occurred (deadlines made short: lead SLA, level-C decision SLA, weekly reports, handover and summary SLAs),
// follows the log by cursor with ListEvents, and checks that each event carries the payload case of its type with
// the change's content.
func TestEveryEventTypeArrivesTyped(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-event-catalogue"
		p.LeadSLA = ltc.Duration(2 * time.Second)
		lc := p.Levels[ltc.LevelC]
		lc.DecisionSLA = ltc.Duration(time.Second)
		p.Levels[ltc.LevelC] = lc
		p.ReportPeriod, p.ReportGrace = ltc.Duration(2*time.Second), ltc.Duration(time.Second)
		p.HandoverSLA, p.SummarySLA = ltc.Duration(time.Second), ltc.Duration(time.Second)
	})
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	rid := uuid.NewString
	get := func(id string) *ltcv1.Opportunity {
		t.Helper()
		got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
		require.NoError(t, err)
		return got.Opportunity
	}
	wait := func(what string, done func() bool) {
		t.Helper()
		require.Eventually(t, done, 30*time.Second, 100*time.Millisecond, what)
	}

	// A lead left NEW past its SLA, then disqualified.
	created, err := leads.CreateLead(e.As(t, sam), createRequest())
	require.NoError(t, err)
	lead := created.Lead.Id
	// A level-C deal whose INITIATION nobody decides: it escalates to the top and is flagged overdue, then its
	// requester withdraws it and closes the deal.
	stalled, stalledInitiation := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_C)

	// A level-B deal from lead to WON, with a weekly report, a meeting and every deadline of its own passing once.
	won, initiation := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	gates := map[string]ltcv1.Gate{initiation.Id: ltcv1.Gate_GATE_INITIATION, stalledInitiation.Id: ltcv1.Gate_GATE_INITIATION}
	decide := func(by ltc.Actor, d string) {
		t.Helper()
		_, err := decisions.Decide(e.As(t, by), &ltcv1.DecideRequest{RequestId: rid(), DecisionId: d, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "ok"})
		require.NoError(t, err)
	}
	gate := func(req *ltcv1.RequestDecisionRequest, decider ltc.Actor) {
		t.Helper()
		req.RequestId, req.OpportunityId = rid(), won
		r, err := decisions.RequestDecision(e.As(t, sam), req)
		require.NoError(t, err)
		gates[r.Decision.Id] = req.Gate
		_, err = decisions.ReassignReview(e.As(t, mia), &ltcv1.ReassignReviewRequest{RequestId: rid(), DecisionId: r.Decision.Id,
			Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Reviewer: &ltcv1.Person{Id: "fiona", Name: "Fiona Finance"}, Reason: "the deal's finance reviewer"})
		require.NoError(t, err)
		for _, rv := range []struct {
			by ltc.Actor
			f  ltcv1.ReviewFunction
		}{{fiona, ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE}, {leo, ltcv1.ReviewFunction_REVIEW_FUNCTION_LEGAL}, {dan, ltcv1.ReviewFunction_REVIEW_FUNCTION_DELIVERY}} {
			_, err := decisions.SubmitReview(e.As(t, rv.by), &ltcv1.SubmitReviewRequest{RequestId: rid(), DecisionId: r.Decision.Id, Function: rv.f,
				Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
			require.NoError(t, err)
		}
		decide(decider, r.Decision.Id)
	}
	decide(eva, initiation.Id)
	_, err = deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: rid(), OpportunityId: won, Members: team()})
	require.NoError(t, err)
	added, err := deals.AddRisk(e.As(t, fred), &ltcv1.AddRiskRequest{RequestId: rid(), OpportunityId: won, Risk: risk()})
	require.NoError(t, err)
	r := added.Opportunity.Risks[0]
	r.Status, r.Mitigation = ltcv1.RiskStatus_RISK_STATUS_MITIGATED, "hedged"
	_, err = deals.UpdateRisk(e.As(t, sara), &ltcv1.UpdateRiskRequest{RequestId: rid(), OpportunityId: won, Risk: r})
	require.NoError(t, err)
	_, err = deals.SubmitWeeklyReport(e.As(t, sara), &ltcv1.SubmitWeeklyReportRequest{RequestId: rid(), OpportunityId: won,
		Report: &ltcv1.WeeklyReport{Progress: "workshop held", WinRate: 60, NextSteps: "demo"}})
	require.NoError(t, err)
	_, err = deals.RecordMeeting(e.As(t, fred), &ltcv1.RecordMeetingRequest{RequestId: rid(), OpportunityId: won,
		Meeting: &ltcv1.Meeting{Kind: ltcv1.MeetingKind_MEETING_KIND_ANALYSIS, Date: &date.Date{Year: 2027, Month: 1, Day: 10},
			Attendees: []*ltcv1.Person{{Id: "sam"}, {Id: "fred"}}, Conclusions: "competitor discounting",
			ActionItems: []*ltcv1.ActionItem{{Description: "revise price", Owner: &ltcv1.Person{Id: "sam"}, DueDate: &date.Date{Year: 2027, Month: 1, Day: 17}}}}})
	require.NoError(t, err)
	wait("a weekly report is missed", func() bool { return len(get(won).OverdueReportPeriods) > 0 })

	gate(&ltcv1.RequestDecisionRequest{Gate: ltcv1.Gate_GATE_ATB, Package: &ltcv1.RequestDecisionRequest_Bid{Bid: &ltcv1.BidPackage{
		Strategy: "value over price", ProposedPrice: eur(2_400_000), GrossMarginPercent: 31.5, PaymentTerms: "30/60/10",
		DeliveryFeasibility: "feasible with partner", WinRate: 55}}}, eva)
	_, err = deals.SubmitBid(e.As(t, sam), &ltcv1.SubmitBidRequest{RequestId: rid(), OpportunityId: won, Bid: &ltcv1.Bid{Price: eur(2_400_000),
		Date: &date.Date{Year: 2027, Month: 1, Day: 15}, Reference: "TENDER-42"}})
	require.NoError(t, err)
	_, err = deals.RecordTenderResult(e.As(t, sam), &ltcv1.RecordTenderResultRequest{RequestId: rid(), OpportunityId: won,
		Result: &ltcv1.TenderResult{Result: ltcv1.Tender_TENDER_WON}})
	require.NoError(t, err)
	gate(&ltcv1.RequestDecisionRequest{Gate: ltcv1.Gate_GATE_ATC, Package: &ltcv1.RequestDecisionRequest_Contract{Contract: &ltcv1.ContractPackage{
		FinalPrice: eur(2_350_000), GrossMarginPercent: 29, PaymentTerms: "30/60/10", ContractReference: "MSA-2027-01"}}}, eric)
	_, err = deals.SignContract(e.As(t, sam), &ltcv1.SignContractRequest{RequestId: rid(), OpportunityId: won, Contract: &ltcv1.Contract{
		Number: "C-2027-001", Date: &date.Date{Year: 2027, Month: 2, Day: 1}, Amount: eur(2_350_000)}})
	require.NoError(t, err)
	attendees := append(team(), &ltcv1.TeamMember{Person: &ltcv1.Person{Id: "dora", Name: "Dora Delivery"}, Role: ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM})
	_, err = deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: rid(), OpportunityId: won, Members: attendees})
	require.NoError(t, err)
	_, err = deals.ScheduleHandover(e.As(t, sam), &ltcv1.ScheduleHandoverRequest{RequestId: rid(), OpportunityId: won,
		ScheduleTime: timestamppb.New(time.Now().Add(48 * time.Hour)), Attendees: attendees})
	require.NoError(t, err)
	wait("the handover SLA passes", func() bool { return get(won).HandoverOverdue })
	_, err = deals.CompleteHandover(e.As(t, dora), &ltcv1.CompleteHandoverRequest{RequestId: rid(), OpportunityId: won,
		Record: &ltcv1.HandoverRecord{KeyTerms: "24 months, 99.9% availability", Commitments: "on-site team in Q2", RisksHandedOver: "FX exposure hedged"}})
	require.NoError(t, err)
	wait("the summary SLA passes", func() bool { return get(won).SummaryOverdue })
	_, err = deals.SubmitProjectSummary(e.As(t, sam), &ltcv1.SubmitProjectSummaryRequest{RequestId: rid(), OpportunityId: won,
		Summary: &ltcv1.ProjectSummary{WinLossReasons: "solution fit and partner", Lessons: "involve delivery at ATB", WinRateAccuracy: "55%, won"}})
	require.NoError(t, err)
	overduePeriods := get(won).OverdueReportPeriods

	wait("the lead SLA passes", func() bool {
		got, err := leads.GetLead(e.As(t, sam), &ltcv1.GetLeadRequest{Id: lead})
		return err == nil && got.Lead.Overdue
	})
	_, err = leads.ReassignLead(e.As(t, mia), &ltcv1.ReassignLeadRequest{RequestId: rid(), LeadId: lead, Owner: &ltcv1.Person{Id: "sue", Name: "Sue Sales"},
		Reason: "sam is overloaded"})
	require.NoError(t, err)
	_, err = leads.DisqualifyLead(e.As(t, mia), &ltcv1.DisqualifyLeadRequest{RequestId: rid(), LeadId: lead, Reason: "no budget this year"})
	require.NoError(t, err)
	wait("the stalled INITIATION escalates to the top and is flagged overdue", func() bool {
		got, err := decisions.GetDecision(e.As(t, sam), &ltcv1.GetDecisionRequest{Id: stalledInitiation.Id})
		return err == nil && got.Decision.Overdue
	})
	_, err = decisions.WithdrawDecision(e.As(t, sam), &ltcv1.WithdrawDecisionRequest{RequestId: rid(), DecisionId: stalledInitiation.Id, Reason: "wait for Q1"})
	require.NoError(t, err)
	_, err = deals.CloseOpportunity(e.As(t, sam), &ltcv1.CloseOpportunityRequest{RequestId: rid(), OpportunityId: stalled,
		Outcome: ltcv1.Outcome_OUTCOME_LOST, Reason: "budget cut"})
	require.NoError(t, err)
	// The stalled deal is reopened, and handed to Sue.
	reopened, err := decisions.RequestDecision(e.As(t, sam), &ltcv1.RequestDecisionRequest{RequestId: rid(), OpportunityId: stalled,
		Gate: ltcv1.Gate_GATE_REOPEN, Package: &ltcv1.RequestDecisionRequest_Reopen{Reopen: &ltcv1.ReopenPackage{
			Stage: ltcv1.Stage_STAGE_VALIDATION, Rationale: "budget back"}}})
	require.NoError(t, err)
	gates[reopened.Decision.Id] = ltcv1.Gate_GATE_REOPEN
	decide(eric, reopened.Decision.Id)
	_, err = deals.ReassignOwner(e.As(t, mia), &ltcv1.ReassignOwnerRequest{RequestId: rid(), OpportunityId: stalled,
		Owner: &ltcv1.Person{Id: "sue", Name: "Sue Sales"}, Reason: "sam is overloaded"})
	require.NoError(t, err)
	_, err = deals.UpdateForecast(e.As(t, sue), forecastRequest(stalled, &date.Date{Year: 2027, Month: 3, Day: 31},
		eur(300_000), ltcv1.ForecastCategory_FORECAST_CATEGORY_BEST_CASE))
	require.NoError(t, err)

	// Follow the whole log by cursor, as a consumer does.
	var events []*ltcv1.Event
	for cursor := int64(0); ; {
		page, err := deals.ListEvents(e.As(t, sam), &ltcv1.ListEventsRequest{AfterSequence: cursor, PageSize: 25})
		require.NoError(t, err)
		if len(page.Events) == 0 {
			break
		}
		events = append(events, page.Events...)
		cursor = page.NextAfterSequence
	}

	payload := (&ltcv1.Event{}).ProtoReflect().Descriptor().Oneofs().ByName("payload")
	seen := map[string]bool{}
	for _, ev := range events {
		seen[ev.Type] = true
		set := ev.ProtoReflect().WhichOneof(payload)
		if !assert.NotNil(t, set, "event %d (%s) has no payload", ev.Sequence, ev.Type) {
			continue
		}
		_, short, _ := strings.Cut(ev.Type, ".")
		assert.Contains(t, []string{strings.ReplaceAll(ev.Type, ".", "_"), short}, string(set.Name()), "event %d (%s)", ev.Sequence, ev.Type)
		assert.Nil(t, ev.Data, "the payload carries the details; data is for details without one")
		checkPayload(t, ev, gates, overduePeriods, map[string]string{lead: "lead", stalled: "stalled", won: "won"}[ev.DealId])
	}
	for _, typ := range ltc.EventTypes {
		// Accounts' events: account_test.go; the reference data's: TestReferenceDataChangesAreEvents; contract
		// execution's: TestContractExecutionToCash.
		if !slices.Contains(ltc.AccountEventTypes, typ) && !slices.Contains(ltc.ReferenceEventTypes, typ) &&
			!slices.Contains(ltc.ExecutionEventTypes, typ) {
			assert.True(t, seen[typ], "no %s event occurred", typ)
		}
	}
}

// checkPayload checks that the event's payload carries what the test's deals did: deal names the deal ("lead",
// "stalled" or "won"), gates the gate of each decision, overduePeriods the won deal's missed report periods.
func checkPayload(t *testing.T, ev *ltcv1.Event, gates map[string]ltcv1.Gate, overduePeriods []int32, deal string) {
	t.Helper()
	at := ev.OccurTime.AsTime()
	switch p := ev.Payload.(type) {
	case *ltcv1.Event_LeadCreated:
		assert.Equal(t, ev.DealId, p.LeadCreated.Lead.Id)
		assert.Equal(t, "Acme Telecom", p.LeadCreated.Lead.Customer.Name)
		assert.Equal(t, ltcv1.LeadState_LEAD_STATE_NEW, p.LeadCreated.Lead.State)
	case *ltcv1.Event_LeadQualified:
		assert.Equal(t, ltcv1.Urgency_URGENCY_HOT, p.LeadQualified.Qualification.Urgency)
		assert.True(t, p.LeadQualified.Qualification.BudgetConfirmed)
	case *ltcv1.Event_LeadDisqualified:
		assert.Equal(t, "lead", deal)
		assert.Equal(t, "no budget this year", p.LeadDisqualified.Reason)
	case *ltcv1.Event_LeadOverdue:
		assert.False(t, p.LeadOverdue.SlaDueTime.AsTime().After(at), "the SLA passed before the event")
		assert.Contains(t, ev.Recipients, "user:sam")
	case *ltcv1.Event_OpportunityCreated:
		assert.Equal(t, ev.DealId, p.OpportunityCreated.Opportunity.Id)
		assert.Equal(t, ltcv1.Stage_STAGE_VALIDATION, p.OpportunityCreated.Opportunity.Stage)
	case *ltcv1.Event_AssessmentUpdated:
		assert.Equal(t, int32(60), p.AssessmentUpdated.Assessment.WinRate)
		assert.Equal(t, []string{"Globex"}, p.AssessmentUpdated.Assessment.Competitors)
	case *ltcv1.Event_DecisionRequested:
		d := p.DecisionRequested.Decision
		assert.Equal(t, gates[d.Id], d.Gate, "decision %s", d.Id)
		assert.Equal(t, ev.DealId, d.OpportunityId)
		assert.Equal(t, ltcv1.DecisionStatus_DECISION_STATUS_PENDING, d.Status)
		assert.Equal(t, "sam", d.RequestedBy.Id)
	case *ltcv1.Event_ReviewSubmitted:
		assert.Contains(t, []ltcv1.Gate{ltcv1.Gate_GATE_ATB, ltcv1.Gate_GATE_ATC}, gates[p.ReviewSubmitted.DecisionId])
		assert.Equal(t, ltcv1.ReviewResult_REVIEW_RESULT_PASS, p.ReviewSubmitted.Review.Result)
		assert.Contains(t, []string{"fiona", "leo", "dan"}, p.ReviewSubmitted.Review.Reviewer.Id)
	case *ltcv1.Event_DecisionDecided:
		d := p.DecisionDecided.Decision
		assert.NotZero(t, gates[d.Id], "decision %s", d.Id)
		assert.Equal(t, ltcv1.DecisionStatus_DECISION_STATUS_APPROVED, d.Status)
		assert.Contains(t, []string{"eva", "eric"}, d.DecidedBy.GetId())
	case *ltcv1.Event_DecisionWithdrawn:
		d := p.DecisionWithdrawn.Decision
		assert.Equal(t, "stalled", deal)
		assert.Equal(t, ltcv1.DecisionStatus_DECISION_STATUS_WITHDRAWN, d.Status)
		assert.Equal(t, "wait for Q1", d.Rationale)
	case *ltcv1.Event_DecisionEscalated:
		assert.Equal(t, "stalled", deal)
		assert.NotZero(t, gates[p.DecisionEscalated.DecisionId])
		assert.Equal(t, p.DecisionEscalated.AuthorityBefore+1, p.DecisionEscalated.Authority)
		assert.True(t, p.DecisionEscalated.DueTime.AsTime().After(at), "the SLA restarted")
	case *ltcv1.Event_DecisionOverdue:
		assert.Equal(t, "stalled", deal)
		assert.NotZero(t, gates[p.DecisionOverdue.DecisionId])
		assert.Equal(t, int32(ltc.MaxAuthority), p.DecisionOverdue.Authority)
		assert.Contains(t, ev.Recipients, "user:sam", "the requester hears of it")
	case *ltcv1.Event_TeamAppointed:
		assert.Len(t, p.TeamAppointed.Members, 3)
		assert.Equal(t, "sam", p.TeamAppointed.Members[0].Person.Id)
		assert.Equal(t, ltcv1.TeamRole_TEAM_ROLE_AR, p.TeamAppointed.Members[0].Role)
	case *ltcv1.Event_TeamChanged:
		assert.Len(t, p.TeamChanged.Before, 3)
		require.Len(t, p.TeamChanged.After, 4)
		assert.Equal(t, ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM, p.TeamChanged.After[3].Role)
	case *ltcv1.Event_OpportunityClosed:
		want := map[string]ltcv1.Outcome{"won": ltcv1.Outcome_OUTCOME_WON, "stalled": ltcv1.Outcome_OUTCOME_LOST}[deal]
		assert.Equal(t, want, p.OpportunityClosed.Outcome)
		if deal == "stalled" {
			assert.Equal(t, "budget cut", p.OpportunityClosed.Reason)
		}
	case *ltcv1.Event_RiskAdded:
		assert.Equal(t, risk().Description, p.RiskAdded.Risk.Description)
		assert.NotEmpty(t, p.RiskAdded.Risk.Id)
	case *ltcv1.Event_RiskUpdated:
		assert.Equal(t, ltcv1.RiskStatus_RISK_STATUS_MITIGATED, p.RiskUpdated.Risk.Status)
		assert.Equal(t, "hedged", p.RiskUpdated.Risk.Mitigation)
	case *ltcv1.Event_BidSubmitted:
		assert.Equal(t, "TENDER-42", p.BidSubmitted.Bid.Reference)
		assert.Equal(t, int64(2_400_000_00), p.BidSubmitted.Bid.Price.AmountMinor)
		assert.Equal(t, "sam", p.BidSubmitted.Bid.SubmittedBy.Id)
	case *ltcv1.Event_TenderResultRecorded:
		assert.Equal(t, ltcv1.Tender_TENDER_WON, p.TenderResultRecorded.Result.Result)
	case *ltcv1.Event_ContractSigned:
		assert.Equal(t, "C-2027-001", p.ContractSigned.Contract.Number)
		assert.Equal(t, int64(2_350_000_00), p.ContractSigned.Contract.Amount.AmountMinor)
	case *ltcv1.Event_HandoverScheduled:
		assert.Len(t, p.HandoverScheduled.Handover.Attendees, 4)
		assert.Nil(t, p.HandoverScheduled.Handover.Record)
	case *ltcv1.Event_HandoverCompleted:
		assert.Equal(t, "24 months, 99.9% availability", p.HandoverCompleted.Handover.Record.GetKeyTerms())
		assert.Equal(t, "dora", p.HandoverCompleted.Handover.AcknowledgedBy.GetId())
	case *ltcv1.Event_HandoverOverdue:
		assert.False(t, p.HandoverOverdue.DueTime.AsTime().After(at), "the SLA passed before the event")
	case *ltcv1.Event_SummarySubmitted:
		assert.Equal(t, "involve delivery at ATB", p.SummarySubmitted.Summary.Lessons)
	case *ltcv1.Event_SummaryOverdue:
		assert.False(t, p.SummaryOverdue.DueTime.AsTime().After(at), "the SLA passed before the event")
	case *ltcv1.Event_WeeklyReportSubmitted:
		assert.Equal(t, "workshop held", p.WeeklyReportSubmitted.Report.Progress)
		assert.Equal(t, "sara", p.WeeklyReportSubmitted.Report.SubmittedBy.Id)
	case *ltcv1.Event_WeeklyReportOverdue:
		assert.Equal(t, "won", deal)
		assert.Contains(t, overduePeriods, p.WeeklyReportOverdue.Period)
		assert.False(t, p.WeeklyReportOverdue.DueTime.AsTime().After(at), "the report was due before the event")
	case *ltcv1.Event_LeadReassigned:
		assert.Equal(t, "lead", deal)
		assert.Equal(t, []string{"sam", "sue", "sam is overloaded"}, []string{p.LeadReassigned.Before.Id, p.LeadReassigned.After.Id, p.LeadReassigned.Reason})
	case *ltcv1.Event_OwnerReassigned:
		assert.Equal(t, "stalled", deal)
		assert.Equal(t, []string{"sam", "sue"}, []string{p.OwnerReassigned.Before.Id, p.OwnerReassigned.After.Id})
	case *ltcv1.Event_ForecastUpdated:
		assert.Equal(t, "stalled", deal)
		assert.Equal(t, ltcv1.ForecastCategory_FORECAST_CATEGORY_PIPELINE, p.ForecastUpdated.Before.Category)
		assert.Equal(t, ltcv1.ForecastCategory_FORECAST_CATEGORY_BEST_CASE, p.ForecastUpdated.After.Category)
		assert.Equal(t, "sue", p.ForecastUpdated.After.UpdatedBy.Id)
	case *ltcv1.Event_ReviewReassigned:
		assert.Equal(t, "won", deal)
		assert.Equal(t, "fiona", p.ReviewReassigned.Assignment.Reviewer.Id)
		assert.Equal(t, "mia", p.ReviewReassigned.Assignment.AssignedBy.Id)
	case *ltcv1.Event_OpportunityReopened:
		assert.Equal(t, "stalled", deal)
		assert.Equal(t, ltcv1.Outcome_OUTCOME_LOST, p.OpportunityReopened.Reopening.Outcome)
		assert.Equal(t, ltcv1.Stage_STAGE_VALIDATION, p.OpportunityReopened.Reopening.Stage)
	case *ltcv1.Event_MeetingRecorded:
		assert.Equal(t, "competitor discounting", p.MeetingRecorded.Meeting.Conclusions)
		assert.Equal(t, "sam", p.MeetingRecorded.Meeting.ActionItems[0].Owner.Id)
		assert.NotEmpty(t, p.MeetingRecorded.Meeting.Id)
	}
}
