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
		State:                  toEnum[ltcv1.LeadState](ltcv1.LeadState_value, l.State, "LEAD_STATE_"),
		Customer:               customerToProto(l.Customer),
		Title:                  l.Title,
		Description:            l.Description,
		Source:                 toEnum[ltcv1.LeadSource](ltcv1.LeadSource_value, l.Source, "LEAD_SOURCE_"),
		EstimatedValue:         moneyToProto(l.EstimatedValue),
		ExpectedCloseDate:      &date.Date{Year: int32(l.ExpectedCloseDate.Year), Month: int32(l.ExpectedCloseDate.Month), Day: int32(l.ExpectedCloseDate.Day)},
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
	}
}

func opportunityToProto(o ltc.Opportunity) *ltcv1.Opportunity {
	return &ltcv1.Opportunity{
		Id:             o.ID,
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
	}
}

func decisionsToProto(ds []ltc.Decision) []*ltcv1.Decision {
	out := make([]*ltcv1.Decision, len(ds))
	for i, d := range ds {
		out[i] = decisionToProto(d)
	}
	return out
}

func assessmentFromProto(a *ltcv1.Assessment) ltc.Assessment {
	return ltc.Assessment{
		WinRate: int(a.GetWinRate()), Value: moneyFromProto(a.GetValue()), Competitors: a.GetCompetitors(),
		DecisionChain: a.GetDecisionChain(), Notes: a.GetNotes(),
	}
}

func assessmentToProto(a *ltc.Assessment) *ltcv1.Assessment {
	if a == nil {
		return nil
	}
	return &ltcv1.Assessment{
		WinRate: int32(a.WinRate), Value: moneyToProto(a.Value), Competitors: a.Competitors,
		DecisionChain: a.DecisionChain, Notes: a.Notes,
	}
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
	}
	if d.DecidedBy != nil {
		pd.DecidedBy = personToProto(*d.DecidedBy)
	}
	if p := d.Package.Initiation; p != nil {
		pd.Package = &ltcv1.Decision_Initiation{Initiation: &ltcv1.InitiationPackage{
			ProposedLevel: toEnum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, p.ProposedLevel, "PROJECT_LEVEL_"),
			Rationale:     p.Rationale,
			Assessment:    assessmentToProto(&p.Assessment),
		}}
	}
	for _, r := range d.Reviews {
		pd.Reviews = append(pd.Reviews, &ltcv1.Review{
			Function:   toEnum[ltcv1.ReviewFunction](ltcv1.ReviewFunction_value, r.Function, "REVIEW_FUNCTION_"),
			Result:     toEnum[ltcv1.ReviewResult](ltcv1.ReviewResult_value, r.Result, "REVIEW_RESULT_"),
			Comments:   r.Comments,
			Reviewer:   personToProto(r.Reviewer),
			SubmitTime: timestamppb.New(r.SubmittedAt),
		})
	}
	return pd
}
