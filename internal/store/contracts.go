package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// contractStatus is the deal's contract_status column: its contract's status, or NULL without one.
func contractStatus(o ltc.Opportunity) any {
	if o.Execution == nil {
		return nil
	}
	return string(o.Execution.Status)
}

// The contract tables (migrations 020 and 021) and their columns.
var (
	invoiceColumns = []string{"deal_id", "number", "org_unit", "owner_id", "account_id", "currency", "amount_minor",
		"paid_minor", "issued_at", "due_date", "paid_at", "open"}
	milestoneColumns = []string{"deal_id", "id", "org_unit", "owner_id", "account_id", "currency", "amount_minor",
		"invoiced_minor", "planned_date", "due_at", "open"}
	paymentColumns = []string{"deal_id", "reference", "invoice_number", "org_unit", "owner_id", "account_id", "currency",
		"amount_minor", "paid_on", "recorded_at"}
)

// executionTables are the deal's rows of contract_invoices, contract_milestones and contract_payments as its
// contract's execution stands; no rows without one.
func executionTables(o ltc.Opportunity) []table {
	invoices := table{name: "contract_invoices", columns: invoiceColumns}
	milestones := table{name: "contract_milestones", columns: milestoneColumns}
	payments := table{name: "contract_payments", columns: paymentColumns}
	x := o.Execution
	if x == nil {
		return []table{invoices, milestones, payments}
	}
	account := orNull(o.Customer.AccountID)
	for _, inv := range x.Invoices {
		var paidAt any
		if inv.Outstanding() == 0 {
			paidAt = inv.Payments[len(inv.Payments)-1].RecordedAt
		}
		invoices.rows = append(invoices.rows, []any{o.ID, inv.Number, string(o.Unit), o.Owner.ID, account,
			inv.Amount.Currency, inv.Amount.AmountMinor, inv.Paid(), inv.IssuedAt, inv.DueDate.Time(), paidAt, x.Unpaid(inv) > 0})
		for _, p := range inv.Payments {
			payments.rows = append(payments.rows, []any{o.ID, p.Reference, inv.Number, string(o.Unit), o.Owner.ID, account,
				p.Amount.Currency, p.Amount.AmountMinor, p.Date.Time(), p.RecordedAt})
		}
	}
	for _, m := range x.Milestones {
		invoiced, _ := x.MilestoneSums(m.ID)
		var planned any
		if m.Term.PlannedDate != nil {
			planned = m.Term.PlannedDate.Time()
		}
		milestones.rows = append(milestones.rows, []any{o.ID, m.ID, string(o.Unit), o.Owner.ID, account,
			m.Amount.Currency, m.Amount.AmountMinor, invoiced, planned, m.DueAt, milestoneOpen(*x, m)})
	}
	return []table{invoices, milestones, payments}
}

// writeExecution keeps the deal's rows of the contract tables as its contract's execution stands after the
// change (a contract holds at most ltc.MaxInvoices invoices, ltc.MaxMilestones milestones and ltc.MaxPayments
// payments, so they are written again whole), and moves cash_months from what the contract added before the
// change, under its holder then, to what it adds now.
func writeExecution(ctx context.Context, tx pgx.Tx, before contractHolder, o ltc.Opportunity) error {
	if before.execution == nil && o.Execution == nil {
		return nil
	}
	sums := map[cashKey]cashSums{}
	before.cashMonths(sums, -1)
	holderOf(o).cashMonths(sums, 1)
	if err := addCashMonths(ctx, tx, sums); err != nil {
		return err
	}
	batch := &pgx.Batch{}
	for _, t := range executionTables(o) {
		batch.Queue(`DELETE FROM `+t.name+` WHERE deal_id = $1`, o.ID)
		marks := make([]string, len(t.columns))
		for i := range marks {
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		insert := `INSERT INTO ` + t.name + ` (` + strings.Join(t.columns, ", ") + `) VALUES (` + strings.Join(marks, ", ") + `)`
		for _, row := range t.rows {
			batch.Queue(insert, row...)
		}
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("write the contract of %s: %w", o.ID, err)
	}
	return nil
}

// ContractFilter selects contracts; zero fields match everything.
type ContractFilter struct {
	Status    ltc.ContractStatus
	OwnerID   string
	AccountID string
	// OverdueOnly selects the contracts with an invoice past its due date and unpaid, not written off.
	OverdueOnly bool
	// Reader is who lists, whom the page token is bound to, and Reach what they may read (ltc.ContractReach).
	Reader *ltc.Actor
	Reach  ltc.Reach
	// Today is the date overdue is judged on.
	Today time.Time
}

// ListContracts returns a page of the deals with a contract in execution, newest deal first, and the token of the
// next page.
func (s *Store) ListContracts(ctx context.Context, cf ContractFilter, size int, token string) ([]ltc.Opportunity, string, error) {
	var f filter
	f.where = append(f.where, "contract_status IS NOT NULL")
	if cf.Status != "" {
		f.add("contract_status = %s", string(cf.Status))
	}
	if cf.OwnerID != "" {
		f.add("owner_id = %s", cf.OwnerID)
	}
	if cf.AccountID != "" {
		f.add("account_id = %s", cf.AccountID)
	}
	if cf.OverdueOnly {
		f.add(`EXISTS (SELECT 1 FROM contract_invoices i WHERE i.deal_id = opportunities.id AND i.open AND i.due_date < %s)`, cf.Today.UTC().Format(time.DateOnly))
	}
	f.within("opportunities.id", cf.Reach)
	reader := readerID(cf.Reader)
	cf.Reader, cf.Reach, cf.Today = nil, ltc.Reach{}, time.Time{}
	return page[ltc.Opportunity](ctx, s, "opportunities", f, fmt.Sprintf("contracts|%+v|%s", cf, reader), size, token)
}
