package ltc

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Stage is where an open deal stands in the opportunity process (MO, 管理机会点).
type Stage string

// Stages, in order.
const (
	StageValidation       Stage = "VALIDATION"        // 验证机会点
	StageInitiationReview Stage = "INITIATION_REVIEW" // 立项决策
	StageTeamFormation    Stage = "TEAM_FORMATION"    // 项目组任命
	StagePursuit          Stage = "PURSUIT"           // 标前引导
	StageATBReview        Stage = "ATB_REVIEW"        // 投标决策
	StageBidding          Stage = "BIDDING"
	StageNegotiation      Stage = "NEGOTIATION" // 谈判
	StageATCReview        Stage = "ATC_REVIEW"  // 签约决策
	StageContractSigning  Stage = "CONTRACT_SIGNING"
	StageHandover         Stage = "HANDOVER" // 合同交底会
	StageClosed           Stage = "CLOSED"
)

// Outcome is how a closed deal ended.
type Outcome string

// Outcomes.
const (
	OutcomeWon        Outcome = "WON"
	OutcomeLost       Outcome = "LOST"
	OutcomeNoBid      Outcome = "NO_BID"
	OutcomeNotPursued Outcome = "NOT_PURSUED"
	OutcomeCancelled  Outcome = "CANCELLED"
	OutcomeAbandoned  Outcome = "ABANDONED"
)

// ProjectLevel is the project level (项目级别) fixed at INITIATION.
type ProjectLevel string

// Project levels.
const (
	LevelA ProjectLevel = "A"
	LevelB ProjectLevel = "B"
	LevelC ProjectLevel = "C"
)

// Assessment is what VALIDATION establishes about the opportunity.
type Assessment struct {
	// WinRate is the estimated chance to win, in percent.
	WinRate       int      `json:"win_rate"`
	Value         Money    `json:"value"`
	Competitors   []string `json:"competitors,omitempty"`
	DecisionChain string   `json:"decision_chain,omitempty"`
	Notes         string   `json:"notes,omitempty"`
	// DecisionContacts are the account's contacts in this deal's decision chain, with their role in it.
	DecisionContacts []DecisionContact `json:"decision_contacts,omitempty"`
}

// DecisionContact is a contact of the deal's account in the deal's decision chain.
type DecisionContact struct {
	ContactID string      `json:"contact_id"`
	Role      ContactRole `json:"role"`
}

// Opportunity is the deal. It keeps the id of the lead it came from: one id names the deal from lead to cash.
type Opportunity struct {
	ID             string       `json:"id"`
	LeadID         string       `json:"lead_id"`
	Stage          Stage        `json:"stage"`
	Outcome        Outcome      `json:"outcome,omitempty"`
	Level          ProjectLevel `json:"level,omitempty"`
	Customer       Customer     `json:"customer"`
	Title          string       `json:"title"`
	EstimatedValue Money        `json:"estimated_value"`
	// Owner leads the deal: the lead's owner, then the AR of the appointed team.
	Owner Person `json:"owner"`
	// Unit is the org unit the deal belongs to: its owner's when it started.
	Unit Unit `json:"unit,omitempty"`
	// CreatedBy is who created the lead the deal came from.
	CreatedBy Person `json:"created_by,omitempty"`
	// Sponsor is the executive who approved INITIATION; weekly reports go to them too.
	Sponsor    *Person     `json:"sponsor,omitempty"`
	Assessment *Assessment `json:"assessment,omitempty"`
	Team       Team        `json:"team,omitempty"`
	// Decisions holds every decision of the deal, oldest first; at most the last one is pending.
	Decisions []Decision `json:"decisions,omitempty"`
	Risks     []Risk     `json:"risks,omitempty"`
	// Cadence is the weekly reporting, from PURSUIT on.
	Cadence  *Cadence  `json:"cadence,omitempty"`
	Meetings []Meeting `json:"meetings,omitempty"`
	// ApprovedBidPrice is the envelope the last approved ATB set; ApprovedContractAmount the amount of the last
	// approved ATC.
	ApprovedBidPrice       *Money          `json:"approved_bid_price,omitempty"`
	Bid                    *Bid            `json:"bid,omitempty"`
	Tender                 *TenderResult   `json:"tender,omitempty"`
	ApprovedContractAmount *Money          `json:"approved_contract_amount,omitempty"`
	Contract               *Contract       `json:"contract,omitempty"`
	Handover               *Handover       `json:"handover,omitempty"`
	Summary                *ProjectSummary `json:"summary,omitempty"`
	// Execution is the signed contract's execution to cash (RulesExecution): milestones, acceptances, invoices,
	// payments.
	Execution *Execution `json:"execution,omitempty"`
	// HandoverDueAt is when the handover must be complete (signing + the handover SLA); SummaryDueAt when the
	// project summary is owed (close + the summary SLA). The flags say the time passed.
	HandoverDueAt   *time.Time `json:"handover_due_at,omitempty"`
	HandoverOverdue bool       `json:"handover_overdue,omitempty"`
	SummaryDueAt    *time.Time `json:"summary_due_at,omitempty"`
	SummaryOverdue  bool       `json:"summary_overdue,omitempty"`
	CloseReason     string     `json:"close_reason,omitempty"`
	// Forecast is what the owner expects of the deal (UpdateForecast); nil until they set it (see ForecastOf).
	Forecast *Forecast `json:"forecast,omitempty"`
	// Reopenings are the closes REOPEN approvals undid, oldest first.
	Reopenings    []Reopening `json:"reopenings,omitempty"`
	PolicyVersion string      `json:"policy_version"`
	// Rules is the version of the rules the deal started under (see RulesGovernance); a deal keeps it, as it
	// keeps its policy, so a recorded process replays under the rules it was recorded with.
	Rules int `json:"rules,omitempty"`
	// ContentBytes counts the bytes of content (meetings, weekly reports, risk texts) the deal's changes added,
	// replaced ones included, against MaxContentBytes.
	ContentBytes int64      `json:"content_bytes,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
}

// NewOpportunity is the deal created from a qualified lead, in stage VALIDATION, under the rules version given (0:
// the newest).
func NewOpportunity(l Lead, now time.Time, rules int) Opportunity {
	if rules == 0 {
		rules = RulesExecution
	}
	return Opportunity{
		ID:             l.ID,
		LeadID:         l.ID,
		Stage:          StageValidation,
		Customer:       l.Customer,
		Title:          l.Title,
		EstimatedValue: l.EstimatedValue,
		Owner:          l.Owner,
		Unit:           l.Unit,
		CreatedBy:      l.CreatedBy,
		PolicyVersion:  l.PolicyVersion,
		Rules:          rules,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
}

// Open reports whether the deal is still being worked by sales: a WON deal whose contract is in EXECUTION is
// closed for sales (see RulesExecution).
func (o Opportunity) Open() bool { return o.Stage != StageClosed && o.Stage != StageExecution }

// Pending returns the pending decision, if there is one.
func (o Opportunity) Pending() (Decision, bool) {
	if n := len(o.Decisions); n > 0 && o.Decisions[n-1].Status == DecisionPending {
		return o.Decisions[n-1], true
	}
	return Decision{}, false
}

// Decision returns the decision with the id.
func (o Opportunity) Decision(id string) (Decision, bool) {
	i := slices.IndexFunc(o.Decisions, func(d Decision) bool { return d.ID == id })
	if i < 0 {
		return Decision{}, false
	}
	return o.Decisions[i], true
}

// withDecision returns the deal with d replacing the decision of the same id, or added after the others.
func (o Opportunity) withDecision(d Decision) Opportunity {
	decisions := slices.Clone(o.Decisions)
	if i := slices.IndexFunc(decisions, func(x Decision) bool { return x.ID == d.ID }); i >= 0 {
		decisions[i] = d
	} else {
		decisions = append(decisions, d)
	}
	o.Decisions = decisions
	return o
}

// precondition refuses a change of the deal with FAILED_PRECONDITION. Every such refusal of a deal goes through
// here, so each names the deal's current stage (api.md): the message says what is missing, then where the deal
// stands.
func (o Opportunity) precondition(format string, args ...any) error {
	where := fmt.Sprintf("deal %s is in %s", o.ID, o.Stage)
	if o.Outcome != "" {
		where += " (" + string(o.Outcome) + ")"
	}
	return FailedPrecondition(format+"; "+where, args...)
}

// open checks that the deal still takes changes.
func (o Opportunity) open() error {
	if !o.Open() {
		return o.precondition("a closed deal takes no changes")
	}
	return nil
}

// inStage checks that the deal is open and in one of the stages, naming the current stage if not.
func (o Opportunity) inStage(what string, stages ...Stage) error {
	if err := o.open(); err != nil {
		return err
	}
	if !slices.Contains(stages, o.Stage) {
		names := make([]string, len(stages))
		for i, s := range stages {
			names[i] = string(s)
		}
		return o.precondition("%s needs stage %s", what, strings.Join(names, " or "))
	}
	return nil
}

// owns reports whether the actor leads the deal: its owner, who is the AR once a team is appointed.
func (o Opportunity) owns(a Actor) bool { return o.Owner.ID == a.ID }

// managedBy reports whether the actor manages the deal: a sales manager of a unit holding it, or an admin.
func (o Opportunity) managedBy(a Actor) bool { return a.Manages(o.Unit) || a.Has(RoleAdmin) }

// RulesGovernance is the rules version from which gates keep the separation of duties, the policy's level is a
// floor on who decides, and the handover is acknowledged by an appointed DELIVERY_PM. Deals started before it
// (Rules 0) keep the rules they were recorded under, so their processes replay.
const RulesGovernance = 1

// RulesEconomics is the rules version from which a gate finds the project level from the package's value in the
// policy's base currency (at finance's rate in force) and holds ATB and ATC packages to the policy's margin
// floors (special prices). Deals started before keep comparing values in their own currency, with no floors.
const RulesEconomics = 3

// governed reports whether the deal runs under RulesGovernance.
func (o Opportunity) governed() bool { return o.Rules >= RulesGovernance }

// CanUpdateAssessment checks that the actor may record the VALIDATION assessment now.
func CanUpdateAssessment(a Actor, o Opportunity) error {
	if !o.owns(a) && !o.managedBy(a) {
		return PermissionDenied("updating the assessment needs ownership of deal %s or the sales_manager role for %s", o.ID, o.Unit)
	}
	return o.inStage("updating the assessment", StageValidation)
}

// UpdateAssessment returns the deal with the assessment recorded.
func (o Opportunity) UpdateAssessment(as Assessment, now time.Time) Opportunity {
	o.Assessment = &as
	o.EstimatedValue = as.Value
	o.UpdatedAt = now
	return o
}

// CanClose checks that the actor may close the deal now as LOST or ABANDONED: the AR (the owner before a team
// exists), a sales manager or an admin, from any open stage; under RulesExecution not once its contract is signed.
func CanClose(a Actor, o Opportunity, outcome Outcome) error {
	if outcome != OutcomeLost && outcome != OutcomeAbandoned {
		return Invalid("a deal is closed by hand as LOST or ABANDONED, not %s", outcome)
	}
	if !o.owns(a) && !o.managedBy(a) {
		return PermissionDenied("closing deal %s needs its AR or the sales_manager role for %s", o.ID, o.Unit)
	}
	if err := o.open(); err != nil {
		return err
	}
	return o.unsigned("closing the deal")
}

// unsigned refuses what would take a deal of RulesExecution away from its signed contract: once signed, the
// contract is executed to its close (COMPLETED) or written off (gate WRITE_OFF), never left SIGNED on a deal
// closed by hand or reopened. Deals of earlier rules have no execution and keep their behaviour.
func (o Opportunity) unsigned(what string) error {
	if !o.executes() || o.Execution == nil || o.Execution.Status != ContractSigned {
		return nil
	}
	if o.Open() {
		return o.precondition("%s is refused once its contract is signed (contract %s, SIGNED): complete the handover, then close the "+
			"contract (CloseContract) or write it off through gate WRITE_OFF", what, o.contractNumber())
	}
	return o.precondition("%s is refused: its contract %s is signed and stays with the deal (a signed contract is executed to its "+
		"close or written off through gate WRITE_OFF, never returned to sales)", what, o.contractNumber())
}

// contractNumber is the signed contract's number, for a message.
func (o Opportunity) contractNumber() string {
	if o.Contract == nil {
		return "without a number"
	}
	return o.Contract.Number
}

// Close returns the deal closed with the outcome; a pending decision is withdrawn with it. The project summary
// is owed within the policy's summary SLA.
func (o Opportunity) Close(outcome Outcome, reason string, by Person, now time.Time, p Policy) Opportunity {
	if d, ok := o.Pending(); ok {
		o = o.withDecision(d.close(DecisionWithdrawn, by, 0, "deal closed: "+reason, now))
	}
	due := now.Add(p.summarySLA())
	o.Stage = StageClosed
	o.Outcome = outcome
	o.CloseReason = reason
	o.ClosedAt = &now
	o.SummaryDueAt = &due
	o.UpdatedAt = now
	return o
}

// UpdateAssessment records what VALIDATION established (value, win rate, competitors, decision chain).
type UpdateAssessment struct {
	Assessment Assessment `json:"assessment"`
}

// Apply records the assessment.
func (cmd UpdateAssessment) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanUpdateAssessment(c.Actor, o)
	}
	if err != nil {
		return Change{}, err
	}
	return c.change(d, o.UpdateAssessment(cmd.Assessment, c.Now), nil, EventAssessmentUpdated, cmd.Assessment), nil
}

// CloseOpportunity closes the deal by hand as LOST or ABANDONED; a pending decision is withdrawn with it.
type CloseOpportunity struct {
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason"`
}

// Apply closes the deal.
func (cmd CloseOpportunity) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanClose(c.Actor, o, cmd.Outcome)
	}
	if err != nil {
		return Change{}, err
	}
	pending, hadPending := o.Pending()
	next := o.Close(cmd.Outcome, cmd.Reason, c.Actor.Person(), c.Now, c.Policy)
	var withdrawn *Decision
	if hadPending {
		w, _ := next.Decision(pending.ID)
		withdrawn = &w
	}
	return c.change(d, next, withdrawn, "", nil), nil
}
