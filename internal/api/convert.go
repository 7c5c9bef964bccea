package api

import (
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// Enums convert by name: the domain's value is the proto value's name without its prefix
// (LEAD_STATE_QUALIFIED <-> "QUALIFIED"), and the zero value is "".

func fromEnum[D ~string](names map[int32]string, v int32, prefix string) D {
	if v == 0 {
		return ""
	}
	return D(strings.TrimPrefix(names[v], prefix))
}

func toEnum[P ~int32, D ~string](values map[string]int32, d D, prefix string) P {
	if d == "" {
		return 0
	}
	return P(values[prefix+string(d)])
}

func moneyFromProto(m *ltcv1.Money) ltc.Money {
	return ltc.Money{Currency: m.GetCurrencyCode(), AmountMinor: m.GetAmountMinor()}
}

func moneyToProto(m ltc.Money) *ltcv1.Money {
	return &ltcv1.Money{CurrencyCode: m.Currency, AmountMinor: m.AmountMinor}
}

func personToProto(p ltc.Person) *ltcv1.Person { return &ltcv1.Person{Id: p.ID, Name: p.Name} }

func customerFromProto(c *ltcv1.Customer) ltc.Customer {
	return ltc.Customer{
		Name:     c.GetName(),
		Grade:    fromEnum[ltc.CustomerGrade](ltcv1.CustomerGrade_name, int32(c.GetGrade()), "CUSTOMER_GRADE_"),
		Industry: c.GetIndustry(),
		Region:   c.GetRegion(),
	}
}

func customerToProto(c ltc.Customer) *ltcv1.Customer {
	return &ltcv1.Customer{
		Name:     c.Name,
		Grade:    toEnum[ltcv1.CustomerGrade](ltcv1.CustomerGrade_value, c.Grade, "CUSTOMER_GRADE_"),
		Industry: c.Industry,
		Region:   c.Region,
	}
}

func qualificationFromProto(q *ltcv1.Qualification) ltc.Qualification {
	return ltc.Qualification{
		BudgetConfirmed:    q.GetBudgetConfirmed(),
		DecisionChainKnown: q.GetDecisionChainKnown(),
		Urgency:            fromEnum[ltc.Urgency](ltcv1.Urgency_name, int32(q.GetUrgency()), "URGENCY_"),
		Notes:              q.GetNotes(),
	}
}

func qualificationToProto(q *ltc.Qualification) *ltcv1.Qualification {
	if q == nil {
		return nil
	}
	return &ltcv1.Qualification{
		BudgetConfirmed:    q.BudgetConfirmed,
		DecisionChainKnown: q.DecisionChainKnown,
		Urgency:            toEnum[ltcv1.Urgency](ltcv1.Urgency_value, q.Urgency, "URGENCY_"),
		Notes:              q.Notes,
	}
}

func leadToProto(l ltc.Lead) *ltcv1.Lead {
	return &ltcv1.Lead{
		Id:                     l.ID,
		AccountId:              l.Customer.AccountID,
		State:                  toEnum[ltcv1.LeadState](ltcv1.LeadState_value, l.State, "LEAD_STATE_"),
		Customer:               customerToProto(l.Customer),
		Title:                  l.Title,
		Description:            l.Description,
		Source:                 toEnum[ltcv1.LeadSource](ltcv1.LeadSource_value, l.Source, "LEAD_SOURCE_"),
		EstimatedValue:         moneyToProto(l.EstimatedValue),
		ExpectedCloseDate:      dateToProto(l.ExpectedCloseDate),
		Owner:                  personToProto(l.Owner),
		CreatedBy:              personToProto(l.CreatedBy),
		Qualification:          qualificationToProto(l.Qualification),
		DisqualificationReason: l.DisqualificationReason,
		OpportunityId:          l.OpportunityID,
		Overdue:                l.Overdue,
		SlaDueTime:             timestamppb.New(l.SLADueAt),
		PolicyVersion:          l.PolicyVersion,
		CreateTime:             timestamppb.New(l.CreatedAt),
		UpdateTime:             timestamppb.New(l.UpdatedAt),
		OrgUnit:                l.Unit.String(),
	}
}

// opportunityToProto is the deal as the reader sees it: its weekly reports only for those who read them (受控发送).
func opportunityToProto(reader ltc.Actor, o ltc.Opportunity) *ltcv1.Opportunity {
	po := &ltcv1.Opportunity{
		Id:             o.ID,
		AccountId:      o.Customer.AccountID,
		LeadId:         o.LeadID,
		Stage:          toEnum[ltcv1.Stage](ltcv1.Stage_value, o.Stage, "STAGE_"),
		Outcome:        toEnum[ltcv1.Outcome](ltcv1.Outcome_value, o.Outcome, "OUTCOME_"),
		Level:          toEnum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, o.Level, "PROJECT_LEVEL_"),
		Customer:       customerToProto(o.Customer),
		Title:          o.Title,
		EstimatedValue: moneyToProto(o.EstimatedValue),
		Owner:          personToProto(o.Owner),
		PolicyVersion:  o.PolicyVersion,
		CreateTime:     timestamppb.New(o.CreatedAt),
		UpdateTime:     timestamppb.New(o.UpdatedAt),
		Assessment:     assessmentToProto(o.Assessment),
		Team:           teamToProto(o.Team),
		Decisions:      decisionsToProto(o.Decisions),
		CloseReason:    o.CloseReason,
		CloseTime:      timeToProto(o.ClosedAt),
		OrgUnit:        o.Unit.String(),
		Reopenings:     each(o.Reopenings, reopeningToProto),
		Forecast:       forecastToProto(o.Forecast),
	}
	if o.Sponsor != nil {
		po.Sponsor = personToProto(*o.Sponsor)
	}
	dealStagesToProto(po, o)
	po.WeeklyReportsVisible = ltc.CanReadWeeklyReports(reader, o)
	cadenceToProto(po, o, po.WeeklyReportsVisible)
	return po
}

func decisionsToProto(ds []ltc.Decision) []*ltcv1.Decision {
	out := make([]*ltcv1.Decision, len(ds))
	for i, d := range ds {
		out[i] = decisionToProto(d)
	}
	return out
}

func assessmentFromProto(a *ltcv1.Assessment) ltc.Assessment {
	out := ltc.Assessment{
		WinRate: int(a.GetWinRate()), Value: moneyFromProto(a.GetValue()), Competitors: a.GetCompetitors(),
		DecisionChain: a.GetDecisionChain(), Notes: a.GetNotes(),
	}
	for _, c := range a.GetDecisionContacts() {
		out.DecisionContacts = append(out.DecisionContacts, ltc.DecisionContact{ContactID: c.GetContactId(),
			Role: fromEnum[ltc.ContactRole](ltcv1.ContactRole_name, int32(c.GetRole()), "CONTACT_ROLE_")})
	}
	return out
}

func assessmentToProto(a *ltc.Assessment) *ltcv1.Assessment {
	if a == nil {
		return nil
	}
	p := &ltcv1.Assessment{
		WinRate: int32(a.WinRate), Value: moneyToProto(a.Value), Competitors: a.Competitors,
		DecisionChain: a.DecisionChain, Notes: a.Notes,
	}
	for _, c := range a.DecisionContacts {
		p.DecisionContacts = append(p.DecisionContacts, &ltcv1.DecisionChainContact{ContactId: c.ContactID,
			Role: toEnum[ltcv1.ContactRole](ltcv1.ContactRole_value, c.Role, "CONTACT_ROLE_")})
	}
	return p
}

func teamFromProto(members []*ltcv1.TeamMember) ltc.Team {
	team := make(ltc.Team, len(members))
	for i, m := range members {
		team[i] = ltc.TeamMember{
			Person: ltc.Person{ID: m.GetPerson().GetId(), Name: m.GetPerson().GetName()},
			Role:   fromEnum[ltc.TeamRole](ltcv1.TeamRole_name, int32(m.GetRole()), "TEAM_ROLE_"),
		}
	}
	return team
}

func teamToProto(team ltc.Team) []*ltcv1.TeamMember {
	members := make([]*ltcv1.TeamMember, len(team))
	for i, m := range team {
		members[i] = &ltcv1.TeamMember{Person: personToProto(m.Person),
			Role: toEnum[ltcv1.TeamRole](ltcv1.TeamRole_value, m.Role, "TEAM_ROLE_")}
	}
	return members
}

func functionsToProto(fs []ltc.ReviewFunction) []ltcv1.ReviewFunction {
	out := make([]ltcv1.ReviewFunction, len(fs))
	for i, f := range fs {
		out[i] = toEnum[ltcv1.ReviewFunction](ltcv1.ReviewFunction_value, f, "REVIEW_FUNCTION_")
	}
	return out
}

func timeToProto(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

func decisionToProto(d ltc.Decision) *ltcv1.Decision {
	pd := &ltcv1.Decision{
		Id:                d.ID,
		OpportunityId:     d.OpportunityID,
		OpportunityTitle:  d.DealTitle,
		Gate:              toEnum[ltcv1.Gate](ltcv1.Gate_value, d.Gate, "GATE_"),
		RequestedBy:       personToProto(d.RequestedBy),
		RequestTime:       timestamppb.New(d.RequestedAt),
		Status:            toEnum[ltcv1.DecisionStatus](ltcv1.DecisionStatus_value, d.Status, "DECISION_STATUS_"),
		Level:             toEnum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, d.Level, "PROJECT_LEVEL_"),
		RequiredReviews:   functionsToProto(d.RequiredReviews),
		RequiredAuthority: int32(d.RequiredAuthority),
		Authority:         int32(d.Authority),
		DueTime:           timestamppb.New(d.DueAt),
		Escalations:       int32(d.Escalations),
		Overdue:           d.Overdue,
		DecideTime:        timeToProto(d.DecidedAt),
		DeciderAuthority:  int32(d.DeciderAuthority),
		Conditions:        d.Conditions,
		Rationale:         d.Rationale,
		ConfirmedLevel:    toEnum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, d.ConfirmedLevel, "PROJECT_LEVEL_"),
		ProposedLevel:     toEnum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, d.ProposedLevel, "PROJECT_LEVEL_"),
		PolicyLevel:       toEnum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, d.PolicyLevel, "PROJECT_LEVEL_"),
	}
	if d.DecidedBy != nil {
		pd.DecidedBy = personToProto(*d.DecidedBy)
	}
	pd.OnBehalfOf = optionalPerson(d.OnBehalfOf)
	pd.PendingOnBehalfOf = optionalPerson(d.PendingOnBehalfOf)
	switch pkg := d.Package; {
	case pkg.Initiation != nil:
		pd.Package = &ltcv1.Decision_Initiation{Initiation: &ltcv1.InitiationPackage{
			ProposedLevel: toEnum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, pkg.Initiation.ProposedLevel, "PROJECT_LEVEL_"),
			Rationale:     pkg.Initiation.Rationale,
			Assessment:    assessmentToProto(&pkg.Initiation.Assessment),
			RelationshipLevel: toEnum[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, pkg.Initiation.RelationshipLevel,
				"RELATIONSHIP_LEVEL_"),
			KeyContacts: keyContactsToProto(pkg.Initiation.KeyContacts),
		}}
	case pkg.Bid != nil:
		b := pkg.Bid
		pd.Package = &ltcv1.Decision_Bid{Bid: &ltcv1.BidPackage{Strategy: b.Strategy, ProposedPrice: moneyToProto(b.ProposedPrice),
			GrossMarginPercent: b.GrossMarginPercent, PaymentTerms: b.PaymentTerms,
			DeliveryFeasibility: b.DeliveryFeasibility, WinRate: int32(b.WinRate),
			LineItems: each(b.LineItems, lineItemToProto), Totals: packageTotalsToProto(b.Totals), SpecialPriceRationale: b.SpecialPriceRationale}}
	case pkg.Contract != nil:
		c := pkg.Contract
		pd.Package = &ltcv1.Decision_Contract{Contract: &ltcv1.ContractPackage{FinalPrice: moneyToProto(c.FinalPrice),
			GrossMarginPercent: c.GrossMarginPercent, PaymentTerms: c.PaymentTerms, Deviations: c.Deviations,
			ContractReference: c.ContractReference,
			LineItems:         each(c.LineItems, lineItemToProto), Totals: packageTotalsToProto(c.Totals), SpecialPriceRationale: c.SpecialPriceRationale}}
	case pkg.Reopen != nil:
		pd.Package = &ltcv1.Decision_Reopen{Reopen: reopenPackageToProto(*pkg.Reopen)}
	default:
		contractGatePackageToProto(pd, pkg)
	}
	pd.ReviewAssignments = each(d.Assignments, assignmentToProto)
	pd.LevelValue = moneyPtrToProto(d.LevelValue)
	if d.LevelRate != nil {
		pd.LevelRate = rateToProto(*d.LevelRate)
	}
	if m := d.Margin; m != nil {
		pd.Margin = &ltcv1.MarginCheck{FloorPercent: string(m.FloorPercent), MarginPercent: string(m.MarginPercent),
			Family: m.Family, ShortfallPoints: string(m.ShortfallPoints), SpecialPrice: m.SpecialPrice}
	}
	pd.Risks = risksToProto(d.Package.Risks)
	for _, r := range d.Reviews {
		pd.Reviews = append(pd.Reviews, reviewToProto(r))
	}
	return pd
}

func reviewToProto(r ltc.Review) *ltcv1.Review {
	return &ltcv1.Review{
		Function:   toEnum[ltcv1.ReviewFunction](ltcv1.ReviewFunction_value, r.Function, "REVIEW_FUNCTION_"),
		Result:     toEnum[ltcv1.ReviewResult](ltcv1.ReviewResult_value, r.Result, "REVIEW_RESULT_"),
		Comments:   r.Comments,
		Reviewer:   personToProto(r.Reviewer),
		SubmitTime: timestamppb.New(r.SubmittedAt),
		OnBehalfOf: optionalPerson(r.OnBehalfOf),
	}
}

// optionalPerson is the person, or nil for none.
func optionalPerson(p *ltc.Person) *ltcv1.Person {
	if p == nil {
		return nil
	}
	return personToProto(*p)
}

func dateFromProto(d *date.Date) ltc.Date {
	return ltc.Date{Year: int(d.GetYear()), Month: int(d.GetMonth()), Day: int(d.GetDay())}
}

func dateToProto(d ltc.Date) *date.Date {
	return &date.Date{Year: int32(d.Year), Month: int32(d.Month), Day: int32(d.Day)}
}

func riskFromProto(r *ltcv1.Risk) ltc.Risk {
	return ltc.Risk{
		ID: r.GetId(), Description: r.GetDescription(),
		Category:    fromEnum[ltc.RiskCategory](ltcv1.RiskCategory_name, int32(r.GetCategory()), "RISK_CATEGORY_"),
		Probability: fromEnum[ltc.RiskLevel](ltcv1.RiskLevel_name, int32(r.GetProbability()), "RISK_LEVEL_"),
		Impact:      fromEnum[ltc.RiskLevel](ltcv1.RiskLevel_name, int32(r.GetImpact()), "RISK_LEVEL_"),
		Owner:       ltc.Person{ID: r.GetOwner().GetId(), Name: r.GetOwner().GetName()},
		Mitigation:  r.GetMitigation(),
		Status:      fromEnum[ltc.RiskStatus](ltcv1.RiskStatus_name, int32(r.GetStatus()), "RISK_STATUS_"),
	}
}

func riskToProto(r ltc.Risk) *ltcv1.Risk {
	return &ltcv1.Risk{
		Id: r.ID, Description: r.Description,
		Category:    toEnum[ltcv1.RiskCategory](ltcv1.RiskCategory_value, r.Category, "RISK_CATEGORY_"),
		Probability: toEnum[ltcv1.RiskLevel](ltcv1.RiskLevel_value, r.Probability, "RISK_LEVEL_"),
		Impact:      toEnum[ltcv1.RiskLevel](ltcv1.RiskLevel_value, r.Impact, "RISK_LEVEL_"),
		Owner:       personToProto(r.Owner), Mitigation: r.Mitigation,
		Status: toEnum[ltcv1.RiskStatus](ltcv1.RiskStatus_value, r.Status, "RISK_STATUS_"),
	}
}

func risksToProto(risks []ltc.Risk) []*ltcv1.Risk {
	out := make([]*ltcv1.Risk, len(risks))
	for i, r := range risks {
		out[i] = riskToProto(r)
	}
	return out
}

func moneyPtrToProto(m *ltc.Money) *ltcv1.Money {
	if m == nil {
		return nil
	}
	return moneyToProto(*m)
}

func bidPackageFromProto(b *ltcv1.BidPackage) *ltc.BidPackage {
	if b == nil {
		return nil
	}
	return &ltc.BidPackage{Strategy: b.Strategy, ProposedPrice: moneyFromProto(b.ProposedPrice),
		GrossMarginPercent: b.GrossMarginPercent, PaymentTerms: b.PaymentTerms,
		DeliveryFeasibility: b.DeliveryFeasibility, WinRate: int(b.WinRate),
		LineItems: each(b.LineItems, lineItemFromProto), SpecialPriceRationale: b.SpecialPriceRationale}
}

func contractPackageFromProto(c *ltcv1.ContractPackage) *ltc.ContractPackage {
	if c == nil {
		return nil
	}
	return &ltc.ContractPackage{FinalPrice: moneyFromProto(c.FinalPrice), GrossMarginPercent: c.GrossMarginPercent,
		PaymentTerms: c.PaymentTerms, Deviations: c.Deviations, ContractReference: c.ContractReference,
		LineItems: each(c.LineItems, lineItemFromProto), SpecialPriceRationale: c.SpecialPriceRationale}
}

func packageFromProto(req *ltcv1.RequestDecisionRequest) ltc.Package {
	var pkg ltc.Package
	if p := req.GetInitiation(); p != nil {
		pkg.Initiation = &ltc.InitiationPackage{Rationale: p.Rationale,
			ProposedLevel: fromEnum[ltc.ProjectLevel](ltcv1.ProjectLevel_name, int32(p.ProposedLevel), "PROJECT_LEVEL_")}
	}
	pkg.Bid = bidPackageFromProto(req.GetBid())
	pkg.Contract = contractPackageFromProto(req.GetContract())
	if p := req.GetReopen(); p != nil {
		pkg.Reopen = &ltc.ReopenPackage{Stage: fromEnum[ltc.Stage](ltcv1.Stage_name, int32(p.Stage), "STAGE_"), Rationale: p.Rationale}
	}
	pkg.ChangeOrder, pkg.WriteOff = contractGatePackageFromProto(req)
	return pkg
}

func summaryToProto(s *ltc.ProjectSummary) *ltcv1.ProjectSummary {
	if s == nil {
		return nil
	}
	return &ltcv1.ProjectSummary{WinLossReasons: s.WinLossReasons, Lessons: s.Lessons, WinRateAccuracy: s.WinRateAccuracy,
		SubmittedBy: personToProto(s.SubmittedBy), SubmitTime: timestamppb.New(s.SubmittedAt)}
}

func handoverToProto(h *ltc.Handover) *ltcv1.Handover {
	if h == nil {
		return nil
	}
	ph := &ltcv1.Handover{ScheduleTime: timestamppb.New(h.ScheduledFor), Attendees: teamToProto(h.Attendees),
		CompleteTime: timeToProto(h.CompletedAt)}
	if r := h.Record; r != nil {
		ph.Record = &ltcv1.HandoverRecord{KeyTerms: r.KeyTerms, Commitments: r.Commitments,
			RisksHandedOver: r.RisksHandedOver, OpenIssues: r.OpenIssues}
	}
	if h.AcknowledgedBy != nil {
		ph.AcknowledgedBy = personToProto(*h.AcknowledgedBy)
	}
	return ph
}

func bidToProto(b *ltc.Bid) *ltcv1.Bid {
	if b == nil {
		return nil
	}
	return &ltcv1.Bid{Price: moneyToProto(b.Price), Date: dateToProto(b.Date), Reference: b.Reference,
		SubmittedBy: personToProto(b.SubmittedBy)}
}

func tenderToProto(t *ltc.TenderResult) *ltcv1.TenderResult {
	if t == nil {
		return nil
	}
	return &ltcv1.TenderResult{Result: toEnum[ltcv1.Tender](ltcv1.Tender_value, t.Result, "TENDER_"),
		Winner: t.Winner, Reason: t.Reason}
}

func contractToProto(c *ltc.Contract) *ltcv1.Contract {
	if c == nil {
		return nil
	}
	pc := &ltcv1.Contract{Number: c.Number, Date: dateToProto(c.Date), Amount: moneyToProto(c.Amount),
		SignedBy: personToProto(c.SignedBy)}
	for _, t := range c.PaymentTerms {
		pc.PaymentTerms = append(pc.PaymentTerms, paymentTermToProto(t))
	}
	return pc
}

// dealStagesToProto fills the parts of the deal from the bid on.
func dealStagesToProto(po *ltcv1.Opportunity, o ltc.Opportunity) {
	po.Risks = risksToProto(o.Risks)
	po.ApprovedBidPrice = moneyPtrToProto(o.ApprovedBidPrice)
	po.ApprovedContractAmount = moneyPtrToProto(o.ApprovedContractAmount)
	po.Bid = bidToProto(o.Bid)
	po.Tender = tenderToProto(o.Tender)
	po.Contract = contractToProto(o.Contract)
	po.Handover = handoverToProto(o.Handover)
	po.HandoverDueTime = timeToProto(o.HandoverDueAt)
	po.HandoverOverdue = o.HandoverOverdue
	po.Summary = summaryToProto(o.Summary)
	po.SummaryDueTime = timeToProto(o.SummaryDueAt)
	po.SummaryOverdue = o.SummaryOverdue
}

func weeklyReportToProto(r ltc.WeeklyReport) *ltcv1.WeeklyReport {
	return &ltcv1.WeeklyReport{Period: int32(r.Period), Revision: int32(r.Revision), Progress: r.Progress,
		WinRate: int32(r.WinRate), NextSteps: r.NextSteps, RisksAndIssues: r.RisksAndIssues, HelpNeeded: r.HelpNeeded,
		SubmittedBy: personToProto(r.SubmittedBy), SubmitTime: timestamppb.New(r.SubmittedAt)}
}

func meetingFromProto(m *ltcv1.Meeting) ltc.Meeting {
	out := ltc.Meeting{Kind: fromEnum[ltc.MeetingKind](ltcv1.MeetingKind_name, int32(m.Kind), "MEETING_KIND_"),
		Date: dateFromProto(m.Date), Conclusions: m.Conclusions}
	for _, p := range m.Attendees {
		out.Attendees = append(out.Attendees, ltc.Person{ID: p.Id, Name: p.Name})
	}
	for _, a := range m.ActionItems {
		out.ActionItems = append(out.ActionItems, ltc.ActionItem{Description: a.Description,
			Owner: ltc.Person{ID: a.Owner.GetId(), Name: a.Owner.GetName()}, Due: dateFromProto(a.DueDate)})
	}
	return out
}

func meetingToProto(m ltc.Meeting) *ltcv1.Meeting {
	pm := &ltcv1.Meeting{Id: m.ID, Kind: toEnum[ltcv1.MeetingKind](ltcv1.MeetingKind_value, m.Kind, "MEETING_KIND_"),
		Date: dateToProto(m.Date), Conclusions: m.Conclusions, RecordedBy: personToProto(m.RecordedBy)}
	for _, p := range m.Attendees {
		pm.Attendees = append(pm.Attendees, personToProto(p))
	}
	for _, a := range m.ActionItems {
		pm.ActionItems = append(pm.ActionItems, &ltcv1.ActionItem{Description: a.Description, Owner: personToProto(a.Owner),
			DueDate: dateToProto(a.Due)})
	}
	return pm
}

// cadenceToProto fills the weekly-report status and the meetings.
func cadenceToProto(po *ltcv1.Opportunity, o ltc.Opportunity, reports bool) {
	for _, m := range o.Meetings {
		po.Meetings = append(po.Meetings, meetingToProto(m))
	}
	c := o.Cadence
	if c == nil {
		return
	}
	if reports {
		for _, r := range c.Reports {
			po.WeeklyReports = append(po.WeeklyReports, weeklyReportToProto(r))
		}
		if last, ok := c.LastReport(); ok {
			po.LastReport = weeklyReportToProto(last)
		}
	}
	if o.Open() {
		po.NextReportDueTime = timestamppb.New(c.NextDueAt)
	}
	for _, p := range c.OverduePeriods {
		po.OverdueReportPeriods = append(po.OverdueReportPeriods, int32(p))
	}
}

func keyContactsToProto(contacts []ltc.KeyContact) []*ltcv1.KeyContact {
	var out []*ltcv1.KeyContact
	for _, c := range contacts {
		k := &ltcv1.KeyContact{ContactId: c.ContactID, Role: toEnum[ltcv1.ContactRole](ltcv1.ContactRole_value, c.Role, "CONTACT_ROLE_"),
			Attitude: toEnum[ltcv1.Attitude](ltcv1.Attitude_value, c.Attitude, "ATTITUDE_"), HiddenDecider: c.HiddenDecider,
			RisingStar: c.RisingStar, Strength: int32(c.Strength), Erased: c.Erased}
		if c.Holder != nil {
			k.Holder = personToProto(*c.Holder)
		}
		out = append(out, k)
	}
	return out
}

func lineItemFromProto(li *ltcv1.LineItem) ltc.LineItem {
	return ltc.LineItem{ProductCode: li.ProductCode, Quantity: li.Quantity, DiscountPercent: ltc.Percent(li.DiscountPercent),
		UnitListPrice: moneyFromProto(li.UnitListPrice), UnitCost: moneyFromProto(li.UnitCost)}
}

func lineItemToProto(li ltc.LineItem) *ltcv1.LineItem {
	return &ltcv1.LineItem{ProductCode: li.ProductCode, ProductName: li.ProductName, Family: li.Family, Unit: li.Unit,
		Quantity: li.Quantity, UnitListPrice: moneyToProto(li.UnitListPrice), DiscountPercent: string(li.DiscountPercent),
		UnitCost: moneyToProto(li.UnitCost), ListAmount: moneyToProto(li.List), NetAmount: moneyToProto(li.Net),
		CostAmount: moneyToProto(li.Cost)}
}

func packageTotalsToProto(t *ltc.Totals) *ltcv1.PackageTotals {
	if t == nil {
		return nil
	}
	return &ltcv1.PackageTotals{ListTotal: moneyToProto(t.List), DiscountTotal: moneyToProto(t.Discount),
		NetTotal: moneyToProto(t.Net), CostTotal: moneyToProto(t.Cost), DiscountPercent: string(t.DiscountPercent),
		GrossMarginPercent: string(t.GrossMarginPercent)}
}
