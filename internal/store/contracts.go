package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"golang.org/x/sync/errgroup"

	"github.com/ltcengine/ltc/internal/ltc"
)

// contractStatus is the deal's contract_status column: its contract's status, or NULL without one.
func contractStatus(o ltc.Opportunity) any {
	if o.Execution == nil {
		return nil
	}
	return string(o.Execution.Status)
}

// writeExecution keeps the deal's rows of contract_invoices and contract_milestones (migration 020) as its
// contract's execution stands after the change: a contract holds at most ltc.MaxInvoices invoices and
// ltc.MaxMilestones milestones, so they are written again whole.
func writeExecution(ctx context.Context, tx pgx.Tx, o ltc.Opportunity) error {
	x := o.Execution
	if x == nil {
		return nil
	}
	var account any
	if o.Customer.AccountID != "" {
		account = o.Customer.AccountID
	}
	batch := &pgx.Batch{}
	batch.Queue(`DELETE FROM contract_invoices WHERE deal_id = $1`, o.ID)
	batch.Queue(`DELETE FROM contract_milestones WHERE deal_id = $1`, o.ID)
	for _, inv := range x.Invoices {
		var paidAt any
		if inv.Outstanding() == 0 {
			last := inv.Payments[len(inv.Payments)-1]
			paidAt = last.RecordedAt
		}
		batch.Queue(`INSERT INTO contract_invoices (deal_id, number, org_unit, owner_id, account_id, currency, amount_minor,
			paid_minor, issued_at, due_date, paid_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			o.ID, inv.Number, string(o.Unit), o.Owner.ID, account, inv.Amount.Currency, inv.Amount.AmountMinor, inv.Paid(),
			inv.IssuedAt, inv.DueDate.Time(), paidAt)
	}
	closed := x.Status == ltc.ContractCompleted || x.Status == ltc.ContractWrittenOff
	for _, m := range x.Milestones {
		invoiced, _ := x.MilestoneSums(m.ID)
		var planned any
		if m.Term.PlannedDate != nil {
			planned = m.Term.PlannedDate.Time()
		}
		batch.Queue(`INSERT INTO contract_milestones (deal_id, id, org_unit, owner_id, account_id, currency, amount_minor,
			invoiced_minor, planned_date, due_at, open) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			o.ID, m.ID, string(o.Unit), o.Owner.ID, account, m.Amount.Currency, m.Amount.AmountMinor, invoiced,
			planned, m.DueAt, !closed && invoiced < m.Amount.AmountMinor)
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
	// OverdueOnly selects the contracts with an invoice past its due date and unpaid.
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
		f.add(`EXISTS (SELECT 1 FROM contract_invoices i WHERE i.deal_id = opportunities.id AND i.paid_minor < i.amount_minor
			AND i.due_date < %s)`, cf.Today.UTC().Format(time.DateOnly))
	}
	f.within("opportunities.id", cf.Reach)
	reader := readerID(cf.Reader)
	cf.Reader, cf.Reach, cf.Today = nil, ltc.Reach{}, time.Time{}
	return page[ltc.Opportunity](ctx, s, "opportunities", f, fmt.Sprintf("contracts|%+v|%s", cf, reader), size, token)
}

// CashGroup is what a cash report's rows are grouped by.
type CashGroup string

// Cash report groupings.
const (
	CashByUnit    CashGroup = "org_unit"
	CashByOwner   CashGroup = "owner_id"
	CashByAccount CashGroup = "account_id"
)

// CashFilter selects a cash report: the period whose invoices count as invoiced and collected, the day
// receivables are aged on, and the grouping.
type CashFilter struct {
	From, To time.Time
	AsOf     time.Time
	Group    CashGroup
	OwnerID  string
	// Reach is whose contracts count (ltc.CashReach).
	Reach ltc.Reach
}

// CashRow is one group's cash in one currency.
type CashRow struct {
	Key      string
	Currency string
	// Invoiced and Collected are the sums of the invoices issued in the period and paid of them.
	Invoiced, Collected int64
	// Receivable is what is invoiced and unpaid as of the day, of every period; Overdue splits its overdue part
	// by days past the due date: 1-30, 31-60, 61-90, over 90.
	Receivable int64
	Overdue    [4]int64
	// DSO is days sales outstanding: the receivable over what was invoiced in the 90 days to the day, times 90;
	// -1 when nothing was invoiced then.
	DSO float64
	// Expected is the cash expected by month (the first of the month, UTC): the milestones' amounts not invoiced
	// yet by their planned month, and the invoices' outstanding amounts by their due month (the day's month once
	// overdue). Milestones with no planned date are under the zero time.
	Expected map[time.Time]int64
}

// CashBuckets names Overdue's age buckets.
var CashBuckets = []string{"1-30", "31-60", "61-90", "90+"}

// CashReport sums the contracts' invoices and milestones by the group and currency. Each figure is its own
// branch on its own index: the invoices issued in the period (by issue time), the open ones (partial index), those
// of the 90 days DSO looks at (by issue time) and the open milestones (partial index), so a report reads the rows
// its figures are made of, not every invoice of every contract.
func (s *Store) CashReport(ctx context.Context, cf CashFilter) ([]CashRow, error) {
	group := string(cf.Group)
	if group == "" {
		group = string(CashByUnit)
	}
	key := "coalesce(" + group + "::text, '')"
	// scope adds the owner and reach conditions to a branch's filter and returns them as " AND ...".
	scope := func(f *filter) string {
		if cf.OwnerID != "" {
			f.add("owner_id = %s", cf.OwnerID)
		}
		if c := f.reportUnits(cf.Reach); c != "" {
			f.where = append(f.where, c)
		}
		if len(f.where) == 0 {
			return ""
		}
		return " AND " + strings.Join(f.where, " AND ")
	}
	day := func(f *filter) string { return f.arg(cf.AsOf.UTC().Format(time.DateOnly)) + "::date" }
	open := "(amount_minor - paid_minor)"
	// The branches' columns: kind, key, currency, a..e, month. Kind 1: invoiced, collected; 2: receivable and its 4
	// buckets; 3: the 90 days' invoiced; 4: expected cash of a month.
	branches := []func(f *filter) string{
		func(f *filter) string {
			from, to := f.arg(cf.From), f.arg(cf.To)
			return `SELECT 1, ` + key + `, currency, sum(amount_minor)::bigint, sum(paid_minor)::bigint, 0::bigint, 0::bigint, 0::bigint, NULL::date
				FROM contract_invoices WHERE issued_at >= ` + from + ` AND issued_at < ` + to + scope(f) + ` GROUP BY 2, 3`
		},
		func(f *filter) string {
			asOf := day(f)
			overdue := func(cond string) string {
				return "sum(" + open + ") FILTER (WHERE " + asOf + " - due_date " + cond + ")::bigint"
			}
			return `SELECT 2, ` + key + `, currency, sum(` + open + `)::bigint, ` + overdue("BETWEEN 1 AND 30") + `, ` +
				overdue("BETWEEN 31 AND 60") + `, ` + overdue("BETWEEN 61 AND 90") + `, ` + overdue("> 90") + `, NULL::date
				FROM contract_invoices WHERE paid_minor < amount_minor` + scope(f) + ` GROUP BY 2, 3`
		},
		func(f *filter) string {
			asOf := day(f)
			return `SELECT 3, ` + key + `, currency, sum(amount_minor)::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, NULL::date
				FROM contract_invoices WHERE issued_at >= ` + asOf + ` - 90 AND issued_at < ` + asOf + ` + 1` + scope(f) + ` GROUP BY 2, 3`
		},
		func(f *filter) string {
			asOf := day(f)
			return `SELECT 4, ` + key + `, currency, sum(` + open + `)::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
					date_trunc('month', greatest(due_date, ` + asOf + `))::date
				FROM contract_invoices WHERE paid_minor < amount_minor` + scope(f) + ` GROUP BY 2, 3, 9`
		},
		func(f *filter) string {
			return `SELECT 4, ` + key + `, currency, sum(amount_minor - invoiced_minor)::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
					coalesce(date_trunc('month', planned_date)::date, '0001-01-01'::date)
				FROM contract_milestones WHERE open` + scope(f) + ` GROUP BY 2, 3, 9`
		},
	}
	// The branches run at once, each on its own connection: the report takes as long as its longest branch.
	results := make([][]cashPart, len(branches))
	var g errgroup.Group
	for i, branch := range branches {
		g.Go(func() error {
			var f filter
			query := branch(&f)
			rows, err := s.pool.Query(ctx, query, f.args...)
			if err != nil {
				return fmt.Errorf("cash report: %w", err)
			}
			results[i], err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (cashPart, error) {
				var p cashPart
				err := row.Scan(&p.kind, &p.key, &p.currency, &p.v[0], &p.v[1], &p.v[2], &p.v[3], &p.v[4], &p.month)
				return p, err
			})
			if err != nil {
				return fmt.Errorf("cash report: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	byKey := map[[2]string]*CashRow{}
	var order [][2]string
	dsoBase := map[[2]string]int64{}
	for _, parts := range results {
		for _, p := range parts {
			id := [2]string{p.key, p.currency}
			r, ok := byKey[id]
			if !ok {
				r = &CashRow{Key: p.key, Currency: p.currency, Expected: map[time.Time]int64{}, DSO: -1}
				byKey[id] = r
				order = append(order, id)
			}
			switch p.kind {
			case 1:
				r.Invoiced, r.Collected = p.v[0].Int64, p.v[1].Int64
			case 2:
				r.Receivable, r.Overdue = p.v[0].Int64, [4]int64{p.v[1].Int64, p.v[2].Int64, p.v[3].Int64, p.v[4].Int64}
			case 3:
				dsoBase[id] = p.v[0].Int64
			case 4:
				m := p.month.Time
				if m.Year() == 1 {
					m = time.Time{}
				}
				if p.v[0].Int64 != 0 {
					r.Expected[m] += p.v[0].Int64
				}
			}
		}
	}
	out := make([]CashRow, 0, len(order))
	for _, id := range order {
		r := byKey[id]
		if base := dsoBase[id]; base > 0 {
			r.DSO = float64(r.Receivable) / float64(base) * 90
		}
		out = append(out, *r)
	}
	return out, nil
}

// cashPart is a row of one of the cash report's branches.
type cashPart struct {
	kind          int
	key, currency string
	v             [5]pgtype.Int8
	month         pgtype.Date
}

// reportUnits is the condition that a row's org_unit lies within the reach's units; "" when it holds everything.
func (f *filter) reportUnits(r ltc.Reach) string {
	if r.All {
		return ""
	}
	var any []string
	for _, u := range r.Units {
		any = append(any, f.unitIs("org_unit", u))
	}
	if len(any) == 0 {
		return "FALSE"
	}
	return "(" + strings.Join(any, " OR ") + ")"
}
