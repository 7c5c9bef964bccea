package ltc

import (
	"slices"
	"strings"
	"time"
)

// The gates of a contract in execution, on the gates' one mechanism (reviews, a decider of the deal's level
// authority within scope, SLA and escalation, withdrawal): CHANGE_ORDER changes the contract's amount and
// milestones, WRITE_OFF writes off what cannot be collected and closes the contract WRITTEN_OFF. Either is asked
// by the deal's AR or a FINANCE reviewer of its unit while the contract is in EXECUTION; the deal stays in
// EXECUTION while it is pending.
const (
	GateChangeOrder Gate = "CHANGE_ORDER"
	GateWriteOff    Gate = "WRITE_OFF"
)

// contractGate reports whether the gate is one of a contract in execution.
func contractGate(g Gate) bool { return g == GateChangeOrder || g == GateWriteOff }

// contractGateReviews are the professional reviews each contract gate asks for.
var contractGateReviews = map[Gate][]ReviewFunction{
	GateChangeOrder: {FunctionFinance, FunctionLegal},
	GateWriteOff:    {FunctionFinance},
}

// ChangeOrderPackage is what CHANGE_ORDER decides on: the contract's new amount and its payment terms in full.
type ChangeOrderPackage struct {
	Amount       Money         `json:"amount"`
	PaymentTerms []PaymentTerm `json:"payment_terms"`
	Rationale    string        `json:"rationale"`
	// AmountBefore and Milestones are set by the engine: the amount it changes, and the milestones the terms make.
	AmountBefore Money       `json:"amount_before"`
	Milestones   []Milestone `json:"milestones,omitempty"`
}

// WriteOffPackage is what WRITE_OFF decides on: writing off what the contract has not collected.
type WriteOffPackage struct {
	Rationale string `json:"rationale"`
	// Amount is set by the engine: the contract amount less what was collected when it was requested.
	Amount Money `json:"amount"`
}

// ChangeOrder is an approved CHANGE_ORDER as the contract keeps it.
type ChangeOrder struct {
	DecisionID   string    `json:"decision_id"`
	AmountBefore Money     `json:"amount_before"`
	Amount       Money     `json:"amount"`
	ApprovedAt   time.Time `json:"approved_at"`
}

// ContractChangeDetails: contract.changed.
type ContractChangeDetails struct {
	DecisionID   string      `json:"decision_id"`
	AmountBefore Money       `json:"amount_before"`
	Amount       Money       `json:"amount"`
	Milestones   []Milestone `json:"milestones"`
}

// CanRequestContractGate checks that the actor may ask for the contract gate now: the deal's AR or a FINANCE
// reviewer of its unit, the contract in EXECUTION with no decision pending, the package the gate's and, for a
// change order, terms the contract can take.
func CanRequestContractGate(a Actor, o Opportunity, gate Gate, pkg Package) error {
	switch {
	case gate == GateChangeOrder && (pkg.ChangeOrder == nil || strings.TrimSpace(pkg.ChangeOrder.Rationale) == ""):
		return Invalid("a CHANGE_ORDER request needs the change order package with its rationale")
	case gate == GateWriteOff && (pkg.WriteOff == nil || strings.TrimSpace(pkg.WriteOff.Rationale) == ""):
		return Invalid("a WRITE_OFF request needs the write-off package with its rationale")
	}
	if !o.owns(a) && o.finance(a, "") != nil {
		return PermissionDenied("requesting %s on deal %s is for its AR (%s) or a FINANCE reviewer of %s", gate, o.ID, o.Owner.ID, o.Unit)
	}
	x, err := o.execution("requesting "+string(gate), ContractExecution)
	if err != nil {
		return err
	}
	if d, ok := o.Pending(); ok {
		return o.precondition("the deal is held with a pending %s decision (%s); decide or withdraw it first", d.Gate, d.ID)
	}
	if gate == GateWriteOff && x.Collected() >= x.Amount.AmountMinor {
		return o.precondition("the contract has collected all of %s; nothing is left to write off (CloseContract)", x.Amount)
	}
	if gate == GateChangeOrder {
		_, err = x.changed(*pkg.ChangeOrder, o)
	}
	return err
}

// changed is the contract's milestones under the change order, or why the contract cannot take it: the new terms
// must add up to the new amount, and each milestone invoiced already keeps its place and at least what is
// invoiced of it. A milestone that keeps its place and trigger keeps its due time; one due at signature or at an
// acceptance recorded already is due when the change is approved.
func (x Execution) changed(co ChangeOrderPackage, o Opportunity) ([]Milestone, error) {
	if co.Amount.Currency != x.Amount.Currency {
		return nil, Invalid("change_order.amount: must be in the contract's currency %s", x.Amount.Currency)
	}
	ms, err := Milestones(co.PaymentTerms, co.Amount)
	if err != nil || len(co.PaymentTerms) == 0 {
		if err == nil {
			err = Invalid("change_order.payment_terms: a change order gives the contract's payment terms in full")
		}
		return nil, err
	}
	for _, old := range x.Milestones {
		invoiced, _ := x.MilestoneSums(old.ID)
		if invoiced == 0 {
			continue
		}
		i := slices.IndexFunc(ms, func(m Milestone) bool { return m.ID == old.ID })
		if i < 0 || ms[i].Amount.AmountMinor < invoiced {
			return nil, o.precondition("milestone %s (%s) is invoiced %s; the change order keeps it, at that much at least", old.ID, old.Term.Name,
				Money{Currency: x.Amount.Currency, AmountMinor: invoiced})
		}
	}
	for i, m := range ms {
		if j := slices.IndexFunc(x.Milestones, func(old Milestone) bool { return old.ID == m.ID && old.Term.Trigger == m.Term.Trigger }); j >= 0 {
			ms[i].DueAt = x.Milestones[j].DueAt
		}
	}
	return ms, nil
}

// requestContractGate is RequestDecision's Apply for a contract gate: the decision at the authority and SLA of
// the deal's level, with the gate's reviews; the deal stays in EXECUTION.
func (cmd RequestDecision) requestContractGate(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanRequestContractGate(c.Actor, o, cmd.Gate, cmd.Package)
	}
	if err != nil {
		return Change{}, err
	}
	x := *o.Execution
	var pkg Package
	switch cmd.Gate {
	case GateChangeOrder:
		co := *cmd.Package.ChangeOrder
		co.PaymentTerms = slices.Clone(co.PaymentTerms)
		co.AmountBefore = x.Amount
		co.Milestones, _ = x.changed(co, o)
		pkg.ChangeOrder = &co
	case GateWriteOff:
		wo := *cmd.Package.WriteOff
		wo.Amount = Money{Currency: x.Amount.Currency, AmountMinor: x.Amount.AmountMinor - x.Collected()}
		pkg.WriteOff = &wo
	}
	level := o.Level
	if level == "" {
		level = c.Policy.LevelFor(o.EstimatedValue, o.Customer.Grade)
	}
	lp := c.Policy.Levels[level]
	decision := Decision{
		ID: DecisionID(c.RequestID), OpportunityID: o.ID, DealTitle: o.Title, Gate: cmd.Gate, Status: DecisionPending, Package: pkg,
		Level: level, ProposedLevel: level, RequiredAuthority: lp.Authority, Authority: lp.Authority,
		RequiredReviews: slices.Clone(contractGateReviews[cmd.Gate]),
		SLA:             lp.DecisionSLA, DueAt: c.Now.Add(time.Duration(lp.DecisionSLA)),
		RequestedBy: c.Actor.Person(), RequestedAt: c.Now, StageBefore: o.Stage,
	}
	next := o.withDecision(decision)
	next.UpdatedAt = c.Now
	recipients := decision.Deciders()
	for _, f := range decision.RequiredReviews {
		recipients = append(recipients, FunctionRecipient(f))
	}
	return c.change(d, next, &decision, EventDecisionRequested, decision, recipients...), nil
}

// canApproveContractGate checks that an approval of the contract gate still applies: the contract still in
// EXECUTION and, for a change order, its invoices still inside the new milestones.
func (o Opportunity) canApproveContractGate(d Decision) error {
	x, err := o.execution("approving "+string(d.Gate), ContractExecution)
	if err == nil && d.Gate == GateChangeOrder {
		_, err = x.changed(*d.Package.ChangeOrder, o)
	}
	return err
}

// decideContractGate is Decide for a contract gate: an approved change order gives the contract its new amount
// and milestones; an approved write-off closes the contract WRITTEN_OFF and the deal with it. A rejection or a
// return leaves the contract as it was.
func (o Opportunity) decideContractGate(d Decision, r Ruling, by Actor, now time.Time) (Opportunity, Decision) {
	d = d.ruled(r, by, now)
	if d.approved() {
		x := *o.Execution
		switch d.Gate {
		case GateChangeOrder:
			co := *d.Package.ChangeOrder
			ms, _ := x.changed(co, o)
			for i, m := range ms {
				_, accepted := x.Accepted(m.Term.Trigger)
				if m.DueAt == nil && (m.Term.Trigger == TriggerSignature || accepted) {
					ms[i].DueAt = &now
				}
			}
			x.ChangeOrders = append(slices.Clone(x.ChangeOrders), ChangeOrder{DecisionID: d.ID, AmountBefore: x.Amount, Amount: co.Amount, ApprovedAt: now})
			x.Amount, x.Milestones = co.Amount, ms
		case GateWriteOff:
			p := by.Person()
			x.Status, x.ClosedBy, x.ClosedAt = ContractWrittenOff, &p, &now
			x.WrittenOff = &Money{Currency: x.Amount.Currency, AmountMinor: x.Amount.AmountMinor - x.Collected()}
			o.Stage = StageClosed
		}
		o.Execution = &x
	}
	o = o.withDecision(d)
	o.UpdatedAt = now
	return o, d
}

// executed adds to the change of a decision of a contract gate the events of what its approval did:
// contract.changed and the milestones it made due, or contract.closed.
func (c Context) executed(o Opportunity, ch Change) Change {
	next := *ch.Deal.Opportunity
	d := ch.Decision
	if d == nil || !contractGate(d.Gate) || !d.approved() {
		return ch
	}
	x := *next.Execution
	recipients := []string{UserRecipient(next.Owner.ID), FunctionRecipient(FunctionFinance)}
	switch d.Gate {
	case GateChangeOrder:
		co := x.ChangeOrders[len(x.ChangeOrders)-1]
		ch.Events = append(ch.Events, c.dealEvent(o, next, EventContractChanged, c.Actor.Person(), ContractChangeDetails{
			DecisionID: d.ID, AmountBefore: co.AmountBefore, Amount: co.Amount, Milestones: x.Milestones}, recipients...))
		ch.Events = append(ch.Events, c.milestonesDue(o, next, c.Actor.Person())...)
	case GateWriteOff:
		ch.Events = append(ch.Events, c.dealEvent(o, next, EventContractClosed, c.Actor.Person(), ContractClosedDetails{
			Status: ContractWrittenOff, Reason: d.Package.WriteOff.Rationale,
			Invoiced:  Money{Currency: x.Amount.Currency, AmountMinor: x.Invoiced()},
			Collected: Money{Currency: x.Amount.Currency, AmountMinor: x.Collected()}}, recipients...))
	}
	return ch
}

// ruled is the decision closed by the ruling: its status from the verdict, who ruled with what authority, when,
// why, and the conditions.
func (d Decision) ruled(r Ruling, by Actor, now time.Time) Decision {
	status := map[Verdict]DecisionStatus{
		VerdictApprove: DecisionApproved, VerdictApproveWithConditions: DecisionApprovedWithConditions,
		VerdictReject: DecisionRejected, VerdictReturn: DecisionReturned,
	}[r.Verdict]
	d = d.close(status, by.Person(), by.Authority, r.Rationale, now)
	d.Conditions = slices.Clone(r.Conditions)
	return d
}

// approved reports whether the decision was approved (with conditions or without).
func (d Decision) approved() bool {
	return d.Status == DecisionApproved || d.Status == DecisionApprovedWithConditions
}
