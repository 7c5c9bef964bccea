package web

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// The deal page's forms, and what a deal needs to move on.

var (
	openStages = []ltcv1.Stage{ltcv1.Stage_STAGE_VALIDATION, ltcv1.Stage_STAGE_INITIATION_REVIEW,
		ltcv1.Stage_STAGE_TEAM_FORMATION, ltcv1.Stage_STAGE_PURSUIT, ltcv1.Stage_STAGE_ATB_REVIEW, ltcv1.Stage_STAGE_BIDDING,
		ltcv1.Stage_STAGE_NEGOTIATION, ltcv1.Stage_STAGE_ATC_REVIEW, ltcv1.Stage_STAGE_CONTRACT_SIGNING, ltcv1.Stage_STAGE_HANDOVER}
	teamRoles = []ltcv1.TeamRole{ltcv1.TeamRole_TEAM_ROLE_AR, ltcv1.TeamRole_TEAM_ROLE_SR, ltcv1.TeamRole_TEAM_ROLE_FR,
		ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM, ltcv1.TeamRole_TEAM_ROLE_BID_MANAGER, ltcv1.TeamRole_TEAM_ROLE_FINANCE,
		ltcv1.TeamRole_TEAM_ROLE_LEGAL}
	riskLevels = enumOptions(ltcv1.RiskLevel_RISK_LEVEL_LOW, ltcv1.RiskLevel_RISK_LEVEL_MEDIUM, ltcv1.RiskLevel_RISK_LEVEL_HIGH)
)

// in is the Offered of an action the process has in the stages.
func in(stages ...ltcv1.Stage) func(*ltcv1.Opportunity) bool {
	return func(o *ltcv1.Opportunity) bool { return slices.Contains(stages, o.Stage) }
}

// pending is the deal's pending decision, if any.
func pending(o *ltcv1.Opportunity) *ltcv1.Decision {
	for _, d := range o.Decisions {
		if d.Status == ltcv1.DecisionStatus_DECISION_STATUS_PENDING {
			return d
		}
	}
	return nil
}

// dealActions are the deal page's forms, in the order of the process.
var dealActions = forms("/deals/", append([]action[*ltcv1.Opportunity]{
	{Key: "report", Title: "Submit a weekly report", Who: "The team",
		Offered: func(o *ltcv1.Opportunity) bool { return o.NextReportDueTime != nil },
		Fields: []field{{Name: "progress", Label: "Progress", Kind: "area"}, {Name: "win_rate", Label: "Win rate (percent)", Kind: "number"},
			{Name: "next_steps", Label: "Next steps", Kind: "area"}, {Name: "risks_and_issues", Label: "Risks and issues", Kind: "area"},
			{Name: "help_needed", Label: "Help needed", Kind: "area"}},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.SubmitWeeklyReport(ctx, &ltcv1.SubmitWeeklyReportRequest{RequestId: rid, OpportunityId: deal,
				Report: &ltcv1.WeeklyReport{Progress: v.Get("progress"), WinRate: number(v.Get("win_rate")), NextSteps: v.Get("next_steps"),
					RisksAndIssues: v.Get("risks_and_issues"), HelpNeeded: v.Get("help_needed")}})
			return err
		}},
	{Key: "assess", Title: "Assess the opportunity", Who: "The owner",
		Offered: in(ltcv1.Stage_STAGE_VALIDATION),
		Fields: append(append([]field{{Name: "win_rate", Label: "Win rate (percent)", Kind: "number"}}, moneyFields("value", "Value")...),
			field{Name: "competitors", Label: "Competitors", Kind: "text", Hint: "Separated by commas"},
			field{Name: "decision_chain", Label: "Decision chain", Kind: "area"}, field{Name: "notes", Label: "Notes", Kind: "area"}),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := url.Values{}
			a := o.Assessment
			if a == nil {
				setMoney(v, "value", o.EstimatedValue)
				return v
			}
			v.Set("win_rate", strconv.Itoa(int(a.WinRate)))
			setMoney(v, "value", a.Value)
			v.Set("competitors", strings.Join(a.Competitors, ", "))
			v.Set("decision_chain", a.DecisionChain)
			v.Set("notes", a.Notes)
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			var competitors []string
			for c := range strings.SplitSeq(v.Get("competitors"), ",") {
				if c = strings.TrimSpace(c); c != "" {
					competitors = append(competitors, c)
				}
			}
			m, err := formAmount(v, "value")
			if err != nil {
				return err
			}
			_, err = s.deals.UpdateAssessment(ctx, &ltcv1.UpdateAssessmentRequest{RequestId: rid, OpportunityId: deal,
				Assessment: &ltcv1.Assessment{WinRate: number(v.Get("win_rate")), Value: m,
					Competitors: competitors, DecisionChain: v.Get("decision_chain"), Notes: v.Get("notes")}})
			return err
		}},
	{Key: "initiation", Title: "Request INITIATION", Who: "The owner",
		Offered: in(ltcv1.Stage_STAGE_VALIDATION),
		Fields: []field{{Name: "level", Label: "Proposed level", Kind: "select", Options: enumOptions(ltcv1.ProjectLevel_PROJECT_LEVEL_A,
			ltcv1.ProjectLevel_PROJECT_LEVEL_B, ltcv1.ProjectLevel_PROJECT_LEVEL_C)}, {Name: "rationale", Label: "Rationale", Kind: "area"}},
		Defaults: func(*ltcv1.Opportunity) url.Values {
			return url.Values{"level": {ltcv1.ProjectLevel_PROJECT_LEVEL_B.String()}}
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.decisions.RequestDecision(ctx, &ltcv1.RequestDecisionRequest{RequestId: rid, OpportunityId: deal,
				Gate: ltcv1.Gate_GATE_INITIATION, Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
					ProposedLevel: enumValue[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, v.Get("level")), Rationale: v.Get("rationale")}}})
			return err
		}},
	{Key: "team", Title: "Appoint the team", Who: "The unit's sales manager",
		Offered: in(openStages[2:]...),
		Fields:  roleFields("member_"),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := teamValues("member_", o.Team)
			if len(o.Team) == 0 {
				v.Set("member_"+ltcv1.TeamRole_TEAM_ROLE_AR.String(), o.GetOwner().GetId())
			}
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.AppointTeam(ctx, &ltcv1.AppointTeamRequest{RequestId: rid, OpportunityId: deal, Members: members("member_", v)})
			return err
		}},
	{Key: "atb", Title: "Request ATB with the bid package", Who: "The owner",
		Offered: in(ltcv1.Stage_STAGE_PURSUIT, ltcv1.Stage_STAGE_BIDDING),
		Fields: append(append(append([]field{{Name: "strategy", Label: "Bid strategy", Kind: "area"}, lineItemsField}, moneyFields("price", "Proposed price")...),
			field{Name: "margin", Label: "Gross margin (percent)", Kind: "text"}, field{Name: "payment_terms", Label: "Payment terms", Kind: "text"},
			field{Name: "feasibility", Label: "Delivery feasibility", Kind: "area"}, field{Name: "win_rate", Label: "Win rate (percent)", Kind: "number"}),
			specialPriceField),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := url.Values{}
			setMoney(v, "price", o.EstimatedValue)
			if o.Assessment != nil {
				v.Set("win_rate", strconv.Itoa(int(o.Assessment.WinRate)))
			}
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			lines, price, margin, err := pricing(v)
			if err != nil {
				return err
			}
			_, err = s.decisions.RequestDecision(ctx, &ltcv1.RequestDecisionRequest{RequestId: rid, OpportunityId: deal,
				Gate: ltcv1.Gate_GATE_ATB, Package: &ltcv1.RequestDecisionRequest_Bid{Bid: &ltcv1.BidPackage{
					Strategy: v.Get("strategy"), ProposedPrice: price, GrossMarginPercent: margin, PaymentTerms: v.Get("payment_terms"),
					DeliveryFeasibility: v.Get("feasibility"), WinRate: number(v.Get("win_rate")),
					LineItems: lines, SpecialPriceRationale: v.Get("special_price_rationale")}}})
			return err
		}},
	{Key: "bid", Title: "Submit the bid", Who: "The owner",
		Offered: func(o *ltcv1.Opportunity) bool { return o.Stage == ltcv1.Stage_STAGE_BIDDING && o.Bid == nil },
		Fields: append(moneyFields("price", "Bid price"), field{Name: "date", Label: "Date", Kind: "date"},
			field{Name: "reference", Label: "Tender reference", Kind: "text"}),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := url.Values{"date": {today()}}
			setMoney(v, "price", o.ApprovedBidPrice)
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			m, err := formAmount(v, "price")
			if err != nil {
				return err
			}
			_, err = s.deals.SubmitBid(ctx, &ltcv1.SubmitBidRequest{RequestId: rid, OpportunityId: deal, Bid: &ltcv1.Bid{
				Price: m, Date: calendarDay(v.Get("date")), Reference: v.Get("reference")}})
			return err
		}},
	{Key: "tender", Title: "Record the tender result", Who: "The owner",
		Offered: func(o *ltcv1.Opportunity) bool { return o.Stage == ltcv1.Stage_STAGE_BIDDING && o.Bid != nil },
		Fields: []field{{Name: "result", Label: "Result", Kind: "select", Options: enumOptions(ltcv1.Tender_TENDER_WON,
			ltcv1.Tender_TENDER_SHORTLISTED, ltcv1.Tender_TENDER_LOST, ltcv1.Tender_TENDER_CANCELLED)},
			{Name: "winner", Label: "Winner", Kind: "text", Hint: "When lost"}, {Name: "reason", Label: "Reason", Kind: "area"}},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.RecordTenderResult(ctx, &ltcv1.RecordTenderResultRequest{RequestId: rid, OpportunityId: deal,
				Result: &ltcv1.TenderResult{Result: enumValue[ltcv1.Tender](ltcv1.Tender_value, v.Get("result")),
					Winner: v.Get("winner"), Reason: v.Get("reason")}})
			return err
		}},
	{Key: "atc", Title: "Request ATC with the contract package", Who: "The owner",
		Offered: in(ltcv1.Stage_STAGE_NEGOTIATION, ltcv1.Stage_STAGE_CONTRACT_SIGNING),
		Fields: append(append([]field{lineItemsField}, moneyFields("price", "Final price")...), field{Name: "margin", Label: "Gross margin (percent)", Kind: "text"},
			field{Name: "payment_terms", Label: "Payment terms", Kind: "text"}, field{Name: "deviations", Label: "Deviations", Kind: "area"},
			field{Name: "reference", Label: "Contract reference", Kind: "text"}, specialPriceField),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := url.Values{}
			if o.Bid != nil {
				setMoney(v, "price", o.Bid.Price)
			}
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			lines, price, margin, err := pricing(v)
			if err != nil {
				return err
			}
			_, err = s.decisions.RequestDecision(ctx, &ltcv1.RequestDecisionRequest{RequestId: rid, OpportunityId: deal,
				Gate: ltcv1.Gate_GATE_ATC, Package: &ltcv1.RequestDecisionRequest_Contract{Contract: &ltcv1.ContractPackage{
					FinalPrice: price, GrossMarginPercent: margin, PaymentTerms: v.Get("payment_terms"), Deviations: v.Get("deviations"),
					ContractReference: v.Get("reference"), LineItems: lines, SpecialPriceRationale: v.Get("special_price_rationale")}}})
			return err
		}},
	{Key: "sign", Title: "Record the signed contract", Who: "The owner",
		Offered: in(ltcv1.Stage_STAGE_CONTRACT_SIGNING),
		Fields: append([]field{{Name: "number", Label: "Contract number", Kind: "text"}}, append(moneyFields("amount", "Amount"),
			field{Name: "date", Label: "Date", Kind: "date"})...),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := url.Values{"date": {today()}}
			setMoney(v, "amount", o.ApprovedContractAmount)
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			m, err := formAmount(v, "amount")
			if err != nil {
				return err
			}
			_, err = s.deals.SignContract(ctx, &ltcv1.SignContractRequest{RequestId: rid, OpportunityId: deal, Contract: &ltcv1.Contract{
				Number: v.Get("number"), Amount: m, Date: calendarDay(v.Get("date"))}})
			return err
		}},
	{Key: "schedule", Title: "Schedule the contract handover meeting", Who: "The owner",
		Offered: func(o *ltcv1.Opportunity) bool {
			return o.Stage == ltcv1.Stage_STAGE_HANDOVER && o.GetHandover().GetScheduleTime() == nil
		},
		Fields: append([]field{{Name: "at", Label: "When (UTC)", Kind: "datetime-local"}}, roleFields("attendee_")...),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := teamValues("attendee_", o.Team)
			v.Set("at", time.Now().UTC().Add(48*time.Hour).Truncate(time.Hour).Format("2006-01-02T15:04"))
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.ScheduleHandover(ctx, &ltcv1.ScheduleHandoverRequest{RequestId: rid, OpportunityId: deal,
				ScheduleTime: moment(v.Get("at")), Attendees: members("attendee_", v)})
			return err
		}},
	{Key: "handover", Title: "Acknowledge the handover", Who: "The delivery project manager",
		Offered: func(o *ltcv1.Opportunity) bool {
			return o.Stage == ltcv1.Stage_STAGE_HANDOVER && o.GetHandover().GetScheduleTime() != nil
		},
		Fields: []field{{Name: "key_terms", Label: "Key terms", Kind: "area"}, {Name: "commitments", Label: "Commitments", Kind: "area"},
			{Name: "risks", Label: "Risks handed over", Kind: "area"}, {Name: "open_issues", Label: "Open issues", Kind: "area"}},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.CompleteHandover(ctx, &ltcv1.CompleteHandoverRequest{RequestId: rid, OpportunityId: deal,
				Record: &ltcv1.HandoverRecord{KeyTerms: v.Get("key_terms"), Commitments: v.Get("commitments"),
					RisksHandedOver: v.Get("risks"), OpenIssues: v.Get("open_issues")}})
			return err
		}},
	{Key: "summary", Title: "Submit the project summary", Who: "The owner",
		Offered: func(o *ltcv1.Opportunity) bool { return o.SummaryDueTime != nil && o.Summary == nil },
		Fields: []field{{Name: "reasons", Label: "Why we won or lost", Kind: "area"}, {Name: "lessons", Label: "Lessons", Kind: "area"},
			{Name: "accuracy", Label: "Accuracy of the win rate", Kind: "area"}},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.SubmitProjectSummary(ctx, &ltcv1.SubmitProjectSummaryRequest{RequestId: rid, OpportunityId: deal,
				Summary: &ltcv1.ProjectSummary{WinLossReasons: v.Get("reasons"), Lessons: v.Get("lessons"), WinRateAccuracy: v.Get("accuracy")}})
			return err
		}},
	{Key: "risk", Title: "Add a risk", Who: "The team",
		Offered: in(openStages...),
		Fields: []field{{Name: "description", Label: "Risk", Kind: "area"},
			{Name: "category", Label: "Category", Kind: "select", Options: enumOptions(ltcv1.RiskCategory_RISK_CATEGORY_COMMERCIAL,
				ltcv1.RiskCategory_RISK_CATEGORY_TECHNICAL, ltcv1.RiskCategory_RISK_CATEGORY_DELIVERY, ltcv1.RiskCategory_RISK_CATEGORY_LEGAL,
				ltcv1.RiskCategory_RISK_CATEGORY_FINANCIAL)},
			{Name: "probability", Label: "Probability", Kind: "select", Options: riskLevels},
			{Name: "impact", Label: "Impact", Kind: "select", Options: riskLevels},
			{Name: "owner", Label: "Owner", Kind: "text", Hint: "User id"}, {Name: "mitigation", Label: "Mitigation", Kind: "area"}},
		Defaults: func(*ltcv1.Opportunity) url.Values {
			return url.Values{"probability": {ltcv1.RiskLevel_RISK_LEVEL_MEDIUM.String()}, "impact": {ltcv1.RiskLevel_RISK_LEVEL_MEDIUM.String()}}
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.AddRisk(ctx, &ltcv1.AddRiskRequest{RequestId: rid, OpportunityId: deal, Risk: &ltcv1.Risk{
				Description: v.Get("description"), Category: enumValue[ltcv1.RiskCategory](ltcv1.RiskCategory_value, v.Get("category")),
				Probability: enumValue[ltcv1.RiskLevel](ltcv1.RiskLevel_value, v.Get("probability")),
				Impact:      enumValue[ltcv1.RiskLevel](ltcv1.RiskLevel_value, v.Get("impact")),
				Owner:       &ltcv1.Person{Id: strings.TrimSpace(v.Get("owner"))}, Mitigation: v.Get("mitigation"),
				Status: ltcv1.RiskStatus_RISK_STATUS_OPEN}})
			return err
		}},
	{Key: "meeting", Title: "Record a meeting", Who: "The team",
		Offered: in(openStages...),
		Fields: []field{{Name: "kind", Label: "Kind", Kind: "select", Options: enumOptions(ltcv1.MeetingKind_MEETING_KIND_ANALYSIS,
			ltcv1.MeetingKind_MEETING_KIND_KICKOFF, ltcv1.MeetingKind_MEETING_KIND_NEGOTIATION)},
			{Name: "date", Label: "Date", Kind: "date"}, {Name: "attendees", Label: "Attendees", Kind: "text", Hint: "User ids, separated by commas"},
			{Name: "conclusions", Label: "Conclusions", Kind: "area"}},
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			var team []string
			for _, m := range o.Team {
				if !slices.Contains(team, m.GetPerson().GetId()) {
					team = append(team, m.GetPerson().GetId())
				}
			}
			return url.Values{"date": {today()}, "attendees": {strings.Join(team, ", ")}}
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.RecordMeeting(ctx, &ltcv1.RecordMeetingRequest{RequestId: rid, OpportunityId: deal, Meeting: &ltcv1.Meeting{
				Kind: enumValue[ltcv1.MeetingKind](ltcv1.MeetingKind_value, v.Get("kind")), Date: calendarDay(v.Get("date")),
				Attendees: ids(v.Get("attendees")), Conclusions: v.Get("conclusions")}})
			return err
		}},
	{Key: "forecast", Title: "Update the forecast", Who: "The owner",
		Offered: in(openStages...),
		Fields: append(append([]field{{Name: "close_date", Label: "Expected close date", Kind: "date"}}, moneyFields("value", "Value")...),
			field{Name: "category", Label: "Forecast category", Kind: "select", Options: enumOptions(ltcv1.ForecastCategory_FORECAST_CATEGORY_PIPELINE,
				ltcv1.ForecastCategory_FORECAST_CATEGORY_BEST_CASE, ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT,
				ltcv1.ForecastCategory_FORECAST_CATEGORY_OMITTED)},
			field{Name: "reason", Label: "Reason", Kind: "area"}),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := url.Values{}
			if f := o.Forecast; f != nil {
				v.Set("close_date", day(f.ExpectedCloseDate))
				setMoney(v, "value", f.Value)
				v.Set("category", f.Category.String())
			}
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			m, err := formAmount(v, "value")
			if err != nil {
				return err
			}
			_, err = s.deals.UpdateForecast(ctx, &ltcv1.UpdateForecastRequest{RequestId: rid, OpportunityId: deal,
				ExpectedCloseDate: calendarDay(v.Get("close_date")), Value: m,
				Category: enumValue[ltcv1.ForecastCategory](ltcv1.ForecastCategory_value, v.Get("category")), Reason: v.Get("reason")})
			return err
		}},
	{Key: "reassign", Title: "Reassign the deal's owner", Who: "The unit's sales manager or an executive in scope",
		Offered: in(openStages...),
		Fields:  []field{{Name: "owner", Label: "New owner", Kind: "text", Hint: "User id"}, {Name: "reason", Label: "Reason", Kind: "area"}},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.ReassignOwner(ctx, &ltcv1.ReassignOwnerRequest{RequestId: rid, OpportunityId: deal,
				Owner: &ltcv1.Person{Id: strings.TrimSpace(v.Get("owner"))}, Reason: v.Get("reason")})
			return err
		}},
	{Key: "reopen", Title: "Request REOPEN", Who: "The owner or the unit's sales manager",
		Offered: func(o *ltcv1.Opportunity) bool {
			return o.Stage == ltcv1.Stage_STAGE_CLOSED && o.Outcome != ltcv1.Outcome_OUTCOME_WON && pending(o) == nil
		},
		Fields: []field{{Name: "stage", Label: "Back to", Kind: "select", Options: enumOptions(ltcv1.Stage_STAGE_VALIDATION,
			ltcv1.Stage_STAGE_PURSUIT, ltcv1.Stage_STAGE_NEGOTIATION)}, {Name: "rationale", Label: "Rationale", Kind: "area"}},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.decisions.RequestDecision(ctx, &ltcv1.RequestDecisionRequest{RequestId: rid, OpportunityId: deal,
				Gate: ltcv1.Gate_GATE_REOPEN, Package: &ltcv1.RequestDecisionRequest_Reopen{Reopen: &ltcv1.ReopenPackage{
					Stage: enumValue[ltcv1.Stage](ltcv1.Stage_value, v.Get("stage")), Rationale: v.Get("rationale")}}})
			return err
		}},
	{Key: "close", Title: "Close the deal", Who: "The owner or the unit's sales manager",
		Offered: in(openStages...),
		Fields: []field{{Name: "outcome", Label: "Outcome", Kind: "select", Options: enumOptions(ltcv1.Outcome_OUTCOME_LOST,
			ltcv1.Outcome_OUTCOME_ABANDONED)}, {Name: "reason", Label: "Reason", Kind: "area"}},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.deals.CloseOpportunity(ctx, &ltcv1.CloseOpportunityRequest{RequestId: rid, OpportunityId: deal,
				Outcome: enumValue[ltcv1.Outcome](ltcv1.Outcome_value, v.Get("outcome")), Reason: v.Get("reason")})
			return err
		}},
}, contractActions...))

// need is something the deal needs to move on from its stage: with the form of the page that meets it (empty when
// none does, as for a decision) and, for a gate's reviews, the functions still to review.
type need struct {
	What, Form string
	Reviews    []ltcv1.ReviewFunction
}

// missing says what the deal needs to move on from its stage, as the process has it.
func missing(o *ltcv1.Opportunity) []need {
	var needs []need
	add := func(what, form string) { needs = append(needs, need{What: what, Form: form}) }
	switch o.Stage {
	case ltcv1.Stage_STAGE_VALIDATION:
		if o.Assessment == nil {
			add("An assessment of the opportunity", "assess")
		}
		add("An INITIATION request", "initiation")
	case ltcv1.Stage_STAGE_INITIATION_REVIEW, ltcv1.Stage_STAGE_ATB_REVIEW, ltcv1.Stage_STAGE_ATC_REVIEW:
		if d := pending(o); d != nil {
			if reviews := missingReviews(d); len(reviews) > 0 {
				needs = append(needs, need{What: "The professional reviews", Reviews: reviews})
			}
		}
		add("The gate's decision, by an executive with its authority", "")
	case ltcv1.Stage_STAGE_TEAM_FORMATION:
		add("The iron triangle appointed: an AR, an SR and an FR", "team")
	case ltcv1.Stage_STAGE_PURSUIT:
		add("An ATB request with the bid package", "atb")
	case ltcv1.Stage_STAGE_BIDDING:
		if o.Bid == nil {
			add("The bid submitted", "bid")
		}
		add("The tender result", "tender")
	case ltcv1.Stage_STAGE_NEGOTIATION:
		add("An ATC request with the contract package", "atc")
	case ltcv1.Stage_STAGE_CONTRACT_SIGNING:
		add("The signed contract", "sign")
	case ltcv1.Stage_STAGE_HANDOVER:
		if !slices.ContainsFunc(o.Team, func(m *ltcv1.TeamMember) bool { return m.Role == ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM }) {
			add("A delivery project manager on the team", "team")
		}
		if o.GetHandover().GetScheduleTime() == nil {
			add("The contract handover meeting scheduled", "schedule")
		}
		add("The handover acknowledged by the delivery project manager", "handover")
	case ltcv1.Stage_STAGE_CLOSED, ltcv1.Stage_STAGE_EXECUTION:
		if o.SummaryDueTime != nil && o.Summary == nil {
			add("The project summary", "summary")
		}
		if o.Stage == ltcv1.Stage_STAGE_EXECUTION {
			add("The contract's milestones accepted, invoiced and paid, then its close", "invoice")
		}
	}
	return needs
}

// The line items and special-price fields of the ATB and ATC forms.
var (
	lineItemsField = field{Name: "lines", Label: "Line items", Kind: "area",
		Hint: "One per line: product code, quantity and discount percent, such as RAN-5G-BBU 60 10. With line items the engine computes the price and the margin, and the price and margin fields are not sent."}
	specialPriceField = field{Name: "special_price_rationale", Label: "Why a special price", Kind: "area",
		Hint: "Needed when the margin is below the policy's floor (a special price)"}
)

// pricing reads a package form's price: its line items ("CODE QUANTITY [DISCOUNT]" a line), or, without them,
// its price and gross margin fields.
func pricing(v url.Values) ([]*ltcv1.LineItem, *ltcv1.Money, float64, error) {
	var lines []*ltcv1.LineItem
	for i, text := range strings.Split(v.Get("lines"), "\n") {
		parts := strings.Fields(text)
		if len(parts) == 0 {
			continue
		}
		qty := int64(-1)
		if len(parts) >= 2 {
			if n, err := strconv.ParseInt(parts[1], 10, 64); err == nil {
				qty = n
			}
		}
		if len(parts) > 3 || qty < 0 {
			return nil, nil, 0, status.Errorf(codes.InvalidArgument, "line items, line %d: %q is not a product code, a quantity and an optional discount percent", i+1, strings.TrimSpace(text))
		}
		li := &ltcv1.LineItem{ProductCode: parts[0], Quantity: qty}
		if len(parts) == 3 {
			li.DiscountPercent = strings.TrimSuffix(parts[2], "%")
		}
		lines = append(lines, li)
	}
	if len(lines) > 0 {
		return lines, nil, 0, nil
	}
	price, err := formAmount(v, "price")
	return nil, price, percentage(v.Get("margin")), err
}
