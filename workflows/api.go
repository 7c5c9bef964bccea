// Package workflows is the Lead-To-Cash process as durable Temporal workflows: one LeadWorkflow per lead and one
// OpportunityWorkflow per deal. Workflow code here is deterministic: no I/O, no wall clock, no randomness, no map
// iteration; the rules come from package ltc and every change is written by the RecordChange local activity.
package workflows

import (
	"github.com/ltcengine/ltc/internal/ltc"
)

// TaskQueue is the default task queue of the engine's workers.
const TaskQueue = "ltc"

// LeadWorkflowID is the workflow id of a lead's process.
func LeadWorkflowID(leadID string) string { return "Lead:" + leadID }

// OpportunityWorkflowID is the workflow id of a deal's process.
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
)

// Request is the caller's request as every Update carries it: its id (also the Update id), a digest of its
// payload for idempotency, and who sent it.
type Request struct {
	ID          string    `json:"id"`
	PayloadHash []byte    `json:"payload_hash"`
	Actor       ltc.Actor `json:"actor"`
}

// LeadInput starts a lead's process.
type LeadInput struct {
	// Lead holds the fields given at creation; the process sets state, timestamps and SLA.
	Lead   ltc.Lead   `json:"lead"`
	Policy ltc.Policy `json:"policy"`
	// Request is the CreateLead request.
	Request Request `json:"request"`
}

// QualifyLead is the argument of the QualifyLead Update.
type QualifyLead struct {
	Request       Request           `json:"request"`
	Qualification ltc.Qualification `json:"qualification"`
}

// QualifyLeadResult is what a QualifyLead caller gets, from the request record.
type QualifyLeadResult struct {
	Lead        ltc.Lead        `json:"lead"`
	Opportunity ltc.Opportunity `json:"opportunity"`
}

// DisqualifyLead is the argument of the DisqualifyLead Update.
type DisqualifyLead struct {
	Request Request `json:"request"`
	Reason  string  `json:"reason"`
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

// AssessOpportunity is the argument of the UpdateAssessment Update.
type AssessOpportunity struct {
	Request    Request        `json:"request"`
	Assessment ltc.Assessment `json:"assessment"`
}

// RequestDecision is the argument of the RequestDecision Update.
type RequestDecision struct {
	Request Request     `json:"request"`
	Gate    ltc.Gate    `json:"gate"`
	Package ltc.Package `json:"package"`
}

// SubmitReview is the argument of the SubmitReview Update.
type SubmitReview struct {
	Request    Request            `json:"request"`
	DecisionID string             `json:"decision_id"`
	Function   ltc.ReviewFunction `json:"function"`
	Result     ltc.ReviewResult   `json:"result"`
	Comments   string             `json:"comments,omitempty"`
}

// Decide is the argument of the Decide Update.
type Decide struct {
	Request    Request          `json:"request"`
	DecisionID string           `json:"decision_id"`
	Verdict    ltc.Verdict      `json:"verdict"`
	Level      ltc.ProjectLevel `json:"level,omitempty"`
	Conditions []string         `json:"conditions,omitempty"`
	Rationale  string           `json:"rationale"`
}

func (u Decide) ruling() ltc.Ruling {
	return ltc.Ruling{Verdict: u.Verdict, Level: u.Level, Conditions: u.Conditions, Rationale: u.Rationale}
}

// WithdrawDecision is the argument of the WithdrawDecision Update.
type WithdrawDecision struct {
	Request    Request `json:"request"`
	DecisionID string  `json:"decision_id"`
	Reason     string  `json:"reason,omitempty"`
}

// AppointTeam is the argument of the AppointTeam Update.
type AppointTeam struct {
	Request Request  `json:"request"`
	Team    ltc.Team `json:"team"`
}

// CloseOpportunity is the argument of the CloseOpportunity Update.
type CloseOpportunity struct {
	Request Request     `json:"request"`
	Outcome ltc.Outcome `json:"outcome"`
	Reason  string      `json:"reason"`
}

// AddRisk is the argument of the AddRisk Update; the risk's id comes from the request.
type AddRisk struct {
	Request Request  `json:"request"`
	Risk    ltc.Risk `json:"risk"`
}

// ChangeRisk is the argument of the UpdateRisk Update.
type ChangeRisk struct {
	Request Request  `json:"request"`
	Risk    ltc.Risk `json:"risk"`
}

// SubmitBid is the argument of the SubmitBid Update.
type SubmitBid struct {
	Request Request `json:"request"`
	Bid     ltc.Bid `json:"bid"`
}

// RecordTenderResult is the argument of the RecordTenderResult Update.
type RecordTenderResult struct {
	Request Request          `json:"request"`
	Result  ltc.TenderResult `json:"result"`
}

// SignContract is the argument of the SignContract Update.
type SignContract struct {
	Request  Request      `json:"request"`
	Contract ltc.Contract `json:"contract"`
}

// ScheduleHandover is the argument of the ScheduleHandover Update.
type ScheduleHandover struct {
	Request  Request      `json:"request"`
	Handover ltc.Handover `json:"handover"`
}

// CompleteHandover is the argument of the CompleteHandover Update.
type CompleteHandover struct {
	Request Request            `json:"request"`
	Record  ltc.HandoverRecord `json:"record"`
}

// SubmitProjectSummary is the argument of the SubmitProjectSummary Update.
type SubmitProjectSummary struct {
	Request Request            `json:"request"`
	Summary ltc.ProjectSummary `json:"summary"`
}

// SubmitWeeklyReport is the argument of the SubmitWeeklyReport Update.
type SubmitWeeklyReport struct {
	Request Request          `json:"request"`
	Report  ltc.WeeklyReport `json:"report"`
}

// RecordMeeting is the argument of the RecordMeeting Update; the meeting's id comes from the request.
type RecordMeeting struct {
	Request Request     `json:"request"`
	Meeting ltc.Meeting `json:"meeting"`
}
