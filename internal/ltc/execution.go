package ltc

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Contract execution to cash (MCE, 管理合同执行). Under RulesExecution a deal's contract lives on in the deal's
// process after the handover: the deal is WON at the handover as before (its project summary is owed from then),
// and it stands in stage EXECUTION, closed for sales, while its milestones are accepted, invoiced and paid. The
// contract closes COMPLETED (every milestone due and paid) or WRITTEN_OFF, and the deal with it: stage CLOSED,
// outcome still WON. The process ends once the contract is closed and the summary is in.

// RulesExecution is the rules version from which the signed contract carries payment terms that become
// milestones, and the deal's process runs on after the handover until the contract closes. Deals started before
// end at WON and their summary, as they were recorded.
const RulesExecution = 4

// StageExecution is the stage of a WON deal whose contract is being executed: closed for sales (no gates, no
// weekly reports, no close by hand), open for acceptance, invoices and payments.
const StageExecution Stage = "EXECUTION"

// Trigger is what makes a milestone due.
type Trigger string

// Triggers.
const (
	TriggerSignature Trigger = "SIGNATURE" // due at signature (an advance)
	TriggerDate      Trigger = "DATE"      // due on its planned date
	TriggerPAC       Trigger = "PAC"       // due at provisional acceptance
	TriggerFAC       Trigger = "FAC"       // due at final acceptance
)

// Triggers lists every trigger.
var Triggers = []Trigger{TriggerSignature, TriggerDate, TriggerPAC, TriggerFAC}

// ContractStatus is where the contract's execution stands.
type ContractStatus string

// Contract statuses.
const (
	ContractSigned     ContractStatus = "SIGNED"      // signed, the handover not complete yet
	ContractExecution  ContractStatus = "EXECUTION"   // handed over to delivery: accepted, invoiced and paid
	ContractCompleted  ContractStatus = "COMPLETED"   // every milestone due and paid
	ContractWrittenOff ContractStatus = "WRITTEN_OFF" // what was left unpaid was written off
)

// Limits of a contract's execution (api.md, Limits).
const (
	MaxMilestones = 20
	MaxInvoices   = 100
	MaxPayments   = 200 // payments of a contract, over all its invoices
	// PercentDecimals is how many digits a milestone's percentage may have after the point.
	PercentDecimals = 4
)

// PaymentTerm is one payment term of the contract as signed: a share of the contract amount, given as an exact
// percentage ("30", "33.3333") or an amount, and what makes it due.
type PaymentTerm struct {
	Name    string  `json:"name"`
	Percent string  `json:"percent,omitempty"`
	Amount  *Money  `json:"amount,omitempty"`
	Trigger Trigger `json:"trigger"`
	// PlannedDate is when the milestone is expected (due on it for a DATE trigger; the cash forecast's month for
	// the others).
	PlannedDate *Date `json:"planned_date,omitempty"`
}

// Milestone is a payment term with its amount in minor units and its state.
type Milestone struct {
	ID     string      `json:"id"`
	Term   PaymentTerm `json:"term"`
	Amount Money       `json:"amount"`
	DueAt  *time.Time  `json:"due_at,omitempty"`
}

// Due reports whether the milestone's trigger happened.
func (m Milestone) Due() bool { return m.DueAt != nil }

// Acceptance is the customer's acceptance (PAC or FAC) as the DELIVERY_PM records it, with its certificate.
type Acceptance struct {
	Kind        Trigger   `json:"kind"`
	Certificate string    `json:"certificate"`
	Date        Date      `json:"date"`
	RecordedBy  Person    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

// Invoice is an invoice FINANCE issued for a due milestone, with the payments against it.
type Invoice struct {
	Number      string    `json:"number"`
	MilestoneID string    `json:"milestone_id"`
	Amount      Money     `json:"amount"`
	DueDate     Date      `json:"due_date"`
	IssuedBy    Person    `json:"issued_by"`
	IssuedAt    time.Time `json:"issued_at"`
	Payments    []Payment `json:"payments,omitempty"`
	// Overdue is set when the due date passed with the invoice unpaid; Escalations counts the reminders that went
	// up since (1: the sales managers, 2: the executives in scope).
	Overdue     bool `json:"overdue,omitempty"`
	Escalations int  `json:"escalations,omitempty"`
}

// Paid is the sum of the invoice's payments, in minor units.
func (inv Invoice) Paid() int64 {
	var sum int64
	for _, p := range inv.Payments {
		sum += p.Amount.AmountMinor
	}
	return sum
}

// Outstanding is what is still to be paid of the invoice, in minor units.
func (inv Invoice) Outstanding() int64 { return inv.Amount.AmountMinor - inv.Paid() }

// OverdueAt is when the invoice becomes overdue if unpaid: the end of its due date (UTC).
func (inv Invoice) OverdueAt() time.Time { return inv.DueDate.Time().AddDate(0, 0, 1) }

// Payment is a payment received against an invoice, identified by its reference (the bank's or the ERP's).
type Payment struct {
	Reference  string    `json:"reference"`
	Amount     Money     `json:"amount"`
	Date       Date      `json:"date"`
	RecordedBy Person    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Execution is the signed contract's execution: its milestones, acceptances, invoices and payments.
type Execution struct {
	Status ContractStatus `json:"status"`
	// Amount is what the customer owes in all: the contract amount (plus approved change orders).
	Amount      Money        `json:"amount"`
	Milestones  []Milestone  `json:"milestones"`
	Acceptances []Acceptance `json:"acceptances,omitempty"`
	Invoices    []Invoice    `json:"invoices,omitempty"`
	ClosedBy    *Person      `json:"closed_by,omitempty"`
	ClosedAt    *time.Time   `json:"closed_at,omitempty"`
	// ChangeOrders are the approved CHANGE_ORDER decisions, oldest first; WrittenOff what an approved WRITE_OFF
	// wrote off.
	ChangeOrders []ChangeOrder `json:"change_orders,omitempty"`
	WrittenOff   *Money        `json:"written_off,omitempty"`
}

// Invoiced is the sum invoiced, in minor units.
func (x Execution) Invoiced() int64 {
	var sum int64
	for _, inv := range x.Invoices {
		sum += inv.Amount.AmountMinor
	}
	return sum
}

// Collected is the sum paid, in minor units.
func (x Execution) Collected() int64 {
	var sum int64
	for _, inv := range x.Invoices {
		sum += inv.Paid()
	}
	return sum
}

// Unpaid is what is still to be paid of the invoice, in minor units: what it has outstanding, nothing once the
// contract is written off.
func (x Execution) Unpaid(inv Invoice) int64 {
	if x.Status == ContractWrittenOff {
		return 0
	}
	return inv.Outstanding()
}

// Receivable is what is invoiced and still to be paid, in minor units (Unpaid of every invoice).
func (x Execution) Receivable() int64 {
	var sum int64
	for _, inv := range x.Invoices {
		sum += x.Unpaid(inv)
	}
	return sum
}

// MilestoneSums are the sums invoiced and paid for the milestone, in minor units.
func (x Execution) MilestoneSums(id string) (sum, paid int64) {
	for _, inv := range x.Invoices {
		if inv.MilestoneID == id {
			sum += inv.Amount.AmountMinor
			paid += inv.Paid()
		}
	}
	return sum, paid
}

// Invoice returns the invoice of the number.
func (x Execution) Invoice(number string) (Invoice, int, bool) {
	i := slices.IndexFunc(x.Invoices, func(inv Invoice) bool { return inv.Number == number })
	if i < 0 {
		return Invoice{}, -1, false
	}
	return x.Invoices[i], i, true
}

// Payment returns the payment of the reference, on whichever invoice.
func (x Execution) Payment(reference string) (Payment, string, bool) {
	for _, inv := range x.Invoices {
		for _, p := range inv.Payments {
			if p.Reference == reference {
				return p, inv.Number, true
			}
		}
	}
	return Payment{}, "", false
}

// Accepted returns the acceptance of the kind, if recorded.
func (x Execution) Accepted(kind Trigger) (Acceptance, bool) {
	i := slices.IndexFunc(x.Acceptances, func(a Acceptance) bool { return a.Kind == kind })
	if i < 0 {
		return Acceptance{}, false
	}
	return x.Acceptances[i], true
}

// Settled reports whether every milestone is due and paid in full: the contract may close COMPLETED.
func (x Execution) Settled() error {
	for _, m := range x.Milestones {
		if !m.Due() {
			return fmt.Errorf("milestone %s (%s) is not due yet (%s)", m.ID, m.Term.Name, m.Term.Trigger)
		}
		if _, paid := x.MilestoneSums(m.ID); paid < m.Amount.AmountMinor {
			return fmt.Errorf("milestone %s (%s) is paid %s of %s", m.ID, m.Term.Name,
				Money{Currency: m.Amount.Currency, AmountMinor: paid}, m.Amount)
		}
	}
	return nil
}

// OverdueReceivable reports whether an invoice of the contract is past its due date and not paid in full.
func (x Execution) OverdueReceivable() bool {
	return slices.ContainsFunc(x.Invoices, func(inv Invoice) bool { return inv.Overdue && inv.Outstanding() > 0 })
}

// Time is the date's start (UTC).
func (d Date) Time() time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// DateOf is the calendar date of t (UTC).
func DateOf(t time.Time) Date {
	t = t.UTC()
	return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

// Milestones computes the milestones of the payment terms for a contract of the amount: exactly, in minor units.
// A percentage term is its share of the amount rounded down; the remainder of the rounding goes to the last
// milestone, so the milestones add up to the amount. The terms must add up to the amount exactly (their
// percentages to 100 when all are percentages). No terms is one milestone of the whole amount due at signature.
func Milestones(terms []PaymentTerm, amount Money) ([]Milestone, error) {
	if len(terms) == 0 {
		terms = []PaymentTerm{{Name: "Contract amount", Percent: "100", Trigger: TriggerSignature}}
	}
	if len(terms) > MaxMilestones {
		return nil, Invalid("payment_terms: a contract has at most %d milestones, not %d", MaxMilestones, len(terms))
	}
	total := big.NewInt(amount.AmountMinor)
	// exact is the sum of the terms' exact shares, in minor units × 100 × 10^PercentDecimals.
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(PercentDecimals+2), nil)
	exact, sum := new(big.Int), int64(0)
	ms := make([]Milestone, len(terms))
	for i, t := range terms {
		field := fmt.Sprintf("payment_terms[%d]", i)
		if err := checkTerm(field, t, amount.Currency); err != nil {
			return nil, err
		}
		var share int64
		if t.Amount != nil {
			share = t.Amount.AmountMinor
			exact.Add(exact, new(big.Int).Mul(big.NewInt(share), scale))
		} else {
			units, err := percentUnits(field, t.Percent)
			if err != nil {
				return nil, err
			}
			product := new(big.Int).Mul(total, big.NewInt(units))
			exact.Add(exact, product)
			share = new(big.Int).Quo(product, scale).Int64()
		}
		sum += share
		ms[i] = Milestone{ID: fmt.Sprintf("M%d", i+1), Term: t, Amount: Money{Currency: amount.Currency, AmountMinor: share}}
		if sum > amount.AmountMinor {
			break
		}
	}
	if want := new(big.Int).Mul(total, scale); exact.Cmp(want) != 0 {
		return nil, Invalid("payment_terms: the terms add up to %s of the contract amount %s, not all of it",
			percentText(exact, total, scale), amount)
	}
	ms[len(ms)-1].Amount.AmountMinor += amount.AmountMinor - sum
	return ms, nil
}

// checkTerm checks one payment term's fields.
func checkTerm(field string, t PaymentTerm, currency string) error {
	switch {
	case strings.TrimSpace(t.Name) == "" || len(t.Name) > 200 || TextProblem(t.Name) != "":
		return Invalid("%s.name: names the milestone in 1-200 characters of text", field)
	case !slices.Contains(Triggers, t.Trigger):
		return Invalid("%s.trigger: %q is not one of SIGNATURE, DATE, PAC, FAC", field, t.Trigger)
	case (t.Percent == "") == (t.Amount == nil):
		return Invalid("%s: gives a percent or an amount, one of them", field)
	case t.Amount != nil && (t.Amount.Currency != currency || t.Amount.AmountMinor <= 0):
		return Invalid("%s.amount: must be a positive amount in the contract's currency %s", field, currency)
	case t.Trigger == TriggerDate && t.PlannedDate == nil:
		return Invalid("%s.planned_date: a DATE milestone is due on its planned date", field)
	case t.PlannedDate != nil && !t.PlannedDate.Valid():
		return Invalid("%s.planned_date: is not a valid date in the years %d-%d", field, MinYear, MaxYear)
	}
	return nil
}

// percentUnits is the percentage p in units of 10^-PercentDecimals percent: "30" is 300000, "33.3333" 333333.
func percentUnits(field, p string) (int64, error) {
	whole, frac, _ := strings.Cut(p, ".")
	digits := func(s string) bool { return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0 }
	if whole == "" || len(whole) > 3 || len(frac) > PercentDecimals || !digits(whole) || !digits(frac) || strings.HasSuffix(p, ".") {
		return 0, Invalid("%s.percent: %q must be a decimal above 0 and at most 100, with at most %d digits after the point", field, p, PercentDecimals)
	}
	var n int64
	for _, r := range whole + frac + strings.Repeat("0", PercentDecimals-len(frac)) {
		n = n*10 + int64(r-'0')
	}
	if n <= 0 || n > 100*pow10(PercentDecimals) {
		return 0, Invalid("%s.percent: %q must be above 0 and at most 100", field, p)
	}
	return n, nil
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// percentText is exact / (total × scale) as a percentage, for a refusal.
func percentText(exact, total, scale *big.Int) string {
	if total.Sign() == 0 {
		return "an amount"
	}
	r := new(big.Rat).SetFrac(exact, new(big.Int).Mul(total, scale))
	return r.Mul(r, big.NewRat(100, 1)).FloatString(PercentDecimals) + "%"
}

// startExecution returns the deal with its contract's execution after signing: the milestones of the payment
// terms, those due at signature due now.
func (o Opportunity) startExecution(ms []Milestone, now time.Time) Opportunity {
	for i := range ms {
		if ms[i].Term.Trigger == TriggerSignature {
			ms[i].DueAt = &now
		}
	}
	o.Execution = &Execution{Status: ContractSigned, Amount: o.Contract.Amount, Milestones: ms}
	return o
}

// executes reports whether the deal runs under RulesExecution.
func (o Opportunity) executes() bool { return o.Rules >= RulesExecution }

// execution returns the deal's contract execution in one of the statuses, or a refusal naming where it stands.
func (o Opportunity) execution(what string, statuses ...ContractStatus) (Execution, error) {
	if o.Execution == nil {
		return Execution{}, o.precondition("%s needs a contract in execution: the deal has none (signed under rules version %d or not signed yet)", what, o.Rules)
	}
	x := *o.Execution
	if !slices.Contains(statuses, x.Status) {
		names := make([]string, len(statuses))
		for i, s := range statuses {
			names[i] = string(s)
		}
		return x, o.precondition("%s needs the contract %s, not %s", what, strings.Join(names, " or "), x.Status)
	}
	return x, nil
}

// withExecution returns the deal with x as its execution, changed now.
func (o Opportunity) withExecution(x Execution, now time.Time) Opportunity {
	o.Execution = &x
	o.UpdatedAt = now
	return o
}

// MilestoneDueDetails: contract.milestone_due.
type MilestoneDueDetails struct {
	Milestone Milestone `json:"milestone"`
}

// AcceptanceDetails: contract.accepted.
type AcceptanceDetails struct {
	Acceptance Acceptance `json:"acceptance"`
}

// InvoiceDetails: invoice.issued, invoice.overdue and invoice.escalated.
type InvoiceDetails struct {
	Invoice Invoice `json:"invoice"`
}

// PaymentDetails: payment.recorded.
type PaymentDetails struct {
	InvoiceNumber string  `json:"invoice_number"`
	Payment       Payment `json:"payment"`
	// Outstanding is what is left to pay of the invoice after the payment.
	Outstanding Money `json:"outstanding"`
}

// ContractClosedDetails: contract.closed.
type ContractClosedDetails struct {
	Status    ContractStatus `json:"status"`
	Invoiced  Money          `json:"invoiced"`
	Collected Money          `json:"collected"`
	Reason    string         `json:"reason,omitempty"`
}

// milestonesDue are the contract.milestone_due events of the milestones that became due from o to next.
func (c Context) milestonesDue(o, next Opportunity, actor Person) []Event {
	if next.Execution == nil {
		return nil
	}
	var events []Event
	for _, m := range next.Execution.Milestones {
		was := o.Execution != nil && slices.ContainsFunc(o.Execution.Milestones, func(x Milestone) bool { return x.ID == m.ID && x.Due() })
		if m.Due() && !was {
			events = append(events, c.dealEvent(o, next, EventMilestoneDue, actor, MilestoneDueDetails{Milestone: m},
				UserRecipient(next.Owner.ID), FunctionRecipient(FunctionFinance)))
		}
	}
	return events
}

// finance checks that the actor is a FINANCE reviewer whose unit holds the deal's.
func (o Opportunity) finance(a Actor, what string) error {
	unit, functions, ok := ReviewReach(a)
	if !ok || !slices.Contains(functions, FunctionFinance) || !unit.Contains(o.Unit) {
		return PermissionDenied("%s on deal %s is for a FINANCE reviewer of %s", what, o.ID, o.Unit)
	}
	return nil
}

// ScopeWrite is the token scope that lets a system (the ERP) record payments of the deals of its unit.
const ScopeWrite = "write"

// --- Acceptance ---

// RecordAcceptance is the DELIVERY_PM's record of the customer's acceptance (PAC, then FAC) with its certificate;
// the milestones it triggers become due.
type RecordAcceptance struct {
	Kind        Trigger `json:"kind"`
	Certificate string  `json:"certificate"`
	Date        Date    `json:"date"`
}

// Apply records the acceptance.
func (cmd RecordAcceptance) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	if cmd.Kind != TriggerPAC && cmd.Kind != TriggerFAC {
		return Change{}, Invalid("kind: an acceptance is PAC or FAC, not %q", cmd.Kind)
	}
	if !cmd.Date.Valid() || cmd.Date.Time().After(c.Now) {
		return Change{}, Invalid("date: the acceptance's date must be a valid date, not after today")
	}
	if !o.Team.Holds(c.Actor.ID, TeamDeliveryPM) || o.Team.Core(c.Actor.ID) {
		return Change{}, PermissionDenied("recording acceptance on deal %s is for its DELIVERY_PM (appointed to the team, holding no core role)", o.ID)
	}
	x, err := o.execution("recording acceptance", ContractExecution)
	if err != nil {
		return Change{}, err
	}
	if a, ok := x.Accepted(cmd.Kind); ok {
		return Change{}, o.precondition("the contract's %s is recorded already (certificate %s)", cmd.Kind, a.Certificate)
	}
	if _, pac := x.Accepted(TriggerPAC); cmd.Kind == TriggerFAC && !pac {
		return Change{}, o.precondition("FAC comes after PAC; record the provisional acceptance first")
	}
	a := Acceptance{Kind: cmd.Kind, Certificate: cmd.Certificate, Date: cmd.Date, RecordedBy: c.Actor.Person(), RecordedAt: c.Now}
	x.Acceptances = append(slices.Clone(x.Acceptances), a)
	x.Milestones = slices.Clone(x.Milestones)
	for i, m := range x.Milestones {
		if m.Term.Trigger == cmd.Kind && !m.Due() {
			x.Milestones[i].DueAt = &c.Now
		}
	}
	next := o.withExecution(x, c.Now)
	ch := c.change(d, next, nil, EventContractAccepted, AcceptanceDetails{Acceptance: a},
		UserRecipient(next.Owner.ID), FunctionRecipient(FunctionFinance))
	ch.Events = append(ch.Events, c.milestonesDue(o, next, c.Actor.Person())...)
	return ch, nil
}

// --- Invoices ---

// IssueInvoice is FINANCE's invoice for a due milestone: never more than the milestone's amount, so the sum
// invoiced never exceeds the contract's.
type IssueInvoice struct {
	Number      string `json:"number"`
	MilestoneID string `json:"milestone_id"`
	Amount      Money  `json:"amount"`
	DueDate     Date   `json:"due_date"`
}

// CanIssueInvoice checks who issues invoices: a FINANCE reviewer of a unit that holds the deal's.
func CanIssueInvoice(a Actor, o Opportunity) error { return o.finance(a, "issuing an invoice") }

// Apply issues the invoice.
func (cmd IssueInvoice) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	if err := CanIssueInvoice(c.Actor, o); err != nil {
		return Change{}, err
	}
	x, err := o.execution("issuing an invoice", ContractExecution)
	if err != nil {
		return Change{}, err
	}
	i := slices.IndexFunc(x.Milestones, func(m Milestone) bool { return m.ID == cmd.MilestoneID })
	if i < 0 {
		return Change{}, NotFound("milestone %s not found on the contract of deal %s", cmd.MilestoneID, o.ID)
	}
	m := x.Milestones[i]
	switch {
	case cmd.Amount.Currency != x.Amount.Currency || cmd.Amount.AmountMinor <= 0:
		return Change{}, Invalid("amount: must be a positive amount in the contract's currency %s", x.Amount.Currency)
	case !cmd.DueDate.Valid() || cmd.DueDate.Time().Before(DateOf(c.Now).Time()):
		return Change{}, Invalid("due_date: must be a valid date, today or later")
	}
	if _, _, ok := x.Invoice(cmd.Number); ok {
		return Change{}, Conflict("invoice %s exists on the contract of deal %s already", cmd.Number, o.ID)
	}
	if !m.Due() {
		return Change{}, o.precondition("milestone %s (%s) is not due yet: it waits for %s", m.ID, m.Term.Name, m.Term.Trigger)
	}
	if len(x.Invoices) >= MaxInvoices {
		return Change{}, o.precondition("a contract holds at most %d invoices", MaxInvoices)
	}
	invoiced, _ := x.MilestoneSums(m.ID)
	if left := m.Amount.AmountMinor - invoiced; cmd.Amount.AmountMinor > left {
		return Change{}, o.precondition("milestone %s (%s) has %s left to invoice of %s; %s would invoice more than the contract",
			m.ID, m.Term.Name, Money{Currency: m.Amount.Currency, AmountMinor: left}, m.Amount, cmd.Amount)
	}
	inv := Invoice{Number: cmd.Number, MilestoneID: m.ID, Amount: cmd.Amount, DueDate: cmd.DueDate, IssuedBy: c.Actor.Person(), IssuedAt: c.Now}
	x.Invoices = append(slices.Clone(x.Invoices), inv)
	next := o.withExecution(x, c.Now)
	return c.change(d, next, nil, EventInvoiceIssued, InvoiceDetails{Invoice: inv}, UserRecipient(next.Owner.ID)), nil
}

// --- Payments ---

// RecordPayment records a payment against an invoice, by FINANCE or by the ERP (a system with the write scope):
// partial payments add up; a payment beyond what is outstanding is refused; a reference is recorded once.
type RecordPayment struct {
	InvoiceNumber string `json:"invoice_number"`
	Reference     string `json:"reference"`
	Amount        Money  `json:"amount"`
	Date          Date   `json:"date"`
}

// CanRecordPayment checks who records payments: a FINANCE reviewer, or a system with the write scope, of a unit
// that holds the deal's.
func CanRecordPayment(a Actor, o Opportunity) error {
	if a.Has(RoleSystem) && slices.Contains(a.Scopes, ScopeWrite) && a.Unit.Contains(o.Unit) {
		return nil
	}
	return o.finance(a, "recording a payment")
}

// Apply records the payment.
func (cmd RecordPayment) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	if err := CanRecordPayment(c.Actor, o); err != nil {
		return Change{}, err
	}
	x, err := o.execution("recording a payment", ContractExecution)
	if err != nil {
		return Change{}, err
	}
	inv, i, ok := x.Invoice(cmd.InvoiceNumber)
	if !ok {
		return Change{}, NotFound("invoice %s not found on the contract of deal %s", cmd.InvoiceNumber, o.ID)
	}
	switch {
	case cmd.Amount.Currency != inv.Amount.Currency || cmd.Amount.AmountMinor <= 0:
		return Change{}, Invalid("amount: must be a positive amount in the invoice's currency %s", inv.Amount.Currency)
	case !cmd.Date.Valid() || cmd.Date.Time().After(c.Now):
		return Change{}, Invalid("date: the payment's date must be a valid date, not after today")
	}
	if p, on, ok := x.Payment(cmd.Reference); ok {
		return Change{}, Conflict("payment %s is recorded already (%s on invoice %s); a reference is recorded once", p.Reference, p.Amount, on)
	}
	if n := len(x.Invoices); n > 0 && x.payments() >= MaxPayments {
		return Change{}, o.precondition("a contract holds at most %d payments", MaxPayments)
	}
	if cmd.Amount.AmountMinor > inv.Outstanding() {
		return Change{}, o.precondition("invoice %s has %s outstanding; a payment of %s would overpay it",
			inv.Number, Money{Currency: inv.Amount.Currency, AmountMinor: inv.Outstanding()}, cmd.Amount)
	}
	p := Payment{Reference: cmd.Reference, Amount: cmd.Amount, Date: cmd.Date, RecordedBy: c.Actor.Person(), RecordedAt: c.Now}
	x.Invoices = slices.Clone(x.Invoices)
	inv.Payments = append(slices.Clone(inv.Payments), p)
	x.Invoices[i] = inv
	next := o.withExecution(x, c.Now)
	return c.change(d, next, nil, EventPaymentRecorded, PaymentDetails{InvoiceNumber: inv.Number, Payment: p,
		Outstanding: Money{Currency: inv.Amount.Currency, AmountMinor: inv.Outstanding()}},
		UserRecipient(next.Owner.ID), FunctionRecipient(FunctionFinance)), nil
}

func (x Execution) payments() int {
	n := 0
	for _, inv := range x.Invoices {
		n += len(inv.Payments)
	}
	return n
}

// --- Close ---

// CloseContract closes the contract COMPLETED once every milestone is due and paid: the AR or FINANCE closes it,
// and the deal with it (stage CLOSED, outcome WON).
type CloseContract struct{}

// Apply closes the contract.
func (CloseContract) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	if !o.owns(c.Actor) && o.finance(c.Actor, "") != nil {
		return Change{}, PermissionDenied("closing the contract of deal %s is for its AR (%s) or a FINANCE reviewer of %s", o.ID, o.Owner.ID, o.Unit)
	}
	x, err := o.execution("closing the contract", ContractExecution)
	if err != nil {
		return Change{}, err
	}
	if err := x.Settled(); err != nil {
		return Change{}, o.precondition("the contract closes when every milestone is due and paid: %v", err)
	}
	return c.closeContract(d, o, x, ContractCompleted, "every milestone accepted and paid"), nil
}

// closeContract is the change that closes the contract with the status, and the deal with it.
func (c Context) closeContract(d Deal, o Opportunity, x Execution, status ContractStatus, reason string) Change {
	by := c.Actor.Person()
	x.Status, x.ClosedBy, x.ClosedAt = status, &by, &c.Now
	next := o.withExecution(x, c.Now)
	next.Stage = StageClosed
	return c.change(d, next, nil, EventContractClosed, ContractClosedDetails{Status: status, Reason: reason,
		Invoiced:  Money{Currency: x.Amount.Currency, AmountMinor: x.Invoiced()},
		Collected: Money{Currency: x.Amount.Currency, AmountMinor: x.Collected()}},
		UserRecipient(next.Owner.ID), FunctionRecipient(FunctionFinance))
}

// --- Deadlines: DATE milestones and receivables ---

// DefaultReceivableEscalateAfter is how long an overdue invoice waits before each escalation when the policy
// does not say: to the sales managers of the deal's unit, then to the executives in scope.
const DefaultReceivableEscalateAfter = 7 * 24 * time.Hour

// MaxReceivableEscalations is how far an overdue invoice escalates: the manager, then the executive.
const MaxReceivableEscalations = 2

func (p Policy) receivableEscalateAfter() time.Duration {
	if p.ReceivableEscalateAfter > 0 {
		return time.Duration(p.ReceivableEscalateAfter)
	}
	return DefaultReceivableEscalateAfter
}

// executionDeadlines are the deal's deadlines of contract execution: each DATE milestone not due yet, on its date;
// each unpaid invoice at its due date's end; then each overdue invoice's next escalation.
func (o Opportunity) executionDeadlines(p Policy) []Deadline {
	x := o.Execution
	if x == nil || (x.Status != ContractSigned && x.Status != ContractExecution) || (o.Stage != StageHandover && o.Stage != StageExecution) {
		return nil
	}
	var ds []Deadline
	for _, m := range x.Milestones {
		if m.Term.Trigger == TriggerDate && !m.Due() {
			ds = append(ds, Deadline{m.Term.PlannedDate.Time(), "milestone-due:" + o.ID + ":" + m.ID, MarkMilestoneDue{MilestoneID: m.ID}})
		}
	}
	for _, inv := range x.Invoices {
		switch {
		case inv.Outstanding() <= 0:
		case !inv.Overdue:
			ds = append(ds, Deadline{inv.OverdueAt(), "invoice-overdue:" + o.ID + ":" + inv.Number, MarkInvoiceOverdue{Number: inv.Number}})
		case inv.Escalations < MaxReceivableEscalations:
			next := inv.Escalations + 1
			ds = append(ds, Deadline{inv.OverdueAt().Add(time.Duration(next) * p.receivableEscalateAfter()),
				fmt.Sprintf("invoice-escalate:%s:%s:%d", o.ID, inv.Number, next), EscalateReceivable{Number: inv.Number, Escalations: inv.Escalations}})
		}
	}
	return ds
}

// MarkMilestoneDue is the engine's change on a DATE milestone's planned date: it becomes due.
type MarkMilestoneDue struct {
	MilestoneID string `json:"milestone_id"`
}

// Apply makes the milestone due.
func (cmd MarkMilestoneDue) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	x, err := o.execution("a milestone's date", ContractSigned, ContractExecution)
	if err != nil {
		return Change{}, err
	}
	i := slices.IndexFunc(x.Milestones, func(m Milestone) bool { return m.ID == cmd.MilestoneID && !m.Due() })
	if i < 0 {
		return Change{}, o.precondition("milestone %s is due already", cmd.MilestoneID)
	}
	x.Milestones = slices.Clone(x.Milestones)
	x.Milestones[i].DueAt = &c.Now
	next := o.withExecution(x, c.Now)
	return Change{Deal: Deal{Lead: d.Lead, Opportunity: &next}, Events: c.milestonesDue(o, next, SystemPerson)}, nil
}

// MarkInvoiceOverdue is the engine's change when an invoice's due date passed unpaid: the FR and the AR are
// reminded.
type MarkInvoiceOverdue struct {
	Number string `json:"number"`
}

// Apply flags the invoice.
func (cmd MarkInvoiceOverdue) Apply(d Deal, c Context) (Change, error) {
	return d.receivable(c, cmd.Number, 0, EventInvoiceOverdue)
}

// EscalateReceivable is the engine's change when an overdue invoice stayed unpaid another escalation period: to
// the sales managers of the deal's unit, then to the executives in scope (层层递加).
type EscalateReceivable struct {
	Number      string `json:"number"`
	Escalations int    `json:"escalations"`
}

// Apply escalates the invoice.
func (cmd EscalateReceivable) Apply(d Deal, c Context) (Change, error) {
	return d.receivable(c, cmd.Number, cmd.Escalations+1, EventInvoiceEscalated)
}

// receivable flags the unpaid invoice overdue (escalation 0) or escalates it to the escalation given, telling
// whom that step tells.
func (d Deal) receivable(c Context, number string, escalation int, typ string) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	x, err := o.execution("an invoice's due date", ContractExecution)
	if err != nil {
		return Change{}, err
	}
	inv, i, ok := x.Invoice(number)
	if !ok || inv.Outstanding() <= 0 || inv.Overdue != (escalation > 0) || inv.Escalations != max(escalation-1, 0) {
		return Change{}, o.precondition("invoice %s is paid or flagged already", number)
	}
	inv.Overdue, inv.Escalations = true, escalation
	x.Invoices = slices.Clone(x.Invoices)
	x.Invoices[i] = inv
	next := o.withExecution(x, c.Now)
	recipients := []string{UserRecipient(next.Owner.ID)}
	for _, m := range next.Team {
		if m.Role == TeamFR {
			recipients = append(recipients, UserRecipient(m.Person.ID))
		}
	}
	switch escalation {
	case 1:
		recipients = []string{RoleRecipient(RoleSalesManager)}
	case 2:
		recipients = []string{AuthorityRecipient(1)}
	}
	return c.changeBy(SystemPerson, d, next, nil, typ, InvoiceDetails{Invoice: inv}, recipients...), nil
}

func (MarkMilestoneDue) deadline()   {}
func (MarkInvoiceOverdue) deadline() {}
func (EscalateReceivable) deadline() {}

// CanReadCashReport checks that the actor may read cash reports: executives, sales managers, FINANCE reviewers,
// systems and admins (each counting the contracts of CashReach).
func CanReadCashReport(a Actor) error {
	if _, functions, ok := ReviewReach(a); ok && slices.Contains(functions, FunctionFinance) {
		return nil
	}
	if CanReadReports(a) != nil {
		return PermissionDenied("cash reports are for executives, sales managers, FINANCE reviewers, systems and admins")
	}
	return nil
}

// CashReach is whose contracts the actor's cash reports count: the units of their reports (ReportsReach) and, for
// a FINANCE reviewer, the unit they review in.
func CashReach(a Actor) Reach {
	r := ReportsReach(a)
	if unit, functions, ok := ReviewReach(a); ok && slices.Contains(functions, FunctionFinance) {
		r.Units = append(r.Units, unit)
	}
	return r.normal()
}

// ContractReach is who reads contracts: who reads their deal (DealReach) and the FINANCE reviewers of the deals'
// units, who invoice and record payments.
func ContractReach(a Actor) Reach {
	r := DealReach(a)
	if unit, functions, ok := ReviewReach(a); ok && slices.Contains(functions, FunctionFinance) {
		r.Units = append(r.Units, unit)
	}
	return r.normal()
}

// CanReadContract checks that the actor may read the deal's contract.
func CanReadContract(a Actor, o Opportunity) error {
	if !ContractReach(a).Covers(o.Unit, o.Readers()) {
		return PermissionDenied("the contract of deal %s is read by the deal's readers and the FINANCE reviewers of %s", o.ID, o.Unit)
	}
	return nil
}

// worked checks that people still work the deal, so its team and owner may change: it is open, or WON with its
// contract in execution (a delivery project manager or an AR who leaves is replaced).
func (o Opportunity) worked() error {
	if o.Stage == StageExecution {
		return nil
	}
	return o.open()
}
