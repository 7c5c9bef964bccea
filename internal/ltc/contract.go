package ltc

import (
	"fmt"
	"slices"
	"time"
)

// Bid is the bid the AR submitted.
type Bid struct {
	Price       Money     `json:"price"`
	Date        Date      `json:"date"`
	Reference   string    `json:"reference"`
	SubmittedBy Person    `json:"submitted_by"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// Tender is the customer's tender outcome.
type Tender string

// Tender outcomes.
const (
	TenderShortlisted Tender = "SHORTLISTED"
	TenderWon         Tender = "WON"
	TenderLost        Tender = "LOST"
	TenderCancelled   Tender = "CANCELLED"
)

// TenderResult records the customer's tender outcome.
type TenderResult struct {
	Result     Tender    `json:"result"`
	Winner     string    `json:"winner,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Contract is the signed contract.
type Contract struct {
	Number   string    `json:"number"`
	Date     Date      `json:"date"`
	Amount   Money     `json:"amount"`
	SignedBy Person    `json:"signed_by"`
	SignedAt time.Time `json:"signed_at"`
	// PaymentTerms are the contract's payment terms (RulesExecution), which become its milestones.
	PaymentTerms []PaymentTerm `json:"payment_terms,omitempty"`
}

// HandoverRecord is what the contract handover meeting (合同交底会) hands to delivery.
type HandoverRecord struct {
	KeyTerms        string `json:"key_terms"`
	Commitments     string `json:"commitments"`
	RisksHandedOver string `json:"risks_handed_over"`
	OpenIssues      string `json:"open_issues,omitempty"`
}

// Handover is the contract handover meeting: scheduled with its attendees, then completed with the record and the
// delivery project manager's acknowledgement.
type Handover struct {
	ScheduledFor   time.Time       `json:"scheduled_for"`
	Attendees      Team            `json:"attendees"`
	Record         *HandoverRecord `json:"record,omitempty"`
	AcknowledgedBy *Person         `json:"acknowledged_by,omitempty"`
	CompletedAt    *time.Time      `json:"completed_at,omitempty"`
}

// ProjectSummary is the project summary (销售项目总结) owed after a close.
type ProjectSummary struct {
	WinLossReasons  string    `json:"win_loss_reasons"`
	Lessons         string    `json:"lessons"`
	WinRateAccuracy string    `json:"win_rate_accuracy"`
	SubmittedBy     Person    `json:"submitted_by"`
	SubmittedAt     time.Time `json:"submitted_at"`
}

// ar checks that the actor is the deal's AR (its owner), or an admin.
func (o Opportunity) ar(a Actor, what string) error {
	if !o.owns(a) && !a.Has(RoleAdmin) {
		return PermissionDenied("%s on deal %s is for its AR (%s)", what, o.ID, o.Owner.ID)
	}
	return nil
}

// CanSubmitBid checks that the actor may submit the bid now: the AR, in BIDDING, once, at a price inside the
// ATB-approved envelope (not below it by more than the policy's tolerance).
func CanSubmitBid(a Actor, o Opportunity, b Bid, p Policy) error {
	if err := o.ar(a, "submitting the bid"); err != nil {
		return err
	}
	if err := o.inStage("submitting the bid", StageBidding); err != nil {
		return err
	}
	if o.Bid != nil {
		return o.precondition("the deal already has its bid (%s)", o.Bid.Reference)
	}
	env := *o.ApprovedBidPrice
	if b.Price.Currency != env.Currency {
		return o.precondition("the bid is in %s but the approved envelope is in %s; a new ATB is needed", b.Price.Currency, env.Currency)
	}
	if b.Price.AmountMinor < p.envelopeFloor(env) {
		return o.precondition("the bid price %s is below the ATB-approved envelope %s by more than the tolerance (%g%%); a new ATB is needed",
			b.Price, env, p.BidTolerancePercent)
	}
	return nil
}

// envelopeFloor is the lowest amount, in the envelope's currency, within the ATB-approved envelope: the envelope
// less the policy's bid tolerance. A bid, and a forecast value, below it needs a new ATB.
func (p Policy) envelopeFloor(env Money) int64 {
	return env.AmountMinor - int64(float64(env.AmountMinor)*p.BidTolerancePercent/100)
}

// SubmitBid returns the deal with the bid.
func (o Opportunity) SubmitBid(b Bid, now time.Time) Opportunity {
	b.SubmittedAt = now
	o.Bid = &b
	o.UpdatedAt = now
	return o
}

// CanRecordTenderResult checks that the actor may record the tender result now: the AR, in BIDDING, after the bid.
func CanRecordTenderResult(a Actor, o Opportunity, t TenderResult) error {
	if err := o.ar(a, "recording the tender result"); err != nil {
		return err
	}
	if err := o.inStage("recording the tender result", StageBidding); err != nil {
		return err
	}
	if o.Bid == nil {
		return o.precondition("the deal has no bid yet; submit the bid first")
	}
	if t.Result == TenderLost && t.Winner == "" {
		return Invalid("a lost tender names the winner")
	}
	return nil
}

// RecordTenderResult returns the deal after the tender: shortlisted or won moves to NEGOTIATION, lost closes as
// LOST, cancelled closes as CANCELLED.
func (o Opportunity) RecordTenderResult(t TenderResult, by Person, now time.Time, p Policy) Opportunity {
	t.RecordedAt = now
	o.Tender = &t
	o.UpdatedAt = now
	switch t.Result {
	case TenderLost:
		return o.Close(OutcomeLost, fmt.Sprintf("tender lost to %s: %s", t.Winner, t.Reason), by, now, p)
	case TenderCancelled:
		return o.Close(OutcomeCancelled, "tender cancelled by the customer: "+t.Reason, by, now, p)
	}
	o.Stage = StageNegotiation
	return o
}

// CanSignContract checks that the actor may record the signed contract now: the AR, in CONTRACT_SIGNING, for
// exactly the ATC-approved amount.
func CanSignContract(a Actor, o Opportunity, c Contract) error {
	if err := o.ar(a, "signing the contract"); err != nil {
		return err
	}
	if err := o.inStage("signing the contract", StageContractSigning); err != nil {
		return err
	}
	if approved := *o.ApprovedContractAmount; c.Amount != approved {
		return o.precondition("the contract amount %s differs from the ATC-approved %s; a new ATC is needed", c.Amount, approved)
	}
	return nil
}

// SignContract returns the deal in HANDOVER with the contract; the handover is due within the handover SLA.
func (o Opportunity) SignContract(c Contract, now time.Time, p Policy) Opportunity {
	c.SignedAt = now
	due := now.Add(p.handoverSLA())
	o.Contract = &c
	o.Stage = StageHandover
	o.HandoverDueAt = &due
	o.UpdatedAt = now
	return o
}

// CanScheduleHandover checks that the actor may schedule the handover meeting now: the AR, in HANDOVER, with the
// AR, SR and FR of the team and a delivery project manager among the attendees.
func CanScheduleHandover(a Actor, o Opportunity, h Handover) error {
	if err := o.ar(a, "scheduling the handover"); err != nil {
		return err
	}
	if err := o.inStage("scheduling the handover", StageHandover); err != nil {
		return err
	}
	for _, role := range CoreRoles {
		for _, m := range o.Team {
			if m.Role == role && !h.Attendees.Member(m.Person.ID) {
				return Invalid("the handover needs the %s (%s) among the attendees", role, m.Person.ID)
			}
		}
	}
	if !slices.ContainsFunc(h.Attendees, func(m TeamMember) bool { return m.Role == TeamDeliveryPM }) {
		return Invalid("the handover needs a DELIVERY_PM among the attendees")
	}
	if o.governed() {
		for _, m := range h.Attendees {
			if m.Role == TeamDeliveryPM {
				if err := o.deliveryPM(m.Person.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// deliveryPM checks that the person may acknowledge the deal's handover: appointed to the team as DELIVERY_PM and
// holding no core role, so delivery, not the sales team, accepts what sales promised (separation of duties).
func (o Opportunity) deliveryPM(personID string) error {
	if !o.Team.Holds(personID, TeamDeliveryPM) {
		return o.precondition("%s is not appointed to the team as DELIVERY_PM; appoint the delivery project manager (AppointTeam) first", personID)
	}
	if o.Team.Core(personID) {
		return PermissionDenied("%s holds a core role (AR, SR or FR) on deal %s and cannot acknowledge its handover as DELIVERY_PM (separation of duties)", personID, o.ID)
	}
	return nil
}

// ScheduleHandover returns the deal with the handover meeting scheduled (or rescheduled).
func (o Opportunity) ScheduleHandover(h Handover, now time.Time) Opportunity {
	h.Attendees = slices.Clone(h.Attendees)
	o.Handover = &h
	o.UpdatedAt = now
	return o
}

// CanCompleteHandover checks that the actor may complete the handover now: the delivery project manager among
// the attendees of the scheduled meeting, acknowledging the record.
func CanCompleteHandover(a Actor, o Opportunity) error {
	if err := o.inStage("completing the handover", StageHandover); err != nil {
		return err
	}
	if o.Handover == nil {
		return o.precondition("the handover is not scheduled yet (ScheduleHandover)")
	}
	if !o.Handover.Attendees.Holds(a.ID, TeamDeliveryPM) {
		return PermissionDenied("only the delivery project manager of the handover may acknowledge it")
	}
	if o.governed() {
		return o.deliveryPM(a.ID)
	}
	return nil
}

// CompleteHandover returns the deal closed as WON, handed to delivery with the record. A deal whose contract has
// its execution (RulesExecution) stands in EXECUTION until the contract closes.
func (o Opportunity) CompleteHandover(r HandoverRecord, by Person, now time.Time, p Policy) Opportunity {
	h := *o.Handover
	h.Record, h.AcknowledgedBy, h.CompletedAt = &r, &by, &now
	o.Handover = &h
	o = o.Close(OutcomeWon, "contract handed over to delivery", by, now, p)
	if o.Execution != nil {
		x := *o.Execution
		x.Status = ContractExecution
		o.Execution, o.Stage = &x, StageExecution
	}
	return o
}

// MarkHandoverOverdue returns the deal flagged as past its handover SLA.
func (o Opportunity) MarkHandoverOverdue(now time.Time) Opportunity {
	o.HandoverOverdue = true
	o.UpdatedAt = now
	return o
}

// CanSubmitSummary checks that the actor may submit the project summary now: the AR (owner), a sales manager or
// an admin, once the deal is closed, once.
func CanSubmitSummary(a Actor, o Opportunity) error {
	if !o.owns(a) && !o.managedBy(a) {
		return PermissionDenied("the project summary of deal %s is for its AR or a sales_manager of %s", o.ID, o.Unit)
	}
	if o.Open() {
		return o.precondition("the project summary comes after the close")
	}
	if o.Summary != nil {
		return o.precondition("the deal has its project summary already")
	}
	return nil
}

// SubmitSummary returns the deal with its project summary.
func (o Opportunity) SubmitSummary(s ProjectSummary, now time.Time) Opportunity {
	s.SubmittedAt = now
	o.Summary = &s
	o.UpdatedAt = now
	return o
}

// MarkSummaryOverdue returns the deal flagged as past its summary SLA.
func (o Opportunity) MarkSummaryOverdue(now time.Time) Opportunity {
	o.SummaryOverdue = true
	o.UpdatedAt = now
	return o
}

// SubmitBid records the bid submitted to the customer, within the envelope the last ATB approved.
type SubmitBid struct {
	Bid Bid `json:"bid"`
}

// Apply records the bid.
func (cmd SubmitBid) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanSubmitBid(c.Actor, o, cmd.Bid, c.Policy)
	}
	if err != nil {
		return Change{}, err
	}
	b := cmd.Bid
	b.SubmittedBy = c.Actor.Person()
	next := o.SubmitBid(b, c.Now)
	return c.change(d, next, nil, EventBidSubmitted, next.Bid), nil
}

// RecordTenderResult records the customer's award: won moves to NEGOTIATION, lost closes the deal.
type RecordTenderResult struct {
	Result TenderResult `json:"result"`
}

// Apply records the result.
func (cmd RecordTenderResult) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanRecordTenderResult(c.Actor, o, cmd.Result)
	}
	if err != nil {
		return Change{}, err
	}
	next := o.RecordTenderResult(cmd.Result, c.Actor.Person(), c.Now, c.Policy)
	return c.change(d, next, nil, EventTenderResult, next.Tender), nil
}

// SignContract records the contract signed as the last ATC approved it; the handover is owed within its SLA. Under
// RulesExecution its payment terms become the contract's milestones, those due at signature due now.
type SignContract struct {
	Contract Contract `json:"contract"`
}

// Apply records the contract.
func (cmd SignContract) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanSignContract(c.Actor, o, cmd.Contract)
	}
	if err != nil {
		return Change{}, err
	}
	k := cmd.Contract
	k.SignedBy = c.Actor.Person()
	k.PaymentTerms = slices.Clone(k.PaymentTerms)
	next := o.SignContract(k, c.Now, c.Policy)
	if !o.executes() {
		if len(k.PaymentTerms) > 0 {
			return Change{}, o.precondition("payment terms are taken for deals started under rules version %d or later; this one runs under %d", RulesExecution, o.Rules)
		}
		return c.change(d, next, nil, EventContractSigned, next.Contract), nil
	}
	ms, err := Milestones(k.PaymentTerms, k.Amount)
	if err != nil {
		return Change{}, err
	}
	next = next.startExecution(ms, c.Now)
	ch := c.change(d, next, nil, EventContractSigned, next.Contract)
	ch.Events = append(ch.Events, c.milestonesDue(o, next, c.Actor.Person())...)
	return ch, nil
}

// ScheduleHandover schedules the contract handover meeting (合同交底会); its attendees are told.
type ScheduleHandover struct {
	Handover Handover `json:"handover"`
}

// Apply schedules the meeting.
func (cmd ScheduleHandover) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanScheduleHandover(c.Actor, o, cmd.Handover)
	}
	if err != nil {
		return Change{}, err
	}
	var recipients []string
	for _, m := range cmd.Handover.Attendees {
		recipients = append(recipients, UserRecipient(m.Person.ID))
	}
	return c.change(d, o.ScheduleHandover(cmd.Handover, c.Now), nil, EventHandoverScheduled, cmd.Handover, recipients...), nil
}

// CompleteHandover is the appointed DELIVERY_PM's acknowledgement of the handover: the deal is WON.
type CompleteHandover struct {
	Record HandoverRecord `json:"record"`
}

// Apply completes the handover.
func (cmd CompleteHandover) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanCompleteHandover(c.Actor, o)
	}
	if err != nil {
		return Change{}, err
	}
	next := o.CompleteHandover(cmd.Record, c.Actor.Person(), c.Now, c.Policy)
	return c.change(d, next, nil, EventHandoverCompleted, next.Handover), nil
}

// MarkHandoverOverdue is the engine's change when the handover SLA passed: the AR and the sales managers are told.
type MarkHandoverOverdue struct{}

// Apply flags the handover.
func (MarkHandoverOverdue) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	if o.Stage != StageHandover || o.HandoverOverdue {
		return Change{}, o.precondition("only a handover not flagged yet becomes overdue")
	}
	next := o.MarkHandoverOverdue(c.Now)
	return c.changeBy(SystemPerson, d, next, nil, EventHandoverOverdue, DueDetails{DueAt: next.HandoverDueAt},
		UserRecipient(next.Owner.ID), RoleRecipient(RoleSalesManager)), nil
}

// SubmitProjectSummary is the AR's summary of a closed deal; it ends the deal's process.
type SubmitProjectSummary struct {
	Summary ProjectSummary `json:"summary"`
}

// Apply records the summary.
func (cmd SubmitProjectSummary) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanSubmitSummary(c.Actor, o)
	}
	if err != nil {
		return Change{}, err
	}
	s := cmd.Summary
	s.SubmittedBy = c.Actor.Person()
	next := o.SubmitSummary(s, c.Now)
	return c.change(d, next, nil, EventSummarySubmitted, next.Summary), nil
}

// MarkSummaryOverdue is the engine's change when the summary SLA passed: the AR and the sales managers are told.
type MarkSummaryOverdue struct{}

// Apply flags the summary.
func (MarkSummaryOverdue) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	if o.Summary != nil || o.SummaryOverdue {
		return Change{}, o.precondition("only a summary still owed and not flagged becomes overdue")
	}
	next := o.MarkSummaryOverdue(c.Now)
	return c.changeBy(SystemPerson, d, next, nil, EventSummaryOverdue, DueDetails{DueAt: next.SummaryDueAt},
		UserRecipient(next.Owner.ID), RoleRecipient(RoleSalesManager)), nil
}
