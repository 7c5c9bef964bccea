// Package workflows is the Lead-To-Cash process as durable Temporal workflows: one DealWorkflow per deal, from lead
// to the end (and, for deals started by earlier versions, a LeadWorkflow and an OpportunityWorkflow). Workflow code here is deterministic: no I/O, no wall clock, no randomness, no map
// iteration; the rules come from package ltc and every change is written by the RecordChange local activity.
package workflows

import (
	"encoding/json"
	"fmt"

	"github.com/ltcengine/ltc/internal/ltc"
)

// TaskQueue is the default task queue of the engine's workers.
const TaskQueue = "ltc"

// DealWorkflowID is the workflow id of a deal's process.
func DealWorkflowID(dealID string) string { return "Deal:" + dealID }

// LeadWorkflowID is the workflow id of a lead's process of an earlier version.
func LeadWorkflowID(leadID string) string { return "Lead:" + leadID }

// OpportunityWorkflowID is the workflow id of a deal's process of an earlier version.
func OpportunityWorkflowID(opportunityID string) string { return "Opportunity:" + opportunityID }

// Update names. Each is also the method name recorded with the request.
const (
	UpdateCreateLead       = "CreateLead"
	UpdateQualifyLead      = "QualifyLead"
	UpdateDisqualifyLead   = "DisqualifyLead"
	UpdateAssessment       = "UpdateAssessment"
	UpdateRequestDecision  = "RequestDecision"
	UpdateSubmitReview     = "SubmitReview"
	UpdateDecide           = "Decide"
	UpdateWithdrawDecision = "WithdrawDecision"
	UpdateAppointTeam      = "AppointTeam"
	UpdateCloseOpportunity = "CloseOpportunity"
	UpdateAddRisk          = "AddRisk"
	UpdateRisk             = "UpdateRisk"
	UpdateSubmitBid        = "SubmitBid"
	UpdateTenderResult     = "RecordTenderResult"
	UpdateSignContract     = "SignContract"
	UpdateScheduleHandover = "ScheduleHandover"
	UpdateCompleteHandover = "CompleteHandover"
	UpdateProjectSummary   = "SubmitProjectSummary"
	UpdateWeeklyReport     = "SubmitWeeklyReport"
	UpdateRecordMeeting    = "RecordMeeting"
	UpdateReassignLead     = "ReassignLead"
	UpdateReassignOwner    = "ReassignOwner"
	UpdateReassignReview   = "ReassignReview"
	UpdateForecast         = "UpdateForecast"
	UpdateRecordAcceptance = "RecordAcceptance"
	UpdateIssueInvoice     = "IssueInvoice"
	UpdateRecordPayment    = "RecordPayment"
	UpdateCloseContract    = "CloseContract"
)

// Request is the caller's request as every Update carries it: its id (also the Update id), a digest of its
// payload for idempotency, and who sent it.
type Request struct {
	ID          string    `json:"id"`
	PayloadHash []byte    `json:"payload_hash"`
	Actor       ltc.Actor `json:"actor"`
}

// DealInput starts a deal's process: with the lead of the CreateLead request, or, continued as new, with the
// deal as the last run left it.
type DealInput struct {
	// Lead holds the fields given at creation; the process sets state, timestamps and SLA.
	Lead   ltc.Lead   `json:"lead,omitempty"`
	Policy ltc.Policy `json:"policy"`
	// Request is the CreateLead request.
	Request Request `json:"request,omitempty"`
	// Deal is the deal a continued run starts from.
	Deal *ltc.Deal `json:"deal,omitempty"`
	// Applied holds the ids of the requests earlier runs applied, oldest first: Temporal deduplicates Updates
	// within a run only, so a retry after a continue-as-new is recognised here.
	Applied []string `json:"applied,omitempty"`
	// Revision is the number of the deal's last change, which the read model holds too: each change is written on
	// top of the one before it (store.ApplyRevision).
	Revision int64 `json:"revision,omitempty"`
}

// LeadInput starts a lead's process of an earlier version.
type LeadInput struct {
	// Lead holds the fields given at creation; the process sets state, timestamps and SLA.
	Lead   ltc.Lead   `json:"lead"`
	Policy ltc.Policy `json:"policy"`
	// Request is the CreateLead request.
	Request Request `json:"request"`
}

// QualifyLeadResult is what a QualifyLead caller gets, from the request record.
type QualifyLeadResult struct {
	Lead        ltc.Lead        `json:"lead"`
	Opportunity ltc.Opportunity `json:"opportunity"`
}

// OpportunityInput starts a deal's process.
type OpportunityInput struct {
	Opportunity ltc.Opportunity `json:"opportunity"`
	Policy      ltc.Policy      `json:"policy"`
	// Applied holds the ids of the requests earlier runs applied, oldest first: Temporal deduplicates Updates
	// within a run only, so a retry after a continue-as-new is recognised here.
	Applied []string `json:"applied,omitempty"`
	// Revision is the number of the deal's last change, which the read model holds too: each change is written on
	// top of the one before it (store.ApplyRevision).
	Revision int64 `json:"revision,omitempty"`
}

// QueryDeal is the query that returns a deal's process state (DealState): for checks and operators, since the
// read model is what clients read.
const QueryDeal = "deal"

// DealState is the deal as its process holds it, its revision and the requests it applied, oldest first.
type DealState struct {
	Lead        ltc.Lead        `json:"lead"`
	Opportunity ltc.Opportunity `json:"opportunity"`
	Revision    int64           `json:"revision"`
	Applied     []string        `json:"applied"`
}

// DealResult is what the caller of a change of the deal gets, from the request record: the deal after the change
// and, for the gate Updates, the decision it touched.
type DealResult struct {
	Opportunity ltc.Opportunity `json:"opportunity"`
	Decision    *ltc.Decision   `json:"decision,omitempty"`
}

// Update is the argument of every Update of a deal but CreateLead: the caller's request and the command. Its JSON
// is the command's object with the request beside its fields ({"request": ..., "risk": ...}), as the arguments of
// the earlier processes were, so their recorded histories decode.
type Update[C ltc.Command] struct {
	Request Request
	Command C
}

// MarshalJSON writes the command's fields and "request".
func (u Update[C]) MarshalJSON() ([]byte, error) {
	request, err := json.Marshal(u.Request)
	if err != nil {
		return nil, err
	}
	command, err := json.Marshal(u.Command)
	if err != nil {
		return nil, err
	}
	if len(command) < 2 || command[0] != '{' {
		return nil, fmt.Errorf("command %T is not a JSON object", u.Command)
	}
	out := append([]byte(`{"request":`), request...)
	if len(command) > 2 {
		out = append(out, ',')
	}
	return append(out, command[1:]...), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (u *Update[C]) UnmarshalJSON(b []byte) error {
	var r struct {
		Request Request `json:"request"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	u.Request = r.Request
	return json.Unmarshal(b, &u.Command)
}
