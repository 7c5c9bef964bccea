package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/workflows"
)

// TestUnpaidInvoiceEscalates: under time skipping, a DATE milestone falls due on its date, and an invoice unpaid at
// its due date is overdue (the AR and the FR are told), then escalates to the sales managers and then to the
// executives in scope, a policy period apart; a payment stops it.
func TestUnpaidInvoiceEscalates(t *testing.T) {
	today := ltc.DateOf(time.Now())
	in := func(days int) *ltc.Date { d := ltc.DateOf(today.Time().AddDate(0, 0, days)); return &d }
	terms := []ltc.PaymentTerm{{Name: "advance", Percent: "50", Trigger: ltc.TriggerSignature},
		{Name: "go-live", Percent: "50", Trigger: ltc.TriggerDate, PlannedDate: in(60)}}
	sign := step{name: workflows.UpdateSignContract, arg: cmd(req("r-sign", sales), ltc.SignContract{Contract: ltc.Contract{Number: "C-7", Amount: eur(580_000), PaymentTerms: terms}})}
	invoice := step{name: workflows.UpdateIssueInvoice, arg: cmd(req("r-inv", finance), ltc.IssueInvoice{Number: "INV-1", MilestoneID: "M1",
		Amount: eur(290_000), DueDate: *in(1)})}
	partial := step{after: 3 * 24 * time.Hour, name: workflows.UpdateRecordPayment, arg: cmd(req("r-pay", finance), ltc.RecordPayment{InvoiceNumber: "INV-1",
		Reference: "BANK-1", Amount: eur(90_000), Date: today})}
	rest := step{after: 30 * 24 * time.Hour, name: workflows.UpdateRecordPayment, arg: cmd(req("r-rest", finance), ltc.RecordPayment{InvoiceNumber: "INV-1",
		Reference: "BANK-2", Amount: eur(200_000), Date: today})}
	e, out := runDeal(t, ltc.DefaultPolicy(), steps(toPursuit(), gate("atb", ltc.GateATB, bidPkg, ltc.VerdictApprove),
		[]step{bid("r-bid", eur(600_000)), tender("r-t", ltc.TenderWon)}, gate("atc", ltc.GateATC, contrPkg, ltc.VerdictApprove),
		[]step{sign,
			{name: workflows.UpdateScheduleHandover, arg: cmd(req("r-sched", sales), ltc.ScheduleHandover{Handover: ltc.Handover{ScheduledFor: time.Now(), Attendees: attendees}})},
			{name: workflows.UpdateCompleteHandover, arg: cmd(req("r-done", dora), ltc.CompleteHandover{Record: ltc.HandoverRecord{KeyTerms: "k", Commitments: "c", RisksHandedOver: "r"}})},
			invoice, partial, rest, {after: 40 * 24 * time.Hour, name: summary().name, arg: summary().arg}})...)
	for i, o := range out {
		require.NoError(t, o.rejected, "step %d", i)
		require.NoError(t, o.err, "step %d", i)
	}
	type seen struct {
		typ        string
		recipients []string
		at         time.Time
	}
	var got []seen
	for _, c := range e.changes {
		for _, ev := range c.Events {
			switch ev.Type {
			case ltc.EventInvoiceOverdue, ltc.EventInvoiceEscalated, ltc.EventMilestoneDue:
				got = append(got, seen{ev.Type, ev.Recipients, ev.OccurredAt})
			}
		}
	}
	require.Len(t, got, 5, "%+v", got)
	overdueAt := in(2).Time()
	assert.Equal(t, ltc.EventMilestoneDue, got[0].typ, "the advance, at signature")
	assert.Equal(t, seen{ltc.EventInvoiceOverdue, []string{"user:sam", "user:fred"}, overdueAt}, seen{got[1].typ, got[1].recipients, got[1].at.UTC()})
	assert.Equal(t, seen{ltc.EventInvoiceEscalated, []string{"role:sales_manager@/"}, overdueAt.Add(ltc.DefaultReceivableEscalateAfter)},
		seen{got[2].typ, got[2].recipients, got[2].at.UTC()}, "a partial payment does not stop it")
	assert.Equal(t, seen{ltc.EventInvoiceEscalated, []string{"authority:1@/"}, overdueAt.Add(2 * ltc.DefaultReceivableEscalateAfter)},
		seen{got[3].typ, got[3].recipients, got[3].at.UTC()})
	assert.Equal(t, seen{ltc.EventMilestoneDue, []string{"user:sam", "function:FINANCE@/"}, in(60).Time()}, seen{got[4].typ, got[4].recipients, got[4].at.UTC()},
		"the DATE milestone on its date; the invoice paid, nothing escalates any more")
}
