package ltc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

var (
	fiona     = ltc.Actor{ID: "fiona", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "emea"}
	farAway   = ltc.Actor{ID: "felix", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "apac"}
	lawyer    = ltc.Actor{ID: "lena", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}, Unit: "emea"}
	erp       = ltc.Actor{ID: "erp", Roles: []ltc.Role{ltc.RoleSystem}, Scopes: []string{ltc.ScopeWrite}, Unit: "emea"}
	erpReader = ltc.Actor{ID: "bi", Roles: []ltc.Role{ltc.RoleSystem}, Scopes: []string{ltc.ScopeRead}, Unit: "emea"}
	admin     = ltc.Actor{ID: "ada", Roles: []ltc.Role{ltc.RoleAdmin}}
)

func pct(name, percent string, trigger ltc.Trigger) ltc.PaymentTerm {
	return ltc.PaymentTerm{Name: name, Percent: percent, Trigger: trigger}
}

func TestMilestoneArithmetic(t *testing.T) {
	jan := &ltc.Date{Year: 2027, Month: 1, Day: 31}
	money := func(minor int64) ltc.Money { return ltc.Money{Currency: "EUR", AmountMinor: minor} }
	for name, tt := range map[string]struct {
		terms  []ltc.PaymentTerm
		amount int64
		want   []int64
	}{
		"30/60/10": {[]ltc.PaymentTerm{pct("advance", "30", ltc.TriggerSignature), pct("PAC", "60", ltc.TriggerPAC), pct("FAC", "10", ltc.TriggerFAC)},
			1_000_00, []int64{300_00, 600_00, 100_00}},
		"thirds: the rounding remainder on the last": {[]ltc.PaymentTerm{pct("a", "33.3333", ltc.TriggerSignature), pct("b", "33.3333", ltc.TriggerPAC),
			pct("c", "33.3334", ltc.TriggerFAC)}, 10_001, []int64{3333, 3333, 3335}},
		"one cent in three": {[]ltc.PaymentTerm{pct("a", "33.3333", ltc.TriggerSignature), pct("b", "33.3333", ltc.TriggerPAC),
			pct("c", "33.3334", ltc.TriggerFAC)}, 1, []int64{0, 0, 1}},
		"an amount and a percentage": {[]ltc.PaymentTerm{{Name: "fixed", Amount: &ltc.Money{Currency: "EUR", AmountMinor: 100_00}, Trigger: ltc.TriggerDate, PlannedDate: jan},
			pct("rest", "50", ltc.TriggerFAC)}, 200_00, []int64{100_00, 100_00}},
		"no terms: the whole amount at signature": {nil, 5_000_00, []int64{5_000_00}},
		"the largest amount": {[]ltc.PaymentTerm{pct("a", "0.0001", ltc.TriggerSignature), pct("b", "99.9999", ltc.TriggerFAC)},
			ltc.MaxAmountMinor, []int64{ltc.MaxAmountMinor / 1_000_000, ltc.MaxAmountMinor - ltc.MaxAmountMinor/1_000_000}},
	} {
		t.Run(name, func(t *testing.T) {
			ms, err := ltc.Milestones(tt.terms, money(tt.amount))
			require.NoError(t, err)
			var got []int64
			var sum int64
			for _, m := range ms {
				got = append(got, m.Amount.AmountMinor)
				sum += m.Amount.AmountMinor
				assert.Equal(t, "EUR", m.Amount.Currency)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.amount, sum, "the milestones add up to the contract")
		})
	}
	many := make([]ltc.PaymentTerm, ltc.MaxMilestones+1)
	for i := range many {
		many[i] = ltc.PaymentTerm{Name: "x", Amount: &ltc.Money{Currency: "EUR", AmountMinor: 1}, Trigger: ltc.TriggerFAC}
	}
	for name, terms := range map[string][]ltc.PaymentTerm{
		"short of 100%":       {pct("a", "33.3333", ltc.TriggerSignature), pct("b", "33.3333", ltc.TriggerPAC), pct("c", "33.3333", ltc.TriggerFAC)},
		"over 100%":           {pct("a", "60", ltc.TriggerSignature), pct("b", "60", ltc.TriggerFAC)},
		"above 100":           {pct("a", "100.0001", ltc.TriggerSignature)},
		"zero":                {pct("a", "0", ltc.TriggerSignature), pct("b", "100", ltc.TriggerFAC)},
		"five decimals":       {pct("a", "99.99999", ltc.TriggerSignature), pct("b", "0.00001", ltc.TriggerFAC)},
		"negative":            {pct("a", "-10", ltc.TriggerSignature), pct("b", "110", ltc.TriggerFAC)},
		"exponent":            {pct("a", "1e2", ltc.TriggerSignature)},
		"trailing point":      {pct("a", "100.", ltc.TriggerSignature)},
		"no trigger":          {pct("a", "100", "")},
		"DATE without a date": {pct("a", "100", ltc.TriggerDate)},
		"both percent and amount": {{Name: "a", Percent: "100", Amount: &ltc.Money{Currency: "EUR", AmountMinor: 1_000_00},
			Trigger: ltc.TriggerFAC}},
		"another currency": {{Name: "a", Amount: &ltc.Money{Currency: "USD", AmountMinor: 1_000_00}, Trigger: ltc.TriggerFAC}},
		"amounts over":     {{Name: "a", Amount: &ltc.Money{Currency: "EUR", AmountMinor: 1_000_01}, Trigger: ltc.TriggerFAC}},
		"no name":          {pct("", "100", ltc.TriggerFAC)},
		"too many":         many,
	} {
		_, err := ltc.Milestones(terms, money(1_000_00))
		assert.Equal(t, ltc.KindInvalid, ltc.KindOf(err), name)
	}
}

// signing is a deal of emea/germany in CONTRACT_SIGNING with its DELIVERY_PM appointed.
func signing() ltc.Deal {
	p := ltc.DefaultPolicy()
	o := bidding().SubmitBid(ltc.Bid{Price: eur(600_000)}, t0)
	o = o.RecordTenderResult(ltc.TenderResult{Result: ltc.TenderWon}, owner.Person(), t0, p)
	o = approve(o, "ATC1", ltc.GateATC, contractPkg)
	o = o.AppointTeam(append(ltc.Team{{Person: dora.Person(), Role: ltc.TeamDeliveryPM}}, team...), t0, p)
	o.Unit = "emea/germany"
	return ltc.Deal{Lead: ltc.Lead{ID: o.ID, State: ltc.LeadQualified}, Opportunity: &o}
}

// executing is the deal signed with the terms and handed over: WON, in EXECUTION.
func executing(t *testing.T, terms ...ltc.PaymentTerm) ltc.Deal {
	d := apply(t, signing(), owner, t0, ltc.SignContract{Contract: ltc.Contract{Number: "C-1", Amount: eur(580_000), PaymentTerms: terms}}, "sign").Deal
	meeting := ltc.Handover{ScheduledFor: t0, Attendees: append(ltc.Team{{Person: dora.Person(), Role: ltc.TeamDeliveryPM}}, team...)}
	d = apply(t, d, owner, t0, ltc.ScheduleHandover{Handover: meeting}, "schedule").Deal
	return apply(t, d, dora, t0, ltc.CompleteHandover{Record: ltc.HandoverRecord{KeyTerms: "k"}}, "handover").Deal
}

var standardTerms = []ltc.PaymentTerm{pct("advance", "30", ltc.TriggerSignature),
	{Name: "mid-term", Percent: "20", Trigger: ltc.TriggerDate, PlannedDate: &ltc.Date{Year: 2027, Month: 1, Day: 15}},
	pct("PAC", "40", ltc.TriggerPAC), pct("FAC", "10", ltc.TriggerFAC)}

func TestSigningMakesMilestonesAndTheHandoverStartsExecution(t *testing.T) {
	signed := apply(t, signing(), owner, t0, ltc.SignContract{Contract: ltc.Contract{Number: "C-1", Amount: eur(580_000), PaymentTerms: standardTerms}}, "sign")
	x := signed.Deal.Opportunity.Execution
	require.NotNil(t, x)
	assert.Equal(t, ltc.ContractSigned, x.Status)
	assert.Len(t, x.Milestones, 4)
	assert.True(t, x.Milestones[0].Due(), "the advance is due at signature")
	assert.False(t, x.Milestones[1].Due())
	assert.Equal(t, []string{ltc.EventContractSigned, ltc.EventMilestoneDue}, types(signed.Events))

	bad := ltc.SignContract{Contract: ltc.Contract{Number: "C-1", Amount: eur(580_000), PaymentTerms: []ltc.PaymentTerm{pct("a", "90", ltc.TriggerFAC)}}}
	assert.Equal(t, ltc.KindInvalid, kindOf(signing(), owner, t0, bad), "terms short of the amount")

	old := signing()
	o := *old.Opportunity
	o.Rules = ltc.RulesEconomics
	old.Opportunity = &o
	assert.Equal(t, ltc.KindPrecondition, kindOf(old, owner, t0, ltc.SignContract{Contract: ltc.Contract{Number: "C-1", Amount: eur(580_000), PaymentTerms: standardTerms}}),
		"a deal of the rules before takes no terms")
	oldWon := apply(t, old, owner, t0, ltc.SignContract{Contract: ltc.Contract{Number: "C-1", Amount: eur(580_000)}}, "sign").Deal
	assert.Nil(t, oldWon.Opportunity.Execution, "a deal of the rules before has no execution")

	d := executing(t, standardTerms...)
	got := *d.Opportunity
	assert.Equal(t, ltc.StageExecution, got.Stage)
	assert.Equal(t, ltc.OutcomeWon, got.Outcome, "WON at the handover")
	assert.False(t, got.Open(), "closed for sales")
	assert.NotNil(t, got.SummaryDueAt, "the summary is owed from the handover")
	assert.Equal(t, ltc.ContractExecution, got.Execution.Status)
	d = apply(t, d, owner, t0, ltc.SubmitProjectSummary{Summary: ltc.ProjectSummary{Lessons: "l"}}, "summary").Deal
	assert.False(t, d.Ended(), "the process runs on while the contract is open")
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, owner, t0, ltc.CloseOpportunity{Outcome: ltc.OutcomeLost, Reason: "x"}), "a WON deal is not closed LOST")
}

func TestAcceptanceInvoicesPaymentsAndClose(t *testing.T) {
	d := executing(t, standardTerms...)
	at := t0.Add(24 * time.Hour)
	cert := func(k ltc.Trigger) ltc.RecordAcceptance {
		return ltc.RecordAcceptance{Kind: k, Certificate: "CERT-" + string(k), Date: ltc.DateOf(at)}
	}
	assert.Equal(t, ltc.KindPermission, kindOf(d, owner, at, cert(ltc.TriggerPAC)), "the AR does not accept for the customer")
	assert.Equal(t, ltc.KindPermission, kindOf(d, fred, at, cert(ltc.TriggerPAC)), "nor the FR")
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, dora, at, cert(ltc.TriggerFAC)), "FAC after PAC")
	assert.Equal(t, ltc.KindInvalid, kindOf(d, dora, at, ltc.RecordAcceptance{Kind: ltc.TriggerPAC, Certificate: "C", Date: ltc.DateOf(at.Add(48 * time.Hour))}), "not in the future")

	invoice := func(number, milestone string, amount ltc.Money) ltc.IssueInvoice {
		return ltc.IssueInvoice{Number: number, MilestoneID: milestone, Amount: amount, DueDate: ltc.Date{Year: 2026, Month: 12, Day: 2}}
	}
	assert.Equal(t, ltc.KindPermission, kindOf(d, owner, at, invoice("I-1", "M1", eur(174_000))), "the AR does not invoice")
	assert.Equal(t, ltc.KindPermission, kindOf(d, lawyer, at, invoice("I-1", "M1", eur(174_000))), "nor LEGAL")
	assert.Equal(t, ltc.KindPermission, kindOf(d, farAway, at, invoice("I-1", "M1", eur(174_000))), "nor FINANCE of another unit")
	assert.Equal(t, ltc.KindPermission, kindOf(d, admin, at, invoice("I-1", "M1", eur(174_000))), "nor an admin")
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, fiona, at, invoice("I-3", "M3", eur(10))), "PAC's milestone is not due before PAC")
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, fiona, at, invoice("I-1", "M1", eur(174_001))), "30% of 580,000 is 174,000: no more")
	assert.Equal(t, ltc.KindNotFound, kindOf(d, fiona, at, invoice("I-1", "M9", eur(1))))
	assert.Equal(t, ltc.KindInvalid, kindOf(d, fiona, at, invoice("I-1", "M1", ltc.Money{Currency: "USD", AmountMinor: 1})))

	d = apply(t, d, fiona, at, invoice("I-1", "M1", eur(100_000)), "i1").Deal
	assert.Equal(t, ltc.KindConflict, kindOf(d, fiona, at, invoice("I-1", "M1", eur(1))), "a number once")
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, fiona, at, invoice("I-2", "M1", eur(74_001))), "no more than the milestone, over invoices")
	d = apply(t, d, fiona, at, invoice("I-2", "M1", eur(74_000)), "i2").Deal

	pay := func(inv, ref string, amount ltc.Money) ltc.RecordPayment {
		return ltc.RecordPayment{InvoiceNumber: inv, Reference: ref, Amount: amount, Date: ltc.DateOf(at)}
	}
	assert.Equal(t, ltc.KindPermission, kindOf(d, erpReader, at, pay("I-1", "P-1", eur(1))), "a system reads, not pays, without the write scope")
	assert.Equal(t, ltc.KindPermission, kindOf(d, owner, at, pay("I-1", "P-1", eur(1))))
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, fiona, at, pay("I-1", "P-1", eur(100_001))), "overpayment refused")
	assert.Equal(t, ltc.KindNotFound, kindOf(d, fiona, at, pay("I-9", "P-1", eur(1))))
	ch := apply(t, d, erp, at, pay("I-1", "P-1", eur(60_000)), "p1")
	assert.Equal(t, []string{ltc.EventPaymentRecorded}, types(ch.Events))
	d = ch.Deal
	assert.Equal(t, int64(40_000_00), d.Opportunity.Execution.Invoices[0].Outstanding(), "a partial payment")
	assert.Equal(t, ltc.KindConflict, kindOf(d, fiona, at, pay("I-1", "P-1", eur(40_000))), "a reference once")
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, fiona, at, pay("I-1", "P-2", eur(40_001))), "the rest, no more")
	d = apply(t, d, fiona, at, pay("I-1", "P-2", eur(40_000)), "p2").Deal
	d = apply(t, d, fiona, at, pay("I-2", "P-3", eur(74_000)), "p3").Deal
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, owner, at, ltc.CloseContract{}), "not every milestone is due and paid")

	// PAC and FAC make their milestones due; the DATE milestone falls due on its date (a deadline).
	ch = apply(t, d, dora, at, cert(ltc.TriggerPAC), "pac")
	assert.Equal(t, []string{ltc.EventContractAccepted, ltc.EventMilestoneDue}, types(ch.Events))
	d = ch.Deal
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, dora, at, cert(ltc.TriggerPAC)), "PAC once")
	d = apply(t, d, dora, at, cert(ltc.TriggerFAC), "fac").Deal
	var next ltc.Deadline
	for _, x := range d.Deadlines(ltc.DefaultPolicy()) {
		if _, ok := x.Command.(ltc.MarkMilestoneDue); ok {
			next = x
		}
	}
	assert.Equal(t, time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), next.Due, "the DATE milestone's date")
	d = apply(t, d, ltc.Actor{ID: "system"}, next.Due, next.Command, "").Deal
	for i, m := range d.Opportunity.Execution.Milestones[1:] {
		number := []string{"I-M2", "I-M3", "I-M4"}[i]
		d = apply(t, d, fiona, next.Due, ltc.IssueInvoice{Number: number, MilestoneID: m.ID, Amount: m.Amount, DueDate: ltc.DateOf(next.Due)}, number).Deal
		d = apply(t, d, fiona, next.Due, ltc.RecordPayment{InvoiceNumber: number, Reference: "P-" + number, Amount: m.Amount, Date: ltc.DateOf(next.Due)}, "p"+number).Deal
	}
	assert.Equal(t, ltc.KindPermission, kindOf(d, fred, next.Due, ltc.CloseContract{}), "the FR does not close the contract")
	ch = apply(t, d, owner, next.Due, ltc.CloseContract{}, "close")
	got := *ch.Deal.Opportunity
	assert.Equal(t, ltc.StageClosed, got.Stage)
	assert.Equal(t, ltc.OutcomeWon, got.Outcome)
	assert.Equal(t, ltc.ContractCompleted, got.Execution.Status)
	assert.Equal(t, int64(580_000_00), got.Execution.Collected())
	assert.Equal(t, []string{ltc.EventContractClosed}, types(ch.Events))
	assert.Equal(t, ltc.KindPrecondition, kindOf(ch.Deal, fiona, next.Due, ltc.IssueInvoice{Number: "X", MilestoneID: "M1", Amount: eur(1), DueDate: ltc.DateOf(next.Due)}),
		"a closed contract takes no invoice")
}

func TestAnUnpaidInvoiceIsOverdueThenEscalates(t *testing.T) {
	d := executing(t)
	d = apply(t, d, owner, t0, ltc.SubmitProjectSummary{Summary: ltc.ProjectSummary{Lessons: "l"}}, "summary").Deal
	due := ltc.Date{Year: 2026, Month: 12, Day: 1}
	d = apply(t, d, fiona, t0, ltc.IssueInvoice{Number: "I-1", MilestoneID: "M1", Amount: eur(580_000), DueDate: due}, "i1").Deal
	p := ltc.DefaultPolicy()
	var recipients [][]string
	var at []time.Time
	for {
		next, ok := d.NextDeadline(p)
		if !ok {
			break
		}
		ch := apply(t, d, ltc.Actor{ID: "system"}, next.Due, next.Command, "")
		recipients = append(recipients, ch.Events[0].Recipients)
		at = append(at, next.Due)
		d = ch.Deal
	}
	overdue := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, []time.Time{overdue, overdue.Add(ltc.DefaultReceivableEscalateAfter), overdue.Add(2 * ltc.DefaultReceivableEscalateAfter)}, at)
	assert.Equal(t, [][]string{{"user:sam", "user:fred"}, {"role:sales_manager@emea/germany"}, {"authority:1@emea/germany"}}, recipients,
		"the AR and the FR, then the manager, then the executive in scope")
	assert.True(t, d.Opportunity.IsOverdue(), "an overdue receivable makes the deal overdue")
	d = apply(t, d, fiona, at[2], ltc.RecordPayment{InvoiceNumber: "I-1", Reference: "P", Amount: eur(580_000), Date: due}, "p").Deal
	assert.False(t, d.Opportunity.IsOverdue(), "paid")
}

func types(events []ltc.Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Type)
	}
	return out
}

func TestWriteOffGate(t *testing.T) {
	d := executing(t, standardTerms...)
	d = apply(t, d, fiona, t0, ltc.IssueInvoice{Number: "I-1", MilestoneID: "M1", Amount: eur(174_000), DueDate: ltc.DateOf(t0)}, "i1").Deal
	d = apply(t, d, fiona, t0, ltc.RecordPayment{InvoiceNumber: "I-1", Reference: "P-1", Amount: eur(100_000), Date: ltc.DateOf(t0)}, "p1").Deal
	writeOff := ltc.RequestDecision{Gate: ltc.GateWriteOff, Package: ltc.Package{WriteOff: &ltc.WriteOffPackage{Rationale: "customer insolvent"}}}
	assert.Equal(t, ltc.KindPermission, kindOf(d, sara, t0, writeOff), "the SR does not ask")
	assert.Equal(t, ltc.KindInvalid, kindOf(d, owner, t0, ltc.RequestDecision{Gate: ltc.GateWriteOff, Package: ltc.Package{}}))
	assert.Equal(t, ltc.KindPrecondition, kindOf(signing(), owner, t0, writeOff), "no contract in execution")
	ch := apply(t, d, fiona, t0, writeOff, "wo")
	dec := *ch.Decision
	assert.Equal(t, ltc.DecisionPending, dec.Status)
	assert.Equal(t, eur(480_000), dec.Package.WriteOff.Amount, "580,000 less the 100,000 collected")
	assert.Equal(t, []ltc.ReviewFunction{ltc.FunctionFinance}, dec.RequiredReviews)
	d = ch.Deal
	assert.Equal(t, ltc.StageExecution, d.Opportunity.Stage)
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, owner, t0, writeOff), "one decision at a time")
	approve := ltc.Decide{DecisionID: dec.ID, Verdict: ltc.VerdictApprove, Rationale: "uncollectable"}
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, exec1, t0, approve), "the FINANCE review first")
	assert.Equal(t, ltc.KindPermission, kindOf(d, fiona, t0, ltc.SubmitReview{DecisionID: dec.ID, Function: ltc.FunctionFinance, Result: ltc.ReviewPass}),
		"who asked does not review")
	d = apply(t, d, ltc.Actor{ID: "frank", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}},
		t0, ltc.SubmitReview{DecisionID: dec.ID, Function: ltc.FunctionFinance, Result: ltc.ReviewPass}, "rev").Deal
	assert.Equal(t, ltc.KindPermission, kindOf(d, manager, t0, approve), "an executive writes off")
	ch = apply(t, d, exec1, t0, approve, "dec")
	got := *ch.Deal.Opportunity
	assert.Equal(t, ltc.ContractWrittenOff, got.Execution.Status)
	assert.Equal(t, ltc.StageClosed, got.Stage)
	assert.Equal(t, ltc.OutcomeWon, got.Outcome)
	assert.Equal(t, eur(480_000), *got.Execution.WrittenOff)
	assert.Equal(t, []string{ltc.EventDecisionDecided, ltc.EventContractClosed}, types(ch.Events))
	assert.Empty(t, ch.Deal.Deadlines(ltc.DefaultPolicy())[1:], "no receivable waits any more (the summary's SLA does)")
}

func TestChangeOrderGate(t *testing.T) {
	d := executing(t, standardTerms...)
	d = apply(t, d, fiona, t0, ltc.IssueInvoice{Number: "I-1", MilestoneID: "M1", Amount: eur(174_000), DueDate: ltc.DateOf(t0)}, "i1").Deal
	order := func(amount ltc.Money, terms ...ltc.PaymentTerm) ltc.RequestDecision {
		return ltc.RequestDecision{Gate: ltc.GateChangeOrder, Package: ltc.Package{ChangeOrder: &ltc.ChangeOrderPackage{Amount: amount, PaymentTerms: terms, Rationale: "more sites"}}}
	}
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, owner, t0, order(eur(500_000), pct("a", "30", ltc.TriggerSignature), pct("b", "70", ltc.TriggerFAC))),
		"M1 is invoiced 174,000: 30% of 500,000 is less")
	assert.Equal(t, ltc.KindInvalid, kindOf(d, owner, t0, order(eur(600_000), pct("a", "30", ltc.TriggerSignature))), "terms short of the amount")
	assert.Equal(t, ltc.KindInvalid, kindOf(d, owner, t0, order(ltc.Money{Currency: "USD", AmountMinor: 1}, pct("a", "100", ltc.TriggerSignature))))
	ch := apply(t, d, owner, t0, order(eur(600_000), pct("advance", "30", ltc.TriggerSignature), pct("PAC", "60", ltc.TriggerPAC), pct("FAC", "10", ltc.TriggerFAC)), "co")
	dec := *ch.Decision
	assert.Equal(t, []ltc.ReviewFunction{ltc.FunctionFinance, ltc.FunctionLegal}, dec.RequiredReviews)
	assert.Equal(t, eur(580_000), dec.Package.ChangeOrder.AmountBefore)
	d = ch.Deal
	for _, f := range []ltc.ReviewFunction{ltc.FunctionFinance, ltc.FunctionLegal} {
		d = apply(t, d, ltc.Actor{ID: "r-" + string(f), Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{f}},
			t0, ltc.SubmitReview{DecisionID: dec.ID, Function: f, Result: ltc.ReviewPass}, "rev-"+string(f)).Deal
	}
	ch = apply(t, d, exec1, t0, ltc.Decide{DecisionID: dec.ID, Verdict: ltc.VerdictApprove, Rationale: "ok"}, "dec")
	x := *ch.Deal.Opportunity.Execution
	assert.Equal(t, eur(600_000), x.Amount)
	assert.Equal(t, ltc.ContractExecution, x.Status)
	assert.Equal(t, []int64{180_000_00, 360_000_00, 60_000_00}, []int64{x.Milestones[0].Amount.AmountMinor, x.Milestones[1].Amount.AmountMinor, x.Milestones[2].Amount.AmountMinor})
	assert.True(t, x.Milestones[0].Due(), "the advance stays due")
	assert.Len(t, x.ChangeOrders, 1)
	assert.Equal(t, []string{ltc.EventDecisionDecided, ltc.EventContractChanged}, types(ch.Events))
	d = apply(t, ch.Deal, fiona, t0, ltc.IssueInvoice{Number: "I-2", MilestoneID: "M1", Amount: eur(6_000), DueDate: ltc.DateOf(t0)}, "i2").Deal
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, fiona, t0, ltc.IssueInvoice{Number: "I-3", MilestoneID: "M1", Amount: eur(1), DueDate: ltc.DateOf(t0)}),
		"30% of the new amount invoiced, no more")
}

// The team and the owner of a deal in EXECUTION may change: a new DELIVERY_PM records the acceptance, the one who
// left may not.
func TestTheTeamOfAContractInExecutionChanges(t *testing.T) {
	d := executing(t, standardTerms...)
	newPM := ltc.Actor{ID: "dirk", Roles: []ltc.Role{ltc.RoleSales}}
	d = apply(t, d, manager, t0, ltc.AppointTeam{Team: append(ltc.Team{{Person: newPM.Person(), Role: ltc.TeamDeliveryPM}}, team...)}, "team").Deal
	pac := ltc.RecordAcceptance{Kind: ltc.TriggerPAC, Certificate: "C", Date: ltc.DateOf(t0)}
	assert.Equal(t, ltc.KindPermission, kindOf(d, dora, t0, pac), "dora left the team")
	d = apply(t, d, newPM, t0, pac, "pac").Deal
	assert.Equal(t, ltc.StageExecution, d.Opportunity.Stage)
	d = apply(t, d, manager, t0, ltc.ReassignOwner{Owner: rep.Person(), Reason: "sam moved on"}, "owner").Deal
	assert.Equal(t, "sue", d.Opportunity.Owner.ID)
}

// A signed contract stays with its deal: under RulesExecution the deal is not closed by hand from HANDOVER, nor,
// closed with its contract SIGNED (as the rules before this fix let it be), reopened; deals of earlier rules close
// as they did.
func TestASignedDealIsNotClosedWithoutItsContract(t *testing.T) {
	signed := apply(t, signing(), owner, t0, ltc.SignContract{Contract: ltc.Contract{Number: "C-1", Amount: eur(580_000), PaymentTerms: standardTerms}}, "sign").Deal
	require.Equal(t, ltc.StageHandover, signed.Opportunity.Stage)
	for _, who := range []ltc.Actor{owner, manager, admin} {
		for _, outcome := range []ltc.Outcome{ltc.OutcomeAbandoned, ltc.OutcomeLost} {
			_, err := ltc.Run(ltc.CloseOpportunity{Outcome: outcome, Reason: "customer went away"}, signed,
				ltc.Context{Actor: who, Now: t0, Policy: ltc.DefaultPolicy(), RequestID: "close"})
			require.Equal(t, ltc.KindPrecondition, ltc.KindOf(err), "%s closing %s", who.ID, outcome)
			assert.Contains(t, err.Error(), "contract C-1")
			assert.Contains(t, err.Error(), "WRITE_OFF")
			assert.Contains(t, err.Error(), "HANDOVER", "the message names the stage")
		}
	}
	assert.Equal(t, ltc.KindPermission, kindOf(signed, rep, t0, ltc.CloseOpportunity{Outcome: ltc.OutcomeAbandoned, Reason: "x"}),
		"who may not close is told so first")

	// A deal closed with its contract SIGNED before the rule is not reopened to sales either.
	o := signed.Opportunity.Close(ltc.OutcomeAbandoned, "closed before the fix", owner.Person(), t0, ltc.DefaultPolicy())
	stuck := ltc.Deal{Lead: signed.Lead, Opportunity: &o}
	for _, stage := range []ltc.Stage{ltc.StageValidation, ltc.StagePursuit, ltc.StageNegotiation} {
		_, err := ltc.Run(reopenTo(stage), stuck, ltc.Context{Actor: owner, Now: t0.Add(time.Hour), Policy: ltc.DefaultPolicy(), RequestID: "reopen"})
		require.Equal(t, ltc.KindPrecondition, ltc.KindOf(err), stage)
		assert.Contains(t, err.Error(), "contract C-1")
	}

	// The handover done, the contract goes on in EXECUTION and is written off through its gate.
	d := executing(t, standardTerms...)
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, owner, t0, ltc.CloseOpportunity{Outcome: ltc.OutcomeAbandoned, Reason: "x"}))

	// A deal of the rules before has no execution: it is closed from HANDOVER as it always was (recorded
	// processes replay).
	old := signing()
	oo := *old.Opportunity
	oo.Rules = ltc.RulesEconomics
	old.Opportunity = &oo
	old = apply(t, old, owner, t0, ltc.SignContract{Contract: ltc.Contract{Number: "C-1", Amount: eur(580_000)}}, "sign").Deal
	closed := apply(t, old, owner, t0, ltc.CloseOpportunity{Outcome: ltc.OutcomeAbandoned, Reason: "customer went away"}, "close").Deal
	assert.Equal(t, ltc.OutcomeAbandoned, closed.Opportunity.Outcome)
	apply(t, closed, owner, t0.Add(time.Hour), reopenTo(ltc.StageNegotiation), "reopen")
}
