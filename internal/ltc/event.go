package ltc

import (
	"encoding/json"
	"slices"
	"time"
)

// The details of events whose payload is no domain type of its own (the others carry a Lead, a Decision, a Risk,
// a Meeting, ...), under the JSON names the event log keeps.
type (
	// ReasonDetails: lead.disqualified.
	ReasonDetails struct {
		Reason string `json:"reason"`
	}
	// LeadOverdueDetails: lead.overdue.
	LeadOverdueDetails struct {
		SLADueAt time.Time `json:"sla_due_at"`
	}
	// ReviewDetails: decision.review_submitted.
	ReviewDetails struct {
		DecisionID string `json:"decision_id"`
		Review     Review `json:"review"`
	}
	// EscalationDetails: decision.escalated and decision.overdue.
	EscalationDetails struct {
		DecisionID      string    `json:"decision_id"`
		AuthorityBefore int       `json:"authority_before"`
		Authority       int       `json:"authority"`
		DueAt           time.Time `json:"due_at"`
	}
	// TeamDetails: team.appointed and team.changed.
	TeamDetails struct {
		Before Team `json:"before"`
		After  Team `json:"after"`
	}
	// CloseDetails: opportunity.closed.
	CloseDetails struct {
		Outcome Outcome `json:"outcome"`
		Reason  string  `json:"reason"`
	}
	// DueDetails: handover.overdue and summary.overdue.
	DueDetails struct {
		DueAt *time.Time `json:"due_at"`
	}
	// ReportOverdueDetails: weekly_report.overdue.
	ReportOverdueDetails struct {
		Period int       `json:"period"`
		DueAt  time.Time `json:"due_at"`
	}
)

// Event types.
const (
	EventLeadCreated        = "lead.created"
	EventLeadQualified      = "lead.qualified"
	EventLeadDisqualified   = "lead.disqualified"
	EventLeadOverdue        = "lead.overdue"
	EventOpportunityCreated = "opportunity.created"
)

// Event is one accepted change of a deal or of an account, as the append-only event log records it: a deal's
// events name the deal (DealID), an account's name the account (AccountID) and no deal. Its position in the log is
// given when it is written.
type Event struct {
	DealID      string          `json:"deal_id"`
	AccountID   string          `json:"account_id,omitempty"`
	Type        string          `json:"type"`
	Actor       Person          `json:"actor"`
	RequestID   string          `json:"request_id,omitempty"`
	StageBefore string          `json:"stage_before,omitempty"`
	StageAfter  string          `json:"stage_after,omitempty"`
	Recipients  []string        `json:"recipients,omitempty"`
	Data        json.RawMessage `json:"data"`
	OccurredAt  time.Time       `json:"occurred_at"`
}

// UserRecipient addresses a notification to one person.
func UserRecipient(id string) string { return "user:" + id }

// RoleRecipient addresses a notification to everyone holding a role.
func RoleRecipient(r Role) string { return "role:" + string(r) }

// EventData encodes an event's details. Details are plain data, so encoding cannot fail; it panics if it does.
func EventData(v any) json.RawMessage { return mustJSON(v) }

// Event types of the deal.
const (
	EventAssessmentUpdated = "opportunity.assessment_updated"
	EventDecisionRequested = "decision.requested"
	EventReviewSubmitted   = "decision.review_submitted"
	EventDecisionDecided   = "decision.decided"
	EventDecisionWithdrawn = "decision.withdrawn"
	EventDecisionEscalated = "decision.escalated"
	EventDecisionOverdue   = "decision.overdue"
	EventTeamAppointed     = "team.appointed"
	EventTeamChanged       = "team.changed"
	EventOpportunityClosed = "opportunity.closed"
)

// FunctionRecipient addresses a notification to the reviewers of a function.
func FunctionRecipient(f ReviewFunction) string { return "function:" + string(f) }

// Event types of the bid, contract and handover.
const (
	EventRiskAdded         = "risk.added"
	EventRiskUpdated       = "risk.updated"
	EventBidSubmitted      = "bid.submitted"
	EventTenderResult      = "tender.result_recorded"
	EventContractSigned    = "contract.signed"
	EventHandoverScheduled = "handover.scheduled"
	EventHandoverCompleted = "handover.completed"
	EventHandoverOverdue   = "handover.overdue"
	EventSummarySubmitted  = "summary.submitted"
	EventSummaryOverdue    = "summary.overdue"
)

// Event types of the cadence.
const (
	EventWeeklyReportSubmitted = "weekly_report.submitted"
	EventWeeklyReportOverdue   = "weekly_report.overdue"
	EventMeetingRecorded       = "meeting.recorded"
)

// Event types of reassignment and reopening.
const (
	EventLeadReassigned      = "lead.reassigned"
	EventOwnerReassigned     = "opportunity.owner_reassigned"
	EventReviewReassigned    = "decision.review_reassigned"
	EventOpportunityReopened = "opportunity.reopened"
)

// Event types of contract execution.
const (
	EventMilestoneDue     = "contract.milestone_due"
	EventContractAccepted = "contract.accepted"
	EventInvoiceIssued    = "invoice.issued"
	EventPaymentRecorded  = "payment.recorded"
	EventInvoiceOverdue   = "invoice.overdue"
	EventInvoiceEscalated = "invoice.escalated"
	EventContractClosed   = "contract.closed"
	EventContractChanged  = "contract.changed"
)

// ExecutionEventTypes are the events of contract execution.
var ExecutionEventTypes = []string{EventMilestoneDue, EventContractAccepted, EventInvoiceIssued, EventPaymentRecorded,
	EventInvoiceOverdue, EventInvoiceEscalated, EventContractClosed, EventContractChanged}

// Event types of finance's reference data: their deal_id is empty and their subject is the rate or product
// (ReferenceEventTypes).
const (
	EventExchangeRateSet = "exchange_rate.set"
	EventProductUpserted = "product.upserted"
)

// ReferenceEventTypes are the events of the reference data, which no deal or account holds.
var ReferenceEventTypes = []string{EventExchangeRateSet, EventProductUpserted}

// EventForecastUpdated is the event of a change of the deal's forecast (UpdateForecast).
const EventForecastUpdated = "opportunity.forecast_updated"

// EventTypes is the event catalogue: every type the engine writes. ListEvents filters by these only.
var EventTypes = slices.Concat([]string{
	EventLeadCreated, EventLeadQualified, EventLeadDisqualified, EventLeadOverdue, EventOpportunityCreated,
	EventAssessmentUpdated, EventDecisionRequested, EventReviewSubmitted, EventDecisionDecided, EventDecisionWithdrawn,
	EventDecisionEscalated, EventDecisionOverdue, EventTeamAppointed, EventTeamChanged, EventOpportunityClosed,
	EventRiskAdded, EventRiskUpdated, EventBidSubmitted, EventTenderResult, EventContractSigned, EventHandoverScheduled,
	EventHandoverCompleted, EventHandoverOverdue, EventSummarySubmitted, EventSummaryOverdue,
	EventWeeklyReportSubmitted, EventWeeklyReportOverdue, EventMeetingRecorded,
	EventLeadReassigned, EventOwnerReassigned, EventReviewReassigned, EventOpportunityReopened,
	EventForecastUpdated,
}, ExecutionEventTypes, AccountEventTypes, ReferenceEventTypes)
