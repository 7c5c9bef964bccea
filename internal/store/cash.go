package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"golang.org/x/sync/errgroup"

	"github.com/ltcengine/ltc/internal/ltc"
)

// milestoneOpen reports whether a milestone is still to be invoiced: something left, on a contract not closed.
func milestoneOpen(x ltc.Execution, m ltc.Milestone) bool {
	invoiced, _ := x.MilestoneSums(m.ID)
	return invoiced < m.Amount.AmountMinor && x.Status != ltc.ContractCompleted && x.Status != ltc.ContractWrittenOff
}

// cashKey is a row of cash_months (migration 021).
type cashKey struct {
	month                          time.Time
	unit, owner, account, currency string
}

// cashSums are a cash_months row's figures, in minor units.
type cashSums struct{ invoiced, collected, expected int64 }

// noPlannedMonth is the month of the milestones without a planned date.
var noPlannedMonth = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// contractHolder is whom a deal's contract is summed under: its unit, owner and account.
type contractHolder struct {
	unit, owner, account string
	execution            *ltc.Execution
}

func holderOf(o ltc.Opportunity) contractHolder {
	return contractHolder{string(o.Unit), o.Owner.ID, o.Customer.AccountID, o.Execution}
}

// cashMonths is what the holder's contract adds to cash_months: each invoice by its issue month, each payment by
// the month of its date, and what is expected: each open milestone's amount not invoiced by its planned month,
// each open invoice's outstanding amount by its due month.
func (h contractHolder) cashMonths(into map[cashKey]cashSums, sign int64) {
	x := h.execution
	if x == nil {
		return
	}
	add := func(month time.Time, currency string, s cashSums) {
		k := cashKey{month, h.unit, h.owner, h.account, currency}
		v := into[k]
		into[k] = cashSums{v.invoiced + sign*s.invoiced, v.collected + sign*s.collected, v.expected + sign*s.expected}
	}
	for _, inv := range x.Invoices {
		add(monthOf(inv.IssuedAt), inv.Amount.Currency, cashSums{invoiced: inv.Amount.AmountMinor})
		for _, p := range inv.Payments {
			add(monthOf(p.Date.Time()), p.Amount.Currency, cashSums{collected: p.Amount.AmountMinor})
		}
		if unpaid := x.Unpaid(inv); unpaid > 0 {
			add(monthOf(inv.DueDate.Time()), inv.Amount.Currency, cashSums{expected: unpaid})
		}
	}
	for _, m := range x.Milestones {
		if !milestoneOpen(*x, m) {
			continue
		}
		month := noPlannedMonth
		if m.Term.PlannedDate != nil {
			month = monthOf(m.Term.PlannedDate.Time())
		}
		invoiced, _ := x.MilestoneSums(m.ID)
		add(month, m.Amount.Currency, cashSums{expected: m.Amount.AmountMinor - invoiced})
	}
}

// addCashMonths adds the sums to cash_months in one statement, its rows in key order: two transactions that
// touch the same rows lock them in the same order, so their upserts never wait on each other in a cycle.
func addCashMonths(ctx context.Context, tx pgx.Tx, sums map[cashKey]cashSums) error {
	keys := slices.SortedFunc(maps.Keys(sums), func(a, b cashKey) int {
		return cmp.Or(a.month.Compare(b.month), cmp.Compare(a.unit, b.unit), cmp.Compare(a.owner, b.owner),
			cmp.Compare(a.account, b.account), cmp.Compare(a.currency, b.currency))
	})
	var months []time.Time
	var units, owners, accounts, currencies []string
	var invoiced, collected, expected []int64
	for _, k := range keys {
		s := sums[k]
		if s == (cashSums{}) {
			continue
		}
		months, units, owners, accounts, currencies = append(months, k.month), append(units, k.unit), append(owners, k.owner),
			append(accounts, k.account), append(currencies, k.currency)
		invoiced, collected, expected = append(invoiced, s.invoiced), append(collected, s.collected), append(expected, s.expected)
	}
	if len(months) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO cash_months (month, org_unit, owner_id, account_id, currency, invoiced, collected, expected)
		SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[])
		ON CONFLICT (month, org_unit, owner_id, account_id, currency) DO UPDATE SET
			invoiced = cash_months.invoiced + excluded.invoiced, collected = cash_months.collected + excluded.collected,
			expected = cash_months.expected + excluded.expected`,
		months, units, owners, accounts, currencies, invoiced, collected, expected); err != nil {
		return fmt.Errorf("sum the contracts by month: %w", err)
	}
	return nil
}

// CashGroup is what a cash report's rows are grouped by.
type CashGroup string

// Cash report groupings.
const (
	CashByUnit    CashGroup = "org_unit"
	CashByOwner   CashGroup = "owner_id"
	CashByAccount CashGroup = "account_id"
)

// CashFilter selects a cash report: the period whose invoices count as invoiced and whose payments as collected,
// the day receivables are aged on, and the grouping.
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
	// Invoiced is the sum of the invoices issued in the period; Collected the sum of the payments whose date falls
	// in it (a day counts when it starts in the period, UTC), whichever invoice they pay.
	Invoiced, Collected int64
	// Receivable is what is invoiced and unpaid as of the day, of every period; Overdue splits its overdue part
	// by days past the due date: 1-30, 31-60, 61-90, over 90.
	Receivable int64
	Overdue    [4]int64
	// DSO is days sales outstanding: the receivable over what was invoiced from the first of the month two months
	// before the day's to the day, times the days of that window (59 to 92); -1 when nothing was invoiced then.
	DSO float64
	// Expected is the cash expected by month (the first of the month, UTC): the milestones' amounts not invoiced
	// yet by their planned month and the invoices' outstanding amounts by their due month, either the day's month
	// once past. Milestones with no planned date are under the zero time.
	Expected map[time.Time]int64
}

// CashBuckets names Overdue's age buckets.
var CashBuckets = []string{"1-30", "31-60", "61-90", "90+"}

// CashReport sums the contracts by the group and currency. Its queries run at once, each on its own connection:
//   - the whole months of the period, DSO's two months before the day's and the expected cash from cash_months (a
//     row per month, unit, owner, account and currency);
//   - the parts of months at the period's ends, if any, from the invoices (by issue time) and the payments (by
//     day), and the day's month to the day from the invoices;
//   - the receivable and its ages from the open invoices (partial index).
//
// So a report reads the rows its figures are made of, never every invoice of every contract, and takes as long as
// its longest query.
func (s *Store) CashReport(ctx context.Context, cf CashFilter) ([]CashRow, error) {
	group := string(cf.Group)
	if group == "" {
		group = string(CashByUnit)
	}
	key := "coalesce(" + group + "::text, '')"
	// scope adds the owner and reach conditions to a query's filter and returns them as " AND ...".
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
	asOf := ltc.DateOf(cf.AsOf).Time()
	// DSO's window is the day's month to the day and the two months before: the whole months from cash_months, the
	// days of the day's month from the invoices.
	thisMonth, dayAfter := monthOf(asOf), asOf.AddDate(0, 0, 1)
	dsoFrom := thisMonth.AddDate(0, -2, 0)
	// The period's whole months [firstMonth, endMonth) come from cash_months, the rest from the invoices (issued in
	// [From, firstMonth) or [endMonth, To)) and the payments (dated on the days the period touches outside its whole
	// months); a period within a month comes from the invoices and payments alone.
	firstMonth, endMonth := monthOf(cf.From), monthOf(cf.To)
	if firstMonth.Before(cf.From) {
		firstMonth = firstMonth.AddDate(0, 1, 0)
	}
	fromDay, toDay := ltc.DateOf(cf.From).Time(), ltc.DateOf(cf.To.Add(-time.Nanosecond)).Time().AddDate(0, 0, 1)
	issued, paid := [][2]time.Time{{cf.From, cf.To}}, [][2]time.Time{{fromDay, toDay}}
	if firstMonth.Before(endMonth) {
		issued = [][2]time.Time{{cf.From, firstMonth}, {endMonth, cf.To}}
		paid = [][2]time.Time{{fromDay, firstMonth}, {endMonth, toDay}}
	} else {
		firstMonth, endMonth = cf.To, cf.To
	}
	// within is the condition that column lies in one of the ranges, "" when they are all empty.
	within := func(f *filter, column string, ranges [][2]time.Time) string {
		var any []string
		for _, r := range ranges {
			if r[0].Before(r[1]) {
				any = append(any, column+" >= "+f.arg(r[0])+" AND "+column+" < "+f.arg(r[1]))
			}
		}
		if len(any) == 0 {
			return ""
		}
		return "(" + strings.Join(any, " OR ") + ")"
	}
	// Each query's columns: key, currency (the expected cash's: its month), then its sums (int8).
	type query struct {
		kind cashKind
		sql  func(f *filter) string
	}
	queries := []query{
		{cashMonthly, func(f *filter) string {
			in := func(from, to time.Time) string {
				return "month >= " + f.arg(from) + "::date AND month < " + f.arg(to) + "::date"
			}
			period, dso := in(firstMonth, endMonth), in(dsoFrom, thisMonth)
			lo, hi := dsoFrom, thisMonth // the months either reads, one range of the index
			if firstMonth.Before(endMonth) {
				lo, hi = minTime(lo, firstMonth), maxTime(hi, endMonth)
			}
			return `SELECT ` + key + `, currency, sum(invoiced) FILTER (WHERE ` + period + `)::bigint,
					sum(collected) FILTER (WHERE ` + period + `)::bigint, sum(invoiced) FILTER (WHERE ` + dso + `)::bigint
				FROM cash_months WHERE (invoiced <> 0 OR collected <> 0) AND ` + in(lo, hi) + scope(f) + `
				GROUP BY 1, 2`
		}},
		{cashExpected, func(f *filter) string {
			return `SELECT ` + key + `, currency, month, sum(expected)::bigint
				FROM cash_months WHERE expected <> 0` + scope(f) + ` GROUP BY 1, 2, 3`
		}},
		{cashDSO, func(f *filter) string {
			return `SELECT ` + key + `, currency, sum(amount_minor)::bigint
				FROM contract_invoices WHERE issued_at >= ` + f.arg(thisMonth) + ` AND issued_at < ` + f.arg(dayAfter) + scope(f) + `
				GROUP BY 1, 2`
		}},
		{cashReceivable, func(f *filter) string {
			day := f.arg(asOf) + "::date"
			open := "(amount_minor - paid_minor)"
			overdue := func(cond string) string {
				return "sum(" + open + ") FILTER (WHERE " + day + " - due_date " + cond + ")::bigint"
			}
			return `SELECT ` + key + `, currency, sum(` + open + `)::bigint, ` + overdue("BETWEEN 1 AND 30") + `, ` +
				overdue("BETWEEN 31 AND 60") + `, ` + overdue("BETWEEN 61 AND 90") + `, ` + overdue("> 90") + `
				FROM contract_invoices WHERE open` + scope(f) + ` GROUP BY 1, 2`
		}},
	}
	// The ends of the period outside its whole months, when it has any.
	for _, end := range []struct {
		kind          cashKind
		table, column string
		ranges        [][2]time.Time
	}{{cashIssued, "contract_invoices", "issued_at", issued}, {cashCollected, "contract_payments", "paid_on", paid}} {
		if !slices.ContainsFunc(end.ranges, func(r [2]time.Time) bool { return r[0].Before(r[1]) }) {
			continue
		}
		queries = append(queries, query{end.kind, func(f *filter) string {
			return `SELECT ` + key + `, currency, sum(amount_minor)::bigint
				FROM ` + end.table + ` WHERE ` + within(f, end.column, end.ranges) + scope(f) + ` GROUP BY 1, 2`
		}})
	}
	results := make([][]cashPart, len(queries))
	var g errgroup.Group
	for i, q := range queries {
		g.Go(func() error {
			var f filter
			rows, err := s.pool.Query(ctx, q.sql(&f), f.args...)
			if err != nil {
				return fmt.Errorf("cash report: %w", err)
			}
			results[i], err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (cashPart, error) {
				p := cashPart{kind: q.kind}
				dest := []any{&p.key, &p.currency}
				if q.kind == cashExpected {
					dest = append(dest, &p.month)
				}
				for i := range len(row.FieldDescriptions()) - len(dest) {
					dest = append(dest, &p.v[i])
				}
				return p, row.Scan(dest...)
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
			case cashMonthly:
				r.Invoiced += p.v[0].Int64
				r.Collected += p.v[1].Int64
				dsoBase[id] += p.v[2].Int64
			case cashDSO:
				dsoBase[id] += p.v[0].Int64
			case cashIssued:
				r.Invoiced += p.v[0].Int64
			case cashCollected:
				r.Collected += p.v[0].Int64
			case cashReceivable:
				r.Receivable += p.v[0].Int64
				for b := range r.Overdue {
					r.Overdue[b] += p.v[b+1].Int64
				}
			case cashExpected:
				// A past month's expected cash is expected in the day's month; no planned date is the zero time.
				m := p.month.Time
				switch {
				case m.Equal(noPlannedMonth):
					m = time.Time{}
				case m.Before(thisMonth):
					m = thisMonth
				}
				r.Expected[m] += p.v[0].Int64
			}
		}
	}
	dsoDays := float64(dayAfter.Sub(dsoFrom) / (24 * time.Hour))
	out := make([]CashRow, 0, len(order))
	for _, id := range order {
		r := byKey[id]
		if base := dsoBase[id]; base > 0 {
			r.DSO = float64(r.Receivable) / float64(base) * dsoDays
		}
		for m, v := range r.Expected {
			if v == 0 {
				delete(r.Expected, m)
			}
		}
		out = append(out, *r)
	}
	return out, nil
}

// cashKind is which of the cash report's queries a row comes from.
type cashKind int

const (
	cashMonthly cashKind = iota
	cashExpected
	cashReceivable
	cashDSO
	cashIssued
	cashCollected
)

// cashPart is a row of one of the cash report's queries.
type cashPart struct {
	kind          cashKind
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
