package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// randomExecution is a contract of three milestones whose invoices and payments fall on random days of the months
// around November 2026, as of revision step (more invoices and payments at later steps).
func randomExecution(rng *rand.Rand, currency string, step int) ltc.Execution {
	day := func() time.Time {
		return time.Date(2026, time.Month(6+rng.IntN(7)), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0, time.UTC)
	}
	money := func(m int64) ltc.Money { return ltc.Money{Currency: currency, AmountMinor: m} }
	x := ltc.Execution{Status: ltc.ContractExecution, Amount: money(900_00)}
	for i := range 3 {
		id := fmt.Sprintf("M%d", i+1)
		m := ltc.Milestone{ID: id, Amount: money(300_00), Term: ltc.PaymentTerm{Name: id, Trigger: ltc.TriggerPAC}}
		if rng.IntN(4) > 0 {
			planned := ltc.DateOf(day())
			m.Term.PlannedDate = &planned
		}
		x.Milestones = append(x.Milestones, m)
		for k := range rng.IntN(step + 1) {
			issued := day()
			inv := ltc.Invoice{Number: fmt.Sprintf("%s-%d", id, k), MilestoneID: id, Amount: money(100_00), IssuedAt: issued,
				DueDate: ltc.DateOf(issued.AddDate(0, 0, 30))}
			for p := range rng.IntN(3) {
				paidOn := day()
				inv.Payments = append(inv.Payments, ltc.Payment{Reference: fmt.Sprintf("%s-%d-%d", id, k, p), Amount: money(50_00),
					Date: ltc.DateOf(paidOn), RecordedAt: paidOn})
			}
			x.Invoices = append(x.Invoices, inv)
		}
	}
	switch rng.IntN(6) {
	case 0:
		x.Status = ltc.ContractWrittenOff
	case 1:
		x.Status = ltc.ContractCompleted
	}
	return x
}

// cashOracle computes the cash report's rows by unit from the contracts themselves, one by one, as the report
// defines them.
func cashOracle(deals []ltc.Opportunity, cf store.CashFilter) map[[2]string]store.CashRow {
	out := map[[2]string]store.CashRow{}
	asOf := ltc.DateOf(cf.AsOf).Time()
	thisMonth := time.Date(asOf.Year(), asOf.Month(), 1, 0, 0, 0, 0, time.UTC)
	dsoFrom, dayAfter := thisMonth.AddDate(0, -2, 0), asOf.AddDate(0, 0, 1)
	firstDay, lastDay := ltc.DateOf(cf.From).Time(), ltc.DateOf(cf.To.Add(-time.Nanosecond)).Time()
	month := func(t time.Time) time.Time {
		m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		if m.Before(thisMonth) {
			return thisMonth
		}
		return m
	}
	base := map[[2]string]int64{}
	for _, o := range deals {
		x := o.Execution
		id := [2]string{string(o.Unit), x.Amount.Currency}
		r, ok := out[id]
		if !ok {
			r = store.CashRow{Key: string(o.Unit), Currency: x.Amount.Currency, DSO: -1, Expected: map[time.Time]int64{}}
		}
		for _, inv := range x.Invoices {
			if !inv.IssuedAt.Before(cf.From) && inv.IssuedAt.Before(cf.To) {
				r.Invoiced += inv.Amount.AmountMinor
			}
			if !inv.IssuedAt.Before(dsoFrom) && inv.IssuedAt.Before(dayAfter) {
				base[id] += inv.Amount.AmountMinor
			}
			for _, p := range inv.Payments {
				if d := p.Date.Time(); !d.Before(firstDay) && !d.After(lastDay) {
					r.Collected += p.Amount.AmountMinor
				}
			}
			if inv.Outstanding() > 0 && x.Status != ltc.ContractWrittenOff {
				r.Receivable += inv.Outstanding()
				late := int(asOf.Sub(inv.DueDate.Time()) / (24 * time.Hour))
				switch {
				case late > 90:
					r.Overdue[3] += inv.Outstanding()
				case late > 60:
					r.Overdue[2] += inv.Outstanding()
				case late > 30:
					r.Overdue[1] += inv.Outstanding()
				case late > 0:
					r.Overdue[0] += inv.Outstanding()
				}
				r.Expected[month(inv.DueDate.Time())] += inv.Outstanding()
			}
		}
		for _, m := range x.Milestones {
			invoiced, _ := x.MilestoneSums(m.ID)
			if invoiced >= m.Amount.AmountMinor || x.Status == ltc.ContractCompleted || x.Status == ltc.ContractWrittenOff {
				continue
			}
			at := time.Time{}
			if m.Term.PlannedDate != nil {
				at = month(m.Term.PlannedDate.Time())
			}
			r.Expected[at] += m.Amount.AmountMinor - invoiced
		}
		out[id] = r
	}
	days := float64(dayAfter.Sub(dsoFrom) / (24 * time.Hour))
	for id, r := range out {
		if b := base[id]; b > 0 {
			r.DSO = float64(r.Receivable) / float64(b) * days
		}
		for m, v := range r.Expected {
			if v == 0 {
				delete(r.Expected, m)
			}
		}
		out[id] = r
	}
	return out
}

// TestTheCashReportSumsWhatTheContractsHold changes contracts revision by revision (invoices and payments added,
// owners and units moved, contracts completed and written off) and checks the cash report, for periods of whole
// months, parts of months and days within one, against the contracts summed one by one; and that cash_months holds
// what the contract rows sum to, as the migration computes it.
func TestTheCashReportSumsWhatTheContractsHold(t *testing.T) {
	s, url := open(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(21, 2026))
	units := []ltc.Unit{"emea/germany", "emea/france", "apac/japan"}
	currencies := []string{"EUR", "USD"}
	var deals []ltc.Opportunity
	for i := range 12 {
		o := writeContract(t, s, units[i%3], fmt.Sprintf("owner-%d", i%4), randomExecution(rng, currencies[i%2], 0))
		o.Customer.AccountID = []string{"", uuid.NewString()}[i%2]
		for rev := int64(2); rev <= 4; rev++ {
			x := randomExecution(rng, currencies[i%2], int(rev))
			o.Execution = &x
			if rng.IntN(3) == 0 { // reassigned, or moved to another unit
				o.Owner.ID, o.Unit = fmt.Sprintf("owner-%d", rng.IntN(4)), units[rng.IntN(3)]
			}
			behind, err := s.ApplyRevision(ctx, store.Change{Request: store.Request{ID: uuid.NewString(), Method: "x", DealID: o.ID,
				Result: json.RawMessage(`{}`)}, Opportunity: &o, Revision: rev})
			require.NoError(t, err)
			require.Nil(t, behind)
		}
		deals = append(deals, o)
	}

	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	// Migration 021 fills contract_payments, contract_invoices.open and cash_months from what a database holds
	// already; run again on these contracts, its statements give what the writes kept.
	for _, table := range []struct{ name, columns, clear, fill string }{ // columns: x is the whole row
		{"contract_payments", "x", "DELETE FROM contract_payments", "INSERT INTO contract_payments"},
		{"contract_invoices", "deal_id, number, open", "UPDATE contract_invoices SET open = NOT open", "UPDATE contract_invoices i SET open"},
		{"cash_months", "x", "DELETE FROM cash_months", "INSERT INTO cash_months"},
	} {
		rows := func() []string {
			t.Helper()
			r, err := conn.Query(ctx, "SELECT ("+table.columns+")::text FROM "+table.name+" x ORDER BY 1")
			require.NoError(t, err)
			out, err := pgx.CollectRows(r, pgx.RowTo[string])
			require.NoError(t, err)
			return out
		}
		kept := rows()
		require.NotEmpty(t, kept)
		_, err := conn.Exec(ctx, table.clear)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, migrationStatement(t, "021_cash_report.sql", table.fill))
		require.NoError(t, err)
		if table.name == "cash_months" { // the writes keep the rows their changes emptied
			kept = slices.DeleteFunc(kept, func(row string) bool { return strings.HasSuffix(row, ",0,0,0)") })
		}
		assert.Equal(t, kept, rows(), "%s as migration 021 fills it", table.name)
	}

	asOf := time.Date(2026, 11, 17, 15, 0, 0, 0, time.UTC)
	for _, period := range [][2]time.Time{
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},    // a quarter
		{time.Date(2026, 6, 14, 9, 30, 0, 0, time.UTC), time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)}, // parts of months at both ends
		{time.Date(2026, 8, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC)},   // within a month
		{time.Date(2026, 9, 30, 23, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC)},  // two hours over a month's end
	} {
		cf := store.CashFilter{From: period[0], To: period[1], AsOf: asOf, Reach: ltc.Reach{All: true}}
		rows, err := s.CashReport(ctx, cf)
		require.NoError(t, err)
		got := map[[2]string]store.CashRow{}
		for _, r := range rows {
			got[[2]string{r.Key, r.Currency}] = r
		}
		want := cashOracle(deals, cf)
		for id, w := range want {
			g := got[id]
			assert.Equal(t, w.Invoiced, g.Invoiced, "%v invoiced %v", period, id)
			assert.Equal(t, w.Collected, g.Collected, "%v collected %v", period, id)
			assert.Equal(t, w.Receivable, g.Receivable, "%v receivable %v", period, id)
			assert.Equal(t, w.Overdue, g.Overdue, "%v overdue %v", period, id)
			assert.InDelta(t, w.DSO, g.DSO, 1e-9, "%v DSO %v", period, id)
			assert.Equal(t, w.Expected, g.Expected, "%v expected %v", period, id)
		}
		for id, g := range got {
			if _, ok := want[id]; !ok {
				assert.Zero(t, g.Invoiced+g.Collected+g.Receivable, "%v: %v has no contract", period, id)
			}
		}
	}
}

// migrationStatement is the statement of the migration file that starts with start, up to its semicolon.
func migrationStatement(t *testing.T, file, start string) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("migrations", file))
	require.NoError(t, err)
	i := strings.Index(string(text), start)
	require.GreaterOrEqual(t, i, 0, "%s has a statement %q", file, start)
	end := strings.Index(string(text[i:]), ";")
	require.Positive(t, end)
	return string(text[i : i+end])
}
