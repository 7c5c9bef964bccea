package store_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
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

// TestCashReportAtScale measures GetCashReport's query on LTC_CASH_SCALE contracts (250000 is 10^6 deals, a
// quarter of them WON under the bench seed's odds): three milestones and two invoices each, a payment for each
// paid invoice, over 40 units and 2,000 owners (each owner's contracts in the four currencies), signed over the
// last 700 days (those of the last year open: their PAC and FAC milestones to invoice, a third of their invoices
// unpaid; the older ones completed), written straight into the contract tables (the deals' rows are not needed by
// the query, so the foreign keys are not checked while filling). Skipped without the variable: it takes a minute.
// The bench measures the report on seeded deals.
func TestCashReportAtScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("LTC_CASH_SCALE"))
	if n == 0 {
		t.Skip("set LTC_CASH_SCALE=250000 to measure the cash report at 10^6 deals")
	}
	ctx := context.Background()
	s, url := open(t)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	fill := `
		SET session_replication_role = replica;
		WITH c AS (SELECT i, gen_random_uuid() AS id, 'emea/office-' || (i % 40) AS unit, 'owner-' || (i % 2000) AS owner,
			(ARRAY['EUR','USD','CNY','GBP'])[1 + (i / 7) % 4] AS currency, 1000000 + (i % 977) * 100000 AS amount,
			timestamptz '2026-12-01' - (i % 700) * interval '1 day' AS signed
			FROM generate_series(1, $1) AS i),
		m AS (INSERT INTO contract_milestones (deal_id, id, org_unit, owner_id, account_id, currency, amount_minor, invoiced_minor,
				planned_date, due_at, open)
			SELECT id, 'M' || k, unit, owner, NULL, currency, amount * (ARRAY[3,6,1])[k] / 10,
				CASE WHEN k = 1 THEN amount * 3 / 10 ELSE 0 END, (signed + k * interval '120 days')::date,
				CASE WHEN k = 1 THEN signed END, k > 1 AND i % 700 < 365
			FROM c, generate_series(1, 3) AS k),
		inv AS (INSERT INTO contract_invoices (deal_id, number, org_unit, owner_id, account_id, currency, amount_minor, paid_minor, issued_at,
				due_date, paid_at, open)
			SELECT id, 'INV-' || k, unit, owner, NULL, currency, amount * 3 / 20, CASE WHEN (i + k) % 3 = 0 AND i % 700 < 365 THEN 0 ELSE amount * 3 / 20 END,
				signed + k * interval '1 day', (signed + k * interval '1 day' + interval '30 days')::date,
				CASE WHEN (i + k) % 3 = 0 AND i % 700 < 365 THEN NULL ELSE signed + interval '20 days' END, (i + k) % 3 = 0 AND i % 700 < 365
			FROM c, generate_series(1, 2) AS k
			RETURNING *)
		INSERT INTO contract_payments (deal_id, reference, invoice_number, org_unit, owner_id, account_id, currency, amount_minor, paid_on, recorded_at)
		SELECT deal_id, 'PAY-' || number, number, org_unit, owner_id, account_id, currency, paid_minor, paid_at::date, paid_at
		FROM inv WHERE paid_minor > 0;
		SET session_replication_role = DEFAULT;` + migrationStatement(t, "021_cash_report.sql", "INSERT INTO cash_months") + ";"
	started := time.Now()
	_, err = conn.Exec(ctx, strings.ReplaceAll(fill, "$1", strconv.Itoa(n))) // several statements take no parameters
	require.NoError(t, err)
	for _, table := range []string{"contract_invoices", "contract_milestones", "contract_payments", "cash_months"} { // as autovacuum would have
		_, err = conn.Exec(ctx, "VACUUM ANALYZE "+table)
		require.NoError(t, err)
	}
	t.Logf("filled %d contracts in %s", n, time.Since(started).Round(time.Millisecond))
	asOf := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	region := ltc.Actor{ID: "eva", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "emea/office-1"}
	office := ltc.Actor{ID: "eli", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1, Unit: "emea/office-1"}
	for _, q := range []struct {
		name string
		f    store.CashFilter
	}{
		{"company by unit, a quarter", store.CashFilter{From: asOf.AddDate(0, -3, 0), To: asOf, AsOf: asOf, Group: store.CashByUnit, Reach: ltc.Reach{All: true}}},
		{"company by owner, a year", store.CashFilter{From: asOf.AddDate(-1, 0, 0), To: asOf, AsOf: asOf, Group: store.CashByOwner, Reach: ltc.Reach{All: true}}},
		{"company by account, a quarter", store.CashFilter{From: asOf.AddDate(0, -3, 0), To: asOf, AsOf: asOf, Group: store.CashByAccount, Reach: ltc.Reach{All: true}}},
		{"region by owner, a quarter", store.CashFilter{From: asOf.AddDate(0, -3, 0), To: asOf, AsOf: asOf, Group: store.CashByOwner, Reach: ltc.CashReach(region)}},
		{"office by owner, a quarter", store.CashFilter{From: asOf.AddDate(0, -3, 0), To: asOf, AsOf: asOf, Group: store.CashByOwner, Reach: ltc.CashReach(office)}},
		{"one owner, a quarter", store.CashFilter{From: asOf.AddDate(0, -3, 0), To: asOf, AsOf: asOf, OwnerID: "owner-7", Reach: ltc.Reach{All: true}}},
	} {
		var took []time.Duration
		rows := 0
		for range 20 {
			start := time.Now()
			r, err := s.CashReport(ctx, q.f)
			require.NoError(t, err)
			took, rows = append(took, time.Since(start)), len(r)
		}
		slices.Sort(took)
		t.Logf("%-32s %5d rows  p50 %6s  p99 (max of 20) %6s", q.name, rows, took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
	}
}

// writeContract writes a deal with its contract in execution as its process does: created, then changed with
// revision 1.
func writeContract(t *testing.T, s *store.Store, unit ltc.Unit, owner string, x ltc.Execution) ltc.Opportunity {
	t.Helper()
	ctx := context.Background()
	created := time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
	o := deal(ltc.LevelC, owner, created, ltc.Money{Currency: "EUR", AmountMinor: 1_500_00}, ltc.StageExecution, ltc.OutcomeWon)
	o.Unit = unit
	lead := ltc.Lead{ID: o.ID, State: ltc.LeadQualified, Owner: o.Owner, Customer: o.Customer, Unit: unit, CreatedAt: created, UpdatedAt: created}
	require.NoError(t, s.Apply(ctx, store.Change{Request: store.Request{ID: uuid.NewString(), Method: "x", DealID: o.ID, Result: json.RawMessage(`{}`)},
		Lead: &lead, Opportunity: &o}))
	o.Execution = &x
	behind, err := s.ApplyRevision(ctx, store.Change{Request: store.Request{ID: uuid.NewString(), Method: "x", DealID: o.ID, Result: json.RawMessage(`{}`)},
		Opportunity: &o, Revision: 1})
	require.NoError(t, err)
	require.Nil(t, behind)
	return o
}

// TestContractListsAndTheCashReportReadTheContractRows: ListContracts' overdue filter and reach, and each figure
// of the cash report, against two contracts written out below.
func TestContractListsAndTheCashReportReadTheContractRows(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	eur := func(m int64) ltc.Money { return ltc.Money{Currency: "EUR", AmountMinor: m * 100} }
	issued := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	planned := ltc.Date{Year: 2027, Month: 1, Day: 15}
	// Germany: 1,000 invoiced on 1 September, due 1 October, unpaid; 500 planned for January 2027, not invoiced.
	germany := writeContract(t, s, "emea/germany", "sam", ltc.Execution{Status: ltc.ContractExecution, Amount: eur(1_500),
		Milestones: []ltc.Milestone{{ID: "M1", Amount: eur(1_000), DueAt: &issued, Term: ltc.PaymentTerm{Name: "a", Trigger: ltc.TriggerSignature}},
			{ID: "M2", Amount: eur(500), Term: ltc.PaymentTerm{Name: "b", Trigger: ltc.TriggerFAC, PlannedDate: &planned}}},
		Invoices: []ltc.Invoice{{Number: "I-1", MilestoneID: "M1", Amount: eur(1_000), DueDate: ltc.Date{Year: 2026, Month: 10, Day: 1},
			IssuedAt: issued, Overdue: true}}})
	// Japan: 2,000 invoiced and paid.
	paid := ltc.Payment{Reference: "P", Amount: eur(2_000), Date: ltc.Date{Year: 2026, Month: 9, Day: 11}, RecordedAt: issued.AddDate(0, 0, 10)}
	japan := writeContract(t, s, "apac/japan", "ken", ltc.Execution{Status: ltc.ContractCompleted, Amount: eur(2_000),
		Milestones: []ltc.Milestone{{ID: "M1", Amount: eur(2_000), DueAt: &issued, Term: ltc.PaymentTerm{Name: "a", Trigger: ltc.TriggerSignature}}},
		Invoices: []ltc.Invoice{{Number: "I-1", MilestoneID: "M1", Amount: eur(2_000), DueDate: ltc.Date{Year: 2026, Month: 10, Day: 1},
			IssuedAt: issued, Payments: []ltc.Payment{paid}}}})

	today := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	ids := func(cf store.ContractFilter) []string {
		t.Helper()
		deals, _, err := s.ListContracts(ctx, cf, 50, "")
		require.NoError(t, err)
		var out []string
		for _, o := range deals {
			out = append(out, o.ID)
		}
		slices.Sort(out)
		return out
	}
	both := []string{germany.ID, japan.ID}
	slices.Sort(both)
	assert.Equal(t, both, ids(store.ContractFilter{Reach: ltc.Reach{All: true}, Today: today}))
	assert.Equal(t, []string{germany.ID}, ids(store.ContractFilter{Reach: ltc.Reach{All: true}, Today: today, OverdueOnly: true}))
	assert.Equal(t, []string{japan.ID}, ids(store.ContractFilter{Reach: ltc.Reach{All: true}, Today: today, Status: ltc.ContractCompleted}))
	assert.Equal(t, []string{germany.ID}, ids(store.ContractFilter{Reach: ltc.Reach{Units: []ltc.Unit{"emea"}}, Today: today}))

	rows, err := s.CashReport(ctx, store.CashFilter{From: issued.AddDate(0, 0, -1), To: issued.AddDate(0, 1, 0), AsOf: today,
		Reach: ltc.Reach{All: true}})
	require.NoError(t, err)
	byUnit := map[string]store.CashRow{}
	for _, r := range rows {
		byUnit[r.Key] = r
	}
	de := byUnit["emea/germany"]
	assert.Equal(t, int64(1_000_00), de.Invoiced)
	assert.Equal(t, int64(0), de.Collected)
	assert.Equal(t, int64(1_000_00), de.Receivable)
	assert.Equal(t, [4]int64{0, 1_000_00, 0, 0}, de.Overdue, "45 days past due")
	assert.InDelta(t, 76, de.DSO, 0.001, "all that was invoiced from 1 September to 15 November (76 days) is receivable")
	assert.Equal(t, map[time.Time]int64{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC): 1_000_00, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC): 500_00},
		de.Expected, "the overdue invoice this month, the milestone in its planned month")
	jp := byUnit["apac/japan"]
	assert.Equal(t, int64(2_000_00), jp.Invoiced)
	assert.Equal(t, int64(2_000_00), jp.Collected)
	assert.Equal(t, int64(0), jp.Receivable)
	assert.Empty(t, jp.Expected, "a completed contract expects nothing")

	office := ltc.Actor{ID: "eli", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1, Unit: "emea/germany"}
	rows, err = s.CashReport(ctx, store.CashFilter{From: issued.AddDate(0, 0, -1), To: issued.AddDate(0, 1, 0), AsOf: today,
		Group: store.CashByOwner, Reach: ltc.CashReach(office)})
	require.NoError(t, err)
	require.Len(t, rows, 1, "the office's executive counts the office's contracts only")
	assert.Equal(t, "sam", rows[0].Key)
}
