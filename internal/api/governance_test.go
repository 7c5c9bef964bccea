package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

// The governance cast: the German office of EMEA, where the deals run, and the Japanese office of APAC.
var (
	deSam     = ltc.Actor{ID: "de-sam", Name: "Sam", Roles: []ltc.Role{ltc.RoleSales}, Unit: "emea/germany"}
	deSue     = ltc.Actor{ID: "de-sue", Name: "Sue", Roles: []ltc.Role{ltc.RoleSales}, Unit: "emea/germany"}
	deMia     = ltc.Actor{ID: "de-mia", Name: "Mia", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: "emea/germany"}
	deEli     = ltc.Actor{ID: "de-eli", Name: "Eli", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1, Unit: "emea/germany"}
	emeaEva   = ltc.Actor{ID: "emea-eva", Name: "Eva", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "emea"}
	emeaFiona = ltc.Actor{ID: "emea-fiona", Name: "Fiona", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "emea"}
	jpYui     = ltc.Actor{ID: "jp-yui", Name: "Yui", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: "apac/japan"}
	apacAiko  = ltc.Actor{ID: "apac-aiko", Name: "Aiko", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "apac"}
	apacHana  = ltc.Actor{ID: "apac-hana", Name: "Hana", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "apac"}
	corpEric  = ltc.Actor{ID: "corp-eric", Name: "Eric", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3, Unit: ltc.Company}
	emeaCRM   = ltc.Actor{ID: "emea-crm", Name: "CRM", Roles: []ltc.Role{ltc.RoleSystem}, Unit: "emea", Scopes: []string{ltc.ScopeRead}}
	blindCRM  = ltc.Actor{ID: "blind-crm", Name: "CRM", Roles: []ltc.Role{ltc.RoleSystem}, Unit: "emea"}
	ops       = ltc.Actor{ID: "ops", Name: "Operator", Roles: []ltc.Role{ltc.RoleAdmin}, Unit: ltc.Company}
)

// germanDeal creates a lead as de-sam in emea/germany (grade and value as given), has de-mia qualify it and
// de-sam assess it, and returns its id.
func germanDeal(t *testing.T, e *testenv.Engine, grade ltcv1.CustomerGrade, value int64) string {
	t.Helper()
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	req := createRequest()
	req.Customer.Grade = grade
	req.EstimatedValue = &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: value}
	created, err := leads.CreateLead(e.As(t, deSam), req)
	require.NoError(t, err)
	require.Equal(t, "emea/germany", created.Lead.OrgUnit, "a lead belongs to its owner's unit")
	_, err = leads.QualifyLead(e.As(t, deMia), qualifyRequest(created.Lead.Id))
	require.NoError(t, err)
	a := assessment()
	a.Value = &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: value}
	_, err = ltcv1.NewOpportunityServiceClient(e.Conn).UpdateAssessment(e.As(t, deSam), &ltcv1.UpdateAssessmentRequest{
		RequestId: uuid.NewString(), OpportunityId: created.Lead.Id, Assessment: a})
	require.NoError(t, err)
	return created.Lead.Id
}

func requestInitiation(t *testing.T, e *testenv.Engine, as ltc.Actor, id string, level ltcv1.ProjectLevel) *ltcv1.Decision {
	t.Helper()
	resp, err := ltcv1.NewDecisionServiceClient(e.Conn).RequestDecision(e.As(t, as), &ltcv1.RequestDecisionRequest{
		RequestId: uuid.NewString(), OpportunityId: id, Gate: ltcv1.Gate_GATE_INITIATION,
		Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{ProposedLevel: level, Rationale: "go"}}})
	require.NoError(t, err)
	return resp.Decision
}

func decideAs(t *testing.T, e *testenv.Engine, as ltc.Actor, decisionID string, v ltcv1.Verdict) error {
	t.Helper()
	_, err := ltcv1.NewDecisionServiceClient(e.Conn).Decide(e.As(t, as), &ltcv1.DecideRequest{
		RequestId: uuid.NewString(), DecisionId: decisionID, Verdict: v, Rationale: "considered"})
	return err
}

func TestNobodyApprovesTheirOwnGate(t *testing.T) {
	e := testenv.StartEngine(t)
	id := germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_C, 100_000_00)
	d := requestInitiation(t, e, deMia, id, ltcv1.ProjectLevel_PROJECT_LEVEL_C)
	before := eventTypes(t, e.Store, id)

	assert.NotContains(t, inbox(t, e, deMia), d.Id, "a request never waits in its requester's inbox")
	requireCode(t, decideAs(t, e, deMia, d.Id, ltcv1.Verdict_VERDICT_APPROVE), codes.PermissionDenied, "separation of duties")
	requireCode(t, decideAs(t, e, deSam, d.Id, ltcv1.Verdict_VERDICT_APPROVE), codes.PermissionDenied, "")
	requireCode(t, decideAs(t, e, ops, d.Id, ltcv1.Verdict_VERDICT_APPROVE), codes.PermissionDenied, "")
	assert.Equal(t, before, eventTypes(t, e.Store, id), "refusals record nothing")

	assert.Contains(t, inbox(t, e, deEli), d.Id)
	require.NoError(t, decideAs(t, e, deEli, d.Id, ltcv1.Verdict_VERDICT_APPROVE))
}

func TestThePolicyLevelIsAFloorOnWhoApproves(t *testing.T) {
	e := testenv.StartEngine(t)
	// A grade-S deal of 200,000,000 EUR proposed as level C.
	id := germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_S, 200_000_000_00)
	d := requestInitiation(t, e, deSam, id, ltcv1.ProjectLevel_PROJECT_LEVEL_C)
	assert.Equal(t, ltcv1.ProjectLevel_PROJECT_LEVEL_A, d.Level)
	assert.Equal(t, ltcv1.ProjectLevel_PROJECT_LEVEL_A, d.PolicyLevel)
	assert.Equal(t, ltcv1.ProjectLevel_PROJECT_LEVEL_C, d.ProposedLevel)
	assert.Equal(t, int32(3), d.RequiredAuthority)

	assert.NotContains(t, inbox(t, e, deMia), d.Id)
	requireCode(t, decideAs(t, e, deMia, d.Id, ltcv1.Verdict_VERDICT_APPROVE), codes.PermissionDenied, "authority 3")
	requireCode(t, decideAs(t, e, emeaEva, d.Id, ltcv1.Verdict_VERDICT_APPROVE), codes.PermissionDenied, "authority 3")
	assert.Contains(t, inbox(t, e, corpEric), d.Id)
	require.NoError(t, decideAs(t, e, corpEric, d.Id, ltcv1.Verdict_VERDICT_APPROVE))
	got, err := ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(e.As(t, deSam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.ProjectLevel_PROJECT_LEVEL_C, got.Opportunity.Level, "corporate confirmed the proposed level")
	assert.Equal(t, corpEric.ID, got.Opportunity.Sponsor.Id)
}

func TestInboxesAndDecisionsFollowTheOrgScope(t *testing.T) {
	e := testenv.StartEngine(t)
	id := germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_A, 100_000_00) // grade A: level B, the region decides
	d := requestInitiation(t, e, deSam, id, ltcv1.ProjectLevel_PROJECT_LEVEL_B)

	requested, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Types: []string{ltc.EventDecisionRequested}, Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, []string{"authority:2@emea/germany"}, requested.Events[0].Recipients, "only the deciders whose scope holds the deal are told")
	assert.Empty(t, inbox(t, e, apacAiko), "another region's executive is not asked")
	assert.Empty(t, inbox(t, e, jpYui))
	requireCode(t, decideAs(t, e, apacAiko, d.Id, ltcv1.Verdict_VERDICT_APPROVE), codes.PermissionDenied, "emea/germany")
	_, err = ltcv1.NewDecisionServiceClient(e.Conn).GetDecision(e.As(t, apacAiko), &ltcv1.GetDecisionRequest{Id: d.Id})
	requireCode(t, err, codes.PermissionDenied, "")
	assert.Equal(t, []string{d.Id}, inbox(t, e, emeaEva))
	require.NoError(t, decideAs(t, e, emeaEva, d.Id, ltcv1.Verdict_VERDICT_APPROVE))

	// A lead of another unit is neither created by a rep of this one nor qualified by another unit's manager.
	other := createRequest()
	other.OrgUnit = "apac/japan"
	_, err = ltcv1.NewLeadServiceClient(e.Conn).CreateLead(e.As(t, deSue), other)
	requireCode(t, err, codes.PermissionDenied, "apac/japan")
	lead, err := ltcv1.NewLeadServiceClient(e.Conn).CreateLead(e.As(t, deSue), createRequest())
	require.NoError(t, err)
	_, err = ltcv1.NewLeadServiceClient(e.Conn).QualifyLead(e.As(t, jpYui), qualifyRequest(lead.Lead.Id))
	requireCode(t, err, codes.PermissionDenied, "emea/germany")
}

func TestOnlyTheRightPeopleReadADeal(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-visibility"
		p.InitiationReviews = []ltc.ReviewFunction{ltc.FunctionFinance}
	})
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	id := germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_C, 100_000_00)
	d := requestInitiation(t, e, deSam, id, ltcv1.ProjectLevel_PROJECT_LEVEL_C)
	_, err := decisions.SubmitReview(e.As(t, apacHana), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
	requireCode(t, err, codes.PermissionDenied, "outside your unit")
	_, err = decisions.SubmitReview(e.As(t, emeaFiona), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
	require.NoError(t, err)
	require.NoError(t, decideAs(t, e, deEli, d.Id, ltcv1.Verdict_VERDICT_APPROVE))
	_, err = deals.AppointTeam(e.As(t, deMia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Members: []*ltcv1.TeamMember{
			{Person: &ltcv1.Person{Id: deSam.ID}, Role: ltcv1.TeamRole_TEAM_ROLE_AR},
			{Person: &ltcv1.Person{Id: "de-sara"}, Role: ltcv1.TeamRole_TEAM_ROLE_SR},
			{Person: &ltcv1.Person{Id: "de-fred"}, Role: ltcv1.TeamRole_TEAM_ROLE_FR}}})
	require.NoError(t, err)
	_, err = deals.SubmitWeeklyReport(e.As(t, deSam), &ltcv1.SubmitWeeklyReportRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Report: &ltcv1.WeeklyReport{Progress: "the CFO hesitates about the price", WinRate: 40, NextSteps: "offer a discount"}})
	require.NoError(t, err)
	// A deal of APAC that the EMEA readers must not see either.
	jp := createRequest()
	jp.OrgUnit = "apac/japan"
	jpLead, err := ltcv1.NewLeadServiceClient(e.Conn).CreateLead(e.As(t, jpYui), jp)
	require.NoError(t, err)

	type view struct{ deal, reports, listed, events, reportEvents, decision, lead bool }
	cases := map[string]struct {
		who  ltc.Actor
		want view
	}{
		"the AR":                       {deSam, view{true, true, true, true, true, true, true}},
		"the office's manager":         {deMia, view{true, true, true, true, true, true, true}},
		"the sponsor":                  {deEli, view{true, true, true, true, true, true, true}},
		"the region's executive":       {emeaEva, view{true, false, true, true, false, true, true}},
		"a system with the read scope": {emeaCRM, view{true, false, true, true, false, true, true}},
		"a reviewer, for the package":  {emeaFiona, view{false, false, false, false, false, true, false}},
		"another rep of the office":    {deSue, view{false, false, false, false, false, false, false}},
		"another region's manager":     {jpYui, view{false, false, false, false, false, false, false}},
		"another region's executive":   {apacAiko, view{false, false, false, false, false, false, false}},
		"another region's reviewer":    {apacHana, view{false, false, false, false, false, false, false}},
		"a system without read scope":  {blindCRM, view{false, false, false, false, false, false, false}},
		"an admin (operators repair)":  {ops, view{true, true, true, true, true, true, true}},
		"corporate, not the sponsor":   {corpEric, view{true, false, true, true, false, true, true}},
	}
	for name, c := range cases {
		ctx := e.As(t, c.who)
		emeaOnly := c.who.Unit != ltc.Company && !ltc.Unit("apac").Contains(c.who.Unit)
		var got view
		o, err := deals.GetOpportunity(ctx, &ltcv1.GetOpportunityRequest{Id: id})
		if got.deal = err == nil; got.deal {
			got.reports = o.Opportunity.WeeklyReportsVisible && len(o.Opportunity.WeeklyReports) == 1
			if !o.Opportunity.WeeklyReportsVisible {
				assert.Empty(t, o.Opportunity.WeeklyReports, name)
				assert.Nil(t, o.Opportunity.LastReport, name)
			}
		} else {
			requireCode(t, err, codes.PermissionDenied, "")
		}
		list, err := deals.ListOpportunities(ctx, &ltcv1.ListOpportunitiesRequest{PageSize: 100})
		require.NoError(t, err)
		for _, o := range list.Opportunities {
			if emeaOnly {
				assert.NotEqual(t, jpLead.Lead.Id, o.Id, name+": no APAC deal here")
			}
			got.listed = got.listed || o.Id == id
			if o.Id == id {
				assert.Empty(t, o.WeeklyReports, name+": a list page carries summaries, without weekly reports")
			}
		}
		evs, err := deals.ListEvents(ctx, &ltcv1.ListEventsRequest{PageSize: 1000})
		require.NoError(t, err)
		for _, ev := range evs.Events {
			if emeaOnly {
				assert.NotEqual(t, jpLead.Lead.Id, ev.DealId, name+": no APAC event here")
			}
			if ev.DealId == id {
				got.events = true
				got.reportEvents = got.reportEvents || ev.Type == ltc.EventWeeklyReportSubmitted
			}
		}
		_, err = decisions.GetDecision(ctx, &ltcv1.GetDecisionRequest{Id: d.Id})
		got.decision = err == nil
		_, err = ltcv1.NewLeadServiceClient(e.Conn).GetLead(ctx, &ltcv1.GetLeadRequest{Id: id})
		got.lead = err == nil
		assert.Equal(t, c.want, got, name)

		listed, err := decisions.ListDecisions(ctx, &ltcv1.ListDecisionsRequest{OpportunityId: id})
		require.NoError(t, err)
		assert.Equal(t, c.want.decision, len(listed.Decisions) == 1, name+": decisions listed as read")
	}

	// Reports count only the deals of the reader's scope.
	reports := ltcv1.NewReportServiceClient(e.Conn)
	period := &ltcv1.GetPipelineReportRequest{StartTime: timestamppb.New(time.Now().Add(-time.Hour)), EndTime: timestamppb.New(time.Now().Add(time.Hour))}
	count := func(a ltc.Actor) int32 {
		r, err := reports.GetPipelineReport(e.As(t, a), period)
		require.NoError(t, err)
		var n int32
		for _, f := range r.Funnel {
			n += f.Deals
		}
		return n
	}
	assert.Equal(t, int32(1), count(emeaEva))
	assert.Equal(t, int32(0), count(apacAiko), "another region's report holds none of EMEA's deals")
	assert.Equal(t, int32(1), count(corpEric))
}

func TestAReplayedRequestIsCheckedAgainstItsCallerFirst(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	req := createRequest()
	created, err := leads.CreateLead(e.As(t, deSam), req)
	require.NoError(t, err)

	// Another person replays the accepted request, same id and payload: no lead for them.
	_, err = leads.CreateLead(e.As(t, deSue), req)
	requireCode(t, err, codes.PermissionDenied, "someone else")
	_, err = leads.CreateLead(e.As(t, apacAiko), req)
	requireCode(t, err, codes.PermissionDenied, "role")
	again, err := leads.CreateLead(e.As(t, deSam), req)
	require.NoError(t, err, "its caller still gets the first result")
	assert.Equal(t, created.Lead.Id, again.Lead.Id)

	qualify := qualifyRequest(created.Lead.Id)
	_, err = leads.QualifyLead(e.As(t, deMia), qualify)
	require.NoError(t, err)
	_, err = leads.QualifyLead(e.As(t, jpYui), qualify)
	requireCode(t, err, codes.PermissionDenied, "")
	assert.Equal(t, []string{ltc.EventLeadCreated, ltc.EventLeadQualified, ltc.EventOpportunityCreated}, eventTypes(t, e.Store, created.Lead.Id))
}

// TestTheHandoverIsAcknowledgedByAnAppointedDeliveryPM drives a small deal to its handover over gRPC: the AR listing
// himself as DELIVERY_PM is refused, the appointed delivery project manager completes it.
func TestTheHandoverIsAcknowledgedByAnAppointedDeliveryPM(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	id := germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_C, 100_000_00)
	d := requestInitiation(t, e, deSam, id, ltcv1.ProjectLevel_PROJECT_LEVEL_C)
	require.NoError(t, decideAs(t, e, deEli, d.Id, ltcv1.Verdict_VERDICT_APPROVE))
	core := []*ltcv1.TeamMember{
		{Person: &ltcv1.Person{Id: deSam.ID}, Role: ltcv1.TeamRole_TEAM_ROLE_AR},
		{Person: &ltcv1.Person{Id: "de-sara"}, Role: ltcv1.TeamRole_TEAM_ROLE_SR},
		{Person: &ltcv1.Person{Id: "de-fred"}, Role: ltcv1.TeamRole_TEAM_ROLE_FR}}
	_, err := deals.AppointTeam(e.As(t, deMia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: core})
	require.NoError(t, err)
	_, err = deals.AddRisk(e.As(t, deSam), &ltcv1.AddRiskRequest{RequestId: uuid.NewString(), OpportunityId: id, Risk: &ltcv1.Risk{
		Description: "FX", Category: ltcv1.RiskCategory_RISK_CATEGORY_FINANCIAL, Probability: ltcv1.RiskLevel_RISK_LEVEL_LOW,
		Impact: ltcv1.RiskLevel_RISK_LEVEL_LOW, Owner: &ltcv1.Person{Id: deSam.ID}, Status: ltcv1.RiskStatus_RISK_STATUS_OPEN}})
	require.NoError(t, err)
	gate := func(pkg *ltcv1.RequestDecisionRequest) {
		pkg.RequestId, pkg.OpportunityId = uuid.NewString(), id
		r, err := decisions.RequestDecision(e.As(t, deSam), pkg)
		require.NoError(t, err)
		_, err = decisions.SubmitReview(e.As(t, emeaFiona), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: r.Decision.Id,
			Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
		require.NoError(t, err)
		require.NoError(t, decideAs(t, e, deEli, r.Decision.Id, ltcv1.Verdict_VERDICT_APPROVE))
	}
	gate(&ltcv1.RequestDecisionRequest{Gate: ltcv1.Gate_GATE_ATB, Package: &ltcv1.RequestDecisionRequest_Bid{Bid: &ltcv1.BidPackage{
		Strategy: "s", ProposedPrice: eur(100_000), GrossMarginPercent: 30, PaymentTerms: "p", DeliveryFeasibility: "f", WinRate: 50}}})
	_, err = deals.SubmitBid(e.As(t, deSam), &ltcv1.SubmitBidRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Bid: &ltcv1.Bid{Price: eur(100_000), Date: &date.Date{Year: 2027, Month: 1, Day: 1}, Reference: "B"}})
	require.NoError(t, err)
	_, err = deals.RecordTenderResult(e.As(t, deSam), &ltcv1.RecordTenderResultRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Result: &ltcv1.TenderResult{Result: ltcv1.Tender_TENDER_WON}})
	require.NoError(t, err)
	gate(&ltcv1.RequestDecisionRequest{Gate: ltcv1.Gate_GATE_ATC, Package: &ltcv1.RequestDecisionRequest_Contract{Contract: &ltcv1.ContractPackage{
		FinalPrice: eur(100_000), GrossMarginPercent: 30, PaymentTerms: "p", ContractReference: "C"}}})
	_, err = deals.SignContract(e.As(t, deSam), &ltcv1.SignContractRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Contract: &ltcv1.Contract{Number: "C", Date: &date.Date{Year: 2027, Month: 2, Day: 1}, Amount: eur(100_000)}})
	require.NoError(t, err)

	schedule := func(pm string) error {
		_, err := deals.ScheduleHandover(e.As(t, deSam), &ltcv1.ScheduleHandoverRequest{RequestId: uuid.NewString(), OpportunityId: id,
			ScheduleTime: timestamppb.New(time.Now().Add(time.Hour)),
			Attendees:    append([]*ltcv1.TeamMember{{Person: &ltcv1.Person{Id: pm}, Role: ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM}}, core...)})
		return err
	}
	requireCode(t, schedule(deSam.ID), codes.FailedPrecondition, "not appointed to the team")
	_, err = deals.AppointTeam(e.As(t, deMia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Members: append([]*ltcv1.TeamMember{{Person: &ltcv1.Person{Id: deSam.ID}, Role: ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM}}, core...)})
	require.NoError(t, err)
	requireCode(t, schedule(deSam.ID), codes.PermissionDenied, "separation of duties")
	_, err = deals.AppointTeam(e.As(t, deMia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Members: append([]*ltcv1.TeamMember{{Person: &ltcv1.Person{Id: "de-dora"}, Role: ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM}}, core...)})
	require.NoError(t, err)
	require.NoError(t, schedule("de-dora"))
	complete := &ltcv1.CompleteHandoverRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Record: &ltcv1.HandoverRecord{KeyTerms: "k", Commitments: "c", RisksHandedOver: "r"}}
	_, err = deals.CompleteHandover(e.As(t, deSam), complete)
	requireCode(t, err, codes.PermissionDenied, "")
	dora := ltc.Actor{ID: "de-dora", Name: "Dora", Roles: []ltc.Role{ltc.RoleSales}, Unit: "emea/germany"}
	complete.RequestId = uuid.NewString()
	won, err := deals.CompleteHandover(e.As(t, dora), complete)
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_WON, won.Opportunity.Outcome)
	keepHistory(t, e, workflows.DealWorkflowID(id), "deal_governed_to_won")
}

// Pages follow the reader's reach: a page token made for one reader pages on for them, and the next page holds
// nothing they may not read.
func TestPagesFollowTheReadersReach(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	var ids []string
	for range 3 {
		ids = append(ids, germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_C, 100_000_00))
	}
	jp := createRequest()
	jp.OrgUnit = "apac/japan"
	_, err := ltcv1.NewLeadServiceClient(e.Conn).CreateLead(e.As(t, jpYui), jp)
	require.NoError(t, err)

	var seen []string
	req := &ltcv1.ListOpportunitiesRequest{PageSize: 1}
	for {
		page, err := deals.ListOpportunities(e.As(t, deMia), req)
		require.NoError(t, err)
		for _, o := range page.Opportunities {
			seen = append(seen, o.Id)
		}
		if page.NextPageToken == "" {
			break
		}
		req.PageToken = page.NextPageToken
	}
	assert.ElementsMatch(t, ids, seen)
}

// TestMyDealsAreTheTeams: "mine" lists the deals whose team holds the caller, the owner included, and not the
// deals a manager merely reads.
func TestMyDealsAreTheTeams(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	inPursuit := toPursuitC(t, e)
	validating := qualifiedDeal(t, e)
	mine := func(a ltc.Actor) []string {
		t.Helper()
		resp, err := deals.ListOpportunities(e.As(t, a), &ltcv1.ListOpportunitiesRequest{Mine: true})
		require.NoError(t, err)
		ids := []string{}
		for _, o := range resp.Opportunities {
			ids = append(ids, o.Id)
		}
		return ids
	}
	assert.ElementsMatch(t, []string{inPursuit, validating}, mine(sam), "the owner's deals, with a team or not yet")
	assert.Equal(t, []string{inPursuit}, mine(fred), "the FR's deal only")
	assert.Empty(t, mine(mia), "the manager reads both deals, and is on neither team")
	all, err := deals.ListOpportunities(e.As(t, mia), &ltcv1.ListOpportunitiesRequest{})
	require.NoError(t, err)
	assert.Len(t, all.Opportunities, 2)
}
