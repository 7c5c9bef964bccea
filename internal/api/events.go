package api

import (
	"encoding/json"
	"slices"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// Typed events. The processes store each event's details as JSON in the event log, in shapes fixed by the rows
// already written; the API reads them back into the domain types and serves them as the event type's payload
// message (the catalogue in proto/ltc/v1/event.proto), converted like every other resource.

// eventToProto is a stored event as the reader gets it: its details typed in payload or, when they do not decode
// as their type's (an unknown type, a shape this server does not know), untyped in data. Details the server cannot decode leave the field unset instead of failing the
// page: a follower of the log must be able to move past every event.
func (s *Server) eventToProto(reader ltc.Actor, e store.RecordedEvent) *ltcv1.Event {
	pe := &ltcv1.Event{
		Sequence: e.Sequence, DealId: e.DealID, AccountId: e.AccountID, DealSequence: e.DealSequence, Type: e.Type,
		Actor: personToProto(e.Actor), RequestId: e.RequestID, StageBefore: e.StageBefore, StageAfter: e.StageAfter,
		Recipients: e.Recipients, OccurTime: timestamppb.New(e.OccurredAt),
	}
	if slices.Contains(ltc.ReferenceEventTypes, e.Type) {
		pe.DealId = "" // the log's subject is the rate or the product, which the payload names
	}
	build, ok := eventPayloads[e.Type]
	switch {
	case !ok:
		s.log.Warn("Event type unknown to this server; the event is served without payload", "sequence", e.Sequence, "type", e.Type)
	case build(pe, reader, e.Data) != nil:
		s.log.Warn("Event details do not decode as their type's; the event is served without payload", "sequence", e.Sequence, "type", e.Type)
	default:
		// The payload carries the details: decoding them a second time into data would double the page's work.
		return pe
	}
	data := &structpb.Struct{}
	if err := protojson.Unmarshal(e.Data, data); err == nil {
		pe.Data = data
	} else {
		// The details may hold anything a deal holds: the log names the event, never its content or the error's
		// (which may quote it).
		s.log.Warn("Event details are not a JSON object; the event is served without data", "sequence", e.Sequence, "type", e.Type)
	}
	return pe
}

// payloadBuilder sets an event's payload from its stored details, as the reader may see them.
type payloadBuilder func(e *ltcv1.Event, reader ltc.Actor, data []byte) error

// decoded builds a payload from details stored as a T.
func decoded[T any](set func(e *ltcv1.Event, v T)) payloadBuilder {
	return func(e *ltcv1.Event, _ ltc.Actor, data []byte) error {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		set(e, v)
		return nil
	}
}

// eventPayloads builds the payload of each event type of the catalogue (ltc.EventTypes) from the details its
// command stored for it (package ltc).
var eventPayloads = map[string]payloadBuilder{
	ltc.EventLeadCreated: decoded(func(e *ltcv1.Event, l ltc.Lead) {
		e.Payload = &ltcv1.Event_LeadCreated{LeadCreated: &ltcv1.LeadCreated{Lead: leadToProto(l)}}
	}),
	ltc.EventLeadQualified: decoded(func(e *ltcv1.Event, q ltc.Qualification) {
		e.Payload = &ltcv1.Event_LeadQualified{LeadQualified: &ltcv1.LeadQualified{Qualification: qualificationToProto(&q)}}
	}),
	ltc.EventLeadDisqualified: decoded(func(e *ltcv1.Event, d ltc.ReasonDetails) {
		e.Payload = &ltcv1.Event_LeadDisqualified{LeadDisqualified: &ltcv1.LeadDisqualified{Reason: d.Reason}}
	}),
	ltc.EventLeadOverdue: decoded(func(e *ltcv1.Event, d ltc.LeadOverdueDetails) {
		e.Payload = &ltcv1.Event_LeadOverdue{LeadOverdue: &ltcv1.LeadOverdue{SlaDueTime: timestamppb.New(d.SLADueAt)}}
	}),
	// The deal as created is read like GetOpportunity reads a deal: as the reader may see it.
	ltc.EventOpportunityCreated: func(e *ltcv1.Event, reader ltc.Actor, data []byte) error {
		var o ltc.Opportunity
		if err := json.Unmarshal(data, &o); err != nil {
			return err
		}
		e.Payload = &ltcv1.Event_OpportunityCreated{OpportunityCreated: &ltcv1.OpportunityCreated{Opportunity: opportunityToProto(reader, o)}}
		return nil
	},
	ltc.EventAssessmentUpdated: decoded(func(e *ltcv1.Event, a ltc.Assessment) {
		e.Payload = &ltcv1.Event_AssessmentUpdated{AssessmentUpdated: &ltcv1.AssessmentUpdated{Assessment: assessmentToProto(&a)}}
	}),
	ltc.EventDecisionRequested: decoded(func(e *ltcv1.Event, d ltc.Decision) {
		e.Payload = &ltcv1.Event_DecisionRequested{DecisionRequested: &ltcv1.DecisionRequested{Decision: decisionToProto(d)}}
	}),
	ltc.EventReviewSubmitted: decoded(func(e *ltcv1.Event, d ltc.ReviewDetails) {
		e.Payload = &ltcv1.Event_ReviewSubmitted{ReviewSubmitted: &ltcv1.ReviewSubmitted{DecisionId: d.DecisionID, Review: reviewToProto(d.Review)}}
	}),
	ltc.EventDecisionDecided: decoded(func(e *ltcv1.Event, d ltc.Decision) {
		e.Payload = &ltcv1.Event_DecisionDecided{DecisionDecided: &ltcv1.DecisionDecided{Decision: decisionToProto(d)}}
	}),
	ltc.EventDecisionWithdrawn: decoded(func(e *ltcv1.Event, d ltc.Decision) {
		e.Payload = &ltcv1.Event_DecisionWithdrawn{DecisionWithdrawn: &ltcv1.DecisionWithdrawn{Decision: decisionToProto(d)}}
	}),
	ltc.EventDecisionEscalated: decoded(func(e *ltcv1.Event, d ltc.EscalationDetails) {
		e.Payload = &ltcv1.Event_DecisionEscalated{DecisionEscalated: &ltcv1.DecisionEscalated{DecisionId: d.DecisionID,
			AuthorityBefore: int32(d.AuthorityBefore), Authority: int32(d.Authority), DueTime: timestamppb.New(d.DueAt)}}
	}),
	ltc.EventDecisionOverdue: decoded(func(e *ltcv1.Event, d ltc.EscalationDetails) {
		e.Payload = &ltcv1.Event_DecisionOverdue{DecisionOverdue: &ltcv1.DecisionOverdue{DecisionId: d.DecisionID,
			AuthorityBefore: int32(d.AuthorityBefore), Authority: int32(d.Authority), DueTime: timestamppb.New(d.DueAt)}}
	}),
	// The first appointment is stored with the empty team before it.
	ltc.EventTeamAppointed: decoded(func(e *ltcv1.Event, d ltc.TeamDetails) {
		e.Payload = &ltcv1.Event_TeamAppointed{TeamAppointed: &ltcv1.TeamAppointed{Members: teamToProto(d.After)}}
	}),
	ltc.EventTeamChanged: decoded(func(e *ltcv1.Event, d ltc.TeamDetails) {
		e.Payload = &ltcv1.Event_TeamChanged{TeamChanged: &ltcv1.TeamChanged{Before: teamToProto(d.Before), After: teamToProto(d.After)}}
	}),
	ltc.EventOpportunityClosed: decoded(func(e *ltcv1.Event, d ltc.CloseDetails) {
		e.Payload = &ltcv1.Event_OpportunityClosed{OpportunityClosed: &ltcv1.OpportunityClosed{
			Outcome: toEnum[ltcv1.Outcome](ltcv1.Outcome_value, d.Outcome, "OUTCOME_"), Reason: d.Reason}}
	}),
	ltc.EventRiskAdded: decoded(func(e *ltcv1.Event, r ltc.Risk) {
		e.Payload = &ltcv1.Event_RiskAdded{RiskAdded: &ltcv1.RiskAdded{Risk: riskToProto(r)}}
	}),
	ltc.EventRiskUpdated: decoded(func(e *ltcv1.Event, r ltc.Risk) {
		e.Payload = &ltcv1.Event_RiskUpdated{RiskUpdated: &ltcv1.RiskUpdated{Risk: riskToProto(r)}}
	}),
	ltc.EventBidSubmitted: decoded(func(e *ltcv1.Event, b ltc.Bid) {
		e.Payload = &ltcv1.Event_BidSubmitted{BidSubmitted: &ltcv1.BidSubmitted{Bid: bidToProto(&b)}}
	}),
	ltc.EventTenderResult: decoded(func(e *ltcv1.Event, t ltc.TenderResult) {
		e.Payload = &ltcv1.Event_TenderResultRecorded{TenderResultRecorded: &ltcv1.TenderResultRecorded{Result: tenderToProto(&t)}}
	}),
	ltc.EventContractSigned: decoded(func(e *ltcv1.Event, c ltc.Contract) {
		e.Payload = &ltcv1.Event_ContractSigned{ContractSigned: &ltcv1.ContractSigned{Contract: contractToProto(&c)}}
	}),
	ltc.EventHandoverScheduled: decoded(func(e *ltcv1.Event, h ltc.Handover) {
		e.Payload = &ltcv1.Event_HandoverScheduled{HandoverScheduled: &ltcv1.HandoverScheduled{Handover: handoverToProto(&h)}}
	}),
	ltc.EventHandoverCompleted: decoded(func(e *ltcv1.Event, h ltc.Handover) {
		e.Payload = &ltcv1.Event_HandoverCompleted{HandoverCompleted: &ltcv1.HandoverCompleted{Handover: handoverToProto(&h)}}
	}),
	ltc.EventHandoverOverdue: decoded(func(e *ltcv1.Event, d ltc.DueDetails) {
		e.Payload = &ltcv1.Event_HandoverOverdue{HandoverOverdue: &ltcv1.HandoverOverdue{DueTime: timeToProto(d.DueAt)}}
	}),
	ltc.EventSummarySubmitted: decoded(func(e *ltcv1.Event, s ltc.ProjectSummary) {
		e.Payload = &ltcv1.Event_SummarySubmitted{SummarySubmitted: &ltcv1.SummarySubmitted{Summary: summaryToProto(&s)}}
	}),
	ltc.EventSummaryOverdue: decoded(func(e *ltcv1.Event, d ltc.DueDetails) {
		e.Payload = &ltcv1.Event_SummaryOverdue{SummaryOverdue: &ltcv1.SummaryOverdue{DueTime: timeToProto(d.DueAt)}}
	}),
	ltc.EventWeeklyReportSubmitted: decoded(func(e *ltcv1.Event, r ltc.WeeklyReport) {
		e.Payload = &ltcv1.Event_WeeklyReportSubmitted{WeeklyReportSubmitted: &ltcv1.WeeklyReportSubmitted{Report: weeklyReportToProto(r)}}
	}),
	ltc.EventWeeklyReportOverdue: decoded(func(e *ltcv1.Event, d ltc.ReportOverdueDetails) {
		e.Payload = &ltcv1.Event_WeeklyReportOverdue{WeeklyReportOverdue: &ltcv1.WeeklyReportOverdue{
			Period: int32(d.Period), DueTime: timestamppb.New(d.DueAt)}}
	}),
	ltc.EventMeetingRecorded: decoded(func(e *ltcv1.Event, m ltc.Meeting) {
		e.Payload = &ltcv1.Event_MeetingRecorded{MeetingRecorded: &ltcv1.MeetingRecorded{Meeting: meetingToProto(m)}}
	}),
	// An account's events carry no contact's personal data (ltc.AccountEventDetails).
	ltc.EventAccountCreated: func(e *ltcv1.Event, reader ltc.Actor, data []byte) error {
		var d ltc.AccountDetails
		if err := json.Unmarshal(data, &d); err != nil {
			return err
		}
		a := accountToProto(reader, d.Account(), 0)
		a.CreatedBy, a.CreateTime, a.UpdateTime = e.Actor, e.OccurTime, e.OccurTime
		e.Payload = &ltcv1.Event_AccountCreated{AccountCreated: &ltcv1.AccountCreated{Account: a}}
		return nil
	},
	ltc.EventAccountUpdated: decoded(func(e *ltcv1.Event, d ltc.AccountUpdateDetails) {
		e.Payload = &ltcv1.Event_AccountUpdated{AccountUpdated: &ltcv1.AccountUpdated{
			UpdateMask: &fieldmaskpb.FieldMask{Paths: d.Fields}, Name: d.After.Name, Industry: d.After.Industry,
			Region: d.After.Region, Owner: personToProto(d.After.Owner), Team: teamToProto(d.After.Team), Target: d.After.Target,
			Supplier: supplierToProto(d.After.Supplier)}}
	}),
	ltc.EventAccountGraded: decoded(func(e *ltcv1.Event, g ltc.GradeChange) {
		e.Payload = &ltcv1.Event_AccountGraded{AccountGraded: &ltcv1.AccountGraded{Change: gradeChangeToProto(g)}}
	}),
	ltc.EventContactAdded: decoded(func(e *ltcv1.Event, d ltc.ContactDetails) {
		e.Payload = &ltcv1.Event_ContactAdded{ContactAdded: &ltcv1.ContactAdded{Contact: contactFactsToProto(d)}}
	}),
	ltc.EventContactUpdated: decoded(func(e *ltcv1.Event, d ltc.ContactDetails) {
		e.Payload = &ltcv1.Event_ContactUpdated{ContactUpdated: &ltcv1.ContactUpdated{
			UpdateMask: &fieldmaskpb.FieldMask{Paths: d.Fields}, Contact: contactFactsToProto(d)}}
	}),
	ltc.EventContactErased: decoded(func(e *ltcv1.Event, d ltc.ContactDetails) {
		e.Payload = &ltcv1.Event_ContactErased{ContactErased: &ltcv1.ContactErased{ContactId: d.ContactID, Reference: d.Reference}}
	}),
	ltc.EventRelationshipAssessed: decoded(func(e *ltcv1.Event, r ltc.RelationshipAssessment) {
		e.Payload = &ltcv1.Event_RelationshipAssessed{RelationshipAssessed: &ltcv1.RelationshipAssessed{Assessment: assessmentOfRelationshipToProto(r)}}
	}),
	ltc.EventAccountPlanSet: decoded(func(e *ltcv1.Event, p ltc.AccountPlan) {
		e.Payload = &ltcv1.Event_AccountPlanSet{AccountPlanSet: &ltcv1.AccountPlanSet{Plan: planToProto(p)}}
	}),
	ltc.EventRelationshipReviewRecorded: decoded(func(e *ltcv1.Event, r ltc.RelationshipReview) {
		e.Payload = &ltcv1.Event_RelationshipReviewRecorded{RelationshipReviewRecorded: &ltcv1.RelationshipReviewRecorded{Review: reviewOfRelationshipToProto(r)}}
	}),
	ltc.EventRelationshipReviewOverdue: decoded(func(e *ltcv1.Event, d ltc.ReviewDueDetails) {
		e.Payload = &ltcv1.Event_RelationshipReviewOverdue{RelationshipReviewOverdue: &ltcv1.RelationshipReviewOverdue{
			Quarter: d.Quarter, DueTime: timestamppb.New(d.DueAt)}}
	}),
	ltc.EventRelationshipReviewEscalated: decoded(func(e *ltcv1.Event, d ltc.ReviewDueDetails) {
		e.Payload = &ltcv1.Event_RelationshipReviewEscalated{RelationshipReviewEscalated: &ltcv1.RelationshipReviewEscalated{
			Quarter: d.Quarter, DueTime: timestamppb.New(d.DueAt), Escalations: int32(d.Escalations)}}
	}),
	ltc.EventSatisfactionRecorded: decoded(func(e *ltcv1.Event, sc ltc.SatisfactionScore) {
		e.Payload = &ltcv1.Event_SatisfactionRecorded{SatisfactionRecorded: &ltcv1.SatisfactionRecorded{Score: satisfactionToProto(sc)}}
	}),
	ltc.EventActivityRecorded: decoded(func(e *ltcv1.Event, a ltc.Activity) {
		e.Payload = &ltcv1.Event_ActivityRecorded{ActivityRecorded: &ltcv1.ActivityRecorded{Activity: activityToProto(a)}}
	}),
	ltc.EventActivityReviewed: decoded(func(e *ltcv1.Event, a ltc.Activity) {
		e.Payload = &ltcv1.Event_ActivityReviewed{ActivityReviewed: &ltcv1.ActivityReviewed{Activity: activityToProto(a)}}
	}),
	ltc.EventActivityCompleted: decoded(func(e *ltcv1.Event, a ltc.Activity) {
		e.Payload = &ltcv1.Event_ActivityCompleted{ActivityCompleted: &ltcv1.ActivityCompleted{Activity: activityToProto(a)}}
	}),
	// Reassignment and reopening.
	ltc.EventLeadReassigned: decoded(func(e *ltcv1.Event, d ltc.ReassignDetails) {
		e.Payload = &ltcv1.Event_LeadReassigned{LeadReassigned: &ltcv1.LeadReassigned{
			Before: personToProto(d.Before), After: personToProto(d.After), Reason: d.Reason}}
	}),
	ltc.EventOwnerReassigned: decoded(func(e *ltcv1.Event, d ltc.ReassignDetails) {
		e.Payload = &ltcv1.Event_OwnerReassigned{OwnerReassigned: &ltcv1.OwnerReassigned{
			Before: personToProto(d.Before), After: personToProto(d.After), Reason: d.Reason,
			TeamBefore: teamToProto(d.TeamBefore), TeamAfter: teamToProto(d.TeamAfter)}}
	}),
	ltc.EventReviewReassigned: decoded(func(e *ltcv1.Event, d ltc.ReviewReassignDetails) {
		r := &ltcv1.ReviewReassigned{DecisionId: d.DecisionID, Assignment: assignmentToProto(d.Assignment)}
		if d.Before != nil {
			r.Before = personToProto(*d.Before)
		}
		e.Payload = &ltcv1.Event_ReviewReassigned{ReviewReassigned: r}
	}),
	ltc.EventForecastUpdated: decoded(func(e *ltcv1.Event, d ltc.ForecastDetails) {
		e.Payload = &ltcv1.Event_ForecastUpdated{ForecastUpdated: &ltcv1.ForecastUpdated{
			Before: forecastToProto(&d.Before), After: forecastToProto(&d.After), Reason: d.Reason}}
	}),
	ltc.EventOpportunityReopened: decoded(func(e *ltcv1.Event, d ltc.ReopenDetails) {
		e.Payload = &ltcv1.Event_OpportunityReopened{OpportunityReopened: &ltcv1.OpportunityReopened{
			DecisionId: d.DecisionID, Reopening: reopeningToProto(d.Reopening)}}
	}),
	// Contract execution.
	ltc.EventMilestoneDue: decoded(func(e *ltcv1.Event, d ltc.MilestoneDueDetails) {
		e.Payload = &ltcv1.Event_MilestoneDue{MilestoneDue: &ltcv1.MilestoneDue{Milestone: milestoneToProto(d.Milestone, nil, nil)}}
	}),
	ltc.EventContractAccepted: decoded(func(e *ltcv1.Event, d ltc.AcceptanceDetails) {
		e.Payload = &ltcv1.Event_ContractAccepted{ContractAccepted: &ltcv1.ContractAccepted{Acceptance: acceptanceToProto(d.Acceptance)}}
	}),
	ltc.EventInvoiceIssued: decoded(func(e *ltcv1.Event, d ltc.InvoiceDetails) {
		e.Payload = &ltcv1.Event_InvoiceIssued{InvoiceIssued: &ltcv1.InvoiceIssued{Invoice: invoiceToProto(d.Invoice)}}
	}),
	ltc.EventPaymentRecorded: decoded(func(e *ltcv1.Event, d ltc.PaymentDetails) {
		e.Payload = &ltcv1.Event_PaymentRecorded{PaymentRecorded: &ltcv1.PaymentRecorded{InvoiceNumber: d.InvoiceNumber,
			Payment: paymentToProto(d.Payment), Outstanding: moneyToProto(d.Outstanding)}}
	}),
	ltc.EventInvoiceOverdue: decoded(func(e *ltcv1.Event, d ltc.InvoiceDetails) {
		e.Payload = &ltcv1.Event_InvoiceOverdue{InvoiceOverdue: &ltcv1.InvoiceOverdue{Invoice: invoiceToProto(d.Invoice)}}
	}),
	ltc.EventInvoiceEscalated: decoded(func(e *ltcv1.Event, d ltc.InvoiceDetails) {
		e.Payload = &ltcv1.Event_InvoiceEscalated{InvoiceEscalated: &ltcv1.InvoiceEscalated{Invoice: invoiceToProto(d.Invoice)}}
	}),
	ltc.EventContractChanged: decoded(func(e *ltcv1.Event, d ltc.ContractChangeDetails) {
		c := &ltcv1.ContractChanged{DecisionId: d.DecisionID, AmountBefore: moneyToProto(d.AmountBefore), Amount: moneyToProto(d.Amount)}
		for _, m := range d.Milestones {
			c.Milestones = append(c.Milestones, milestoneToProto(m, nil, nil))
		}
		e.Payload = &ltcv1.Event_ContractChanged{ContractChanged: c}
	}),
	ltc.EventContractClosed: decoded(func(e *ltcv1.Event, d ltc.ContractClosedDetails) {
		e.Payload = &ltcv1.Event_ContractClosed{ContractClosed: &ltcv1.ContractClosed{
			Status:   toEnum[ltcv1.ContractStatus](ltcv1.ContractStatus_value, d.Status, "CONTRACT_STATUS_"),
			Invoiced: moneyToProto(d.Invoiced), Collected: moneyToProto(d.Collected), Reason: d.Reason}}
	}),
	// Finance's reference data.
	ltc.EventExchangeRateSet: decoded(func(e *ltcv1.Event, r ltc.ExchangeRate) {
		e.Payload = &ltcv1.Event_ExchangeRateSet{ExchangeRateSet: &ltcv1.ExchangeRateSet{Rate: rateToProto(r)}}
	}),
	ltc.EventProductUpserted: decoded(func(e *ltcv1.Event, p ltc.Product) {
		e.Payload = &ltcv1.Event_ProductUpserted{ProductUpserted: &ltcv1.ProductUpserted{Product: productToProto(p)}}
	}),
}
